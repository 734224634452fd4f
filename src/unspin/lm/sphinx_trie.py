"""Read a CMU Sphinx binary trie language model ("Trie Language Model") into numpy arrays.

The file layout (pocketsphinx >= 5, sphinxbase >= 5prealpha; all little-endian):

    "Trie Language Model"          19 bytes, no terminator
    order                          uint8 (3 for the en-us model)
    counts[order]                  uint32 each: unigrams, bigram and trigram *slots*
    quantiser                      int32 (ignored), then float32 tables of 65,536 entries:
                                   bigram prob, bigram backoff, trigram prob
    unigrams[counts[0] + 1]        {float32 prob, float32 backoff, uint32 next}; the last
                                   one is a sentinel whose `next` ends the bigram range
    bigram level (bit-packed)      per entry: word (w bits), backoff code (16), prob code
                                   (16), next (p bits) -> start of its trigram children
    trigram level (bit-packed)     per entry: word (w bits), prob code (16)
    word strings                   int32 byte count, then NUL-terminated words in id order

Bit fields are packed least-significant bit first, entry after entry, with no alignment; w is
the number of bits needed for the largest word id, p for the largest trigram index.

The trie is *reversed*, as in KenLM: a unigram node is the predicted word, its bigram
children are keyed by the previous word, their trigram children by the word before that.
So the bigram entry under unigram `b` with word `a` holds ln P(b | a) and the backoff
weight of the history "a b"; the trigram entry under (c, b) with word `a` holds
ln P(c | a b).

pocketsphinx stores every log-probability as a float in units of log base 1.0001 (its
default LogMath base) and decodes quantised values by table look-up; we do the same look-up
and then multiply by ln(1.0001), so everything this module returns is in natural logs
(nats).

The trie also holds "blank" bigrams that the original ARPA model did not list: pocketsphinx
inserts them so that a trigram is reachable when its suffix bigram was pruned; their
probability is the backoff estimate P(b) + backoff(a) and their backoff is (the quantised
value of) zero, so scoring with them gives exactly pocketsphinx's scores.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TRIE_HEADER = b"Trie Language Model"
LOG_BASE = 1.0001
NATS_PER_UNIT = float(np.log(LOG_BASE))
WORD_BITS = 21  # bits per word id in the packed n-gram keys: ids must be < 2**21
QUANT_BITS = 16
QUANT_TABLE = 1 << QUANT_BITS


class TrieFormatError(ValueError):
    """The file is not a Sphinx trie language model this reader understands."""


@dataclass(frozen=True)
class TrieArrays:
    """A trigram model as flat arrays; log-probabilities in nats, float32.

    words:            vocabulary, index = word id (sorted as in the file)
    unigram_logprob:  ln P(w), shape (V,)
    unigram_backoff:  ln backoff(w), shape (V,)
    bigram_keys:      sorted uint64 keys w1 << 21 | w2, shape (N2,)
    bigram_logprob:   ln P(w2 | w1) for each key
    bigram_backoff:   ln backoff(w1 w2) for each key
    trigram_keys:     sorted uint64 keys w1 << 42 | w2 << 21 | w3, shape (N3,)
    trigram_logprob:  ln P(w3 | w1 w2) for each key
    """

    words: list[str]
    unigram_logprob: np.ndarray
    unigram_backoff: np.ndarray
    bigram_keys: np.ndarray
    bigram_logprob: np.ndarray
    bigram_backoff: np.ndarray
    trigram_keys: np.ndarray
    trigram_logprob: np.ndarray


def required_bits(max_value: int) -> int:
    """Bits needed to store `max_value` (0 needs 0 bits), as pocketsphinx counts them."""
    return int(max_value).bit_length()


def unpack_fields(buf: np.ndarray, n: int, entry_bits: int,
                  fields: list[tuple[int, int]]) -> list[np.ndarray]:
    """Extract bit fields from `n` packed fixed-width entries, without a Python loop per entry.

    `buf` is a uint8 array with at least 8 readable bytes past the last field; `fields`
    lists (bit offset inside the entry, width <= 57). Entries repeat their byte alignment
    every `period` entries, so each (residue, field) pair is an arithmetic progression of
    byte addresses: read it as a strided (m, 8) byte view, copy it contiguous and view it
    as little-endian uint64.
    """
    period = 8 // np.gcd(entry_bits, 8)
    period_bytes = entry_bits * period // 8
    out = [np.empty(n, dtype=np.uint32) for _ in fields]
    for r in range(min(period, n)):
        m = (n - r + period - 1) // period
        for k, (offset, width) in enumerate(fields):
            bit = r * entry_bits + offset
            start = bit >> 3
            if start + (m - 1) * period_bytes + 8 > buf.size:
                raise TrieFormatError("bit-packed n-gram level is truncated")
            view = np.lib.stride_tricks.as_strided(
                buf[start:], shape=(m, 8), strides=(period_bytes, 1), writeable=False)
            words = np.ascontiguousarray(view).view("<u8").ravel()
            out[k][r::period] = (words >> np.uint64(bit & 7)) & np.uint64((1 << width) - 1)
    return out


def read_trie(path: str | Path) -> TrieArrays:
    """Parse a Sphinx trigram trie file into `TrieArrays` (natural logs, sorted keys)."""
    raw = Path(path).read_bytes()
    if not raw.startswith(TRIE_HEADER):
        raise TrieFormatError(f"{path}: not a Sphinx trie language model (bad header)")
    pos = len(TRIE_HEADER)
    order = raw[pos]
    pos += 1
    if order != 3:
        raise TrieFormatError(f"{path}: only trigram models are supported, found order {order}")
    n1, n2, n3 = struct.unpack_from("<3I", raw, pos)
    pos += 12 + 4  # counts, then the unused quantiser-type int
    if n1 >= 1 << WORD_BITS:
        raise TrieFormatError(f"{path}: vocabulary of {n1} words does not fit {WORD_BITS}-bit ids")

    tables = np.frombuffer(raw, dtype="<f4", count=3 * QUANT_TABLE, offset=pos)
    pos += tables.nbytes
    bigram_prob_bins = tables[:QUANT_TABLE]
    bigram_backoff_bins = tables[QUANT_TABLE:2 * QUANT_TABLE]
    trigram_prob_bins = tables[2 * QUANT_TABLE:]

    unigrams = np.frombuffer(raw, dtype=[("prob", "<f4"), ("backoff", "<f4"), ("next", "<u4")],
                             count=n1 + 1, offset=pos)
    pos += unigrams.nbytes

    word_bits = required_bits(n1)
    next_bits = required_bits(n3)
    bigram_entry_bits = word_bits + 2 * QUANT_BITS + next_bits
    trigram_entry_bits = word_bits + QUANT_BITS
    # Each level has one extra entry (the end pointer) and 8 bytes of read-ahead padding.
    bigram_bytes = ((1 + n2) * bigram_entry_bits + 7) // 8 + 8
    trigram_bytes = ((1 + n3) * trigram_entry_bits + 7) // 8 + 8
    packed = np.frombuffer(raw, dtype=np.uint8, count=bigram_bytes + trigram_bytes, offset=pos)
    pos += packed.size
    (n_chars,) = struct.unpack_from("<i", raw, pos)
    pos += 4
    blob = raw[pos:pos + n_chars]
    if len(blob) != n_chars:
        raise TrieFormatError(f"{path}: word list is truncated")
    words = blob.decode("utf-8").split("\0")[:-1]
    if len(words) != n1:
        raise TrieFormatError(f"{path}: {len(words)} word strings for {n1} unigrams")

    # Used slots: the sentinel unigram ends the bigrams, the end entry of the bigram level
    # ends the trigrams. The header counts may include a few unused slots.
    unigram_next = unigrams["next"].astype(np.int64)
    n_bigrams = int(unigram_next[-1])
    bigram_mem = packed[:bigram_bytes]
    w1, bo_code, p_code, child = unpack_fields(
        bigram_mem, n_bigrams + 1, bigram_entry_bits,
        [(0, word_bits), (word_bits, QUANT_BITS), (word_bits + QUANT_BITS, QUANT_BITS),
         (word_bits + 2 * QUANT_BITS, next_bits)])
    n_trigrams = int(child[n_bigrams])
    if n_bigrams > n2 or n_trigrams > n3 or np.any(np.diff(unigram_next) < 0):
        raise TrieFormatError(f"{path}: inconsistent n-gram pointers")
    w1, bo_code, p_code, child = (a[:n_bigrams + 1] for a in (w1, bo_code, p_code, child))

    # Bigram entry j sits under the unigram (its predicted word w2) whose range holds j.
    w2 = np.repeat(np.arange(n1, dtype=np.uint64), np.diff(unigram_next))
    bigram_w1 = w1[:n_bigrams].astype(np.uint64)
    bigram_keys = (bigram_w1 << np.uint64(WORD_BITS)) | w2
    bigram_logprob = bigram_prob_bins[p_code[:n_bigrams]] * np.float32(NATS_PER_UNIT)
    bigram_backoff = bigram_backoff_bins[bo_code[:n_bigrams]] * np.float32(NATS_PER_UNIT)

    trigram_mem = packed[bigram_bytes:]
    t_word, t_code = unpack_fields(trigram_mem, n_trigrams, trigram_entry_bits,
                                   [(0, word_bits), (word_bits, QUANT_BITS)])
    child = child.astype(np.int64)
    parent = np.repeat(np.arange(n_bigrams, dtype=np.int64), np.diff(child))
    # Trigram w1 w2 w3: w3 is the parent's unigram, w2 the parent's word, w1 our word.
    trigram_keys = ((t_word.astype(np.uint64) << np.uint64(2 * WORD_BITS))
                    | (bigram_w1[parent] << np.uint64(WORD_BITS)) | w2[parent])
    trigram_logprob = trigram_prob_bins[t_code] * np.float32(NATS_PER_UNIT)

    order2 = np.argsort(bigram_keys, kind="stable")
    order3 = np.argsort(trigram_keys, kind="stable")
    return TrieArrays(
        words=words,
        unigram_logprob=(unigrams["prob"][:n1] * np.float32(NATS_PER_UNIT)).astype(np.float32),
        unigram_backoff=(unigrams["backoff"][:n1] * np.float32(NATS_PER_UNIT)).astype(np.float32),
        bigram_keys=bigram_keys[order2],
        bigram_logprob=bigram_logprob[order2].astype(np.float32),
        bigram_backoff=bigram_backoff[order2].astype(np.float32),
        trigram_keys=trigram_keys[order3],
        trigram_logprob=trigram_logprob[order3].astype(np.float32),
    )
