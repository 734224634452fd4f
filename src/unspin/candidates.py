"""Candidate originals for every 1–3-word span of a document, as numpy arrays.

Three generators feed one table:
- the inverse thesaurus (Moby, WordNet, LibreOffice, PPS pairs; re-inflected at build time),
- the spinner rewrite rules (rules.py),
- known-term compositions (decode.compose_known_terms): adjacent swapped words whose originals
  spell an established term ("fluffy reasoning" ← "fuzzy logic"). Two neighbouring swaps
  that spell no known term stay two edits: the decoder judges them together anyway.
Per observed phrase the candidates are converted to word ids once per process and cached.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import math
import threading
from dataclasses import dataclass

import numpy as np

from . import resources
from .rules import MAX_RULE_WORDS, rewrite_table
from .thesaurus import SOURCES as THESAURUS_SOURCES

MAX_ORIGINAL_WORDS = 4          # columns of the original-id matrix
MAX_THESAURUS_CANDIDATES = 32   # per observed phrase, commonest originals first
# The channel: a spinner rewrites original o into any one of its fanout(o) listed synonyms, so
# ln P(s | o) = -ln fanout(o).
# Real spinners choose among a short curated list, not all of Moby's hundreds, so the
# thesaurus fanout is discounted (CHANNEL_WEIGHT < 1).
CHANNEL_WEIGHT = 0.5
# The thesaurus prior (sources agreeing, commonness) sharpens the channel among the
# candidates of one phrase; centred on a phrase's typical number of candidates.
PRIOR_WEIGHT = 0.5
# A composition that spells an established term of the literature (an expected term of the
# tune half of the PPS list: "fuzzy logic", "random forest") is likelier than the trigram
# model, which has seen little science, can tell; at +4 nats a generic collocation of the
# news model ("free country" for "arbitrary woodland") still won (unseen PPS 12 -> 16 of 300).
KNOWN_TERM_BONUS = 8.0
TYPICAL_CANDIDATES = 16.0              # a rewrite rule is one of a handful for its original
# A pair seen in the Problematic Paper Screener list, or in real spun news (lexicon.py), is a
# spinner's observed choice, not one of many possible ones: its channel probability is that of
# a fixed preferred synonym.
OBSERVED_PAIR_FANOUT = 3.0

# Origin codes (also feature columns in calibration).
(THESAURUS, RULE_FUNCTION, RULE_MODAL, RULE_TENSE, RULE_CONTRACTION, RULE_OTHER, KNOWN_TERM,
 OBSERVED) = range(8)
#: Thesaurus sources as bits of CandidateSet.sources, as the thesaurus stores them (rules: 0).
SOURCE_BITS = {name: 1 << bit for bit, name in enumerate(THESAURUS_SOURCES)}
ORIGIN_NAMES = ("thesaurus", "function", "modal", "tense", "contraction", "rewrite", "term",
                "observed")
_RULE_ORIGIN = {"function": RULE_FUNCTION, "modal": RULE_MODAL, "tense": RULE_TENSE,
                "contraction": RULE_CONTRACTION, "observed": OBSERVED}

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
    singles: dict          # one-word originals: text -> (source mask, prior, channel)
    term_singles: dict = None   # the same for words of known terms ranked below the cut
    term_lasts: frozenset = frozenset()   # the one-word originals that end a known term
    term_firsts: frozenset = frozenset()  # the one-word originals that begin one

    def __len__(self) -> int:
        return len(self.texts)


EMPTY = CandidateSet(np.zeros((0, MAX_ORIGINAL_WORDS), np.int32), np.zeros(0, np.int8),
                     np.zeros(0, np.int8), np.zeros(0, np.int8), np.zeros(0, np.float32),
                     np.zeros(0, np.float32), (), {}, {})


class CandidateTable:
    """observed phrase → CandidateSet, with a per-process cache."""

    def __init__(self, lm, thesaurus, rules: dict | None = None):
        self.lm, self.thesaurus = lm, thesaurus
        self.rules = rewrite_table() if rules is None else rules
        # every proper prefix of a multi-word key: a longer span is looked up only after one
        self.prefixes = frozenset(
            " ".join(words[:j]) for key in (*thesaurus, *self.rules)
            if " " in key or "-" in key for words in [key.replace("-", " ").split()]
            for j in range(1, len(words)))
        self.terms = known_terms(lm.vocab)
        self.term_words = frozenset(
            w for last, (two, three) in self.terms.items()
            for w in (last, *two, *three, *(w for seconds in three.values() for w in seconds)))
        self.term_firsts = frozenset(w for two, three in self.terms.values()
                                     for w in (*two, *three))
        self.pps_support = pps_support()
        self._cache: dict[str, CandidateSet] = {}
        self._originals: dict[str, tuple | None] = {}
        self._unigram: list[float] | None = None
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
        rules = self.rules.get(observed, ())
        self._learn([rw.original for rw in rules])
        for rw in rules:
            info = self._originals[rw.original]
            if info is not None:
                rows.setdefault(rw.original, (_RULE_ORIGIN.get(rw.family, RULE_OTHER), 0, 0.5,
                                              rw.fanout, info[0]))
        if " " in observed or observed not in THESAURUS_SKIP:
            texts, masks, priors = self.thesaurus.original_rows(observed)
            if not texts and (variant := hyphen_variant(observed)):
                texts, masks, priors = self.thesaurus.original_rows(variant)
            self._learn(texts)
            ranked = []
            for text, mask, prior in zip(texts, masks, priors):
                info = self._originals[text]
                if info is not None and text not in rows:
                    ranked.append((info[1] + math.log(prior + 1e-4), text, mask, prior, info))
            ranked.sort(key=lambda r: -r[0])
            for _, text, mask, prior, (ids, _, fanout) in ranked[:MAX_THESAURUS_CANDIDATES]:
                rows[text] = (THESAURUS, mask, prior, _observed_fanout(mask, fanout), ids)
            # rarer originals still serve to spell a known term ("woods" <- "forest")
            deep = {text: (mask, prior,
                           self._channel(THESAURUS, prior, _observed_fanout(mask, fanout)))
                    for _, text, mask, prior, (ids, _, fanout) in ranked[MAX_THESAURUS_CANDIDATES:]
                    if len(ids) == 1 and text in self.term_words}
        else:
            deep = {}
        # a thesaurus's spelling variant ("well-being" for "wellbeing") is no spin; a rule's
        # or an observed spinner's is ("on-line" for "online")
        for text in [t for t, row in rows.items()
                     if row[0] == THESAURUS and same_letters(t, observed)]:
            del rows[text]
        if not rows:
            return dataclasses.replace(EMPTY, term_singles=deep, **self._term_ends(deep.keys())
                                       ) if deep else EMPTY
        texts = tuple(rows)
        values = list(rows.values())
        channels = [self._channel(v[0], v[2], v[3]) for v in values]
        singles = {t: (v[1], v[2], c) for t, v, c in zip(texts, values, channels)
                   if len(v[4]) == 1}
        return CandidateSet(
            np.array([v[4] + [-1] * (MAX_ORIGINAL_WORDS - len(v[4])) for v in values], np.int32),
            np.array([len(v[4]) for v in values], np.int8),
            np.array([v[0] for v in values], np.int8),
            np.array([v[1] for v in values], np.int8),
            np.array([v[2] for v in values], np.float32),
            np.array(channels, np.float32),
            texts,
            singles, deep, **self._term_ends(singles.keys() | deep.keys()))

    def _term_ends(self, words) -> dict[str, frozenset]:
        """Which of a span's one-word originals end and begin a known term (looked up once
        per observed phrase, so the term composition skips most positions at once)."""
        return {"term_lasts": frozenset(words & self.terms.keys()),
                "term_firsts": frozenset(words & self.term_firsts)}

    @staticmethod
    def _channel(origin: int, prior: float, fanout: float) -> float:
        return -CHANNEL_WEIGHT * math.log(fanout) + (
            PRIOR_WEIGHT * math.log(prior * TYPICAL_CANDIDATES) if origin == THESAURUS else 0.0)

    def _learn(self, phrases: list[str]) -> None:
        """Cache (word ids, commonness, fanout) of each new original phrase, or None if the
        model cannot spell it. Commonness is ln P of the phrase on its own: spinners rewrite
        common words, so common originals are likelier (a stand-in for P(o) in the channel).
        The same originals serve many observed phrases, and the bigrams of new multi-word
        ones are scored in one batch."""
        if self._unigram is None:
            self._unigram = self.lm.logprob1(np.arange(len(self.lm.words))).tolist()
        vocab, multi = self.lm.vocab, []
        for phrase in phrases:
            if phrase in self._originals:
                continue
            ids = [vocab.get(w, -1) for w in phrase.split()]
            if len(ids) > MAX_ORIGINAL_WORDS or -1 in ids:
                self._originals[phrase] = None
                continue
            fanout = max(self.thesaurus.fanout(phrase), 1)
            self._originals[phrase] = (ids, self._unigram[ids[0]], fanout)
            if len(ids) > 1:
                multi.append(phrase)
        if multi:
            a = [x for p in multi for x in self._originals[p][0][:-1]]
            b = [x for p in multi for x in self._originals[p][0][1:]]
            lp = self.lm.logprob2(np.array(a, np.int32), np.array(b, np.int32)).tolist()
            pos = 0
            for p in multi:
                ids, score, fanout = self._originals[p]
                n = len(ids) - 1
                self._originals[p] = (ids, score + sum(lp[pos:pos + n]), fanout)
                pos += n


def hyphen_variant(observed: str) -> str | None:
    """The thesaurus key a spinner's text may spell differently: "well being" for the
    headword "well-being" (spinners and scrapers drop hyphens), and the other way round."""
    if " " in observed and "-" not in observed:
        return observed.replace(" ", "-")
    if "-" in observed and " " not in observed:
        return observed.replace("-", " ")
    return None


def same_letters(a: str, b: str) -> bool:
    return a.replace("-", "").replace(" ", "") == b.replace("-", "").replace(" ", "")


def _observed_fanout(mask: int, fanout: float) -> float:
    """A PPS pair is a spinner's observed choice: the channel of a fixed preferred synonym."""
    return min(fanout, OBSERVED_PAIR_FANOUT) if mask & SOURCE_BITS["pps"] else fanout


def known_terms(vocab: dict[str, int]) -> dict[str, tuple[frozenset, dict]]:
    """Established terms of two or three words, as last word -> (the first words of its
    two-word terms, its three-word terms as first word -> the second words): the
    expected terms of the PPS fingerprints outside the held-out split, spelt in the model's
    vocabulary. (General term lists, WordNet's compound nouns or FOLDOC's headwords, were
    tried: they taught the confidence model that a composed term is often wrong, and fewer
    unseen tortured phrases were restored; docs/error-analysis.md.)"""
    from .data_splits import pps_is_heldout
    from .fingerprints import packaged_list
    terms: dict[str, tuple[set, dict]] = {}
    for fp in packaged_list():
        words = (fp.replacement or "").lower().split()
        if 2 <= len(words) <= 3 and all(w in vocab for w in words) and not pps_is_heldout(fp.query):
            two, three = terms.setdefault(words[-1], (set(), {}))
            if len(words) == 2:
                two.add(words[0])
            else:
                three.setdefault(words[0], set()).add(words[1])
    return {last: (frozenset(two), {first: frozenset(seconds) for first, seconds in three.items()})
            for last, (two, three) in terms.items()}


def pps_support() -> collections.Counter:
    """(written, original) -> how many rows of the PPS list's tune half imply the pair, as a
    phrase or as one aligned word of one ("corrosive" -> "acid": 62 rows). A paper mill's
    spinner has a fixed preferred synonym per word, so a pair it wrote in many papers is its
    choice wherever the word appears, also in tortured phrases the list does not hold.
    A fresh copy each call (a calibration table lowers its own counts); the list is read once."""
    return collections.Counter(_pps_support_counts())


@functools.lru_cache(maxsize=1)
def _pps_support_counts() -> collections.Counter:
    from importlib.resources import files
    from .data_splits import pps_is_heldout
    from .thesaurus import pps_pairs
    counts: collections.Counter = collections.Counter()
    path = files("unspin") / "data" / "pps_fingerprints.tsv"
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        query, expected, *_ = line.split("\t")
        if not pps_is_heldout(query):
            counts.update(set(pps_pairs(query, expected)))
    return counts


def support_of(counts: collections.Counter, written: str, original: str) -> int:
    """PPS support of a rewrite: of the phrase pair, or of its weakest aligned word pair."""
    whole = counts.get((written, original), 0)
    w, o = written.split(), original.split()
    if len(w) == len(o) > 1:
        words = [counts.get(pair, 0) for pair in zip(w, o) if pair[0] != pair[1]]
        return max(whole, min(words, default=0))
    return whole


def candidate_table() -> CandidateTable:
    return resources.candidate_table()


# the written words of a span are scored like an original: no longer than MAX_ORIGINAL_WORDS
MAX_SPAN = min(max(3, MAX_RULE_WORDS), MAX_ORIGINAL_WORDS)
