"""One evaluation, three renderings: the pages, the shareable report and the command line show
the same numbers for the same synthetic table.

The rows are made once in the app (the insurance sample, CART, 400 rows); the Evaluation is
computed once here, with the settings the pages use; then every page runs its own jobs in real
worker processes, the Export page builds the report, and `synth-studio evaluate` reads the same
tables from CSV files. Each rendering's values must be the Evaluation's."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from synth_core.cli import main
from synth_core.data.io.export import csv_bytes
from synth_core.evaluate.evaluation import Evaluation, EvaluationSettings, Rows, evaluate_rows
from synth_core.generate.synthesize import SynthResult
from synth_core.ui.utility import _METRIC_WORDS
from tests.app.test_generate_page import _generate, _page, _texts, _wait

TARGET, GROUPS = "smoker", ("region",)


def _same(left: Any, right: Any, path: str = "") -> None:
    """Equal JSON values, floats to 1e-9 relative (a CSV round trip may touch the last bit)."""
    if isinstance(left, dict):
        assert isinstance(right, dict), path
        assert set(left) == set(right), path
        for key in left:
            _same(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list):
        assert isinstance(right, list), path
        assert len(left) == len(right), path
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            _same(a, b, f"{path}[{i}]")
    elif isinstance(left, float) and isinstance(right, (int, float)):
        assert math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12), (path, left, right)
    else:
        assert left == right, (path, left, right)


def test_the_pages_the_report_and_the_cli_show_one_evaluation(tmp_path: Path) -> None:
    at = _page()
    at.number_input(key="rows").set_value(400).run()
    result: SynthResult = _generate(at)
    assert len(result.holdout) > 0

    # The Utility page: choose the target and groups, train.
    at.switch_page("app_pages/utility.py").run()
    at.selectbox(key="utility_target").set_value(TARGET).run()
    at.multiselect(key="utility_sensitive").set_value(list(GROUPS)).run()
    choice = at.session_state["utility_current_choice"]
    at.button(key="run_utility").click().run()
    _wait(at, "utility_job")
    assert not at.error, [e.value for e in at.error]
    utility_metrics = {m.label: m.value for m in at.metric}

    # Evaluated once, with the settings the pages measure with.
    settings = EvaluationSettings(
        target=choice.target,
        sensitive=choice.sensitive,
        positive=choice.positive,
        task=choice.task,
        seed=result.seed,
    )
    rows = Rows(result.train, result.data, result.schema, result.holdout)
    evaluation: Evaluation = evaluate_rows(rows, settings)
    expected = evaluation.to_dict()
    fidelity, privacy, utility = evaluation.fidelity, evaluation.privacy, evaluation.utility
    assert fidelity.detection is not None
    assert privacy is not None
    assert utility is not None
    assert privacy.dcr_share is not None
    assert privacy.mia is not None

    # 1. The pages.
    metric = utility.metric
    assert utility_metrics[f"TSTR {_METRIC_WORDS[metric]}"] == (
        f"{utility.main.tstr[metric].value:.3f}"
    )
    assert utility_metrics["TSTR / TRTR"] == f"{utility.ratio():.3f}"

    at.switch_page("app_pages/fidelity.py").run()
    _wait(at, "detection_job")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Overall quality"] == f"{fidelity.quality.overall:.1%}"
    assert shown["Column Shapes"] == f"{fidelity.quality.column_shapes:.1%}"
    assert shown["ROC AUC"] == f"{fidelity.detection.auc:.3f}"

    at.switch_page("app_pages/privacy.py").run()
    _wait(at, "privacy_job")
    # The job ran (a red verdict is content, e.g. Anonymeter's inference risk on 400 rows).
    failures = [e.value for e in at.error if "give away training rows" not in e.value]
    assert not failures, failures
    texts = _texts(at)
    assert f"{privacy.dcr_share.share:.1%} of synthetic rows (95% interval" in texts
    assert f"ROC AUC {privacy.mia.auc:.3f}" in texts
    assert f"{privacy.exact_match.synthetic:.1%} of synthetic rows" in texts

    # 2. The report, built on the Export page from what the pages measured.
    at.switch_page("app_pages/export.py").run()
    assert at.checkbox(key="report_utility").value
    at.button(key="build_report").click().run()
    _wait(at, "report_job")
    assert not at.error, [e.value for e in at.error]
    files = at.session_state["report_files"][1]
    content = json.loads(files.json)
    for key in ("overall", "column_shapes", "pair_trends", "baseline"):
        _same(content["fidelity"][key], expected["fidelity"][key], key)
    _same(content["fidelity"]["detection"]["auc"], expected["fidelity"]["detection"]["auc"])
    _same(content["privacy"], expected["privacy"], "privacy")
    _same(content["utility"], expected["utility"], "utility")
    page = files.html
    assert f"<b>{fidelity.quality.overall:.3f}</b>" in page  # the summary card
    assert f"<td>{privacy.mia.auc:.3f}</td>" in page
    assert f"<td>{privacy.dcr_share.share:.3f}</td>" in page
    assert f"<b>{utility.ratio():.3f}</b>" in page

    # 3. The command line, reading the same tables from files.
    paths = {}
    for name, frame in (("real", result.train), ("synthetic", result.data)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_bytes(csv_bytes(frame, result.schema))
    paths["holdout"] = tmp_path / "holdout.csv"
    paths["holdout"].write_bytes(csv_bytes(result.holdout, result.schema))
    out = tmp_path / "evaluation.json"
    args = [str(paths["real"]), str(paths["synthetic"]), "--holdout", str(paths["holdout"])]
    args += ["--target", TARGET, "--sensitive", *GROUPS, "--seed", str(result.seed)]
    args += ["--positive", str(choice.positive), "--json", str(out)]
    assert main(["evaluate", *args]) == 0
    printed = json.loads(out.read_text())
    assert Rows.given(result.train, result.data, result.schema, result.holdout).overlap == 0
    for key in ("overall", "column_shapes", "pair_trends", "baseline", "columns", "pairs"):
        _same(printed["fidelity"][key], expected["fidelity"][key], key)
    _same(printed["fidelity"]["detection"]["auc"], expected["fidelity"]["detection"]["auc"])
    for key in ("verdict", "exact_match_rate", "dcr_share", "dcr", "nndr", "mia_auc"):
        _same(printed["privacy"][key], expected["privacy"][key], key)
    _same(printed["utility"], expected["utility"], "utility")
    _same(printed["fairness"], expected["fairness"], "fairness")


@pytest.mark.parametrize("seed", [0])
def test_parts_given_are_kept_and_missing_parts_measured(seed: int) -> None:
    """evaluate_rows keeps what a page measured and measures only the rest."""
    from synth_core import read_table
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import synthesize
    from tests.helpers import SAMPLES

    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    result = synthesize(table, GenerationSpec(generator="cart", rows=300, seed=seed))
    rows = Rows(result.train, result.data, result.schema, result.holdout)
    settings = EvaluationSettings(seed=seed, attacks=False)
    whole = evaluate_rows(rows, settings)
    without_detection = evaluate_rows(
        rows, EvaluationSettings(seed=seed, detection=False, privacy=False)
    ).fidelity
    assert without_detection.detection is None
    assert whole.privacy is not None
    parts = evaluate_rows(rows, settings, fidelity=without_detection, privacy=whole.privacy)
    assert parts.privacy is whole.privacy  # kept, not measured again
    assert parts.to_dict() == whole.to_dict()  # detection was added to the given fidelity
