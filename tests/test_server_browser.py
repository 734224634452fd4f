"""The checker page end to end in headless Chromium (Debian's `chromium`, driven by Playwright;
Playwright downloads no browser here): paste, check, see highlights, accept, restored text."""
from __future__ import annotations

import os
import shutil

import pytest

import unspin
from unspin import apply_edits
from unspin.server.app import create_app
from unspin.server.runner import background_server

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = os.environ.get("UNSPIN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium: apt-get install -y chromium (or set UNSPIN_CHROMIUM)")

#: What works headless in containers; no sandbox (root), no background network of its own.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

TEXT = ("Abstract 😀. We compare an irregular woodland with a neural network for "
        "counterfeit consciousness in bosom peril screening 中文.\nThe results are good.")


@pytest.fixture(scope="module")
def detector():
    return unspin.Detector(model=False)


@pytest.fixture(scope="module")
def server(detector):
    with background_server(create_app(detector)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def open_checked(browser, server, text, **context):
    page = browser.new_page(**context)
    outside = []
    page.on("request", lambda r: None if r.url.startswith(server) or r.url.startswith("data:")
            else outside.append(r.url))
    page.goto(server + "/")
    page.fill("#text", text)
    page.click("#check")
    page.wait_for_selector("#result:not([hidden])")
    return page, outside


def test_paste_check_highlight_accept_and_restore(browser, server, detector):
    report = detector.check(TEXT)
    assert len(report.edits) >= 3
    page, outside = open_checked(browser, server, TEXT)
    flags = page.locator("#document .flag")
    assert flags.all_inner_texts() == [e.text for e in report.edits]
    assert page.inner_text("#document") == TEXT            # highlights keep the text intact
    assert f"{len(report.edits)} flagged phrases" in page.inner_text("#verdict")
    assert page.input_value("#restored") == TEXT          # nothing accepted yet

    flags.nth(1).click()
    assert page.is_visible("#detail")
    assert report.edits[1].replacements[0] in page.inner_text("#detail")
    page.click("#detail-choices button.accept >> nth=0")
    assert page.is_hidden("#detail")
    assert page.input_value("#restored") == apply_edits(TEXT, [report.edits[1]])
    assert "accepted" in (flags.nth(1).get_attribute("class") or "")

    page.click("#accept-all")
    assert page.input_value("#restored") == report.restored
    page.click("#undo-all")
    assert page.input_value("#restored") == TEXT
    assert outside == []                                   # no CDN, no other host
    page.close()


def test_keyboard_only(browser, server, detector):
    report = detector.check(TEXT)
    page, _ = open_checked(browser, server, TEXT)
    page.focus("#document .flag >> nth=0")
    page.keyboard.press("Enter")                           # opens the detail, focus on Accept
    assert page.is_visible("#detail")
    assert page.evaluate("document.activeElement.classList.contains('accept')")
    page.keyboard.press("Escape")                          # closes it, focus back on the phrase
    assert page.is_hidden("#detail")
    assert page.evaluate("document.activeElement.dataset.index") == "0"
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")                           # accept the proposed original
    assert page.input_value("#restored") == apply_edits(TEXT, [report.edits[0]])
    page.close()


def test_readable_on_a_phone_sized_screen(browser, server):
    page, _ = open_checked(browser, server, TEXT, viewport={"width": 360, "height": 740},
                           device_scale_factor=2, is_mobile=True, has_touch=True)
    page.click("#document .flag >> nth=0")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    box = page.locator("#detail").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.close()


def test_empty_input_gets_a_message(browser, server):
    page = browser.new_page()
    page.goto(server + "/")
    page.fill("#text", "   ")
    page.click("#check")
    assert "Paste or open a text first" in page.inner_text("#status")
    page.close()


def test_open_a_word_file(browser, server):
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("A short note on colossal information.")
    saved = io.BytesIO()
    document.save(saved)
    page = browser.new_page()
    page.goto(server + "/")
    page.set_input_files("#file", files=[{"name": "note.docx", "buffer": saved.getvalue(),
                                          "mimeType": "application/vnd.openxmlformats-officedocument"
                                                      ".wordprocessingml.document"}])
    # poll from Python: the page's CSP (no 'unsafe-eval') refuses wait_for_function's script
    for _ in range(200):
        if page.input_value("#text"):
            break
        page.wait_for_timeout(50)
    assert page.input_value("#text") == "A short note on colossal information."
    page.click("#check")
    page.wait_for_selector("#result:not([hidden])")
    assert page.locator("#document .flag").all_inner_texts() == ["colossal information"]
    page.close()
