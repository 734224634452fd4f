"""The HTTP API of `unspin serve`: LanguageTool's /v2/check, the native /api routes, limits.

The detector here runs the known-phrase pass only (real Problematic Paper Screener list):
it is fast and what it flags is certain, so the tests can check every offset exactly.
"""
from __future__ import annotations

import io
import json
import threading

import httpx
import pytest
from fastapi.testclient import TestClient

import unspin
from unspin import apply_edits
from unspin.cli import main
from unspin.server.app import ServerLimits, create_app
from unspin.server.runner import background_server, open_socket

# Two catalogued tortured phrases, with astral emoji, CJK and right-to-left text around them.
MIXED = ("Résumé 😀🎉: 中文测试 and שלום עולם. We trained an irregular woodland 👍🏽 on "
         "counterfeit consciousness data.\nNext line 𝒳 stays.")


@pytest.fixture(scope="module")
def detector():
    return unspin.Detector(model=False)


@pytest.fixture(scope="module")
def client(detector):
    with TestClient(create_app(detector)) as c:
        yield c


def utf16_slice(text: str, offset: int, length: int) -> str:
    units = text.encode("utf-16-le")
    return units[2 * offset: 2 * (offset + length)].decode("utf-16-le")


def test_v2_check_answers_in_languagetool_shape_with_utf16_offsets(client, detector):
    response = client.post("/v2/check", data={"text": MIXED, "language": "en-US"})
    assert response.status_code == 200
    body = response.json()
    assert body["software"]["name"] == "unspin"
    assert body["language"]["code"] == "en-US"
    expected = detector.check(MIXED).edits
    assert [m["replacements"][0]["value"] for m in body["matches"]] == \
        [e.replacements[0] for e in expected]
    assert {"random forest", "artificial intelligence"} <= {e.replacements[0] for e in expected}
    for match, edit in zip(body["matches"], expected):
        assert utf16_slice(MIXED, match["offset"], match["length"]) == edit.text
        ctx = match["context"]
        assert utf16_slice(ctx["text"], ctx["offset"], ctx["length"]) == edit.text
        assert edit.text in match["sentence"]
        assert match["message"] and match["shortMessage"]
        rule = match["rule"]
        assert rule["id"] == edit.rule and rule["issueType"]
        assert set(rule["category"]) >= {"id", "name"} and rule["description"]
        assert match["type"]["typeName"]
    # the astral characters before the phrases make UTF-16 and code-point offsets differ
    assert body["matches"][0]["offset"] > expected[0].start


def test_v2_check_takes_get_query_and_multipart_too(client):
    by_get = client.get("/v2/check", params={"text": MIXED, "language": "en-US"}).json()
    by_form = client.post("/v2/check", data={"text": MIXED, "language": "en-US"}).json()
    by_multipart = client.post("/v2/check", files={"text": (None, MIXED), "language": (None, "en-US")}).json()
    assert by_get["matches"] == by_form["matches"] == by_multipart["matches"]


def test_v2_check_data_field_keeps_offsets_on_the_marked_up_text(client):
    items = [{"text": "Our "}, {"markup": "<b>", "interpretAs": ""}, {"text": "counterfeit "},
             {"markup": "<br/>", "interpretAs": " "}, {"text": "consciousness 😀 and "},
             {"markup": "<i>"}, {"text": "bosom peril"}, {"markup": "</i>"}, {"text": "."}]
    original = "".join(i.get("text", i.get("markup")) for i in items)
    body = client.post("/v2/check", data={"data": json.dumps({"annotation": items}),
                                          "language": "en-US"}).json()
    found = {utf16_slice(original, m["offset"], m["length"]): m["replacements"][0]["value"]
             for m in body["matches"]}
    assert found == {"counterfeit <br/>consciousness": "artificial intelligence",
                     "bosom peril": "breast cancer"}


@pytest.mark.parametrize("fields, expect_any", [
    ({}, True),
    ({"disabledRules": "KNOWN_TORTURED_PHRASE,UPPERCASE_SENTENCE_START"}, False),
    ({"disabledCategories": "TORTURED_PHRASES"}, False),
    ({"enabledOnly": "true", "enabledRules": "MORFOLOGIK_RULE_EN_US"}, False),
    ({"enabledOnly": "true", "enabledRules": "KNOWN_TORTURED_PHRASE"}, True),
    ({"enabledOnly": "true", "enabledCategories": "TORTURED_PHRASES"}, True),
])
def test_v2_check_honours_rule_and_category_fields(client, fields, expect_any):
    body = client.post("/v2/check", data={"text": MIXED, "language": "en-US", **fields}).json()
    assert bool(body["matches"]) is expect_any


def test_v2_languages_and_language_field(client):
    languages = client.get("/v2/languages").json()
    assert {"name": "English (US)", "code": "en", "longCode": "en-US"} in languages
    gb = client.post("/v2/check", data={"text": "ok", "language": "en-gb"}).json()
    assert gb["language"]["code"] == "en-GB" and gb["language"]["name"] == "English (GB)"
    auto = client.post("/v2/check", data={"text": "ok", "language": "auto"}).json()
    assert auto["language"]["code"] == "en-US"
    german = client.post("/v2/check", data={"text": "Hallo", "language": "de-DE"})
    assert german.status_code == 400 and german.text.startswith("Error: ")
    assert "English" in german.text and "de-DE" in german.text


@pytest.mark.parametrize("request_kwargs, status, words", [
    ({"data": {"language": "en-US"}}, 400, "Missing 'text'"),
    ({"data": {"data": "not json", "language": "en-US"}}, 400, "annotation"),
    ({"data": {"data": '{"annotation": [{"bold": 1}]}'}}, 400, "annotation[0]"),
    ({"json": {"text": "hi"}}, 415, "/api/check"),
])
def test_v2_check_malformed_requests_get_a_plain_message(client, request_kwargs, status, words):
    response = client.post("/v2/check", **request_kwargs)
    assert response.status_code == status
    assert words in response.text and "Traceback" not in response.text


def test_api_check_returns_the_native_schema(client, detector):
    body = client.post("/api/check", json={"text": MIXED}).json()
    assert body == detector.check(MIXED).to_dict(restored=True)
    assert set(body) >= {"unspin_version", "score", "verdict", "words", "edits", "restored"}
    for edit in body["edits"]:
        assert MIXED[edit["start"]:edit["end"]] == edit["text"]        # code-point offsets
    assert "random forest" in body["restored"] and "artificial intelligence" in body["restored"]
    assert "😀🎉: 中文测试 and שלום עולם" in body["restored"]


def test_api_check_takes_plain_text_and_a_threshold(client):
    plain = client.post("/api/check", content=MIXED.encode(), headers={"Content-Type": "text/plain"})
    assert plain.json() == client.post("/api/check", json={"text": MIXED, "threshold": 0.5}).json()


def test_api_restore(client, detector):
    body = client.post("/api/restore", json={"text": MIXED}).json()
    report = detector.check(MIXED)
    assert body["restored"] == report.restored == apply_edits(MIXED, report.edits)
    assert body["changed"] == len(report.edits) and body["verdict"] == report.verdict


@pytest.mark.parametrize("request_kwargs, status, words", [
    ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
    ({"json": ["a list"]}, 400, "must be an object"),
    ({"json": {"txt": "typo"}}, 400, '"text"'),
    ({"json": {"text": 42}}, 400, '"text"'),
    ({"json": {"text": "x", "threshold": 2}}, 400, "between 0 and 1"),
    ({"json": {"text": "x", "threshold": "high"}}, 400, "must be a number"),
    ({"content": "é".encode("latin-1"), "headers": {"Content-Type": "text/plain"}}, 400, "UTF-8"),
    ({"content": b"text=hi", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 415, "application/json"),
])
def test_api_malformed_requests_get_a_json_message(client, request_kwargs, status, words):
    response = client.post("/api/check", **request_kwargs)
    assert response.status_code == status
    assert words in response.json()["error"]


def test_unknown_routes_and_methods(client):
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and "/docs" in missing.json()["error"]
    wrong_method = client.get("/api/check")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.json()["error"]


def test_body_limit_gives_413_declared_or_streamed(detector):
    app = create_app(detector, ServerLimits(max_body_bytes=2_000))
    with TestClient(app) as small:
        assert small.post("/api/check", json={"text": "short and fine"}).status_code == 200
        declared = small.post("/v2/check", data={"text": "word " * 1_000})
        assert declared.status_code == 413 and "2,000 bytes" in declared.text

        def chunks():           # no Content-Length: the limit must count the streamed bytes
            for _ in range(10):
                yield b"x" * 500
        streamed = small.post("/api/check", content=chunks(), headers={"Content-Type": "text/plain"})
        assert streamed.status_code == 413 and "2,000 bytes" in streamed.json()["error"]


class GatedDetector(unspin.Detector):
    """The real detector, but each check first waits until the test opens the gate."""

    gate = threading.Event()

    def check(self, text):
        self.gate.wait(timeout=20)
        return super().check(text)


def test_saturation_gives_503_and_slow_checks_504():
    detector = GatedDetector(model=False)
    detector.gate.clear()
    app = create_app(detector, ServerLimits(workers=1, queue=0, time_limit=0.5), warm=False)
    with background_server(app) as url:
        first = {}
        blocked = threading.Thread(target=lambda: first.update(
            r=httpx.post(f"{url}/api/check", json={"text": "a bosom peril"}, timeout=20)))
        blocked.start()
        for _ in range(200):            # until the first check holds the only worker
            if httpx.get(f"{url}/healthz").json()["pending"] == 1:
                break
            threading.Event().wait(0.01)
        busy = httpx.post(f"{url}/api/check", json={"text": "more"}, timeout=20)
        assert busy.status_code == 503 and "busy" in busy.json()["error"]
        lt_busy = httpx.post(f"{url}/v2/check", data={"text": "more", "language": "en-US"})
        assert lt_busy.status_code == 503 and lt_busy.text.startswith("Error: ")
        blocked.join()
        assert first["r"].status_code == 504 and "0.5 s" in first["r"].json()["error"]
        detector.gate.set()
        for _ in range(200):            # the overrunning check frees its slot when it ends
            if httpx.get(f"{url}/healthz").json()["pending"] == 0:
                break
            threading.Event().wait(0.01)
        ok = httpx.post(f"{url}/api/check", json={"text": "a bosom peril"}, timeout=20)
        assert ok.status_code == 200 and ok.json()["restored"] == "a breast cancer"


def test_a_failing_check_gives_500_without_a_traceback():
    broken = unspin.Detector(model=False, lists=("/nonexistent/list.tsv",))
    with TestClient(create_app(broken, warm=False), raise_server_exceptions=False) as c:
        response = c.post("/api/check", json={"text": "anything"})
        assert response.status_code == 500
        assert "log" in response.json()["error"] and "Traceback" not in response.text
        lt = c.post("/v2/check", data={"text": "anything", "language": "en-US"})
        assert lt.status_code == 500 and "nonexistent" not in lt.text


def test_cors_is_off_unless_an_origin_is_allowed(detector):
    origin = {"Origin": "https://editor.example.org"}
    with TestClient(create_app(detector, warm=False)) as closed:
        assert "access-control-allow-origin" not in closed.get("/healthz", headers=origin).headers
    allowed = ServerLimits(cors_origins=("https://editor.example.org",))
    with TestClient(create_app(detector, allowed, warm=False)) as opened:
        response = opened.options("/api/check", headers={**origin, "Access-Control-Request-Method": "POST"})
        assert response.headers["access-control-allow-origin"] == "https://editor.example.org"


def test_page_docs_and_health_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("/static/checker.js", "/static/checker.css"):
        assert client.get(asset).status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    assert "/v2/check" in client.get("/openapi.json").json()["paths"]
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["capacity"] == 34


def test_serve_command_errors_are_one_line(capsys):
    taken = open_socket("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        assert main(["serve", "--no-model", "--port", str(port)]) == 2
    finally:
        taken.close()
    err = capsys.readouterr().err
    assert err.startswith("unspin: error: cannot listen on 127.0.0.1:") and err.count("\n") == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--max-body", "lots"])
    assert exit_info.value.code == 2 and "not a size" in capsys.readouterr().err


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica, built by hand (no PDF writer needed)."""
    text = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {text} ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
               b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_extract_reads_docx_pdf_and_text_uploads(client):
    import docx

    document = docx.Document()
    document.add_paragraph("First paragraph about an irregular woodland 😀.")
    document.add_paragraph("Second paragraph on counterfeit consciousness.")
    saved = io.BytesIO()
    document.save(saved)
    word = client.post("/api/extract", files={"file": ("paper.docx", saved.getvalue())}).json()
    assert word["text"] == ("First paragraph about an irregular woodland 😀.\n\n"
                            "Second paragraph on counterfeit consciousness.")
    pdf = client.post("/api/extract", files={"file": ("paper.pdf", minimal_pdf(
        ["We trained an irregular woodland", "on bosom peril images."]))}).json()
    assert "irregular woodland" in pdf["text"] and "bosom peril" in pdf["text"]
    checked = client.post("/api/check", json={"text": pdf["text"]}).json()
    assert {"random forest", "breast cancer"} <= {e["replacements"][0] for e in checked["edits"]}
    markdown = client.post("/api/extract", files={"file": ("notes.md", "# Title\n\nbody ✓".encode())})
    assert markdown.json()["text"] == "# Title\n\nbody ✓"


@pytest.mark.parametrize("upload, words", [
    (("paper.docx", b"not a zip at all"), "not a readable Word"),
    (("paper.pdf", b"%PDF-1.4 garbage"), "PDF"),
    (("picture.png", b"\x89PNG\r\n"), "cannot read .png"),
    (("notes.txt", b"caf\xe9"), "invalid UTF-8"),
    (("blank.txt", b"   \n"), "no text found"),
])
def test_extract_refuses_unreadable_files_with_a_reason(client, upload, words):
    response = client.post("/api/extract", files={"file": upload})
    assert response.status_code == 400 and words in response.json()["error"]


def test_extract_needs_a_multipart_file(client):
    assert client.post("/api/extract", json={"text": "x"}).status_code == 415
    no_file = client.post("/api/extract", files={"other": ("a.txt", b"x")})
    assert no_file.status_code == 400 and "`file`" in no_file.json()["error"]
