"""NeMo Curator: `UnspinDocumentFilter`, a `DocumentFilter` for `ScoreFilter`.

    from nemo_curator.stages.text.filters import ScoreFilter
    from unspin.batch.nemo import UnspinDocumentFilter
    stage = ScoreFilter(UnspinDocumentFilter(), text_field="text", score_field="unspin_score")

`score_document` returns the spin score; `keep_document` drops a document judged spun (score
at or above the config's `spun_above`) or, with `drop_above=P`, one whose score is above P.
Without NeMo Curator installed the class still works on its own, with the same two methods.
"""
from __future__ import annotations

from ..api import Detector
from ..config import DetectorConfig

try:                                # NeMo Curator 1.x, then 0.x
    from nemo_curator.stages.text.filters.doc_filter import DocumentFilter
except ImportError:                 # pragma: no cover - depends on the install
    try:
        from nemo_curator.filters.doc_filter import DocumentFilter
    except ImportError:
        class DocumentFilter:       # the documented interface, so the filter runs without NeMo
            def __init__(self):
                self._name = type(self).__name__

            @property
            def name(self) -> str:
                return self._name


class UnspinDocumentFilter(DocumentFilter):
    """Scores a document by how likely it is machine-spun; keeps the ones that are not."""

    def __init__(self, config: DetectorConfig | None = None, drop_above: float | None = None):
        super().__init__()
        self._name = "unspin"
        self.detector = Detector(config)
        self.drop_above = drop_above

    def score_document(self, text: str) -> float:
        return round(self.detector.check(text).score, 4)

    def keep_document(self, score: float) -> bool:
        if self.drop_above is None:
            return score < self.detector.config.spun_above
        return score <= self.drop_above
