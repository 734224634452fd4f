"""Aligning a detector's edits to gold spans, with each gold span one unit.

Gold spans and system edits that overlap form a component. Inside a component, the system's
output is aligned to a sequence of units — every gold span, and every untouched word between
them — by a segmental edit distance: each unit takes a contiguous (possibly empty) run of
output tokens and costs the token edit distance to its nearest acceptable wording. So one
system replacement spanning two gold spans can restore both, a partially right multi-word
replacement leaves its span "wrong" (never half right), and an optional span ("=") may stay.
Comparison is on normalised tokens (case, apostrophes and spacing do not matter).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..report import Edit
from ..text import tokenize
from .gold import GoldDocument, GoldEdit

#: gold span outcomes
RESTORED, MISSED, WRONG, KEPT = "restored", "missed", "wrong", "kept"
#: system edit outcomes
CORRECT, WRONG_EDIT, FALSE = "correct", "wrong", "false"


@dataclass(frozen=True)
class SpanOutcome:
    gold: GoldEdit
    status: str          # restored | missed | wrong | kept (an optional span left as it was)
    output: str          # what the system's text has there, normalised


@dataclass(frozen=True)
class EditOutcome:
    edit: Edit
    status: str          # correct | wrong (touches a gold span, not right) | false (no gold span)


@dataclass(frozen=True)
class Alignment:
    spans: tuple[SpanOutcome, ...]
    edits: tuple[EditOutcome, ...]


def select_edits(edits: Sequence[Edit], threshold: float = 0.0) -> list[Edit]:
    """The edits a reader would apply at `threshold`: confident enough, changing something,
    and where two overlap (a detector run at threshold 0 may offer alternatives for one
    span), the more confident one; in text order."""
    kept: list[Edit] = []
    ranked = sorted((e for e in edits if e.confidence >= threshold and e.replacements
                     and e.replacements[0] != e.text), key=lambda e: (-e.confidence, e.start))
    for e in ranked:
        if not any(k.start < e.end and e.start < k.end for k in kept):
            kept.append(e)
    return sorted(kept, key=lambda e: e.start)


def _norms(s: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(s))


def restores(edit: Edit, gold: GoldEdit) -> bool:
    """Whether one edit writes what the original has where it stands inside a gold span: the
    span's acceptable wording when it covers the span, else, when the span and a wording
    have as many words, that wording's words under the edit ("corrosive" -> "acid" inside
    "ascorbic corrosive" -> "ascorbic acid"). A label for one edit; `align` judges a page."""
    wanted = _norms(edit.replacements[0]) if edit.replacements else None
    if (edit.start, edit.end) == (gold.start, gold.end):
        return wanted in {_norms(a) for a in gold.acceptable}
    if not (gold.start <= edit.start and edit.end <= gold.end) or wanted is None:
        return False
    tokens = tokenize(gold.text)
    a, b = edit.start - gold.start, edit.end - gold.start
    under = [i for i, t in enumerate(tokens) if a <= t.start and t.end <= b]
    if not under or any(t.start < b and a < t.end for i, t in enumerate(tokens) if i not in under):
        return False
    return any(len(w) == len(tokens) and w[under[0]:under[-1] + 1] == wanted
               for w in map(_norms, gold.acceptable))


def _distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


@dataclass
class _Unit:
    start: int
    end: int
    choices: tuple[tuple[str, ...], ...]     # acceptable token sequences
    gold: GoldEdit | None = None
    output: tuple[str, ...] = ()


def _segment(units: list[_Unit], out: list[str]) -> None:
    """Give each unit its run of output tokens, minimising the total edit distance."""
    n, m = len(units), len(out)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0
    for i, u in enumerate(units, 1):
        longest = max(len(c) for c in u.choices) + 3
        for j in range(m + 1):
            for k in range(max(0, j - longest), j + 1):
                if cost[i - 1][k] == inf:
                    continue
                seg = tuple(out[k:j])
                c = cost[i - 1][k] + min(_distance(seg, ch) for ch in u.choices)
                if c < cost[i][j]:
                    cost[i][j], back[i][j] = c, k
    j = m
    for i in range(n, 0, -1):
        k = back[i][j]
        units[i - 1].output = tuple(out[k:j])
        j = k


def _components(gold: Sequence[GoldEdit], edits: Sequence[Edit]):
    items = sorted([(g.start, g.end, 0, g) for g in gold] + [(e.start, e.end, 1, e) for e in edits],
                   key=lambda x: (x[0], x[1]))
    comps, cur, cur_end = [], [], -1
    for s, e, kind, obj in items:
        if cur and s < cur_end:
            cur.append((kind, obj))
            cur_end = max(cur_end, e)
        else:
            if cur:
                comps.append(cur)
            cur, cur_end = [(kind, obj)], e
    if cur:
        comps.append(cur)
    return comps


def align(doc: GoldDocument, edits: Sequence[Edit]) -> Alignment:
    """Judge every gold span and every system edit of one document (overlaps resolved)."""
    text = doc.spun
    edits = select_edits(edits)
    spans: list[SpanOutcome] = []
    judged: list[EditOutcome] = []
    for comp in _components(doc.edits, edits):
        golds = [o for k, o in comp if k == 0]
        sys_edits = [o for k, o in comp if k == 1]
        if not sys_edits:
            spans += [SpanOutcome(g, KEPT if g.optional else MISSED, " ".join(_norms(g.text)))
                      for g in golds]
            continue
        if not golds:
            judged += [EditOutcome(e, FALSE) for e in sys_edits]
            continue
        lo = min(min(g.start for g in golds), min(e.start for e in sys_edits))
        hi = max(max(g.end for g in golds), max(e.end for e in sys_edits))
        units = [_Unit(g.start, g.end, tuple(dict.fromkeys(_norms(a) for a in g.acceptable)), g)
                 for g in golds]
        for t in tokenize(text[lo:hi]):
            a, b = t.start + lo, t.end + lo
            if not any(g.start < b and a < g.end for g in golds):
                units.append(_Unit(a, b, ((t.norm,),)))
        units.sort(key=lambda u: u.start)
        pieces, pos = [], lo
        for e in sorted(sys_edits, key=lambda e: e.start):
            pieces += [text[pos:e.start], " ", e.replacements[0], " "]
            pos = e.end
        pieces.append(text[pos:hi])
        _segment(units, [t.norm for t in tokenize("".join(pieces))])
        fine = {}
        for u in units:
            ok = u.output in u.choices
            if u.gold is not None:
                g = u.gold
                unchanged = u.output == _norms(g.text)
                status = (KEPT if ok and unchanged else RESTORED if ok else
                          MISSED if unchanged else WRONG)
                spans.append(SpanOutcome(g, status, " ".join(u.output)))
            fine[id(u)] = ok
        for e in sys_edits:
            touched = [u for u in units if u.start < e.end and e.start < u.end]
            required = any(u.gold is not None and not u.gold.optional for u in touched)
            good = all(fine[id(u)] for u in touched)
            judged.append(EditOutcome(e, CORRECT if good else WRONG_EDIT if required else FALSE))
    spans.sort(key=lambda s: s.gold.start)
    judged.sort(key=lambda j: j.edit.start)
    return Alignment(tuple(spans), tuple(judged))
