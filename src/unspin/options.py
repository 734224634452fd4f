"""Detector options shared by every command that runs the detector (check, restore, scan, serve)."""
from __future__ import annotations

import argparse

from .config import DetectorConfig


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
