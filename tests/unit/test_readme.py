"""The README's Python example runs as written, and says what it does: the whole evaluation
(fidelity, detection, privacy, utility) with the JSON `evaluate --json` writes."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from tests.helpers import ROOT


def python_example(which: int = 0) -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Python\n") :]
    found = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(found) > which, "the README's Python section lacks an example"
    return str(found[which])


def run_example(
    which: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, dict[str, object]]:
    """What the README's Python example ``which`` prints, and its names, run in a folder
    beside the bundled sample data as a user would."""
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    names: dict[str, object] = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(python_example(which), "README.md", "exec"), names)
    return printed.getvalue().strip(), names


@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    printed, names = run_example(0, tmp_path, monkeypatch)
    overall, auc, worst = printed.split(maxsplit=2)
    assert 0.8 < float(overall) <= 1.0
    assert 0.0 <= float(auc) <= 1.0
    assert worst in {"green", "amber", "cannot tell", "red"}
    report = names["report"]
    assert isinstance(report, dict)
    assert {"fidelity", "validity", "privacy", "utility"} <= set(report)
    assert report["fidelity"]["overall"] == pytest.approx(float(overall))
    json.dumps(report, allow_nan=False)  # JSON as written: no NaN
    written = (tmp_path / "insurance_synthetic.csv").read_text().splitlines()
    assert len(written) == 2001


@pytest.mark.slow
def test_the_readme_linked_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    printed, _ = run_example(1, tmp_path, monkeypatch)
    overall, broken = printed.split(maxsplit=1)
    assert 0.7 < float(overall) <= 1.0
    assert broken == "[]"  # every rule across tables kept
    people = (tmp_path / "People_synthetic.csv").read_text().splitlines()
    assert len(people) == 1_002  # the header and as many players as the real table
