"""The boosted-tree confidence model: numpy evaluation equals scikit-learn's, on real features."""
import numpy as np
import pytest

import unspin
from unspin.calibrate import FEATURES, TREES_FILE, Trees, trees
from unspin.decode import propose
from unspin.text import tokenize


def test_tree_export_reproduces_sklearn():
    sklearn = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 6))
    y = ((X[:, 0] > 0.3) & (X[:, 1] < 0.5) | (X[:, 2] > 1.5)).astype(float)
    model = sklearn.HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=15,
                                                   random_state=0).fit(X, y)
    ours = Trees(Trees.from_sklearn(model)).logits(X)
    assert np.allclose(ours, model.decision_function(X), atol=1e-4)


def test_packaged_trees_score_real_proposals():
    model = trees()
    assert model is not None, "src/unspin/data/calibration_trees.json is missing"
    text = ("The corporate mentioned on Tuesday that it would close three of its factories "
            "earlier than the end of the yr, on account of falling demand.")
    proposals, _ = propose(text, tokenize(text))
    assert proposals
    features = np.stack([p.features for p in proposals])
    assert features.shape[1] == len(FEATURES)
    confidences = {p.edit.text: p.edit.confidence for p in proposals}
    assert all(0.0 <= c <= 1.0 for c in confidences.values())
    # real spinner renderings outrank the model's guesses at ordinary words ("on account of"
    # stands for "because of" or "due to", so its first original is the less sure)
    guesses = [p.edit.confidence for p in proposals if p.edit.source == "model"]
    assert confidences["earlier than"] > 0.7 and confidences["on account of"] > 0.5
    assert min(confidences["earlier than"], confidences["on account of"]) > max(guesses, default=0)
    report = unspin.Detector().check(text)
    assert "before the end of the year" in report.restored


def test_packaged_trees_name_their_features_and_a_stale_file_falls_back(tmp_path, monkeypatch):
    """The trees file records the feature columns it was fitted on; a file fitted on other
    columns (after a feature change, before a refit) is not used: the logistic weights,
    stored by name, serve instead, with a warning."""
    import json
    from importlib.resources import files
    import unspin.calibrate as calibrate
    fitted = json.loads((files("unspin") / "data" / TREES_FILE).read_text())
    assert fitted["features"] == list(FEATURES)
    stale = dict(fitted, features=list(FEATURES) + ["origin_gone"])
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / TREES_FILE).write_text(json.dumps(stale))
    monkeypatch.setattr(calibrate, "files", lambda package: tmp_path)
    calibrate.trees.cache_clear()
    try:
        with pytest.warns(UserWarning, match="other features"):
            assert calibrate.trees() is None
    finally:
        calibrate.trees.cache_clear()


def test_two_neighbouring_swaps_stay_two_edits():
    """A swapped word next to a real spinner pair is no composed edit that hides the pair:
    "Analysts mentioned" keeps "mentioned" -> "said" as its own, confident edit."""
    report = unspin.Detector(threshold=0.0).check(
        "Analysts mentioned the plan would cut costs for small firms.")
    said = [e for e in report.edits if e.text == "mentioned"]
    assert said and said[0].replacements[0] == "said" and said[0].confidence >= 0.7
    assert not any(" " in e.text for e in report.edits)


def test_pps_support_counts_a_paper_mills_preferred_synonym():
    from unspin.candidates import pps_support, support_of
    counts = pps_support()
    assert support_of(counts, "corrosive", "acid") >= 20     # in dozens of the list's rows
    assert support_of(counts, "ascorbic corrosive", "ascorbic acid") == \
        support_of(counts, "corrosive", "acid")              # a phrase: its swapped word
    assert support_of(counts, "corrosive", "base") == 0
    # the weakest swapped word decides a phrase of several swaps
    assert support_of(counts, "profound corrosive", "deep acid") == min(
        support_of(counts, "profound", "deep"), support_of(counts, "corrosive", "acid"))


def test_a_rewrite_repeated_on_a_page_takes_its_strongest_confidence():
    from unspin.decode import pool_repeats
    from unspin.report import Edit

    def edit(start, text, replacement, confidence):
        return Edit(start, start + len(text), text, (replacement,), confidence, "SPUN_PHRASE",
                    "model", "")
    edits = [edit(0, "primary", "first", 0.9), edit(20, "Primary", "First", 0.4),
             edit(40, "primary", "main", 0.3), edit(60, "stated", "said", 0.5)]
    assert [e.confidence for e in pool_repeats(edits)] == [0.9, 0.9, 0.3, 0.5]
    # on a real page: every flagged repeat of one rewrite has one confidence
    page = ("The White Home mentioned on Monday that it would act. Officials at the White Home "
            "mentioned the plan would take a week. A spokesman for the White Home declined "
            "to comment.")
    report = unspin.Detector(threshold=0.0).check(page)
    confidences = {}
    for e in report.edits:
        confidences.setdefault((e.text.lower(), e.replacements[0].lower()), []).append(e.confidence)
    repeated = [found for found in confidences.values() if len(found) > 1]
    assert repeated and all(len(set(found)) == 1 for found in repeated)


def test_training_rows_are_every_rival_and_the_second_fit_learns_the_reported_ones():
    """fit_calibration trains on every rival original of a changed span (each labelled on its
    own), then on the row per proposal that the model would report: with the packaged model
    choosing, those rows are exactly the proposals' own features."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import fit_calibration as fit
    from unspin.calibrate import edit_confidences
    from unspin.evaluate.gold import GoldDocument, GoldEdit
    original = "The company said on Tuesday that it would close three factories because of weak demand."
    spun = "The corporate mentioned on Tuesday that it would close three factories on account of weak demand."
    at_o, at_s = original.index("because of"), spun.index("on account of")
    gold = GoldDocument("t", original, spun, (GoldEdit(
        at_s, at_s + len("on account of"), at_o, at_o + len("because of"),
        "on account of", "because of"),))
    X, y, block, per_doc = fit.decode_training_documents([(original, gold, None)])
    proposals, _ = propose(spun, tokenize(spun))
    assert len(X) == sum(len(p.judged) for p in proposals) > len(proposals)
    assert sorted(set(block.tolist())) == list(range(len(proposals)))
    # "because of" is right, its rivals ("due to" among them) wrong, each its own row
    span = next(p for p in proposals if p.edit.text == "on account of")
    originals = [o for o, _ in span.judged]
    rows = [i for i, b in enumerate(block) if b == proposals.index(span)]
    assert [y[i] for i in rows] == [float(o == "because of") for o in originals]
    chosen = fit.likeliest_rows(edit_confidences(X), block)
    assert np.allclose(X[chosen], np.stack([p.features for p in proposals]))
    assert per_doc[0][:2] == (0, len(X))
