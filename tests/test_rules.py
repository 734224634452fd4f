"""Must-flag and must-leave examples per rule (LanguageTool style), on the real resources.

Each must-flag row names the span the detector has to flag and the original it has to
propose; each must-leave sentence is plain English the detector has to leave alone.
"""
import pytest

import unspin

MUST_FLAG = [
    # rule, text, flagged span, proposed original
    ("SPINNER_REWRITE", "The White Home said on Monday that the president would travel to Ohio.",
     "White Home", "White House"),
    ("SPUN_PHRASE", "Shares rose after the Associated Push reported the deal.", "Push", "Press"),
    ("SPINNER_REWRITE", "The corporate mentioned on Tuesday that it would close three factories.",
     "corporate", "company"),
    ("SPINNER_REWRITE", "The company said profits rose sharply in the final yr.", "final yr", "last year"),
    ("SPINNER_REWRITE", "Officials warned that prices would rise earlier than the end of the year.",
     "earlier than", "before"),
    ("SPINNER_REWRITE", "She was unable to attend as a substitute of her sister.", "as a substitute",
     "instead"),
    ("SPINNER_REWRITE", "The talks will continue right through the weekend.", "right through",
     "throughout"),
    ("SPINNER_REWRITE", "The council additionally approved a new budget.", "additionally", "also"),
    ("KNOWN_TORTURED_PHRASE", "The model was trained with an irregular woodland classifier.",
     "irregular woodland", "random forest"),
]

MUST_LEAVE = [
    "She bought a new car last year.",
    "The committee will meet again next month to discuss the budget.",
    "Scientists have found a new species of frog in the rainforest.",
    "The bank raised interest rates for the third time this year.",
    "The museum reopened on Saturday after a long renovation.",
    "Heavy rain flooded several roads in the north of the country.",
    "The team won the final after extra time.",
    "Parents can apply for the new school places online from next week.",
]


@pytest.mark.parametrize("rule, text, span, original", MUST_FLAG)
def test_must_flag(rule, text, span, original):
    # proposed at suggestion level (0.3); the default threshold (0.7) trades some of these
    # for fewer false changes on clean text
    report = unspin.Detector(threshold=0.3).check(text)
    found = [e for e in report.edits if e.text == span]
    assert found, f"{span!r} not flagged in {text!r}: {report.edits}"
    assert found[0].rule == rule
    assert found[0].replacements[0] == original
    assert 0.3 <= found[0].confidence <= 1.0
    assert found[0].message


@pytest.mark.parametrize("text", MUST_LEAVE)
def test_must_leave(detector, text):
    report = detector.check(text)
    assert report.edits == (), report.edits
    assert report.restored == text
    assert report.verdict != "spun"


def test_document_verdicts_separate_spun_from_clean(detector):
    from pathlib import Path
    spun = (Path(__file__).parents[1] / "examples" / "spun_news.txt").read_text(encoding="utf-8")
    clean = " ".join(MUST_LEAVE)
    assert detector.check(spun).score > detector.check(clean).score
    assert detector.check(spun).verdict == "spun"
    assert detector.check(clean).verdict == "clean"


def test_switches_turn_sources_off():
    text = "The model was trained with an irregular woodland classifier by the White Home."
    known_only = unspin.Detector(model=False).check(text)
    assert {e.rule for e in known_only.edits} == {"KNOWN_TORTURED_PHRASE"}
    model_only = unspin.Detector(fingerprints=False).check(text)
    assert "KNOWN_TORTURED_PHRASE" not in {e.rule for e in model_only.edits}


def test_threshold_filters_model_edits():
    text = "The White Home mentioned on Monday that the corporate had greater than ten stores."
    loose = unspin.Detector(threshold=0.05).check(text)
    strict = unspin.Detector(threshold=0.9).check(text)
    assert len(loose.edits) > len(strict.edits)
    assert all(e.confidence >= 0.9 for e in strict.edits)


def test_detector_pickles_as_its_config():
    import pickle
    d = unspin.Detector(threshold=0.7, fingerprints=False)
    blob = pickle.dumps(d)
    assert len(blob) < 1000
    again = pickle.loads(blob)
    assert again.config == d.config
    text = "The White Home said so."
    assert again.check(text) == d.check(text)


def test_three_word_terms_are_composed_from_swapped_words():
    """A spinner that leaves two words of "support vector machine" and swaps the third still
    spells a known term: the lattice offers the whole term, with the term bonus."""
    from unspin import resources
    from unspin.candidates import KNOWN_TERM, candidate_table
    from unspin.decode import build_lattice, generate_options
    from unspin.text import tokenize
    text = "The features were reduced with a support vector apparatus before training."
    lm = resources.language_model()
    lat = build_lattice(text, tokenize(text), lm)
    generate_options(lat, lm, candidate_table())
    i = lat.texts.index("support vector machine")
    assert lat.origin[i] == KNOWN_TERM and lat.k[i] == 3 and lat.words[lat.g[i]] == "support"
    assert lat.channel[i] > 0


def test_known_terms_are_spelt_from_originals_below_the_candidate_cut():
    """"detection" is a rarer original of "recognition" than the 32 every span keeps, yet it
    spells "intrusion detection" with "interruption" <- "intrusion": the term is offered and
    restored."""
    from unspin.candidates import MAX_THESAURUS_CANDIDATES, candidate_table
    table = candidate_table()
    assert "detection" not in table.lookup("recognition").singles
    assert "detection" in table.lookup("recognition").term_singles
    assert len(table.lookup("recognition").singles) <= MAX_THESAURUS_CANDIDATES
    report = unspin.Detector(fingerprints=False).check(
        "Recent advances in interruption recognition have attracted wide attention.")
    assert [(e.text, e.replacements[0]) for e in report.edits] == [
        ("interruption recognition", "intrusion detection")]


def test_a_term_word_may_stand_for_a_written_phrase():
    """"malignant growth" is the thesaurus's phrase for "cancer": "bone malignant growth"
    spells the known term "bone cancer" across three written words."""
    report = unspin.Detector(fingerprints=False).check(
        "Recent advances in bone malignant growth have attracted wide attention from researchers.")
    assert [(e.text, e.replacements[0]) for e in report.edits] == [
        ("bone malignant growth", "bone cancer")]
