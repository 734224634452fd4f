"""Second opinion on the uncertain edits: does a small causal LM prefer the restored window?

For every proposal whose trigram confidence lies in UNCERTAIN_BAND, a window of its sentence
(at most LEFT_WORDS before the span and RIGHT_WORDS after it) is scored as written and with
each of the proposal's top replacements, with the document's confident edits already applied
around it. The LLM's log-probability gain of the best replacement over the text as written,
together with the trigram confidence, gives a recalibrated confidence (a logistic model fitted
by scripts/fit_llm_calibration.py into data/llm_calibration.json). If the LLM prefers another
of the replacements, it moves to the front. Proposals outside the band are returned unchanged,
and a document without uncertain proposals never touches the LLM.
"""
from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ..calibrate import FEATURES as EDIT_FEATURES
from ..calibrate import fitted_coefficients
from ..text import sentences, tokenize

UNCERTAIN_BAND = (0.05, 0.95)
LEFT_WORDS = 10
RIGHT_WORDS = 3
MAX_ALTERNATIVES = 2
FEATURES = ("bias", "trigram_logit", "llm_gain", "llm_changed_choice", "observed_pair",
            "known_term")
_DEFAULT = {"bias": 0.0, "trigram_logit": 1.0, "llm_gain": 0.6, "llm_changed_choice": 0.0}
_OBSERVED, _TERM = (EDIT_FEATURES.index(f"origin_{name}") for name in ("observed", "term"))


@dataclass
class RescoreStats:
    """Running totals over a process, for the share of text that reaches the LLM."""

    documents: int = 0
    words: int = 0
    proposals: int = 0
    judged: int = 0
    window_words: int = 0      # words scored, counted once per window
    covered_words: int = 0     # distinct words inside some window
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


STATS = RescoreStats()


@lru_cache(maxsize=1)
def coefficients() -> np.ndarray:
    return fitted_coefficients("llm_calibration.json", "edit", FEATURES, _DEFAULT)


def llm_features(proposal, gain: float, changed: bool) -> np.ndarray:
    """What the recalibration sees: the trigram's confidence (a logit), the LLM's gain, whether
    the LLM changed the choice, and the kind of candidate (a pair real spinners were seen
    writing keeps its evidence whatever a general LM thinks of the wording)."""
    p = min(max(proposal.edit.confidence, 1e-4), 1 - 1e-4)
    return np.array([1.0, math.log(p / (1 - p)), max(-30.0, min(30.0, gain)), float(changed),
                     float(proposal.features[_OBSERVED] > 0), float(proposal.features[_TERM] > 0)])


def llm_confidence(features: np.ndarray, weights: np.ndarray | None = None) -> float:
    w = coefficients() if weights is None else weights
    z = float(features @ w)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass
class Judgement:
    """What the LLM said about one proposal."""

    index: int          # into the proposals
    gains: np.ndarray   # ln P(window with replacement j) - ln P(window as written)
    window: tuple[int, int, int]   # character bounds of the window and its words


class Windows:
    """Sentence windows around spans, with the confident edits applied in the context."""

    def __init__(self, text: str, confident: list):
        self.text = text
        tokens = tokenize(text)
        sentence_of = {i: s for s, idx in enumerate(sentences(text, tokens)) for i in idx}
        words = [i for i, t in enumerate(tokens) if t.is_word]
        self.words = [tokens[i] for i in words]
        self.sentence = [sentence_of.get(i, -1) for i in words]
        self.starts = [t.start for t in self.words]
        self.confident = confident

    def around(self, start: int, end: int) -> tuple[int, int, int]:
        """Character bounds of the window around [start, end) and its word count."""
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(first, bisect.bisect_left(self.starts, end) - 1)
        sent = self.sentence[first]
        lo, hi = first, last
        while lo > 0 and first - lo < LEFT_WORDS and self.sentence[lo - 1] == sent:
            lo -= 1
        while hi + 1 < len(self.words) and hi - last < RIGHT_WORDS and self.sentence[hi + 1] == sent:
            hi += 1
        w_end = self.words[hi].end
        # keep the sentence's closing punctuation when the window reaches the sentence end
        ends_sentence = hi + 1 >= len(self.words) or self.sentence[hi + 1] != sent
        if ends_sentence and w_end < len(self.text) and self.text[w_end] in ".!?;:":
            w_end += 1
        return self.words[lo].start, w_end, hi - lo + 1

    def render(self, lo: int, hi: int, start: int, end: int, middle: str) -> str:
        """The window [lo, hi) with `middle` in place of [start, end) and the confident edits
        that fit around it applied."""
        pieces = [(start, end, middle)] + [
            (e.start, e.end, e.replacements[0]) for e in self.confident
            if lo <= e.start and e.end <= hi and (e.end <= start or e.start >= end)]
        out, pos = [], lo
        for a, b, s in sorted(pieces):
            if a < pos:           # overlaps a piece already placed
                continue
            out += [self.text[pos:a], s]
            pos = b
        out.append(self.text[pos:hi])
        return "".join(out)


def uncertain(proposals) -> list[int]:
    lo, hi = UNCERTAIN_BAND
    return [i for i, p in enumerate(proposals) if lo <= p.edit.confidence < hi]


def judge(text: str, proposals, lm) -> list[Judgement]:
    """Score the uncertain proposals' windows: all variants of all windows in few batches.
    Proposals on the same span (rival originals) share one window and its variants."""
    todo = uncertain(proposals)
    if not todo:
        return []
    confident = [p.edit for p in proposals if p.edit.confidence >= UNCERTAIN_BAND[1]]
    win = Windows(text, confident)
    by_span: dict[tuple[int, int], list[int]] = {}
    for i in todo:
        by_span.setdefault((proposals[i].edit.start, proposals[i].edit.end), []).append(i)
    groups, meta = [], []
    for (start, end), members in by_span.items():
        lo, hi, n_words = win.around(start, end)
        alternatives = list(dict.fromkeys(
            r for i in members for r in proposals[i].edit.replacements[:MAX_ALTERNATIVES]))
        variants = [text[start:end]] + alternatives
        groups.append([lm.tokenize(win.render(lo, hi, start, end, v)) for v in variants])
        meta.append((members, alternatives, (lo, hi, n_words)))
    with lm.lock:
        scores = lm.score_groups(groups)
    out = []
    for (members, alternatives, window), s in zip(meta, scores):
        gain = dict(zip(alternatives, s[1:] - s[0]))
        for i in members:
            reps = proposals[i].edit.replacements[:MAX_ALTERNATIVES]
            out.append(Judgement(i, np.array([gain[r] for r in reps]), window))
    return out


def apply_judgement(proposal, judgement: Judgement):
    """The proposal with the LLM's choice first and its recalibrated confidence."""
    edit = proposal.edit
    best = int(np.argmax(judgement.gains))
    features = llm_features(proposal, float(judgement.gains[best]), best != 0)
    replacements = edit.replacements
    message = edit.message
    if best:
        old, new = replacements[0], replacements[best]
        replacements = (new,) + tuple(r for r in replacements if r != new)
        message = message.replace(f"“{old}”", f"“{new}”")
    edit = replace(edit, replacements=replacements, confidence=llm_confidence(features),
                   message=message)
    return replace(proposal, edit=edit)


def rescore(text: str, proposals: list, config) -> list:
    """Proposals with the uncertain ones re-judged by the LLM (config.llm_path: which GGUF)."""
    from .model import load_model
    t0 = time.perf_counter()
    STATS.documents += 1
    STATS.words += sum(1 for t in tokenize(text) if t.is_word)
    STATS.proposals += len(proposals)
    lm = load_model(config.llm_path)    # loaded once per process; fails early if missing
    if not uncertain(proposals):
        return proposals
    out = list(proposals)
    judged = judge(text, proposals, lm)
    for j in judged:
        out[j.index] = apply_judgement(proposals[j.index], j)
    windows = {j.window for j in judged}       # rivals on one span share a window
    STATS.judged += len(judged)
    STATS.window_words += sum(n for _, _, n in windows)
    STATS.covered_words += sum(1 for t in tokenize(text) if t.is_word and any(
        lo <= t.start < hi for lo, hi, _ in windows))
    STATS.seconds += time.perf_counter() - t0
    return out
