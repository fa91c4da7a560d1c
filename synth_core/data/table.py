"""A table as read from an upload: typed values, column kinds, and what the reader did."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from synth_core.data.convert import render_text
from synth_core.data.detect import convert_column
from synth_core.data.io.parse import Fix
from synth_core.data.schema import ColumnKind, ColumnOverride, ColumnSchema, Schema
from synth_core.errors import SchemaError

_DELIMITER_NAMES = {",": "comma (,)", ";": "semicolon (;)", "\t": "tab", "|": "pipe (|)"}


@dataclass(frozen=True)
class TokenSummary:
    """Missing-value tokens found in one column: read as missing, or kept as values and why
    (spellings as found -> rows)."""

    missing: Mapping[str, int] = field(default_factory=dict)
    kept: Mapping[str, int] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return bool(self.missing or self.kept)

    @property
    def empty_cells(self) -> int:
        return self.missing.get("", 0)

    def words(self) -> list[TokenWord]:
        """The non-empty tokens, spellings of one word (none, None, NONE) together."""
        words: dict[str, TokenWord] = {}
        for spelling, rows in [*self.missing.items(), *self.kept.items()]:
            if not spelling:
                continue
            word = spelling.lower()
            before = words.get(word)
            why = self.reasons.get(spelling, before.why if before else "")
            shown = spelling if before is None or rows > before.spelling_rows else before.spelling
            words[word] = TokenWord(
                word,
                rows + (before.rows if before else 0),
                spelling not in self.kept,
                why,
                shown,
                max(rows, before.spelling_rows if before else 0),
            )
        return list(words.values())


@dataclass(frozen=True)
class TokenWord:
    """One missing-value word in a column: its rows, whether it was read as missing, and why."""

    word: str  # lower case
    rows: int
    missing: bool
    why: str = ""  # why it was read as missing, or kept as a value
    spelling: str = ""  # as the file writes it most often ('N/A')
    spelling_rows: int = 0


@dataclass(frozen=True)
class ReadReport:
    """What the reader detected and fixed, for the Data page and the CLI."""

    source_name: str
    size_bytes: int
    encoding: str
    compression: str | None
    delimiter: str
    quotechar: str
    has_header: bool
    skipped_lines: int
    line_ending: str
    rows_in_file: int
    na_tokens: Mapping[str, int] = field(default_factory=dict)
    fixes: tuple[Fix, ...] = ()
    tokens: Mapping[str, TokenSummary] = field(default_factory=dict)  # per column, where found
    rows_read: int | None = None  # a seeded random sample of this many rows; None: every row

    def token_choices(self) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        """(keep_tokens, missing_tokens) that read a companion file (the synthetic rows, the
        holdout) the way this one was read, column by column."""
        keep, missing = [], []
        for column, summary in self.tokens.items():
            keep += sorted({(column, t.lower()) for t in summary.kept})
            missing += sorted({(column, t.lower()) for t in summary.missing if t})
        return tuple(keep), tuple(missing)

    def summary(self) -> list[tuple[str, str]]:
        """(what, detected) pairs in plain words."""
        encoding = {"utf-8-sig": "UTF-8 with byte-order mark"}.get(
            self.encoding, self.encoding.upper()
        )
        tokens = ", ".join(
            f"{'(empty)' if t == '' else repr(t)} x{n:,}" for t, n in self.na_tokens.items()
        )
        return [
            ("File", f"{self.source_name} ({self.size_bytes:,} bytes)"),
            ("Compression", self.compression or "none"),
            ("Encoding", encoding),
            ("Delimiter", _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))),
            ("Line endings", self.line_ending),
            ("Header row", "yes" if self.has_header else "no (columns named column_1, ...)"),
            ("Lines above the header", str(self.skipped_lines)),
            ("Rows in the file", f"{self.rows_in_file:,}"),
            *(
                [("Rows read", f"a seeded random sample of {self.rows_read:,}")]
                if self.rows_read is not None and self.rows_read < self.rows_in_file
                else []
            ),
            ("Read as missing", tokens or "nothing"),
            *(
                [("Kept as values", self._kept_words())]
                if any(s.kept for s in self.tokens.values())
                else []
            ),
        ]

    def _kept_words(self) -> str:
        kept: dict[str, int] = {}
        for summary in self.tokens.values():
            for token, count in summary.kept.items():
                kept[token] = kept.get(token, 0) + count
        return ", ".join(f"{t!r} x{n:,}" for t, n in kept.items()) + " (see the columns)"


@dataclass(frozen=True)
class Table:
    """Typed data (``df``), column kinds (``schema``) and the reader's report."""

    df: pd.DataFrame
    schema: Schema
    report: ReadReport

    def with_overrides(self, overrides: Mapping[str, ColumnOverride]) -> Table:
        """Re-convert the named columns to the kinds the user chose."""
        if not overrides:
            return self
        df = self.df.copy()
        schema = self.schema
        for name, override in overrides.items():
            current = schema[name]
            text = render_text(df[name], current)
            converted = convert_column(name, text, text.isna(), override)
            df[name] = converted.values
            schema = schema.with_column(converted.column)
        return replace(self, df=df, schema=schema)

    def conformed_to(self, reference: Schema, what: str = "table") -> Table:
        """The shared columns converted to the kinds (and date formats) of ``reference``, so
        that, e.g., a synthetic file is read the way the real file was."""
        overrides = {}
        for column in self.schema:
            if column.name not in reference:
                continue
            wanted = reference[column.name]
            same = column.kind is wanted.kind and column.pii_type == wanted.pii_type
            if wanted.kind is ColumnKind.DATETIME:
                same = same and column.datetime_format == wanted.datetime_format
            if not same:
                overrides[column.name] = ColumnOverride(
                    wanted.kind, wanted.pii_type, wanted.datetime_format
                )
        try:
            conformed = self.with_overrides(overrides)
        except SchemaError as exc:
            raise SchemaError(f"The {what} cannot be read like the real table: {exc}") from exc
        schema = Schema(
            tuple(
                _written_like(c, reference[c.name]) if c.name in reference else c
                for c in conformed.schema
            )
        )
        return replace(conformed, schema=schema)

    def without_columns(self, names: Iterable[str]) -> Table:
        """The table without the named columns (the user chose not to use them)."""
        dropped = list(names)
        missing = [n for n in dropped if n not in self.schema]
        if missing:
            raise SchemaError(f"There is no column '{missing[0]}' in the table.")
        if len(dropped) >= len(self.schema):
            raise SchemaError("Keep at least one column.")
        return replace(self, df=self.df.drop(columns=dropped), schema=self.schema.without(dropped))


def _written_like(column: ColumnSchema, reference: ColumnSchema) -> ColumnSchema:
    """``column`` writing values back as ``reference`` does (decimals, dates, true/false)."""
    return replace(
        column,
        decimals=reference.decimals,
        written_decimals=reference.written_decimals,
        datetime_output=reference.datetime_output,
        true_token=reference.true_token,
        false_token=reference.false_token,
        missing_spellings=reference.missing_spellings,
    )
