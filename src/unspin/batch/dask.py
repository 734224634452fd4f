"""Dask: `scan_dataframe(ddf)` scores every partition with `map_partitions` and a typed `meta`.

    import dask.dataframe as dd
    from unspin.batch.dask import scan_dataframe
    scored = scan_dataframe(dd.read_parquet("corpus/"), edits=True).compute()
"""
from __future__ import annotations

from ..api import Detector
from ..config import DetectorConfig
from .fields import FieldOptions, pandas_dtypes, score_frame


class PartitionScorer:
    """A picklable partition function: a pandas DataFrame in, the same with unspin fields out."""

    def __init__(self, config: DetectorConfig | None = None, text_key: str = "text",
                 edits: bool = False, restore: bool = False):
        self.detector = Detector(config)
        self.text_key = text_key
        self.options = FieldOptions(edits=edits, restore=restore)

    def __call__(self, frame):
        return score_frame(frame, self.detector, self.text_key, self.options)

    def meta(self, frame_meta):
        """The empty output frame Dask needs to plan without computing."""
        out = frame_meta.copy()
        for name, kind in pandas_dtypes(self.options).items():
            out[name] = _empty(kind, out.index)
        return out


def _empty(kind: str, index):
    import pandas as pd
    return pd.Series([], index=index[:0], dtype=kind)


def scan_dataframe(ddf, config: DetectorConfig | None = None, text_key: str = "text",
                   edits: bool = False, restore: bool = False):
    """`ddf` with the unspin fields added to every partition (lazy, like any Dask frame)."""
    scorer = PartitionScorer(config, text_key, edits, restore)
    return ddf.map_partitions(scorer, meta=scorer.meta(ddf._meta))
