"""Write synthetic tables: CSV safe to open in a spreadsheet, and Parquet."""

from __future__ import annotations

import gzip
import io
import os
import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_core.data.convert import format_datetimes
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import ExportError

# Spreadsheets run cells starting with these as formulas (CSV injection, OWASP).
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


FILE_SUFFIXES = (".csv", ".parquet")


def check_file_name(path: str | os.PathLike[str]) -> str:
    """The lower-case suffix of ``path``; ExportError unless it is .csv or .parquet."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise ExportError(f"The file name must end in .csv or .parquet; got '{target.name}'.")
    return suffix


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
            if for_csv and column.written_decimals is not None:
                values = fixed_places(values, column.written_decimals)
        if for_csv and neutralise and values.dtype == object:
            values = neutralise_formulas(values)
        if for_csv and any(spelling for spelling, _ in column.missing_spellings):
            values = spelled_missing(values, column.missing_spellings, column.name)
        out[column.name] = values
    frame = pd.DataFrame(out, index=df.index)
    if for_csv and neutralise:
        frame.columns = pd.Index([_safe_header(str(c)) for c in frame.columns])
    return frame


def fixed_places(values: pd.Series, places: int) -> pd.Series:
    """Numbers written with exactly ``places`` digits after the point (8095.20, 13.00), as the
    file wrote them; missing ones stay missing."""
    text = values.map(lambda v: f"{v:.{places}f}", na_action="ignore")
    return text.astype(object).where(values.notna(), None)


def spelled_missing(
    values: pd.Series, spellings: tuple[tuple[str, int], ...], column: str
) -> pd.Series:
    """Missing cells written as the file spelled them ('?'; '' is an empty cell), each
    spelling in the share of rows it had (drawn with a seed of the column's name, so a file
    written twice is the same)."""
    missing = values.isna().to_numpy()
    if not missing.any():
        return values
    words = [spelling for spelling, _ in spellings]
    weights = np.array([rows for _, rows in spellings], dtype=float)
    rng = np.random.default_rng(zlib.crc32(column.encode()))
    chosen = rng.choice(len(words), int(missing.sum()), p=weights / weights.sum())
    out = values.astype(object).copy()
    spelled = [words[i] or None for i in chosen]  # '': an empty cell
    out[missing] = spelled
    return out


def _safe_header(name: str) -> str:
    return "'" + name if _FORMULA_START.match(name) and not _PLAIN_NUMBER.match(name) else name


def csv_bytes(
    df: pd.DataFrame, schema: Schema, header: bool = True, protect_formulas: bool = True
) -> bytes:
    """The table as UTF-8 CSV bytes (header row unless a later chunk, LF line ends, missing
    values empty). ``protect_formulas=False`` writes text cells exactly (for files read by
    code such as pandas, not opened in a spreadsheet)."""
    buffer = io.StringIO()
    frame = export_frame(df, schema, for_csv=True, neutralise=protect_formulas)
    frame.to_csv(buffer, index=False, header=header, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def arrow_schema(schema: Schema, df: pd.DataFrame) -> Any:
    """Parquet column types decided by our column kinds, so every chunk of a large sample has
    the same types (an all-missing chunk would otherwise become a 'null' column)."""
    import pyarrow as pa

    fields = []
    for column in schema:
        dtype = df[column.name].dtype
        if column.kind is ColumnKind.DATETIME:
            arrow_type = pa.timestamp("ns")
        elif column.kind is ColumnKind.BOOLEAN:
            arrow_type = pa.bool_()
        elif pd.api.types.is_integer_dtype(dtype):
            arrow_type = pa.int64()
        elif pd.api.types.is_float_dtype(dtype):
            arrow_type = pa.float64()
        else:
            arrow_type = pa.string()
        fields.append(pa.field(column.name, arrow_type))
    return pa.schema(fields)


def parquet_table(df: pd.DataFrame, schema: Schema) -> Any:
    """The table as a pyarrow Table with native types (datetimes, booleans, nullable integers)."""
    import pyarrow as pa

    frame = export_frame(df, schema, for_csv=False).reset_index(drop=True)
    try:
        return pa.Table.from_pandas(frame, schema=arrow_schema(schema, df), preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError) as exc:
        raise ExportError(
            f"The table cannot be written as Parquet ({exc}). Export CSV instead."
        ) from exc


def parquet_bytes(df: pd.DataFrame, schema: Schema) -> bytes:
    """The table as Parquet bytes."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(parquet_table(df, schema), buffer)
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


def table_file_name(source_name: str, table: str) -> str:
    """The file a synthetic table is written to in a set's zip: the real file's name and format
    (CSV, TSV, gzip), or '<table>.csv' for a table read from a SQLite database."""
    name = Path(source_name.replace("\\", "/")).name
    plain = name[:-3] if name.lower().endswith(".gz") else name
    if Path(plain).suffix.lower() in (".csv", ".tsv", ".txt"):
        return name
    return f"{table}.csv"


def table_bytes(frame: pd.DataFrame, schema: Schema, file_name: str) -> bytes:
    """One synthetic table as the file ``file_name`` says: CSV as ``csv_bytes`` writes it,
    tab-separated for .tsv, gzip-compressed for .gz."""
    plain = file_name[:-3] if file_name.lower().endswith(".gz") else file_name
    if plain.lower().endswith(".tsv"):
        text = io.StringIO()
        export_frame(frame, schema, for_csv=True).to_csv(
            text, index=False, sep="\t", lineterminator="\n"
        )
        data = text.getvalue().encode("utf-8")
    else:
        data = csv_bytes(frame, schema)
    return gzip.compress(data, mtime=0) if file_name != plain else data


def tables_zip(
    tables: Mapping[str, pd.DataFrame],
    schemas: Mapping[str, Schema],
    file_names: Mapping[str, str],
) -> bytes:
    """A zip with one file per table (``table_file_name``, ``table_bytes``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            file_name = table_file_name(file_names.get(name, f"{name}.csv"), name)
            archive.writestr(file_name, table_bytes(frame, schemas[name], file_name))
    return buffer.getvalue()


def write_tables(
    folder: str | os.PathLike[str],
    tables: Mapping[str, pd.DataFrame],
    schemas: Mapping[str, Schema],
    file_names: Mapping[str, str],
) -> list[Path]:
    """One file per table in ``folder`` (made if missing), named and written as in the zip."""
    root = Path(folder)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot make the folder {root}: {exc.strerror}.") from exc
    written = []
    for name, frame in tables.items():
        file_name = table_file_name(file_names.get(name, f"{name}.csv"), name)
        written.append(_write(root / file_name, table_bytes(frame, schemas[name], file_name)))
    return written
