"""`unspin scan` on the command line."""
from __future__ import annotations

import argparse
import json

from ..options import add_detector_options, byte_size, config_from_args, positive
from .fields import FieldOptions
from .scan import CHUNK_RECORDS, scan
from .worker import ScanOptions
from .writers import FORMATS, output_format

def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {text}")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "scan", help="score every document of a corpus (JSONL, Parquet, .txt folders)",
        description="Score every record of a corpus on all cores and write it back with its spin "
                    "score, verdict and edit count. Resumable: if a scan is killed, run the same "
                    "command again and it continues where it stopped; the output appears only "
                    "when complete. Bad records go to an errors file and do not stop the scan.",
        epilog="example: unspin scan crawl/*.jsonl.zst --output scored.parquet --keep-only-spun")
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help=".jsonl, .jsonl.gz or .jsonl.zst files, .parquet files, .txt files, "
                             "or folders of .txt files (one document each)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="output file, JSONL or Parquet by its suffix (or --format)")
    parser.add_argument("--format", choices=FORMATS, help="output format (default: from OUT)")
    parser.add_argument("--text-key", default="text", metavar="KEY",
                        help="field holding the document text (default %(default)s)")
    parser.add_argument("--id-key", default="id", metavar="KEY",
                        help="field identifying a record, carried through unchanged and named in "
                             "the errors file; for .txt inputs it receives the file name "
                             "(default %(default)s)")
    parser.add_argument("--edits", action="store_true", help="add every edit (unspin_edits)")
    parser.add_argument("--restore", action="store_true",
                        help="add the restored text (unspin_restored)")
    parser.add_argument("--drop-above", type=_probability, metavar="P",
                        help="leave out records whose spin score is above P")
    parser.add_argument("--keep-only-spun", action="store_true",
                        help="write only the records whose verdict is 'spun'")
    parser.add_argument("--workers", type=positive(int), metavar="N",
                        help="worker processes (default: all cores)")
    parser.add_argument("--errors", metavar="PATH",
                        help="where bad records are listed (default OUT-stem.errors.jsonl)")
    parser.add_argument("--max-doc-size", type=byte_size, default=10_000_000, metavar="SIZE",
                        help="reject (to the errors file) documents larger than this "
                             "(default 10MB)")
    parser.add_argument("--chunk-size", type=positive(int), default=CHUNK_RECORDS, metavar="N",
                        help="records per chunk, the unit of work and of resumption "
                             "(default %(default)s)")
    parser.add_argument("--restart", action="store_true",
                        help="discard an unfinished scan into OUT made with other inputs/options")
    parser.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    parser.add_argument("--no-progress", dest="progress", action="store_false", default=None,
                        help="no progress bar (it is shown only on a terminal anyway)")
    parser.add_argument("--summary-json", metavar="PATH",
                        help="also write the summary as JSON to PATH")
    add_detector_options(parser)
    parser.set_defaults(run=run_scan)


def run_scan(args: argparse.Namespace) -> int:
    from ..api import Detector
    options = ScanOptions(
        text_key=args.text_key, id_key=args.id_key,
        fields=FieldOptions(edits=args.edits, restore=args.restore),
        drop_above=args.drop_above, keep_only_spun=args.keep_only_spun,
        max_doc_bytes=args.max_doc_size, format=output_format(args.output, args.format))
    summary = scan(args.inputs, args.output, Detector(config_from_args(args)), options,
                   workers=args.workers, errors_path=args.errors, progress=args.progress,
                   restart=args.restart, overwrite=args.overwrite,
                   chunk_records=args.chunk_size)
    print(summary.render())
    if args.summary_json:
        with open(args.summary_json, "w", encoding="utf-8") as fh:
            json.dump(summary.to_dict(), fh, indent=2)
    return 0
