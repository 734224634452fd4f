"""Tokens with code-point offsets into the caller's string; sentences for the language model.

The input string is never normalised in place (that would move offsets); each token carries
a normalised lowercase form for lookups instead.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A word: letters/digits, with inner apostrophes, hyphens or dots ("don't", "on-line", "U.S").
_TOKEN = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*|[^\w\s]", re.UNICODE)
_SENTENCE_END = frozenset(".!?;:")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


@dataclass(frozen=True, slots=True)
class Token:
    text: str       # as written
    start: int      # code-point offset, inclusive
    end: int        # code-point offset, exclusive
    norm: str       # NFC, straight apostrophes, lowercase
    is_word: bool


def normalise(word: str) -> str:
    return unicodedata.normalize("NFC", word).translate(_APOSTROPHES).lower()


def tokenize(text: str) -> list[Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        t = m.group()
        tokens.append(Token(t, m.start(), m.end(), normalise(t), t[0].isalnum()))
    return tokens


def sentences(text: str, tokens: list[Token]) -> list[list[int]]:
    """Indices of word tokens, grouped into sentences (split at .!?;: and blank lines)."""
    out, current, last_end = [], [], 0
    for i, tok in enumerate(tokens):
        if current and "\n\n" in text[last_end:tok.start]:
            out.append(current)
            current = []
        last_end = tok.end
        if tok.is_word:
            current.append(i)
        elif tok.text in _SENTENCE_END and current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def count_words(text: str) -> int:
    return sum(1 for t in _TOKEN.finditer(text) if t.group()[0].isalnum())
