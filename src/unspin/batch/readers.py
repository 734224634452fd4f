"""Input sources for `unspin scan`: JSONL (plain, .gz, .zst), Parquet, folders of .txt files.

The scanning process only *splits* its inputs into pieces (raw JSONL lines, Arrow record
batches, file names); parsing and scoring happen in the workers, so the main process stays
light and many cores stay busy. Every piece knows where it came from (file, line or row
number), so a bad record can be reported precisely and a scan can be resumed by position.
"""
from __future__ import annotations

import gzip
import io
import os
from dataclasses import dataclass, field
from typing import Iterator

from ..inputs import InputError

JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
COMPRESSED = (".gz", ".zst")
PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_SUFFIXES = (".txt",)


@dataclass
class Piece:
    """A run of consecutive input records from one file, not yet parsed.

    kind       "jsonl" (items are raw lines or `Oversize`), "parquet" (items is an Arrow
               RecordBatch) or "txt" (items are paths relative to `path`)
    path       the input file (the folder, for "txt")
    first      line number (1-based, JSONL), row number (0-based, Parquet) or file
               number (0-based, folder) of the first item
    numbers    for JSONL: the line number of every item (blank lines are skipped)
    consumed   bytes of input read up to the end of this piece, for progress
    """

    kind: str
    path: str
    first: int
    items: object
    numbers: list[int] = field(default_factory=list)
    consumed: int = 0

    def __len__(self) -> int:
        return self.items.num_rows if self.kind == "parquet" else len(self.items)


@dataclass(frozen=True)
class Oversize:
    """A JSONL line longer than the size limit: only its length is kept, never its bytes."""

    size: int


def input_kind(path: str) -> str:
    """ "jsonl", "parquet" or "txt" for a path given on the command line, or an InputError."""
    if os.path.isdir(path):
        return "txt"
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    name = path.lower()
    for c in COMPRESSED:
        if name.endswith(c):
            name = name[: -len(c)]
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet" if name == path.lower() else _compressed_parquet(path)
    if name.endswith(TEXT_SUFFIXES):
        return "txt"
    raise InputError(f"{path}: unknown input format; give .jsonl (optionally .gz/.zst), "
                     ".parquet, a .txt file or a folder of .txt files")


def _compressed_parquet(path: str) -> str:
    raise InputError(f"{path}: Parquet files compress internally; give the .parquet file itself")


def text_files(folder: str) -> list[str]:
    """Every .txt file under `folder`, as sorted relative paths (a stable order to resume by)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for f in files:
            if f.lower().endswith(TEXT_SUFFIXES):
                found.append(os.path.relpath(os.path.join(root, f), folder))
    return sorted(found)


def input_size(path: str) -> int:
    """Bytes of input behind `path`: what the progress bar counts towards."""
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(path, f)) for f in text_files(path))
    return os.path.getsize(path)


def _open_raw_lines(path: str):
    """(text-free binary line reader, the underlying file) for plain or compressed JSONL."""
    raw = open(path, "rb")
    name = path.lower()
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw
    if name.endswith(".zst"):
        try:
            import zstandard
        except ImportError:
            raw.close()
            raise InputError(f"{path}: reading .zst needs the zstandard package: "
                             "pip install 'unspin[batch]'") from None
        stream = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        return io.BufferedReader(stream, buffer_size=1 << 20), raw
    return io.BufferedReader(raw, buffer_size=1 << 20), raw


def read_line(fh, limit: int) -> bytes | Oversize:
    """One line of at most `limit` bytes, or the size of a longer one (skipped, never held)."""
    line = fh.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line
    size = len(line)
    while True:
        rest = fh.readline(1 << 20)
        size += len(rest)
        if not rest or rest.endswith(b"\n"):
            return Oversize(size)


def jsonl_pieces(path: str, records: int, limit: int) -> Iterator[Piece]:
    fh, raw = _open_raw_lines(path)
    try:
        number, items, numbers = 0, [], []
        while True:
            try:
                line = read_line(fh, limit)
            except (OSError, EOFError, ValueError) as exc:
                raise InputError(f"{path}: cannot decompress after line {number} ({exc})") from None
            if not isinstance(line, Oversize) and not line:
                break
            number += 1
            if isinstance(line, Oversize) or line.strip():
                items.append(line)
                numbers.append(number)
            if len(items) >= records:
                yield Piece("jsonl", path, numbers[0], items, numbers, raw.tell())
                items, numbers = [], []
        if items:
            yield Piece("jsonl", path, numbers[0], items, numbers, raw.tell())
    finally:
        fh.close()
        raw.close()


def parquet_pieces(path: str, records: int) -> Iterator[Piece]:
    import pyarrow.parquet as pq
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    total_rows, size, row = max(pf.metadata.num_rows, 1), os.path.getsize(path), 0
    for batch in pf.iter_batches(batch_size=records):
        yield Piece("parquet", path, row, batch, consumed=size * (row + batch.num_rows) // total_rows)
        row += batch.num_rows


def txt_pieces(path: str, records: int) -> Iterator[Piece]:
    if os.path.isdir(path):
        root, names = path, text_files(path)
    else:
        root, names = os.path.dirname(path) or ".", [os.path.basename(path)]
    consumed = 0
    for i in range(0, len(names), records):
        chunk = names[i:i + records]
        consumed += sum(os.path.getsize(os.path.join(root, n)) for n in chunk)
        yield Piece("txt", root, i, chunk, consumed=consumed)


def pieces(path: str, records: int, limit: int) -> Iterator[Piece]:
    """The records of one input, in runs of at most `records` each."""
    kind = input_kind(path)
    if kind == "jsonl":
        return jsonl_pieces(path, records, limit)
    if kind == "parquet":
        return parquet_pieces(path, records)
    return txt_pieces(path, records)
