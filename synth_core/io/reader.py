"""read_table: bytes, a path or a file object in; a typed Table out, or a clear SynthCoreError."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from synth_core.convert import DEFAULT_NA_TOKENS, missing_mask, na_variants
from synth_core.detect import convert_column
from synth_core.errors import InputError, LimitError
from synth_core.io.decode import decode_bytes
from synth_core.io.parse import ParseOptions, parse_text
from synth_core.schema import Schema
from synth_core.table import ReadReport, Table

MAX_BYTES = 200 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml

Source = bytes | bytearray | str | os.PathLike[str] | BinaryIO


@dataclass(frozen=True)
class ReadOptions:
    """How to read a table; None means detect. Limits refuse inputs that are too large."""

    encoding: str | None = None
    delimiter: str | None = None
    header: bool | None = None
    skip_lines: int | None = None
    na_tokens: tuple[str, ...] = DEFAULT_NA_TOKENS
    max_bytes: int = MAX_BYTES
    max_rows: int = 1_000_000
    max_columns: int = 500
    sample_rows: int | None = None
    seed: int = 0


def read_table(
    source: Source, options: ReadOptions | None = None, name: str | None = None
) -> Table:
    """Read a CSV (or gzip-compressed CSV) into a typed Table."""
    options = options or ReadOptions()
    raw, source_name = _read_bytes(source, options.max_bytes)
    if options.encoding is not None:
        decoded_text, encoding, compression = _decode_as(raw, options)
    else:
        decoded = decode_bytes(raw, options.max_bytes)
        decoded_text, encoding, compression = decoded.text, decoded.encoding, decoded.compression
    parsed = parse_text(
        decoded_text,
        ParseOptions(
            delimiter=options.delimiter,
            header=options.header,
            skip_lines=options.skip_lines,
            max_rows=options.max_rows,
            max_columns=options.max_columns,
            sample_rows=options.sample_rows,
            seed=options.seed,
        ),
    )
    tokens = na_variants(options.na_tokens)
    found: Counter[str] = Counter()
    columns: dict[str, pd.Series] = {}
    schemas = []
    for column_name in parsed.frame.columns:
        text = parsed.frame[column_name]
        missing = missing_mask(text, tokens)
        if missing.any():
            found.update({str(k): int(v) for k, v in text[missing].value_counts().items()})
        converted = convert_column(str(column_name), text, missing)
        columns[str(column_name)] = converted.values
        schemas.append(converted.column)
    report = ReadReport(
        source_name=name or source_name,
        size_bytes=len(raw),
        encoding=encoding,
        compression=compression,
        delimiter=parsed.dialect.delimiter,
        quotechar=parsed.dialect.quotechar,
        has_header=parsed.has_header,
        skipped_lines=parsed.skipped_lines,
        line_ending=parsed.line_ending,
        rows_in_file=parsed.rows_in_file,
        na_tokens=dict(found.most_common()),
        fixes=parsed.fixes,
    )
    return Table(df=pd.DataFrame(columns), schema=Schema(tuple(schemas)), report=report)


def _read_bytes(source: Source, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        raw, source_name = bytes(source), "upload"
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"There is no file at {path}. Check the path.")
        if path.stat().st_size > max_bytes:
            raise _too_big(path.stat().st_size, max_bytes)
        raw, source_name = path.read_bytes(), path.name
    elif hasattr(source, "read"):
        raw = source.read(max_bytes + 1)
        if not isinstance(raw, bytes | bytearray):
            raise InputError("Open the file in binary mode ('rb') before reading it.")
        raw, source_name = bytes(raw), str(getattr(source, "name", "upload"))
    else:
        raise InputError(
            "Give the table as bytes, a file path or a file object opened in 'rb' mode."
        )
    if len(raw) > max_bytes:
        raise _too_big(len(raw), max_bytes)
    return raw, Path(source_name).name


def _too_big(size: int, max_bytes: int) -> LimitError:
    return LimitError(
        f"The file is {size / 2**20:,.1f} MB; the limit is {max_bytes / 2**20:,.0f} MB. "
        "Upload a smaller extract of the table."
    )


def _decode_as(raw: bytes, options: ReadOptions) -> tuple[str, str, str | None]:
    decoded = decode_bytes(raw, options.max_bytes)  # for decompression and binary checks
    assert options.encoding is not None
    data = raw
    if decoded.compression == "gzip":
        import gzip

        data = gzip.decompress(raw)
    try:
        text = data.decode(options.encoding)
    except LookupError:
        raise InputError(
            f"Unknown encoding '{options.encoding}'. Try utf-8, cp1252 or latin-1."
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"The file cannot be decoded as {options.encoding}: byte {exc.start} is invalid. "
            "Choose another encoding or let it be detected."
        ) from None
    return text.removeprefix("\ufeff"), options.encoding, decoded.compression
