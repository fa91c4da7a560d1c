"""Export: formula-injection-safe CSV, original order, names and formats; Parquet round trip."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from synth_core import ExportError, csv_bytes, parquet_bytes, read_table, write_csv, write_parquet
from synth_core.data.io.export import neutralise_formulas
from tests.helpers import CSVKIT, csv_table


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("safe text", "safe text"),
        ("a=b", "a=b"),
    ],
)
def test_formula_cells_are_neutralised_and_numbers_untouched(cell: str, written: str) -> None:
    assert neutralise_formulas(pd.Series([cell], dtype=object)).tolist() == [written]


def test_csv_export_end_to_end_keeps_order_names_and_numbers() -> None:
    table = csv_table("z,=danger,a\n-1,=1+2,x\n2,@me,-3-4\n")
    text = csv_bytes(table.df, table.schema).decode("utf-8")
    assert text == "z,'=danger,a\n-1,'=1+2,x\n2,'@me,'-3-4\n"


def test_formula_protection_can_be_turned_off_for_files_read_by_code() -> None:
    table = csv_table("handle,n\n@alice,1\n=x,2\n")
    assert (
        csv_bytes(table.df, table.schema, protect_formulas=False) == b"handle,n\n@alice,1\n=x,2\n"
    )
    written = pd.read_csv(io.BytesIO(csv_bytes(table.df, table.schema, protect_formulas=False)))
    assert list(written["handle"]) == ["@alice", "=x"]


def test_csv_export_writes_dates_booleans_and_decimals_as_read() -> None:
    table = csv_table(
        "when,ok,price,count\n5/9/2006 0:00:00,yes,1.25,3\n12/19/2006 13:05:00,no,2.5,\n,yes,,7\n"
    )
    df = table.df.copy()
    df["price"] = [1.2549, 2.5, None]  # as a generator might return them
    text = csv_bytes(df, table.schema).decode("utf-8")
    assert text.splitlines() == [
        "when,ok,price,count",
        "5/9/2006 0:00:00,yes,1.25,3",
        "12/19/2006 13:05:00,no,2.5,",
        ",yes,,7",
    ]


def test_export_reads_back_to_the_same_table() -> None:
    table = read_table(CSVKIT / "realdata" / "ks_1033_data.csv")
    again = read_table(csv_bytes(table.df, table.schema))
    pd.testing.assert_frame_equal(table.df, again.df)
    assert again.schema == table.schema


def test_parquet_keeps_native_types() -> None:
    table = csv_table("n,x,b,d,c\n1,1.5,true,2020-01-02,a\n,2.25,false,,=x\n")
    frame = pd.read_parquet(io.BytesIO(parquet_bytes(table.df, table.schema)))
    assert list(frame.columns) == ["n", "x", "b", "d", "c"]
    assert str(frame["n"].dtype) == "Int64"
    assert str(frame["b"].dtype) == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(frame["d"])
    assert frame["c"].tolist() == ["a", "=x"]  # Parquet is not opened by spreadsheets as text


def test_write_to_files_and_missing_columns(tmp_path: Path) -> None:
    table = csv_table("a,b\n1,x\n2,y\n")
    out = write_csv(table.df, table.schema, tmp_path / "out.csv")
    assert out.read_text() == "a,b\n1,x\n2,y\n"
    parquet = write_parquet(table.df, table.schema, tmp_path / "out.parquet")
    assert pd.read_parquet(parquet).shape == (2, 2)
    with pytest.raises(ExportError, match="has no column 'b'"):
        csv_bytes(table.df[["a"]], table.schema)
    with pytest.raises(ExportError, match="Cannot write"):
        write_csv(table.df, table.schema, tmp_path / "no" / "such" / "dir.csv")
