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

_FOLD = {cp: " " for cp in range(0x3001) if chr(cp).isspace()}
_FOLD.update({ord(c): "'" for c in "\u2019\u2018\u02bc\u2032"})
_FOLD.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2212"})
_FOLD = str.maketrans(_FOLD)
_SPACE_RUN = re.compile(r" {2,}")


def fold(text: str) -> str:
    """The folded form of `text` (same length as `text`; spaces not yet collapsed)."""
    low = text.lower()
    if len(low) != len(text):
        # A few characters lowercase to two ("İ"); keep those as they are so offsets hold.
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low.translate(_FOLD)


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
