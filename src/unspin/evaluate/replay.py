"""Spin a text with a real spinner's recorded choices (its dictionary), at every occurrence.

Used by scripts/fit_calibration.py (pages rewritten with the calibration half of the
development pairs) and by the replayed-pages benchmark (every pair, seen and unseen).
"""
from __future__ import annotations

import csv
import random
import re
from pathlib import Path

from .gold import GoldDocument, GoldEdit


def spinner_pairs(path: str | Path,
                  keep=lambda row: True) -> list[tuple[str, str, tuple[str, ...]]]:
    """(original, spun, other acceptable originals) of the rows of a spinner-pairs TSV
    (spun, original, also_acceptable, count) that `keep` accepts, commonest first (replay
    takes the first spin of each original), without the pairs those rows hold in both
    directions: a pair seen both ways is no fixed choice of one spinner."""
    from ..lexicon import seen_both_ways
    with open(path, encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh, delimiter="\t"), key=lambda r: -int(r["count"]))
    pairs = [(r["original"], r["spun"], tuple(a for a in r["also_acceptable"].split("|") if a))
             for r in rows if r["original"] != r["spun"] and keep(r)]
    swapped = seen_both_ways((o, s) for o, s, _ in pairs)
    return [p for p in pairs if (p[0].lower(), p[1].lower()) not in swapped]


def replay(text: str, pairs, rng: random.Random, doc_id: str, share: float = 1.0,
           share_of=None, kind_of=None) -> GoldDocument | None:
    """Spin `text` with real spinner choices: each occurrence of a pair's original is
    rewritten as that spinner did, with probability `share` (1: a real spinner applies its
    dictionary wherever it can; 0.7 and 0.9 calibrated less well), or `share_of(original)`.
    `kind_of(original, spun)` labels each gold edit (default "real-pair"). None if nothing
    matched."""
    by_original: dict[str, tuple] = {}
    for o, s, alt in pairs:         # one fixed spin per original: the first (commonest) pair
        by_original.setdefault(o.lower(), (s, alt))
    pattern = re.compile(r"\b(" + "|".join(re.escape(o) for o in sorted(by_original, key=len,
                                                                          reverse=True))
                         + r")\b", re.IGNORECASE)
    out, edits, pos, shift = [], [], 0, 0
    for m in pattern.finditer(text):
        original = m.group().lower()
        if rng.random() > (share if share_of is None else share_of(original)):
            continue
        spun, alternatives = by_original[original]
        if m.group()[:1].isupper():
            spun = spun[:1].upper() + spun[1:]
        out.append(text[pos:m.start()])
        start = m.start() + shift
        edits.append(GoldEdit(start, start + len(spun), m.start(), m.end(), spun, m.group(),
                              alternatives=tuple(a for a in alternatives if a != "="),
                              optional="=" in alternatives,
                              kind=kind_of(original, spun) if kind_of else "real-pair"))
        out.append(spun)
        shift += len(spun) - len(m.group())
        pos = m.end()
    if not edits:
        return None
    out.append(text[pos:])
    return GoldDocument(doc_id, text, "".join(out), tuple(edits))
