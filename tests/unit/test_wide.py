"""Neural generators on tables with many categories: the encoded width (SDV's own count), the
memory it needs, an estimate that follows it, and a refusal with a fix before training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.errors import GeneratorError
from synth_core.generate.generators.registry import encoded_widths, table_shape
from synth_core.generate.generators.sdv import (
    WIDE_LIMIT,
    neural_estimate_seconds,
    wide_columns_advice,
)
from synth_core.generate.spec import GenerationSpec, RulesSetting
from synth_core.generate.synthesize import fit
from tests.helpers import SAMPLES


def wide_table(rows: int, categories: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    columns: dict[str, object] = {f"n{i}": rng.normal(0, 1, rows).round(3) for i in range(5)}
    for i in range(3):
        columns[f"t{i}"] = rng.choice([f"w{k}" for k in range(categories)], rows)
    return pd.DataFrame(columns)


def test_widths_are_sdvs_count_of_encoded_columns() -> None:
    table = read_table(SAMPLES / "insurance.csv")
    widths = encoded_widths(table.df, table.schema)
    # numbers 11 (a value and up to 10 modes), categories one each, small counts one per value
    assert widths == {
        "age": 11,
        "sex": 2,
        "bmi": 11,
        "children": 6,
        "smoker": 2,
        "region": 4,
        "charges": 11,
    }
    assert wide_columns_advice(widths, "CTGAN", 1070) == ("", False)


def test_the_estimate_grows_with_the_encoded_width() -> None:
    narrow = read_table(wide_table(2000, 5).to_csv(index=False).encode())
    wide = read_table(wide_table(2000, 300).to_csv(index=False).encode())
    params = {"epochs": 10}
    small = neural_estimate_seconds("ctgan", table_shape(narrow.df, narrow.schema, 1600), params)
    large = neural_estimate_seconds("ctgan", table_shape(wide.df, wide.schema, 1600), params)
    assert large > 5 * small


def test_a_table_too_wide_for_a_network_is_refused_before_training() -> None:
    table = read_table(wide_table(4000, 1500).to_csv(index=False).encode())
    widths = encoded_widths(table.df, table.schema)
    assert sum(widths.values()) > WIDE_LIMIT
    advice, refuse = wide_columns_advice(widths, "CTGAN", 3200)
    assert refuse
    assert "4,210 encoded columns (one per category: 't2' 1,391" in advice
    assert "as ID or leave them out" in advice  # the fix
    spec = GenerationSpec(generator="ctgan", params={"epochs": 1}, rules=RulesSetting.NONE)
    with pytest.raises(GeneratorError, match="encoded columns"):
        fit(table, spec)
