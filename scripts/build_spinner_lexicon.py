#!/usr/bin/env python3
"""Compile the real spinner development pairs into src/unspin/data/spinner_lexicon.tsv.

The pairs (../shared/data/spinner_pairs/news_dev_pairs.tsv) are what real news spinners wrote
for what: a learned channel, P(spun | original) of a fixed preferred synonym. Each pair is kept
with its count and its half (unspin.data_splits.dev_pair_half), so the detector can
leave the held-out half out when it is measured on it (UNSPIN_HOLD_OUT=dev-pairs); a pair seen
more than once is also re-inflected ("mentioned" for "said" teaches "mentions" for "says").

    python scripts/build_spinner_lexicon.py [PAIRS_TSV]
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from lemminflect import getAllInflections, getAllLemmas

from unspin.data_splits import dev_pair_half

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT.parent / "shared" / "data" / "spinner_pairs" / "news_dev_pairs.tsv"
OUT = ROOT / "src" / "unspin" / "data" / "spinner_lexicon.tsv"
MAX_WORDS = 4                        # the longest span the decoder scores (candidates.MAX_SPAN)
_PHRASE = re.compile(r"[a-z][a-z'-]*(?: [a-z][a-z'-]*)*")
# which word of a phrase carries the inflection: verbs inflect first ("got here"), nouns last
_HEAD = {"VERB": 0, "NOUN": -1, "ADJ": -1}


def forms(word: str, upos: str) -> dict[str, str]:
    """tag -> inflected form, for every lemma of `word` in part of speech `upos` whose
    inflections include `word` itself."""
    out = {}
    for lemma in getAllLemmas(word).get(upos, ()):
        table = getAllInflections(lemma, upos=upos)
        if any(word in v for v in table.values()):
            out.update({tag: v[0] for tag, v in table.items()})
    return out


def inflected(spun: str, original: str) -> set[tuple[str, str]]:
    """Other inflections of a pair: the head words of both sides inflected alike, for every
    tag the written forms share (so "mentioned"/"said" gives "mentions"/"says", never
    "mentions"/"said")."""
    out = set()
    s_words, o_words = spun.split(), original.split()
    for upos, head in _HEAD.items():
        s_forms, o_forms = forms(s_words[head], upos), forms(o_words[head], upos)
        shared = [t for t in s_forms if t in o_forms and s_forms[t] == s_words[head]
                  and o_forms[t] == o_words[head]]
        if not shared:
            continue
        for tag in s_forms.keys() & o_forms.keys():
            s2, o2 = list(s_words), list(o_words)
            s2[head], o2[head] = s_forms[tag], o_forms[tag]
            if (s2 == s_words) == (o2 == o_words):     # both change, or neither
                out.add((" ".join(s2), " ".join(o2)))
    out.discard((spun, original))
    return out


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else PAIRS
    if not path.exists():
        raise SystemExit(f"build_spinner_lexicon: {path} not found (the shared development pairs)")
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    seen: dict[tuple[str, str], tuple[int, str, str]] = {}
    for r in rows:
        spun = r["spun"].strip().lower()
        half = dev_pair_half(r["spun"])
        originals = [r["original"]] + [a for a in r["also_acceptable"].split("|") if a not in ("", "=")]
        for original in (o.strip().lower() for o in originals):
            if (spun == original or not _PHRASE.fullmatch(spun) or not _PHRASE.fullmatch(original)
                    or max(spun.count(" "), original.count(" ")) + 1 > MAX_WORDS):
                continue            # punctuation inside, or longer than the decoder can score
            key = (spun, original)
            count = seen.get(key, (0, half, "seen"))[0] + int(r["count"])
            seen[key] = (count, half, "seen")
            if int(r["count"]) >= 2:       # a one-off pair is not re-inflected: "methods" ->
                for pair in sorted(inflected(spun, original)):    # "systems" once is no rule
                    seen.setdefault(pair, (0, half, "inflected"))
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write("# Real news-spinner substitutions (the shared development pairs), compiled by\n"
                 "# scripts/build_spinner_lexicon.py. count: times seen (0: a re-inflection).\n"
                 "observed\toriginal\tcount\thalf\thow\n")
        for (spun, original), (count, half, how) in sorted(seen.items()):
            fh.write(f"{spun}\t{original}\t{count}\t{half}\t{how}\n")
    kinds = [v[2] for v in seen.values()]
    print(f"{OUT.name}: {kinds.count('seen')} observed pairs + {kinds.count('inflected')} "
          f"re-inflections, {sum(v[1] == 'heldout' for v in seen.values())} in the held-out half")


if __name__ == "__main__":
    main(sys.argv[1:])
