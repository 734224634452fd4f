"""Command-line options shared by the commands: the detector's (check, restore, scan, serve)
and the argparse types for sizes and counts (scan, serve)."""
from __future__ import annotations

import argparse
import re

from .config import DetectorConfig

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?)b?", re.IGNORECASE)
_UNITS = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}


def byte_size(value: str) -> int:
    """'1MB', '500k', '20000' -> bytes (decimal units)."""
    match = _SIZE.fullmatch(value.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size; write e.g. 1MB, 500k or 20000")
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < 1:
        raise argparse.ArgumentTypeError("the size must be at least 1 byte")
    return size


def positive(kind):
    """An argparse type: a number of `kind` (int, float) greater than zero."""
    def parse(value: str):
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
        if number <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {value}")
        return number
    return parse


def add_detector_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("detector")
    group.add_argument("--threshold", type=float, default=DetectorConfig.threshold, metavar="P",
                       help="report model edits with calibrated confidence ≥ P (0–1; default %(default)s)")
    group.add_argument("--no-fingerprints", action="store_true",
                       help="skip the known tortured-phrase list (model only)")
    group.add_argument("--no-model", action="store_true",
                       help="skip the thesaurus + language-model pass (known phrases only)")
    group.add_argument("--list", action="append", default=[], metavar="TSV",
                       help="an extra fingerprint list in the PPS format (query, expected, num_papers); repeatable")
    group.add_argument("--backend", choices=("trigram", "llm"), default="trigram",
                       help="language model: the embedded trigram model (default) or the optional small LLM")
    group.add_argument("--llm", metavar="GGUF", default=None,
                       help="with --backend llm: a GGUF causal LM instead of the packaged default")


def config_from_args(args: argparse.Namespace) -> DetectorConfig:
    from .inputs import InputError
    try:
        return DetectorConfig(threshold=args.threshold, fingerprints=not args.no_fingerprints,
                              model=not args.no_model, lists=tuple(args.list),
                              backend=args.backend, llm_path=args.llm)
    except ValueError as exc:
        raise InputError(str(exc)) from None
