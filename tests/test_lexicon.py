"""The observed spinner lexicon (real development pairs) and its held-out switch."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import unspin
from unspin.data_splits import dev_pair_is_heldout
from unspin.lexicon import pairs_of, seen_both_ways, spinner_lexicon
from unspin.rules import rewrite_table

ROOT = Path(__file__).resolve().parents[1]


def test_lexicon_holds_real_pairs_with_a_channel_by_count():
    lex = spinner_lexicon()
    assert ("said", 3.0) in lex["mentioned"]          # seen ten times: a fixed choice
    assert dict(lex["mentions"])["says"] == 10.0       # a re-inflection is weaker evidence
    assert "methods" in lex and "method" not in lex    # one-off pairs are not re-inflected
    assert any(rw.family == "observed" for rw in rewrite_table()["mentioned"])


def test_pair_seen_both_ways_is_left_out():
    # the development set has the spinner writing "anticipated" for "expected" and back
    assert seen_both_ways([("Anticipated", "expected"), ("expected", "anticipated"),
                           ("mentioned", "said")]) == {("anticipated", "expected"),
                                                        ("expected", "anticipated")}
    lex = spinner_lexicon()
    assert "expected" not in dict(lex.get("anticipated", ()))
    assert "anticipated" not in dict(lex.get("expected", ()))
    assert dict(lex["mentioned"])["said"] == 3.0       # one way only: the fixed choice stays


def test_observed_pair_is_restored_in_context():
    text = "The corporate mentioned on Tuesday that it would close three of its factories."
    report = unspin.Detector(threshold=0.3).check(text)
    said = [e for e in report.edits if e.text == "mentioned"]
    assert said and said[0].replacements[0] == "said" and said[0].source == "rule:observed"
    assert "The company said on Tuesday" in report.restored


def test_hold_out_removes_the_heldout_half_everywhere():
    probe = ("from unspin.lexicon import spinner_lexicon; from unspin.rules import rewrite_table;"
             "lex, rules = spinner_lexicon(), rewrite_table();"
             "print(int('corporate' in lex), int('yr' in rules), int('mentioned' in lex))")
    env = {**os.environ, "UNSPIN_HOLD_OUT": "dev-pairs"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert dev_pair_is_heldout("corporate") and dev_pair_is_heldout("yr")
    assert not dev_pair_is_heldout("mentioned")
    # held-out pairs are gone from the lexicon and from the hand-written rules alike
    assert out == ["0", "0", "1"]


def test_calibration_quarters_split_the_calibration_half_and_can_be_hidden():
    a, b = pairs_of("calibration-a"), pairs_of("calibration-b")
    heldout = pairs_of("heldout")
    assert a and b and not (a & b) and not ((a | b) & heldout)
    observed, original = sorted(a)[0]
    hidden = rewrite_table(a)
    assert original in {rw.original for rw in rewrite_table().get(observed, ())}
    assert original not in {rw.original for rw in hidden.get(observed, ())}
    # the other quarter stays
    other_observed, other_original = sorted(b)[0]
    assert other_original in {rw.original for rw in hidden.get(other_observed, ())}


@pytest.mark.skipif(not (ROOT.parent / "shared" / "data" / "spinner_pairs").exists(),
                    reason="the shared development pairs are not beside this checkout")
def test_packaged_lexicon_is_what_the_build_script_makes(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_spinner_lexicon as build
    monkeypatch.setattr(build, "OUT", tmp_path / "lexicon.tsv")
    build.main([])
    packaged = ROOT / "src" / "unspin" / "data" / "spinner_lexicon.tsv"
    assert (tmp_path / "lexicon.tsv").read_text() == packaged.read_text()
