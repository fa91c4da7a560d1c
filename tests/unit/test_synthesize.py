"""The generation pipeline: holdout split, PII protection, IDs, constants, dtypes, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from synth_core import (
    ColumnKind,
    GenerationSpec,
    ParamError,
    PiiAction,
    PrivacySetting,
    SpecError,
    split_holdout,
    synthesize,
)
from synth_core.data.table import Table
from tests.helpers import csv_table


def _people(n: int = 60) -> Table:
    firsts = ["Alice", "Bob", "Carol", "David", "Emma", "Frank"]
    lasts = ["Smith", "Jones", "White", "Brown", "Taylor"]
    rows = []
    for i in range(n):
        first, last = firsts[i % 6], lasts[(i // 6) % 5]
        rows.append(
            f"{1000 + i},{first} {last},{first.lower()}{i}@example.com,{20 + i % 40},"
            f"{['north', 'south'][i % 2]},KS,{'' if i % 10 == 0 else 50.5 + i}"
        )
    return csv_table("id,full_name,email,age,region,state,score\n" + "\n".join(rows) + "\n")


def test_holdout_split_is_seeded_and_disjoint() -> None:
    df = pd.DataFrame({"n": range(100)})
    train, holdout = split_holdout(df, 0.2, seed=5)
    again_train, _ = split_holdout(df, 0.2, seed=5)
    assert len(train) == 80
    assert len(holdout) == 20
    assert not set(train["n"]) & set(holdout["n"])
    assert train["n"].tolist() == again_train["n"].tolist()
    assert split_holdout(df, 0.0, seed=5)[1].empty


def test_pii_is_replaced_ids_renumbered_and_constants_copied() -> None:
    table = _people()
    assert table.schema["full_name"].kind is ColumnKind.PII
    assert table.schema["id"].kind is ColumnKind.ID
    result = synthesize(table, GenerationSpec(generator="cart", rows=200, seed=1))
    data = result.data
    assert list(data.columns) == table.schema.names
    assert len(data) == 200
    assert not set(data["full_name"]) & set(table.df["full_name"])
    assert not set(data["email"]) & set(table.df["email"])
    assert data["id"].is_unique
    assert not data["id"].isin(table.df["id"]).any()
    assert set(data["state"].dropna()) == {"KS"}
    assert str(data["age"].dtype) == "Int64"
    assert data["score"].isna().any()
    assert len(result.train) == 48
    assert len(result.holdout) == 12
    assert any(note.startswith("Personal data replaced") for note in result.notes)
    assert any(
        note.startswith("Columns with at most one distinct value, copied") for note in result.notes
    )


def test_pii_can_be_dropped_or_left_unprotected() -> None:
    table = _people()
    dropped = synthesize(
        table, GenerationSpec(generator="cart", rows=50, pii_action=PiiAction.DROP)
    )
    assert "full_name" not in dropped.data.columns
    assert "email" not in dropped.schema
    raw = synthesize(table, GenerationSpec(generator="cart", rows=50, privacy=PrivacySetting.NONE))
    assert set(raw.data["full_name"].dropna()) <= set(table.df["full_name"])


def test_same_spec_same_rows_and_seed_changes_them() -> None:
    table = _people()
    spec = GenerationSpec(generator="cart", rows=100, seed=4)
    first, again = synthesize(table, spec), synthesize(table, spec)
    pd.testing.assert_frame_equal(first.data, again.data)
    other = synthesize(table, GenerationSpec(generator="cart", rows=100, seed=5))
    assert not first.data.equals(other.data)


def test_progress_is_reported_in_order() -> None:
    seen: list[float] = []
    synthesize(
        _people(),
        GenerationSpec(generator="cart", rows=10),
        lambda f, m, losses=None: seen.append(f),
    )
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def test_progress_names_each_step() -> None:
    """Issue 34: the steps a long run spends its time in are named as they start."""
    said: list[str] = []
    table = _people()
    synthesize(
        table,
        GenerationSpec(generator="cart", rows=10),
        lambda f, m, losses=None: said.append(m),
    )
    steps = [
        "Splitting training and holdout rows",
        f"Finding the rules the {round(len(table.df) * 0.8):,} training rows keep",
        "Fitting Sequential CART (scikit-learn) on ",
        "Sampled 10 of 10 rows",
    ]
    where = [next(i for i, m in enumerate(said) if m.startswith(s)) for s in steps]
    assert where == sorted(where)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (GenerationSpec(rows=0), "between 1 and 1,000,000"),
        (GenerationSpec(seed=-1), "seed must be a whole number"),
        (GenerationSpec(holdout_fraction=0.9), "holdout share"),
    ],
)
def test_bad_specs_are_refused_before_any_work(spec: GenerationSpec, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        synthesize(_people(), spec)


def test_unknown_generator_and_parameters() -> None:
    with pytest.raises(ParamError, match="no generator called 'magic'"):
        synthesize(_people(), GenerationSpec(generator="magic"))
    with pytest.raises(ParamError, match="has no parameter 'depth'"):
        synthesize(_people(), GenerationSpec(generator="cart", params={"depth": 3}))


def test_tiny_tables_and_tables_with_nothing_to_learn() -> None:
    with pytest.raises(SpecError, match="at least 10 are needed"):
        synthesize(csv_table("a\n1\n2\n"), GenerationSpec(generator="cart"))
    only_ids = csv_table("id\n" + "\n".join(str(i) for i in range(20)) + "\n")
    with pytest.raises(SpecError, match="No column is left to learn from"):
        synthesize(only_ids, GenerationSpec(generator="cart"))


def test_small_tables_train_on_all_rows() -> None:
    table = csv_table("a,b\n" + "\n".join(f"{i},{i % 3}" for i in range(11)) + "\n")
    result = synthesize(table, GenerationSpec(generator="cart", rows=5))
    assert len(result.train) == 11
    assert result.holdout.empty
    assert any("too small to keep a holdout" in note for note in result.notes)
