"""What real public tables hold, end to end on the command line with default settings: every
bundled and fixture file and a stress table (tests/stress.py) give rows or a one-line message,
never a traceback; our own output always evaluates and reports; no value that singles out one
real row comes back; a column with no missing value gets none."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from synth_core import read_table
from synth_core.cli import main
from synth_core.data.detect import mostly_unique
from synth_core.data.io.reader import read_like
from tests.app.test_every_file import FILES
from tests.helpers import ROOT
from tests.stress import IDENTIFYING, stress_csv


@pytest.fixture(scope="module")
def stress_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stress") / "stress.csv"
    path.write_bytes(stress_csv())
    return path


def _one_line_error(err: str) -> None:
    lines = [line for line in err.splitlines() if not line.startswith("note: ")]
    assert len(lines) == 1, err
    assert lines[0].startswith("synth-studio: error: ")
    assert "Traceback" not in err


def _round_trip(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path | None:
    """generate (defaults), then evaluate and report our own output; the synthetic file."""
    out, holdout = tmp_path / "synthetic.csv", tmp_path / "holdout.csv"
    code = main(["generate", str(path), "--out", str(out), "--save-holdout", str(holdout)])
    err = capsys.readouterr().err
    if code != 0:
        assert code == 2
        _one_line_error(err)
        return None
    assert "Traceback" not in err
    report = ["--holdout", str(holdout)] if len(holdout.read_text().splitlines()) > 1 else []
    evaluated = main(["evaluate", str(path), str(out), *report, "--json", str(tmp_path / "e.json")])
    assert evaluated == 0, capsys.readouterr().err
    reported = main(["report", str(path), str(out), *report, "--out", str(tmp_path / "r.html")])
    assert reported == 0, capsys.readouterr().err
    return out


def _identifying_values_stay_home(path: Path, out: Path) -> None:
    real = read_table(path)
    synthetic = read_like(out, real, "synthetic table").df
    for column in real.schema:
        values = real.df[column.name]
        if values.dtype != object or not mostly_unique(values):
            continue
        counts = values.dropna().astype(str).value_counts()
        singles = set(counts.index[counts == 1])
        leaked = singles & set(synthetic[column.name].dropna().astype(str))
        assert not leaked, f"{column.name}: {sorted(leaked)[:3]}"
    for column in real.schema:
        if real.df[column.name].notna().all():
            assert synthetic[column.name].notna().all(), column.name


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_round_trips_or_says_what_is_wrong(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _round_trip(path, tmp_path, capsys)
    if out is not None:
        _identifying_values_stay_home(path, out)


@pytest.mark.slow
def test_the_stress_table_round_trips_without_giving_anyone_away(
    stress_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _round_trip(stress_file, tmp_path, capsys)
    assert out is not None
    _identifying_values_stay_home(stress_file, out)
    real = pd.read_csv(stress_file, dtype=str, keep_default_na=False)
    synthetic = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(synthetic) == 1000
    assert list(synthetic.columns) == [*real.columns[:15], "score_2", *real.columns[16:]]
    for column in IDENTIFYING:
        assert not set(real[column]) - {""} & set(synthetic[column]), column
    # Single first names and surnames may be common real ones; a real person's first and
    # last name together never come back.
    full = {f"{f} {lst}" for f, lst in zip(real["first"], real["last"], strict=True)}
    assert not full & set(synthetic["first"] + " " + synthetic["last"])
    assert (synthetic["other_debtors"] == "none").mean() > 0.8  # a category, not missing
    assert synthetic["youtube_id"].str.match(r"^UC[A-Za-z0-9_-]{22}$").all()
    assert synthetic["c_case_number"].str.match(r"^1300\d{4}[A-Z]{2}10A$").all()
