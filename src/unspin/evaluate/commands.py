"""`unspin spin` (gold-annotated synthetic spun text) and `unspin eval` (score the detector)."""
from __future__ import annotations

import argparse
import json
import os
import sys

from ..inputs import InputError, read_text

SPIN_HELP = """\
Turn clean text into spun text with gold edits, to MEASURE a detector (this is a generator
of evaluation data, not a content tool). INPUT is a .txt file (each blank-line-separated
paragraph is a document; --whole makes the file one), a .jsonl file (objects with a "text"
field and an optional "id"), "-" for standard input, or wiki:eval / wiki:train for the
offline Wikipedia summaries (fixed halves). Output: one JSON object per document with
"original", "spun" and "edits" (see docs/evaluation.md), or --format inline."""

EVAL_HELP = """\
Score the detector on gold data: a .jsonl file as `unspin spin` writes, or an inline
annotation file (*.annot.txt, or --format inline) written like
"The [White Home=>White House] [mentioned=>said|stated] ...", where "=" among the
alternatives means leaving the span unchanged is fine. Documents without gold spans count
as clean text (false changes per 1,000 words)."""


def register(subparsers) -> None:
    p = subparsers.add_parser("spin", help="make spun text with gold edits (evaluation data)",
                              description=SPIN_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="clean text: .txt, .jsonl, -, wiki:eval or wiki:train")
    p.add_argument("--rate", type=float, default=0.25,
                   help="share of content words to spin, 0..1 (default 0.25)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same output)")
    p.add_argument("--style", choices=("news", "paper", "wordnet"), default="news",
                   help="which kind of spinner to imitate (default news)")
    p.add_argument("--thesaurus", metavar="PATH",
                   help="a TSV thesaurus (word<TAB>synonym[,synonym...]) instead of the built-in choice")
    p.add_argument("-o", "--output", metavar="OUT", default="-", help="output file (default stdout)")
    p.add_argument("--format", choices=("jsonl", "inline"), default=None,
                   help="output format (default: inline for *.annot.txt, else jsonl)")
    p.add_argument("--whole", action="store_true", help="a .txt input is one document, not paragraphs")
    p.add_argument("--limit", type=int, default=None, help="spin at most N documents")
    p.set_defaults(run=run_spin)

    e = subparsers.add_parser("eval", help="score the detector on gold-annotated data",
                              description=EVAL_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("gold", metavar="GOLD", nargs="+", help="gold files (.jsonl or .annot.txt)")
    e.add_argument("--format", choices=("auto", "jsonl", "inline"), default="auto",
                   help="gold format (default: by file name)")
    e.add_argument("--threshold", type=float, default=None,
                   help="edit confidence threshold to report at (default: the detector's)")
    e.add_argument("--no-model", action="store_true", help="known phrases only (no model pass)")
    e.add_argument("--no-fingerprints", action="store_true", help="model pass only")
    e.add_argument("--backend", choices=("trigram", "llm"), default="trigram")
    e.add_argument("--limit", type=int, default=None, help="evaluate at most N documents")
    e.add_argument("--json", action="store_true", help="print the raw numbers as one JSON object")
    e.add_argument("--plot", metavar="DIR", help="write PNG figures into DIR")
    e.add_argument("--report", metavar="FILE", help="write a markdown report (tables + figures)")
    e.set_defaults(run=run_eval)


def _clean_documents(args):
    from .corpus import CleanDocument, paragraphs, wiki_documents
    src = args.input
    if src.startswith("wiki:"):
        return wiki_documents(src[5:], args.limit)
    text = read_text(src)
    if src.endswith(".jsonl"):
        docs = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                body = rec["text"] if "text" in rec else rec["original"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InputError(f"{src}:{n}: expected a JSON object with a \"text\" field") from None
            docs.append(CleanDocument(str(rec.get("id", f"{src}:{n}")), str(body)))
    elif args.whole:
        docs = [CleanDocument(src, text)]
    else:
        docs = paragraphs(text, prefix=os.path.basename(src) if src != "-" else "stdin")
    return docs[:args.limit] if args.limit is not None else docs


def run_spin(args) -> int:
    from .runner import progress
    from .spinner import Spinner
    spinner = Spinner(args.style, args.rate, args.seed, args.thesaurus)
    docs = _clean_documents(args)
    fmt = args.format or ("inline" if args.output.endswith(".annot.txt") else "jsonl")
    spun = [spinner.spin(d.text, d.id) for d in progress(docs, "spinning")]
    body = ("\n---\n".join(d.to_inline() for d in spun) if fmt == "inline"
            else "\n".join(d.to_json() for d in spun)) + "\n"
    if args.output == "-":
        sys.stdout.write(body)
    else:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(body)
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write ({exc.strerror})") from None
        edits = sum(len(d.edits) for d in spun)
        print(f"wrote {len(spun)} documents with {edits} gold edits to {args.output}", file=sys.stderr)
    return 0


def run_eval(args) -> int:
    from ..config import DetectorConfig
    from .gold import load_gold
    from .plots import write_plots
    from .report import markdown_report, summary_lines
    from .runner import judge, results
    if args.no_model and args.no_fingerprints:
        raise InputError("--no-model and --no-fingerprints together leave nothing to evaluate")
    if args.threshold is not None and not 0 <= args.threshold <= 1:
        raise InputError(f"--threshold must be between 0 and 1, not {args.threshold}")
    docs = [d for path in args.gold for d in load_gold(path, args.format)]
    docs = docs[:args.limit] if args.limit is not None else docs
    config = DetectorConfig(model=not args.no_model, fingerprints=not args.no_fingerprints,
                            backend=args.backend)
    threshold = config.threshold if args.threshold is None else args.threshold
    r = results(judge(docs, config), threshold)
    plots = write_plots(r, args.plot) if args.plot else []
    if args.report:
        where = os.path.dirname(os.path.abspath(args.report))
        with open(args.report, "w", encoding="utf-8") as fh:
            fh.write(markdown_report(r, plots=plots, relative_to=where))
    if args.json:
        print(json.dumps(r, indent=2))
    else:
        print("\n".join(summary_lines(r)))
        for p in plots:
            print(f"figure: {p}")
        if args.report:
            print(f"report: {args.report}")
    return 0
