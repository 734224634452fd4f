"""The live progress bar of a scan: documents, words/s and an ETA from the bytes read."""
from __future__ import annotations

import sys
import time

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn


class ScanProgress:
    """A rich progress bar over input bytes, showing documents and words per second.

    Disabled (silent) when standard error is not a terminal, unless `enabled` forces it.
    """

    def __init__(self, total_bytes: int, enabled: bool | None = None):
        if enabled is None:
            enabled = sys.stderr.isatty()
        self.started = time.perf_counter()
        self.documents = self.words = 0
        self._progress = Progress(
            TextColumn("[bold]scanning"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[docs]:,} docs"), TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(), disable=not enabled)
        self._task = self._progress.add_task("scan", total=max(total_bytes, 1), docs=0, rate="")

    def __enter__(self) -> "ScanProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def skip(self, consumed: int) -> None:
        """Input already scanned by an earlier run: moves the bar, not the rates."""
        self._progress.advance(self._task, consumed)

    def advance(self, consumed: int, documents: int, words: int) -> None:
        self.documents += documents
        self.words += words
        rate = self.words / max(time.perf_counter() - self.started, 1e-9)
        self._progress.update(self._task, advance=consumed, docs=self.documents,
                              rate=f"{rate:,.0f} words/s")
