"""Candidate originals for every 1–3-word span of a document, as numpy arrays.

Three generators feed one table:
- the inverse thesaurus (Moby, WordNet, LibreOffice, PPS pairs; re-inflected at build time),
- the spinner rewrite rules (rules.py),
- compositions: two adjacent words both swapped ("Nationwide Safety" ← "National Security"),
  kept only when the composed original is a bigram the language model knows as a collocation.
Per observed phrase the candidates are converted to word ids once per process and cached.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from . import resources
from .rules import MAX_RULE_WORDS, rewrite_table

MAX_ORIGINAL_WORDS = 4          # columns of the original-id matrix
MAX_THESAURUS_CANDIDATES = 24   # per observed phrase, best prior first
COMPOSE_TOP = 8                 # single-word candidates per side tried in compositions
COMPOSE_MIN_PMI = 2.0           # nats: ln P(b|a) - ln P(b) of a composed original bigram

# Origin codes (also feature columns in calibration).
THESAURUS, COMPOSED, RULE_FUNCTION, RULE_MODAL, RULE_TENSE, RULE_CONTRACTION, RULE_OTHER = range(7)
ORIGIN_NAMES = ("thesaurus", "composed", "function", "modal", "tense", "contraction", "rewrite")
_RULE_ORIGIN = {"function": RULE_FUNCTION, "modal": RULE_MODAL, "tense": RULE_TENSE,
                "contraction": RULE_CONTRACTION}

# Observed words a spinner never writes in place of a content word: skipping their thesaurus
# lookups saves time and false alarms (rules still apply to them).
THESAURUS_SKIP = frozenset(
    "a an the of to and in on at is are was were be been am it its he she they we i you me him "
    "her them us our their his my your this that these those for with as by or nor not no but if "
    "so than then there here from into onto up out off over under who whom whose which what when "
    "where why how s t do does did has have had".split())


@dataclass(frozen=True, slots=True)
class CandidateSet:
    """The candidates of one observed phrase, as aligned arrays (one row per candidate)."""

    ids: np.ndarray        # (n, MAX_ORIGINAL_WORDS) int32 word ids, padded with -1
    lengths: np.ndarray    # (n,) int8, words in the original
    origin: np.ndarray     # (n,) int8 origin code
    sources: np.ndarray    # (n,) int8 number of thesauri listing the pair (0 for rules)
    prior: np.ndarray      # (n,) float32 candidate prior (thesaurus rank prior; rules 0.5)
    texts: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.texts)


EMPTY = CandidateSet(np.zeros((0, MAX_ORIGINAL_WORDS), np.int32), np.zeros(0, np.int8),
                     np.zeros(0, np.int8), np.zeros(0, np.int8), np.zeros(0, np.float32), ())


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
        n_words = observed.count(" ") + 1
        for rw in self.rules.get(observed, ()):
            rows.setdefault(rw.original, (_RULE_ORIGIN.get(rw.family, RULE_OTHER), 0, 0.5))
        if n_words > 1 or observed not in THESAURUS_SKIP:
            for cand in self.thesaurus.originals(observed)[:MAX_THESAURUS_CANDIDATES]:
                if cand.text not in rows:
                    rows[cand.text] = (THESAURUS, len(cand.sources), float(cand.prior))
        texts, ids, lengths, origin, sources, prior = [], [], [], [], [], []
        vocab, unk = self.lm.vocab, self.lm.unk_id
        for text, (orig, nsrc, pr) in rows.items():
            words = text.split()
            if text == observed or len(words) > MAX_ORIGINAL_WORDS:
                continue
            wid = [vocab.get(w, unk) for w in words]
            if unk in wid:
                continue        # the model cannot judge what it cannot spell
            texts.append(text)
            ids.append(wid + [-1] * (MAX_ORIGINAL_WORDS - len(wid)))
            lengths.append(len(wid))
            origin.append(orig)
            sources.append(nsrc)
            prior.append(pr)
        if not texts:
            return EMPTY
        return CandidateSet(np.array(ids, np.int32), np.array(lengths, np.int8),
                            np.array(origin, np.int8), np.array(sources, np.int8),
                            np.array(prior, np.float32), tuple(texts))


_table: CandidateTable | None = None


def candidate_table() -> CandidateTable:
    global _table
    if _table is None:
        _table = CandidateTable(resources.language_model(), resources.thesaurus())
    return _table


MAX_SPAN = max(3, MAX_RULE_WORDS)
