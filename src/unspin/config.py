"""The one frozen configuration of a detector."""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class DetectorConfig:
    """Everything that changes what a `Detector` reports. Immutable and picklable.

    threshold       report model edits whose calibrated confidence is at least this
    fingerprints    run the known-phrase pass (Problematic Paper Screener list + `lists`)
    model           run the thesaurus + language-model pass for unseen spun phrases
    lists           extra fingerprint lists (paths to TSV files in the PPS format)
    backend         "trigram" (embedded default) or "llm" (optional extra, rescoring)
    llm_path        a GGUF file for the llm backend; None means the packaged default
    spun_above      document score at or above which the verdict is "spun"
    clean_below     document score below which the verdict is "clean"
    """

    threshold: float = 0.7
    fingerprints: bool = True
    model: bool = True
    lists: tuple[str, ...] = field(default_factory=tuple)
    backend: str = "trigram"
    llm_path: str | None = None
    spun_above: float = 0.7
    clean_below: float = 0.3

    def __post_init__(self):
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {self.threshold}")
        if self.backend not in ("trigram", "llm"):
            raise ValueError(f"backend must be 'trigram' or 'llm', not {self.backend!r}")
        if not self.clean_below <= self.spun_above:
            raise ValueError("clean_below must not exceed spun_above")
        object.__setattr__(self, "lists", tuple(str(p) for p in self.lists))

    def with_(self, **changes) -> "DetectorConfig":
        return replace(self, **changes)
