#!/usr/bin/env python3
"""Fit the llm backend's confidence model; write src/unspin/data/llm_calibration.json.

Training data as for scripts/fit_calibration.py: the *train* half of the Wikipedia summaries
(never the benchmark half), spun by unspin's own spinner at several rates and styles, plus
clean documents. The trigram stage proposes with the llm backend's looser substitution cost;
each uncertain proposal is scored by the LLM and labelled right when its span and (LLM-chosen)
first replacement match a gold edit. Features: the trigram confidence (as a logit), the LLM's
log-probability gain of the best replacement, whether the LLM changed the choice, and what
kind of candidate it is (a pair real spinners were seen writing, an established term).

    python scripts/fit_llm_calibration.py [--docs 200] [--seed 11] [--llm PATH]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_calibration import label, training_documents  # noqa: E402  (same data and labels)

from unspin.calibrate import fit_logistic  # noqa: E402
from unspin.decode import LLM_SUBSTITUTION_COST, propose  # noqa: E402
from unspin.llm import load_model  # noqa: E402
from unspin.llm.rescorer import FEATURES, apply_judgement, judge, llm_features  # noqa: E402
from unspin.text import tokenize  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / "llm_calibration.json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--llm", default=None, help="a GGUF file (default: the packaged Gemma)")
    args = ap.parse_args()
    t0 = time.time()
    lm = load_model(args.llm)
    X, y, y_trigram = [], [], []
    docs = training_documents(args.docs, args.seed)
    for n, (text, gold, table) in enumerate(docs, 1):
        spun = gold.spun if gold else text
        proposals, _ = propose(spun, tokenize(spun), LLM_SUBSTITUTION_COST, table=table)
        judged = judge(spun, proposals, lm)
        rechosen = [apply_judgement(proposals[j.index], j) for j in judged]
        labels = label(rechosen, gold)
        y_trigram += label([proposals[j.index] for j in judged], gold)
        for j, lab in zip(judged, labels):
            best = int(np.argmax(j.gains))
            X.append(llm_features(proposals[j.index], float(j.gains[best]), best != 0))
            y.append(lab)
        if n % 20 == 0:
            print(f"  {n}/{len(docs)} documents, {len(y)} judged proposals, "
                  f"{time.time() - t0:.0f} s", file=sys.stderr)
    X, y = np.array(X), np.array(y, float)
    w = fit_logistic(X, y, l2=1.0)
    edit = {name: round(float(v), 5) for name, v in zip(FEATURES, w)}
    OUT.write_text(json.dumps({
        "edit": edit, "fitted_on": f"{len(docs)} train-half docs, seed {args.seed}",
        "model": lm.path.name, "judged": int(len(y)), "right": int(y.sum()),
        "right_before_llm_choice": int(sum(y_trigram))}, indent=1) + "\n")
    print(f"{len(y)} judged proposals ({int(y.sum())} right after the LLM's choice, "
          f"{int(sum(y_trigram))} with the trigram's) from {len(docs)} documents in "
          f"{time.time() - t0:.0f} s; wrote {OUT}")
    for k, v in edit.items():
        print(f"  {k:20s} {v:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
