"""Replace personal data with fake values of the same type, and give ID columns new IDs."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from synth_core.errors import GeneratorError
from synth_core.generators.registry import ProgressFn, no_progress
from synth_core.schema import PiiType

_PROGRESS_EVERY = 5000
_ALPHABET = string.ascii_uppercase + string.digits
_CODE = re.compile(r"^(?P<prefix>\D*?)(?P<digits>\d+)$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


class PiiAction(StrEnum):
    """What PII protection does with a PII column."""

    REPLACE = "replace"
    DROP = "drop"


def _makers(fake: Any, one_line_address: bool) -> dict[PiiType, Callable[[], str]]:
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


def fake_column(
    pii_type: PiiType,
    real: pd.Series,
    n: int,
    seed: int,
    progress: ProgressFn = no_progress,
    locale: str = "en_US",
) -> pd.Series:
    """``n`` fake values of ``pii_type`` (Faker), missing as often as in ``real``.

    The values come from Faker's lists, never from ``real``: a fake value that happens to equal a
    real one (ignoring case and spaces; e.g. a common name or a short email) is drawn again. Only
    the missing rate and whether addresses are written on one line with a city are taken from
    the real column.
    """
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    rng = np.random.default_rng(seed)
    present = real.dropna().astype(str)
    one_line = bool(len(present)) and bool(present.str.contains(",").mean() > 0.5)
    make = _makers(fake, one_line)[pii_type]
    avoid = set(normal_text(present))
    values = np.empty(n, dtype=object)
    for i in range(n):
        value = make()
        for _ in range(_REDRAWS):
            if _normal_one(value) not in avoid:
                break
            value = make()
        else:
            raise GeneratorError(
                f"Could not make {pii_type.value} values unlike the real ones: the real column "
                "covers almost every value Faker makes. Drop the column instead."
            )
        values[i] = value
        if i % _PROGRESS_EVERY == _PROGRESS_EVERY - 1:
            progress((i + 1) / n, f"Fake {pii_type.value} values: {i + 1:,} of {n:,}")
    missing_rate = float(real.isna().mean()) if len(real) else 0.0
    series = pd.Series(values, dtype=object)
    if missing_rate > 0:
        series[rng.random(n) < missing_rate] = np.nan
    return series


def new_ids(real: pd.Series, n: int, seed: int, offset: int = 0) -> pd.Series:
    """``n`` unique IDs shaped like the real ones, none equal to a real ID.

    Whole numbers continue after the largest real ID; codes like 'C00123' keep their prefix
    and width; UUIDs stay UUIDs; anything else becomes codes of the usual length from a seeded
    permutation of a counter. ``offset`` continues an earlier call (chunks of a large sample),
    so IDs stay unique across calls with the same seed.
    """
    present = real.dropna()
    if pd.api.types.is_integer_dtype(real.dtype):
        start = (int(present.max()) + 1 if len(present) else 1) + offset
        return pd.Series(np.arange(start, start + n), dtype="Int64")
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
        start = int(parts["digits"].astype(np.int64).max()) + 1 + offset
        return pd.Series([f"{prefix}{k:0{width}d}" for k in range(start, start + n)], dtype=object)
    length = int(text.str.len().median()) if len(text) else 8
    return _permuted_codes(set(text), n, seed, offset, length)


def _permuted_codes(taken: set[str], n: int, seed: int, offset: int, length: int) -> pd.Series:
    """Codes from an affine permutation of a counter modulo 36**length: unique by construction,
    random-looking, and a real ID is skipped (the counter runs on)."""
    length = max(length, 6)
    space = len(_ALPHABET) ** length
    rng = np.random.default_rng(seed)
    multiplier = int(rng.integers(1, space))
    while math.gcd(multiplier, space) != 1:
        multiplier += 1
    shift = int(rng.integers(0, space))
    codes: list[str] = []
    counter = offset
    while len(codes) < n:
        value = (multiplier * counter + shift) % space
        counter += 1
        digits = []
        for _ in range(length):
            value, remainder = divmod(value, len(_ALPHABET))
            digits.append(_ALPHABET[remainder])
        code = "".join(digits)
        if code not in taken:
            codes.append(code)
    return pd.Series(codes, dtype=object)
