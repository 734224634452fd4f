"""The interface every language-model backend offers to the scorer and decoder."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class LanguageModel(Protocol):
    """A word-level n-gram scorer; all scores are natural logs (nats).

    The score methods take integer id arrays of equal shape (from `ids`) and return a
    float array of that shape, so callers batch their queries.
    """

    vocab: dict[str, int]
    words: list[str]
    bos_id: int
    eos_id: int
    unk_id: int

    def word_id(self, word: str) -> int: ...

    def ids(self, words: Sequence[str]) -> np.ndarray: ...

    def logprob1(self, w) -> np.ndarray: ...

    def logprob2(self, w1, w2) -> np.ndarray: ...

    def logprob3(self, w1, w2, w3) -> np.ndarray: ...

    def has_bigram(self, w1, w2) -> np.ndarray: ...

    def has_trigram(self, w1, w2, w3) -> np.ndarray: ...

    def sentence_logprob(self, words: Sequence[str], bos: bool = True,
                         eos: bool = True) -> float: ...
