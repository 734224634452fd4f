"""Noisy-channel decoding: which spans did a spinner rewrite, and from what?

    original = argmax_o  ln P_LM(o) + ln P_spin(observed | o) + ln prior

Three stages keep this fast and joint:
1. every option (a candidate original for a span) gets a bigram estimate of its gain, and
   the ~18 % that could matter an exact one: ln P(window with it) - ln P(window as written),
   in one vectorised batch of trigram look-ups; plus its channel and prior (candidates.py);
2. options whose score survives are grouped into clusters whose trigram windows touch;
3. each cluster is decoded exactly by Viterbi over the trigram state, all clusters in
   lockstep, so two neighbouring swaps ("Nationwide Safety") are judged together.
Each chosen edit then gets a calibrated confidence from its features (calibrate.py).
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import resources
from .calibrate import edit_confidences, edit_features
from .candidates import (EMPTY, KNOWN_TERM, KNOWN_TERM_BONUS, MAX_ORIGINAL_WORDS, MAX_SPAN,
                         ORIGIN_NAMES, THESAURUS, candidate_table, support_of)
from .report import Edit
from .text import Token, sentences

# An option's score is its posterior log-odds against the text as written:
#   score = [ln P_LM(with it) - ln P_LM(as written)] + ln P(observed | original) + PRIOR_LOGODDS
PRIOR_LOGODDS = -1.7      # ln(ρ / (1 - ρ)) for a prior rewrite rate ρ of 15 %
PRUNE_SCORE = -2.5        # options below this cannot win even with a swapped neighbour
PREFILTER_SCORE = -6.0    # bigram estimate below which the exact score is not computed
SUBSTITUTION_COST = -1.0  # propose down to posterior log-odds -1; calibration sorts them
LLM_SUBSTITUTION_COST = -2.0  # looser: the LLM backend judges the extra proposals
MAX_OPTIONS_PER_START = 3


@dataclass
class Evidence:
    """What the model saw in a document, for the document score."""

    proposals: list = field(default_factory=list)   # (marginal gain, confidence) per edit


@dataclass
class Lattice:
    """A document as one padded id array ([<s> <s> w… </s>] per sentence) and its options."""

    ids: np.ndarray            # padded word ids
    token_of: np.ndarray       # token index at each padded position, -1 on padding
    words: list                # normalised word at each padded position ("" on padding)
    joined: np.ndarray         # bool: the word at this position is followed directly by the next
    g: np.ndarray = None       # option: padded position of its first observed word
    k: np.ndarray = None       # option: observed words replaced
    orig: np.ndarray = None    # option: (n, MAX_ORIGINAL_WORDS) original ids
    m: np.ndarray = None       # option: original words
    origin: np.ndarray = None
    sources: np.ndarray = None
    prior: np.ndarray = None
    channel: np.ndarray = None # option: ln P(observed | original) (candidates.py)
    texts: list = None
    gain: np.ndarray = None    # option: ln P_LM with it - ln P_LM as written (local window)
    score: np.ndarray = None   # gain + channel: the option's log-odds before the cost


def build_lattice(text: str, tokens: list[Token], lm) -> Lattice:
    ids, token_of, words, joined = [], [], [], []
    for sent in sentences(text, tokens):
        ids += [lm.bos_id, lm.bos_id]
        token_of += [-1, -1]
        words += ["", ""]
        joined += [False, False]
        for j, ti in enumerate(sent):
            norm = tokens[ti].norm
            ids.append(lm.word_id(norm))
            token_of.append(ti)
            words.append(norm)
            # words are "joined" when no punctuation stands between them
            joined.append(j + 1 < len(sent) and sent[j + 1] == ti + 1)
        ids.append(lm.eos_id)
        token_of.append(-1)
        words.append("")
        joined.append(False)
    return Lattice(np.array(ids, np.int32), np.array(token_of, np.int64), words,
                   np.array(joined, bool))


def generate_options(lat: Lattice, lm, table) -> None:
    """Fill the lattice's option arrays from the candidate table and compositions."""
    parts, singles, phrases = [], {}, {}
    words, n = lat.words, len(lat.words)
    prefixes = table.prefixes
    for g in range(n):
        if not words[g]:
            continue
        key = words[g]
        for k in range(1, MAX_SPAN + 1):
            if k > 1:
                if not lat.joined[g + k - 2] or key not in prefixes:
                    break
                key = f"{key} {words[g + k - 1]}"
            cs = table.lookup(key)
            if len(cs):
                parts.append((g, k, cs))
            if k == 1 and (len(cs) or cs.term_singles):
                singles[g] = cs
            elif k > 1 and cs.singles:
                phrases[(g, k)] = cs
    # a generic composition of two swapped words (any collocation of their originals) was
    # never right as one edit and hid a real single swap inside it: only known terms compose
    composed = [c for c in (compose_known_terms(lat, lm, table.terms, singles, phrases,
                                                table.term_firsts),) if c]
    if not parts and not composed:
        lat.g = np.zeros(0, np.int64)
        return
    sizes = [len(cs.texts) for _, _, cs in parts]
    lat.g = np.concatenate([np.repeat([g for g, _, _ in parts], sizes).astype(np.int64)]
                           + [c["g"] for c in composed])
    lat.k = np.concatenate([np.repeat([k for _, k, _ in parts], sizes).astype(np.int64)]
                           + [c["k"] for c in composed])
    for name in ("ids", "lengths", "origin", "sources", "prior", "channel"):
        arrays = [getattr(cs, name) for _, _, cs in parts] + [c[name] for c in composed]
        setattr(lat, {"ids": "orig", "lengths": "m"}.get(name, name), np.concatenate(arrays))
    lat.texts = [t for _, _, cs in parts for t in cs.texts] + [t for c in composed
                                                                 for t in c["texts"]]


def compose_known_terms(lat: Lattice, lm, terms: dict, singles: dict,
                        phrases: dict | None = None,
                        firsts: frozenset | None = None) -> dict | None:
    """Adjacent words, one or more of them swapped, whose originals spell an established term
    of two or three words ("fluffy reasoning" <- "fuzzy logic", "help vector system" <-
    "support vector machine"). A term word may also stand for a written phrase of two or three
    words that the thesaurus gives it for ("bone malignant growth" <- "bone cancer"); `phrases`
    maps (first word, words) of such phrases to their candidates. `terms` maps a term's last
    word to (first words of two-word terms, first-word pairs of three-word terms); `firsts`,
    every word that begins a term (derived from `terms` when not given)."""
    found = []     # (g, written words, term, sources, prior, channel)
    words = lat.words
    phrases = phrases or {}
    options: dict[tuple[int, int], dict] = {}

    def options_at(i: int, n: int = 1) -> dict:
        """The one-word originals of words[i:i+n] (for one word, also the word as written)."""
        if (i, n) not in options:
            if n == 1:
                here = singles.get(i, EMPTY)
                options[(i, n)] = {words[i]: (None, 1.0, 0.0), **here.term_singles,
                                   **here.singles}
            else:
                options[(i, n)] = phrases[(i, n)].singles if (i, n) in phrases else {}
        return options[(i, n)]

    def last_words(i: int, n: int) -> frozenset | set:
        """The term-final words among the options of words[i:i+n] (precomputed per candidate
        set: most positions offer none, and then no option dict is built)."""
        if n == 1:
            here = singles.get(i, EMPTY).term_lasts
            return here | {words[i]} if words[i] in terms else here
        return phrases[(i, n)].singles.keys() & terms.keys() if (i, n) in phrases else set()

    if firsts is None:
        firsts = frozenset(w for two, three in terms.values() for w in (*two, *three))

    beginnings: dict[tuple[int, int], frozenset] = {}

    def first_words(i: int, n: int) -> frozenset:
        """The words that begin a known term among the options of words[i:i+n]."""
        if (i, n) not in beginnings:
            if n == 1:
                here = singles.get(i, EMPTY).term_firsts
                beginnings[(i, n)] = here | {words[i]} if words[i] in firsts else here
            else:
                beginnings[(i, n)] = (firsts & phrases[(i, n)].singles.keys()
                                      if (i, n) in phrases else frozenset())
        return beginnings[(i, n)]

    # run[i]: where the run of joined words that ends at word i begins (a term stays in one)
    run = list(range(len(words)))
    for i in range(1, len(words)):
        if words[i] and words[i - 1] and lat.joined[i - 1]:
            run[i] = run[i - 1]
    for end in range(1, len(words)):
        if not words[end]:
            continue
        # the term-final words the last one to three written words offer
        lasts = [last_words(end - n + 1, n) if end - n + 1 >= run[end] else ()
                 for n in (1, 2, 3)]
        for n_last in (1, 2, 3):
            if not lasts[n_last - 1]:
                continue
            for layout, width, phrase_parts in LAYOUTS_ENDING_IN[n_last]:
                g = end - width + 1
                if g < run[end]:
                    continue
                if not phrase_parts:
                    if not any(i in singles for i in range(g, end + 1)):
                        continue
                elif not all((g + o, n) in phrases for o, n in phrase_parts):
                    continue
                # only the last words that end a term of this many words after a first word
                # the written words offer (most positions fail here, before any spelling)
                heads = first_words(g, layout[0])
                if not heads:
                    continue
                fitting = sorted(w for w in lasts[n_last - 1] if not (
                    terms[w][0] if len(layout) == 2 else terms[w][1].keys()).isdisjoint(heads))
                if fitting:
                    found += _spell_terms(lat, layout, g, fitting, terms, options_at)
    if not found:
        return None
    n = len(found)
    ids = np.full((n, MAX_ORIGINAL_WORDS), -1, np.int32)
    for row, f in enumerate(found):
        ids[row, :len(f[2])] = [lm.vocab[w] for w in f[2]]
    lengths = np.array([len(f[2]) for f in found], np.int8)
    return {"g": np.array([f[0] for f in found]),
            "k": np.array([f[1] for f in found], np.int64), "ids": ids,
            "lengths": lengths, "origin": np.full(n, KNOWN_TERM, np.int8),
            "sources": np.array([f[3] for f in found], np.int8),
            "prior": np.array([f[4] for f in found], np.float32),
            "channel": np.array([f[5] for f in found], np.float32),
            "texts": [" ".join(f[2]) for f in found]}


#: How the written words may fall under a term's words: one to three written words each, at
#: most MAX_SPAN in all ((1, 2): the second term word stands for a two-word phrase), grouped by
#: the written words under the term's last word, as (layout, written words, the (offset,
#: words) of its parts that are phrases).
LAYOUTS_ENDING_IN = {
    n_last: tuple((layout, sum(layout),
                   tuple((sum(layout[:j]), n) for j, n in enumerate(layout) if n > 1))
                  for n in (2, 3) for layout in itertools.product((1, 2, 3), repeat=n)
                  if sum(layout) <= MAX_SPAN and layout[-1] == n_last)
    for n_last in (1, 2, 3)}


def _spell_terms(lat, layout, g, lasts, terms, options_at) -> list[tuple]:
    """Every known term ending in one of `lasts` that the written words from g can spell
    under `layout`, as (g, written words, term, sources, prior, channel)."""
    words = lat.words
    starts = [g + sum(layout[:j]) for j in range(len(layout))]
    opts = [options_at(i, n) for i, n in zip(starts, layout)]
    out = []
    for last in lasts:
        before = terms[last][len(layout) - 2]
        if len(layout) == 2:
            heads = [(w,) for w in sorted(opts[0].keys() & before)]
        else:
            heads = sorted((first, second) for first in opts[0].keys() & before.keys()
                           for second in before[first] & opts[1].keys())
        for firsts in heads:
            term = (*firsts, last)
            if max(layout) == 1 and all(w == words[i] for w, i in zip(term, starts)):
                continue
            picked = [o[w] for w, o in zip(term, opts)]
            mask = functools.reduce(operator.and_, [m for m, _, _ in picked if m is not None])
            out.append((g, sum(layout), term, mask, float(np.prod([p for _, p, _ in picked])),
                        sum(c for _, _, c in picked) + KNOWN_TERM_BONUS))
    return out


def window_trigrams(lm, ids: np.ndarray, g: np.ndarray, k: np.ndarray, orig: np.ndarray,
                    m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The trigrams that change when ids[g:g+k] is replaced by orig[:m] (per row), including
    the two following words (or </s>), as an (n, 3) array and the row each belongs to. With
    orig = the observed words, the same trigrams score the text as written."""
    n = len(g)
    end = g + k
    # right context: up to two following ids, stopping after </s>
    r1 = ids[np.minimum(end, len(ids) - 1)]
    has_r2 = (r1 != lm.eos_id) & (end + 1 < len(ids))
    r2 = np.where(has_r2, ids[np.minimum(end + 1, len(ids) - 1)], -1)
    seq = np.full((n, 2 + MAX_ORIGINAL_WORDS + 2), -1, np.int32)
    seq[:, 0], seq[:, 1] = ids[g - 2], ids[g - 1]
    cols = np.arange(MAX_ORIGINAL_WORDS + 2)
    tail = np.concatenate([orig, r1[:, None], r2[:, None]], axis=1)
    # place the right context straight after the m original words
    src = np.where(cols[None, :] < m[:, None], cols[None, :],
                   MAX_ORIGINAL_WORDS + cols[None, :] - m[:, None])
    seq[:, 2:] = np.take_along_axis(tail, np.clip(src, 0, MAX_ORIGINAL_WORDS + 1), axis=1)
    n_terms = m + 1 + has_r2
    row, t = np.nonzero(np.arange(seq.shape[1] - 2)[None, :] < n_terms[:, None])
    t = t + 2
    return np.stack([seq[row, t - 2], seq[row, t - 1], seq[row, t]], axis=1), row


def observed_matrix(lat: Lattice, g: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The written ids of each span, padded like an original-id matrix."""
    observed = np.full((len(g), MAX_ORIGINAL_WORDS), -1, np.int32)
    for j in range(MAX_ORIGINAL_WORDS):
        col = np.minimum(g + j, len(lat.ids) - 1)
        observed[:, j] = np.where(j < k, lat.ids[col], -1)
    return observed


def local_gains(lat: Lattice, lm, rows: np.ndarray) -> np.ndarray:
    """ln P(sentence with the option) - ln P(sentence as written), for the options `rows`.
    Options of one span share the score of the span as written, computed once."""
    g, k = lat.g[rows], lat.k[rows]
    span_key = g * 8 + k
    spans, inverse = np.unique(span_key, return_inverse=True)
    sg, sk = spans // 8, spans % 8
    # spans longer than MAX_ORIGINAL_WORDS observed words are scored on their first words only
    tri_o, row_o = window_trigrams(lm, lat.ids, g, k, lat.orig[rows], lat.m[rows].astype(np.int64))
    tri_w, row_w = window_trigrams(lm, lat.ids, sg, sk, observed_matrix(lat, sg, sk),
                                   np.minimum(sk, MAX_ORIGINAL_WORDS))
    tri = np.concatenate([tri_o, tri_w])
    lp = lm.logprob3(tri[:, 0], tri[:, 1], tri[:, 2]).astype(np.float64)
    with_option = np.bincount(row_o, weights=lp[:len(row_o)], minlength=len(rows))
    as_written = np.bincount(row_w, weights=lp[len(row_o):], minlength=len(spans))
    return with_option - as_written[inverse]


def bigram_gains(lat: Lattice, lm) -> np.ndarray:
    """A cheap bigram estimate of every option's local gain, to skip hopeless options."""
    n = len(lat.g)
    end = np.minimum(lat.g + lat.k, len(lat.ids) - 1)
    left, right = lat.ids[lat.g - 1], lat.ids[end]
    m = lat.m.astype(np.int64)
    rows = np.arange(n)
    o_first, o_last = lat.orig[:, 0], lat.orig[rows, m - 1]
    w_first, w_last = lat.ids[lat.g], lat.ids[end - 1]
    # the edge bigrams of every option and of its span as written, plus the bigrams inside
    # multi-word originals (+) and spans (-), in one batch of look-ups
    a, b = [left, o_last, left, w_last], [o_first, right, w_first, right]
    owner = [rows, rows, rows, rows]
    sign = [np.ones(n), np.ones(n), -np.ones(n), -np.ones(n)]
    inside = [(lat.m > j, lat.orig[:, j - 1], lat.orig[:, j], 1.0)
              for j in range(1, MAX_ORIGINAL_WORDS)]
    end_ids = np.minimum(lat.g[:, None] + np.arange(int(lat.k.max()))[None, :], len(lat.ids) - 1)
    inside += [(lat.k > j, lat.ids[end_ids[:, j - 1]], lat.ids[end_ids[:, j]], -1.0)
               for j in range(1, int(lat.k.max()))]
    for live, x, y, weight in inside:
        where = np.flatnonzero(live)
        a.append(x[where])
        b.append(y[where])
        owner.append(where)
        sign.append(np.full(len(where), weight))
    lp = lm.logprob2(np.concatenate(a), np.concatenate(b)).astype(np.float64)
    gain = np.bincount(np.concatenate(owner), weights=lp * np.concatenate(sign), minlength=n)
    return gain


def clusters(order: np.ndarray, g: np.ndarray, k: np.ndarray) -> list[list[int]]:
    """Options whose trigram windows touch (start within two words of another's end)."""
    out, current, reach = [], [], -1
    for i in order:
        if current and g[i] > reach + 1:
            out.append(current)
            current, reach = [], -1
        current.append(int(i))
        reach = max(reach, int(g[i] + k[i]))
    if current:
        out.append(current)
    return out


def region_end(lat: Lattice, lm, hi: int) -> int:
    """End of a cluster's scored region: two words of right context, stopping after </s>."""
    stop = hi
    while stop < len(lat.ids) and stop < hi + 2:
        stop += 1
        if lat.ids[stop - 1] == lm.eos_id:
            break
    return stop


def score_sequences(lm, seqs: Sequence[Sequence[int]]) -> np.ndarray:
    """ln P of each id sequence's words after its first two (its context), in one batch."""
    if not seqs:
        return np.zeros(0)
    lengths = np.fromiter(map(len, seqs), np.int64, len(seqs))
    flat = np.fromiter(itertools.chain.from_iterable(seqs), np.int32, int(lengths.sum()))
    scored = lengths - 2                      # words scored per sequence
    row = np.repeat(np.arange(len(seqs)), scored)
    # position in `flat` of each scored word: its sequence's start + 2 + its place after them
    first = np.cumsum(lengths) - lengths + 2
    t = np.arange(len(row)) - np.repeat(np.cumsum(scored) - scored, scored) + first[row]
    lp = lm.logprob3(flat[t - 2], flat[t - 1], flat[t])
    return np.bincount(row, weights=lp, minlength=len(seqs))


def decode_clusters(lat: Lattice, lm, groups: list[list[int]],
                    substitution_cost: float = SUBSTITUTION_COST) -> list[tuple[int, float]]:
    """For each cluster, the best set of non-overlapping options, as (option, marginal gain).

    A one-option cluster is decided by its score (its local gain already covers every trigram
    it changes). Larger clusters are decoded exactly by Viterbi over the trigram state (the
    last two words), all clusters in lockstep so that each step is one batch of look-ups.
    An edit's marginal gain is what the best path loses if that edit alone is undone.
    """
    chosen: list[tuple[int, float]] = []
    multi = []
    g, k, score = lat.g.tolist(), lat.k.tolist(), lat.score
    for members in groups:
        # options that all overlap one another exclude each other: the best one alone decides
        if max(g[i] for i in members) < min(g[i] + k[i] for i in members):
            i = max(members, key=lambda i: score[i])
            if score[i] > substitution_cost:
                chosen.append((i, float(score[i])))
        else:
            multi.append(members)
    if not multi:
        return chosen
    ids = lat.ids
    id_at = ids.tolist()        # plain ints: the Viterbi below is Python, not numpy
    spans = []      # (lo, stop, options by start)
    # what taking an option adds to a path's score before the LM, and the words it emits
    bonus, emitted = {}, {}
    for members in multi:
        lo = min(g[i] for i in members)
        stop = region_end(lat, lm, max(g[i] + k[i] for i in members))
        starts: dict[int, list[int]] = {}
        for i in members:
            starts.setdefault(g[i], []).append(i)
            bonus[i] = float(lat.channel[i]) + PRIOR_LOGODDS - substitution_cost
            emitted[i] = tuple(lat.orig[i, :lat.m[i]].tolist())
        spans.append((lo, stop, starts))
    # agenda[c][pos]: last-two-words state -> (score, chosen options)
    agenda = [{lo: {(id_at[lo - 2], id_at[lo - 1]): (0.0, ())}} for lo, _, _ in spans]
    for step in range(max(stop - lo for lo, stop, _ in spans)):
        moves = []      # (cluster, target pos, state, base score, chosen, emitted ids)
        for c, (lo, stop, starts) in enumerate(spans):
            pos = lo + step
            if pos >= stop or pos not in agenda[c]:
                continue
            here = (id_at[pos],)
            for state, (base, picked) in agenda[c].pop(pos).items():
                moves.append((c, pos + 1, state, base, picked, here))
                for i in starts.get(pos, ()):
                    moves.append((c, pos + k[i], state, base + bonus[i], picked + (i,),
                                  emitted[i]))
        if not moves:
            continue
        lp = score_sequences(lm, [state + out for _, _, state, _, _, out in moves]).tolist()
        for (c, target, state, base, picked, out), gain in zip(moves, lp):
            seq = state + out
            new_state, total = seq[-2:], base + gain
            slot = agenda[c].setdefault(target, {})
            if new_state not in slot or slot[new_state][0] < total:
                slot[new_state] = (total, picked)
    # compare each best path with the text as written, and with each of its edits undone
    best_paths, seqs = [], []
    for c, (lo, stop, _) in enumerate(spans):
        final = agenda[c].get(stop, {})
        total, picked = max(final.values(), default=(0.0, ()))
        best_paths.append((total, picked))
        seqs.append(ids[lo - 2:stop].tolist())
        for i in picked:
            seqs.append(path_sequence(lat, lo, stop, [j for j in picked if j != i]))
    lp = score_sequences(lm, seqs)
    n = 0
    for (lo, stop, _), (total, picked) in zip(spans, best_paths):
        as_written = lp[n]
        n += 1
        channels = {i: float(lat.channel[i]) + PRIOR_LOGODDS for i in picked}
        without = {}
        for i in picked:
            without[i] = lp[n] + sum(channels.values()) - channels[i] \
                - substitution_cost * (len(picked) - 1)
            n += 1
        if picked and total - as_written > 0:
            for i in picked:
                chosen.append((i, float(total - without[i] + substitution_cost)))
    return chosen


def path_sequence(lat: Lattice, lo: int, stop: int, picked: list[int]) -> list[int]:
    """Ids of a region with the picked options applied (two words of left context first)."""
    seq = lat.ids[lo - 2:lo].tolist()
    pos = lo
    for i in sorted(picked, key=lambda i: lat.g[i]):
        seq += lat.ids[pos:lat.g[i]].tolist()
        seq += lat.orig[i, :lat.m[i]].tolist()
        pos = int(lat.g[i] + lat.k[i])
    seq += lat.ids[pos:stop].tolist()
    return seq


def match_case(observed: str, replacement: str) -> str:
    letters = [c for c in observed if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return replacement.upper()
    words = observed.split()
    if len(words) > 1 and all(w[:1].isupper() for w in words):
        return " ".join(w[:1].upper() + w[1:] for w in replacement.split())
    if observed[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


@dataclass
class Proposal:
    """One edit the decoder chose, with the features its confidence is computed from."""

    edit: Edit
    features: np.ndarray
    marginal_gain: float
    judged: tuple = ()      # (original, features) of every rival the calibrated model judged


def propose(text: str, tokens: list[Token], substitution_cost: float = SUBSTITUTION_COST,
            table=None) -> tuple[list[Proposal], int]:
    """Every edit the decoder chooses (whatever its confidence) and the words the LM saw.
    A lower `substitution_cost` proposes more (for a rescoring backend to judge); `table`
    replaces the packaged candidate table (calibration hides some rules with one)."""
    lm = resources.language_model()
    lat = build_lattice(text, tokens, lm)
    lm_words = int((lat.token_of >= 0).sum())
    table = candidate_table() if table is None else table
    generate_options(lat, lm, table)
    if len(lat.g) == 0:
        return [], lm_words
    # a bigram estimate first; exact trigram windows only for options that may matter
    rough = bigram_gains(lat, lm) + lat.channel + PRIOR_LOGODDS
    lat.gain = np.full(len(lat.g), -np.inf)
    live = np.flatnonzero(rough > PREFILTER_SCORE)
    if len(live):
        lat.gain[live] = local_gains(lat, lm, live)
    lat.score = lat.gain + lat.channel + PRIOR_LOGODDS
    survivors = np.flatnonzero(lat.score > PRUNE_SCORE)
    # keep the best few options per start position
    s = survivors[np.lexsort((-lat.score[survivors], lat.g[survivors]))]
    starts = np.r_[True, lat.g[s][1:] != lat.g[s][:-1]]
    idx = np.arange(len(s))
    rank = idx - np.maximum.accumulate(np.where(starts, idx, 0))
    keep = s[rank < MAX_OPTIONS_PER_START]
    order = keep[np.lexsort((lat.k[keep], lat.g[keep]))]
    groups = clusters(order, lat.g, lat.k)
    chosen = []
    member_of = {i: m for m in groups for i in m}
    for i, marginal in decode_clusters(lat, lm, groups, substitution_cost):
        rivals = [j for j in member_of[i]
                  if lat.g[j] == lat.g[i] and lat.k[j] == lat.k[i] and j != i]
        chosen.append((i, marginal, rivals))
    proposals = []
    if chosen:
        # the decoder chose to change the span; which original is likeliest right is for the
        # calibrated model to say, so every rival on the same span is judged too (its marginal
        # gain: the chosen one's, less the difference of their scores in the same context).
        # Not among known-term spellings: their own model does not weigh one term against
        # another ("bone malignant growth" is "bone cancer", not "skin cancer")
        index, marginals, blocks = [], [], []     # blocks: each edit's rows, chosen one first
        for i, marginal, rivals in chosen:
            judged = () if lat.origin[i] == KNOWN_TERM else [
                j for j in rivals if lat.origin[j] != KNOWN_TERM]
            blocks.append((len(index), len(index) + 1 + len(judged)))
            for j in (i, *judged):
                index.append(j)
                marginals.append(marginal - float(lat.score[i] - lat.score[j]))
        features = edit_features(lat, lm, np.array(index, np.int64), np.array(marginals),
                                 lm_words, table.thesaurus.fanout,
                                 functools.partial(support_of, table.pps_support))
        confidences = edit_confidences(features)
        for (i, _, rivals), (a, b) in zip(chosen, blocks):
            row = a + int(np.argmax(confidences[a:b]))
            j = index[row]
            others = [r for r in (i, *rivals) if r != j]
            edit = make_edit(text, tokens, lat, j, others, float(confidences[row]))
            judged = tuple((lat.texts[index[r]], features[r]) for r in range(a, b))
            proposals.append(Proposal(edit, features[row], marginals[row], judged))
    return proposals, lm_words


def find_spun_edits(text: str, tokens: list[Token], config) -> tuple[list[Edit], Evidence]:
    if config.backend == "llm":
        from .llm import rescore    # optional extra: rescores the uncertain proposals
        proposals, _ = propose(text, tokens, LLM_SUBSTITUTION_COST)
        proposals = rescore(text, proposals, config)
    else:
        proposals, _ = propose(text, tokens)
    # the document model was fitted on each edit's own confidence
    evidence = Evidence([(p.marginal_gain, p.edit.confidence) for p in proposals])
    edits = pool_repeats([p.edit for p in proposals])
    return [e for e in edits if e.confidence >= config.threshold], evidence


def pool_repeats(edits: list[Edit]) -> list[Edit]:
    """A dictionary spinner rewrites a word the same way wherever it swaps it, so each repeat
    of one rewrite on a page (the same written words, the same original) takes the confidence
    of its strongest instance: "primary" -> "first" at 0.9 in one sentence vouches for it at
    0.5 in the next. (On the synthetic and replayed pages: recall +1 to +1.3 points at the
    same or higher precision, clean false changes +0.02 per 1,000 words.)"""
    key = lambda e: (e.text.lower(), e.replacements[0].lower())
    best: dict[tuple[str, str], float] = {}
    for e in edits:
        best[key(e)] = max(best.get(key(e), 0.0), e.confidence)
    return [e if e.confidence == best[key(e)] else dataclasses.replace(e, confidence=best[key(e)])
            for e in edits]


def make_edit(text: str, tokens: list[Token], lat: Lattice, i: int, rivals: list[int],
              confidence: float) -> Edit:
    g, k = int(lat.g[i]), int(lat.k[i])
    first, last = tokens[lat.token_of[g]], tokens[lat.token_of[g + k - 1]]
    observed = text[first.start:last.end]
    replacements = [match_case(observed, lat.texts[i])]
    for j in sorted(rivals, key=lambda j: -lat.score[j]):
        alt = match_case(observed, lat.texts[j])
        if alt not in replacements:
            replacements.append(alt)
    origin = ORIGIN_NAMES[lat.origin[i]]
    if lat.origin[i] in (THESAURUS, KNOWN_TERM):
        rule, source = "SPUN_PHRASE", "model"
        message = f"Likely machine-spun; the usual phrase here is “{replacements[0]}”."
    elif origin == "observed":
        rule, source = "SPINNER_REWRITE", "rule:observed"
        message = f"Real spinners write this for “{replacements[0]}”."
    else:
        rule, source = "SPINNER_REWRITE", f"rule:{origin}"
        message = f"A typical spinner rewrite ({origin}); the original was likely “{replacements[0]}”."
    return Edit(first.start, last.end, observed, tuple(replacements), confidence, rule, source,
                message)
