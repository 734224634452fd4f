"""Human-readable renderings of evaluation results: a terminal summary and a markdown report."""
from __future__ import annotations

import os


def fmt(x, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def summary_lines(r: dict) -> list[str]:
    d, c, t = r["documents"], r["clean"], r["token"]
    best = d["best_threshold"]
    lines = [
        f"edits at confidence >= {r['threshold']:.2f}",
        f"gold spans {r['gold_spans']}: restored {r['restored_correctly']}, missed {r['missed']}, "
        f"wrong {r['wrong']}",
        f"system edits {r['system_edits']}: correct {r['correct_edits']}, "
        f"false changes {r['false_changes']}",
        f"restoration recall {fmt(r['restore_recall'])}   change precision {fmt(r['change_precision'])}",
        f"token detection P {fmt(t['precision'])}  R {fmt(t['recall'])}  F1 {fmt(t['f1'])}",
        f"documents: {d['spun']} spun, {d['clean']} clean; AUC {fmt(d['auc'])}"
        + (f"; best score threshold {best['threshold']:.3f} (TPR {best['tpr']:.2f}, "
           f"FPR {best['fpr']:.2f})" if best else ""),
        f"clean text: {c['false_changes']} false changes in {c['words']} words "
        f"({fmt(c['false_changes_per_1000_words'], 2)} per 1,000)",
    ]
    for key, label in (("per_rule", "by rule"), ("per_source", "by source")):
        if r[key]:
            lines.append(f"{label}: " + "; ".join(
                f"{k} {v['edits']} edits, precision {fmt(v['precision'], 2)}" for k, v in r[key].items()))
    return lines


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return out


def markdown_report(r: dict, title: str = "unspin evaluation", plots: list[str] | None = None,
                    relative_to: str | None = None) -> str:
    lines = [f"# {title}", "", *[f"- {s}" for s in summary_lines(r)], ""]
    lines += ["## Span level", ""]
    lines += _table(["gold spans", "restored", "missed", "wrong", "system edits", "correct",
                     "false changes", "restoration recall", "change precision"],
                    [[r["gold_spans"], r["restored_correctly"], r["missed"], r["wrong"],
                      r["system_edits"], r["correct_edits"], r["false_changes"],
                      r["restore_recall"], r["change_precision"]]])
    if r["by_rate"]:
        lines += ["", "## By spin rate", ""]
        lines += _table(["rate", "gold spans", "restored", "recall", "edits", "precision"],
                        [[k, v["gold_spans"], v["restored_correctly"], v["restore_recall"],
                          v["system_edits"], v["change_precision"]] for k, v in r["by_rate"].items()])
    for key, label in (("per_rule", "rule"), ("per_source", "source")):
        if r[key]:
            lines += ["", f"## Edits per {label}", ""]
            lines += _table([label, "edits", "correct", "false", "precision"],
                            [[k, v["edits"], v["correct"], v["false"], v["precision"]]
                             for k, v in r[key].items()])
    if r["per_kind"]:
        lines += ["", "## Gold spans per kind of spin", ""]
        lines += _table(["kind", "spans", "restored", "recall"],
                        [[k, v["spans"], v["restored"], v["recall"]] for k, v in r["per_kind"].items()])
    lines += ["", "## Threshold sweep", ""]
    lines += _table(["threshold", "restoration recall", "change precision", "edits",
                     "false changes / 1,000 clean words"],
                    [[s["threshold"], s["restore_recall"], s["change_precision"], s["system_edits"],
                      s["false_changes_per_1000_words"]] for s in r["sweep"]])
    if plots:
        lines += ["", "## Figures", ""]
        for p in plots:
            rel = os.path.relpath(p, relative_to) if relative_to else p
            lines.append(f"![{os.path.basename(p)[:-4]}]({rel})")
    return "\n".join(lines) + "\n"
