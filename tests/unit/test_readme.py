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


@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    names: dict[str, object] = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(python_example(), "README.md", "exec"), names)
    overall, auc, worst = printed.getvalue().strip().split(maxsplit=2)
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
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    names: dict[str, object] = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(python_example(1), "README.md", "exec"), names)
    overall, broken = printed.getvalue().strip().split(maxsplit=1)
    assert 0.7 < float(overall) <= 1.0
    assert broken == "[]"  # every rule across tables kept
    people = (tmp_path / "People_synthetic.csv").read_text().splitlines()
    assert len(people) == 1_002  # the header and as many players as the real table
