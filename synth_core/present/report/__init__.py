"""One self-contained HTML file (and the same content as JSON) to hand over with synthetic data.

What is in it: the recipe (generator, parameters, privacy setting, seed, a fingerprint of the
real data — never its rows), the fidelity summary and per-column details, the privacy report
with its verdicts, utility and fairness when a target was chosen, and the figures the pages
show. Real data appears only as aggregates made safe to share (``disclosure``); ``content``
builds the JSON, ``page`` renders the HTML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.schema import Schema
from synth_core.evaluate.evaluation import Evaluation, EvaluationSettings, Rows, evaluate_rows
from synth_core.evaluate.fairness import UtilityAndFairness
from synth_core.evaluate.fidelity import FidelityReport
from synth_core.evaluate.privacy.report import PrivacyReport
from synth_core.present.report.content import Report, build_report
from synth_core.present.report.disclosure import (
    OTHER,
    SMALL_COUNT,
    column_summaries,
    round_significant,
)
from synth_core.present.report.page import linked_report_html, report_html

__all__ = [
    "OTHER",
    "SMALL_COUNT",
    "Report",
    "ReportFiles",
    "build_report",
    "column_summaries",
    "evaluation_report",
    "linked_report_html",
    "report_files",
    "report_html",
    "round_significant",
]


@dataclass(frozen=True)
class ReportFiles:
    """The report as the two files a user downloads."""

    html: str
    json: str


def report_files(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    holdout: pd.DataFrame | None = None,
    recipe: Mapping[str, Any] | None = None,
    settings: EvaluationSettings | None = None,
    evaluation: Evaluation | None = None,
    progress: ProgressFn = no_progress,
) -> ReportFiles:
    """``build_report`` written out: the HTML page and the JSON."""
    report = build_report(real, synthetic, schema, holdout, recipe, settings, evaluation, progress)
    return ReportFiles(report_html(report), report.json())


def evaluation_report(
    rows: Rows,
    recipe: Mapping[str, Any] | None = None,
    settings: EvaluationSettings | None = None,
    progress: ProgressFn = no_progress,
    *,
    fidelity: FidelityReport | None = None,
    privacy: PrivacyReport | None = None,
    utility: UtilityAndFairness | None = None,
) -> ReportFiles:
    """The report of ``rows``: parts the pages already measured (with the same ``settings``)
    are kept, the rest measured here, so the report shows the pages' numbers."""
    evaluation = evaluate_rows(
        rows,
        settings,
        scaled(progress, 0.0, 0.8),
        fidelity=fidelity,
        privacy=privacy,
        utility=utility,
    )
    return report_files(
        rows.training,
        rows.synthetic,
        rows.schema,
        rows.holdout,
        recipe,
        settings,
        evaluation,
        scaled(progress, 0.8, 1.0),
    )
