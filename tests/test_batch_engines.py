"""The cluster adapters, run for real in local mode, give exactly what `unspin scan` writes."""
from __future__ import annotations

import json
import os
import random

import pytest

pa = pytest.importorskip("pyarrow", reason="the batch extra (pyarrow) is not installed")
pd = pytest.importorskip("pandas", reason="pandas is not installed")
import pyarrow.parquet as pq  # noqa: E402

from unspin import DetectorConfig  # noqa: E402
from unspin.batch.fields import field_names, FieldOptions  # noqa: E402
from unspin.batch.scan import scan  # noqa: E402
from unspin.batch.worker import ScanOptions  # noqa: E402
from unspin.api import Detector  # noqa: E402

CONFIG = DetectorConfig(model=False)
FIELDS = FieldOptions(edits=True, restore=True)
ADDED = field_names(FIELDS)

SENTENCES = [
    "Our counterfeit consciousness system uses profound learning on big information.",
    "The irregular woodland classifier beat the help vector machine by a wide margin.",
    "The committee met on Monday to discuss the budget for next year.",
    "Rain is expected across the north of the country this weekend.",
    "She walked to the station and caught the early train home.",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """(input parquet path, rows, {id: fields the plain scan added})."""
    rng = random.Random(5)
    rows = [{"id": i, "text": " ".join(rng.choice(SENTENCES) for _ in range(3)), "year": 2000 + i % 20}
            for i in range(60)]
    folder = tmp_path_factory.mktemp("engines")
    src = folder / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    out = folder / "scan.jsonl"
    scan([str(src)], str(out), Detector(CONFIG), ScanOptions(fields=FIELDS), workers=1)
    with open(out, encoding="utf-8") as fh:
        reference = {r["id"]: {k: r[k] for k in ADDED} for r in map(json.loads, fh)}
    assert any(f["unspin_edit_count"] for f in reference.values())
    return str(src), rows, reference


def plain(value):
    """Engine values (numpy arrays, pandas NA, Spark Rows) as plain Python, for comparing."""
    if hasattr(value, "asDict"):
        return {k: plain(v) for k, v in value.asDict().items()}
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return plain(value.tolist())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def assert_same_as_scan(records, reference) -> None:
    got = {int(r["id"]): {k: plain(r[k]) for k in ADDED} for r in records}
    assert got == reference


# ---- Ray Data -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'unspin[ray]')")
    # logical CPUs beyond the two actors, or the read tasks would wait for them forever
    pytest.importorskip("ray.data", reason="Ray Data is not installed")
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False,
             configure_logging=False, ignore_reinit_error=True)
    yield ray
    ray.shutdown()


@pytest.mark.parametrize("batch_format", ["pandas", "pyarrow"])
def test_ray_map_batches_matches_the_scan(ray_local, corpus, batch_format):
    from ray.data import ActorPoolStrategy
    from unspin.batch.ray import UnspinScorer
    src, _, reference = corpus
    ds = ray_local.data.read_parquet(src).map_batches(
        UnspinScorer, batch_format=batch_format, batch_size=16, compute=ActorPoolStrategy(size=2),
        fn_constructor_kwargs={"config": CONFIG, "edits": True, "restore": True})
    assert_same_as_scan(ds.take_all(), reference)


# ---- Spark ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'unspin[spark]')")
    from pyspark.sql import SparkSession
    os.environ.setdefault("PYSPARK_PYTHON", __import__("sys").executable)
    session = (SparkSession.builder.master("local[2]").appName("unspin-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_map_in_pandas_matches_the_scan(spark, corpus):
    from unspin.batch.spark import output_schema, scan_partitions
    src, _, reference = corpus
    df = spark.read.parquet(src).repartition(3)
    scored = df.mapInPandas(scan_partitions(CONFIG, edits=True, restore=True),
                            schema=output_schema(df.schema, edits=True, restore=True))
    assert scored.columns == df.columns + ADDED
    assert_same_as_scan([r.asDict() for r in scored.collect()], reference)


def test_spark_pandas_udf_gives_the_scan_scores(spark, corpus):
    from unspin.batch.spark import spin_score_udf
    src, _, reference = corpus
    rows = spark.read.parquet(src).select("id", spin_score_udf(CONFIG)("text").alias("s")).collect()
    assert {r["id"]: r["s"] for r in rows} == {i: f["unspin_score"] for i, f in reference.items()}


# ---- Dask -----------------------------------------------------------------------------------

def test_dask_map_partitions_matches_the_scan(corpus):
    dd = pytest.importorskip("dask.dataframe", reason="Dask is not installed (pip install 'unspin[dask]')")
    from unspin.batch.dask import scan_dataframe
    src, rows, reference = corpus
    ddf = dd.from_pandas(pd.DataFrame(rows), npartitions=3)
    scored = scan_dataframe(ddf, CONFIG, edits=True, restore=True)
    assert list(scored.columns) == list(ddf.columns) + ADDED
    frame = scored.compute(scheduler="processes", num_workers=2)
    assert list(frame.dtypes) == list(scored.dtypes)          # meta told the truth
    assert_same_as_scan(frame.to_dict("records"), reference)


# ---- datatrove ------------------------------------------------------------------------------

def test_datatrove_filter_writes_metadata_and_excludes_spun_documents(corpus, tmp_path):
    pytest.importorskip("datatrove", reason="datatrove is not installed (pip install 'unspin[datatrove]')")
    from datatrove.data import Document
    from datatrove.pipeline.writers import JsonlWriter
    from unspin.batch.datatrove import UnspinFilter
    _, rows, reference = corpus
    cut = sorted(f["unspin_score"] for f in reference.values())[len(reference) // 2]
    step = UnspinFilter(CONFIG, drop_above=cut, edits=True, restore=True, batch_size=8,
                        exclusion_writer=JsonlWriter(str(tmp_path / "spun"), compression=None))
    docs = [Document(text=r["text"], id=str(r["id"])) for r in rows]
    kept = list(step.run(iter(docs)))
    assert [d.id for d in kept] == [str(i) for i, f in reference.items() if f["unspin_score"] <= cut]
    for d in docs:
        assert {k: d.metadata[k] for k in ADDED} == reference[int(d.id)]
    excluded = []
    for name in os.listdir(tmp_path / "spun"):
        with open(tmp_path / "spun" / name, encoding="utf-8") as fh:
            excluded += [json.loads(line) for line in fh]
    assert sorted(int(e["id"]) for e in excluded) == [i for i, f in reference.items()
                                                      if f["unspin_score"] > cut]
    assert all(e["metadata"]["filter_reason"] == "unspin_spun" for e in excluded)


# ---- NeMo Curator ---------------------------------------------------------------------------

def test_nemo_document_filter_scores_like_the_scan(corpus):
    from unspin.batch.nemo import UnspinDocumentFilter
    _, rows, reference = corpus
    nemo_filter = UnspinDocumentFilter(CONFIG)
    for r in rows:
        score = nemo_filter.score_document(r["text"])
        assert score == reference[r["id"]]["unspin_score"]
        assert nemo_filter.keep_document(score) == (reference[r["id"]]["unspin_verdict"] != "spun")
    assert UnspinDocumentFilter(CONFIG, drop_above=0.2).keep_document(0.25) is False


def test_nemo_score_filter_stage_runs_the_filter(corpus):
    pytest.importorskip("nemo_curator.stages.text.filters.score_filter",
                        reason="NeMo Curator is not installed (its full install pulls in a GPU stack)")
    from nemo_curator.stages.text.filters.doc_filter import DocumentFilter
    from nemo_curator.stages.text.filters.score_filter import ScoreFilter
    from nemo_curator.tasks import DocumentBatch
    from unspin.batch.nemo import UnspinDocumentFilter
    _, rows, reference = corpus
    cut = sorted(f["unspin_score"] for f in reference.values())[len(reference) // 2]
    nemo_filter = UnspinDocumentFilter(CONFIG, drop_above=cut)
    assert isinstance(nemo_filter, DocumentFilter)
    stage = ScoreFilter(nemo_filter, text_field="text", score_field="unspin_score")
    out = stage.process(DocumentBatch(dataset_name="test", data=pd.DataFrame(rows)))
    frame = out.to_pandas()
    assert frame["id"].tolist() == [i for i, f in reference.items() if f["unspin_score"] <= cut]
    assert frame["unspin_score"].tolist() == [reference[i]["unspin_score"] for i in frame["id"]]
