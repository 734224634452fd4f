"""Spinner rewrite rules: phrase-level rewrites a thesaurus does not list.

Article spinners rewrite function words ("before" → "earlier than"), modals ("would" → "will"),
tenses ("were" → "had been"), contractions, abbreviations ("year" → "yr") and nationality
adjectives ("Chinese" → "Chinese language"). The table lives in data/rewrites.tsv, joined by
the pairs real spinners were seen writing (lexicon.py, family "observed"); each rule proposes
candidates that the language model then judges like any thesaurus candidate.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from .lexicon import derived_from_heldout, spinner_lexicon

# "Chinese language President" is a spinner's rendering of "Chinese President".
NATIONALITIES = (
    "afghan albanian algerian american arabic argentine armenian australian austrian belgian "
    "brazilian british bulgarian canadian chilean chinese colombian croatian cuban czech danish "
    "dutch egyptian english estonian ethiopian filipino finnish french georgian german greek "
    "hungarian indian indonesian iranian iraqi irish israeli italian japanese jordanian kenyan "
    "korean latvian lebanese libyan lithuanian malaysian mexican mongolian moroccan nigerian "
    "norwegian pakistani palestinian persian peruvian polish portuguese romanian russian saudi "
    "scottish serbian singaporean slovak somali spanish sudanese swedish swiss syrian taiwanese "
    "thai tibetan turkish ukrainian venezuelan vietnamese welsh yemeni"
).split()


@dataclass(frozen=True, slots=True)
class Rewrite:
    original: str       # lowercase phrase
    family: str         # function, modal, tense, …, nationality, observed (lexicon.py)
    fanout: float = 10.0  # the channel: a rule is one of about ten rewrites of its original


@lru_cache(maxsize=4)
def rewrite_table(hidden: frozenset = frozenset()) -> dict[str, tuple[Rewrite, ...]]:
    """observed phrase (lowercase) → the originals a spinner may have rewritten into it;
    `hidden`: development pairs to leave out with every rule derived from them."""
    table: dict[str, list[Rewrite]] = {}
    text = (files("unspin") / "data" / "rewrites.tsv").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        if not line.strip() or line.startswith("#") or line.startswith("observed\t"):
            continue
        observed, originals, family = line.split("\t")
        for original in originals.split("|"):
            if not derived_from_heldout(observed, original, hidden):
                table.setdefault(observed, []).append(Rewrite(original, family))
    for nationality in NATIONALITIES:
        table.setdefault(f"{nationality} language", []).append(Rewrite(nationality, "nationality"))
    for observed, originals in spinner_lexicon(hidden).items():
        rules = table.setdefault(observed, [])
        for original, fanout in originals:
            same = [j for j, rw in enumerate(rules) if rw.original == original]
            if same:        # a rule real spinners were seen applying: its family, their channel
                rw = rules[same[0]]
                rules[same[0]] = Rewrite(original, rw.family, min(rw.fanout, fanout))
            else:
                rules.append(Rewrite(original, "observed", fanout))
    return {k: tuple(v) for k, v in table.items()}


#: Words in the longest observed phrase of the table (the core looks spans up to this long).
MAX_RULE_WORDS = max(key.count(" ") + 1 for key in rewrite_table())
