"""A real table written in messy ways still reads to the same values and generates end to end."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from synth_core import GenerationSpec, csv_bytes, read_table, synthesize
from synth_core.data.table import Table
from tests.helpers import SAMPLES


@pytest.fixture(scope="module")
def penguins_text() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / "penguins.csv", dtype=str, keep_default_na=False)


def _write(df: pd.DataFrame, delimiter: str, line_end: str, header: bool = True) -> str:
    lines = [delimiter.join(df.columns)] if header else []
    lines += [delimiter.join(row) for row in df.itertuples(index=False)]
    return line_end.join(lines) + line_end


def _variants(df: pd.DataFrame) -> dict[str, bytes]:
    decimal_commas = df.copy()
    for column in ("bill_length_mm", "bill_depth_mm"):
        decimal_commas[column] = decimal_commas[column].str.replace(".", ",", regex=False)
    padded = df.copy()
    padded["sex"] = padded["sex"].replace("", " NA ")
    padded["island"] = "  " + padded["island"]
    quoted = df.copy()
    quoted["species"] = '"' + quoted["species"] + ' (penguin, ""pygoscelis"")"'
    titled = "Palmer penguins, 2007-2009\n\n" + _write(quoted, ",", "\n")
    return {
        "utf-16 tab crlf": _write(df, "\t", "\r\n").encode("utf-16"),
        "cp1252 semicolon decimal-comma cr-only": _write(decimal_commas, ";", "\r").encode(
            "cp1252"
        ),
        "gzip pipe no-header": gzip.compress(_write(df, "|", "\n", header=False).encode()),
        "padded spaced-NA": _write(padded, ",", "\n").encode(),
        "title line and quoted fields": titled.encode(),
    }


def _check_same_values(table: Table, original: Table, names_from_header: bool) -> None:
    assert len(table.df) == 344
    for mine, theirs in zip(table.schema, original.schema, strict=True):
        assert mine.kind == theirs.kind
        if names_from_header:
            assert mine.name == theirs.name
    numbers = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    positions = [original.schema.names.index(n) for n in numbers]
    mine_numbers = table.df.iloc[:, positions].to_numpy(dtype=float, na_value=np.nan)
    theirs_numbers = original.df[numbers].to_numpy(dtype=float, na_value=np.nan)
    assert np.allclose(mine_numbers, theirs_numbers, equal_nan=True)
    sex = table.df.iloc[:, original.schema.names.index("sex")]
    assert sex.isna().sum() == original.df["sex"].isna().sum()


@pytest.mark.parametrize(
    "variant",
    [
        "utf-16 tab crlf",
        "cp1252 semicolon decimal-comma cr-only",
        "gzip pipe no-header",
        "padded spaced-NA",
        "title line and quoted fields",
    ],
)
def test_messy_variant_reads_the_same_and_generates(
    penguins_text: pd.DataFrame, variant: str
) -> None:
    original = read_table(SAMPLES / "penguins.csv")
    table = read_table(_variants(penguins_text)[variant])
    _check_same_values(table, original, names_from_header="no-header" not in variant)
    if variant == "padded spaced-NA":
        assert table.df["island"].iloc[0] == "Torgersen"
    result = synthesize(table, GenerationSpec(generator="cart", rows=100, seed=0))
    again = read_table(csv_bytes(result.data, result.schema))
    assert again.df.shape == (100, 7)
    assert [c.kind for c in again.schema] == [c.kind for c in table.schema]
