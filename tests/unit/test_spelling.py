"""The file's own spelling comes back in the file a user downloads (issue 33, point 4): a
placeholder read as missing ('?', 'NA', '.', cells of spaces, or one the user names, such as
'-') is written back as the file spelled it, in the same share; numbers keep their decimal
places (8095.20, 13.00)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core import GenerationSpec, ReadOptions, csv_bytes, read_table, synthesize


def _written(data: bytes, options: ReadOptions | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = read_table(data, options)
    result = synthesize(table, GenerationSpec(rows=2_000, seed=0))
    text = csv_bytes(result.data, result.schema).decode()
    raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    return raw, pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _census_like(rows: int = 2_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(17, 90, rows).astype(str),
            "workclass": np.where(
                rng.random(rows) < 0.056,
                "?",
                rng.choice(["Private", "Self-emp-not-inc", "Local-gov"], rows),
            ),
            "hours": np.where(rng.random(rows) < 0.04, "NA", rng.integers(1, 99, rows).astype(str)),
            "capital": np.where(
                rng.random(rows) < 0.03, ".", rng.integers(0, 9000, rows).astype(str)
            ),
            "region": np.where(rng.random(rows) < 0.1, "-", rng.choice(["north", "south"], rows)),
        }
    )


@pytest.mark.parametrize(
    ("column", "spelling"), [("workclass", "?"), ("hours", "NA"), ("capital", ".")]
)
def test_a_missing_placeholder_comes_back_as_the_file_spelled_it(
    column: str, spelling: str
) -> None:
    frame = _census_like()
    raw, written = _written(frame.to_csv(index=False).encode())
    real_share = float((raw[column] == spelling).mean())
    assert real_share > 0.02
    assert (written[column] == spelling).mean() == pytest.approx(real_share, abs=0.02)
    assert not (written[column] == "").any()  # never blanks where the file had none


def test_a_placeholder_the_user_names_comes_back_too() -> None:
    frame = _census_like()
    options = ReadOptions(missing_tokens=(("region", "-"),))
    raw, written = _written(frame.to_csv(index=False).encode(), options)
    assert set(written["region"]) == {"north", "south", "-"}
    assert (written["region"] == "-").mean() == pytest.approx(
        (raw["region"] == "-").mean(), abs=0.03
    )


def test_two_spellings_keep_their_shares() -> None:
    rng = np.random.default_rng(1)
    status = rng.choice(["a", "b", "?", ""], 3_000, p=[0.45, 0.35, 0.12, 0.08])
    frame = pd.DataFrame({"status": status, "x": rng.integers(0, 100, 3_000).astype(str)})
    raw, written = _written(frame.to_csv(index=False).encode())
    for spelling in ("?", ""):
        assert (written["status"] == spelling).mean() == pytest.approx(
            (raw["status"] == spelling).mean(), abs=0.025
        )


def test_a_category_of_spaces_comes_back_as_spaces() -> None:
    # The bank's orders: k_symbol is two spaces in ~21% of rows and empty in others.
    rng = np.random.default_rng(4)
    k_symbol = rng.choice(["SIPO", "UVER", "  ", ""], 3_000, p=[0.5, 0.2, 0.21, 0.09])
    frame = pd.DataFrame({"k_symbol": k_symbol, "x": rng.integers(0, 100, 3_000).astype(str)})
    data = frame.to_csv(index=False).encode()
    assert dict(read_table(data).schema["k_symbol"].missing_spellings) == {
        "  ": int((k_symbol == "  ").sum()),
        "": int((k_symbol == "").sum()),
    }
    raw, written = _written(data)
    for spelling in ("  ", ""):
        assert (written["k_symbol"] == spelling).mean() == pytest.approx(
            (raw["k_symbol"] == spelling).mean(), abs=0.025
        )
    assert set(written["x"]) - set(raw["x"]) == set()  # the other columns as before


def test_numbers_keep_their_decimal_places() -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "amount": [f"{v:.2f}" for v in rng.gamma(2.0, 2_000.0, 1_500)],  # 8095.20
            "fee": [f"{v:.2f}" for v in rng.integers(1, 60, 1_500).astype(float)],  # 13.00
            "rate": [f"{v:g}" for v in rng.choice([0.5, 1.25, 2.0, 3.75], 1_500)],  # as is
        }
    )
    table = read_table(frame.to_csv(index=False).encode())
    assert table.schema["amount"].written_decimals == 2
    assert table.schema["fee"].written_decimals == 2
    assert table.schema["fee"].decimals == 0  # whole amounts: synthetic ones stay whole
    assert table.schema["rate"].written_decimals is None  # 0.5 and 1.25: no one width
    _, written = _written(frame.to_csv(index=False).encode())
    assert written["amount"].str.fullmatch(r"\d+\.\d{2}").all()
    assert written["fee"].str.fullmatch(r"\d+\.00").all()
    assert not written["rate"].str.fullmatch(r"\d+\.\d{2}0").any()


def test_the_cli_writes_the_spelling_and_reads_it_back(tmp_path: Path) -> None:
    from synth_core.cli import main

    source = tmp_path / "census.csv"
    _census_like().to_csv(source, index=False)
    out = tmp_path / "out.csv"
    assert main(["generate", str(source), "--rows", "1000", "--seed", "3", "--out", str(out)]) == 0
    text = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert (text["workclass"] == "?").mean() == pytest.approx(0.056, abs=0.025)
    keep, missing = read_table(source).report.token_choices()  # read like the real file
    again = read_table(out, ReadOptions(keep_tokens=keep, missing_tokens=missing))
    assert again.df["workclass"].isna().mean() == pytest.approx(0.056, abs=0.025)
    assert "?" not in set(again.df["workclass"].dropna())
