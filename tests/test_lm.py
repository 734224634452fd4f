"""The embedded trigram LM against pocketsphinx's own scorer, on the real en-us model."""
from __future__ import annotations

import json
import os
import shutil
import tempfile

import numpy as np
import pocketsphinx
import pytest

from unspin.lm import LanguageModel, TrigramLM, default_model_path, load_sphinx_lm
from unspin.lm.cache import cache_key, cache_root, load_trie_cached
from unspin.lm.sphinx_trie import WORD_BITS

MASK = np.uint64((1 << WORD_BITS) - 1)
TOLERANCE = 1e-3  # nats; pocketsphinx truncates to integer units of 1e-4 nats


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("lm-cache")


@pytest.fixture(scope="module")
def lm(cache_dir) -> TrigramLM:
    return load_sphinx_lm(default_model_path(), cache_dir)


@pytest.fixture(scope="module")
def sphinx():
    """pocketsphinx's NGramModel and its LogMath (base 1.0001, the model's own unit)."""
    logmath = pocketsphinx.LogMath(base=1.0001)
    model = pocketsphinx.NGramModel(pocketsphinx.Config(), logmath, str(default_model_path()))
    return model, logmath


def sphinx_ln(sphinx, words: list[str]) -> float:
    """ln P(words[-1] | words[:-1]) by pocketsphinx (its `prob` takes the word first,
    then the history, most recent word first)."""
    model, logmath = sphinx
    return logmath.log_to_ln(model.prob(list(reversed(words))))


def split3(keys: np.ndarray):
    return ((keys >> np.uint64(2 * WORD_BITS)).astype(np.int32),
            ((keys >> np.uint64(WORD_BITS)) & MASK).astype(np.int32),
            (keys & MASK).astype(np.int32))


def assert_agrees(lm, sphinx, w1, w2, w3):
    ours = lm.logprob3(w1, w2, w3)
    theirs = np.array([sphinx_ln(sphinx, [lm.words[a], lm.words[b], lm.words[c]])
                       for a, b, c in zip(w1, w2, w3)])
    worst = np.abs(ours - theirs).max()
    assert worst < TOLERANCE, worst


def test_counts_and_special_words(lm):
    assert len(lm.arrays.words) == 72547
    assert lm.arrays.bigram_keys.size > 2_000_000
    assert lm.arrays.trigram_keys.size > 1_600_000
    assert np.all(np.diff(lm.arrays.bigram_keys.astype(np.int64)) > 0)
    assert np.all(np.diff(lm.arrays.trigram_keys.astype(np.int64)) > 0)
    assert lm.words[lm.bos_id] == "<s>" and lm.words[lm.eos_id] == "</s>"
    assert "<UNK>" not in lm.vocab and "<unk>" not in lm.vocab
    assert lm.unk_id == len(lm.arrays.words)
    # Unigram probabilities (natural logs) sum to one.
    assert np.exp(np.asarray(lm.arrays.unigram_logprob, dtype=np.float64)).sum() == pytest.approx(1, abs=1e-4)
    assert isinstance(lm, LanguageModel)


def test_stored_trigrams_agree_with_pocketsphinx(lm, sphinx):
    rng = np.random.default_rng(1)
    keys = lm.arrays.trigram_keys[rng.integers(0, lm.arrays.trigram_keys.size, 1500)]
    w1, w2, w3 = split3(np.asarray(keys))
    assert lm.has_trigram(w1, w2, w3).all()
    assert_agrees(lm, sphinx, w1, w2, w3)


def test_backoff_cases_agree_with_pocketsphinx(lm, sphinx):
    rng = np.random.default_rng(2)
    n = 1500
    keys = np.asarray(lm.arrays.bigram_keys)[rng.integers(0, lm.arrays.bigram_keys.size, n)]
    # History (w1 w2) is a stored bigram, w3 random: mostly trigram misses, some bigram misses.
    w1 = (keys >> np.uint64(WORD_BITS)).astype(np.int32)
    w2 = (keys & MASK).astype(np.int32)
    w3 = rng.integers(0, lm.unk_id, n).astype(np.int32)
    # Also (w2 w3) stored but w1 random: the trigram is absent, the bigram present.
    v1 = rng.integers(0, lm.unk_id, n).astype(np.int32)
    v2, v3 = w1, w2
    hit3 = lm.has_trigram(w1, w2, w3)
    assert (~hit3).sum() > n * 0.9 and lm.has_bigram(v2, v3).all()
    assert 0.05 * n < (~lm.has_bigram(w2, w3)).sum() < n
    assert_agrees(lm, sphinx, w1, w2, w3)
    assert_agrees(lm, sphinx, v1, v2, v3)
    # Entirely random triples.
    r = rng.integers(0, lm.unk_id, (3, 1000)).astype(np.int32)
    assert_agrees(lm, sphinx, *r)


def test_bigram_and_unigram_scores_agree_with_pocketsphinx(lm, sphinx):
    rng = np.random.default_rng(3)
    keys = np.asarray(lm.arrays.bigram_keys)[rng.integers(0, lm.arrays.bigram_keys.size, 500)]
    w1 = np.concatenate([(keys >> np.uint64(WORD_BITS)).astype(np.int32),
                         rng.integers(0, lm.unk_id, 500).astype(np.int32)])
    w2 = np.concatenate([(keys & MASK).astype(np.int32),
                         rng.integers(0, lm.unk_id, 500).astype(np.int32)])
    ours = lm.logprob2(w1, w2)
    theirs = [sphinx_ln(sphinx, [lm.words[a], lm.words[b]]) for a, b in zip(w1, w2)]
    assert np.abs(ours - theirs).max() < TOLERANCE
    ours1 = lm.logprob1(w2)
    theirs1 = [sphinx_ln(sphinx, [lm.words[b]]) for b in w2]
    assert np.abs(ours1 - theirs1).max() < TOLERANCE


def test_unknown_words(lm, sphinx):
    assert lm.word_id("qzxvbn") == lm.unk_id
    assert lm.word_id("House") == lm.vocab["house"]  # looked up lowercased
    assert lm.ids(["The", "1999", "house"]).tolist() == [lm.vocab["the"], lm.unk_id,
                                                        lm.vocab["house"]]
    # An unknown word in the history backs off exactly as pocketsphinx does.
    for w1, w2, w3 in [("qzxvbn", "white", "house"), ("the", "qzxvbn", "house"),
                       ("qzxvbn", "qzxvbn", "said")]:
        ours = float(lm.logprob3(*(lm.word_id(w) for w in (w1, w2, w3))))
        assert ours == pytest.approx(sphinx_ln(sphinx, [w1, w2, w3]), abs=TOLERANCE)
    # pocketsphinx gives an unknown word log-zero; we give it the rarest word's score.
    model, logmath = sphinx
    assert model.prob(["qzxvbn", "the"]) == logmath.get_zero()
    unk = float(lm.logprob2(lm.vocab["the"], lm.unk_id))
    assert unk == pytest.approx(lm.unk_logprob + float(lm.arrays.unigram_backoff[lm.vocab["the"]]),
                                abs=1e-5)
    assert -30 < lm.unk_logprob < -15


def test_sentence_logprob_is_the_sum_pocketsphinx_gives(lm, sphinx):
    words = "the president said that the white house would not comment".split()
    framed = ["<s>"] + words + ["</s>"]
    theirs = sum(sphinx_ln(sphinx, framed[max(0, i - 2):i + 1]) for i in range(1, len(framed)))
    assert lm.sentence_logprob(words) == pytest.approx(theirs, abs=TOLERANCE * len(framed))
    bare = sum(sphinx_ln(sphinx, words[max(0, i - 2):i + 1]) for i in range(len(words)))
    assert lm.sentence_logprob(words, bos=False, eos=False) == pytest.approx(bare, abs=0.01)
    assert lm.sequence_logprobs(lm.ids(words)).shape == (len(words) + 1,)
    assert lm.sentence_logprob([], bos=True, eos=True) == pytest.approx(
        float(lm.logprob2(lm.bos_id, lm.eos_id)))


@pytest.mark.parametrize("original, spun", [
    ("white house", "white home"),
    ("associated press", "related press"),
    ("deep learning", "profound learning"),
    ("foreign ministry", "international ministry"),
])
def test_collocations_beat_their_spun_versions(lm, original, spun):
    frame = "officials at the {} said on tuesday"
    assert lm.sentence_logprob(frame.format(original).split()) > \
        lm.sentence_logprob(frame.format(spun).split()) + 2.0
    a, b = (lm.ids(p.split()) for p in (original, spun))
    assert lm.logprob2(*a) > lm.logprob2(*b)


def test_vectorised_shapes(lm):
    ids = lm.ids("the white house".split())
    grid = np.tile(ids, (4, 5, 1))
    out = lm.logprob3(grid[..., 0], grid[..., 1], grid[..., 2])
    assert out.shape == (4, 5)
    assert np.all(out == out[0, 0])
    assert np.ndim(lm.logprob3(*ids)) == 0
    assert lm.has_bigram(ids[1:2], ids[2:3]).dtype == bool


# ----- cache -----

def test_cache_is_reused_memory_mapped(lm, cache_dir):
    folder = cache_dir / cache_key(default_model_path())
    manifest = folder / "manifest.json"
    stamp = manifest.stat().st_mtime_ns
    again = load_sphinx_lm(default_model_path(), cache_dir)
    assert manifest.stat().st_mtime_ns == stamp  # not rewritten
    assert isinstance(again.arrays.trigram_keys, np.memmap)
    assert os.path.samefile(again.arrays.trigram_keys.filename, folder / "trigram_keys.npy")
    assert [p.name for p in cache_dir.iterdir()] == [folder.name]  # no leftover temp folders


def test_damaged_or_half_written_cache_is_rebuilt(lm, cache_dir, tmp_path):
    key = cache_key(default_model_path())
    good = cache_dir / key
    # Truncated array file.
    shutil.copytree(good, tmp_path / "a" / key)
    victim = tmp_path / "a" / key / "trigram_logprob.npy"
    victim.write_bytes(victim.read_bytes()[:1000])
    # Half-written: no manifest yet.
    shutil.copytree(good, tmp_path / "b" / key)
    (tmp_path / "b" / key / "manifest.json").unlink()
    # Manifest that lies about a shape.
    shutil.copytree(good, tmp_path / "c" / key)
    manifest = json.loads((good / "manifest.json").read_text())
    manifest["files"]["bigram_keys"]["shape"] = [5]
    (tmp_path / "c" / key / "manifest.json").write_text(json.dumps(manifest))
    w = lm.ids("the white house".split())
    expected = float(lm.logprob3(*w))
    for sub in "abc":
        fresh = load_sphinx_lm(default_model_path(), tmp_path / sub)
        assert float(fresh.logprob3(*w)) == expected
        assert json.loads((tmp_path / sub / key / "manifest.json").read_text()) == \
            json.loads((good / "manifest.json").read_text())
    assert victim.stat().st_size == (good / "trigram_logprob.npy").stat().st_size


def test_unwritable_cache_falls_back_without_error(lm, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    arrays, _ = load_trie_cached(default_model_path(), blocker / "cache")
    assert isinstance(arrays.bigram_keys, np.memmap)  # cached in the temp folder instead
    assert any((tmp_path / "tmp").iterdir())
    # Temp folder unwritable too: the arrays stay in memory.
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    arrays, slots = load_trie_cached(default_model_path(), blocker / "cache")
    assert not isinstance(arrays.bigram_keys, np.memmap)
    assert np.array_equal(arrays.trigram_keys, lm.arrays.trigram_keys)
    assert np.array_equal(slots["trigram_slots"], np.asarray(lm._trigrams.slots))


def test_cache_root_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_CACHE_DIR", str(tmp_path / "x"))
    assert cache_root() == tmp_path / "x"
    monkeypatch.delenv("UNSPIN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "unspin"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "unspin"
