"""Observed spinner choices: what real news spinners wrote, and for what.

A thesaurus offers an original dozens of synonyms; a real spinner writes one, always the same.
So a pair seen in real spun text is a learned channel: it has the probability of a fixed
preferred synonym, not one in fanout(original). The table (data/spinner_lexicon.tsv) is
compiled from the shared development pairs by scripts/build_spinner_lexicon.py. With
UNSPIN_HOLD_OUT=dev-pairs in the environment its held-out half is left out, so that the
benchmarks can measure the detector on real pairs it has not seen.
"""
from __future__ import annotations

import os
import warnings
from functools import lru_cache
from importlib.resources import files

HOLD_OUT_ENV = "UNSPIN_HOLD_OUT"


def holding_out_dev_pairs() -> bool:
    value = os.environ.get(HOLD_OUT_ENV, "")
    if value not in ("", "dev-pairs"):      # a typo must not silently measure the full lexicon
        warnings.warn(f"{HOLD_OUT_ENV}={value!r} is not understood (the one value is "
                      "'dev-pairs'); nothing is held out", stacklevel=2)
    return value == "dev-pairs"


def fanout(count: int) -> float:
    """The channel of an observed pair as a fanout: a pair seen again and again is a spinner's
    fixed choice (like a PPS pair); one seen once, or only re-inflected from one, is weaker
    evidence ("methods" -> "systems" once does not make every "method" a spun "system")."""
    return 3.0 if count >= 2 else 6.0 if count == 1 else 10.0


def _rows() -> list[list[str]]:
    text = (files("unspin") / "data" / "spinner_lexicon.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()
            if line and not line.startswith("#") and not line.startswith("observed\t")]


def the_heldout_half() -> frozenset[tuple[str, str]]:
    """(observed, original) of the held-out half of the development pairs, always."""
    return pairs_of("heldout")


def pairs_of(half: str) -> frozenset[tuple[str, str]]:
    """(observed, original) of one half or calibration quarter (unspin.data_splits.dev_pair_half)."""
    return frozenset((r[0], r[1]) for r in _rows() if r[3] == half)


@lru_cache(maxsize=1)
def heldout_pairs() -> frozenset[tuple[str, str]]:
    """(observed, original) of the held-out half, when it is being held out (else empty):
    no rule may propose these either, or the held-out figures would measure a lookup."""
    return the_heldout_half() if holding_out_dev_pairs() else frozenset()


def _contains(phrase: str, part: str) -> bool:
    return f" {part} " in f" {phrase} "


def derived_from(observed: str, original: str, pairs) -> bool:
    """Whether a rule is, or contains, one of `pairs` ("public well being" -> "public health"
    contains "well being" -> "health")."""
    return any(_contains(observed, s) and _contains(original, o) for s, o in pairs)


def derived_from_heldout(observed: str, original: str, hidden: frozenset = frozenset()) -> bool:
    """Whether a rule is, or contains, a held-out pair while the held-out half is being held
    out (or one of `hidden`): rules were written by people who had seen the development
    pairs, so these go too."""
    return derived_from(observed, original, heldout_pairs() | hidden)


def seen_both_ways(pairs) -> set[tuple[str, str]]:
    """The (a, b) of `pairs` whose reverse (b, a) is there too, compared in lower case: a
    spinner that writes "anticipated" for "expected" and "expected" for "anticipated" swaps
    the two, and its page says nothing of which one was written."""
    lowered = {(a.lower(), b.lower()) for a, b in pairs}
    return {(a, b) for a, b in lowered if (b, a) in lowered}


@lru_cache(maxsize=4)
def spinner_lexicon(hidden: frozenset = frozenset()) -> dict[str, tuple[tuple[str, float], ...]]:
    """observed phrase (lowercase) -> (original, channel fanout) of each original real spinners
    rewrote into it (without the `hidden` pairs: calibration hides a quarter at a time).
    A pair seen in both directions ("anticipated" for "expected" and back) says only that the
    two words are swapped, not which one was written: it is left out (kept at the weakest
    channel, it still made a confident false change on a clean sentence)."""
    table: dict[str, list[tuple[str, float]]] = {}
    kept = [(observed, original, int(count)) for observed, original, count, _half, _how in _rows()
            if not derived_from_heldout(observed, original, hidden)]
    swapped = seen_both_ways((observed, original) for observed, original, _ in kept)
    for observed, original, count in kept:
        if (observed, original) not in swapped:
            table.setdefault(observed, []).append((original, fanout(count)))
    return {k: tuple(v) for k, v in table.items()}
