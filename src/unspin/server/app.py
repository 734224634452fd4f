"""The HTTP API and the checker page, on top of one shared `Detector`.

Routes
    POST /v2/check       LanguageTool's request and response (UTF-16 offsets): existing
                         LanguageTool clients and editor plug-ins work unchanged
    GET  /v2/languages   the languages a LanguageTool client may ask for (English only)
    POST /api/check      the native JSON schema of design.md (code-point offsets, score, restored)
    POST /api/restore    only the restored text, score and verdict
    POST /api/extract    the text of an uploaded .txt, .md, .docx or .pdf file
    GET  /               the checker page (static/, no CDN)
    GET  /healthz        liveness and load
    GET  /docs, /redoc, /openapi.json   API documentation, served locally

Every check runs on a small thread pool with a bounded queue (503 when full) and a time limit
(504), behind a request body limit (413). Errors are one sentence a person can act on, as JSON
on /api and as plain text on /v2 (what LanguageTool itself answers); tracebacks go to the
server log only.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from importlib.resources import files
from typing import Callable
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from .. import Detector, Report, __version__
from ..inputs import InputError
from ..report import RULES, languagetool_response
from .documents import extract_text

log = logging.getLogger("unspin.server")

STATIC = files("unspin.server") / "static"

#: Language codes a LanguageTool client may send, and the names we answer with.
LANGUAGES = {
    "en": "English", "en-US": "English (US)", "en-GB": "English (GB)", "en-AU": "English (Australian)",
    "en-CA": "English (Canadian)", "en-NZ": "English (New Zealand)", "en-ZA": "English (South African)",
}

#: The page may load only what this server serves: proof that it needs no CDN.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class ServerLimits:
    """How much one server accepts at once.

    max_body_bytes   largest request body; bigger ones get 413
    time_limit       seconds a request may wait for and run its check; then 504
    workers          checks running at the same time (threads)
    queue            checks waiting for a worker; when the queue is full, 503
    cors_origins     origins allowed to call the API from a browser; none by default
    """

    max_body_bytes: int = 1_000_000
    time_limit: float = 30.0
    workers: int = 2
    queue: int = 32
    cors_origins: tuple[str, ...] = ()

    def __post_init__(self):
        if self.max_body_bytes < 1:
            raise ValueError("the body limit must be at least 1 byte")
        if self.time_limit <= 0:
            raise ValueError("the time limit must be positive")
        if self.workers < 1 or self.queue < 0:
            raise ValueError("workers must be at least 1 and the queue at least 0")
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))


class Problem(HTTPException):
    """A request we refuse, with the status and the sentence the client sees."""


class CheckPool:
    """Runs checks on a few threads; refuses work beyond `workers + queue` pending checks.

    A check that overruns the time limit cannot be killed (it is a thread), so its slot stays
    taken until it really ends: the bound on pending work holds even then.
    """

    def __init__(self, workers: int, queue: int):
        self.capacity = workers + queue
        self.pending = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="unspin-check")

    def _release(self, _future) -> None:
        with self._lock:
            self.pending -= 1

    async def run(self, fn: Callable, *args, timeout: float):
        with self._lock:
            if self.pending >= self.capacity:
                raise Problem(503, f"The server is busy ({self.capacity} checks pending); "
                                   "retry in a few seconds.")
            self.pending += 1
        future = self._executor.submit(fn, *args)
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.TimeoutError:
            raise Problem(504, f"The check took longer than the server's limit of {timeout:g} s; "
                               "send a shorter text or split it.") from None

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class BodyLimit:
    """ASGI middleware: 413 for bodies above `max_bytes`, declared or streamed."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    def too_large(self) -> Problem:
        return Problem(413, f"The request body is larger than the server's limit of "
                            f"{self.max_bytes:,} bytes; send a shorter text or split it.")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = error_response(scope["path"], 413, self.too_large().detail)
            return await response(scope, receive, send)
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self.too_large()
            return message

        await self.app(scope, counting_receive, send)


def error_response(path: str, status: int, message: str) -> Response:
    if path.startswith("/v2/"):
        return PlainTextResponse(f"Error: {message}", status_code=status)
    return JSONResponse({"error": message, "status": status}, status_code=status)


# ---------------------------------------------------------------------------------------------
# Requests


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")


def _ids(value: str | None) -> set[str]:
    return {v.strip() for v in (value or "").split(",") if v.strip()}


def english_code(language: str | None) -> str:
    """The code to answer with for a LanguageTool `language` field; English only."""
    code = (language or "auto").strip()
    if code.lower() == "auto":
        return "en-US"
    for known in LANGUAGES:
        if code.lower() == known.lower():
            return known
    if code.lower().startswith("en-") or code.lower() == "en":
        return "en"
    raise Problem(400, f"unspin checks English text only, not {code!r}; "
                       "send language=en-US (or auto).")


def selected_rules(fields: dict[str, str]) -> list[str]:
    """Our rule ids left after LanguageTool's enabled/disabled rules and categories fields.

    Ids we do not know (clients send LanguageTool's own) are ignored, as LanguageTool does.
    """
    enabled, disabled = _ids(fields.get("enabledRules")), _ids(fields.get("disabledRules"))
    enabled_cats, disabled_cats = (_ids(fields.get("enabledCategories")),
                                   _ids(fields.get("disabledCategories")))
    chosen = []
    for rule, (category, _description) in RULES.items():
        if rule in disabled or category in disabled_cats:
            continue
        if _flag(fields.get("enabledOnly")) and rule not in enabled and category not in enabled_cats:
            continue
        chosen.append(rule)
    return chosen


@dataclass(frozen=True)
class AnnotatedText:
    """LanguageTool's `data` field: text items are checked, markup items are not.

    `checked` is what the detector sees (markup replaced by its `interpretAs`); `original` is
    all items concatenated, the string LanguageTool's offsets refer to.
    """

    original: str
    checked: str
    starts: tuple[int, ...]     # for each code point of `checked`, where it starts in `original`
    ends: tuple[int, ...]       # ... and where it ends

    @classmethod
    def parse(cls, data: str) -> "AnnotatedText":
        try:
            items = json.loads(data)["annotation"]
        except (ValueError, TypeError, KeyError):
            raise Problem(400, 'The data field must be JSON like {"annotation": [{"text": "..."}, '
                               '{"markup": "<b>"}]}.') from None
        if not isinstance(items, list):
            raise Problem(400, "data.annotation must be a list of text and markup items.")
        original, checked, starts, ends = [], [], [], []
        pos = 0
        for n, item in enumerate(items):
            text = item.get("text") if isinstance(item, dict) else None
            markup = item.get("markup") if isinstance(item, dict) else None
            if isinstance(text, str):
                checked.append(text)
                starts.extend(range(pos, pos + len(text)))
                ends.extend(range(pos + 1, pos + len(text) + 1))
                original.append(text)
                pos += len(text)
            elif isinstance(markup, str):
                spoken = item.get("interpretAs", "")
                if not isinstance(spoken, str):
                    raise Problem(400, f"data.annotation[{n}].interpretAs must be a string.")
                checked.append(spoken)
                starts.extend([pos] * len(spoken))
                ends.extend([pos + len(markup)] * len(spoken))
                original.append(markup)
                pos += len(markup)
            else:
                raise Problem(400, f'data.annotation[{n}] needs a "text" or a "markup" string.')
        return cls("".join(original), "".join(checked), tuple(starts), tuple(ends))

    def report_on_original(self, report: Report) -> Report:
        edits = []
        for e in report.edits:
            start, end = self.starts[e.start], self.ends[e.end - 1]
            edits.append(replace(e, start=start, end=end, text=self.original[start:end]))
        return replace(report, text=self.original, edits=tuple(edits))


async def form_fields(request: Request) -> dict[str, str]:
    """LanguageTool's fields, from the query string and a form body (urlencoded or multipart)."""
    fields = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method == "POST":
        if content_type == "application/x-www-form-urlencoded" or not content_type:
            body = await request.body()
            try:
                fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                raise Problem(400, "The form body is not valid UTF-8.") from None
        elif content_type == "multipart/form-data":
            form = await request.form()
            fields.update({k: v for k, v in form.items() if isinstance(v, str)})
        else:
            raise Problem(415, f"/v2/check takes form fields (application/x-www-form-urlencoded or "
                               f"multipart/form-data), not {content_type}; for JSON use /api/check.")
    return fields


async def native_request(request: Request) -> tuple[str, float | None]:
    """The text (and optional threshold) of an /api request: JSON or plain text."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("text/plain", "text/markdown"):
        body = await request.body()
        try:
            return body.decode("utf-8"), None
        except UnicodeDecodeError:
            raise Problem(400, "The text is not valid UTF-8; convert it and send it again.") from None
    if content_type == "application/json":
        try:
            payload = json.loads(await request.body())
        except ValueError as exc:
            raise Problem(400, f"The body is not valid JSON ({exc}).") from None
        if not isinstance(payload, dict):
            raise Problem(400, 'The JSON body must be an object like {"text": "..."}.')
        fields = payload
    else:
        raise Problem(415, 'Send JSON {"text": "..."} (Content-Type: application/json) or the '
                           "bare text (Content-Type: text/plain).")
    text = fields.get("text")
    if not isinstance(text, str):
        raise Problem(400, 'The request needs a "text" field holding the text to check.')
    threshold = fields.get("threshold")
    if threshold is not None:
        try:
            threshold = float(threshold)
        except (TypeError, ValueError):
            raise Problem(400, f'"threshold" must be a number between 0 and 1, not {threshold!r}.') from None
        if not 0.0 <= threshold <= 1.0:
            raise Problem(400, f'"threshold" must be between 0 and 1, not {threshold:g}.')
    return text, threshold


# ---------------------------------------------------------------------------------------------
# The application


def create_app(detector: Detector | None = None, limits: ServerLimits | None = None,
               warm: bool = True) -> FastAPIOffline:
    """The ASGI app. `detector` defaults to `Detector()`; `warm` loads its resources at start-up
    so that the first request is not the slow one."""
    detector = detector or Detector()
    limits = limits or ServerLimits()
    pool = CheckPool(limits.workers, limits.queue)

    @asynccontextmanager
    async def lifespan(_app):
        if warm:
            log.info("loading resources ...")
            await asyncio.to_thread(detector.check, "The server is warming up its resources.")
            log.info("resources loaded")
        yield
        pool.shutdown()

    app = FastAPIOffline(
        title="unspin", version=__version__, lifespan=lifespan,
        description="Find machine-spun text (tortured phrases, spinner synonyms) and restore "
                    "the original wording. `/v2/check` speaks LanguageTool's protocol; "
                    "`/api/check` returns unspin's native JSON.",
    )
    app.state.detector, app.state.limits, app.state.pool = detector, limits, pool

    async def run_check(text: str, threshold: float | None = None) -> Report:
        chosen = detector if threshold is None else Detector(detector.config.with_(threshold=threshold))
        return await pool.run(chosen.check, text, timeout=limits.time_limit)

    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException):
        message = exc.detail if isinstance(exc, Problem) else {
            404: f"There is no {request.url.path} here; see /docs for the API.",
            405: f"{request.method} is not allowed on {request.url.path}; see /docs.",
        }.get(exc.status_code, str(exc.detail))
        return error_response(request.url.path, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error_response(request.url.path, 400, f"Invalid request: {where}: {first.get('msg', '')}")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request.url.path, 500, "The server failed on this request; "
                                                     "its log has the details.")

    lt_body = {"description": "LanguageTool's form fields: `text` (or `data`), `language`, "
                              "`enabledRules`, `disabledRules`, `enabledCategories`, "
                              "`disabledCategories`, `enabledOnly`.",
               "content": {"application/x-www-form-urlencoded": {"schema": {
                   "type": "object", "properties": {
                       "text": {"type": "string"}, "data": {"type": "string"},
                       "language": {"type": "string", "default": "auto"},
                       "enabledRules": {"type": "string"}, "disabledRules": {"type": "string"},
                       "enabledCategories": {"type": "string"},
                       "disabledCategories": {"type": "string"},
                       "enabledOnly": {"type": "string", "enum": ["true", "false"]}}}}}}

    @app.post("/v2/check", tags=["LanguageTool"], openapi_extra={"requestBody": lt_body})
    @app.get("/v2/check", tags=["LanguageTool"], operation_id="v2_check_get")
    async def v2_check(request: Request):
        """Check a text; LanguageTool's response shape, offsets in UTF-16 code units."""
        fields = await form_fields(request)
        language = english_code(fields.get("language"))
        if fields.get("text") is not None:
            annotated = None
            text = fields["text"]
        elif fields.get("data") is not None:
            annotated = AnnotatedText.parse(fields["data"])
            text = annotated.checked
        else:
            raise Problem(400, "Missing 'text' or 'data' parameter: send the text to check.")
        report = await run_check(text)
        if annotated is not None:
            report = annotated.report_on_original(report)
        body = languagetool_response(report, language, selected_rules(fields))
        name = LANGUAGES.get(language, "English")
        body["language"]["name"] = body["language"]["detectedLanguage"]["name"] = name
        return JSONResponse(body)

    @app.get("/v2/languages", tags=["LanguageTool"])
    async def v2_languages():
        """The languages LanguageTool clients may ask for: English and its variants."""
        return [{"name": name, "code": "en", "longCode": code} for code, name in LANGUAGES.items()]

    native_body = {"description": 'JSON `{"text": "...", "threshold": 0.5}` (threshold optional) '
                                  "or the bare text as text/plain.",
                   "content": {"application/json": {"schema": {
                       "type": "object", "required": ["text"], "properties": {
                           "text": {"type": "string"},
                           "threshold": {"type": "number", "minimum": 0, "maximum": 1}}}},
                       "text/plain": {"schema": {"type": "string"}}}}

    @app.post("/api/check", tags=["native"], openapi_extra={"requestBody": native_body})
    async def api_check(request: Request):
        """Flag every spun phrase: score, verdict, edits (code-point offsets) and restored text."""
        text, threshold = await native_request(request)
        report = await run_check(text, threshold)
        return JSONResponse(report.to_dict(restored=True))

    @app.post("/api/restore", tags=["native"], openapi_extra={"requestBody": native_body})
    async def api_restore(request: Request):
        """The text with every flagged phrase replaced by its proposed original."""
        text, threshold = await native_request(request)
        report = await run_check(text, threshold)
        return JSONResponse({"unspin_version": __version__, "restored": report.restored,
                             "changed": len(report.edits), "score": round(report.score, 4),
                             "verdict": report.verdict})

    upload_body = {"description": "multipart/form-data with one `file` field (.txt, .md, .docx, .pdf).",
                   "content": {"multipart/form-data": {"schema": {
                       "type": "object", "required": ["file"],
                       "properties": {"file": {"type": "string", "format": "binary"}}}}}}

    @app.post("/api/extract", tags=["native"], openapi_extra={"requestBody": upload_body})
    async def api_extract(request: Request):
        """The text of an uploaded document, to check with /api/check."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "multipart/form-data":
            raise Problem(415, "Upload the document as multipart/form-data with a `file` field.")
        upload = (await request.form()).get("file")
        if upload is None or isinstance(upload, str):
            raise Problem(400, "The form needs a `file` field holding the document.")
        name = upload.filename or "upload"
        data = await upload.read()
        try:
            text = await pool.run(extract_text, data, name, timeout=limits.time_limit)
        except InputError as exc:
            raise Problem(400, str(exc)) from None
        return {"name": name, "text": text}

    @app.get("/healthz", tags=["service"])
    async def healthz():
        """Liveness, and how busy the checker is."""
        return {"status": "ok", "unspin_version": __version__, "pending": pool.pending,
                "capacity": pool.capacity, "model": detector.config.model,
                "fingerprints": detector.config.fingerprints}

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(str(STATIC / "index.html"), media_type="text/html",
                            headers={"Content-Security-Policy": PAGE_POLICY,
                                     "X-Content-Type-Options": "nosniff"})

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    if limits.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(limits.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    return app

