"""One chunk of a scan, as a worker process runs it: parse, score, filter, write, commit.

A chunk is committed by its `.done` file, written last: a chunk without one is redone on
resume, so every input record ends up in the final output exactly once.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import time
from dataclasses import asdict, dataclass

from ..api import Detector
from .fields import FieldOptions, arrow_types, result_fields
from .readers import Oversize, Piece
from .writers import jsonl_bytes, write_atomically, write_parquet_atomically


@dataclass(frozen=True)
class ScanOptions:
    """What a scan reads, adds and keeps (all of it part of the job a resume must match)."""

    text_key: str = "text"
    id_key: str = "id"
    fields: FieldOptions = FieldOptions()
    drop_above: float | None = None
    keep_only_spun: bool = False
    max_doc_bytes: int = 10_000_000
    format: str = "jsonl"

    def keeps(self, fields: dict) -> bool:
        if self.keep_only_spun and fields["unspin_verdict"] != "spun":
            return False
        return self.drop_above is None or fields["unspin_score"] <= self.drop_above


@dataclass
class ChunkStats:
    documents: int = 0      # records scored
    words: int = 0
    spun: int = 0
    kept: int = 0           # records written to the output
    errors: int = 0
    seconds: float = 0.0    # spent in Detector.check


def part_name(workdir: str, seq: int, fmt: str) -> str:
    return os.path.join(workdir, f"part-{seq:08d}.{fmt}")


def errors_name(workdir: str, seq: int) -> str:
    return os.path.join(workdir, f"part-{seq:08d}.errors.jsonl")


def done_name(workdir: str, seq: int) -> str:
    return os.path.join(workdir, f"part-{seq:08d}.done")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def parse(piece: Piece, options: ScanOptions):
    """(kept position, record, text) triples and error entries for every item of `piece`."""
    good, errors = [], []
    limit = options.max_doc_bytes

    def error(where: dict, reason: str, record=None) -> None:
        entry = {"input": piece.path, **where}
        if isinstance(record, dict) and options.id_key in record:
            entry["id"] = record[options.id_key]
        entry["reason"] = reason
        errors.append(entry)

    if piece.kind == "jsonl":
        for i, (line, number) in enumerate(zip(piece.items, piece.numbers)):
            where = {"line": number}
            if isinstance(line, Oversize):
                error(where, f"record of {_size(line.size)} exceeds the size limit of "
                             f"{_size(limit)} (--max-doc-size)")
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                error(where, f"not valid JSON ({exc})")
                continue
            if not isinstance(record, dict):
                error(where, f"a JSON {type(record).__name__}, not an object")
                continue
            _check_text(record, i, where, options, good, error)
    elif piece.kind == "parquet":
        for i, record in enumerate(piece.items.to_pylist()):
            _check_text(record, i, {"row": piece.first + i}, options, good, error)
    else:
        for i, name in enumerate(piece.items):
            path = os.path.join(piece.path, name)
            where = {"file": name}
            size = os.path.getsize(path)
            if size > limit:
                error(where, f"document of {_size(size)} exceeds the size limit of "
                             f"{_size(limit)} (--max-doc-size)")
                continue
            with open(path, "rb") as fh:
                data = fh.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                error(where, f"invalid UTF-8 at byte offset {exc.start}")
                continue
            good.append((i, {options.id_key: name, options.text_key: text}, text))
    return good, errors


def _check_text(record: dict, i: int, where: dict, options: ScanOptions, good: list, error) -> None:
    key = options.text_key
    if key not in record:
        error(where, f"no {key!r} field (choose the text field with --text-key)", record)
        return
    text = record[key]
    if not isinstance(text, str):
        error(where, f"field {key!r} is {type(text).__name__}, not a string", record)
        return
    if len(text) * 4 > options.max_doc_bytes and len(text.encode()) > options.max_doc_bytes:
        error(where, f"document of {_size(len(text.encode()))} exceeds the size limit of "
                     f"{_size(options.max_doc_bytes)} (--max-doc-size)", record)
        return
    good.append((i, record, text))


def run_chunk(detector: Detector, options: ScanOptions, workdir: str, seq: int,
              piece: Piece) -> ChunkStats:
    """Score one chunk and commit its part, errors and stats files."""
    stats = ChunkStats()
    good, errors = parse(piece, options)
    kept_at, kept_rows, kept_fields = [], [], []
    started = time.perf_counter()
    for i, record, text in good:
        report = detector.check(text)
        fields = result_fields(report, options.fields)
        stats.documents += 1
        stats.words += report.words
        stats.spun += report.verdict == "spun"
        if options.keeps(fields):
            kept_at.append(i)
            kept_rows.append(record)
            kept_fields.append(fields)
    stats.seconds = time.perf_counter() - started
    stats.kept, stats.errors = len(kept_rows), len(errors)

    part = part_name(workdir, seq, options.format)
    if options.format == "jsonl":
        write_atomically(part, jsonl_bytes({**r, **f} for r, f in zip(kept_rows, kept_fields)))
    else:
        write_parquet_atomically(part, _arrow_part(piece, kept_at, kept_rows, kept_fields, options))
    if errors:
        write_atomically(errors_name(workdir, seq), jsonl_bytes(errors))
    write_atomically(done_name(workdir, seq), json.dumps(asdict(stats)).encode())
    return stats


def _arrow_part(piece: Piece, kept_at, kept_rows, kept_fields, options: ScanOptions):
    """The kept records with their added fields as an Arrow table (Parquet keeps its types)."""
    import pyarrow as pa
    if piece.kind == "parquet":
        table = pa.Table.from_batches([piece.items]).take(pa.array(kept_at, pa.int64()))
    else:
        table = pa.Table.from_pylist(kept_rows) if kept_rows else pa.table({})
    for name, kind in arrow_types(options.fields).items():
        column = pa.array([f[name] for f in kept_fields], kind)
        if name in table.column_names:
            table = table.drop_columns([name])
        table = table.append_column(name, column)
    return table


# ---- the worker process -------------------------------------------------------------------

_state: dict = {}


def init_worker(detector: Detector, options: ScanOptions, workdir: str, parent: int) -> None:
    """Per-process set-up: die with the parent (no orphan writes after a kill), keep the detector."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:      # the parent died while this process was starting
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)            # the parent handles Ctrl-C
    _state.update(detector=detector, options=options, workdir=workdir)


def run_chunk_in_worker(seq: int, piece: Piece) -> tuple[int, ChunkStats]:
    return seq, run_chunk(_state["detector"], _state["options"], _state["workdir"], seq, piece)
