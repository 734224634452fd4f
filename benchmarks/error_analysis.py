#!/usr/bin/env python3
"""Where the model loses gold spans: the loss funnel on a gold JSONL file.

For every gold span (one the spinner changed), the first stage that lost it:
  no_candidate   the original is not among the candidates of the observed span
  not_proposed   a candidate, but the decoder chose nothing there
  wrong_choice   the decoder proposed another original
  low_confidence proposed right, but its confidence is under the threshold
  restored       proposed right with confidence >= threshold
Printed overall and by the spinner's kind of edit, with the commonest misses.

    python benchmarks/error_analysis.py GOLD.jsonl [--threshold 0.5] [--show 25]
"""
from __future__ import annotations

import argparse
import collections
import sys

from unspin.candidates import candidate_table
from unspin.decode import propose
from unspin.evaluate.gold import load_gold
from unspin.text import normalise, tokenize

STAGES = ("no_candidate", "not_proposed", "wrong_choice", "low_confidence", "restored")


def funnel(docs, threshold: float):
    table = candidate_table()
    counts = collections.Counter()
    by_kind = collections.defaultdict(collections.Counter)
    examples = collections.defaultdict(collections.Counter)
    for doc in docs:
        proposals, _ = propose(doc.spun, tokenize(doc.spun))
        at = {(p.edit.start, p.edit.end): p for p in proposals}
        for g in doc.edits:
            if g.optional:
                continue
            ok = {normalise(a) for a in g.acceptable}
            observed = " ".join(normalise(t.text) for t in tokenize(g.text) if t.is_word)
            cands = set(table.lookup(observed).texts)
            p = at.get((g.start, g.end))
            if p is not None and normalise(p.edit.replacements[0]) in ok:
                stage = "restored" if p.edit.confidence >= threshold else "low_confidence"
            elif p is not None or any(s < g.end and g.start < e for s, e in at):
                # a wrong original on exactly this span counts as no candidate when the right
                # one was not on offer; an overlapping proposal is always a wrong choice
                stage = "no_candidate" if p is not None and not ok & cands else "wrong_choice"
            else:
                stage = "not_proposed" if ok & cands else "no_candidate"
            counts[stage] += 1
            by_kind[g.kind or "?"][stage] += 1
            examples[stage][f"{g.text} -> {g.replacement}"] += 1
    return counts, by_kind, examples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--show", type=int, default=15)
    args = ap.parse_args()
    docs = load_gold(args.gold)
    counts, by_kind, examples = funnel(docs, args.threshold)
    total = sum(counts.values())
    print(f"{total} gold spans in {len(docs)} documents ({args.gold})")
    for s in STAGES:
        print(f"  {s:15s} {counts[s]:6d}  {counts[s] / max(total, 1):6.1%}")
    print("by kind:")
    for kind, c in sorted(by_kind.items(), key=lambda kv: -sum(kv[1].values())):
        n = sum(c.values())
        print(f"  {kind:12s} {n:5d}  " + "  ".join(f"{s[:6]} {c[s] / n:4.0%}" for s in STAGES))
    for s in STAGES[:-1]:
        print(f"commonest {s}: " + "; ".join(f"{k} ({v})" for k, v in examples[s].most_common(args.show)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
