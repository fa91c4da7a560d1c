"""Decide each column's kind from its name and values, and convert it accordingly."""

from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.convert import (
    Distinct,
    looks_like_datetime,
    parse_booleans,
    parse_datetimes,
    parse_numbers,
)
from synth_core.data.schema import ColumnKind, ColumnOverride, ColumnSchema, PiiType
from synth_core.errors import SchemaError

_SAMPLE = 500
_PII_SHARE = 0.8
_NAME_SHARE = 0.5
# Single names (a first name or a surname per cell) under any header: at least this share of
# the distinct values is in Faker's name lists, and there are at least _NAMES_DISTINCT of them
# (so a month or colour column with 'May' or 'Rose' is not taken for names).
_SINGLE_NAME_SHARE = 0.5
_SINGLE_NAME_SHARE_NAMED = 0.3  # when the header says first/last/given/surname
_NAMES_DISTINCT = 10
# A text column is mostly unique when values found in no other row fill at least this share of
# its non-missing cells and there are at least MOSTLY_UNIQUE_MIN of them: each such value singles
# out one row, and generators copy them, so they are treated as IDs (new values of the same shape).
MOSTLY_UNIQUE_SHARE = 0.5
MOSTLY_UNIQUE_MIN = 10

_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(\.[\w-]+)+$")
_PHONE = re.compile(r"^\+?[\d\s().\-/x]{7,25}$")
_SSN = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$")
_IPV6 = re.compile(r"^[0-9A-Fa-f:]{2,39}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_CARD = re.compile(r"^\d(?:[ -]?\d){12,18}$")
_STREET = re.compile(
    r"^\d+[A-Za-z]?\s+.*\b(st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|dr|drive|way|"
    r"ct|court|pl|place|sq|square|hwy|highway|pkwy|parkway|ter|terrace|cir|circle|trl|trail)\b",
    re.IGNORECASE,
)
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
_CODE = re.compile(r"^[A-Za-z_-]*\d+$")
_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_HANDLE = re.compile(r"^@\w{1,50}$")
_SINGLE_WORD = re.compile(r"^[^\W\d_][^\W\d_'-]*(?:['-][^\W\d_]+)*$")
_HANDLE_WORDS = frozenset(
    {
        "twitter",
        "instagram",
        "facebook",
        "tiktok",
        "linkedin",
        "github",
        "youtube",
        "handle",
        "username",
        "user",
        "screen",
        "login",
        "account",
        "nick",
        "nickname",
        "mastodon",
        "skype",
    }
)
# Words that mark a value as a place or an organisation rather than a person.
_NOT_A_PERSON = frozenset(
    {
        "county",
        "city",
        "state",
        "inc",
        "llc",
        "ltd",
        "corp",
        "corporation",
        "company",
        "co",
        "university",
        "college",
        "school",
        "hospital",
        "street",
        "st",
        "ave",
        "avenue",
        "road",
        "department",
        "dept",
        "bank",
        "group",
        "club",
        "church",
        "park",
    }
)
_NAME_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "en_IN")


@dataclass(frozen=True)
class Converted:
    """A column converted to its kind's dtype, with its schema and notes for the user."""

    values: pd.Series
    column: ColumnSchema


def name_tokens(name: str) -> list[str]:
    """Lower-case words of a column name: 'PassengerId' -> ['passenger', 'id']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def convert_column(
    name: str, text: pd.Series, missing: pd.Series, override: ColumnOverride | None = None
) -> Converted:
    """Convert stripped text (``missing`` marks missing values) to the detected or chosen kind."""
    present = text[~missing].astype(str)
    if override is not None:
        return _forced(name, text.index, present, override)
    return _detected(name, text.index, present)


def _aligned(index: pd.Index, present: pd.Series, dtype: str) -> pd.Series:
    """``present`` values put back among the missing ones (positionally, without alignment)."""
    if len(present) == len(index):
        converted: pd.Series = pd.Series(present.to_numpy(), index=index).astype(
            pd.api.types.pandas_dtype(dtype)
        )
        return converted
    missing = {"Int64": pd.NA, "boolean": pd.NA, "datetime64[ns]": pd.NaT}.get(dtype, np.nan)
    full = pd.Series(missing, index=index, dtype=dtype)
    full.iloc[index.get_indexer(present.index)] = present.to_numpy()
    return full


def _text_values(index: pd.Index, present: pd.Series) -> pd.Series:
    values = np.full(len(index), np.nan, dtype=object)
    values[index.get_indexer(present.index)] = present.to_numpy(dtype=object)
    return pd.Series(values, index=index, dtype=object)


def _detected(name: str, index: pd.Index, present: pd.Series) -> Converted:
    tokens = name_tokens(name)
    if present.empty:
        return Converted(
            _text_values(index, present),
            ColumnSchema(name, ColumnKind.CATEGORICAL, reason="every value is missing"),
        )
    found = Distinct.of(present)
    booleans = parse_booleans(present, found=found)
    if booleans is not None:
        return Converted(
            _aligned(index, booleans.values, "boolean"),
            ColumnSchema(
                name,
                ColumnKind.BOOLEAN,
                true_token=booleans.true_token,
                false_token=booleans.false_token,
                reason=f"values are {booleans.true_token}/{booleans.false_token}",
            ),
        )
    pii = _pii_type(tokens, present, found)
    numbers = parse_numbers(present, found=found)
    if numbers is not None:
        if pii is PiiType.PHONE_NUMBER:
            return _pii(name, index, present, pii)
        unique = found.unique and len(present) > 1
        if numbers.integer and unique and _id_name(tokens):
            return Converted(
                _aligned(index, numbers.values, "Int64"),
                ColumnSchema(
                    name,
                    ColumnKind.ID,
                    integer=True,
                    reason="unique whole numbers named like an ID",
                ),
            )
        reason = "all values are " + ("whole numbers" if numbers.integer else "numbers")
        if numbers.note:
            reason += f" ({numbers.note})"
        dtype = "Int64" if numbers.integer else "float64"
        return Converted(
            _aligned(index, numbers.values, dtype),
            ColumnSchema(
                name,
                ColumnKind.NUMERICAL,
                integer=numbers.integer,
                decimals=numbers.decimals,
                written_decimals=numbers.written,
                reason=reason,
            ),
        )
    if pii is None and looks_like_datetime(present):
        dates = parse_datetimes(present)
        if dates is not None:
            reason = f"dates in the format {dates.parse_format}"
            if dates.note:
                reason += f" ({dates.note})"
            return Converted(
                _aligned(index, dates.values, "datetime64[ns]"),
                ColumnSchema(
                    name,
                    ColumnKind.DATETIME,
                    datetime_format=dates.parse_format,
                    datetime_output=dates.output_format,
                    reason=reason,
                ),
            )
    if pii is not None:
        return _pii(name, index, present, pii)
    if _looks_like_id(tokens, present, found):
        return Converted(
            _text_values(index, present),
            ColumnSchema(name, ColumnKind.ID, reason="unique codes, one per row"),
        )
    if mostly_unique(present, found):
        return Converted(
            _text_values(index, present),
            ColumnSchema(
                name,
                ColumnKind.ID,
                reason="mostly unique text (most values are in one row only, so each singles "
                "out a row): new values of the same shape are made",
            ),
        )
    reason = "text values"
    if _has_leading_zeros(present):
        reason = "codes with leading zeros, kept as text"
    return Converted(
        _text_values(index, present), ColumnSchema(name, ColumnKind.CATEGORICAL, reason=reason)
    )


def _pii(name: str, index: pd.Index, present: pd.Series, pii: PiiType) -> Converted:
    return Converted(
        _text_values(index, present),
        ColumnSchema(
            name, ColumnKind.PII, pii_type=pii, reason=f"looks like personal data ({pii.value})"
        ),
    )


def _forced(name: str, index: pd.Index, present: pd.Series, override: ColumnOverride) -> Converted:
    kind = override.kind
    if present.empty:  # every value missing: any kind fits (e.g. a synthetic copy of such a column)
        return _all_missing(name, index, override)
    if kind is ColumnKind.NUMERICAL:
        numbers = parse_numbers(present, leading_zeros=True)
        if numbers is None:
            raise SchemaError(_not_numbers(name, present))
        dtype = "Int64" if numbers.integer else "float64"
        return Converted(
            _aligned(index, numbers.values, dtype),
            ColumnSchema(
                name,
                kind,
                integer=numbers.integer,
                decimals=numbers.decimals,
                written_decimals=numbers.written,
                reason="set by you",
            ),
        )
    if kind is ColumnKind.DATETIME:
        dates = parse_datetimes(present, override.datetime_format)
        if dates is None:
            wanted = (
                f"dates in the format {override.datetime_format}"
                if override.datetime_format
                else "dates in one format"
            )
            raise SchemaError(
                f"Column '{name}' cannot be a datetime column: not all values are {wanted} "
                f"(e.g. {_examples(present)}). Give the format, like datetime:%d/%m/%Y, or keep "
                "it categorical."
            )
        return Converted(
            _aligned(index, dates.values, "datetime64[ns]"),
            ColumnSchema(
                name,
                kind,
                datetime_format=dates.parse_format,
                datetime_output=dates.output_format,
                reason="set by you",
            ),
        )
    if kind is ColumnKind.BOOLEAN:
        booleans = parse_booleans(present, allow_zero_one=True)
        if booleans is None:
            raise SchemaError(
                f"Column '{name}' cannot be boolean: its values are not two of true/false, "
                f"yes/no, t/f, y/n or 1/0 (e.g. {_examples(present)})."
            )
        return Converted(
            _aligned(index, booleans.values, "boolean"),
            ColumnSchema(
                name,
                kind,
                true_token=booleans.true_token,
                false_token=booleans.false_token,
                reason="set by you",
            ),
        )
    if kind is ColumnKind.PII:
        pii_type = override.pii_type or _pii_type(name_tokens(name), present) or PiiType.NAME
        return Converted(
            _text_values(index, present),
            ColumnSchema(name, kind, pii_type=pii_type, reason="set by you"),
        )
    if kind is ColumnKind.ID:
        numbers = parse_numbers(present)
        if numbers is not None and numbers.integer:
            return Converted(
                _aligned(index, numbers.values, "Int64"),
                ColumnSchema(name, kind, integer=True, reason="set by you"),
            )
        return Converted(
            _text_values(index, present), ColumnSchema(name, kind, reason="set by you")
        )
    return Converted(
        _text_values(index, present),
        ColumnSchema(name, ColumnKind.CATEGORICAL, reason="set by you"),
    )


def _all_missing(name: str, index: pd.Index, override: ColumnOverride) -> Converted:
    kind = override.kind
    dtype = {
        ColumnKind.NUMERICAL: "float64",
        ColumnKind.DATETIME: "datetime64[ns]",
        ColumnKind.BOOLEAN: "boolean",
    }.get(kind)
    missing = {"boolean": pd.NA, "datetime64[ns]": pd.NaT}.get(str(dtype), np.nan)
    values = pd.Series(missing, index=index, dtype=dtype or object)
    pii_type = override.pii_type or (PiiType.NAME if kind is ColumnKind.PII else None)
    return Converted(
        values,
        ColumnSchema(
            name,
            kind,
            pii_type=pii_type,
            datetime_format=override.datetime_format,
            reason="every value is missing",
        ),
    )


def _not_numbers(name: str, present: pd.Series) -> str:
    distinct = pd.Series(pd.unique(present)[:2000], dtype=object).astype(str)
    bad = [v for v in distinct if parse_numbers(pd.Series([v])) is None]
    shown = ", ".join(repr(v) for v in bad[:3])
    return (
        f"Column '{name}' cannot be numerical: some values are not numbers (e.g. {shown}). "
        "Add them to the missing-value tokens if they mean 'missing', or keep it categorical."
    )


def _examples(present: pd.Series) -> str:
    return ", ".join(repr(str(v)) for v in pd.unique(present)[:3])


def _has_leading_zeros(present: pd.Series) -> bool:
    return bool(present.iloc[:_SAMPLE].str.match(r"^[+-]?0\d").any())


def _id_name(tokens: list[str]) -> bool:
    if not tokens:
        return False
    return tokens[-1] in {"id", "uuid", "guid", "key", "identifier"} or tokens[0] == "id"


def _looks_like_id(tokens: list[str], present: pd.Series, found: Distinct | None = None) -> bool:
    if len(present) < 2 or not (found.unique if found is not None else present.is_unique):
        return False
    if _id_name(tokens):
        return True
    sample = present.iloc[:_SAMPLE]
    if sample.str.match(_UUID).all():
        return True
    # Codes like 'C000123': same length, letters then digits, one per row.
    return bool(
        len(present) >= 20 and sample.str.len().nunique() == 1 and sample.str.match(_CODE).all()
    )


def mostly_unique(values: pd.Series, found: Distinct | None = None) -> bool:
    """Whether most non-missing cells hold a value found in no other row (see
    MOSTLY_UNIQUE_SHARE); compared as text. ``found``: the values' ``Distinct`` text, when
    already counted (they are then text, none missing)."""
    present = values.dropna() if found is None else values
    if present.empty:
        return False
    counts = present.astype(str).value_counts().to_numpy() if found is None else found.counts
    singles = int((counts == 1).sum())
    return singles >= MOSTLY_UNIQUE_MIN and singles >= MOSTLY_UNIQUE_SHARE * len(present)


def _share(sample: pd.Series, pattern: re.Pattern[str]) -> float:
    return float(sample.str.match(pattern).mean()) if len(sample) else 0.0


def _pii_type(
    tokens: list[str], present: pd.Series, found: Distinct | None = None
) -> PiiType | None:
    """PII from the column name and a sample of its values."""
    distinct = found.values if found is not None else present.drop_duplicates()
    sample = distinct.iloc[:_SAMPLE].astype(str)
    values = len(found.values) if found is not None else None
    if sample.empty:
        return None
    joined = "_".join(tokens)
    words = set(tokens)
    emails = _share(sample, _EMAIL)
    if emails >= _PII_SHARE or (emails >= 0.5 and ("mail" in words or "email" in joined)):
        return PiiType.EMAIL
    phone_words = {"phone", "telephone", "tel", "mobile", "cell", "fax", "phonenumber"}
    if words & phone_words and _share(sample, _PHONE) >= _PII_SHARE:
        return PiiType.PHONE_NUMBER
    if _share(sample, re.compile(r"^(\+|\(\d)[\d\s().\-]{8,20}$")) >= _PII_SHARE:
        return PiiType.PHONE_NUMBER
    if "ssn" in words or _share(sample, _SSN) >= _PII_SHARE:
        return PiiType.SSN
    if _share(sample, _IPV4) >= _PII_SHARE or (
        words & {"ip"} and _share(sample, _IPV6) >= _PII_SHARE
    ):
        return PiiType.IP_ADDRESS
    if "iban" in words or _share(sample.str.replace(" ", "", regex=False), _IBAN) >= _PII_SHARE:
        return PiiType.IBAN
    if (words & {"card", "cc"} or "creditcard" in joined) and _share(sample, _CARD) >= _PII_SHARE:
        return PiiType.CREDIT_CARD_NUMBER
    if words & {"address", "addr", "street"} or _share(sample, _STREET) >= 0.6:
        return PiiType.ADDRESS
    first = {"first", "given", "fname", "forename", "firstname", "givenname"}
    last = {"last", "surname", "family", "lname", "lastname", "familyname"}
    if words & first and (
        "name" in words or words & {"fname", "forename", "firstname", "givenname"}
    ):
        return PiiType.FIRST_NAME
    if words & last and ("name" in words or words & {"surname", "lname", "lastname", "familyname"}):
        return PiiType.LAST_NAME
    person_share = _person_name_share(sample)
    if "name" in words and person_share >= _NAME_SHARE:
        return PiiType.NAME
    if person_share >= 0.8 and sample.nunique() >= min(20, len(present)):
        return PiiType.NAME
    single = _single_name_type(words, sample)
    if single is not None:
        return single
    if _share(sample, _URL) >= _PII_SHARE and _spread(present, values):
        return PiiType.URL
    if _share(sample, _HANDLE) >= _PII_SHARE or (
        words & _HANDLE_WORDS
        and _spread(present, values)
        and not sample.str.contains(r"\s", regex=True).any()
    ):
        return PiiType.USER_NAME
    return None


def _spread(present: pd.Series, values: int | None = None) -> bool:
    """Values that tell rows apart: at least half of the rows have a value of their own
    (``values``: how many distinct ones, when already counted)."""
    distinct = present.nunique() if values is None else values
    return distinct >= max(_NAMES_DISTINCT, MOSTLY_UNIQUE_SHARE * len(present))


def _single_name_type(words: set[str], sample: pd.Series) -> PiiType | None:
    """FIRST_NAME or LAST_NAME for columns of single names (any header), from Faker's lists."""
    if sample.nunique() < _NAMES_DISTINCT:
        return None
    lowered = sample.str.strip().str.lower()
    single = lowered[lowered.str.match(_SINGLE_WORD)]
    if len(single) < _SINGLE_NAME_SHARE * len(lowered):
        return None
    first_share = float(single.isin(_first_names()).sum()) / len(lowered)
    last_share = float(single.isin(_last_names()).sum()) / len(lowered)
    first_words = {"first", "given", "fname", "forename", "firstname", "givenname"}
    last_words = {"last", "surname", "family", "lname", "lastname", "familyname"}
    if words & first_words and first_share >= _SINGLE_NAME_SHARE_NAMED:
        return PiiType.FIRST_NAME
    if words & last_words and last_share >= _SINGLE_NAME_SHARE_NAMED:
        return PiiType.LAST_NAME
    if first_share >= _SINGLE_NAME_SHARE and first_share >= last_share:
        return PiiType.FIRST_NAME
    if last_share >= _SINGLE_NAME_SHARE:
        return PiiType.LAST_NAME
    return None


@functools.cache
def _first_names() -> frozenset[str]:
    return _faker_names("first_names")


@functools.cache
def _last_names() -> frozenset[str]:
    return _faker_names("last_names")


def _faker_names(attribute: str) -> frozenset[str]:
    """Lower-case names from Faker's person providers of several locales."""
    names: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        names.update(str(n).lower() for n in getattr(provider, attribute))
    return frozenset(names)


def _person_name_share(sample: pd.Series) -> float:
    """Share of values that read like a person's name: 2-5 words, one a known first name."""
    known = _first_names()

    def is_person(value: str) -> bool:
        words = [w for w in re.split(r"[\s,.]+", value.lower()) if w]
        if not 2 <= len(words) <= 5 or not all(
            w.replace("-", "").replace("'", "").isalpha() for w in words
        ):
            return False
        if any(w in _NOT_A_PERSON for w in words):
            return False
        return any(w in known for w in words)

    return float(np.mean([is_person(v) for v in sample.iloc[:200]]))
