"""Every registered generator keeps the Generator contract (DESIGN.md, "Contracts")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_core import (
    ColumnKind,
    ColumnSchema,
    GenerationSpec,
    GeneratorError,
    ParamError,
    ParamType,
    Schema,
    available,
    create,
    synthesize,
)
from synth_core.generators.registry import GeneratorInfo, no_progress
from synth_core.table import Table

GENERATORS = [info.name for info in available()]
N = 120


def _training() -> tuple[pd.DataFrame, Schema]:
    rng = np.random.default_rng(0)
    age = rng.integers(18, 80, N)
    income = 1000 + 40.0 * age + rng.normal(0, 300, N)
    income[rng.random(N) < 0.1] = np.nan
    children = pd.array(rng.integers(0, 4, N), dtype="Int64")
    children[rng.random(N) < 0.1] = pd.NA
    city = rng.choice(["Zürich", "Genève", "Basel"], N).astype(object)
    city[rng.random(N) < 0.1] = np.nan
    when = pd.Series(
        pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 365, N), unit="D")
    )
    when[rng.random(N) < 0.1] = pd.NaT
    df = pd.DataFrame(
        {
            "âge": pd.array(age, dtype="Int64"),
            "income": income,
            "children": children,
            "city": city,
            "smoker": pd.array(rng.random(N) < 0.2, dtype="boolean"),
            "joined": when.astype("datetime64[ns]"),
            "country": pd.Series(["CH"] * N, dtype=object),
        }
    )
    schema = Schema(
        (
            ColumnSchema("âge", ColumnKind.NUMERICAL, integer=True, decimals=0),
            ColumnSchema("income", ColumnKind.NUMERICAL, decimals=2),
            ColumnSchema("children", ColumnKind.NUMERICAL, integer=True, decimals=0),
            ColumnSchema("city", ColumnKind.CATEGORICAL),
            ColumnSchema("smoker", ColumnKind.BOOLEAN),
            ColumnSchema("joined", ColumnKind.DATETIME, datetime_format="%Y-%m-%d"),
            ColumnSchema("country", ColumnKind.CATEGORICAL),
        )
    )
    return df, schema


def _fitted(name: str, seed: int = 0, params: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    df, schema = _training()
    generator = create(name, params)
    generator.fit(df, schema, seed, no_progress)
    return generator


@pytest.fixture(scope="module", params=GENERATORS)
def sampled(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame]:
    return request.param, _fitted(request.param).sample(300)


def test_at_least_one_permissive_generator_is_available() -> None:
    assert any("BUSL" not in info.licence for info in available())


def test_shape_columns_and_dtypes(sampled: tuple[str, pd.DataFrame]) -> None:
    _, out = sampled
    df, _ = _training()
    assert out.shape == (300, df.shape[1])
    assert list(out.columns) == list(df.columns)
    assert isinstance(out.index, pd.RangeIndex)
    for column in ["âge", "children"]:
        assert pd.api.types.is_integer_dtype(out[column].dtype) or np.allclose(
            out[column].dropna() % 1, 0
        )
    assert pd.api.types.is_float_dtype(out["income"].dtype)
    assert pd.api.types.is_datetime64_any_dtype(out["joined"].dtype)


def test_values_stay_plausible(sampled: tuple[str, pd.DataFrame]) -> None:
    _, out = sampled
    df, _ = _training()
    assert set(out["city"].dropna()) <= set(df["city"].dropna())
    assert set(out["country"].dropna()) == {"CH"}
    assert set(out["smoker"].dropna().astype(bool)) <= {True, False}
    assert out["âge"].min() >= df["âge"].min()
    assert out["âge"].max() <= df["âge"].max()
    assert out["joined"].min() >= df["joined"].min()
    assert out["joined"].max() <= df["joined"].max()


def test_missing_values_are_reproduced(sampled: tuple[str, pd.DataFrame]) -> None:
    _, out = sampled
    for column in ["income", "children", "city", "joined"]:
        share = out[column].isna().mean()
        assert 0.02 < share < 0.3, (column, share)


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_rows_other_seed_other_rows(name: str) -> None:
    first = _fitted(name, seed=3).sample(50)
    again = _fitted(name, seed=3).sample(50)
    other = _fitted(name, seed=4).sample(50)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


@pytest.mark.parametrize("name", GENERATORS)
def test_sample_never_refits_and_needs_fit(name: str) -> None:
    generator = create(name)
    with pytest.raises(GeneratorError, match="Fit the generator"):
        generator.sample(5)
    fitted = _fitted(name)
    assert len(fitted.sample(7)) == 7
    assert len(fitted.sample(1)) == 1


def _bad_value(info: GeneratorInfo) -> tuple[str, object]:
    for param in info.params:
        if param.type in (ParamType.INT, ParamType.FLOAT) and param.maximum is not None:
            return param.name, param.maximum + 1
        if param.type is ParamType.CHOICE:
            return param.name, "not-a-choice"
    return info.params[0].name, object()


@pytest.mark.parametrize("info", available(), ids=lambda i: i.name)
def test_bad_params_raise_synth_core_errors(info: GeneratorInfo) -> None:
    name, value = _bad_value(info)
    with pytest.raises(ParamError):
        create(info.name, {name: value})
    with pytest.raises(ParamError, match="no parameter"):
        create(info.name, {"no_such_param": 1})


@pytest.mark.parametrize("name", GENERATORS)
def test_the_pipeline_returns_the_real_dtypes_for_every_generator(name: str) -> None:
    df, schema = _training()
    from synth_core.table import ReadReport

    report = ReadReport("t.csv", 0, "utf-8", None, ",", '"', True, 0, "LF", N)
    result = synthesize(Table(df, schema, report), GenerationSpec(generator=name, rows=80, seed=1))
    assert result.data.dtypes.to_dict() == df.dtypes.to_dict()
    assert result.data["country"].eq("CH").all()
