"""Calibrated confidences: a small logistic model over each proposed edit's features.

The coefficients are fitted by scripts/fit_calibration.py on spun text made from the training
half of the clean corpus (never the benchmark half) and stored in data/calibration.json; the
defaults below are used only when that file is absent.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib.resources import files

import numpy as np

from .candidates import ORIGIN_NAMES, SOURCE_BITS

FEATURES = (
    "bias", "marginal_gain", "local_gain", "log_prior", "observed_words", "original_words",
    "observed_logfreq", "commoner_by", "log_edit_rate", "observed_seen_bigrams",
    "original_seen_bigrams", "observed_pmi", "original_pmi", "n_sources", "channel",
) + tuple(f"source_{name}" for name in SOURCE_BITS) + tuple(f"origin_{name}" for name in ORIGIN_NAMES)

_DEFAULT = {"bias": -3.2, "marginal_gain": 0.8}


@lru_cache(maxsize=1)
def coefficients() -> np.ndarray:
    path = files("unspin") / "data" / "calibration.json"
    try:
        fitted = json.loads(path.read_text(encoding="utf-8"))["edit"]
    except (FileNotFoundError, KeyError):
        fitted = _DEFAULT
    return np.array([fitted.get(name, 0.0) for name in FEATURES])


def edit_features(lat, lm, i: int, marginal: float, n_proposed: int, lm_words: int) -> np.ndarray:
    """Why this edit may be right: how much the model prefers it, how odd the written words
    are next to their neighbours (spinners make unseen bigrams), which sources list the pair."""
    g, k, m = int(lat.g[i]), int(lat.k[i]), int(lat.m[i])
    left, right = lat.ids[g - 1], lat.ids[min(g + k, len(lat.ids) - 1)]
    obs_first, obs_last = lat.ids[g], lat.ids[g + k - 1]
    org_first, org_last = lat.orig[i, 0], lat.orig[i, m - 1]
    a = np.array([left, obs_last, left, org_last], np.int32)
    b = np.array([obs_first, right, org_first, right], np.int32)
    seen = lm.has_bigram(a, b)
    pmi = lm.logprob2(a, b) - lm.logprob1(b)
    uni = lm.logprob1(np.array([obs_first, org_first], np.int32))
    mask = int(lat.sources[i])
    bits = [float(bool(mask & bit)) for bit in SOURCE_BITS.values()]
    origin = np.zeros(len(ORIGIN_NAMES))
    origin[int(lat.origin[i])] = 1.0
    return np.concatenate([[
        1.0,
        marginal,
        float(lat.gain[i]),
        math.log(float(lat.prior[i]) + 1e-3),
        float(k),
        float(m),
        float(uni[0]),
        float(uni[1] - uni[0]),       # how much commoner the original is than the written word
        math.log((n_proposed + 0.5) / (lm_words + 10.0)),
        float(seen[0] + seen[1]),
        float(seen[2] + seen[3]),
        float(pmi[0] + pmi[1]) / 2,
        float(pmi[2] + pmi[3]) / 2,
        float(sum(bits)),
        float(lat.channel[i]),
    ], bits, origin])


def edit_confidence(features: np.ndarray) -> float:
    z = float(features @ coefficients())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (the bias column is not shrunk)."""
    w = np.zeros(X.shape[1])
    penalty = np.full(X.shape[1], l2)
    penalty[0] = 1e-6
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(X @ w, -30, 30)))
        grad = X.T @ (p - y) + penalty * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w
