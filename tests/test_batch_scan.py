"""`unspin scan`: every input format, outputs, filters, errors file, and real kill-and-resume."""
from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

pa = pytest.importorskip("pyarrow", reason="the batch extra (pyarrow) is not installed")
import pyarrow.parquet as pq  # noqa: E402

from unspin import Detector  # noqa: E402
from unspin.batch.fields import FieldOptions  # noqa: E402
from unspin.batch.scan import scan, work_folder  # noqa: E402
from unspin.batch.worker import ScanOptions  # noqa: E402
from unspin.inputs import InputError  # noqa: E402

# Our own sentences: some carry catalogued tortured phrases, the rest are plain.
SPUN = ["Our counterfeit consciousness system uses profound learning on big information.",
        "The irregular woodland classifier beat the help vector machine by a wide margin.",
        "A convolutional neural organization was prepared for picture acknowledgment."]
CLEAN = ["The committee met on Monday to discuss the budget for next year.",
         "Rain is expected across the north of the country this weekend.",
         "She walked to the station and caught the early train home."]
DETECTOR = Detector(model=False)


def corpus(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        pool = SPUN + CLEAN if i % 3 == 0 else CLEAN
        docs.append({"id": f"doc-{i}", "text": " ".join(rng.choice(pool) for _ in range(4)),
                     "lang": "en"})
    return docs


def write_jsonl(path, records, opener=open) -> str:
    with opener(path, "wt", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    return str(path)


def read_jsonl(path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def expected(records, options: FieldOptions = FieldOptions()) -> list[dict]:
    """What the scan must add, computed straight from Detector.check."""
    from unspin.batch.fields import result_fields
    return [{**r, **result_fields(DETECTOR.check(r["text"]), options)} for r in records]


@pytest.fixture(scope="module")
def docs():
    return corpus(120)


def test_jsonl_plain_gz_zst_give_the_same_records_as_check(tmp_path, docs):
    zstandard = pytest.importorskip("zstandard")
    plain = write_jsonl(tmp_path / "in.jsonl", docs)
    gz = write_jsonl(tmp_path / "in.jsonl.gz", docs, gzip.open)
    zst = tmp_path / "in.jsonl.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(open(plain, "rb").read()))
    want = expected(docs)
    for i, path in enumerate([plain, gz, str(zst)]):
        out = tmp_path / f"out{i}.jsonl"
        summary = scan([path], str(out), DETECTOR, workers=1, chunk_records=25)
        assert read_jsonl(out) == want
        assert summary.documents == len(docs) and summary.errors == 0
        assert summary.words == sum(r["unspin_words"] for r in want)
        assert not os.path.exists(work_folder(str(out)))


def test_parquet_in_and_out_keeps_column_types_and_adds_edits_and_restored(tmp_path, docs):
    src = tmp_path / "in.parquet"
    table = pa.Table.from_pylist(docs).append_column("n", pa.array(range(len(docs)), pa.int32()))
    pq.write_table(table, src)
    fields = FieldOptions(edits=True, restore=True)
    out = tmp_path / "out.parquet"
    scan([str(src)], str(out), DETECTOR, ScanOptions(fields=fields, format="parquet"),
         workers=1, chunk_records=32)
    got = pq.read_table(out)
    assert got.schema.field("n").type == pa.int32()
    rows = got.to_pylist()
    assert [r["id"] for r in rows] == [d["id"] for d in docs]
    for row, want in zip(rows, expected(docs, fields)):
        assert row["unspin_score"] == want["unspin_score"]
        assert row["unspin_restored"] == want["unspin_restored"]
        assert [e["text"] for e in row["unspin_edits"]] == [e["text"] for e in want["unspin_edits"]]
    assert any(r["unspin_edit_count"] for r in rows), "the spun sentences should be flagged"
    assert any(r["unspin_restored"] != r["text"] for r in rows)


def test_txt_folder_one_document_per_file_named_by_id_key(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(SPUN[0], encoding="utf-8")
    (folder / "sub" / "b.txt").write_text(CLEAN[0], encoding="utf-8")
    (folder / "skip.md").write_text("not a txt file", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    scan([str(folder)], str(out), DETECTOR, ScanOptions(id_key="path"), workers=1)
    rows = read_jsonl(out)
    assert [r["path"] for r in rows] == ["a.txt", os.path.join("sub", "b.txt")]
    assert rows[0]["unspin_edit_count"] == len(DETECTOR.check(SPUN[0]).edits) >= 1
    assert rows[1]["unspin_edit_count"] == 0


def test_filters_drop_above_and_keep_only_spun(tmp_path, docs):
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    want = expected(docs)
    cut = sorted(r["unspin_score"] for r in want)[len(want) // 2]
    out = tmp_path / "low.jsonl"
    summary = scan([src], str(out), DETECTOR, ScanOptions(drop_above=cut), workers=1)
    assert read_jsonl(out) == [r for r in want if r["unspin_score"] <= cut]
    assert summary.kept == len(read_jsonl(out)) < len(docs)
    out = tmp_path / "spun.jsonl"
    scan([src], str(out), DETECTOR, ScanOptions(keep_only_spun=True), workers=1)
    assert read_jsonl(out) == [r for r in want if r["unspin_verdict"] == "spun"]


def test_two_workers_write_exactly_what_one_does(tmp_path):
    docs = corpus(400, seed=3)
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    scan([src], str(tmp_path / "one.jsonl"), DETECTOR, workers=1, chunk_records=30)
    summary = scan([src], str(tmp_path / "two.jsonl"), DETECTOR, workers=2, chunk_records=30)
    assert read_jsonl(tmp_path / "two.jsonl") == read_jsonl(tmp_path / "one.jsonl")
    assert summary.documents == 400


def test_every_kind_of_bad_record_goes_to_the_errors_file(tmp_path):
    lines = [json.dumps({"id": "ok", "text": CLEAN[1]}),
             '{"id": "broken", "text": ',
             json.dumps(["a", "list"]),
             json.dumps({"id": "no-text", "body": "x"}),
             json.dumps({"id": "number", "text": 42}),
             "",
             json.dumps({"id": "huge", "text": "word " * 400})]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = scan([str(src)], str(out), DETECTOR, ScanOptions(max_doc_bytes=1000), workers=1)
    assert [r["id"] for r in read_jsonl(out)] == ["ok"]
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert summary.errors == len(errors) == 5
    by_line = {e["line"]: e for e in errors}
    assert set(by_line) == {2, 3, 4, 5, 7}          # line 6 is blank: skipped, still counted
    assert "not valid JSON" in by_line[2]["reason"]
    assert "not an object" in by_line[3]["reason"]
    assert by_line[4]["id"] == "no-text" and "no 'text' field" in by_line[4]["reason"]
    assert by_line[5]["id"] == "number" and "int, not a string" in by_line[5]["reason"]
    assert "exceeds the size limit" in by_line[7]["reason"]
    assert all(e["input"] == str(src) for e in errors)


def test_oversized_parquet_row_and_bad_txt_file_are_reported_by_position(tmp_path):
    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": 1, "text": CLEAN[0]}, {"id": 2, "text": "x" * 5000},
                                         {"id": 3, "text": None}]), src)
    out = tmp_path / "out.jsonl"
    scan([str(src)], str(out), DETECTOR, ScanOptions(max_doc_bytes=4000), workers=1)
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert [(e["row"], e["id"]) for e in errors] == [(1, 2), (2, 3)]
    assert "exceeds the size limit" in errors[0]["reason"]
    assert "NoneType, not a string" in errors[1]["reason"]
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "good.txt").write_text(CLEAN[2], encoding="utf-8")
    (folder / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    scan([str(folder)], str(tmp_path / "t.jsonl"), DETECTOR, workers=1)
    [error] = read_jsonl(tmp_path / "t.errors.jsonl")
    assert error["file"] == "latin1.txt" and "invalid UTF-8" in error["reason"]


def test_refuses_to_mix_an_unfinished_scan_with_other_options(tmp_path, docs):
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    out = tmp_path / "out.jsonl"
    os.makedirs(work_folder(str(out)))
    with open(os.path.join(work_folder(str(out)), "job.json"), "w") as fh:
        json.dump({"something": "else"}, fh)
    with pytest.raises(InputError, match="--restart"):
        scan([src], str(out), DETECTOR, workers=1)
    scan([src], str(out), DETECTOR, workers=1, restart=True)
    assert len(read_jsonl(out)) == len(docs)
    with pytest.raises(InputError, match="already exists"):
        scan([src], str(out), DETECTOR, workers=1)


def run_cli(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "unspin", *args], capture_output=True,
                          text=True, **kw)


def test_cli_reports_bad_input_in_one_line(tmp_path):
    result = run_cli("scan", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no such file" in result.stderr
    (tmp_path / "in.csv").write_text("a,b\n")
    result = run_cli("scan", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2 and "unknown input format" in result.stderr


def test_killed_at_random_moments_then_resumed_holds_every_record_once(tmp_path):
    """Really SIGKILL the scan several times; the final output has each record exactly once."""
    docs = corpus(12000, seed=7)     # large enough that a kill lands mid-scan
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    src2 = tmp_path / "more.parquet"
    extra = corpus(500, seed=8)
    for r in extra:
        r["id"] = "p-" + r["id"]
    pq.write_table(pa.Table.from_pylist(extra), src2)
    out = tmp_path / "out.jsonl"
    args = ["scan", src, str(src2), "-o", str(out), "--no-model", "--workers", "2",
            "--chunk-size", "20", "--no-progress"]
    rng = random.Random(11)
    kills = 0
    for attempt in range(12):
        folder = work_folder(str(out))
        committed = [f for f in os.listdir(folder) if f.endswith(".done")] if os.path.isdir(folder) else []
        proc = subprocess.Popen([sys.executable, "-m", "unspin", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if attempt < 5:
            time.sleep(rng.uniform(0.2, 1.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
        stdout, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, -signal.SIGKILL), err.decode()
        # the output appears complete or not at all
        assert not out.exists() or len(read_jsonl(out)) == len(docs) + len(extra)
        if proc.returncode == 0 and committed:
            assert b"resumed:" in stdout        # it continued, it did not start over
        if proc.returncode == 0 or (out.exists() and not os.path.exists(work_folder(str(out)))):
            break
    assert out.exists() and kills >= 2
    ids = [r["id"] for r in read_jsonl(out)]
    assert len(ids) == len(set(ids)) == len(docs) + len(extra)
    assert ids == [d["id"] for d in docs] + [d["id"] for d in extra]     # input order kept
    assert not os.path.exists(work_folder(str(out)))
