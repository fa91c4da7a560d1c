"""The report's content: the JSON (recipe, data fingerprint, fidelity, privacy, utility and
fairness, with disclosure control applied) and the typed results the HTML is rendered from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.schema import Schema
from synth_core.errors import SynthCoreError
from synth_core.evaluate.evaluation import (
    Evaluation,
    EvaluationSettings,
    evaluate,
)
from synth_core.evaluate.fidelity import FidelityReport
from synth_core.evaluate.fidelity.evaluation import content_hash
from synth_core.evaluate.fidelity.rules import RuleCheck
from synth_core.generate import constraints
from synth_core.jsonable import plain
from synth_core.present import plots
from synth_core.present.report.disclosure import (
    DIGITS,
    SMALL_COUNT,
    column_summaries,
    fairness_safe,
    round_significant,
)

VERSION = 1


@dataclass(frozen=True)
class Report:
    """The JSON (``content``, disclosure control applied) and the typed results it came from;
    the HTML page is rendered from ``evaluation`` and the disclosure-controlled sections."""

    content: dict[str, Any]  # the JSON
    evaluation: Evaluation
    figures: tuple[tuple[str, str, go.Figure], ...] = ()  # section, title, figure

    def json(self) -> str:
        return json.dumps(self.content, indent=2, allow_nan=False, ensure_ascii=False)


def _recipe_section(recipe: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The settings that made the rows; condition values and column kinds are left out."""
    if recipe is None:
        return None
    keep = (
        "generator",
        "params",
        "rows",
        "seed",
        "privacy",
        "pii_action",
        "holdout_fraction",
        "max_fit_rows",
        "similarity_filter",
        "quality_filter",
    )
    section: dict[str, Any] = {key: recipe[key] for key in keep if key in recipe}
    section["constraints"] = [_constraint_words(c) for c in recipe.get("constraints", ())]
    section["conditional_requests"] = len(recipe.get("requests", ()))
    source = recipe.get("source") or {}
    if source.get("sha256"):
        section["source_file_sha256"] = source["sha256"]
    return plain(section)  # type: ignore[no-any-return]


def _constraint_words(data: object) -> str:
    """A recipe's constraint in words ("total = fare + tip"), not its JSON form."""
    if not isinstance(data, Mapping):
        return str(data)
    try:
        return constraints.from_dict(dict(data)).describe()
    except SynthCoreError:
        return str(data.get("type", "constraint"))


def _fidelity_section(
    report: FidelityReport, figures: list[tuple[str, str, go.Figure]]
) -> dict[str, Any]:
    full = report.to_dict()["fidelity"]
    q = report.quality
    columns = {
        name: {
            "metric": values["metric"],
            "score": values["score"],
            "test": values["test"]["name"],
            "verdict": values["test"]["verdict"],
        }
        for name, values in full["columns"].items()
    }
    section = {
        "verdict": full["verdict"],
        "overall": full["overall"],
        "column_shapes": full["column_shapes"],
        "pair_trends": full["pair_trends"],
        "baseline": full["baseline"],
        "detection": None
        if report.detection is None
        else {
            "auc": report.detection.auc,
            "verdict": report.detection.verdict,
            "columns_giving_it_away": [f.column for f in report.detection.features[:5]],
        },
        "columns": columns,
        "pairs": [
            {
                "columns": p["columns"],
                "metric": p["metric"],
                "score": p["score"],
                "real": round_significant(p["real_correlation"] or p["real_association"]),
                "synthetic": round_significant(
                    p["synthetic_correlation"] or p["synthetic_association"]
                ),
            }
            for p in full["pairs"]
        ],
        "rows": full["rows"],
        "rules": [_rule_row(c) for c in report.rules.checks] if report.rules else [],
    }
    figures.append(("fidelity", "Column shapes", plots.shapes_figure(list(q.shapes))))
    if len(report.real_associations) >= 2:
        figures.append(
            (
                "fidelity",
                "Associations between columns",
                plots.association_figure(
                    report.real_associations.round(2), report.synthetic_associations.round(2)
                ),
            )
        )
    if report.detection is not None and report.detection.features:
        figures.append(("fidelity", "Detection", plots.detection_figure(report.detection)))
    return plain(section)  # type: ignore[no-any-return]


def rule_text(check: RuleCheck) -> str:
    """The rule in words, without a real value: a bound names no minimum or maximum (they are
    real values, maybe of one person)."""
    if check.kind != "bounds":
        return check.rule
    (column,) = check.columns
    extra = " (never negative)" if check.rule.endswith("(never negative)") else ""
    return f"{column} stays within the real range{extra}"


def _rule_row(check: RuleCheck) -> dict[str, Any]:
    """A rule and how often it is broken (no example rows: the report holds no rows)."""
    return {
        "rule": rule_text(check),
        "kind": check.kind,
        "columns": list(check.columns),
        "real_share": check.real_share,
        "synthetic_share": check.synthetic_share,
        "violations": check.violations,
        "gap": None if check.gap is None else check.gap.describe(),
    }


def build_report(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    holdout: pd.DataFrame | None = None,
    recipe: Mapping[str, Any] | None = None,
    settings: EvaluationSettings | None = None,
    evaluation: Evaluation | None = None,
    progress: ProgressFn = no_progress,
) -> Report:
    """Everything the report shows: ``evaluation`` (computed here with ``settings`` when not
    given) rendered with disclosure control; ``real`` are the rows the generator learnt from."""
    if synthetic.empty:
        raise SynthCoreError("There are no synthetic rows to report on. Generate first.")
    if holdout is not None and holdout.empty:
        holdout = None
    if evaluation is None:
        evaluation = evaluate(
            real=real,
            synthetic=synthetic,
            schema=schema,
            holdout=holdout,
            settings=settings,
            progress=scaled(progress, 0.15, 0.95),
        )
    figures: list[tuple[str, str, go.Figure]] = []
    progress(0.0, "Summarising the columns")
    columns, summaries = column_summaries(real, synthetic, schema)
    for summary in summaries:
        figure = plots.distribution_figure(summary)
        figure.update_layout(title={"text": f"{summary.column} (share of rows)"})
        figures.append(("columns", summary.column, figure))
    fidelity = _fidelity_section(evaluation.fidelity, figures)
    privacy = evaluation.privacy
    if privacy is not None:
        dcr = plots.dcr_figure(privacy.distances.histogram)
        figures.append(("privacy", "Distance to the closest training row", dcr))
    utility = fairness = None
    if evaluation.utility is not None:
        found = evaluation.utility
        utility = found.to_dict()["utility"]
        figures.append(
            (
                "utility",
                "What each model relies on",
                plots.importance_figure(
                    found.main.importance_real, found.main.importance_synthetic
                ),
            )
        )
    if evaluation.fairness is not None:
        fairness = fairness_safe(evaluation.fairness.to_dict()["fairness"])
    progress(1.0, "Done")
    content = plain(
        {
            "report_version": VERSION,
            "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "data": {
                "fingerprint": content_hash(real),
                "real_rows": len(real),
                "holdout_rows": 0 if holdout is None else len(holdout),
                "synthetic_rows": len(synthetic),
                "columns": {c.name: c.kind.value for c in schema},
            },
            "recipe": _recipe_section(recipe),
            "disclosure": {
                "small_count": SMALL_COUNT,
                "significant_digits": DIGITS,
                "rule": f"Counts of 1-{SMALL_COUNT - 1} real rows are suppressed (null); "
                f"categories with fewer than {SMALL_COUNT} real rows are pooled; numbers from "
                f"real values are rounded to {DIGITS} significant digits; histogram edges run "
                "between the real 1st and 99th percentiles; IDs, personal data and free text are "
                "not summarised.",
            },
            "columns": columns,
            "fidelity": fidelity,
            "privacy": None if privacy is None else privacy.to_dict(),
            "utility": utility,
            "fairness": fairness,
        }
    )
    return Report(content, evaluation, tuple(figures))
