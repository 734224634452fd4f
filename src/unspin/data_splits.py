"""Fixed splits of the shared data, so evaluation figures are not tuned on what they measure."""
from __future__ import annotations

import zlib


def pps_is_heldout(query: str) -> bool:
    """One PPS fingerprint in five is held out of every thesaurus, rule and tuning step.

    The unseen-PPS benchmark restores exactly these with the model alone.
    """
    return zlib.crc32(query.strip().encode("utf-8")) % 5 == 0


def dev_pair_is_heldout(spun: str) -> bool:
    """Half of the real spinner development pairs is kept out of calibration (the other half
    teaches it how real spinners rewrite), so the dev-pair figures can be read on unseen pairs."""
    return zlib.crc32(spun.strip().encode("utf-8")) % 2 == 0


def dev_pair_half(spun: str) -> str:
    """"heldout", or which quarter of the calibration half ("calibration-a"/"-b") a pair is in:
    calibration hides each quarter from the lexicon while it learns from the other's pages, so
    that it learns to judge pairs it has not seen (as on real text), not only to trust the
    lexicon."""
    if dev_pair_is_heldout(spun):
        return "heldout"
    return "calibration-a" if zlib.crc32(spun.strip().encode("utf-8")) % 4 == 1 else "calibration-b"
