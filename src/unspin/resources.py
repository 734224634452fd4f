"""Process-wide, lazily loaded resources, shared by every Detector in the process."""
from __future__ import annotations

import threading
from functools import lru_cache

_lock = threading.Lock()


@lru_cache(maxsize=8)
def _fingerprints(lists: tuple[str, ...]):
    from .fingerprints import FingerprintIndex
    return FingerprintIndex.load(lists)


def fingerprint_index(lists: tuple[str, ...] = ()):
    with _lock:
        return _fingerprints(tuple(lists))


@lru_cache(maxsize=1)
def _lm():
    from .lm import load_default_lm
    return load_default_lm()


def language_model():
    with _lock:
        return _lm()


@lru_cache(maxsize=1)
def _thesaurus():
    from .thesaurus import load_thesaurus
    return load_thesaurus()


def thesaurus():
    with _lock:
        return _thesaurus()


@lru_cache(maxsize=1)
def _candidates():
    from .candidates import CandidateTable
    return CandidateTable(_lm(), _thesaurus())


def candidate_table():
    """The per-process candidate table (built once, under the lock, also from server threads)."""
    with _lock:
        return _candidates()


def describe_resources() -> str:
    from importlib.resources import files
    return (files("unspin") / "data" / "README.md").read_text(encoding="utf-8")
