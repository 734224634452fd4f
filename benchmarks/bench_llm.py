#!/usr/bin/env python3
"""The llm backend side by side with the default (trigram) backend, in one run.

Accuracy: restoration recall and change precision at the default threshold on the synthetic
benchmark's spun news (benchmarks/data/news_clean.txt spun at 10 % and 25 %, plus the clean
paragraphs), on eval-half Wikipedia summaries spun the same way (the calibrations are fitted
on the train half only), on the real-spinner development pairs in context
(benchmarks/data/dev_pair_sentences.tsv) and on unseen PPS tortured phrases (the model alone);
and the llm backend's recall at the default backend's precision. Speed: words/s over the
25 %-spun news and over the same paragraphs clean, on one core and on all cores, each in a
fresh child process (pinned with sched_setaffinity; the first document is a warm-up), with the
share of words and proposals that reach the LLM, the profile of where the time goes and the
peak resident memory.

    python benchmarks/bench_llm.py [--wiki 30] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import accuracy  # noqa: E402
from unspin import Detector  # noqa: E402
from unspin.config import DetectorConfig  # noqa: E402
from unspin.evaluate.metrics import evaluate, threshold_sweep  # noqa: E402
from unspin.evaluate.runner import judge  # noqa: E402
from unspin.text import count_words  # noqa: E402

BACKENDS = ("trigram", "llm")


def summary(judged, threshold: float) -> dict:
    r = evaluate(judged, threshold)
    out = {k: r[k] for k in ("restore_recall", "change_precision", "gold_spans",
                             "restored_correctly", "system_edits", "false_changes")}
    out["false_changes_per_1000_clean_words"] = r["clean"]["false_changes_per_1000_words"]
    out["document_auc"] = r["documents"]["auc"]
    return out


def accuracy_figures(backend: str, n_wiki: int) -> tuple[dict, dict]:
    """Synthetic news and eval-half wiki (spun at 10 % and 25 %, and clean), and dev pairs;
    and the judged synthetic sets (for the comparison at matched precision)."""
    config = DetectorConfig(backend=backend)
    judged = {name: judge(docs, config, show_progress=False)
              for name, docs in accuracy.synthetic_corpus(n_wiki).items()}
    figures = {name: summary(j, config.threshold) for name, j in judged.items()}
    dev = accuracy.dev_pairs(config)
    figures["dev_pairs"] = {k: dev[k] for k in (
        "pairs", "restore_recall", "change_precision", "restored_in_context", "false_changes")}
    pps = accuracy.pps_unseen(config)      # the model alone: no fingerprint pass
    figures["unseen_pps"] = {k: pps[k] for k in (
        "phrases", "restored", "share_restored", "change_precision")}
    return figures, judged


MATCH_THRESHOLDS = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))    # 0.30 ... 0.95


def at_matched_precision(default: dict, judged) -> dict:
    """The llm backend's best recall at a threshold where its precision is at least the
    default backend's at the default threshold: the issue's "recall at equal or better
    precision" (the two backends' confidences are calibrated separately, so one threshold
    does not mean one precision)."""
    best = {"threshold": None, "restore_recall": None, "change_precision": None,
            "false_changes_per_1000_clean_words": None}
    if default["change_precision"] is None:     # the default backend changed nothing
        return best
    for row in threshold_sweep(judged, MATCH_THRESHOLDS):
        if (row["change_precision"] or 0.0) >= default["change_precision"] and (
                best["restore_recall"] is None or row["restore_recall"] > best["restore_recall"]):
            best = {"threshold": row["threshold"], "restore_recall": row["restore_recall"],
                    "change_precision": row["change_precision"],
                    "false_changes_per_1000_clean_words": row["false_changes_per_1000_words"]}
    return best


TEXT_SETS = {"25 %-spun news": "@0.25", "clean news": "@clean"}


def speed_texts(suffix: str) -> list[str]:
    """The 40 news paragraphs spun at 25 % (dense: the LLM's worst case) or left clean (most
    of a web corpus: little reaches the LLM)."""
    return [d.spun for d in accuracy.synthetic_corpus(n_wiki=0)["news"] if d.id.endswith(suffix)]


def rss_mb(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process, in MB."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith(field))


def speed_child(backend: str, cores: int, texts_path: str) -> dict:
    """Run in a fresh process: words/s, LLM share and profile, memory of the detector."""
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    texts = json.loads(Path(texts_path).read_text(encoding="utf-8"))
    base = rss_mb("VmRSS:")
    det = Detector(DetectorConfig(backend=backend))
    t0 = time.perf_counter()
    det.check(texts[0])                 # loads every resource
    load = time.perf_counter() - t0
    out = {"backend": backend, "cores": cores, "load_s": round(load, 2)}
    if backend == "llm":
        from unspin.llm import STATS, load_model
        lm = load_model()
        out["threads"] = lm.threads
        before = dict(STATS.as_dict()), lm.timings.as_dict()
    words = sum(count_words(t) for t in texts[1:])
    t0 = time.perf_counter()
    for t in texts[1:]:
        det.check(t)
    seconds = time.perf_counter() - t0
    out.update(words=words, seconds=round(seconds, 2), words_per_s=round(words / seconds))
    if backend == "llm":
        s, tm = STATS.as_dict(), lm.timings.as_dict()
        d = {k: s[k] - before[0][k] for k in s}
        t = {k: tm[k] - before[1][k] for k in tm}
        out["llm"] = {
            "share_of_words_in_windows": round(d["window_words"] / max(d["words"], 1), 3),
            "proposals_judged": f'{d["judged"]} of {d["proposals"]}',
            "rescore_s": round(d["seconds"], 2),
            "llm_decode_s": round(t["decode_s"], 2), "logsoftmax_s": round(t["softmax_s"], 2),
            "tokenize_s": round(t["tokenize_s"], 2), "decode_calls": t["calls"],
            "tokens_decoded": t["tokens"], "logit_rows": t["outputs"],
            "trigram_and_rest_s": round(seconds - d["seconds"], 2)}
    out["rss_mb"] = rss_mb("VmRSS:")
    out["peak_rss_mb"] = rss_mb("VmHWM:")
    out["python_baseline_mb"] = base
    return out


def speed(backend: str, cores: int, texts_path: Path) -> dict:
    run = subprocess.run([sys.executable, __file__, "--speed-child", backend, str(cores),
                          str(texts_path)],
                         capture_output=True, text=True, env={**os.environ, "UNSPIN_LLM_THREADS": ""})
    if run.returncode != 0:
        return {"backend": backend, "cores": cores, "error": run.stderr.strip().splitlines()[-1:]}
    return json.loads(run.stdout.strip().splitlines()[-1])


def fmt(x) -> str:
    return "–" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wiki", type=int, default=30,
                    help="eval-half wiki summaries to spin (and as many clean; default 30)")
    ap.add_argument("--json", help="also write the raw figures here")
    ap.add_argument("--speed-only", action="store_true", help="skip the accuracy figures")
    ap.add_argument("--speed-child", nargs=3, metavar=("BACKEND", "CORES", "TEXTS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.speed_child:
        b, c, path = args.speed_child
        print(json.dumps(speed_child(b, int(c), path)))
        return 0
    cores = len(os.sched_getaffinity(0))
    figures = {"accuracy": {}, "speed": []}
    judged = {}
    for b in BACKENDS if not args.speed_only else ():
        t0 = time.time()
        figures["accuracy"][b], judged[b] = accuracy_figures(b, args.wiki)
        print(f"accuracy {b}: {time.time() - t0:.0f} s", file=sys.stderr)
    if judged:
        figures["matched"] = {s: at_matched_precision(figures["accuracy"]["trigram"][s], j)
                              for s, j in judged["llm"].items()}
    with tempfile.TemporaryDirectory() as tmp:
        for name, suffix in TEXT_SETS.items():
            texts_path = Path(tmp) / "texts.json"
            texts_path.write_text(json.dumps(speed_texts(suffix)), encoding="utf-8")
            for b in BACKENDS:
                for c in sorted({1, cores}):
                    figures["speed"].append({"text": name, **speed(b, c, texts_path)})
    acc = figures["accuracy"]
    if acc:
        print("| set | figure | " + " | ".join(BACKENDS) + " |")
        print("|---|---|" + "---|" * len(BACKENDS))
        for s in acc["trigram"]:
            for k in acc["trigram"][s]:
                print(f"| {s} | {k} | " + " | ".join(fmt(acc[b][s][k]) for b in BACKENDS) + " |")
        print()
        print("llm at the default backend's precision (its best recall at a threshold whose "
              "precision is at least the default backend's at the default threshold):")
        print()
        print("| set | default R / P | llm threshold | llm R / P | recall gain | "
              "llm false changes per 1,000 clean words |")
        print("|---|---|---|---|---|---|")
        for s, m in figures["matched"].items():
            d = acc["trigram"][s]
            gain = (None if m["restore_recall"] is None
                    else f"{100 * (m['restore_recall'] - d['restore_recall']):+.1f} points")
            print(f"| {s} | {fmt(d['restore_recall'])} / {fmt(d['change_precision'])} | "
                  f"{fmt(m['threshold'])} | {fmt(m['restore_recall'])} / "
                  f"{fmt(m['change_precision'])} | {fmt(gain)} | "
                  f"{fmt(m['false_changes_per_1000_clean_words'])} |")
        print()
    print("| text | backend | cores | words/s | RSS MB (peak) | load s | LLM detail |")
    print("|---|---|---|---|---|---|---|")
    for r in figures["speed"]:
        if "error" in r:
            print(f"| {r['text']} | {r['backend']} | {r['cores']} | error: {r['error']} | | | |")
            continue
        detail = ", ".join(f"{k} {v}" for k, v in r.get("llm", {}).items())
        print(f"| {r['text']} | {r['backend']} | {r['cores']} | {r['words_per_s']:,} | "
              f"{r['rss_mb']} ({r['peak_rss_mb']}) | {r['load_s']} | {detail} |")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
