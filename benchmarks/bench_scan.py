"""Throughput of `unspin scan`: 1 worker vs all cores, scan overhead vs plain Detector.check,
peak memory per process at 1x and 10x the input, and optionally Ray Data / Spark local mode.

    python benchmarks/bench_scan.py                       # 100,000 documents, known phrases only
    python benchmarks/bench_scan.py --docs 20000 --model  # with the language-model pass
    python benchmarks/bench_scan.py --engines             # also Ray Data and Spark local[N]

The corpus is synthetic: paragraphs of the bundled Wikipedia summaries, a third of them spun by
`unspin.evaluate.spinner`, joined 1-3 to a document; it is generated in a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from unspin import Detector, DetectorConfig
from unspin.batch.fields import FieldOptions
from unspin.batch.scan import scan
from unspin.batch.worker import ScanOptions


def make_corpus(path: str, docs: int, seed: int = 0) -> tuple[int, int]:
    """Write `docs` JSONL records; returns (documents, bytes)."""
    from unspin.evaluate.corpus import wiki_documents
    from unspin.evaluate.spinner import Spinner
    rng = random.Random(seed)
    clean = [d.text for d in wiki_documents(limit=600)]
    spinner = Spinner(style="news", rate=0.25, seed=seed)
    spun = [spinner.spin(t).spun for t in clean[:200]]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(docs):
            pool = spun if i % 3 == 0 else clean
            text = "\n\n".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
            fh.write(json.dumps({"id": i, "text": text}) + "\n")
    return docs, os.path.getsize(path)


def raw_check(path: str, detector: Detector) -> tuple[float, int]:
    """Seconds and words for Detector.check over every text, in this process, no machinery."""
    with open(path, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    detector.check(texts[0])                      # load resources outside the timing
    started, words = time.perf_counter(), 0
    for t in texts:
        words += detector.check(t).words
    return time.perf_counter() - started, words


def _check_all(config: DetectorConfig, texts: list[str]) -> float:
    detector = Detector(config)
    detector.check(texts[0])
    started = time.perf_counter()
    for t in texts:
        detector.check(t)
    return time.perf_counter() - started


def machine_ceiling(path: str, config: DetectorConfig, workers: int) -> float:
    """Speed-up this machine gives N copies of a plain check loop (no scan code at all):
    the best any parallel scan can do here, whatever else is running on the cores."""
    import concurrent.futures as cf
    import multiprocessing
    with open(path, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(2000), fh)]
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        alone = pool.submit(_check_all, config, texts).result()
    with cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        together = max(f.result() for f in [pool.submit(_check_all, config, texts)
                                             for _ in range(workers)])
    return workers * alone / together


def timed_scan(path: str, out: str, detector: Detector, workers: int):
    started = time.perf_counter()
    summary = scan([path], out, detector, ScanOptions(fields=FieldOptions()), workers=workers,
                   progress=False, overwrite=True)
    return time.perf_counter() - started, summary


def peak_memory_mb(path: str, out: str, workers: int, model: bool) -> float:
    """Largest resident set of any process of a `unspin scan` run (main or worker), in MB."""
    args = [sys.executable, "-m", "unspin", "scan", path, "-o", out, "--overwrite",
            "--no-progress", "--workers", str(workers)] + ([] if model else ["--no-model"])
    code = (f"import resource, subprocess; subprocess.run({args!r}, check=True, "
            "stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    kb = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()[-1])
    return kb / 1024


def engines(path: str, config: DetectorConfig, workers: int, words: int,
            reference_wps: float) -> None:
    import pyarrow.json as pj
    import pyarrow.parquet as pq
    parquet = path.replace(".jsonl", ".parquet")
    pq.write_table(pj.read_json(path), parquet)
    try:
        import ray
        from ray.data import ActorPoolStrategy
        from unspin.batch.ray import UnspinScorer
        ray.init(num_cpus=workers + 1, include_dashboard=False, log_to_driver=False)  # +1: reads
        started = time.perf_counter()
        # several blocks, or the actor pool gets one input and uses one actor
        n = ray.data.read_parquet(parquet, override_num_blocks=workers * 4).map_batches(
            UnspinScorer, batch_format="pyarrow", batch_size=256,
            compute=ActorPoolStrategy(size=workers),
            fn_constructor_kwargs={"config": config}).count()
        secs = time.perf_counter() - started
        ray.shutdown()
        print(f"Ray Data ({workers} actors): {n / secs:,.0f} docs/s, {words / secs:,.0f} words/s "
              f"(start-up included) = {words / secs / reference_wps:.0%} of the scan")
    except ImportError:
        print("Ray Data: not installed")
    try:
        from pyspark.sql import SparkSession
        from unspin.batch.spark import output_schema, scan_partitions
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = (SparkSession.builder.master(f"local[{workers}]").config("spark.ui.enabled", "false")
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        df = spark.read.parquet(parquet).repartition(workers * 4)
        df.count()
        started = time.perf_counter()
        n = df.mapInPandas(scan_partitions(config), schema=output_schema(df.schema)).count()
        secs = time.perf_counter() - started
        spark.stop()
        print(f"Spark local[{workers}] mapInPandas: {n / secs:,.0f} docs/s, {words / secs:,.0f} "
              f"words/s = {words / secs / reference_wps:.0%} of the scan")
    except ImportError:
        print("Spark: not installed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--model", action="store_true", help="run the language-model pass too")
    parser.add_argument("--memory", action="store_true",
                        help="also measure peak memory at 1x and 10x the input (slow)")
    parser.add_argument("--engines", action="store_true", help="also Ray Data and Spark")
    args = parser.parse_args()
    config = DetectorConfig(model=args.model)
    detector = Detector(config)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "corpus.jsonl")
        docs, size = make_corpus(path, args.docs)
        print(f"corpus: {docs:,} documents, {size / 1e6:.1f} MB; model pass: {args.model}; "
              f"cores: {os.cpu_count()}")
        raw_secs, words = raw_check(path, detector)
        print(f"plain Detector.check, 1 core: {docs / raw_secs:,.0f} docs/s, "
              f"{words / raw_secs:,.0f} words/s")
        one_secs, summary = timed_scan(path, os.path.join(tmp, "one.jsonl"), detector, 1)
        print(f"scan, 1 worker:  {docs / one_secs:,.0f} docs/s, {words / one_secs:,.0f} words/s; "
              f"overhead over plain check {one_secs / raw_secs - 1:+.1%}")
        n_secs, summary = timed_scan(path, os.path.join(tmp, "n.jsonl"), detector, args.workers)
        speedup = one_secs / n_secs
        print(f"scan, {args.workers} workers: {docs / n_secs:,.0f} docs/s, {words / n_secs:,.0f} "
              f"words/s; speed-up {speedup:.2f}x, scaling efficiency {speedup / args.workers:.0%}")
        ceiling = machine_ceiling(path, config, args.workers)
        print(f"machine ceiling: {args.workers} plain check loops in parallel run {ceiling:.2f}x "
              f"one; the scan reaches {speedup / ceiling:.0%} of that")
        print(f"spun share: {summary.spun / max(summary.documents, 1):.1%}")
        if args.memory:
            for factor in (1, 10):
                big = path if factor == 1 else os.path.join(tmp, "big.jsonl")
                if factor != 1:
                    make_corpus(big, args.docs * factor, seed=1)
                mb = peak_memory_mb(big, os.path.join(tmp, "mem.jsonl"), args.workers, args.model)
                print(f"peak memory of any scan process at {factor}x ({args.docs * factor:,} docs): "
                      f"{mb:,.0f} MB")
        if args.engines:
            engines(path, config, args.workers, words, words / n_secs)


if __name__ == "__main__":
    main()
