#!/usr/bin/env python3
"""Fit the edit-confidence and document-score models; write src/unspin/data/calibration.json
(logistic weights: the fallback, the established-term and the document models) and
src/unspin/data/calibration_trees.json (the boosted trees that give edit confidences).

Training data: the *train* half of the Wikipedia summaries (never the benchmark half) and the
train half of the bundled news paragraphs, spun by unspin's own spinner in the news and paper
styles at several rates, plus the same documents left clean. Every rival original the
decoder offers on a span it changes is a row, labelled right when it restores its part of a
gold edit; the edit models are fitted twice, first on every row (to pick each proposal's
likeliest rival), then on the rows so picked, whose confidence a report gives; the second fit
is the one packaged, and at run time it also picks among a span's rivals. So the
training set depends on the code and the seed alone, not on the packaged model: a refit
reproduces the packaged files byte for byte (it did not before 2026-12-04, when the rival a
proposal carried was the packaged model's choice, and each refit moved the figures).

    python scripts/fit_calibration.py [--docs 1200] [--seed 11]     (about 2 minutes)

The packaged files are the defaults' output as of the last commit that refitted them (git log
src/unspin/data/calibration.json). A later change that was measured without a refit says so.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import random
import sys
import time
from pathlib import Path

import numpy as np

from unspin.calibrate import (FEATURES, TERM_COLUMN, TREES_FILE, Trees, edit_confidences,
                              fit_logistic)
from unspin.decode import Evidence, propose
from unspin.evaluate.corpus import wiki_documents
from unspin.evaluate.replay import replay, spinner_pairs
from unspin.evaluate.spinner import Spinner
from unspin.scoring import DOC_FEATURES, document_features
from unspin.data_splits import dev_pair_is_heldout, pps_is_heldout
from unspin.evaluate.align import restores
from unspin.text import count_words, tokenize
from unspin import resources

OUT = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data" / "calibration.json"


def pps_thesaurus_file() -> str:
    """The spinner choices seen in the tune half of the PPS list, as a spinner thesaurus TSV
    (word<TAB>spun form): training data for how a real paper-mill spinner rewrites. Each word
    gets the one spun form the most papers show (a paper mill's spinner has a fixed preferred
    synonym: "corrosive" for acid in 62 papers, any other in one or two)."""
    import tempfile
    from unspin.candidates import pps_support
    best: dict[str, tuple[int, str]] = {}
    for (spun, original), n in pps_support().items():
        if " " not in spun and " " not in original and spun.isalpha() and original.isalpha():
            best[original] = max(best.get(original, (0, "")), (n, spun))
    fh = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8")
    for word, (_, spun) in sorted(best.items()):
        fh.write(f"{word}\t{spun}\n")
    fh.close()
    return fh.name


DEV_PAIRS = Path(__file__).resolve().parents[2] / "shared" / "data" / "spinner_pairs" / "news_dev_pairs.tsv"


def real_pairs() -> list[tuple[str, str, tuple[str, ...]]]:
    """(original, spun, other acceptable originals) of the calibration half of the real
    spinner development pairs (unspin.data_splits.dev_pair_is_heldout False), without the
    pairs that half has in both directions."""
    if not DEV_PAIRS.exists():
        print(f"fit_calibration: {DEV_PAIRS} not found; calibrating without the real pairs "
              "(the rule spins are still replayed)", file=sys.stderr)
        return []
    from unspin.lexicon import derived_from, the_heldout_half
    heldout = the_heldout_half()
    return spinner_pairs(DEV_PAIRS, keep=lambda r: not dev_pair_is_heldout(r["spun"]) and not
                         derived_from(r["spun"].lower(), r["original"].lower(), heldout))


def rule_pairs() -> list[tuple[str, str, tuple[str, ...]]]:
    """(original, spun, ()) of the hand-written rewrites a spinner family applies, one fixed
    spin per original as real spinners keep; single function words stay out (a spinner that
    rewrote most of them would be unreadable, and the modal rules stay unlearnt this way)."""
    from unspin.evaluate.spinner import STOPWORDS
    from unspin.lexicon import derived_from, the_heldout_half
    from unspin.rules import rewrite_table
    heldout = the_heldout_half()        # never taught, so the held-out figures stay unseen
    chosen: dict[str, str] = {}
    for observed, rewrites in sorted(rewrite_table().items()):
        for rw in rewrites:
            if rw.family in ("observed", "modal", "contraction", "nationality") \
                    or derived_from(observed, rw.original, heldout):
                continue
            if " " not in rw.original and rw.original in STOPWORDS:
                continue
            chosen.setdefault(rw.original, observed)
    return [(o, s, ()) for o, s in sorted(chosen.items())]


PAPER_FRAMES = (
    "In this study we apply {} to a collection of clinical records and report the results.",
    "The second section reviews earlier work on {} and its main limitations.",
    "Our experiments show that {} improves accuracy on three public benchmarks.",
    "We compare two variants of {} under the same training budget.",
    "A drawback of {} is its cost when the data grow large.",
    "Figure 2 illustrates how {} behaves as the number of samples increases.",
)


def tortured_documents(n: int, rng: random.Random):
    """Sentences with a tortured phrase of the tune half of the PPS list, gold = its expected
    term: how paper-mill spinning looks, so the confidence model learns it too."""
    import re
    from unspin.evaluate.gold import GoldDocument, GoldEdit
    from unspin.fingerprints import packaged_list
    rows = []
    for fp in packaged_list():
        m = re.fullmatch(r'"([a-z][a-z \'-]*)"', fp.query.strip())
        term = (fp.replacement or "").strip()
        if m and term and not fp.unsure and not pps_is_heldout(fp.query) \
                and re.fullmatch(r"[A-Za-z][A-Za-z '-]*", term):
            rows.append((m.group(1), term))
    rng.shuffle(rows)
    docs = []
    for i, (phrase, term) in enumerate(rows[:n]):
        frame = PAPER_FRAMES[i % len(PAPER_FRAMES)]
        at = frame.index("{}")
        spun, original = frame.format(phrase), frame.format(term)
        edit = GoldEdit(at, at + len(phrase), at, at + len(term), phrase, term, kind="pps")
        docs.append((original, GoldDocument(f"p{i}", original, spun, (edit,))))
    return docs


def novel_tortured_documents(n: int, rng: random.Random):
    """Established terms of two or three words spun word by word with thesaurus synonyms into
    phrases the PPS list does not have: how an unseen tortured phrase looks to the model."""
    from unspin.candidates import candidate_table
    from unspin.evaluate.gold import GoldDocument, GoldEdit
    from unspin.thesaurus import load_thesaurus
    th = load_thesaurus()
    general = frozenset({"moby", "wordnet", "libreoffice"})
    known = candidate_table().terms
    terms = sorted([(first, last) for last, (two, _) in known.items() for first in two]
                   + [(first, second, last) for last, (_, three) in known.items()
                      for first, seconds in three.items() for second in seconds])
    rng.shuffle(terms)
    docs = []
    for words in terms:
        spun_words = []
        for j, word in enumerate(words):
            options = [w for w in th.synonyms(word, sources=general) if w.isalpha() and w != word]
            keep = j == 0 and rng.random() < 0.3 or not options
            spun_words.append(word if keep else rng.choice(options[:5]))
        phrase, term = " ".join(spun_words), " ".join(words)
        if phrase == term or phrase in th:
            continue
        frame = PAPER_FRAMES[len(docs) % len(PAPER_FRAMES)]
        at = frame.index("{}")
        spun, original = frame.format(phrase), frame.format(term)
        edit = GoldEdit(at, at + len(phrase), at, at + len(term), phrase, term, kind="term")
        docs.append((original, GoldDocument(f"n{len(docs)}", original, spun, (edit,))))
        if len(docs) >= n:
            break
    return docs


def training_documents(n_docs: int, seed: int):
    rng = random.Random(seed)
    pps_tsv = pps_thesaurus_file()
    clean = [d.text for d in wiki_documents("train")]
    rng.shuffle(clean)
    clean = clean[:n_docs]
    docs = []
    for i, text in enumerate(clean):
        if i % 3 == 2:
            docs.append((text, None))                       # a third stay clean
            continue
        style, thesaurus = (("news", None), ("news", None), ("paper", None), ("wordnet", None),
                            ("paper", pps_tsv))[(i // 3) % 5]
        rate = rng.choice((0.05, 0.1, 0.2, 0.3))
        spinner = Spinner(style, rate, seed=seed + i % 7, thesaurus=thesaurus)
        docs.append((text, spinner.spin(text, f"t{i}")))
    # one-sentence paper-mill examples, each beside its clean original (so that shortness
    # itself says nothing to the document model)
    papers = tortured_documents(n_docs // 8, rng) + novel_tortured_documents(n_docs // 4, rng)
    docs += papers + [(original, None) for original, _ in papers]
    # half the tune-half tortured sentences are decoded as an unseen phrase is: without the
    # row in the thesaurus or in the PPS support counts (only its words' pairs from other rows)
    tortured = [gold for _, gold in papers if gold.edits[0].kind == "pps"]
    unseen = unseen_row_table([g.edits[0] for g in tortured[::2]])
    unseen_docs = {id(g) for g in tortured[::2]}
    # and every document rewritten with the real spinner choices of the calibration half and
    # the rule spins (how a dictionary spinner's page looks)
    real = real_pairs()
    pairs = real + [p for p in rule_pairs() if p[0] not in {o for o, _, _ in real}]
    hiding = quarter_hiding_tables()
    docs = [(text, gold, unseen if id(gold) in unseen_docs else None) for text, gold in docs]
    for i, text in enumerate(clean[:n_docs]):
        gold = replay(text, pairs, rng, f"r{i}")
        if gold is not None:
            docs.append((text, gold, (hiding[0], None, hiding[1], None)[i % 4]))
    return docs


class _HidingThesaurus:
    """A thesaurus without some written phrases (everything else delegated)."""

    def __init__(self, thesaurus, hidden: frozenset[str]):
        self._thesaurus, self._hidden = thesaurus, hidden

    def __iter__(self):
        return (key for key in self._thesaurus if key not in self._hidden)

    def __contains__(self, key: str) -> bool:
        return key not in self._hidden and key in self._thesaurus

    def original_rows(self, observed: str):
        return ([], [], []) if observed in self._hidden else self._thesaurus.original_rows(observed)

    def __getattr__(self, name):
        return getattr(self._thesaurus, name)


def unseen_row_table(edits):
    """A candidate table for which the PPS rows of these tortured phrases were never listed:
    their phrases are not in the thesaurus and their pairs not in the support counts."""
    from unspin.candidates import CandidateTable
    from unspin.thesaurus import phrase_key, pps_pairs
    hidden = frozenset(phrase_key(e.text) for e in edits)
    table = CandidateTable(resources.language_model(), _HidingThesaurus(resources.thesaurus(), hidden))
    for e in edits:     # each came from a plain quoted-phrase row: its query is the phrase
        for pair in set(pps_pairs(f'"{e.text}"', e.replacement)):
            if table.pps_support[pair] > 0:
                table.pps_support[pair] -= 1
    return table


def quarter_hiding_tables():
    """Two candidate tables, each without one calibration quarter of the development pairs
    (and every rule derived from them). A replayed page is decoded with one of them, so half
    its real spins are pairs the detector has not seen: as on the hidden set. Decoded with
    the full table, the model learnt to trust the lexicon alone, and restored none of the
    held-out pairs."""
    from unspin.candidates import CandidateTable
    from unspin.lexicon import pairs_of
    from unspin.rules import rewrite_table
    lm, thesaurus = resources.language_model(), resources.thesaurus()
    return [CandidateTable(lm, thesaurus, rewrite_table(pairs_of(quarter)))
            for quarter in ("calibration-a", "calibration-b")]


def label_edit(edit, gold) -> int:
    """1 where an edit writes the original's words, on a whole gold span or a part of one
    (a spinner's neighbouring swaps are one gold span; each may be restored on its own)."""
    return int(gold is not None and any(restores(edit, g) for g in gold.edits))


def label(proposals, gold) -> list[int]:
    """label_edit of each proposal's edit (fit_llm_calibration labels its proposals so)."""
    return [label_edit(p.edit, gold) for p in proposals]


def decode_training_documents(docs):
    """Features and labels of every judged row (each proposal's rival originals on its span,
    the chosen one among them), the proposal each row belongs to, and per document (first
    row, end row, known fingerprint matches, words, words the model saw, spun or not).
    Every rival is a training row, right or wrong, so the training set does not depend on
    which rival the packaged model happened to prefer (it did, and refits drifted), and a
    right rival the old model passed over still teaches the new one."""
    known_index = resources.fingerprint_index(())
    X, y, block, per_doc = [], [], [], []
    n_proposals = 0
    for text, gold, table in docs:
        spun = gold.spun if gold else text
        proposals, lm_words = propose(spun, tokenize(spun), table=table)
        first = len(X)
        for p in proposals:
            for original, features in p.judged:
                X.append(features)
                y.append(label_edit(dataclasses.replace(p.edit, replacements=(original,)), gold))
                block.append(n_proposals)
            n_proposals += 1
        per_doc.append((first, len(X), known_index.find(spun), count_words(spun), lm_words,
                        int(gold is not None and gold.is_spun)))
    return np.array(X), np.array(y, float), np.array(block, np.int64), per_doc


def fit_trees(X, y, seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier
    # no early stopping: it never stopped before 100 trees here, but set aside a random tenth
    # of the proposals to check, so refits of the same data differed by the seed alone
    model = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=31,
                                           l2_regularization=1.0, early_stopping=False,
                                           random_state=seed)
    return model.fit(X, y)


def fit_edit_models(X, y, seed: int):
    """The logistic weights (general, known terms) and the boosted trees (general)."""
    term = X[:, TERM_COLUMN] > 0
    w = fit_logistic(X[~term], y[~term], l2=1.0)
    w_term = fit_logistic(X[term], y[term], l2=5.0) if term.sum() >= 50 else w
    return w, w_term, Trees.from_sklearn(fit_trees(X[~term], y[~term], seed))


def likeliest_rows(confidences: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Indices of the most confident row of each proposal's block (rows of a block are
    adjacent; the first of equals wins)."""
    order = np.lexsort((-confidences, block))
    firsts = np.r_[True, block[order][1:] != block[order][:-1]]
    return np.sort(order[firsts])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--reuse", type=Path, metavar="FILE",
                    help="keep the decoded training features in FILE (a pickle) and fit from it when it "
                         "exists (to tune the models without decoding again; delete it after "
                         "any change to the decoder or the features)")
    args = ap.parse_args()
    t0 = time.time()
    if args.reuse and args.reuse.exists():
        reused = pickle.loads(args.reuse.read_bytes())
        if len(reused) != 4:
            print(f"fit_calibration: {args.reuse} holds features decoded by an older version of "
                  "this script; delete it to decode again", file=sys.stderr)
            return 1
        X, y, block, per_doc = reused
    else:
        X, y, block, per_doc = decode_training_documents(training_documents(args.docs, args.seed))
        if args.reuse:
            args.reuse.write_bytes(pickle.dumps((X, y, block, per_doc)))
    n_docs = len(per_doc)
    try:
        # first every judged row, to choose among each span's rivals; then the rows so chosen,
        # since a reported confidence is that of the likeliest rival (a model of all rows
        # rates each of two good originals, "because of" and "due to", at one half)
        w, w_term, edit_trees = fit_edit_models(X, y, args.seed)
        first = edit_confidences(X, (w, w_term), Trees(edit_trees))
        chosen = likeliest_rows(first, block)
        w, w_term, edit_trees = fit_edit_models(X[chosen], y[chosen], args.seed)
    except ModuleNotFoundError:
        print("fit_calibration: the trees need scikit-learn: pip install -e '.[build]'",
              file=sys.stderr)
        return 1
    term = X[chosen, TERM_COLUMN] > 0
    edit = {name: round(float(v), 5) for name, v in zip(FEATURES, w)}
    edit_term = {name: round(float(v), 5) for name, v in zip(FEATURES, w_term)}
    # the document model sees the confidences of the freshly fitted edit model
    confidences = edit_confidences(X, (w, w_term), Trees(edit_trees))
    reported = likeliest_rows(confidences, block)     # each proposal's likeliest rival
    DX, dy = [], []
    for a, b, known, words, _, spun in per_doc:
        rows = reported[np.searchsorted(reported, a):np.searchsorted(reported, b)]
        evidence = Evidence([(0.0, float(c)) for c in confidences[rows]])
        DX.append(document_features(evidence, known, words))
        dy.append(spun)
    wd = fit_logistic(np.array(DX), np.array(dy, float), l2=0.5)
    document = {name: round(float(v), 5) for name, v in zip(DOC_FEATURES, wd)}
    (OUT.parent / TREES_FILE).write_text(json.dumps(edit_trees, separators=(",", ":")) + "\n")
    OUT.write_text(json.dumps({"edit": edit, "edit_term": edit_term, "document": document,
                               "fitted_on": f"{n_docs} train-half docs, seed {args.seed}",
                               "proposals": int(len(chosen)), "right": int(y[chosen].sum()),
                               "judged_rows": int(len(y)), "right_rows": int(y.sum()),
                               "term_proposals": int(term.sum())}, indent=1) + "\n")
    print(f"{len(chosen)} proposals ({int(y[chosen].sum())} right), {len(y)} judged rows "
          f"({int(y.sum())} right) from {n_docs} documents "
          f"in {time.time() - t0:.0f} s; wrote {OUT}")
    for k, v in edit.items():
        print(f"  edit {k:22s} {v:+.3f}")
    for k, v in document.items():
        print(f"  doc  {k:22s} {v:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
