"""Edits replay exactly, with code-point offsets, on any Unicode text."""
from hypothesis import given, settings, strategies as st

import unspin
from unspin import apply_edits

PIECES = ["The White Home mentioned ", "profound learning ", "😀 ", "中文文本 ", "שלום ",
          "é", "e\u0301 ", "the international ministry ", "\n", "Related Press ", "👩‍👩‍👧 "]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12))
def test_edits_replay_to_restored_with_code_point_offsets(detector, pieces):
    text = "".join(pieces)
    report = detector.check(text)
    for e in report.edits:
        assert text[e.start:e.end] == e.text
    assert apply_edits(text, report.edits) == report.restored
    # everything outside the edits is untouched
    pos = 0
    for e in report.edits:
        assert report.restored.count(text[pos:e.start]) >= 1
        pos = e.end


def test_offsets_after_astral_characters():
    text = "😀😀 The White Home mentioned it."
    report = unspin.Detector(threshold=0.3).check(text)
    e = next(e for e in report.edits if "Home" in e.text)
    assert text[e.start:e.end] == e.text and e.start >= 3
    assert "House" in e.replacements[0]
