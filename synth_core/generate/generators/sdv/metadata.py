"""Our schema as SDV metadata, and the data in the dtypes SDV's transformers are fastest on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from synth_core.data.schema import ColumnKind, Schema
from synth_core.generate.generators.registry import MAX_ORDINAL_LEVELS

TABLE = "table"  # the one table's name in SDV's metadata


def sdv_metadata(
    data: pd.DataFrame, schema: Schema, keep_numerical: Sequence[str] = ()
) -> dict[str, Any]:
    """Our schema as SDV metadata, with small whole-number columns as ordered ordinals
    (except ``keep_numerical``: SDV's Inequality constraint needs numerical columns)."""
    metadata = schema.to_sdv_metadata(TABLE)
    columns = metadata["tables"][TABLE]["columns"]
    for column in schema:
        if (
            column.kind is ColumnKind.NUMERICAL
            and column.integer
            and column.name not in keep_numerical
        ):
            levels = data[column.name].dropna().unique()
            if 1 < len(levels) <= MAX_ORDINAL_LEVELS:
                columns[column.name] = {
                    "sdtype": "ordinal",
                    "range_values": sorted(int(v) for v in levels),
                }
    return metadata


def numpy_dtypes(data: pd.DataFrame) -> pd.DataFrame:
    """Nullable Int64/boolean columns as numpy int64/bool (float64/object when values are
    missing): SDV's transformers were ~8% slower on the nullable dtypes (insurance, 53k rows).
    The pipeline restores the nullable dtypes after sampling."""
    converted = data.copy()
    for name in data.columns:
        values = data[name]
        has_missing = bool(values.isna().any())
        if str(values.dtype) == "Int64":
            converted[name] = values.astype("float64") if has_missing else values.astype("int64")
        elif str(values.dtype) == "boolean":
            converted[name] = values.astype(object) if has_missing else values.astype(bool)
    return converted
