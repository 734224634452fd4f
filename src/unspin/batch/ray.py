"""Ray Data: `ds.map_batches(UnspinScorer, fn_constructor_kwargs=..., concurrency=N)`.

    import ray, unspin.batch.ray as ur
    ds = ray.data.read_parquet("corpus/")
    scored = ds.map_batches(ur.UnspinScorer, batch_format="pandas", concurrency=4,
                            fn_constructor_kwargs={"config": unspin.DetectorConfig(model=False)})

Ray builds one scorer per actor; the detector's resources load once in that actor's process.
"""
from __future__ import annotations

from ..api import Detector
from ..config import DetectorConfig
from .fields import FieldOptions, score_frame, score_table, score_texts


class UnspinScorer:
    """A callable for `map_batches`: adds unspin_score, unspin_verdict, unspin_words,
    unspin_edit_count (and unspin_edits / unspin_restored on request) to every row.

    Takes batches as pandas DataFrames, pyarrow Tables or dicts of numpy arrays, and returns
    the same kind. A row whose text is missing or not a string gets nulls.
    """

    def __init__(self, config: DetectorConfig | None = None, text_key: str = "text",
                 edits: bool = False, restore: bool = False):
        self.detector = Detector(config)
        self.text_key = text_key
        self.options = FieldOptions(edits=edits, restore=restore)

    def __call__(self, batch):
        if isinstance(batch, dict):
            import numpy as np
            columns = score_texts(self.detector, list(batch[self.text_key]), self.options)
            out = dict(batch)
            for name, values in columns.items():
                array = np.empty(len(values), dtype=object)
                array[:] = values
                out[name] = array
            return out
        if hasattr(batch, "append_column"):
            return score_table(batch, self.detector, self.text_key, self.options)
        return score_frame(batch, self.detector, self.text_key, self.options)
