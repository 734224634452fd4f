"""Matching every fingerprint of the lists against a document in one Aho-Corasick pass."""
from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass
from typing import Sequence

import ahocorasick

from ..report import Edit
from .lists import PPS_LABEL, PPS_SOURCE, Fingerprint, packaged_list, read_list
from .query import Term, anchors, flagged, holds, terms
from .view import FoldedText, is_word_char

RULE = "KNOWN_TORTURED_PHRASE"
CONFIDENCE = 0.95           # the list's expected text, as given
UNSURE_CONFIDENCE = 0.6     # the list marks its expected text "(?)", or gives none


@dataclass(frozen=True, slots=True)
class Hit:
    """A fingerprint whose condition holds, and one span of its tortured phrase."""

    start: int              # code-point offsets into the document
    end: int
    fingerprint: Fingerprint
    number: int             # the fingerprint's place in the index
    exact: bool             # the phrase as listed (not a loose proximity window)


class FingerprintIndex:
    """Known tortured phrases, compiled into one automaton over every term of every query.

    Build it once per process (`unspin.resources.fingerprint_index` caches it) and call
    `find(text)` for each document.
    """

    def __init__(self, fingerprints: Sequence[Fingerprint]):
        self.fingerprints = tuple(fingerprints)
        self._term_ids: dict[Term, int] = {}
        self._words_of: dict[int, tuple[int, ...]] = {}        # proximity term -> its words
        self._flagging: dict[int, list[int]] = {}               # term -> fingerprints it can flag
        keys: dict[str, list[tuple[int, bool]]] = {}           # key -> (term, is prefix)

        def term_id(term: Term) -> int:
            if term not in self._term_ids:
                tid = self._term_ids[term] = len(self._term_ids)
                if term.is_proximity:
                    last = len(term.words) - 1
                    self._words_of[tid] = tuple(
                        term_id(Term((w,), term.prefix and i == last)) for i, w in enumerate(term.words))
                else:
                    keys.setdefault(term.text, []).append((tid, term.prefix))
            return self._term_ids[term]

        for number, fp in enumerate(self.fingerprints):
            for term in terms(fp.condition):
                term_id(term)
            for term in anchors(fp.condition):
                tid = self._term_ids[term]
                first = self._words_of[tid][0] if term.is_proximity else tid
                self._flagging.setdefault(first, []).append(number)
        # Later lists win over earlier ones (a user's list over the packaged one), then the
        # fingerprint seen in more papers.
        order = {src: i for i, src in enumerate(dict.fromkeys(f.source for f in self.fingerprints))}
        self._rank = [(-order[f.source], -f.num_papers, i) for i, f in enumerate(self.fingerprints)]

        self._terms = {tid: term for term, tid in self._term_ids.items()}
        self._automaton = ahocorasick.Automaton()
        for key, entries in keys.items():
            self._automaton.add_word(key, (len(key), is_word_char(key[0]), is_word_char(key[-1]),
                                           tuple(entries)))
        if keys:
            self._automaton.make_automaton()

    @classmethod
    def load(cls, lists: tuple[str, ...] = ()) -> "FingerprintIndex":
        """The packaged Problematic Paper Screener list, plus user lists in the same format."""
        fingerprints = packaged_list()
        for path in lists:
            fingerprints.extend(read_list(path))
        return cls(fingerprints)

    def __len__(self) -> int:
        return len(self.fingerprints)

    # -- matching ---------------------------------------------------------------------------

    def _occurrences(self, view: str) -> dict[int, list[tuple[int, int]]]:
        """Where each term occurs as whole words, in folded-view positions."""
        found: dict[int, list[tuple[int, int]]] = {}
        last = len(view) - 1
        for end, (length, left, right, entries) in self._automaton.iter(view):
            start = end - length + 1
            if left and start > 0 and is_word_char(view[start - 1]):
                continue
            whole = not right or end == last or not is_word_char(view[end + 1])
            for tid, prefix in entries:
                if whole or prefix:
                    found.setdefault(tid, []).append((start, end + 1))
        return found

    def hits(self, text: str) -> list[Hit]:
        """Every span flagged by every fingerprint whose condition holds (overlaps kept)."""
        if not self._term_ids:
            return []
        view = FoldedText(text)
        found = self._occurrences(view.text)
        windows: dict[int, list[tuple[int, int, bool]]] = {}

        def proximity_windows(tid: int) -> list[tuple[int, int, bool]]:
            if tid not in windows:
                windows[tid] = _windows(view.text, [found.get(w, []) for w in self._words_of[tid]],
                                        self._terms[tid].slop)
            return windows[tid]

        def present(term: Term) -> bool:
            tid = self._term_ids[term]
            return bool(proximity_windows(tid)) if term.is_proximity else tid in found

        candidates = sorted({n for tid in found for n in self._flagging.get(tid, ())})
        spans = []
        for n in candidates:
            fp = self.fingerprints[n]
            if not holds(fp.condition, present):
                continue
            for term in flagged(fp.condition, present):
                tid = self._term_ids[term]
                if term.is_proximity:
                    spans.extend((s, e, fp, n, exact) for s, e, exact in proximity_windows(tid))
                else:
                    spans.extend((s, e, fp, n, True) for s, e in found.get(tid, ()))
        original = view.original
        return [Hit(original(s), original(e), fp, n, exact) for s, e, fp, n, exact in spans]

    def find(self, text: str) -> list[Edit]:
        """Known tortured phrases in `text`, as non-overlapping edits (longer matches first)."""
        hits = self.hits(text)
        chosen: list[Hit] = []
        taken: list[tuple[int, int]] = []
        # Phrases as listed first, longest first; then loose proximity windows, tightest first.
        def preference(h: Hit) -> tuple:
            length = h.end - h.start
            return (not h.exact, -length if h.exact else length, self._rank[h.number], h.start)

        for hit in sorted(hits, key=preference):
            i = bisect_left(taken, (hit.start, hit.end))
            if (i and taken[i - 1][1] > hit.start) or (i < len(taken) and taken[i][0] < hit.end):
                continue
            insort(taken, (hit.start, hit.end))
            chosen.append(hit)
        chosen.sort(key=lambda h: h.start)
        return [self._edit(text, h) for h in chosen]

    @staticmethod
    def _edit(text: str, hit: Hit) -> Edit:
        fp, start, end = hit.fingerprint, hit.start, hit.end
        matched = text[start:end]
        # A loose proximity window has other words inside it: flag it, propose nothing.
        proposal = bool(fp.replacement) and hit.exact
        return Edit(
            start=start, end=end, text=matched,
            replacements=(match_case(fp.replacement, matched, fp.query),) if proposal else (),
            confidence=UNSURE_CONFIDENCE if fp.unsure or not fp.replacement else CONFIDENCE,
            rule=RULE, source=fp.source, message=message(fp, hit.exact))


def _windows(view: str, occurrences: list[list[tuple[int, int]]],
             slop: int) -> list[tuple[int, int, bool]]:
    """Non-overlapping tightest spans holding every word with at most `slop` others among them.

    Returns (start, end, exact): exact when the words stand in order, side by side.
    """
    if not all(occurrences):
        return []
    items = sorted((s, e, k) for k, occ in enumerate(occurrences) for s, e in occ)
    # Word number of each occurrence: spaces before it in the collapsed view.
    numbers, count, prev = [], 0, 0
    for s, _, _ in items:
        count += view.count(" ", prev, s)
        prev = s
        numbers.append(count)
    need, out = len(occurrences), []
    held = [0] * need
    covered = left = 0
    for right, (_, _, k) in enumerate(items):
        held[k] += 1
        covered += held[k] == 1
        while covered == need:
            lk = items[left][2]
            if held[lk] > 1:                        # the leftmost word recurs later: drop it
                held[lk] -= 1
                left += 1
                continue
            if numbers[right] - numbers[left] - (need - 1) <= slop:
                span = items[left:right + 1]
                exact = ([k for _, _, k in span] == list(range(need))
                         and all(view[a[1]:b[0]] == " " for a, b in zip(span, span[1:])))
                out.append((span[0][0], max(e for _, e, _ in span), exact))
                held, covered, left = [0] * need, 0, right + 1
            else:
                held[lk] -= 1
                covered -= 1
                left += 1
    return out


def _case_pattern(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    words = [w for w in text.split() if w[0].isalpha()]
    if len(words) > 1 and all(w[0].isupper() for w in words):
        return "title"
    return "capitalised" if letters and text.lstrip("\"([")[:1].isupper() else "lower"


def match_case(replacement: str, matched: str, listed: str) -> str:
    """The replacement in the case pattern of the matched text: UPPER, Title Case or lower.

    When the document writes the phrase as the list does, the list's own spelling of the
    replacement stands ("Fourier change" → "Fourier transform"); a lowercase match lowercases
    a capitalised first word ("Machine learning") but leaves acronyms ("SVM", "IoT") alone.
    """
    pattern = _case_pattern(matched)
    if not replacement or (pattern != "lower" and pattern == _case_pattern(listed)):
        return replacement
    if pattern == "upper":
        return replacement.upper()
    if pattern == "title":
        return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in replacement.split(" "))
    if pattern == "capitalised":
        return replacement[0].upper() + replacement[1:]
    first, space, rest = replacement.partition(" ")
    if _case_pattern(listed) == "lower" and first[:1].isupper() and first[1:].islower():
        return first.lower() + space + rest
    return replacement


def message(fp: Fingerprint, exact: bool = True) -> str:
    where = PPS_LABEL if fp.source == PPS_SOURCE else f"list {fp.source.split(':', 1)[1]}"
    seen = f", seen in {fp.num_papers:,} papers" if fp.num_papers else ""
    credit = f"({where}{seen})"
    if not fp.replacement:
        return f"Tortured phrase; the list gives no established term {credit}."
    term = f"probably “{fp.replacement}”" if fp.unsure else f"“{fp.replacement}”"
    if not exact:
        return f"Tortured phrase near its established term; the established term is {term} {credit}."
    return f"Tortured phrase; the established term is {term} {credit}."
