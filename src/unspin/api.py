"""The public face: `check`, `restore` and `Detector`.

A Detector is its frozen config and nothing else: resources (fingerprint index, thesaurus,
language model) are loaded lazily, once per process, and shared by every detector there, so a
detector pickles to a few bytes and is cheap to ship to workers.
"""
from __future__ import annotations

from typing import Iterable

from . import resources
from .config import DetectorConfig
from .report import Edit, Report
from .text import tokenize


class Detector:
    def __init__(self, config: DetectorConfig | None = None, **overrides):
        config = config or DetectorConfig()
        self.config = config.with_(**overrides) if overrides else config

    def __getstate__(self):
        return {"config": self.config}

    def __setstate__(self, state):
        self.config = state["config"]

    def __repr__(self) -> str:
        return f"Detector({self.config!r})"

    def check(self, text: str) -> Report:
        """Flag every spun or tortured phrase of `text`, with proposed originals."""
        if not isinstance(text, str):
            raise TypeError(f"check() takes a str, not {type(text).__name__}")
        cfg = self.config
        tokens = tokenize(text)
        known: list[Edit] = []
        if cfg.fingerprints:
            known = resources.fingerprint_index(cfg.lists).find(text)
        model: list[Edit] = []
        evidence = None
        if cfg.model and tokens:
            from .decode import find_spun_edits
            model, evidence = find_spun_edits(text, tokens, cfg)
        edits = merge_edits(known, model)
        from .scoring import document_score, verdict
        words = sum(1 for t in tokens if t.is_word)
        score = document_score(evidence, known, words)
        return Report(text=text, score=score, verdict=verdict(score, cfg), words=words,
                      edits=tuple(edits))

    def restore(self, text: str) -> str:
        return self.check(text).restored

    def check_many(self, texts: Iterable[str]) -> list[Report]:
        return [self.check(t) for t in texts]


def merge_edits(first: list[Edit], second: list[Edit]) -> list[Edit]:
    """Edits of `first` win; an edit of `second` overlapping one of them is dropped."""
    taken = sorted((e.start, e.end) for e in first)
    merged = list(first)
    for e in second:
        if not any(s < e.end and e.start < t for s, t in taken):
            merged.append(e)
    return sorted(merged, key=lambda e: e.start)


_default: Detector | None = None


def _default_detector() -> Detector:
    global _default
    if _default is None:
        _default = Detector()
    return _default


def check(text: str, config: DetectorConfig | None = None) -> Report:
    return (Detector(config) if config else _default_detector()).check(text)


def restore(text: str, config: DetectorConfig | None = None) -> str:
    return check(text, config).restored
