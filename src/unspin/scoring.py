"""The document score: a calibrated probability that a document was machine-spun.

Spun pages carry many confident swaps and catalogued tortured phrases; clean ones a few weak
proposals at most. The score is a logistic model over those densities, fitted with the edit
model (scripts/fit_calibration.py).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .calibrate import fitted_coefficients

DOC_FEATURES = ("bias", "log_strong_rate", "log_proposal_rate", "mean_top_confidence",
                "log_known_rate", "log_expected_rate")
_DEFAULT = {"bias": 6.0, "log_strong_rate": 1.5}


@lru_cache(maxsize=1)
def coefficients() -> np.ndarray:
    return fitted_coefficients("calibration.json", "document", DOC_FEATURES, _DEFAULT)


def document_features(evidence, known: list, words: int) -> np.ndarray:
    confidences = sorted((c for _, c in evidence.proposals), reverse=True) if evidence else []
    n_words = max(words, 1)
    strong = sum(1 for c in confidences if c >= 0.5)
    top = confidences[:10]
    return np.array([
        1.0,
        math.log((strong + 0.5) / (n_words + 20.0)),
        math.log((len(confidences) + 0.5) / (n_words + 20.0)),
        sum(top) / 10.0,
        math.log((len(known) + 0.1) / (n_words + 20.0)),
        math.log((sum(confidences) + 0.1) / (n_words + 20.0)),   # expected rewrites per word
    ])


def document_score(evidence, known: list, words: int) -> float:
    if words == 0:
        return 0.0
    z = float(document_features(evidence, known, words) @ coefficients())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def verdict(score: float, config) -> str:
    if score >= config.spun_above:
        return "spun"
    if score < config.clean_below:
        return "clean"
    return "uncertain"
