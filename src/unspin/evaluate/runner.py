"""Running a detector over gold documents, once, and computing every figure from that run.

The detector runs with threshold 0 so that the precision–recall curve can be drawn by
filtering edits by confidence afterwards, instead of re-running it per threshold.
"""
from __future__ import annotations

import sys
from typing import Sequence

from ..api import Detector
from ..config import DetectorConfig
from ..inputs import InputError
from .gold import GoldDocument
from .metrics import Judged, calibration, evaluate, threshold_sweep

SWEEP = tuple(round(0.05 * i, 2) for i in range(20))


def progress(items: Sequence, label: str, enabled: bool = True):
    """Iterate with a progress bar on stderr (only when it is a terminal and asked for)."""
    if not enabled or not sys.stderr.isatty() or len(items) < 5:
        yield from items
        return
    from rich.progress import Progress
    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=len(items))
        for item in items:
            yield item
            bar.advance(task)


def judge(docs: Sequence[GoldDocument], config: DetectorConfig | None = None,
          show_progress: bool = True) -> list[Judged]:
    """Check every document's spun text once, keeping all edits (threshold 0)."""
    detector = Detector((config or DetectorConfig()).with_(threshold=0.0))
    out = []
    try:
        for doc in progress(docs, "checking", show_progress):
            out.append(Judged(doc, detector.check(doc.spun)))
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("unspin"):
            raise InputError(f"this install lacks {exc.name}; evaluate without it "
                             "(e.g. --no-model for the known-phrase pass alone)") from None
        raise
    except FileNotFoundError as exc:      # a compiled resource of the model pass is missing
        raise InputError(f"the detector cannot run: {exc}; or evaluate with --no-model") from None
    return out


def results(judged: Sequence[Judged], threshold: float) -> dict:
    """The figures at `threshold`, plus the threshold sweep and the calibration table."""
    out = evaluate(judged, threshold)
    out["sweep"] = threshold_sweep(judged, SWEEP)
    out["calibration"] = calibration(judged)
    out["scores"] = [{"id": j.doc.id, "score": j.report.score, "spun": j.doc.is_spun,
                      "rate": j.doc.meta.get("rate")} for j in judged]
    return out
