"""Text to typed values and back: missing-value tokens, numbers, booleans and datetimes."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.schema import ColumnKind, ColumnSchema

# Compared case-insensitively after stripping spaces; the user can switch each one off.
DEFAULT_NA_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "NaN", "null", "None", "?", ".", "#N/A")

BOOLEAN_PAIRS: tuple[tuple[str, str], ...] = (
    ("true", "false"),
    ("yes", "no"),
    ("t", "f"),
    ("y", "n"),
)

_US_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_EU_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_MAX_EXACT_FLOAT_INT = 2**53
_MAX_DECIMALS = 10
_DATETIME_SAMPLE = 200
_UNPADDED = {"%m": "%-m", "%d": "%-d", "%H": "%-H", "%I": "%-I", "%M": "%-M", "%S": "%-S"}


def na_variants(tokens: tuple[str, ...]) -> frozenset[str]:
    """Spellings matched for ``tokens``: as given, lower, upper and title case."""
    variants: set[str] = set()
    for token in tokens:
        token = token.strip()
        variants.update({token, token.lower(), token.upper(), token.title()})
    return frozenset(variants)


def missing_mask(text: pd.Series, tokens: frozenset[str]) -> pd.Series:
    """True where a (stripped) text value is a missing-value token."""
    return text.isna() | text.isin(tokens)


@dataclass(frozen=True)
class NumberParse:
    values: pd.Series  # float64 or Int64, aligned with the input
    integer: bool
    decimals: int
    note: str
    written: int | None = None  # every value written with exactly this many digits after the point


@dataclass(frozen=True)
class Distinct:
    """A column's values (none missing) once each, in order of first appearance, each row's
    position among them and how many rows hold each: one hash pass over the rows, shared by
    every detector (each made its own: seven passes over a million strings per column)."""

    values: pd.Series  # object, RangeIndex
    positions: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, text: pd.Series) -> Distinct:
        positions, uniques = pd.factorize(text)
        values = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
        return cls(values, positions, np.bincount(positions, minlength=len(values)))

    @property
    def unique(self) -> bool:
        """Every row's value is its own."""
        return len(self.values) == len(self.positions)


def parse_numbers(
    text: pd.Series, leading_zeros: bool = False, found: Distinct | None = None
) -> NumberParse | None:
    """Numbers from non-missing text, or None when some value is not a number.

    Accepts plain numbers, exponents, US thousands separators ("6,718") and, when a column is
    written that way throughout, European ones ("1.234,5"). Codes with leading zeros ("08123")
    are not numbers: they must stay text, unless ``leading_zeros`` says the user wants numbers.
    ``found``: the text's ``Distinct`` values, when already counted.
    """
    if text.empty:
        return None
    # Text checks run on distinct values: far fewer than rows in most columns.
    distinct = found.values if found is not None else pd.Series(pd.unique(text), dtype=object)
    if not leading_zeros and _has_leading_zero_codes(distinct):
        return None
    note = ""
    written = distinct
    numbers = pd.to_numeric(distinct, errors="coerce")
    failed = numbers.isna()
    if failed.any():
        if distinct[failed].str.match(_US_THOUSANDS).all():
            written = distinct.str.replace(",", "", regex=False)
            note = "thousands separators (1,234) removed"
        elif distinct.str.match(_EU_NUMBER).all():
            written = distinct.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            note = "European number format (1.234,5) read"
        else:
            return None
        numbers = pd.to_numeric(written, errors="coerce")
        if numbers.isna().any():
            return None
    if pd.api.types.is_unsigned_integer_dtype(numbers.dtype):
        if numbers.max() > np.iinfo(np.int64).max:
            return None  # beyond 64-bit integers: a code, not a quantity
        numbers = numbers.astype(np.int64)
    distinct_float = numbers.to_numpy(dtype="float64")
    if not np.isfinite(distinct_float).all():
        return None
    integral = bool(np.all(distinct_float == np.floor(distinct_float)))
    written_as_integers = integral and not written.str.contains(".", regex=False).any()
    inexact = not pd.api.types.is_integer_dtype(numbers.dtype)
    if integral and inexact and np.abs(distinct_float).max() >= _MAX_EXACT_FLOAT_INT:
        return None  # long digit strings (card numbers, IDs) lose digits as floats
    # Back from distinct values to rows (a hash lookup per row).
    positions = found.positions if found is not None else pd.Index(distinct).get_indexer(text)
    if written_as_integers:
        exact = numbers.to_numpy(dtype=np.int64)
        return NumberParse(
            pd.Series(exact[positions], index=text.index).astype("Int64"), True, 0, note
        )
    places = written.str.extract(r"^[+-]?\d*\.(\d+)$")[0].str.len()
    fixed = bool(places.notna().all()) and places.nunique() == 1  # 8095.20 and 13.00
    return NumberParse(
        pd.Series(distinct_float[positions], index=text.index),
        False,
        decimals_of(distinct_float),
        note,
        int(places.iloc[0]) if fixed else None,
    )


def decimals_of(values: np.ndarray) -> int:
    """The fewest decimal places that represent every value (at most 10)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0
    # Rounding error of a double is ~1e-16 relative; anything above 1e-11 is a real digit.
    tolerance = 1e-11 * np.maximum(1.0, np.abs(finite))
    for places in range(_MAX_DECIMALS + 1):
        if np.all(np.abs(np.round(finite, places) - finite) <= tolerance):
            return places
    return _MAX_DECIMALS


def _has_leading_zero_codes(text: pd.Series) -> bool:
    candidates = text[text.str.startswith(("0", "+0", "-0"))]
    if candidates.empty:
        return False
    return bool(candidates.str.match(r"^[+-]?0\d").any())


@dataclass(frozen=True)
class BooleanParse:
    values: pd.Series  # pandas "boolean"
    true_token: str
    false_token: str


def parse_booleans(
    text: pd.Series, allow_zero_one: bool = False, found: Distinct | None = None
) -> BooleanParse | None:
    """True/false, yes/no, t/f or y/n (any case), and 1/0 when asked for, or None.

    1/0 is not detected on its own: such columns stay numerical unless the user says boolean.
    """
    if text.empty:
        return None
    distinct = found.values.to_numpy() if found is not None else pd.unique(text)
    if len(distinct) > 4:
        return None
    lowered = {str(v).lower() for v in distinct}
    pairs = (*BOOLEAN_PAIRS, ("1", "0")) if allow_zero_one else BOOLEAN_PAIRS
    for true_word, false_word in pairs:
        # A lone 'f' or 'y' is more likely a code than a boolean: one-letter pairs need both.
        pair = {true_word, false_word}
        if lowered <= pair and (len(true_word) > 1 or lowered == pair):
            lower = text.str.lower()
            is_true = lower == true_word
            counts = text.value_counts()
            true_token = _most_common_spelling(counts, true_word, true_word)
            false_token = _most_common_spelling(counts, false_word, false_word)
            return BooleanParse(is_true.astype("boolean"), true_token, false_token)
    return None


def _most_common_spelling(counts: pd.Series, word: str, default: str) -> str:
    for value in counts.index:
        if str(value).lower() == word:
            return str(value)
    return default


@dataclass(frozen=True)
class DatetimeParse:
    values: pd.Series  # datetime64[ns]
    parse_format: str
    output_format: str
    note: str


def looks_like_datetime(text: pd.Series) -> bool:
    """Cheap pre-check: values have digits and a date-like separator or month name."""
    sample = text.iloc[:50]
    if sample.empty:
        return False
    has_digit = sample.str.contains(r"\d", regex=True)
    has_shape = sample.str.contains(r"[-/.:]|[A-Za-z]{3}", regex=True)
    return bool((has_digit & has_shape).mean() >= 0.9 and sample.str.len().max() <= 40)


def parse_datetimes(text: pd.Series, fmt: str | None = None) -> DatetimeParse | None:
    """Datetimes with one format for the whole column, or None.

    The format is guessed on a sample (month-first tried before day-first, so ambiguous
    columns read as month-first unless a value rules it out) and then applied vectorised;
    ``pd.to_datetime(format="mixed")`` was ~20x slower and decides day/month row by row.
    """
    if text.empty:
        return None
    candidates = [fmt] if fmt is not None else _candidate_formats(text)
    for candidate in candidates:
        parsed = _to_datetime(text, candidate)
        if parsed is not None and parsed.notna().all():
            note = ""
            if fmt is None and _ambiguous_day_month(candidate, candidates, text):
                note = (
                    f"day and month could be either way round; read as {candidate}. "
                    "Change the format on the Data page if that is wrong"
                )
            if "%z" in candidate:
                note = (note + "; " if note else "") + "times converted to UTC"
            return DatetimeParse(parsed, candidate, _output_format(text, parsed, candidate), note)
    return None


def _candidate_formats(text: pd.Series) -> list[str]:
    from pandas.tseries.api import guess_datetime_format

    distinct = pd.unique(text)[:_DATETIME_SAMPLE]
    formats: list[str] = []
    with warnings.catch_warnings():
        # pandas warns when a guess contradicts `dayfirst`; we try both orders on purpose.
        warnings.simplefilter("ignore", UserWarning)
        for dayfirst in (False, True):
            for value in distinct[:10]:
                guessed = guess_datetime_format(str(value), dayfirst=dayfirst)
                if guessed is not None and guessed not in formats and not _year_day_month(guessed):
                    formats.append(guessed)
    sample = pd.Series(distinct, dtype=object)
    return [f for f in formats if (p := _to_datetime(sample, f)) is not None and p.notna().all()]


def _year_day_month(fmt: str) -> bool:
    """Year-day-month order (2012-31-01) is not used in practice; never guess it."""
    positions = [fmt.find(code) for code in ("%Y", "%d", "%m")]
    return min(positions) >= 0 and positions[0] < positions[1] < positions[2]


def _to_datetime(text: pd.Series, fmt: str) -> pd.Series | None:
    utc = "%z" in fmt
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
    except (ValueError, TypeError):
        return None
    if utc:
        parsed = parsed.dt.tz_convert(None)
    return parsed.astype("datetime64[ns]")


def _ambiguous_day_month(chosen: str, candidates: list[str], text: pd.Series) -> bool:
    swapped = chosen.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    if swapped == chosen or swapped not in candidates:
        return False
    parsed = _to_datetime(text, swapped)
    return parsed is not None and bool(parsed.notna().all())


def _output_format(text: pd.Series, parsed: pd.Series, fmt: str) -> str:
    """The format that writes values back as they were written (e.g. '5/9/2006' unpadded)."""
    sample_text = text.iloc[:_DATETIME_SAMPLE].reset_index(drop=True)
    sample = parsed.iloc[:_DATETIME_SAMPLE].reset_index(drop=True)
    best, best_matches = fmt, -1
    variants = [fmt]
    for padded, unpadded in _UNPADDED.items():
        if padded in fmt:
            variants += [v.replace(padded, unpadded) for v in list(variants)]
    for variant in variants:
        rendered = format_datetimes(sample, variant)
        matches = int((rendered == sample_text).sum())
        if matches > best_matches:
            best, best_matches = variant, matches
    return best


def format_datetimes(values: pd.Series, fmt: str) -> pd.Series:
    """Datetimes as text in ``fmt`` (missing stays missing); '%z' renders as UTC."""
    if "%z" in fmt or "%Z" in fmt:
        values = values.dt.tz_localize("UTC")
    text: pd.Series = values.dt.strftime(fmt)
    return text


def shown(value: object) -> str:
    """A value in a message as a user would write it: text quoted, numbers, dates and
    true/false plain (never ``np.int64(0)`` or ``Timestamp('...')``)."""
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        value = value.item()
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    return str(value)


def as_float(values: pd.Series) -> np.ndarray:
    """Numbers as float64 and datetimes as nanoseconds since 1970; missing values are NaN."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        nanoseconds = values.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        nanoseconds[values.isna().to_numpy()] = np.nan
        return nanoseconds
    numbers: np.ndarray = pd.to_numeric(values, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return numbers


def bin_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """``np.histogram_bin_edges(values, bins)`` for non-empty values, also when they are all
    one large number (a constant date as nanoseconds, ~1.3e18): numpy widens such a range by
    ±0.5, which a float that large cannot hold, and raises. Here it is widened by enough
    representable steps instead."""
    low, high = float(values.min()), float(values.max())
    if low == high:
        half = max(0.5, 4.0 * bins * float(np.spacing(abs(low))))
        return np.linspace(low - half, high + half, bins + 1)
    edges: np.ndarray = np.histogram_bin_edges(values, bins=bins)
    return edges


def render_text(values: pd.Series, column: ColumnSchema) -> pd.Series:
    """Typed values back to the text they were read from (missing stays missing)."""
    out = np.full(len(values), np.nan, dtype=object)
    present = values.notna().to_numpy()
    kept = values[present]
    if not present.any():
        text: list[str] = []
    elif column.kind is ColumnKind.DATETIME:
        fmt = column.datetime_output or column.datetime_format or "%Y-%m-%d %H:%M:%S"
        text = format_datetimes(kept, fmt).tolist()
    elif column.kind is ColumnKind.BOOLEAN:
        true, false = column.true_token or "True", column.false_token or "False"
        text = [true if v else false for v in kept.astype(bool).tolist()]
    elif pd.api.types.is_integer_dtype(kept.dtype):
        text = [str(v) for v in kept.astype("int64").tolist()]
    elif pd.api.types.is_float_dtype(kept.dtype):
        text = [repr(v) for v in kept.round(column.decimals or _MAX_DECIMALS).tolist()]
    else:
        text = [str(v) for v in kept.tolist()]
    out[present] = np.asarray(text, dtype=object)
    return pd.Series(out, index=values.index, dtype=object)
