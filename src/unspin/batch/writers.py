"""Outputs of `unspin scan`: JSONL or Parquet parts, merged into one file at the end.

Every file appears complete or not at all: it is written under a temporary name unique to the
writing process, then renamed (an atomic step on POSIX file systems).
"""
from __future__ import annotations

import json
import os
import shutil
from typing import Iterable

from ..inputs import InputError

FORMATS = ("jsonl", "parquet")


def output_format(path: str, given: str | None) -> str:
    if given:
        return given
    name = path.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    raise InputError(f"{path}: cannot tell the output format from the name; end it in .jsonl "
                     "or .parquet, or pass --format")


def temporary_name(path: str) -> str:
    return f"{path}.tmp-{os.getpid()}"


def write_atomically(path: str, data: bytes) -> None:
    tmp = temporary_name(path)
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def jsonl_bytes(rows: Iterable[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows).encode()


def write_parquet_atomically(path: str, table) -> None:
    import pyarrow.parquet as pq
    tmp = temporary_name(path)
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def merge_jsonl(parts: list[str], path: str) -> None:
    tmp = temporary_name(path)
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def merge_parquet(parts: list[str], path: str) -> None:
    """One Parquet file from parts whose schemas may differ in nullable or missing columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    schemas = [pq.read_schema(p) for p in parts]
    try:
        schema = pa.unify_schemas(schemas, promote_options="permissive") if schemas else pa.schema([])
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(f"the records' fields have conflicting types across the input, so they "
                         f"cannot share one Parquet schema ({exc}); write JSONL instead") from None
    tmp = temporary_name(path)
    with pq.ParquetWriter(tmp, schema) as writer:
        for part in parts:
            table = pq.read_table(part)
            for name in schema.names:
                if name not in table.column_names:
                    table = table.append_column(name, pa.nulls(table.num_rows, schema.field(name).type))
            writer.write_table(table.select(schema.names).cast(schema))
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def merge(parts: list[str], path: str, fmt: str) -> None:
    (merge_parquet if fmt == "parquet" else merge_jsonl)(parts, path)
