"""The fields a scan adds to every record, shared by `unspin scan` and every cluster adapter.

One function, `result_fields`, turns a `Report` into the added fields, so the scan, Ray,
Spark, Dask, datatrove and NeMo Curator all write exactly the same values.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..api import Detector
from ..report import Report

SCORE, VERDICT, WORDS, EDIT_COUNT, EDITS, RESTORED = (
    "unspin_score", "unspin_verdict", "unspin_words", "unspin_edit_count", "unspin_edits",
    "unspin_restored")


@dataclass(frozen=True)
class FieldOptions:
    """Which fields to add: score, verdict, words and edit count always; edits and restored text on request."""

    edits: bool = False
    restore: bool = False


def result_fields(report: Report, options: FieldOptions) -> dict:
    fields = {SCORE: round(report.score, 4), VERDICT: report.verdict, WORDS: report.words,
              EDIT_COUNT: len(report.edits)}
    if options.edits:
        fields[EDITS] = [e.to_dict() for e in report.edits]
    if options.restore:
        fields[RESTORED] = report.restored
    return fields


def field_names(options: FieldOptions) -> list[str]:
    names = [SCORE, VERDICT, WORDS, EDIT_COUNT]
    if options.edits:
        names.append(EDITS)
    if options.restore:
        names.append(RESTORED)
    return names


def arrow_types(options: FieldOptions) -> dict:
    """Arrow type of every added field (explicit, so all parts of a scan share one schema)."""
    import pyarrow as pa
    types = {SCORE: pa.float64(), VERDICT: pa.string(), WORDS: pa.int64(), EDIT_COUNT: pa.int64()}
    if options.edits:
        types[EDITS] = pa.list_(pa.struct([
            ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
            ("replacements", pa.list_(pa.string())), ("confidence", pa.float64()),
            ("rule", pa.string()), ("source", pa.string()), ("message", pa.string())]))
    if options.restore:
        types[RESTORED] = pa.string()
    return types


def score_texts(detector: Detector, texts, options: FieldOptions) -> dict[str, list]:
    """Columns of added fields for a sequence of texts; a missing or non-string text gives nulls."""
    columns: dict[str, list] = {name: [] for name in field_names(options)}
    for text in texts:
        if not isinstance(text, str):
            for column in columns.values():
                column.append(None)
            continue
        for name, value in result_fields(detector.check(text), options).items():
            columns[name].append(value)
    return columns


def pandas_dtypes(options: FieldOptions) -> dict[str, str]:
    """pandas dtype of every added field (nullable integers: a missing text gives <NA>)."""
    types = {SCORE: "float64", VERDICT: "object", WORDS: "Int64", EDIT_COUNT: "Int64"}
    if options.edits:
        types[EDITS] = "object"
    if options.restore:
        types[RESTORED] = "object"
    return types


def score_frame(frame, detector: Detector, text_key: str, options: FieldOptions):
    """A copy of the pandas DataFrame `frame` with the added fields as columns."""
    import pandas as pd
    texts = frame[text_key].tolist() if len(frame) else []
    columns = score_texts(detector, texts, options)
    out = frame.copy()
    for name, kind in pandas_dtypes(options).items():
        out[name] = pd.Series(columns[name], index=frame.index, dtype=kind)
    return out


def score_table(table, detector: Detector, text_key: str, options: FieldOptions):
    """The pyarrow Table `table` with the added fields appended as typed columns."""
    import pyarrow as pa
    columns = score_texts(detector, table.column(text_key).to_pylist(), options)
    for name, kind in arrow_types(options).items():
        if name in table.column_names:
            table = table.drop_columns([name])
        table = table.append_column(name, pa.array(columns[name], kind))
    return table
