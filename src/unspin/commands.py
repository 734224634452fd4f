"""`unspin check` and `unspin restore`."""
from __future__ import annotations

import argparse
import difflib
import json
import sys

from .api import Detector
from .inputs import read_text
from .options import add_detector_options, config_from_args


def register(sub) -> None:
    check = sub.add_parser(
        "check", help="flag spun and tortured phrases in a text",
        description="Show a text with every spun or tortured phrase highlighted, the proposed "
                    "original wording, and a verdict on the whole document.")
    check.add_argument("file", metavar="FILE", help="a UTF-8 text file, or - for standard input")
    fmt = check.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the native JSON result")
    fmt.add_argument("--languagetool", action="store_true",
                     help="print LanguageTool-compatible JSON (UTF-16 offsets)")
    fmt.add_argument("--html", metavar="OUT", help="write a self-contained HTML report to OUT")
    _common(check)
    check.set_defaults(run=run_check)

    restore = sub.add_parser(
        "restore", help="print the text with the original wording put back",
        description="Print exactly the restored text to standard output (messages go to "
                    "standard error), keeping the input's line breaks, so it composes in pipes.")
    restore.add_argument("file", metavar="FILE", help="a UTF-8 text file, or - for standard input")
    restore.add_argument("--diff", action="store_true", help="show a unified diff instead")
    _common(restore)
    restore.set_defaults(run=run_restore)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--errors", choices=("strict", "replace"), default="strict",
                        help="invalid UTF-8: stop with an error (strict, default) or replace it")
    add_detector_options(parser)


def run_check(args) -> int:
    text = read_text(args.file, args.errors)
    report = Detector(config_from_args(args)).check(text)
    if args.json:
        print(report.to_json())
    elif args.languagetool:
        print(json.dumps(report.to_languagetool(), ensure_ascii=False, indent=2))
    elif args.html:
        with open(args.html, "w", encoding="utf-8") as fh:
            fh.write(report.to_html(title=f"unspin: {args.file}"))
        print(f"wrote {args.html}: {len(report.edits)} flagged spans, verdict {report.verdict}",
              file=sys.stderr)
    else:
        print_report(report)
    return 0


def print_report(report) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    body = Text(report.text.rstrip("\n"))
    for e in report.edits:
        style = "bold red" if e.confidence >= 0.8 else "yellow" if e.confidence >= 0.5 else "dim"
        body.stylize(f"{style} underline", e.start, e.end)
    console.print(body)
    console.print()
    if report.edits:
        table = Table(title="Flagged spans", show_lines=False)
        for col in ("offset", "text", "likely original", "conf.", "rule"):
            table.add_column(col)
        for e in report.edits:
            table.add_row(str(e.start), e.text, " / ".join(e.replacements[:3]),
                          f"{e.confidence:.2f}", e.rule)
        console.print(table)
    colour = {"spun": "bold red", "clean": "bold green"}.get(report.verdict, "bold yellow")
    console.print(f"Verdict: [{colour}]{report.verdict}[/] (spin score {report.score:.2f}; "
                  f"{len(report.edits)} flagged spans in {report.words} words)")


def run_restore(args) -> int:
    text = read_text(args.file, args.errors)
    restored = Detector(config_from_args(args)).restore(text)
    if args.diff:
        name = args.file if args.file != "-" else "stdin"
        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(keepends=True), restored.splitlines(keepends=True),
            f"{name} (as written)", f"{name} (restored)"))
    else:
        sys.stdout.write(restored)
    return 0
