"""Candidate originals for every 1–3-word span of a document, as numpy arrays.

Three generators feed one table:
- the inverse thesaurus (Moby, WordNet, LibreOffice, PPS pairs; re-inflected at build time),
- the spinner rewrite rules (rules.py),
- compositions: two adjacent words both swapped ("Nationwide Safety" ← "National Security"),
  kept only when the composed original is a bigram the language model knows as a collocation.
Per observed phrase the candidates are converted to word ids once per process and cached.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from . import resources
from .rules import MAX_RULE_WORDS, rewrite_table

MAX_ORIGINAL_WORDS = 4          # columns of the original-id matrix
MAX_THESAURUS_CANDIDATES = 32   # per observed phrase, commonest originals first
COMPOSE_TOP = 8                 # single-word candidates per side tried in compositions
COMPOSE_MIN_PMI = 2.0           # nats: ln P(b|a) - ln P(b) of a composed original bigram
# The channel: a spinner rewrites original o into any one of its fanout(o) listed synonyms, so
# ln P(s | o) = -ln fanout(o).
RULE_FANOUT = 10.0              # a rewrite rule is one of a handful for its original
# A pair seen in the Problematic Paper Screener list is a spinner's observed choice, not one
# of many possible ones: its channel probability is that of a fixed preferred synonym.
OBSERVED_PAIR_FANOUT = 3.0

# Origin codes (also feature columns in calibration).
THESAURUS, COMPOSED, RULE_FUNCTION, RULE_MODAL, RULE_TENSE, RULE_CONTRACTION, RULE_OTHER = range(7)
#: Thesaurus sources as bits of CandidateSet.sources (rules have none).
SOURCE_BITS = {"moby": 1, "wordnet": 2, "libreoffice": 4, "pps": 8, "moby_reverse": 16}
ORIGIN_NAMES = ("thesaurus", "composed", "function", "modal", "tense", "contraction", "rewrite")
_RULE_ORIGIN = {"function": RULE_FUNCTION, "modal": RULE_MODAL, "tense": RULE_TENSE,
                "contraction": RULE_CONTRACTION}

# Observed words a spinner never writes in place of a content word: skipping their thesaurus
# lookups saves time and false alarms (rules still apply to them).
THESAURUS_SKIP = frozenset(
    "a an the of to and in on at is are was were be been am it its he she they we i you me him "
    "her them us our their his my your this that these those for with as by or nor not no but if "
    "so than then there here from into onto up out off over under who whom whose which what when "
    "where why how s t do does did has have had can could will would shall should may might must"
    .split())


@dataclass(frozen=True, slots=True)
class CandidateSet:
    """The candidates of one observed phrase, as aligned arrays (one row per candidate)."""

    ids: np.ndarray        # (n, MAX_ORIGINAL_WORDS) int32 word ids, padded with -1
    lengths: np.ndarray    # (n,) int8, words in the original
    origin: np.ndarray     # (n,) int8 origin code
    sources: np.ndarray    # (n,) int8 bit mask of the thesauri listing the pair (SOURCE_BITS)
    prior: np.ndarray      # (n,) float32 candidate prior (thesaurus rank prior; rules 0.5)
    channel: np.ndarray    # (n,) float32 ln P(observed | original) = -ln fanout(original)
    texts: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.texts)


EMPTY = CandidateSet(np.zeros((0, MAX_ORIGINAL_WORDS), np.int32), np.zeros(0, np.int8),
                     np.zeros(0, np.int8), np.zeros(0, np.int8), np.zeros(0, np.float32),
                     np.zeros(0, np.float32), ())


class CandidateTable:
    """observed phrase → CandidateSet, with a per-process cache."""

    def __init__(self, lm, thesaurus):
        self.lm, self.thesaurus = lm, thesaurus
        self.rules = rewrite_table()
        self._cache: dict[str, CandidateSet] = {}
        self._lock = threading.Lock()

    def lookup(self, observed: str) -> CandidateSet:
        found = self._cache.get(observed)
        if found is None:
            found = self._build(observed)
            with self._lock:
                if len(self._cache) > 500_000:
                    self._cache.clear()
                self._cache[observed] = found
        return found

    def _build(self, observed: str) -> CandidateSet:
        rows: dict[str, tuple] = {}
        for rw in self.rules.get(observed, ()):
            rows.setdefault(rw.original, (_RULE_ORIGIN.get(rw.family, RULE_OTHER), 0, 0.5,
                                          RULE_FANOUT))
        if " " in observed or observed not in THESAURUS_SKIP:
            ranked = []
            for cand in self.thesaurus.originals(observed):
                ids = self._ids(cand.text)
                if ids is not None and cand.text not in rows:
                    ranked.append((self._commonness(ids) + math.log(cand.prior + 1e-4), cand))
            ranked.sort(key=lambda rc: -rc[0])
            for _, cand in ranked[:MAX_THESAURUS_CANDIDATES]:
                mask = sum(SOURCE_BITS.get(src, 0) for src in cand.sources)
                fanout = max(self.thesaurus.fanout(cand.text), 1)
                if "pps" in cand.sources:
                    fanout = min(fanout, OBSERVED_PAIR_FANOUT)
                rows[cand.text] = (THESAURUS, mask, float(cand.prior), fanout)
        texts, ids, lengths, origin, sources, prior, channel = [], [], [], [], [], [], []
        for text, (orig, mask, pr, fanout) in rows.items():
            wid = self._ids(text)
            if text == observed or wid is None:
                continue        # the model cannot judge what it cannot spell
            texts.append(text)
            ids.append(wid + [-1] * (MAX_ORIGINAL_WORDS - len(wid)))
            lengths.append(len(wid))
            origin.append(orig)
            sources.append(mask)
            prior.append(pr)
            channel.append(-math.log(fanout))
        if not texts:
            return EMPTY
        return CandidateSet(np.array(ids, np.int32), np.array(lengths, np.int8),
                            np.array(origin, np.int8), np.array(sources, np.int8),
                            np.array(prior, np.float32), np.array(channel, np.float32),
                            tuple(texts))

    def _ids(self, phrase: str) -> list[int] | None:
        words = phrase.split()
        if len(words) > MAX_ORIGINAL_WORDS:
            return None
        vocab = self.lm.vocab
        ids = [vocab.get(w, -1) for w in words]
        return None if -1 in ids else ids

    def _commonness(self, ids: list[int]) -> float:
        """ln P of the phrase on its own: spinners rewrite common words, so common originals
        are likelier (a stand-in for P(o) in the channel)."""
        a = np.array(ids, np.int32)
        score = float(self.lm.logprob1(a[:1])[0])
        if len(a) > 1:
            score += float(self.lm.logprob2(a[:-1], a[1:]).sum())
        return score


_table: CandidateTable | None = None


def candidate_table() -> CandidateTable:
    global _table
    if _table is None:
        _table = CandidateTable(resources.language_model(), resources.thesaurus())
    return _table


MAX_SPAN = max(3, MAX_RULE_WORDS)
