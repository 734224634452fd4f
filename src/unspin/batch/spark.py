"""Spark: `df.mapInPandas(scan_partitions(), schema=output_schema(df.schema))`, and a pandas UDF.

    from unspin.batch.spark import output_schema, scan_partitions, spin_score_udf
    scored = df.mapInPandas(scan_partitions(edits=True), schema=output_schema(df.schema, edits=True))
    df.withColumn("unspin_score", spin_score_udf()("text"))

The functions close over a Detector, which pickles as its config; each Python worker loads the
resources once and keeps them (Spark reuses its Python workers by default).
"""
from __future__ import annotations

from typing import Callable, Iterator

from ..api import Detector
from ..config import DetectorConfig
from .fields import EDITS, SCORE, FieldOptions, arrow_types, score_frame, score_texts


def added_fields(edits: bool = False, restore: bool = False):
    """The Spark StructFields a scan adds, in order."""
    from pyspark.sql.types import (ArrayType, DoubleType, LongType, StringType, StructField,
                                   StructType)
    simple = {"double": DoubleType(), "string": StringType(), "int64": LongType()}
    edit = StructType([StructField("start", LongType()), StructField("end", LongType()),
                       StructField("text", StringType()),
                       StructField("replacements", ArrayType(StringType())),
                       StructField("confidence", DoubleType()), StructField("rule", StringType()),
                       StructField("source", StringType()), StructField("message", StringType())])
    fields = []
    for name, kind in arrow_types(FieldOptions(edits, restore)).items():
        spark_type = ArrayType(edit) if name == EDITS else simple[str(kind)]
        fields.append(StructField(name, spark_type, nullable=True))
    return fields


def output_schema(input_schema, edits: bool = False, restore: bool = False):
    """`input_schema` (a StructType) with the unspin fields appended (replacing same-named ones)."""
    from pyspark.sql.types import StructType
    extra = added_fields(edits, restore)
    names = {f.name for f in extra}
    return StructType([f for f in input_schema.fields if f.name not in names] + extra)


def scan_partitions(config: DetectorConfig | None = None, text_key: str = "text",
                    edits: bool = False, restore: bool = False
                    ) -> Callable[[Iterator], Iterator]:
    """The function for `mapInPandas`: pandas DataFrames in, the same with unspin fields out."""
    detector, options = Detector(config), FieldOptions(edits=edits, restore=restore)

    def score_partition(frames):
        for frame in frames:
            yield score_frame(frame, detector, text_key, options)

    return score_partition


def spin_score_udf(config: DetectorConfig | None = None):
    """A pandas UDF: a column of texts in, their spin scores (double) out."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf
    detector = Detector(config)

    def unspin_score(texts):
        scores = score_texts(detector, texts.tolist(), FieldOptions())[SCORE]
        return pd.Series(scores, index=texts.index, dtype="float64")

    # real (not postponed) type hints: Spark reads them to pick the Series-to-Series UDF kind
    unspin_score.__annotations__ = {"texts": pd.Series, "return": pd.Series}
    return pandas_udf(unspin_score, "double")
