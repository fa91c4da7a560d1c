"""Split decoded text into a header and rows: dialect, preamble, header, ragged and empty rows."""

from __future__ import annotations

import csv
import gc
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_core.errors import InputError, LimitError

DELIMITERS = (",", ";", "\t", "|")
# clevercsv's detection time grows linearly with the sample (~1 ms per KB here); 8 KB
# detected every file of both test suites. Wide rows get up to 32 KB so at least 20 lines.
_SNIFF_SAMPLE_CHARS = 8 * 1024
_SNIFF_MAX_CHARS = 32 * 1024
_SNIFF_MIN_LINES = 20
_PREAMBLE_MAX_LINES = 10
_HEADER_SAMPLE_ROWS = 20
_LINES_LISTED = 5

_VALUE_COLUMN_SHARE = 0.9
_CATEGORY_MIN_VALUES = 5
# Missing-value spellings carry no evidence about a header (see convert.DEFAULT_NA_TOKENS).
_NA_LIKE = frozenset({"", "na", "n/a", "nan", "null", "none", "?", ".", "#n/a"})
_NUMBER_LIKE = re.compile(r"^[+-]?(\d[\d,.]*|[.,]\d+)([eE][+-]?\d+)?%?$")
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T].*)?$")


@dataclass(frozen=True)
class Dialect:
    """How fields are separated and quoted."""

    delimiter: str
    quotechar: str = '"'
    escapechar: str | None = None


@dataclass(frozen=True)
class Fix:
    """A repair the reader made, with the physical lines it touched."""

    code: str
    message: str
    lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class ParseOptions:
    """User overrides for parsing; None means detect."""

    delimiter: str | None = None
    header: bool | None = None
    skip_lines: int | None = None
    max_rows: int = 1_000_000
    max_columns: int = 500
    sample_rows: int | None = None
    seed: int = 0


@dataclass(frozen=True)
class ParsedText:
    """The table as text, before missing values and types are decided."""

    frame: pd.DataFrame
    dialect: Dialect
    has_header: bool
    skipped_lines: int
    line_ending: str
    rows_in_file: int
    fixes: tuple[Fix, ...]
    # column -> cells of only spaces or tabs, as written, and their rows (read as empty cells,
    # written back as the file spelled them: a two-space category in a bank's orders)
    spaces: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


def parse_text(text: str, options: ParseOptions) -> ParsedText:
    """Parse ``text`` into a DataFrame of strings with unique, non-empty column names."""
    line_ending = _line_ending(text)
    blank = _leading_blank_lines(text)
    dialect = _dialect(text, blank, options.delimiter)
    if options.skip_lines is not None:
        if options.skip_lines < 0:
            raise InputError("The number of lines to skip above the header cannot be negative.")
        skipped = options.skip_lines
    else:
        skipped = blank + _preamble_lines(text, blank, dialect)
    body = text[_offset_of_line(text, skipped) :]
    if not body.strip():
        raise InputError(
            f"Nothing is left after skipping {skipped} line(s) above the header. "
            "Lower the number of lines to skip."
        )
    rows = _Rows(body, dialect, first_line=skipped + 1)
    first_line, first_record = rows.first()
    header_sample = rows.peek(_HEADER_SAMPLE_ROWS)
    has_header = (
        options.header
        if options.header is not None
        else _looks_like_header(first_record, header_sample)
    )
    width = len(first_record)
    if width > options.max_columns:
        raise LimitError(
            f"The table has {width:,} columns; the limit is {options.max_columns:,}. "
            "Upload a file with fewer columns (keep the ones you need)."
        )
    if has_header:
        raw_names = first_record
    else:
        raw_names = [f"column_{i + 1}" for i in range(width)]
        rows.unread(first_line, first_record)
    with _collector_paused():
        records = rows.all(width, options)
        # Column by column (zip transposes in C); values are stripped of surrounding spaces,
        # which costs less than checking which ones are padded.
        columns = list(zip(*records, strict=True)) if records else [() for _ in range(width)]
        del records
        stripped = [_stripped(c) for c in columns]
        del columns
    spaced = _spaces(body, dialect, width, has_header)
    fixes = list(rows.fixes)
    kept, names = _clean_columns(stripped, raw_names, fixes)
    spaces = {names[k]: spaced[i] for k, i in enumerate(kept) if spaced[i]}
    stripped = [stripped[i] for i in kept]
    frame = pd.DataFrame(dict(enumerate(stripped)), dtype=object)
    frame.columns = pd.Index(names)
    if skipped > blank:
        fixes.insert(
            0,
            Fix(
                "skipped_preamble",
                f"Skipped {skipped - blank} line(s) above the header that did not look like "
                "part of the table (a title or notes).",
                tuple(range(blank + 1, skipped + 1)),
            ),
        )
    if frame.shape[0] == 0:
        raise InputError(
            "The file has a header but no data rows. Upload a table with at least one row."
        )
    return ParsedText(
        frame=frame,
        dialect=dialect,
        has_header=has_header,
        skipped_lines=skipped,
        line_ending=line_ending,
        rows_in_file=rows.count,
        fixes=tuple(fixes),
        spaces=spaces,
    )


def _stripped(column: Sequence[str]) -> pd.Series:
    """The column's values stripped of surrounding spaces, each distinct value once (a column
    of a million cells holds a few thousand values; stripping every cell took 8 of the 70 s of
    reading and generating from a million-row file)."""
    values = np.array(column, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    if len(uniques) > _STRIP_EACH * len(values):  # mostly distinct: strip each cell
        return pd.Series(values).str.strip()
    stripped = pd.Series(uniques, dtype=object).str.strip().to_numpy(dtype=object)
    return pd.Series(stripped[codes], dtype=object)


_STRIP_EACH = 0.5


def _spaces(body: str, dialect: Dialect, width: int, has_header: bool) -> list[dict[str, int]]:
    """Per column, its cells of only spaces or tabs as written, with their counts (the reader
    skips spaces after a delimiter, so these come back as empty cells): read again without
    skipping, only when the text has such a cell."""
    delimiter = re.escape(dialect.delimiter)
    if not re.search(rf"(?:^|{delimiter})[ \t]+(?:{delimiter}|\r?$)", body, re.MULTILINE):
        return [{} for _ in range(width)]
    found: list[Counter[str]] = [Counter() for _ in range(width)]
    reader = _reader(body, dialect, skip_spaces=False)
    if has_header:
        next(reader, None)
    for record in reader:
        for position, cell in enumerate(record[:width]):
            if cell and not cell.strip():
                found[position][cell] += 1
    return [dict(counts) for counts in found]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while rows are collected.

    A parse allocates one list and several strings per row, none of them in cycles; with the
    collector running, each allocation burst rescans everything else alive in the process
    (e.g. a fitted SDV model), which made reading 53k rows take 0.6-0.75 s instead of 0.4 s.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _line_ending(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [name for name, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    if not kinds:
        return "none"
    return kinds[0] if len(kinds) == 1 else "mixed (" + ", ".join(kinds) + ")"


def _lines(text: str) -> Iterator[str]:
    return iter(io.StringIO(text, newline=""))


def _leading_blank_lines(text: str) -> int:
    count = 0
    for line in _lines(text):
        if line.strip():
            break
        count += 1
    return count


def _offset_of_line(text: str, skipped: int) -> int:
    offset = 0
    for index, line in enumerate(_lines(text)):
        if index == skipped:
            break
        offset += len(line)
    else:
        return len(text)
    return offset


def _sample(text: str, start_line: int) -> str:
    """The first lines of the table, cut at a line end: 8 KB, or up to 32 KB for wide rows."""
    start = _offset_of_line(text, start_line)
    size = _SNIFF_SAMPLE_CHARS
    sample = text[start : start + size]
    if len(sample) == size and sample.count("\n") + sample.count("\r") < _SNIFF_MIN_LINES:
        size = _SNIFF_MAX_CHARS
        sample = text[start : start + size]
    if len(sample) == size:
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        if cut > 0:
            sample = sample[:cut]
    return sample


def _dialect(text: str, blank: int, delimiter: str | None) -> Dialect:
    sample = _sample(text, blank)
    quotechar = '"'
    if delimiter is not None:
        if len(delimiter) != 1 or delimiter in "\r\n\"'":
            raise InputError(
                f"{delimiter!r} cannot be a delimiter: use one character like , ; | or tab."
            )
        return Dialect(delimiter, quotechar)
    import clevercsv

    detected = clevercsv.Detector().detect(sample, delimiters=list(DELIMITERS))
    if detected is None or detected.delimiter not in DELIMITERS:
        # One column (no delimiter found): any delimiter absent from the text will do.
        return Dialect(next((d for d in DELIMITERS if d not in sample), ","), quotechar)
    # clevercsv picks "'" as quote character when apostrophes are frequent ("I'm"); standard CSV
    # quotes with '"', so only believe "'" when the sample has no '"' at all.
    if detected.quotechar == "'" and '"' not in sample:
        quotechar = "'"
    escapechar = detected.escapechar if detected.escapechar == "\\" else None
    return Dialect(detected.delimiter, quotechar, escapechar)


def _reader(text: str, dialect: Dialect, skip_spaces: bool = True) -> Iterator[list[str]]:
    """Records of ``text``; ``skip_spaces=False`` keeps the spaces after a delimiter (to find
    cells of only spaces)."""
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        escapechar=dialect.escapechar,
        doublequote=True,
        skipinitialspace=skip_spaces,
        strict=False,
    )


def _preamble_lines(text: str, blank: int, dialect: Dialect) -> int:
    """Title lines above the header: lines with at most half as many fields as the table.

    A header with just one field fewer than the rows (R's write.table leaves out the row-name
    column) is not skipped: the user then gets the ragged-row error, not a silent shift.
    """
    sample = _sample(text, blank)
    records: list[tuple[list[str], int]] = []
    reader = _reader(sample, dialect)
    previous_line = 0
    try:
        for record in reader:
            line_count = reader.line_num - previous_line  # type: ignore[attr-defined]
            previous_line = reader.line_num  # type: ignore[attr-defined]
            records.append((record, line_count))
            if len(records) > 40:
                break
    except csv.Error:
        return 0
    widths = [len(r) for r, _ in records[1:] if r and any(f.strip() for f in r)]
    if not widths:
        return 0
    modal = Counter(widths).most_common(1)[0][0]
    if modal < 2:
        return 0
    skipped = 0
    for record, line_count in records[:_PREAMBLE_MAX_LINES]:
        if len(record) > modal / 2:
            break
        skipped += line_count
    return skipped


def _looks_like_value(cell: str) -> bool:
    cell = cell.strip()
    return bool(_NUMBER_LIKE.match(cell) or _DATE_LIKE.match(cell))


def _looks_like_header(first: list[str], below: list[list[str]]) -> bool:
    """Whether the first row names the columns, from evidence column by column.

    Above a column of numbers or dates, a word says header and a number says data; in a text
    column, a first value that recurs below (a category, seen at least twice) says data. Any
    header evidence wins; with no evidence either way, the first row is taken as the header
    (the user can change it).
    """
    if not below:
        cells = [c for c in first if c.strip()]
        return not cells or not all(_looks_like_value(c) for c in cells)
    header_votes = data_votes = 0
    for i, raw in enumerate(first):
        cell = raw.strip()
        if cell.lower() in _NA_LIKE:
            continue
        column = [v for r in below if i < len(r) and (v := r[i].strip()).lower() not in _NA_LIKE]
        if not column:
            continue
        value_share = sum(_looks_like_value(v) for v in column) / len(column)
        if value_share >= _VALUE_COLUMN_SHARE:
            if _looks_like_value(cell):
                data_votes += 1
            else:
                header_votes += 1
        elif (
            value_share <= 1 - _VALUE_COLUMN_SHARE
            and len(column) >= _CATEGORY_MIN_VALUES
            and column.count(cell) >= 2
        ):
            data_votes += 1  # the first value is a category that recurs below
    return bool(header_votes) or not data_votes


def _list_lines(lines: list[int]) -> str:
    """'line 5', or 'lines 2, 3, 4, 5, 6 and 12 more'."""
    shown = ", ".join(str(n) for n in lines[:_LINES_LISTED])
    more = len(lines) - _LINES_LISTED
    return (
        ("line " if len(lines) == 1 else "lines ")
        + shown
        + (f" and {more:,} more" if more > 0 else "")
    )


class _Rows:
    """Records of the body with their starting physical line numbers."""

    def __init__(self, body: str, dialect: Dialect, first_line: int) -> None:
        self._reader = _reader(body, dialect)
        self._first_line = first_line
        self._previous_line_num = 0
        self._buffer: list[tuple[int, list[str]]] = []
        self.fixes: list[Fix] = []
        self.count = 0

    def _next(self) -> tuple[int, list[str]] | None:
        if self._buffer:
            return self._buffer.pop(0)
        return self._read()

    def _read(self) -> tuple[int, list[str]] | None:
        while True:
            try:
                record = next(self._reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                line = self._first_line + self._previous_line_num
                raise InputError(f"Line {line} cannot be read as CSV: {exc}.") from exc
            start = self._first_line + self._previous_line_num
            self._previous_line_num = self._reader.line_num  # type: ignore[attr-defined]
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line
            return start, record

    def first(self) -> tuple[int, list[str]]:
        item = self._next()
        if item is None:
            raise InputError("The file has no rows. Upload a CSV file with a header and data.")
        return item

    def unread(self, line: int, record: list[str]) -> None:
        self._buffer.insert(0, (line, record))

    def peek(self, n: int) -> list[list[str]]:
        while len(self._buffer) < n:
            item = self._read()
            if item is None:
                break
            self._buffer.append(item)
        return [record for _, record in self._buffer]

    @staticmethod
    def _too_many(options: ParseOptions) -> LimitError:
        return LimitError(
            f"The table has more than {options.max_rows:,} rows, the limit. Read a random "
            "sample of rows instead (Data page: Reading options, 'Rows to read'; command line: "
            "--read-sample N, or --engine dask for the whole file), or use a smaller extract."
        )

    def all(self, width: int, options: ParseOptions) -> list[list[str]]:
        """Every data record, padded or trimmed to ``width``; refuses rows that are too long."""
        sampling = options.sample_rows is not None
        limit = options.sample_rows if options.sample_rows is not None else options.max_rows
        if limit < 1:
            raise InputError("The number of rows to read must be at least 1.")
        rng = np.random.default_rng(options.seed)
        records: list[list[str]] = []
        padded: list[int] = []
        trimmed: list[int] = []
        empty: list[int] = []
        too_long: list[tuple[int, list[str]]] = []
        count = 0
        while (item := self._next()) is not None:
            line, record = item
            if len(record) != width:
                if len(record) < width:
                    padded.append(line)
                    record = record + [""] * (width - len(record))
                elif not any(f.strip() for f in record[width:]):
                    trimmed.append(line)
                    record = record[:width]
                else:
                    too_long.append((line, record))
                    continue
            if not (record[0].strip() or "".join(record).strip()):
                empty.append(line)
                continue
            count += 1
            if count <= limit:
                records.append(record)
            elif sampling:
                # Reservoir sampling keeps a uniform sample without holding every row.
                slot = int(rng.integers(0, count))
                if slot < limit:
                    records[slot] = record
            else:
                raise self._too_many(options)
        self.count = count
        if too_long:
            line, record = too_long[0]
            extra = ", ".join(repr(f) for f in record[width:][:3])
            others = [n for n, _ in too_long[1:]]
            more = (
                f" {len(others):,} more row(s) have the same problem ({_list_lines(others)})."
                if others
                else ""
            )
            raise InputError(
                f"Line {line} has {len(record)} fields but the header has {width} "
                f"(extra: {extra}). A value probably contains the delimiter without quotes: "
                f"quote it or fix the row.{more}"
            )
        if padded:
            self.fixes.append(
                Fix(
                    "padded_short_rows",
                    f"{len(padded):,} row(s) had fewer fields than the header; the missing fields "
                    f"were read as missing values ({_list_lines(padded)}).",
                    tuple(padded),
                )
            )
        if trimmed:
            self.fixes.append(
                Fix(
                    "trimmed_empty_fields",
                    f"{len(trimmed):,} row(s) ended with extra empty fields, which were removed "
                    f"({_list_lines(trimmed)}).",
                    tuple(trimmed),
                )
            )
        if empty:
            self.fixes.append(
                Fix(
                    "dropped_empty_rows",
                    f"Dropped {len(empty):,} row(s) in which every field is empty "
                    f"({_list_lines(empty)}).",
                    tuple(empty),
                )
            )
        if sampling and self.count > limit:
            self.fixes.append(
                Fix(
                    "sampled_rows",
                    f"Read a random sample of {limit:,} of the {self.count:,} rows "
                    f"(seed {options.seed}).",
                )
            )
        return records


def _clean_columns(
    columns: list[pd.Series], raw_names: list[str], fixes: list[Fix]
) -> tuple[list[int], list[str]]:
    """Drop unnamed empty columns, and make names non-empty and unique: the positions of the
    columns kept, and their names."""
    names = [name.strip() for name in raw_names]
    unnamed_empty = {
        i for i, name in enumerate(names) if not name and not columns[i].astype(bool).any()
    }
    kept = [i for i in range(len(columns)) if i not in unnamed_empty]
    if unnamed_empty:
        names = [names[i] for i in kept]
        fixes.append(
            Fix(
                "dropped_unnamed_empty_columns",
                f"Dropped {len(unnamed_empty)} column(s) with no name and no values "
                "(often a delimiter at the end of every line).",
            )
        )
    renamed: list[str] = []
    for i, name in enumerate(names):
        if not name:
            names[i] = f"column_{i + 1}"
            renamed.append(f"column {i + 1} had no name; it is called '{names[i]}'")
    seen: Counter[str] = Counter()
    taken = set(names)
    for i, name in enumerate(names):
        seen[name] += 1
        if seen[name] > 1:
            k = seen[name]
            while f"{name}_{k}" in taken:
                k += 1
            names[i] = f"{name}_{k}"
            taken.add(names[i])
            renamed.append(f"duplicate column '{name}' renamed to '{names[i]}'")
    if renamed:
        fixes.append(Fix("renamed_columns", "Column names fixed: " + "; ".join(renamed) + "."))
    return kept, names
