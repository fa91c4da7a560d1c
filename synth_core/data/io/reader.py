"""read_table: bytes, a path or a file object in; a typed Table out, or a clear SynthCoreError."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from synth_core.data.convert import DEFAULT_NA_TOKENS, missing_mask, na_variants
from synth_core.data.detect import Converted, convert_column
from synth_core.data.io.decode import decode_bytes
from synth_core.data.io.parse import ParseOptions, parse_text
from synth_core.data.schema import ColumnKind, Schema
from synth_core.data.table import ReadReport, Table, TokenSummary
from synth_core.errors import InputError, LimitError

MAX_BYTES = 1024 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
MAX_ROWS = 1_000_000

Source = bytes | bytearray | str | os.PathLike[str] | BinaryIO


@dataclass(frozen=True)
class ReadOptions:
    """How to read a table; None means detect. Limits refuse inputs that are too large."""

    encoding: str | None = None
    delimiter: str | None = None
    header: bool | None = None
    skip_lines: int | None = None
    na_tokens: tuple[str, ...] = DEFAULT_NA_TOKENS
    # (column, token) pairs decided by the user, overriding the evidence rule (see
    # decide_tokens); a column of "*" means every column. Tokens compare case-insensitively.
    keep_tokens: tuple[tuple[str, str], ...] = ()
    missing_tokens: tuple[tuple[str, str], ...] = ()
    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
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
    columns: dict[str, pd.Series] = {}
    schemas = []
    decisions = decide_tokens(parsed.frame, tokens, options)
    found: Counter[str] = Counter()
    for column_name in parsed.frame.columns:
        decision = decisions[str(column_name)]
        found.update(decision.missing)
        columns[str(column_name)] = decision.converted.values
        missing = _with_spaces(decision.missing, parsed.spaces.get(str(column_name), {}))
        spellings = tuple(sorted(missing.items(), key=lambda item: (-item[1], item[0])))
        schemas.append(replace(decision.converted.column, missing_spellings=spellings))
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
        tokens={column: d.summary for column, d in decisions.items() if d.summary.found},
        rows_read=len(parsed.frame) if len(parsed.frame) < parsed.rows_in_file else None,
    )
    return Table(df=pd.DataFrame(columns), schema=Schema(tuple(schemas)), report=report)


def _with_spaces(missing: Counter[str], spaces: Mapping[str, int]) -> Counter[str]:
    """The missing cells' spellings with the empty ones told apart from cells of spaces (both
    are read as '', and written back as the file spelled them)."""
    empty = missing.get("", 0)
    if not spaces or not empty:
        return missing
    split = Counter({k: v for k, v in missing.items() if k})
    split.update(dict(spaces))
    if empty > sum(spaces.values()):
        split[""] = empty - sum(spaces.values())
    return split


_TEXT_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.ID, ColumnKind.PII})
# Tokens that can be a genuine answer in a text column ('none' other debtors, 'NA' for North
# America or sodium, 'N/A' for not applicable, 'null' for a null result); the others (empty
# cells, '?', '.', 'NaN', '#N/A') always mean missing.
ANSWER_TOKENS = frozenset({"none", "na", "n/a", "null"})
# ... and common: at least this share of the column's rows (a missing marker tends to be rarer:
# the penguins' sex 'NA' is 3%; German credit's 'none' other debtors 91%).
COMMON_ANSWER_SHARE = 0.05


@dataclass(frozen=True)
class _Decision:
    converted: Converted
    missing: Counter[str]  # spelling as found -> rows read as missing
    summary: TokenSummary


def decide_tokens(
    frame: pd.DataFrame, tokens: frozenset[str], options: ReadOptions
) -> dict[str, _Decision]:
    """Which missing-value tokens mean missing in each column, decided by evidence.

    A token that can be an answer (ANSWER_TOKENS) is kept as a value in a text column when
    (1) it is common (COMMON_ANSWER_SHARE of the rows) and the column has other values besides
    it, (2) the column has no other missing marker (no empty cell, no other token) and (3) the
    file does not use the same token for missing values in a number, date or true/false column.
    Otherwise, and for every other token, it is read as missing. The user's keep_tokens /
    missing_tokens override this per column."""
    first: dict[str, tuple[pd.Series, pd.Series, pd.Series, pd.Series, Converted]] = {}
    file_markers: dict[str, str] = {}  # token -> a non-text column using it for missing values
    answers: dict[str, dict[str, str]] = {}  # column -> token kept as its second answer, why
    keep = _chosen(options.keep_tokens)
    force = _chosen(options.missing_tokens)
    for column_name in frame.columns:
        name = str(column_name)
        text = frame[column_name]
        lowered = lowered_text(text)
        found = missing_mask(text, tokens)
        extra = force.get(name, set()) | force.get("*", set())
        if extra:  # the user's own missing-value spellings for this column
            found = found | lowered.isin(list(extra))
        missing = found
        lone = {
            t: w
            for t, w in _second_answer(text, lowered, found).items()
            if not _matches(force, name, t)
        }
        if lone:  # 'yes' / 'none': two answers, not one answer and missing values
            answers[name] = lone
            missing = found & ~lowered.isin(list(lone))
        converted = convert_column(name, text, missing)
        first[name] = (text, lowered, found, missing, converted)
        present = lowered[~missing]
        if converted.column.kind not in _TEXT_KINDS and missing.any() and present.nunique() >= 2:
            for token in pd.unique(lowered[missing]):
                file_markers.setdefault(str(token), name)
    decisions = {}
    for name, (text, lowered, found, missing, converted) in first.items():
        counts = text[found].value_counts() if found.any() else pd.Series(dtype=int)
        by_token: dict[str, int] = {}
        for spelling, count in counts.items():
            key = str(spelling).lower()
            by_token[key] = by_token.get(key, 0) + int(count)
        kept: dict[str, str] = {}
        for token in by_token:
            common = by_token[token] >= COMMON_ANSWER_SHARE * len(text)
            second = answers.get(name, {}).get(token)
            if file_markers.get(token, name) != name:
                second = None  # another column of the file uses it for missing values
            why = second or _keep_reason(
                token, by_token, converted, common and bool((~missing).any()), file_markers
            )
            if _matches(force, name, token):
                why = None
            elif _matches(keep, name, token):
                why = "kept as a value by you"
            if why is not None:
                kept[token] = why
        now_missing = found & ~lowered.isin(list(kept))
        if not now_missing.equals(missing):
            converted = convert_column(name, text, now_missing)
        missing_counts: Counter[str] = Counter(
            {str(k): int(v) for k, v in counts.items() if str(k).lower() not in kept}
        )
        values = {str(k): int(v) for k, v in counts.items() if str(k).lower() in kept}
        reasons = {str(k): kept[str(k).lower()] for k in values}
        for spelling in missing_counts:
            reasons[spelling] = _missing_reason(
                spelling.lower(), by_token, converted, name, file_markers, len(text)
            )
        summary = TokenSummary(dict(missing_counts), values, reasons)
        decisions[name] = _Decision(converted, missing_counts, summary)
    return decisions


def lowered_text(text: pd.Series) -> pd.Series:
    """``text.str.lower()``, computed once per distinct value: a column of 400,000 strings
    holds a few hundred, and lowering each row's string was 40% of reading a census-shaped
    file."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    lowered = pd.Series(uniques, dtype=object).str.lower().to_numpy(dtype=object)
    out = np.empty(len(codes), dtype=object)
    present = codes >= 0
    out[present] = lowered[codes[present]]
    out[~present] = text.to_numpy(dtype=object)[~present]  # None / NaN as they were
    return pd.Series(out, index=text.index, dtype=object, name=text.name)


def _second_answer(text: pd.Series, lowered: pd.Series, found: pd.Series) -> dict[str, str]:
    """A common answer-like token beside one other value (``telephone``: 'yes' / 'none') is that
    column's second answer: read as missing, the column would hold one value and nothing to
    learn, and it would be taken for a true/false column with 'none' missing."""
    if not found.any():
        return {}
    present = lowered[~found]
    tokens = lowered[found].value_counts()
    answer = [t for t in tokens.index if t in ANSWER_TOKENS]
    if present.nunique() != 1 or len(answer) != 1:
        return {}
    token = str(answer[0])
    if tokens[token] < COMMON_ANSWER_SHARE * len(text):
        return {}
    other = str(text[~found].iloc[0])
    return {
        token: f"the column's only other value is '{other}': '{token}' is its second answer, "
        "not a missing value"
    }


def _missing_reason(
    token: str,
    by_token: dict[str, int],
    converted: Converted,
    column: str,
    file_markers: dict[str, str],
    rows: int,
) -> str:
    """Why ``token`` was read as missing in its column, in words."""
    if not token:
        return "empty cells are always missing"
    if token not in ANSWER_TOKENS:
        return f"'{token}' is always a missing-value marker"
    if converted.column.kind not in _TEXT_KINDS:
        return (
            f"the column holds {converted.column.kind.value} values: '{token}' is no answer there"
        )
    if by_token[token] < COMMON_ANSWER_SHARE * rows:
        return f"rare ({by_token[token]:,} of {rows:,} rows): a missing marker, not an answer"
    if len(by_token) > 1:
        return "the column has other missing markers too"
    marker = file_markers.get(token)
    if marker is not None and marker != column:
        return f"the {marker!r} column (not text) uses it for missing values"
    return "it is the column's only value"


def _keep_reason(
    token: str,
    by_token: dict[str, int],
    converted: Converted,
    common_beside_values: bool,
    file_markers: dict[str, str],
) -> str | None:
    """Why ``token`` is a value in its column (the evidence rule), or None."""
    if (
        token not in ANSWER_TOKENS
        or converted.column.kind not in _TEXT_KINDS
        or not common_beside_values
    ):
        return None
    if len(by_token) > 1 or token in file_markers:
        return None
    return (
        "a common value in a text column that has no other missing marker, and no number, date "
        "or true/false column of the file uses it for missing values"
    )


def _chosen(pairs: tuple[tuple[str, str], ...]) -> dict[str, set[str]]:
    chosen: dict[str, set[str]] = {}
    for column, token in pairs:
        chosen.setdefault(column, set()).add(token.strip().lower())
    return chosen


def _matches(chosen: dict[str, set[str]], column: str, token: str) -> bool:
    return token in chosen.get(column, set()) or token in chosen.get("*", set())


def read_like(source: Source, real: Table, what: str = "table") -> Table:
    """A companion of ``real`` (its synthetic rows, its holdout) read the way ``real`` was: the
    same missing-value decisions per column, then the same column kinds."""
    keep, missing = real.report.token_choices()
    table = read_table(source, ReadOptions(keep_tokens=keep, missing_tokens=missing))
    return table.conformed_to(real.schema, what)


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
