"""Benchmark the embedded trigram LM: conversion, cached load, look-up rate, memory.

    python benchmarks/bench_lm.py [--batch 1000] [--seconds 1.0]

Converts the pocketsphinx en-us model into a fresh temporary cache (cold), then loads it
from that cache in a new process (warm), and measures logprob3 look-ups per second on one
core for three query mixes: n-grams the model stores, stored histories with a random next
word (mostly back-off), and random word triples.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

import numpy as np

from unspin.lm import default_model_path, load_sphinx_lm
from unspin.lm.sphinx_trie import WORD_BITS

WARM_PROBE = """
import sys, time
t = time.perf_counter()
from unspin.lm import default_model_path, load_sphinx_lm
lm = load_sphinx_lm(default_model_path(), sys.argv[1])
load = time.perf_counter() - t
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
after_load = rss()
import numpy as np
rng = np.random.default_rng(0)
for _ in range(2000):
    w = rng.integers(0, lm.unk_id, (3, 1000)).astype(np.int32)
    lm.logprob3(*w)
print(f"{load:.3f} {after_load:.0f} {rss():.0f}")
"""


def rate(fn, args, batch: int, seconds: float) -> float:
    """Best-of-5 look-ups per second of fn(*args) on batches of `batch`."""
    fn(*args)
    best = float("inf")
    for _ in range(5):
        reps, start = 0, time.perf_counter()
        while True:
            fn(*args)
            reps += 1
            elapsed = time.perf_counter() - start
            if elapsed > seconds / 5:
                break
        best = min(best, elapsed / reps)
    return batch / best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1000, help="queries per call (1000)")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement (1.0)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="unspin-bench-") as cache:
        start = time.perf_counter()
        lm = load_sphinx_lm(default_model_path(), cache)
        cold = time.perf_counter() - start
        out = subprocess.run([sys.executable, "-c", WARM_PROBE, cache], check=True,
                             capture_output=True, text=True).stdout.split()
        warm, rss_loaded, rss_used = float(out[0]), float(out[1]), float(out[2])

        a = lm.arrays
        print(f"model: {len(a.words):,} words, {a.bigram_keys.size:,} bigrams, "
              f"{a.trigram_keys.size:,} trigrams")
        print(f"conversion (cold, incl. writing the cache): {cold:.2f} s")
        print(f"load from warm cache (new process, incl. imports): {warm:.3f} s")
        print(f"resident memory: {rss_loaded:.0f} MB after load, "
              f"{rss_used:.0f} MB after 2M random look-ups (mmap pages shared between processes)")

        rng = np.random.default_rng(0)
        n = args.batch
        mask = np.uint64((1 << WORD_BITS) - 1)
        keys = np.asarray(a.trigram_keys)[rng.integers(0, a.trigram_keys.size, n)]
        stored = ((keys >> np.uint64(2 * WORD_BITS)).astype(np.int32),
                  ((keys >> np.uint64(WORD_BITS)) & mask).astype(np.int32),
                  (keys & mask).astype(np.int32))
        backoff = (stored[0], stored[1], rng.integers(0, lm.unk_id, n).astype(np.int32))
        random = tuple(rng.integers(0, lm.unk_id, (3, n)).astype(np.int32))
        print(f"logprob3 look-ups/s, batches of {n:,}, one core:")
        for name, q in [("stored trigrams", stored), ("stored history, random word", backoff),
                        ("random triples", random)]:
            print(f"  {name:30s} {rate(lm.logprob3, q, n, args.seconds) / 1e6:6.2f} M/s")
        print(f"  {'logprob2 (random pairs)':30s} "
              f"{rate(lm.logprob2, random[:2], n, args.seconds) / 1e6:6.2f} M/s")
        sorted_keys = np.asarray(a.trigram_keys)
        print(f"  {'(np.searchsorted alone, trigrams)':30s} "
              f"{rate(lambda q: np.searchsorted(sorted_keys, q), (keys,), n, args.seconds) / 1e6:6.2f} M/s")
        try:
            import pocketsphinx
            logmath = pocketsphinx.LogMath()
            model = pocketsphinx.NGramModel(pocketsphinx.Config(), logmath, str(default_model_path()))
            triples = [[lm.words[c], lm.words[b], lm.words[x]] for x, b, c in zip(*stored)]

            def one_by_one(batch):
                for t in batch:
                    model.prob(t)
            print(f"  {'(pocketsphinx NGramModel.prob)':30s} "
                  f"{rate(one_by_one, (triples,), n, args.seconds) / 1e6:6.2f} M/s")
        except ImportError:
            pass
        del lm


if __name__ == "__main__":
    main()
