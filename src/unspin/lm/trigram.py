"""A vectorised back-off trigram scorer over sorted numpy key arrays.

All scores are natural logs (nats). Every method takes numpy arrays of word ids of any
(equal, or broadcastable) shape and returns a float32 array of that shape, so scoring a
thousand candidate windows is one call, not a thousand.

Back-off follows pocketsphinx's trie scorer exactly:

    ln P(w3 | w1 w2) = trigram(w1 w2 w3)                         if listed, else
                       backoff(w1 w2) + bigram(w2 w3)           if (w2 w3) listed, else
                       backoff(w1 w2) + backoff(w2) + unigram(w3)

where a backoff weight of an unlisted history is 0.

Unknown words. The Sphinx en-us model is lowercase, has no digits, and has no `<UNK>`
entry (pocketsphinx gives an unknown word log-probability "zero", about -53,687 nats, and
scores a history only up to its first unknown word). Here an unknown word gets the extra
id `unk_id` (= number of model words): it appears in no bigram or trigram, has backoff 0,
so a history containing it backs off exactly as pocketsphinx does, and its own
log-probability is `unk_logprob`, by default that of the rarest word in the model
(about -21.8 nats) so that one unknown word does not swamp a sentence's score.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .hashindex import KeyIndex
from .sphinx_trie import WORD_BITS, TrieArrays

_SHIFT1 = np.uint64(WORD_BITS)
_SHIFT2 = np.uint64(2 * WORD_BITS)
BOS = "<s>"
EOS = "</s>"


class TrigramLM:
    """Back-off trigram language model with vectorised look-ups (natural-log scores).

    Attributes: `vocab` (word -> id), `words` (id -> word; `words[unk_id]` is "<unk>"),
    `bos_id`, `eos_id`, `unk_id`, `unk_logprob`.
    """

    def __init__(self, arrays: TrieArrays, slots: dict[str, np.ndarray] | None = None,
                 unk_logprob: float | None = None):
        """`slots`: prebuilt hash tables ("bigram_slots", "trigram_slots"), else built here."""
        self.arrays = arrays
        self.words: list[str] = list(arrays.words) + ["<unk>"]
        self.unk_id = len(arrays.words)
        self.vocab: dict[str, int] = {w: i for i, w in enumerate(arrays.words)}
        self.bos_id = self.vocab[BOS]
        self.eos_id = self.vocab[EOS]
        unigram = np.asarray(arrays.unigram_logprob, dtype=np.float32)
        if unk_logprob is None:
            real = np.delete(unigram, self.bos_id)  # P(<s>) is a -99 log10 placeholder
            unk_logprob = float(real.min())
        self.unk_logprob = float(unk_logprob)
        self._uni = np.append(unigram, np.float32(self.unk_logprob))
        self._uni_bo = np.append(np.asarray(arrays.unigram_backoff, dtype=np.float32),
                                 np.float32(0.0))
        # Plain ndarray views of the (possibly memory-mapped) arrays: np.memmap results
        # carry subclass overhead on every operation.
        slots = slots or {}
        self._bigrams = KeyIndex(np.asarray(arrays.bigram_keys), slots.get("bigram_slots"))
        self._bi_lp = np.asarray(arrays.bigram_logprob)
        self._bi_bo = np.asarray(arrays.bigram_backoff)
        self._trigrams = KeyIndex(np.asarray(arrays.trigram_keys), slots.get("trigram_slots"))
        self._tri_lp = np.asarray(arrays.trigram_logprob)

    # ----- words and ids -----
    def word_id(self, word: str) -> int:
        """Id of `word` (tried as given, then lowercased), or `unk_id`."""
        wid = self.vocab.get(word)
        if wid is None:
            wid = self.vocab.get(word.lower(), self.unk_id)
        return wid

    def ids(self, words: Sequence[str]) -> np.ndarray:
        """Ids of `words` as an int32 array; unknown words map to `unk_id`."""
        get = self.vocab.get
        unk = self.unk_id
        out = [get(w) for w in words]
        for i, wid in enumerate(out):
            if wid is None:
                out[i] = get(words[i].lower(), unk)
        return np.asarray(out, dtype=np.int32)

    # ----- keys -----
    @staticmethod
    def _key2(w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
        return (np.asarray(w1).astype(np.uint64) << _SHIFT1) | np.asarray(w2).astype(np.uint64)

    @staticmethod
    def _key3(w1: np.ndarray, w2: np.ndarray, w3: np.ndarray) -> np.ndarray:
        return ((np.asarray(w1).astype(np.uint64) << _SHIFT2)
                | (np.asarray(w2).astype(np.uint64) << _SHIFT1)
                | np.asarray(w3).astype(np.uint64))

    # ----- scores -----
    def logprob1(self, w) -> np.ndarray:
        """ln P(w)."""
        return self._uni[np.asarray(w)]

    def logprob2(self, w1, w2) -> np.ndarray:
        """ln P(w2 | w1), backing off to backoff(w1) + ln P(w2)."""
        w1, w2 = np.broadcast_arrays(np.asarray(w1), np.asarray(w2))
        idx, hit = self._bigrams.find(self._key2(w1, w2))
        return np.where(hit, self._bi_lp[idx], self._uni_bo[w1] + self._uni[w2])

    def logprob3(self, w1, w2, w3) -> np.ndarray:
        """ln P(w3 | w1 w2) with Katz back-off as pocketsphinx computes it."""
        w1, w2, w3 = np.broadcast_arrays(np.asarray(w1), np.asarray(w2), np.asarray(w3))
        k23 = self._key2(w2, w3)
        # One probe of the bigram table for both (w2 w3) and the history (w1 w2).
        i2, hit2 = self._bigrams.find(np.stack([k23, self._key2(w1, w2)]))
        (i23, i12), (hit23, hit12) = i2, hit2
        i3, hit3 = self._trigrams.find((w1.astype(np.uint64) << _SHIFT2) | k23)
        backoff12 = np.where(hit12, self._bi_bo[i12], np.float32(0.0))
        lower = np.where(hit23, self._bi_lp[i23], self._uni_bo[w2] + self._uni[w3])
        return np.where(hit3, self._tri_lp[i3], lower + backoff12)

    def has_bigram(self, w1, w2) -> np.ndarray:
        """Whether the bigram (w1 w2) is stored in the model (bool array)."""
        return self._bigrams.find(self._key2(w1, w2))[1]

    def has_trigram(self, w1, w2, w3) -> np.ndarray:
        """Whether the trigram (w1 w2 w3) is stored in the model (bool array)."""
        return self._trigrams.find(self._key3(w1, w2, w3))[1]

    def sequence_logprobs(self, ids: np.ndarray, bos: bool = True, eos: bool = True) -> np.ndarray:
        """Per-word ln P(w_i | two previous words) for an id sequence (float32 array).

        With `bos`, the sequence is scored after "<s>"; with `eos`, the last entry is the
        score of "</s>" after it.
        """
        ids = np.asarray(ids, dtype=np.int32).ravel()
        seq = np.concatenate([[self.bos_id] if bos else [], ids, [self.eos_id] if eos else []])
        seq = seq.astype(np.int32)
        start = 1 if bos else 0
        out = np.empty(seq.size - start, dtype=np.float32)
        if out.size == 0:
            return out
        pos = np.arange(start, seq.size)
        head = pos[pos < 2]  # positions with fewer than two words of history
        for p in head:
            out[p - start] = (self.logprob1(seq[p]) if p == 0
                              else self.logprob2(seq[p - 1], seq[p]))
        tail = pos[pos >= 2]
        if tail.size:
            out[tail - start] = self.logprob3(seq[tail - 2], seq[tail - 1], seq[tail])
        return out

    def sentence_logprob(self, words: Sequence[str], bos: bool = True, eos: bool = True) -> float:
        """ln P(words) as one sentence (natural log), optionally framed by <s> ... </s>."""
        return float(self.sequence_logprobs(self.ids(words), bos, eos).sum(dtype=np.float64))
