"""A folded view of a document for literal matching, with a map back to the caller's offsets.

Folding lowercases, straightens apostrophes, unifies hyphen-like dashes and turns every
whitespace character into a space (all one code point for one code point), then collapses
each run of spaces to one, so that "Neural\n   organization" reads "neural organization".
Only the collapsed runs move offsets; `original` undoes exactly that.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

# Each pattern rewrites one code point as one, so offsets hold until runs collapse.
# (str.translate would do it in one call but is several times slower on non-ASCII text.)
_WHITESPACE = re.compile("[" + "".join(chr(c) for c in range(0x3001) if chr(c).isspace() and c != 32) + "]")
_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u2032]")
_HYPHENS = re.compile("[\u2010\u2011\u2012\u2013\u2212]")
_SPACE_RUN = re.compile(r"  +")


def fold(text: str) -> str:
    """The folded form of `text` (same length as `text`; spaces not yet collapsed)."""
    # "İ" is the one code point whose lowercase is two; fold it to "i" to keep offsets.
    low = text.replace("\u0130", "I").lower()
    low = _WHITESPACE.sub(" ", low)
    if not low.isascii():
        low = _HYPHENS.sub("-", _APOSTROPHES.sub("'", low))
    return low


def fold_phrase(phrase: str) -> str:
    """How a list phrase is matched: folded, trimmed, inner whitespace collapsed."""
    return " ".join(fold(phrase).split())


def is_word_char(ch: str) -> bool:
    """Letters, digits and combining marks: a match may not begin or end next to one."""
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


class FoldedText:
    """The folded, whitespace-collapsed text of one document."""

    __slots__ = ("text", "_runs", "_removed")

    def __init__(self, original: str):
        folded = fold(original)
        runs = [(m.start(), m.end()) for m in _SPACE_RUN.finditer(folded)]
        self._runs: list[int] = []      # folded-view position of each kept space
        self._removed: list[int] = []   # characters dropped up to and including that run
        if runs:
            dropped = 0
            for start, end in runs:
                self._runs.append(start - dropped)
                dropped += end - start - 1
                self._removed.append(dropped)
            folded = _SPACE_RUN.sub(" ", folded)
        self.text = folded

    def original(self, pos: int) -> int:
        """The code-point offset in the original string of folded-view position `pos`."""
        i = bisect_left(self._runs, pos)   # runs whose kept space lies before pos
        return pos + (self._removed[i - 1] if i else 0)
