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

from .candidates import ORIGIN_NAMES

FEATURES = (
    "bias", "marginal_gain", "local_gain", "log_prior", "sources", "observed_words",
    "original_words", "observed_logfreq", "original_logfreq", "log_edit_rate",
) + tuple(f"origin_{name}" for name in ORIGIN_NAMES)

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
    g, k, m = int(lat.g[i]), int(lat.k[i]), int(lat.m[i])
    origin = np.zeros(len(ORIGIN_NAMES))
    origin[int(lat.origin[i])] = 1.0
    return np.concatenate([[
        1.0,
        marginal,
        float(lat.gain[i]),
        math.log(float(lat.prior[i]) + 1e-3),
        float(lat.sources[i]),
        float(k),
        float(m),
        float(lm.logprob1(lat.ids[g:g + 1])[0]),
        float(lm.logprob1(lat.orig[i, :1])[0]),
        math.log((n_proposed + 0.5) / (lm_words + 10.0)),
    ], origin])


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
