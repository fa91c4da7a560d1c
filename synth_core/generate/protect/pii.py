"""Replace personal data with fake values of the same type, and give ID columns new IDs.

One concept, one file (over 600 lines): personal data in and out of the pipeline — each
PII type's fake values, their consistency across columns of one person, and new IDs."""

from __future__ import annotations

import bisect
import math
import random
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.convert import DEFAULT_NA_TOKENS
from synth_core.data.schema import PiiType
from synth_core.errors import GeneratorError

_PROGRESS_EVERY = 5000
_CODE = re.compile(r"^(?P<prefix>\D*?)(?P<digits>\d+)$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


class PiiAction(StrEnum):
    """What PII protection does with a PII column."""

    REPLACE = "replace"
    DROP = "drop"


def _makers(fake: Any, one_line_address: bool) -> dict[PiiType, Callable[[], str]]:
    """Faker's maker of each PII type (URLs and user names are shaped instead)."""

    def address() -> str:
        return (
            str(fake.address()).replace("\n", ", ")
            if one_line_address
            else str(fake.street_address())
        )

    return {
        PiiType.NAME: fake.name,
        PiiType.FIRST_NAME: fake.first_name,
        PiiType.LAST_NAME: fake.last_name,
        PiiType.EMAIL: fake.email,
        PiiType.PHONE_NUMBER: fake.phone_number,
        PiiType.ADDRESS: address,
        PiiType.CITY: fake.city,
        PiiType.POSTCODE: fake.postcode,
        PiiType.SSN: fake.ssn,
        PiiType.CREDIT_CARD_NUMBER: fake.credit_card_number,
        PiiType.IP_ADDRESS: fake.ipv4,
        PiiType.IBAN: fake.iban,
    }


_REDRAWS = 100


def normal_text(values: pd.Series) -> pd.Series:
    """Text compared ignoring case and runs of spaces."""
    return values.astype(str).str.strip().str.casefold().str.replace(r"\s+", " ", regex=True)


def _normal_one(value: str) -> str:
    return " ".join(value.strip().casefold().split())


# Single names repeat across people: a real person's first name, or surname, alone identifies
# nobody, and on a table of thousands of people the real column holds almost every name Faker
# knows. What must never come back is a person's whole name (first and last together, a full
# name, or a name with the date of birth): ``consistent_people`` checks those.
SHARED_TYPES = frozenset({PiiType.FIRST_NAME, PiiType.LAST_NAME})


class PiiExhaustedError(GeneratorError):
    """Fake values unlike every real one could not be made for a column."""

    def __init__(self, column: str, pii_type: PiiType) -> None:
        self.column = column
        super().__init__(
            f"Could not make fake values for '{column}' ({pii_type.value}) unlike the real ones: "
            f"the real column covers almost every value Faker makes of that kind. Leave "
            f"'{column}' out (the Data page's column table, or choose 'drop' for personal data), "
            "or mark it as another kind."
        )


_EXHAUSTED = re.compile(r"Could not make fake values for '(?P<column>.+?)' \(")


def exhausted_column(message: str) -> str | None:
    """The column a PiiExhaustedError's message names (the error crosses the job's process
    boundary as text), or None for any other message."""
    found = _EXHAUSTED.search(message)
    return None if found is None else found.group("column")


def fake_column(
    pii_type: PiiType,
    real: pd.Series,
    n: int,
    seed: int,
    progress: ProgressFn = no_progress,
    locale: str = "en_US",
    column: str | None = None,
) -> pd.Series:
    """``n`` fake values of ``pii_type`` (Faker), missing as often as in ``real``.

    The values come from Faker's lists, never from ``real``: a fake value that happens to equal a
    real one (ignoring case and spaces; e.g. a short email) is drawn again; single first names
    and surnames (``SHARED_TYPES``) may be common real names, but are drawn again where they
    equal a name only one real row holds (that would point at the row). Only the missing
    rate and whether addresses are written on one line with a city are taken from the real
    column.
    """
    missing_rate = float(real.isna().mean()) if len(real) else 0.0
    if pii_type in _SHAPED_TYPES:
        series = shaped_codes(real, n, seed)
    else:
        name = column if column is not None else str(real.name or pii_type.value)
        series = _faker_values(pii_type, real, n, seed, progress, locale, name)
    if missing_rate > 0:
        series[np.random.default_rng(seed).random(n) < missing_rate] = np.nan
    return series


# Kept in the shape of the real values (the parts many rows share, like 'https://twitter.com/',
# stay): Faker's random URLs and user names would lose what the column is about.
_SHAPED_TYPES = frozenset({PiiType.URL, PiiType.USER_NAME})


def _faker_values(
    pii_type: PiiType,
    real: pd.Series,
    n: int,
    seed: int,
    progress: ProgressFn,
    locale: str,
    column: str,
) -> pd.Series:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    present = real.dropna().astype(str)
    one_line = bool(len(present)) and bool(present.str.contains(",").mean() > 0.5)
    make = _makers(fake, one_line)[pii_type]
    shared = pii_type in SHARED_TYPES
    avoid = _rare(present) if shared else set(normal_text(present))
    values = np.empty(n, dtype=object)
    for i in range(n):
        value = make()
        for _ in range(_REDRAWS):
            if _normal_one(value) not in avoid:
                break
            value = make()
        else:
            if not shared:  # a common name may stay: it points at no one
                raise PiiExhaustedError(column, pii_type)
        values[i] = value
        if i % _PROGRESS_EVERY == _PROGRESS_EVERY - 1:
            progress((i + 1) / n, f"Fake {pii_type.value} values: {i + 1:,} of {n:,}")
    return pd.Series(values, dtype=object)


_FEMALE = frozenset({"f", "female", "w", "woman", "women", "girl", "fem", "weiblich", "femme"})
_MALE = frozenset({"m", "male", "man", "men", "boy", "masc", "männlich", "homme"})


def _rare(present: pd.Series) -> set[str]:
    """Real values (compared ignoring case and spaces) that only one real row holds: a first
    name or surname many people share identifies no one, a rare one points at its row."""
    counts = normal_text(present).value_counts()
    return set(counts.index[counts == 1])


def common_names_note(
    made: Mapping[str, pd.Series], real: Mapping[str, pd.Series], kinds: Mapping[str, PiiType]
) -> str:
    """In words: how many fake first names and surnames (``kinds``: the replaced columns of
    SHARED_TYPES) are also real values of their column (ignoring case and spaces), and why that
    is allowed; and how many rows hold a real person's first and last name together. "" when
    none are."""
    shares, rare = {}, 0
    for name in kinds:
        values = normal_text(made[name].dropna().astype(str))
        if len(values):
            known = real[name].dropna().astype(str)
            shares[name] = float(values.isin(set(normal_text(known))).mean())
            rare += int(values.isin(_rare(known)).sum())
    shown = {name: share for name, share in shares.items() if share > 0}
    if not shown:
        return ""
    text = (
        "Fake first names and surnames that are also real values of their column: "
        + ", ".join(f"'{name}' {share:.0%}" for name, share in shown.items())
        + " of rows. These are common names held by several real rows, so alone they point at "
        + (
            "no one (no fake name is one that only one real row holds)"
            if not rare
            else f"no one, except {rare:,} that only one real row holds (Faker's lists ran out)"
        )
    )
    first = next((n for n, t in kinds.items() if t is PiiType.FIRST_NAME), None)
    last = next((n for n, t in kinds.items() if t is PiiType.LAST_NAME), None)
    if first is None or last is None:
        return text + "."

    def people(frame: Mapping[str, pd.Series]) -> pd.Series:
        return normal_text(frame[first].astype(str)) + "\x00" + normal_text(frame[last].astype(str))

    both = made[first].notna() & made[last].notna()
    real_both = real[first].notna() & real[last].notna()
    people_known = set(people({k: v[real_both] for k, v in real.items() if k in (first, last)}))
    whole = people({k: v[both] for k, v in made.items() if k in (first, last)}).isin(people_known)
    return text + (
        f"; {int(whole.sum()):,} rows hold a real person's first name and surname together."
        if whole.any()
        else "; no row holds a real person's first name and surname together."
    )


def sex_of(values: pd.Series) -> list[str | None]:
    """'female', 'male' or None for each value of a sex or gender column (by its words)."""
    words = normal_text(values.astype(object).where(values.notna(), "")).tolist()
    return ["female" if w in _FEMALE else "male" if w in _MALE else None for w in words]


def consistent_people(
    columns: Mapping[str, pd.Series],
    faked: Mapping[str, PiiType],
    sex: pd.Series | None,
    real: Mapping[str, pd.Series],
    seed: int,
    birth: tuple[pd.Series, pd.Series] | None = None,
) -> dict[str, pd.Series]:
    """One fake person per row, and never a real person: first names (and full names without
    first and last name columns) drawn for the row's sex when the table has a sex or gender
    column; a surname drawn again where first and last name together are a real person's; a
    full name made of the row's fake first and last names, never a real full name; and a name
    drawn again where it is a real person's together with the date of birth.

    ``faked`` maps the replaced columns to their type; ``real`` holds their real values (rows
    aligned across columns); ``birth`` is the synthetic and the real date of birth, when the
    table has one."""
    from faker import Faker

    out = dict(columns)
    by_type: dict[PiiType, str] = {}  # one column per type: the one filled in most real rows
    for column, pii_type in faked.items():
        current = by_type.get(pii_type)
        if current is None or real[column].notna().sum() > real[current].notna().sum():
            by_type[pii_type] = column
    fake = Faker("en_US")
    fake.seed_instance(seed)
    if sex is not None:
        sexes = sex_of(sex)
        for pii_type, makers in (
            (PiiType.FIRST_NAME, {"female": fake.first_name_female, "male": fake.first_name_male}),
            (PiiType.NAME, {"female": fake.name_female, "male": fake.name_male}),
        ):
            name = by_type.get(pii_type)
            if name is None or (pii_type is PiiType.NAME and PiiType.FIRST_NAME in by_type):
                continue
            values = out[name].astype(object).tolist()
            known = real[name].dropna().astype(str)
            avoid = _rare(known) if pii_type in SHARED_TYPES else set(normal_text(known))
            for row, (value, person) in enumerate(zip(values, sexes, strict=True)):
                if person is None or value is None or value != value:  # NaN: missing
                    continue
                made = makers[person]()
                if _normal_one(made) not in avoid:
                    values[row] = made
            out[name] = pd.Series(values, index=out[name].index, dtype=object)
    full, first, last = (
        by_type.get(t) for t in (PiiType.NAME, PiiType.FIRST_NAME, PiiType.LAST_NAME)
    )
    if first is not None and last is not None:
        out[last] = _unlike(
            out[last],
            [out[first]],
            [real[first]],
            real[last],
            fake.last_name,
            (last, "name"),
            _rare(real[last].dropna().astype(str)),
        )
    if full is not None and first is not None and last is not None:
        whole = out[full].astype(object).copy()
        joined = out[first].astype(str) + " " + out[last].astype(str)
        avoid = set(normal_text(real[full].dropna().astype(str)))
        usable = whole.notna() & out[first].notna() & out[last].notna()
        usable &= ~normal_text(joined).isin(avoid)
        whole[usable] = joined[usable]
        out[full] = whole
    if birth is not None:
        synthetic_birth, real_birth = birth
        for pii_type, make in (
            (PiiType.NAME, fake.name),
            (PiiType.FIRST_NAME, fake.first_name),
            (PiiType.LAST_NAME, fake.last_name),
        ):
            name = by_type.get(pii_type)
            if name is not None and (pii_type is PiiType.NAME or full is None):
                known = real[name].dropna().astype(str)
                out[name] = _unlike(
                    out[name],
                    [synthetic_birth],
                    [real_birth],
                    real[name],
                    make,
                    (name, "birth"),
                    _rare(known) if pii_type in SHARED_TYPES else set(normal_text(known)),
                )
    return out


def _filled(values: pd.Series) -> np.ndarray:
    """Cells holding a value: not missing and not blank."""
    text = values.astype(object)
    return np.asarray(text.notna() & (text.astype(str).str.strip() != ""), dtype=bool)


def case_like(values: pd.Series, real: pd.Series) -> pd.Series:
    """``values`` written in the real column's case when nearly all real values share one
    (a table of 'miguel hernandez' gets lower-case fake names, not 'Miguel Hernandez')."""
    present = real.dropna().astype(str)
    present = present[present.str.contains(r"[A-Za-z]")]
    if len(present) < 10:
        return values
    text = values.astype(object)
    known = text.notna()
    for test, change in ((str.islower, str.lower), (str.isupper, str.upper)):
        if present.map(test).mean() >= 0.95:
            return text.where(~known, text.astype(str).map(change))
    return values


def _unlike(
    values: pd.Series,
    beside: list[pd.Series],
    real_beside: list[pd.Series],
    real: pd.Series,
    make: Callable[[], str],
    what: tuple[str, str],
    avoid: set[str] | None = None,
) -> pd.Series:
    """``values`` with each one drawn again (``make``) where, together with the row's values
    in ``beside``, it is a real row's combination (``real`` with ``real_beside``); a value drawn
    again is never one of ``avoid`` (normal text: the names only one real row holds)."""
    avoid = avoid or set()

    def keys(parts: list[pd.Series]) -> list[str]:
        texts = [normal_text(p.astype(object).where(p.notna(), "\x00")).tolist() for p in parts]
        return ["\x1f".join(row) for row in zip(*texts, strict=True)]

    def aligned(series: pd.Series) -> pd.Series:
        return series.reset_index(drop=True)

    filled = np.ones(len(real), dtype=bool)  # a pair with a missing half is no one's
    for part in real_beside:
        filled &= _filled(aligned(part))
    known = set(np.asarray(keys([aligned(real), *map(aligned, real_beside)]))[filled])
    out = values.astype(object).reset_index(drop=True).copy()
    rest = keys(list(map(aligned, beside))) if beside else [""] * len(out)
    suffix = [f"\x1f{other}" if beside else "" for other in rest]
    present = out.notna().to_numpy()
    for part in beside:
        present &= _filled(aligned(part))
    for row, (key, other) in enumerate(zip(keys([out]), suffix, strict=True)):
        if not present[row] or key + other not in known:
            continue
        fallback = None  # not a real person's, though a name one real row holds
        for _ in range(_REDRAWS):
            candidate = make()
            normal = _normal_one(candidate)
            if normal + other in known:
                continue
            if normal not in avoid:
                out.iloc[row] = candidate
                break
            fallback = candidate if fallback is None else fallback
        else:
            if fallback is not None:  # counted in the note (common_names_note)
                out.iloc[row] = fallback
                continue
            raise GeneratorError(
                f"Could not make a value for '{what[0]}' that, with the row's other values, is "
                "not a real person's: leave the column out on the Data page."
            )
    out.index = values.index
    return out


def new_ids(real: pd.Series, n: int, seed: int, offset: int = 0) -> pd.Series:
    """``n`` unique IDs shaped like the real ones, none equal to a real ID, for IDs of any
    length and alphabet (Python integers throughout: no value has to fit a machine integer).

    Whole numbers are random numbers of the real IDs' width (digits), more digits when the
    width has too few free values; codes like 'C00123' keep their prefix and width with random
    digits; UUIDs stay UUIDs; anything else keeps the shapes of the real values (see
    ``shaped_codes``). New IDs never count up from the largest real one: that would give away
    the real maximum and, with IDs numbered from 1, the real number of rows. ``offset``
    continues an earlier call (chunks of a large sample), so IDs stay unique across calls with
    the same seed.
    """
    present = real.dropna()
    if pd.api.types.is_integer_dtype(real.dtype):
        numbers = [int(v) for v in pd.unique(present)]
        width = min(max((len(str(abs(v))) for v in numbers), default=4), _WIDEST)
        made = _random_numbers(numbers, n, seed, offset, width, padded=False)
        return pd.Series(made, dtype="Int64")
    text = present.astype(str)
    if len(text) and text.str.match(_UUID).all():
        rng = np.random.default_rng([seed, offset])
        raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
        raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
        raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
        hexes = [row.tobytes().hex() for row in raw]
        return pd.Series(
            [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in hexes], dtype=object
        )
    parts = text.str.extract(_CODE)
    if len(text) and parts["digits"].notna().all() and parts["prefix"].nunique() == 1:
        prefix = str(parts["prefix"].iloc[0])
        width = int(parts["digits"].str.len().max())
        taken = [int(d) for d in pd.unique(parts["digits"])]
        padded = bool(parts["digits"].str.startswith("0").any())  # 'S150', not 'S048'
        digits = _random_numbers(taken, n, seed, offset, width, padded=padded)
        return pd.Series([f"{prefix}{d:0{width}d}" for d in digits], dtype=object)
    return shaped_codes(text, n, seed, offset)


_INT64_MAX = int(np.iinfo(np.int64).max)
_WIDEST = 18  # digits: every such number fits a 64-bit integer


def _random_numbers(
    taken: list[int], n: int, seed: int, offset: int, width: int, padded: bool
) -> list[int]:
    """Rows ``offset`` .. ``offset + n - 1`` of a seeded random order of the numbers of
    ``width`` digits (from 0 when ``padded``, as codes with leading zeros; else from 10^(w-1))
    that are not ``taken``, shuffled within the call; a row past what a width holds takes the
    next width. Distinct rows get distinct numbers in every call."""
    made: list[int] = [0] * n
    positions = np.arange(n)
    rows = np.arange(offset, offset + n, dtype=np.int64)
    size = width
    while len(rows):
        low = 0 if padded or size == 1 else 10 ** (size - 1)
        order = _RangeCodes.of(low, 10**size - 1, seed, taken)
        free = min(order.free, 2**62)
        last = not padded and size >= _WIDEST  # whole numbers stay 64-bit
        inside = (rows < free) | last
        for position, value in zip(positions[inside], order.values(rows[inside]), strict=True):
            made[int(position)] = value
        positions, rows = positions[~inside], rows[~inside] - free
        size += 1  # the rows this width cannot hold go to the next one
    # Rows next to each other would otherwise step by the order's multiplier: shuffled within
    # the call, the numbers stay distinct and show no pattern.
    shuffle = np.random.default_rng([seed, offset, n]).permutation(n)
    return [made[int(i)] for i in shuffle]


@dataclass
class _RangeCodes:
    """The numbers low..high in a seeded random order without the taken ones: the r-th value
    is low + E(k) for the r-th k whose value is not taken, E(x) = (a * x + b) mod size."""

    low: int
    size: int
    multiplier: int
    shift: int
    skipped: list[int]

    @classmethod
    def of(cls, low: int, high: int, seed: int, taken: Iterable[int]) -> _RangeCodes:
        size = high - low + 1
        multiplier, shift, inverse = _affine(size, f"{seed}:{low}:{high}")
        skipped = sorted(
            (inverse * (number - low - shift)) % size for number in taken if low <= number <= high
        )
        return cls(low, size, multiplier, shift, skipped)

    @property
    def free(self) -> int:
        return self.size - len(self.skipped)

    def value(self, row: int) -> int:
        return self.low + (self.multiplier * _nth_free(row, self.skipped) + self.shift) % self.size

    def values(self, rows: np.ndarray) -> list[int]:
        """``value`` of each row, vectorised while the products fit 64-bit integers."""
        if self.size >= 2**31:
            return [self.value(int(r)) for r in rows]
        skipped = np.asarray(self.skipped, dtype=np.int64)
        position = rows.astype(np.int64)
        while True:  # the row-th k not skipped: k = row + (skipped k <= k), to a fixed point
            moved = rows + np.searchsorted(skipped, position, side="right")
            if np.array_equal(moved, position):
                break
            position = moved
        numbers = self.low + (self.multiplier * position + self.shift) % self.size
        return [int(v) for v in numbers]


def _affine(size: int, key: str) -> tuple[int, int, int]:
    """A seeded bijection E(x) = (a * x + b) mod size: a, b, and a's inverse mod size."""
    rng = random.Random(key)
    multiplier = rng.randrange(1, size) if size > 1 else 1
    while math.gcd(multiplier, size) != 1:
        multiplier += 1
    shift = rng.randrange(size) if size > 1 else 0
    inverse = pow(multiplier, -1, size) if size > 1 else 1
    return multiplier, shift, inverse


def _nth_free(row: int, skipped: list[int]) -> int:
    """The row-th position not in ``skipped`` (sorted)."""
    position = row
    while True:  # the row-th k not skipped: k = row + (skipped k <= k)
        before = bisect.bisect_right(skipped, position)
        if row + before == position:
            return position
        position = row + before


# A shape is a tuple of parts: a class ('A' upper-case letter, 'a' lower-case letter, '9' digit),
# replaced by a character of that class, or a literal ('=' and the text), kept as it is: other
# characters (punctuation, spaces, other scripts) and words shared by many real values.
_CLASSES = {"A": string.ascii_uppercase, "a": string.ascii_lowercase, "9": string.digits}
_CLASS_OF = {c: k for k, alphabet in _CLASSES.items() for c in alphabet}
_WORD = re.compile(r"[A-Za-z0-9]+|[^A-Za-z0-9]+")
_SHAPE_SAMPLE = 5000
_MISSING = frozenset(t.lower() for t in DEFAULT_NA_TOKENS)
_SHARED_WORD_VALUES = 10  # a word in at least this many real values singles nobody out

Shape = tuple[str, ...]


def _shape(value: str, shared: frozenset[str]) -> Shape:
    """'UCn5-x.com' -> ('A', 'A', 'a', '9', '=-', 'a', '=.', '=com') when 'com' is shared."""
    parts: list[str] = []
    for word in _WORD.findall(value):
        if word in shared or not word[0].isascii() or not word[0].isalnum():
            parts.append("=" + word)
        else:
            parts.extend(_CLASS_OF[char] for char in word)
    return tuple(parts)


def _shared_words(values: pd.Series) -> frozenset[str]:
    """Letter-and-digit words that occur in at least _SHARED_WORD_VALUES values."""
    words = values.str.findall(r"[A-Za-z0-9]+").map(set).explode().dropna()
    counts = words.value_counts()
    return frozenset(str(w) for w in counts.index[counts >= _SHARED_WORD_VALUES])


def _space(shape: Shape) -> int:
    return math.prod(len(_CLASSES[p]) for p in shape if p in _CLASSES)


def _render(shape: Shape, number: int) -> str:
    """The ``number``-th value of a shape (mixed radix over its class positions)."""
    chars = []
    for part in reversed(shape):
        alphabet = _CLASSES.get(part)
        if alphabet is None:
            chars.append(part[1:])
        else:
            number, digit = divmod(number, len(alphabet))
            chars.append(alphabet[digit])
    return "".join(reversed(chars))


def _number(shape: Shape, value: str) -> int | None:
    """The position of ``value`` among the values of ``shape`` (inverse of _render), or None
    when it does not have that shape."""
    number, index = 0, 0
    for part in shape:
        alphabet = _CLASSES.get(part)
        if alphabet is None:
            literal = part[1:]
            if not value.startswith(literal, index):
                return None
            index += len(literal)
            continue
        if index >= len(value) or value[index] not in alphabet:
            return None
        number = number * len(alphabet) + alphabet.index(value[index])
        index += 1
    return number if index == len(value) else None


@dataclass
class _ShapeCodes:
    """The values of one shape in a seeded random order without the real ones: the r-th value
    is E(k) for the r-th k whose E(k) is not real, with E(x) = (a * x + b) mod size. Rows
    numbered r get distinct values, in every call (the order is fixed by the seed)."""

    shape: Shape
    size: int
    multiplier: int
    shift: int
    skipped: list[int]  # sorted k with E(k) real

    @classmethod
    def of(cls, shape: Shape, seed: int, taken: Iterable[str]) -> _ShapeCodes:
        size = _space(shape)
        multiplier, shift, inverse = _affine(size, f"{seed}:{shape}")
        skipped = sorted(
            (inverse * (number - shift)) % size
            for number in (_number(shape, value) for value in taken)
            if number is not None
        )
        return cls(shape, size, multiplier, shift, skipped)

    @property
    def free(self) -> int:
        return self.size - len(self.skipped)

    def value(self, row: int) -> str:
        position = _nth_free(row, self.skipped)
        return _render(self.shape, (self.multiplier * position + self.shift) % self.size)


def shaped_codes(real: pd.Series, n: int, seed: int, offset: int = 0) -> pd.Series:
    """``n`` new values shaped like the real ones, none equal to a real value.

    Each new value takes the shape of a real value drawn at random (weighted by how many real
    values have it): upper-case letters, lower-case letters and digits are replaced by others
    of their kind; punctuation, spaces, the prefix and suffix every real value shares, and words
    found in at least 10 real values (like 'https', 'www', 'com') stay. Row r gets the r-th value
    of its shape in a seeded random order that leaves out the real values, so rows of one shape
    are unique by construction, also across calls continued with ``offset``; a row number past
    the shape's size gets extra digits. Python integers throughout: codes of any length and
    alphabet work.
    """
    text = pd.Series(pd.unique(real.dropna().astype(str)), dtype=object)
    taken = set(text)
    if text.empty:
        text = pd.Series(["A0000000"], dtype=object)
    if len(text) > _SHAPE_SAMPLE:
        text = text.sample(_SHAPE_SAMPLE, random_state=seed % 2**32)
    prefix = suffix = ""
    if len(text) >= _SHARED_WORD_VALUES:  # e.g. 'UC' of YouTube channel IDs
        prefix = _common_prefix(list(text))
        suffix = _common_prefix([v[len(prefix) :][::-1] for v in text])[::-1]
        text = text.str.slice(len(prefix), None if not suffix else -len(suffix))
    shared = _shared_words(text)
    counts = text.map(lambda v: _shape(v, shared)).value_counts(sort=False)
    shapes: list[Shape] = list(counts.index)
    cumulative = np.cumsum(counts.to_numpy(dtype=float) / counts.sum())
    draws = np.random.default_rng([seed, offset]).random(n)
    picks = np.minimum(np.searchsorted(cumulative, draws, side="right"), len(shapes) - 1)
    middles = {
        v[len(prefix) : len(v) - len(suffix)]
        for v in taken
        if v.startswith(prefix) and v.endswith(suffix) and len(v) >= len(prefix) + len(suffix)
    }
    by_shape: dict[Shape, list[str]] = {}
    for middle in middles:
        by_shape.setdefault(_shape(middle, shared), []).append(middle)
    orders: dict[Shape, _ShapeCodes] = {}
    made: list[str] = []
    seen: set[str] = set()
    for row, pick in zip(range(offset, offset + n), picks, strict=True):
        shape, value = shapes[pick], None
        # Row r takes value r of its shape; it moves to the shape with one digit more when the
        # shape has too few values, and when its value is unusable: a kept word spelt by random
        # letters (or one made earlier in this call by another shape), or a code a reader would
        # take for a missing value ('NA' among two-letter codes). Distinct rows stay distinct.
        while value is None:
            order = orders.get(shape)
            if order is None:
                order = orders[shape] = _ShapeCodes.of(shape, seed, by_shape.get(shape, ()))
            if row < order.free:
                value = order.value(row)
                full = f"{prefix}{value}{suffix}"
                if value in seen or value in middles or full.lower() in _MISSING:
                    value = None
            shape = (*shape, "9")
        seen.add(value)
        made.append(value)
    return pd.Series([f"{prefix}{v}{suffix}" for v in made], dtype=object)


def _common_prefix(values: list[str]) -> str:
    first, last = min(values), max(values)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]
