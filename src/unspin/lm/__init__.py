"""Language-model backends behind one small interface (`LanguageModel`).

The embedded default is the CMU Sphinx en-us trigram model shipped in the `pocketsphinx`
wheel, converted once into memory-mapped numpy arrays (see docs/lm.md).
"""
from __future__ import annotations

from pathlib import Path

from .base import LanguageModel
from .trigram import TrigramLM

__all__ = ["LanguageModel", "TrigramLM", "default_model_path", "load_default_lm", "load_sphinx_lm"]


def default_model_path() -> Path:
    """Path of the en-us trigram model inside the installed pocketsphinx package."""
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us" / "en-us.lm.bin"


def load_sphinx_lm(model_path: str | Path, cache_dir: str | Path | None = None,
                   unk_logprob: float | None = None) -> TrigramLM:
    """A `TrigramLM` over a Sphinx trie model file, converting it once into the cache."""
    from .cache import load_trie_cached

    arrays, slots = load_trie_cached(model_path, cache_dir)
    return TrigramLM(arrays, slots, unk_logprob=unk_logprob)


def load_default_lm(cache_dir: str | Path | None = None) -> TrigramLM:
    """The embedded English trigram model (first call converts, ~1-2 s; later calls mmap)."""
    return load_sphinx_lm(default_model_path(), cache_dir)
