"""Fake PII values and new IDs: right shape, reproducible, never a real value."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from synth_core import PiiType
from synth_core.privacy.pii import fake_column, new_ids

_PATTERNS = {
    PiiType.EMAIL: r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$",
    PiiType.SSN: r"^\d{3}-\d{2}-\d{4}$",
    PiiType.IP_ADDRESS: r"^\d{1,3}(\.\d{1,3}){3}$",
    PiiType.NAME: r"^\S+( \S+)+$",
    PiiType.FIRST_NAME: r"^\S+$",
}


@pytest.mark.parametrize("pii_type", list(PiiType))
def test_fake_values_have_the_type_and_are_reproducible(pii_type: PiiType) -> None:
    real = pd.Series(["Real Person One", "Real Person Two"] * 10, dtype=object)
    first = fake_column(pii_type, real, 50, seed=7)
    again = fake_column(pii_type, real, 50, seed=7)
    other = fake_column(pii_type, real, 50, seed=8)
    assert len(first) == 50
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()
    assert not set(first) & set(real)
    if pii_type in _PATTERNS:
        assert first.str.match(_PATTERNS[pii_type]).all(), first.head().tolist()


def test_missing_rate_follows_the_real_column() -> None:
    real = pd.Series(["a@b.com"] * 700 + [np.nan] * 300, dtype=object)
    fake = fake_column(PiiType.EMAIL, real, 4000, seed=1)
    assert 0.27 < fake.isna().mean() < 0.33


def test_addresses_with_a_city_stay_one_line() -> None:
    real = pd.Series(["1 Main St, Springfield, IL 62701", "2 Oak Ave, Salem, OR 97301"])
    fake = fake_column(PiiType.ADDRESS, real, 20, seed=2)
    assert fake.str.contains(",").all()
    assert not fake.str.contains("\n").any()


def test_integer_ids_continue_after_the_largest_real_id() -> None:
    ids = new_ids(pd.Series([5, 17, 3], dtype="Int64"), 4, seed=0)
    assert ids.tolist() == [18, 19, 20, 21]
    assert str(ids.dtype) == "Int64"


def test_coded_ids_keep_prefix_and_width() -> None:
    ids = new_ids(pd.Series(["C00017", "C00002", "C00100"]), 3, seed=0)
    assert ids.tolist() == ["C00101", "C00102", "C00103"]


def test_uuid_ids_stay_uuids() -> None:
    real = pd.Series(
        ["123e4567-e89b-42d3-a456-426614174000", "9f1c7b7e-3c0a-4f5e-8f5a-2b1d6c0e9a11"]
    )
    ids = new_ids(real, 100, seed=0)
    assert ids.is_unique
    assert ids.str.match(
        r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    ).all()
    assert ids.tolist() == new_ids(real, 100, seed=0).tolist()


def test_other_ids_are_unique_random_codes_never_real() -> None:
    real = pd.Series(["ab-x1", "zz-q9", "k2-77"])
    ids = new_ids(real, 500, seed=3)
    assert ids.is_unique
    assert not set(ids) & set(real)
    assert all(re.fullmatch(r"[A-Z0-9]{6}", i) for i in ids)
