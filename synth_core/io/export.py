"""Write synthetic tables: CSV safe to open in a spreadsheet, and Parquet."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pandas as pd

from synth_core.convert import format_datetimes
from synth_core.errors import ExportError
from synth_core.schema import ColumnKind, Schema

# Spreadsheets run cells starting with these as formulas (CSV injection, OWASP).
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise_formulas(values: pd.Series) -> pd.Series:
    """Prefix a quote to text cells a spreadsheet would run as a formula; numbers stay as is."""
    # Decided on distinct values (few in most columns), then applied to the rows.
    distinct = [v for v in pd.unique(values.dropna()) if isinstance(v, str)]
    risky = {v: "'" + v for v in distinct if _FORMULA_START.match(v) and not _PLAIN_NUMBER.match(v)}
    if not risky:
        return values
    return values.astype(object).replace(risky)


def readable_frame(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """For previews: dates and true/false written as in the uploaded file, numbers rounded."""
    return export_frame(df, schema, for_csv=True, neutralise=False)


def export_frame(
    df: pd.DataFrame, schema: Schema, for_csv: bool, neutralise: bool = True
) -> pd.DataFrame:
    """Columns in schema order. For CSV, written as they were read: date formats, true/false
    spellings, numbers rounded to the decimals seen in the input, formulas neutralised."""
    missing = [name for name in schema.names if name not in df.columns]
    if missing:
        raise ExportError(f"The synthetic table has no column '{missing[0]}'. Generate it again.")
    out: dict[str, pd.Series] = {}
    for column in schema:
        values = df[column.name]
        if column.kind is ColumnKind.DATETIME and for_csv:
            fmt = column.datetime_output or column.datetime_format or "%Y-%m-%d %H:%M:%S"
            values = format_datetimes(pd.to_datetime(values), fmt)
        elif column.kind is ColumnKind.BOOLEAN and for_csv:
            values = values.astype("boolean").map(
                {True: column.true_token or "True", False: column.false_token or "False"},
                na_action="ignore",
            )
        elif pd.api.types.is_float_dtype(values.dtype) and column.decimals is not None:
            values = values.round(column.decimals)
        if for_csv and neutralise and values.dtype == object:
            values = neutralise_formulas(values)
        out[column.name] = values
    frame = pd.DataFrame(out, index=df.index)
    if for_csv and neutralise:
        frame.columns = pd.Index([_safe_header(str(c)) for c in frame.columns])
    return frame


def _safe_header(name: str) -> str:
    return "'" + name if _FORMULA_START.match(name) and not _PLAIN_NUMBER.match(name) else name


def csv_bytes(df: pd.DataFrame, schema: Schema) -> bytes:
    """The table as UTF-8 CSV bytes (header row, LF line ends, missing values empty)."""
    buffer = io.StringIO()
    export_frame(df, schema, for_csv=True).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def parquet_bytes(df: pd.DataFrame, schema: Schema) -> bytes:
    """The table as Parquet bytes with native types (datetimes, booleans, nullable integers)."""
    buffer = io.BytesIO()
    frame = export_frame(df, schema, for_csv=False)
    try:
        frame.reset_index(drop=True).to_parquet(buffer, index=False, engine="pyarrow")
    except (ValueError, TypeError, ImportError) as exc:
        raise ExportError(
            f"The table cannot be written as Parquet ({exc}). Export CSV instead."
        ) from exc
    return buffer.getvalue()


def write_csv(df: pd.DataFrame, schema: Schema, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as formula-safe CSV to ``path``."""
    return _write(Path(path), csv_bytes(df, schema))


def write_parquet(df: pd.DataFrame, schema: Schema, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as Parquet to ``path``."""
    return _write(Path(path), parquet_bytes(df, schema))


def _write(path: Path, data: bytes) -> Path:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ExportError(f"Cannot write {path}: {exc.strerror}. Choose another location.") from exc
    return path
