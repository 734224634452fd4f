"""Calibrated confidences: a small logistic model over each proposed edit's features.

The coefficients are fitted by scripts/fit_calibration.py on spun text made from the training
half of the clean corpus (never the benchmark half) and stored in data/calibration.json; the
defaults below are used only when that file is absent.
"""
from __future__ import annotations

import json
import math
import warnings
from collections import Counter
from functools import lru_cache
from importlib.resources import files

import numpy as np

from .candidates import ORIGIN_NAMES, SOURCE_BITS
from .text import normalise

FEATURES = (
    "bias", "marginal_gain", "local_gain", "log_prior", "observed_words", "original_words",
    "observed_logfreq", "commoner_by", "log_edit_rate", "observed_seen_bigrams",
    "original_seen_bigrams", "observed_pmi", "original_pmi", "n_sources", "channel",
    "original_elsewhere", "observed_elsewhere", "observed_fanout", "pps_support",
) + tuple(f"source_{name}" for name in SOURCE_BITS) + tuple(f"origin_{name}" for name in ORIGIN_NAMES)

_DEFAULT = {"bias": -3.2, "marginal_gain": 0.8}


def fitted_coefficients(filename: str, section: str, names: tuple[str, ...],
                        default: dict[str, float]) -> np.ndarray:
    """The weights of one fitted logistic model in data/<filename>, in the order of `names`
    (missing names weigh 0); `default` when the file or the section is absent."""
    path = files("unspin") / "data" / filename
    try:
        fitted = json.loads(path.read_text(encoding="utf-8"))[section]
    except (FileNotFoundError, KeyError):
        fitted = default
    return np.array([fitted.get(name, 0.0) for name in names])


@lru_cache(maxsize=1)
def coefficients() -> tuple[np.ndarray, np.ndarray]:
    """(general weights, weights for established-term compositions): a tortured phrase looks
    nothing like a news spinner's swap (rare words, unseen bigrams), so it has its own model."""
    general = fitted_coefficients("calibration.json", "edit", FEATURES, _DEFAULT)
    return general, fitted_coefficients("calibration.json", "edit_term", FEATURES,
                                        dict(zip(FEATURES, general)))


def edit_features(lat, lm, chosen: np.ndarray, marginal: np.ndarray, lm_words: int,
                  fanout=lambda phrase: 0, support=lambda written, original: 0) -> np.ndarray:
    """Why each chosen option may be right (one row per option): how much the model prefers
    it, how odd the written words are next to their neighbours (spinners make unseen
    bigrams), which sources list the pair, what kind of rewrite it is, and how often the
    document writes the original word and the written word elsewhere (a dictionary spinner
    swaps a word wherever it can, so a page full of "in" did not turn one "in" into "within"),
    and whether the written phrase is itself a dictionary headword (`fanout`: how many
    synonyms the thesaurus lists for it; "cardiac arrest" has 72, "astute city" none), and
    in how many papers of the PPS list a paper mill wrote the pair (`support`)."""
    n = len(chosen)
    g, k, m = lat.g[chosen], lat.k[chosen], lat.m[chosen].astype(np.int64)
    left, right = lat.ids[g - 1], lat.ids[np.minimum(g + k, len(lat.ids) - 1)]
    obs_first, obs_last = lat.ids[g], lat.ids[g + k - 1]
    org_first, org_last = lat.orig[chosen, 0], lat.orig[chosen, m - 1]
    a = np.concatenate([left, obs_last, left, org_last])
    b = np.concatenate([obs_first, right, org_first, right])
    seen = lm.has_bigram(a, b).reshape(4, n).astype(float)
    pmi = (lm.logprob2(a, b) - lm.logprob1(b)).reshape(4, n)
    uni_obs, uni_org = lm.logprob1(obs_first), lm.logprob1(org_first)
    masks = lat.sources[chosen].astype(np.int64)
    bits = np.stack([(masks & bit) > 0 for bit in SOURCE_BITS.values()], axis=1).astype(float)
    elsewhere = page_counts(lat, chosen)
    origin = np.zeros((n, len(ORIGIN_NAMES)))
    origin[np.arange(n), lat.origin[chosen].astype(np.int64)] = 1.0
    columns = [
        np.ones(n),
        marginal,
        lat.gain[chosen],
        np.log(lat.prior[chosen].astype(float) + 1e-3),
        k.astype(float),
        m.astype(float),
        uni_obs,
        uni_org - uni_obs,            # how much commoner the original is than the written word
        np.full(n, math.log((n + 0.5) / (lm_words + 10.0))),
        seen[0] + seen[1],
        seen[2] + seen[3],
        (pmi[0] + pmi[1]) / 2,
        (pmi[2] + pmi[3]) / 2,
        bits.sum(axis=1),
        lat.channel[chosen],
        np.log1p(elsewhere[:, 0]),
        np.log1p(elsewhere[:, 1]),
        np.log1p([fanout(" ".join(lat.words[gi:gi + ki])) for gi, ki in zip(g, k)]),
        np.log1p([support(" ".join(lat.words[gi:gi + ki]), lat.texts[i])
                  for gi, ki, i in zip(g, k, chosen)]),
    ]
    return np.concatenate([np.stack(columns, axis=1), bits, origin], axis=1)


def page_counts(lat, chosen: np.ndarray) -> np.ndarray:
    """(n, 2): how often the page writes each option's first original word and its first
    written word outside the option's own span. Counted on the words themselves, not on
    language-model ids, where every out-of-vocabulary word shares one id."""
    counts = Counter(lat.words)
    out = np.zeros((len(chosen), 2))
    for row, option in enumerate(chosen):
        g, k = int(lat.g[option]), int(lat.k[option])
        span = lat.words[g:g + k]
        original = normalise((lat.texts[option].split() or [""])[0])
        out[row] = (counts[original] - span.count(original), counts[span[0]] - span.count(span[0]))
    return out


TERM_COLUMN = FEATURES.index("origin_term")


class Trees:
    """A boosted-tree model over the edit features, evaluated with numpy (fitted with
    scikit-learn by scripts/fit_calibration.py and stored as node arrays). Why trees: a
    one-word thesaurus swap is right only in a corner of the features (a large gain, a rare
    written word with a common original, sources agreeing) that a linear model cannot carve
    out, so it gave nearly all of them confidences under 0.1."""

    def __init__(self, fitted: dict):
        # one row per node: feature, threshold, left child, right child, value, is leaf
        nodes = np.array(fitted["nodes"], dtype=float)
        self.feature = nodes[:, 0].astype(np.int64)
        self.threshold = nodes[:, 1]
        self.left, self.right = nodes[:, 2].astype(np.int64), nodes[:, 3].astype(np.int64)
        self.value, self.leaf = nodes[:, 4], nodes[:, 5] > 0
        self.roots = np.array(fitted["roots"], dtype=np.int64)
        self.baseline = float(fitted["baseline"])

    def logits(self, features: np.ndarray) -> np.ndarray:
        x = np.nan_to_num(features, nan=0.0, posinf=1e6, neginf=-1e6)
        n_trees = len(self.roots)
        node = np.tile(self.roots, len(x))                 # (row, tree) pairs, flattened
        row = np.repeat(np.arange(len(x)), n_trees)
        active = np.flatnonzero(~self.leaf[node])
        while len(active):                                 # only pairs not yet at a leaf
            here = node[active]
            go_left = x[row[active], self.feature[here]] <= self.threshold[here]
            node[active] = np.where(go_left, self.left[here], self.right[here])
            active = active[~self.leaf[node[active]]]
        return self.baseline + self.value[node].reshape(len(x), n_trees).sum(axis=1)

    @classmethod
    def from_sklearn(cls, model) -> dict:
        """The node arrays of a fitted HistGradientBoostingClassifier (binary), as JSON data,
        with the names of the feature columns it was fitted on."""
        nodes, roots = [], []
        for (predictor,) in model._predictors:
            base = len(nodes)
            roots.append(base)
            for n in predictor.nodes:
                nodes.append([int(n["feature_idx"]), float(n["num_threshold"]),
                              base + int(n["left"]), base + int(n["right"]),
                              round(float(n["value"]), 6), int(n["is_leaf"])])
        baseline = float(np.ravel(model._baseline_prediction)[0])
        return {"features": list(FEATURES), "baseline": baseline, "roots": roots, "nodes": nodes}


TREES_FILE = "calibration_trees.json"


@lru_cache(maxsize=1)
def trees() -> Trees | None:
    """The packaged boosted trees, or None (then the logistic weights serve): also when they
    were fitted on other feature columns than these (a stale file after a feature change,
    until scripts/fit_calibration.py is run again)."""
    path = files("unspin") / "data" / TREES_FILE
    try:
        fitted = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if fitted.get("features", list(FEATURES)) != list(FEATURES):
        warnings.warn(f"{TREES_FILE} was fitted on other features; using the logistic weights "
                      "until scripts/fit_calibration.py is run again")
        return None
    return Trees(fitted)


def edit_confidences(features: np.ndarray, weights: tuple | None = None,
                     model: Trees | None = None) -> np.ndarray:
    """Calibrated probability that each edit's first replacement is right: the boosted trees
    for every edit but established-term compositions, which have their own logistic model."""
    if weights is None:                 # the packaged models
        weights, model = coefficients(), trees()
    general, term = weights
    z_general = model.logits(features) if model is not None else features @ general
    z = np.where(features[:, TERM_COLUMN] > 0, features @ term, z_general)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


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
