"""Steps rewritten to grow linearly with the rows (issue 34) give the same result as before: each
test keeps the earlier code as the reference and compares on the bundled and real-like tables."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.generate.constraints import DatePart, Determines, FixedCombinations, most_common
from synth_core.generate.constraints.checks import holds_series
from synth_core.generate.constraints.learnt import Combinations
from tests.helpers import SAMPLES
from tests.real_like import census_frame, compas_frame


def _allowed_before(df: pd.DataFrame, real: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """holds_series for FixedCombinations as it was: the real rows' combinations as a
    MultiIndex of Python objects, learnt on every call."""
    allowed = pd.MultiIndex.from_frame(real[columns].astype(object).drop_duplicates())
    found: np.ndarray = pd.MultiIndex.from_frame(df[columns].astype(object)).isin(allowed)
    return found


def _repair_before(df: pd.DataFrame, real: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    seen = real[columns].astype(object).dropna()
    if seen.empty:
        return df
    keep = max(columns, key=lambda c: (seen[c].nunique(), -columns.index(c)))
    others = [c for c in columns if c != keep]
    rows = df[columns].astype(object)
    allowed = pd.MultiIndex.from_frame(seen.drop_duplicates())
    bad = ~pd.MultiIndex.from_frame(rows).isin(allowed) & rows.notna().all(axis=1).to_numpy()
    if not bad.any():
        return df
    digest = pd.util.hash_pandas_object(rows[bad], index=False).to_numpy()
    rng = np.random.default_rng(digest.astype(np.uint64) % np.uint64(2**63))
    out = df.copy()
    donors = seen.groupby(keep, sort=False).indices
    for value, positions in rows[bad].groupby(keep, sort=True).indices.items():
        pool = donors.get(value)
        if pool is None:
            continue
        picked = seen.iloc[rng.choice(pool, len(positions))]
        targets = out.index[np.flatnonzero(bad)[positions]]
        for name in others:
            out.loc[targets, name] = picked[name].to_numpy()
    return out


def _shuffled(real: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Synthetic-like rows: each column drawn on its own from the real values, some missing and
    some values the real rows never had."""
    rng = np.random.default_rng(seed)
    out = pd.DataFrame(
        {c: real[c].to_numpy()[rng.integers(0, len(real), len(real))] for c in real.columns}
    )
    for column in out.columns:
        if out[column].dtype == object:
            values = out[column].astype(object)
            values[rng.random(len(out)) < 0.02] = None
            values[rng.random(len(out)) < 0.01] = "never seen"
            out[column] = values
    return out


def _tables() -> dict[str, pd.DataFrame]:
    tables = {p.stem: read_table(p).df for p in sorted(SAMPLES.glob("*.csv"))}
    tables["census-like"] = read_table(census_frame(3_000).to_csv(index=False).encode()).df
    tables["recidivism-like"] = read_table(compas_frame(2_000).to_csv(index=False).encode()).df
    return tables


TABLES = _tables()


def _pairs(real: pd.DataFrame) -> list[list[str]]:
    text = [c for c in real.columns if real[c].dtype == object or str(real[c].dtype) == "boolean"]
    return [[a, b] for i, a in enumerate(text) for b in text[i + 1 :]][:12]


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize("name", [n for n, t in TABLES.items() if _pairs(t)])
def test_combinations_are_checked_and_repaired_as_before(
    name: str, cached: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synth_core.generate.constraints import learnt

    if cached:  # the path of large checked tables: their own codes learnt and mapped
        monkeypatch.setattr(learnt, "_LOOKUP_CACHED", 0)
    real = TABLES[name]
    pairs = _pairs(real)
    for seed, columns in enumerate(pairs):
        synthetic = _shuffled(real, seed)
        rule = FixedCombinations(tuple(columns))
        found = holds_series(rule, synthetic, real).to_numpy()
        assert (found == _allowed_before(synthetic, real, columns)).all(), columns
        assert found.dtype == bool
        pd.testing.assert_frame_equal(
            rule.repair_with(synthetic, real), _repair_before(synthetic, real, columns)
        )


def test_combinations_with_missing_values_booleans_and_numbers_by_hand() -> None:
    real = pd.DataFrame(
        {
            "a": ["x", "x", None, "y", np.nan],
            "b": pd.array([True, False, True, None, False], dtype="boolean"),
            "c": [1, 2, 3, 4, 5],
        }
    )
    synthetic = pd.DataFrame(
        {
            "a": ["x", np.nan, None, "y", "z", "y"],
            "b": pd.array([False, True, False, pd.NA, True, True], dtype="boolean"),
            "c": [2, 3, 5, 4, 1, 4],
        }
    )
    # x/False real; NaN/True real (None and NaN are both missing); None/False real (row 5);
    # y/NA real; z never seen; y/True not real
    expected = [True, True, True, True, False, False]
    for columns in (["a", "b"], ["a", "b", "c"][:2]):
        assert Combinations.of(real, columns).allowed(synthetic).tolist() == expected
        assert _allowed_before(synthetic, real, columns).tolist() == expected
    assert Combinations.of(real, ["a", "c"]).allowed(synthetic).tolist() == [
        True,  # x, 2
        True,  # missing, 3
        True,  # missing, 5
        True,  # y, 4
        False,
        True,
    ]


def test_what_is_learnt_is_learnt_once_per_table_and_forgotten_with_it() -> None:
    from synth_core.generate.constraints import learnt

    real = TABLES["census-like"].copy()
    first = Combinations.of(real, ["sex", "race"])
    assert Combinations.of(real, ["sex", "race"]) is first
    assert Combinations.of(real.copy(), ["sex", "race"]) is not first  # another table
    key = (id(real), ("combinations", ("sex", "race")))
    assert key in learnt._CACHE
    del real, first
    assert key not in learnt._CACHE


@pytest.mark.parametrize("name", ["census-like", "recidivism-like", "seattle-weather"])
def test_determined_values_and_date_parts_are_checked_as_before(name: str) -> None:
    real = TABLES[name]
    synthetic = _shuffled(real, 7)
    text = [c for c in real.columns if real[c].dtype == object]
    for source, target in itertools.pairwise(text):
        rule = Determines(source, target)
        expected = synthetic[source].astype(object).map(most_common(real[source], real[target]))
        value = synthetic[target].astype(object)
        before = ((value == expected) | expected.isna() | value.isna()).astype(bool)
        pd.testing.assert_series_equal(holds_series(rule, synthetic, real), before)
    dates = [c for c in real.columns if pd.api.types.is_datetime64_any_dtype(real[c].dtype)]
    for date in dates:
        for column in text[:3]:
            part = DatePart(date, "month", column)
            mapping = most_common(
                pd.to_datetime(real[date]).dt.month, real[column]
            )  # the part as it was learnt
            assert part.mapping(real).to_dict() == mapping.to_dict()


def test_text_is_lowered_once_per_value_as_before() -> None:
    from synth_core.data.io.reader import lowered_text

    text = pd.Series(["A", "b", None, "NA", "na", np.nan, "Ä", "", "A"], dtype=object)
    pd.testing.assert_series_equal(lowered_text(text), text.str.lower())
    for name, frame in TABLES.items():
        raw = frame.astype(str)  # every column as text, as the reader sees it
        for column in raw.columns:
            pd.testing.assert_series_equal(
                lowered_text(raw[column]), raw[column].str.lower(), obj=f"{name}.{column}"
            )


@pytest.mark.parametrize(
    "cells",
    [
        [" a", "a ", "a", "\tb", "", "  ", "b", " a"] * 50,  # few values: stripped once each
        [f" {i} " for i in range(300)],  # mostly distinct: stripped cell by cell
        ["x"],
    ],
)
def test_cells_are_stripped_as_before(cells: list[str]) -> None:
    from synth_core.data.io.parse import _stripped

    expected = pd.Series(np.array(cells, dtype=object)).str.strip()
    pd.testing.assert_series_equal(_stripped(tuple(cells)), expected)


def _raw_tables() -> dict[str, pd.DataFrame]:
    """Every bundled and real-like table as the reader's text, before kinds are decided."""
    from tests.real_like import CASES

    frames = {
        p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in SAMPLES.glob("*.csv")
    }
    for name, (build, _) in CASES.items():
        frames[name] = pd.read_csv(io.BytesIO(build(1_500)), dtype=str, keep_default_na=False)
    return frames


def test_column_kinds_are_decided_on_distinct_values_as_before() -> None:
    """Each detector given the column's Distinct values (one hash pass) decides as it did
    counting on its own."""
    from synth_core.data import detect
    from synth_core.data.convert import Distinct, parse_booleans, parse_numbers

    checked = 0
    for name, frame in _raw_tables().items():
        for column in frame.columns:
            present = frame[column][frame[column] != ""].astype(str)
            if present.empty:
                continue
            found = Distinct.of(present)
            assert found.unique == present.is_unique
            assert list(found.values) == list(pd.unique(present))
            before, after = parse_numbers(present), parse_numbers(present, found=found)
            assert (before is None) == (after is None), (name, column)
            if before is not None and after is not None:
                pd.testing.assert_series_equal(before.values, after.values)
                fields = ("integer", "decimals", "note", "written")
                assert [getattr(before, f) for f in fields] == [getattr(after, f) for f in fields]
            was, now = parse_booleans(present), parse_booleans(present, found=found)
            assert (was is None) == (now is None), (name, column)
            if was is not None and now is not None:
                pd.testing.assert_series_equal(was.values, now.values)
                assert (was.true_token, was.false_token) == (now.true_token, now.false_token)
            tokens = detect.name_tokens(column)
            assert detect._pii_type(tokens, present) == detect._pii_type(tokens, present, found)
            assert detect.mostly_unique(present) == detect.mostly_unique(present, found)
            assert detect._looks_like_id(tokens, present) == detect._looks_like_id(
                tokens, present, found
            )
            checked += 1
    assert checked > 100
