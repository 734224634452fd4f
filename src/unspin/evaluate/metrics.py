"""Scores of a detector on gold documents: span, token and document level.

Span level (each gold span one unit, see align.py)
    restore_recall    restored gold spans / required gold spans
    change_precision  correct system edits / system edits
    missed, wrong     required spans left as they were / changed to something unacceptable
    false_changes     system edits that touch no required gold span and are not acceptable
Token level: a spun word is "flagged" by the gold if it lies in a required span and by the
system if it lies in an edit; optional spans are left out of both counts.
Document level: AUC of `Report.score` between spun and clean documents, and the threshold
that maximises TPR - FPR. Clean documents (no required span) also give false changes per
1,000 words.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from ..report import Edit, Report
from ..text import count_words, tokenize
from .align import CORRECT, FALSE, MISSED, RESTORED, WRONG, Alignment, align, select_edits
from .gold import GoldDocument


@dataclass(frozen=True)
class Judged:
    """One gold document with the detector's report on its spun text."""

    doc: GoldDocument
    report: Report


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Probability that a random spun document outscores a random clean one (ties count half)."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    if not pos or not neg:
        return None
    ordered = sorted(scores)
    rank, i = {}, 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j] == ordered[i]:
            j += 1
        rank[ordered[i]] = (i + j + 1) / 2          # average 1-based rank of the tie group
        i = j
    rank_sum = sum(rank[s] for s in pos)
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def best_threshold(scores: Sequence[float], labels: Sequence[bool]) -> dict | None:
    """The score threshold (verdict "spun" at or above it) maximising TPR - FPR (ties: the lowest)."""
    npos = sum(labels)
    nneg = len(labels) - npos
    if not npos or not nneg:
        return None
    best = None
    for t in sorted(set(scores)):
        tpr = sum(1 for s, y in zip(scores, labels) if y and s >= t) / npos
        fpr = sum(1 for s, y in zip(scores, labels) if not y and s >= t) / nneg
        if best is None or tpr - fpr > best["youden"]:
            best = {"threshold": t, "tpr": tpr, "fpr": fpr, "youden": tpr - fpr}
    return best


def _token_flags(doc: GoldDocument, edits: Sequence[Edit]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for t in tokenize(doc.spun):
        if not t.is_word:
            continue
        gold = [g for g in doc.edits if g.start < t.end and t.start < g.end]
        if any(g.optional for g in gold):
            continue
        in_gold = bool(gold)
        in_sys = any(e.start < t.end and t.start < e.end for e in edits)
        tp += in_gold and in_sys
        fp += in_sys and not in_gold
        fn += in_gold and not in_sys
    return tp, fp, fn


def span_scores(alignments: Sequence[Alignment]) -> dict:
    spans = [s for a in alignments for s in a.spans if not s.gold.optional]
    edits = [e for a in alignments for e in a.edits]
    counts = {k: sum(s.status == k for s in spans) for k in (RESTORED, MISSED, WRONG)}
    correct = sum(e.status == CORRECT for e in edits)
    return {
        "gold_spans": len(spans),
        "restored_correctly": counts[RESTORED],
        "missed": counts[MISSED],
        "wrong": counts[WRONG],
        "system_edits": len(edits),
        "correct_edits": correct,
        "false_changes": sum(e.status == FALSE for e in edits),
        "restore_recall": _ratio(counts[RESTORED], len(spans)),
        "change_precision": _ratio(correct, len(edits)),
    }


def evaluate(judged: Sequence[Judged], threshold: float = 0.0) -> dict:
    """Every figure of `unspin eval` for edits with confidence >= `threshold`."""
    alignments: list[Alignment] = []
    tp = fp = fn = 0
    clean_words = clean_false = 0
    for j in judged:
        edits = select_edits(j.report.edits, threshold)
        a = align(j.doc, edits)
        alignments.append(a)
        t = _token_flags(j.doc, edits)
        tp, fp, fn = tp + t[0], fp + t[1], fn + t[2]
        if not j.doc.is_spun:
            clean_words += count_words(j.doc.spun)
            clean_false += sum(e.status != CORRECT for e in a.edits)
    out = span_scores(alignments)
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    out["token"] = {"precision": p, "recall": r,
                    "f1": (2 * p * r / (p + r)) if p and r else (0.0 if p is not None and r is not None else None)}
    scores = [j.report.score for j in judged]
    labels = [j.doc.is_spun for j in judged]
    out["documents"] = {"spun": sum(labels), "clean": len(labels) - sum(labels),
                        "auc": roc_auc(scores, labels), "best_threshold": best_threshold(scores, labels)}
    out["clean"] = {"words": clean_words, "false_changes": clean_false,
                    "false_changes_per_1000_words": _ratio(1000 * clean_false, clean_words)}
    out["per_rule"] = _breakdown(alignments, lambda e: e.rule)
    out["per_source"] = _breakdown(alignments, lambda e: e.source)
    out["per_kind"] = _kinds(alignments)
    out["by_rate"] = _by_rate(judged, alignments)
    out["threshold"] = threshold
    return out


def _breakdown(alignments: Sequence[Alignment], key) -> dict:
    table: dict = defaultdict(lambda: {"edits": 0, "correct": 0, "false": 0})
    for a in alignments:
        for e in a.edits:
            row = table[key(e.edit)]
            row["edits"] += 1
            row["correct"] += e.status == CORRECT
            row["false"] += e.status == FALSE
    return {k: {**v, "precision": _ratio(v["correct"], v["edits"])} for k, v in sorted(table.items())}


def _kinds(alignments: Sequence[Alignment]) -> dict:
    table: dict = defaultdict(lambda: {"spans": 0, "restored": 0})
    for a in alignments:
        for s in a.spans:
            if not s.gold.optional:
                row = table[s.gold.kind or "unlabelled"]
                row["spans"] += 1
                row["restored"] += s.status == RESTORED
    return {k: {**v, "recall": _ratio(v["restored"], v["spans"])} for k, v in sorted(table.items())}


def _by_rate(judged: Sequence[Judged], alignments: Sequence[Alignment]) -> dict:
    groups: dict = defaultdict(list)
    for j, a in zip(judged, alignments):
        rate = j.doc.meta.get("rate")
        if rate:                                    # clean copies (rate 0) have nothing to restore
            groups[float(rate)].append(a)
    return {str(rate): span_scores(groups[rate]) for rate in sorted(groups)}


def threshold_sweep(judged: Sequence[Judged], thresholds: Sequence[float]) -> list[dict]:
    """Span precision/recall and clean false changes as the edit threshold moves."""
    rows = []
    for t in thresholds:
        alignments, clean_words, clean_false = [], 0, 0
        for j in judged:
            a = align(j.doc, select_edits(j.report.edits, t))
            alignments.append(a)
            if not j.doc.is_spun:
                clean_words += count_words(j.doc.spun)
                clean_false += sum(e.status != CORRECT for e in a.edits)
        s = span_scores(alignments)
        rows.append({"threshold": t, "restore_recall": s["restore_recall"],
                     "change_precision": s["change_precision"], "system_edits": s["system_edits"],
                     "false_changes_per_1000_words": _ratio(1000 * clean_false, clean_words)})
    return rows


def _changing(edits: Sequence[Edit]) -> list[Edit]:
    """Every edit that changes something, overlapping alternatives included."""
    return [e for e in edits if e.replacements and e.replacements[0] != e.text]


def calibration(judged: Sequence[Judged], bins: int = 10) -> list[dict]:
    """Mean confidence vs the share of edits that were right, per confidence bin.

    Each edit is judged on its own (as if it were the only one applied), so alternatives a
    threshold-0 run offers for one span are each calibrated."""
    rows = [{"low": i / bins, "high": (i + 1) / bins, "edits": 0, "correct": 0, "confidence": 0.0}
            for i in range(bins)]
    for j in judged:
        for e in (o for edit in _changing(j.report.edits) for o in align(j.doc, [edit]).edits):
            row = rows[min(bins - 1, int(e.edit.confidence * bins))]
            row["edits"] += 1
            row["correct"] += e.status == CORRECT
            row["confidence"] += e.edit.confidence
    for row in rows:
        n = row["edits"]
        row["confidence"] = row["confidence"] / n if n else None
        row["accuracy"] = row["correct"] / n if n else None
    return rows
