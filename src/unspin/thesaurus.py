"""Candidate originals for an observed, possibly spun, phrase: the inverse thesaurus.

A spinner replaces an original phrase `o` by one of the synonyms its thesaurus lists for `o`.
So for an observed phrase `s` the candidates are the phrases that list `s` as a synonym, in
the union of Moby, WordNet 3.0, the LibreOffice English thesaurus and the word pairs implied
by the Problematic Paper Screener list. Everything is compiled ahead of time by
`scripts/build_thesaurus.py` into `data/thesaurus.npz`: originals already re-inflected to the
observed form ("mentioned" <- "said"), restricted to the language model's vocabulary, ranked
by a prior and capped. Looking a phrase up is a dict probe and a slice of integer arrays.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator
from importlib.resources import files

import numpy as np

from .text import tokenize

#: Source names, in the bit order of the compiled masks.
SOURCES: tuple[str, ...] = ("moby", "wordnet", "libreoffice", "pps", "moby_reverse")
FORMAT_VERSION = 1
MAX_WORDS = 3
DATA_FILE = "thesaurus.npz"

#: Priors are stored as round(-ln(prior) * PRIOR_SCALE) in one byte.
PRIOR_SCALE = 10.0
_PRIOR_OF = tuple(math.exp(-code / PRIOR_SCALE) for code in range(256))
_SOURCE_SETS = tuple(frozenset(s for bit, s in enumerate(SOURCES) if mask >> bit & 1)
                     for mask in range(1 << len(SOURCES)))


@dataclass(frozen=True, slots=True)
class Candidate:
    """One phrase a spinner could have started from."""
    text: str                 # lowercase, inflected like the observed phrase
    sources: frozenset[str]   # which of SOURCES list the observed phrase as its synonym
    prior: float              # P(original | observed) before context; ~sums to 1 per key


def phrase_key(text: str) -> str | None:
    """The lookup form of a phrase (lowercase words, single spaces), or None if it has
    punctuation between words, no words, or more than MAX_WORDS words."""
    tokens = tokenize(text)
    if not tokens or len(tokens) > MAX_WORDS or not all(t.is_word for t in tokens):
        return None
    return " ".join(t.norm for t in tokens)


def source_mask(sources: frozenset[str] | set[str]) -> int:
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown thesaurus source(s) {sorted(unknown)}; known: {SOURCES}")
    return sum(1 << SOURCES.index(s) for s in sources)


class Thesaurus:
    """The compiled inverse thesaurus (observed -> originals) and its forward direction."""
    max_words: int = MAX_WORDS

    def __init__(self, data: dict[str, np.ndarray]):
        version = int(data["format_version"])
        if version != FORMAT_VERSION:
            raise ValueError(f"thesaurus data has format {version}, this code reads "
                             f"{FORMAT_VERSION}; rebuild it with scripts/build_thesaurus.py")
        keys = _strings(data["keys"])
        self._rows = dict(zip(keys, range(len(keys))))
        self._keys = keys
        self._texts = _strings(data["originals"])
        self._offsets = data["offsets"].tolist()
        planes = data["id_planes"].astype(np.int32)
        self._ids = planes[0] | planes[1] << 8 | planes[2] << 16
        self._masks = data["masks"]
        self._prior_codes = data["prior_codes"]
        self._forward: tuple[dict[str, int], list[int], np.ndarray] | None = None
        self._owner: np.ndarray | None = None   # observed-key row of each entry, with _forward
        self._fanout: dict[str, int] | None = None
        # Per-instance cache: the core asks for the same spans over and over.
        self.originals = lru_cache(maxsize=1 << 17)(self._originals)

    def __reduce__(self):
        # Ship by name, not by content: a worker loads its own copy once.
        return (load_thesaurus, ())

    def __len__(self) -> int:
        """Number of observed phrases that have candidates."""
        return len(self._rows)

    def __contains__(self, observed: str) -> bool:
        return observed in self._rows

    def __iter__(self) -> Iterator[str]:
        """The observed phrases that have candidates, in sorted order."""
        return iter(self._keys)

    def originals(self, observed: str) -> tuple[Candidate, ...]:  # shadowed by the cache
        """Candidate originals of `observed` (lowercase, single spaces, 1-3 words), inflected
        like it, best prior first; () if it is no known synonym of anything."""
        return self._originals(observed)

    def original_rows(self, observed: str) -> tuple[list[str], list[int], list[float]]:
        """The same candidates as plain lists (texts, source bit masks in SOURCES order,
        priors), for callers that build their own arrays and want no objects per candidate."""
        row = self._rows.get(observed)
        if row is None:
            return [], [], []
        a, b = self._offsets[row], self._offsets[row + 1]
        texts = self._texts
        return ([texts[i] for i in self._ids[a:b].tolist()], self._masks[a:b].tolist(),
                [_PRIOR_OF[q] for q in self._prior_codes[a:b].tolist()])

    def _originals(self, observed: str) -> tuple[Candidate, ...]:
        row = self._rows.get(observed)
        if row is None:
            return ()
        a, b = self._offsets[row], self._offsets[row + 1]
        texts = self._texts
        return tuple(Candidate(texts[i], _SOURCE_SETS[m], _PRIOR_OF[q]) for i, m, q in zip(
            self._ids[a:b].tolist(), self._masks[a:b].tolist(),
            self._prior_codes[a:b].tolist()))

    def synonyms(self, word: str, sources: frozenset[str] | None = None) -> tuple[str, ...]:
        """What a spinner could write for `word` (a lowercase phrase of 1-3 words), inflected
        like it, likeliest first; only pairs listed by one of `sources` when given.

        This is the inverse read backwards, so it holds the pairs the inverse keeps (each
        observed phrase's best candidates), not every link of the sources.
        """
        if self._forward is None:
            self._forward = self._transpose()
        rows, offsets, entries = self._forward
        row = rows.get(word)
        if row is None:
            return ()
        wanted = source_mask(sources) if sources is not None else -1
        picked = entries[offsets[row]:offsets[row + 1]]
        masks, owner = self._masks[picked].tolist(), self._owner[picked].tolist()
        return tuple(self._keys[k] for k, m in zip(owner, masks) if m & wanted)

    def fanout(self, original: str) -> int:
        """How many observed phrases list `original`: the number of ways a spinner could have
        rewritten it, so 1/fanout is the channel probability of any one rewrite."""
        if self._fanout is None:
            counts = np.bincount(self._ids, minlength=len(self._texts))
            self._fanout = dict(zip(self._texts, counts.tolist()))
        return self._fanout.get(original, 0)

    def _transpose(self):
        counts = np.diff(np.asarray(self._offsets))
        self._owner = np.repeat(np.arange(len(self._keys), dtype=np.int32), counts)
        # By original; within one, most sources first, then the likeliest restorations.
        popcount = np.array([bin(m).count("1") for m in range(256)], dtype=np.int8)
        entries = np.lexsort((self._prior_codes, -popcount[self._masks], self._ids))
        present, starts = np.unique(self._ids[entries], return_index=True)
        offsets = np.append(starts, len(entries)).tolist()
        rows = {self._texts[i]: r for r, i in enumerate(present.tolist())}
        return rows, offsets, entries


def _strings(blob: np.ndarray) -> list[str]:
    return blob.tobytes().decode("utf-8").split("\n")


def load_thesaurus(path: str | None = None) -> Thesaurus:
    """Load the packaged inverse thesaurus (or a file built by scripts/build_thesaurus.py)."""
    source = path or files("unspin") / "data" / DATA_FILE
    try:
        with np.load(source, allow_pickle=False) as npz:
            data = {name: npz[name] for name in npz.files}
    except FileNotFoundError:
        raise FileNotFoundError(f"thesaurus data not found at {source}; "
                                "build it with `python scripts/build_thesaurus.py`") from None
    return Thesaurus(data)


# --- Problematic Paper Screener rows as substitution pairs (used by the build and the tests) --

_PLAIN_QUERY = re.compile(r'\s*"([^"]+)"\s*')
_PARENTHESIS = re.compile(r"\([^)]*\)")


def pps_pairs(query: str, expected: str) -> list[tuple[str, str]]:
    """(spun, original) pairs implied by one PPS row, as phrase keys.

    Only plain quoted-phrase rows count ("profound learning" -> "deep learning"): the phrase
    pair when both sides have at most MAX_WORDS words, and, when both sides have the same
    number of words, each aligned word pair that differs ("profound" -> "deep"). Expected
    texts with alternatives, doubts or quotes ("a/b", "???", "(?)") give nothing.
    """
    m = _PLAIN_QUERY.fullmatch(query)
    if not m or any(c in expected for c in '/?"\\;,'):
        return []
    spun = tokenize(m.group(1))
    original = tokenize(_PARENTHESIS.sub(" ", expected.replace("\xa0", " ")))
    if not spun or not original or not all(t.is_word for t in spun + original):
        return []
    spun_words = [t.norm for t in spun]
    original_words = [t.norm for t in original]
    pairs = []
    if len(spun_words) <= MAX_WORDS and len(original_words) <= MAX_WORDS:
        pairs.append((" ".join(spun_words), " ".join(original_words)))
    if len(spun_words) == len(original_words):
        pairs.extend((s, o) for s, o in zip(spun_words, original_words) if s != o)
    return [(s, o) for s, o in pairs if s != o]
