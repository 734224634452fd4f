"""datatrove: `UnspinFilter`, a pipeline filter that scores each document and drops spun ones.

    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from unspin.batch.datatrove import UnspinFilter
    pipeline = [JsonlReader("corpus/"),
                UnspinFilter(exclusion_writer=JsonlWriter("spun/")),
                JsonlWriter("kept/")]
"""
from __future__ import annotations

try:
    from datatrove.pipeline.filters.base_filter import BaseFilter
except ImportError as exc:          # pragma: no cover - depends on the install
    raise ImportError("unspin.batch.datatrove needs datatrove: pip install 'unspin[datatrove]'") from exc

from ..api import Detector
from ..config import DetectorConfig
from .fields import SCORE, VERDICT, FieldOptions, result_fields


class UnspinFilter(BaseFilter):
    """Keeps documents that do not look machine-spun; writes why into `doc.metadata`.

    Every document gets unspin_score, unspin_verdict, unspin_words and unspin_edit_count in its
    metadata (and unspin_edits / unspin_restored on request). A document is dropped, with the
    reason "unspin_spun", when its verdict is "spun", or, with `drop_above=P`, when its score
    is above P. Dropped documents go to `exclusion_writer` if one is given.
    """

    name = "🌀 unspin"

    def __init__(self, config: DetectorConfig | None = None, drop_above: float | None = None,
                 edits: bool = False, restore: bool = False, exclusion_writer=None,
                 batch_size: int = 64):
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        self.detector = Detector(config)
        self.drop_above = drop_above
        self.options = FieldOptions(edits=edits, restore=restore)

    def filter(self, doc) -> bool | tuple[bool, str]:
        fields = result_fields(self.detector.check(doc.text), self.options)
        doc.metadata.update(fields)
        spun = (fields[SCORE] > self.drop_above if self.drop_above is not None
                else fields[VERDICT] == "spun")
        return (False, "unspin_spun") if spun else True

    def filter_batch(self, batch) -> list[bool | tuple[bool, str]]:
        return [self.filter(doc) for doc in batch]
