"""An unchanged LanguageTool client (language_tool_python) against a real `unspin serve`."""
from __future__ import annotations

import pytest

import unspin
from unspin.server.app import create_app
from unspin.server.runner import background_server

language_tool_python = pytest.importorskip("language_tool_python")

TEXT = ("Emoji first 😀🎉, then the tortured ones: counterfeit consciousness and an "
        "irregular woodland 👩‍🔬; 中文 and العربية stay as they are.")


@pytest.fixture(scope="module")
def detector():
    return unspin.Detector(model=False)


def test_language_tool_python_works_unchanged(detector, tmp_path, monkeypatch):
    # Where the client would put a downloaded LanguageTool: it must stay empty.
    monkeypatch.setenv("LTP_PATH", str(tmp_path / "languagetool"))
    with background_server(create_app(detector)) as url:
        tool = language_tool_python.LanguageTool("en-US", remote_server=url)
        try:
            matches = tool.check(TEXT)
            corrected = tool.correct(TEXT)
        finally:
            tool.close()
    report = detector.check(TEXT)
    assert len(matches) == len(report.edits) >= 2
    for match, edit in zip(matches, report.edits):
        # the client turns UTF-16 offsets back into Python (code-point) offsets
        assert TEXT[match.offset:match.offset + match.error_length] == edit.text
        assert match.replacements[0] == edit.replacements[0]
        assert match.rule_id == edit.rule and match.category
        assert match.message == edit.message
    assert corrected == report.restored
    assert "artificial intelligence" in corrected and "random forest" in corrected
    assert not (tmp_path / "languagetool").exists() or not any((tmp_path / "languagetool").iterdir())
