"""One self-contained HTML file (and the same content as JSON) to hand over with synthetic data.

What is in it: the recipe (generator, parameters, privacy setting, seed, a fingerprint of the
real data — never its rows), the fidelity summary and per-column details, the privacy report
with its verdicts, utility and fairness when a target was chosen, and the figures the pages
show. Plotly's JavaScript is embedded once (gzip-compressed, unpacked by the browser's own
DecompressionStream), so opening the file makes no request to any server.

Real data appears only as aggregates, and the aggregates are made safe to share:

- counts below ``SMALL_COUNT`` (10) real rows are suppressed: histogram bins and category bars
  with 1–9 real rows are hidden (null in the JSON), categories with fewer than 10 real rows are
  pooled into "(other categories)" so their labels never appear, fairness groups with fewer than
  10 real (or holdout) rows are pooled or dropped, and the rare categories lost are counted, not
  named;
- numbers derived from real values (means, spreads, quantiles, bin edges) are rounded to
  ``DIGITS`` (3) significant digits, histogram edges run between the real 1st and 99th
  percentiles (never the minimum or maximum), and dates to the day;
- ID, personal-data and free-text columns are named with their kind, never summarised.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import SynthCoreError
from synth_core.evaluate.evaluation import (
    Evaluation,
    EvaluationSettings,
    Rows,
    evaluate,
    evaluate_rows,
)
from synth_core.evaluate.fairness import FairnessReport
from synth_core.evaluate.fidelity import FidelityReport
from synth_core.evaluate.fidelity.distributions import Frequencies, Histogram
from synth_core.evaluate.fidelity.evaluation import content_hash
from synth_core.evaluate.fidelity.rules import RuleCheck
from synth_core.evaluate.privacy.report import PrivacyReport
from synth_core.evaluate.utility import UtilityReport
from synth_core.generate import constraints
from synth_core.jsonable import plain
from synth_core.present import plots

SMALL_COUNT = 10
DIGITS = 3
BINS = 20
TOP_CATEGORIES = 20
OTHER = "(other categories)"
MISSING = "(missing)"
VERSION = 1
QUANTILES = ("q05", "q25", "q50", "q75", "q95")


def round_significant(value: float | None, digits: int = DIGITS) -> float | None:
    """``value`` to ``digits`` significant digits (None and non-finite values to None)."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return float(round(value, digits - 1 - math.floor(math.log10(abs(value)))))


@dataclass(frozen=True)
class Report:
    """The JSON (``content``, disclosure control applied) and the typed results it came from;
    the HTML page is rendered from ``evaluation`` and the disclosure-controlled sections."""

    content: dict[str, Any]  # the JSON
    evaluation: Evaluation
    figures: tuple[tuple[str, str, go.Figure], ...] = ()  # section, title, figure

    def json(self) -> str:
        return json.dumps(self.content, indent=2, allow_nan=False, ensure_ascii=False)


# -- summaries of the real rows, made safe to share ------------------------------------------


def _suppressed_shares(counts: np.ndarray, total: int) -> list[float | None]:
    return [None if 0 < c < SMALL_COUNT else float(c) / total if total else 0.0 for c in counts]


def _numeric_summary(
    name: str, real: pd.Series, synthetic: pd.Series, is_datetime: bool
) -> tuple[dict[str, Any], Histogram | None]:
    r, s = as_float(real), as_float(synthetic)
    r_present, s_present = r[~np.isnan(r)], s[~np.isnan(s)]
    unit = 86_400e9 if is_datetime else 1.0  # datetimes: nanoseconds, rounded to the day

    def shown(value: float | None) -> float | str | None:
        if value is None or not math.isfinite(value):
            return None
        if is_datetime:
            return str(pd.Timestamp(round(value / unit) * unit).date())
        return round_significant(value)

    def stats(values: np.ndarray) -> dict[str, Any]:
        if values.size < SMALL_COUNT:
            return {"rows": int(values.size), "suppressed": True}
        q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])  # QUANTILES
        spread = float(values.std())
        return {
            "rows": int(values.size),
            "mean": shown(float(values.mean())),
            "std_days" if is_datetime else "std": round_significant(spread / unit),
            **{key: shown(float(v)) for key, v in zip(QUANTILES, q, strict=True)},
        }

    summary: dict[str, Any] = {
        "kind": "datetime" if is_datetime else "numerical",
        "missing_share": {
            "real": round_significant(float(np.isnan(r).mean())) if r.size else None,
            "synthetic": round_significant(float(np.isnan(s).mean())) if s.size else None,
        },
        "real": stats(r_present),
        "synthetic": stats(s_present),
    }
    if r_present.size < SMALL_COUNT:
        summary["histogram"] = None
        return summary, None
    low, high = np.quantile(r_present, [0.01, 0.99])
    if is_datetime:
        low, high = math.floor(low / unit) * unit, math.ceil(high / unit) * unit
        edges = np.unique(np.round(np.linspace(low, high, BINS + 1) / unit) * unit)
    else:
        edges = np.unique([round_significant(v) or 0.0 for v in np.linspace(low, high, BINS + 1)])
    if edges.size < 2:
        summary["histogram"] = None
        return summary, None
    real_counts = np.histogram(r_present, edges)[0]
    synthetic_counts = np.histogram(s_present, edges)[0]
    real_shares = _suppressed_shares(real_counts, r_present.size)
    outside_real = [int((r_present < edges[0]).sum()), int((r_present > edges[-1]).sum())]
    outside_syn = [int((s_present < edges[0]).sum()), int((s_present > edges[-1]).sum())]
    summary["histogram"] = {
        "edges": [shown(float(e)) for e in edges],
        "real_share": real_shares,
        "synthetic_share": [float(c) / max(s_present.size, 1) for c in synthetic_counts],
        "real_outside": _suppressed_shares(np.array(outside_real), r_present.size),
        "synthetic_outside": [c / max(s_present.size, 1) for c in outside_syn],
    }
    histogram = Histogram(
        column=name,
        edges=edges,
        real_share=np.array([np.nan if v is None else v for v in real_shares]),
        synthetic_share=synthetic_counts / max(s_present.size, 1),
        is_datetime=is_datetime,
        is_integer=False,
        real_missing=float(np.isnan(r).mean()) if r.size else 0.0,
        synthetic_missing=float(np.isnan(s).mean()) if s.size else 0.0,
    )
    return summary, histogram


def _labels(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), MISSING).astype(str)


def _categorical_summary(
    name: str, real: pd.Series, synthetic: pd.Series
) -> tuple[dict[str, Any], Frequencies]:
    real_counts = _labels(real).value_counts()
    syn_counts = _labels(synthetic).value_counts()
    shown = [str(label) for label, count in real_counts.items() if count >= SMALL_COUNT][
        :TOP_CATEGORIES
    ]
    real_other = int(real_counts.drop(shown).sum())
    syn_other = int(syn_counts.drop([s for s in shown if s in syn_counts.index]).sum())
    labels = [*shown, OTHER] if real_other or syn_other else shown
    real_total, syn_total = max(int(real_counts.sum()), 1), max(int(syn_counts.sum()), 1)
    pooled = [real_other] if len(labels) > len(shown) else []
    counts = np.array([int(real_counts.get(s, 0)) for s in shown] + pooled)
    real_shares = _suppressed_shares(counts, real_total)
    syn_shares = [int(syn_counts.get(s, 0)) / syn_total for s in shown]
    if len(labels) > len(shown):
        syn_shares.append(syn_other / syn_total)
    summary = {
        "kind": "categorical",
        "categories_shown": len(shown),
        "categories_pooled": int(len(real_counts) - len(shown)),
        "shares": {
            label: {"real": r, "synthetic": s}
            for label, r, s in zip(labels, real_shares, syn_shares, strict=True)
        },
    }
    frequencies = Frequencies(
        column=name,
        categories=tuple(labels),
        real_share=np.array([np.nan if v is None else v for v in real_shares]),
        synthetic_share=np.array(syn_shares),
    )
    return summary, frequencies


def column_summaries(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema
) -> tuple[dict[str, Any], list[Histogram | Frequencies]]:
    """Each column's safe-to-share summary, and what its figure needs."""
    out: dict[str, Any] = {}
    figures: list[Histogram | Frequencies] = []
    for column in schema:
        if column.name not in real.columns:
            continue
        if column.name not in synthetic.columns:
            out[column.name] = {"kind": column.kind.value, "note": "not in the synthetic table"}
            continue
        if column.kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            summary, figure = _numeric_summary(
                column.name,
                real[column.name],
                synthetic[column.name],
                column.kind is ColumnKind.DATETIME,
            )
            if figure is not None:
                figures.append(figure)
        elif column.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            summary, frequencies = _categorical_summary(
                column.name, real[column.name], synthetic[column.name]
            )
            figures.append(frequencies)
        else:
            summary = {
                "kind": column.kind.value,
                "note": "not summarised (IDs, personal data and free text are never shown)",
            }
        out[column.name] = summary
    return out, figures


# -- the sections ----------------------------------------------------------------------------


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


def _rule_text(check: RuleCheck) -> str:
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
        "rule": _rule_text(check),
        "kind": check.kind,
        "columns": list(check.columns),
        "real_share": check.real_share,
        "synthetic_share": check.synthetic_share,
        "violations": check.violations,
        "gap": None if check.gap is None else check.gap.describe(),
    }


def _fairness_safe(payload: dict[str, Any]) -> dict[str, Any]:
    """Fairness keys with small groups pooled or dropped and lost rare categories counted."""
    out: dict[str, Any] = {}
    for column, values in payload.items():
        if column == "rare_categories_lost":
            out[column] = {name: len(lost) for name, lost in values.items()}
            continue

        def shares(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
            kept = [g for g in groups if g["real_rows"] >= SMALL_COUNT]
            small = [g for g in groups if g["real_rows"] < SMALL_COUNT]
            if small:
                kept.append(
                    {
                        "group": f"{len(small)} small group(s), pooled",
                        "real_rows": None,
                        "synthetic_rows": sum(g["synthetic_rows"] for g in small),
                        "status": "suppressed",
                    }
                )
            return kept

        def model(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [g for g in groups if g["rows"] >= SMALL_COUNT]

        out[column] = {
            "representation": shares(values["representation"]),
            "representation_by_target": {
                k: shares(v) for k, v in values["representation_by_target"].items()
            },
            "real_model": {
                "groups": model(values["real_model"]["groups"]),
                "gaps": values["real_model"]["gaps"],
            },
            "synthetic_model": {
                "groups": model(values["synthetic_model"]["groups"]),
                "gaps": values["synthetic_model"]["gaps"],
            },
            "widened": values["widened"],
        }
    return out


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
        fairness = _fairness_safe(evaluation.fairness.to_dict()["fairness"])
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


# -- HTML ------------------------------------------------------------------------------------


@cache
def _plotly_js_gzip_base64() -> str:
    from plotly.offline import get_plotlyjs

    packed = gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
background:#fafafa}main{max-width:1100px;margin:0 auto;padding:24px}
h1{margin-bottom:4px}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:40px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}.verdict-green{color:#1b7f3b;font-weight:600}
.verdict-amber{color:#a66300;font-weight:600}.verdict-red{color:#b00020;font-weight:600}
.verdict-cannot-tell{color:#1f5fa8;font-weight:600}
.note{color:#555;font-size:14px}.figure{background:#fff;margin:12px 0;min-height:60px}
code{background:#eee;padding:1px 4px}.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:160px}
.card b{display:block;font-size:22px}
"""

_LOADER = """
(async () => {
  const status = document.getElementById('figure-status');
  try {
    const text = document.getElementById('plotly-gz').textContent.trim();
    const bytes = Uint8Array.from(atob(text), c => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const code = await new Response(stream).text();
    const script = document.createElement('script');
    script.textContent = code;
    document.head.appendChild(script);
    for (const element of document.querySelectorAll('div.figure')) {
      const spec = JSON.parse(document.getElementById(element.dataset.spec).textContent);
      await Plotly.newPlot(element, spec.data, spec.layout,
                           {displaylogo: false, responsive: true});
    }
    status.textContent = '';
    document.body.dataset.figures = 'ready';
  } catch (error) {
    status.textContent = 'The figures need a browser that can unpack gzip ' +
      '(DecompressionStream: Chrome 80+, Firefox 113+, Safari 16.4+); the tables hold the numbers.';
    document.body.dataset.figures = 'failed';
  }
})();
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _number(value: Any, form: str = ".3f") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(value, form)
    if isinstance(value, int):
        return f"{value:,}"
    return _e(value)


def _table(rows: Sequence[Mapping[str, Any]], form: str = ".3f") -> str:
    if not rows:
        return '<p class="note">Nothing to show.</p>'
    heads = list(rows[0])
    head = "".join(f"<th>{_e(h)}</th>" for h in heads)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(h), form)}</td>" for h in heads) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any, form: str) -> str:
    if isinstance(value, str) and value in ("green", "amber", "red", "cannot tell"):
        return _verdict(value)
    if isinstance(value, (list, tuple)):
        return _e(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return _e(json.dumps(value, ensure_ascii=False))
    return _number(value, form)


def _figures(report: Report, section: str, start: int) -> tuple[str, str, int]:
    """Placeholders and JSON specs of the section's figures."""
    divs, specs = [], []
    number = start
    for where, title, figure in report.figures:
        if where != section:
            continue
        spec = pio.to_json(figure, validate=False, remove_uids=True).replace("</", "<\\/")
        divs.append(
            f'<div class="figure" id="figure-{number}" data-spec="spec-{number}" '
            f'aria-label="{_e(title)}"></div>'
        )
        specs.append(f'<script type="application/json" id="spec-{number}">{spec}</script>')
        number += 1
    return "".join(divs), "".join(specs), number


def _cards(evaluation: Evaluation) -> str:
    fidelity, privacy, utility = evaluation.fidelity, evaluation.privacy, evaluation.utility
    cards = [
        ("Fidelity verdict", _e(fidelity.verdict().level)),
        ("Fidelity score", _number(_finite(fidelity.quality.overall))),
        (
            "Detection ROC AUC",
            _number(None if fidelity.detection is None else _finite(fidelity.detection.auc)),
        ),
    ]
    if privacy is not None:
        cards.append(("Privacy verdict", _verdict(privacy.headline[0])))
    if utility is not None:
        cards.append(("TSTR / TRTR", _number(_finite(utility.ratio()))))
    return (
        '<div class="cards">'
        + "".join(f'<div class="card">{_e(label)}<b>{value}</b></div>' for label, value in cards)
        + "</div>"
    )


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _verdict(verdict: str) -> str:
    css = "-".join(verdict.split())
    return f'<span class="verdict-{_e(css)}">{_e(verdict)}</span>'


def _fidelity_html(fidelity: FidelityReport) -> str:
    q = fidelity.quality
    rows: list[dict[str, Any]] = [
        {"measure": "overall quality", "value": _finite(q.overall)},
        {"measure": "column shapes", "value": _finite(q.column_shapes)},
        {"measure": "pair trends", "value": _finite(q.pair_trends)},
    ]
    if fidelity.baseline is not None:
        rows.append(
            {
                "measure": "holdout vs real (the best to expect)",
                "value": _finite(fidelity.baseline.overall),
            }
        )
    if fidelity.detection is not None:
        rows.append(
            {
                "measure": f"detection ROC AUC ({fidelity.detection.verdict})",
                "value": _finite(fidelity.detection.auc),
            }
        )
    columns = [
        {
            "column": c.name,
            "metric": c.shape.metric,
            "score": _finite(c.shape.score),
            "test": c.test.test,
            "verdict": c.test.verdict,
        }
        for c in fidelity.columns
    ]
    verdict = fidelity.verdict().text.replace("**", "")
    html = f"<p>{_e(verdict)}</p>" + _table(rows) + "<h3>Columns</h3>" + _table(columns)
    if fidelity.rules is not None and fidelity.rules.checks:
        rules = [
            {
                "rule": _rule_text(c),
                "real rows breaking it": f"{c.real_share:.1%}",
                "synthetic rows breaking it": f"{c.synthetic_share:.1%}",
                "synthetic rows": c.violations,
                "between the columns": "" if c.gap is None else c.gap.describe(),
            }
            for c in fidelity.rules.checks
        ]
        html += "<h3>Rules the real rows keep</h3>" + _table(rules)
    return html


def _privacy_html(privacy: PrivacyReport) -> str:
    share, mia = privacy.dcr_share, privacy.mia
    rows: list[dict[str, Any]] = [
        {
            "measure": "exact copies of training rows",
            "value": _finite(privacy.exact_match.synthetic),
            "verdict": privacy.exact_match.verdict.value,
        },
        {
            "measure": "DCR share (50% is ideal)",
            "value": None if share is None else _finite(share.share),
            "verdict": None if share is None else share.verdict.value,
        },
        {
            "measure": "nearest-neighbour distance ratio",
            "value": _finite(privacy.nndr.synthetic_median),
            "verdict": privacy.nndr.verdict.value,
        },
        {
            "measure": "membership inference ROC AUC",
            "value": None if mia is None else _finite(mia.auc),
            "verdict": None if mia is None else mia.verdict.value,
        },
        {
            "measure": "synthetic rows replaying a real identifier",
            "value": privacy.pii_replay.rows,
            "verdict": privacy.pii_replay.verdict.value,
        },
    ]
    notes = ([share.why] if share is not None and share.why else []) + list(privacy.notes)
    return _table(rows) + "".join(f'<p class="note">{_e(n)}</p>' for n in notes)


def _utility_html(utility: UtilityReport, fairness: Mapping[str, Any] | None) -> str:
    metric = utility.metric
    rows = [
        {
            "model": model.model,
            f"TSTR {metric}": _finite(model.tstr[metric].value),
            f"TRTR {metric}": _finite(model.trtr[metric].value),
            "ratio": _finite(utility.ratio(model)),
        }
        for model in utility.models
    ]
    body = (
        f"<p>Predicting <b>{_e(utility.target)}</b> ({_e(utility.task.value)}); TSTR / TRTR "
        f"ratio {_number(_finite(utility.ratio()))}.</p>" + _table(rows)
    )
    for column, values in (fairness or {}).items():  # disclosure-controlled: small groups pooled
        if column == "rare_categories_lost":
            continue
        gaps = values["synthetic_model"]["gaps"]
        body += f"<h3>Fairness by {_e(column)}</h3>" + _table(
            [
                {"gap": k, "real-trained": v, "synthetic-trained": gaps.get(k)}
                for k, v in values["real_model"]["gaps"].items()
            ]
        )
        body += _table(values["representation"])
    return body


def _columns_html(columns: Mapping[str, Any], rule: str) -> str:
    """The disclosure-controlled column summaries: medians and q05–q95 of each side."""
    summary_rows = []
    for name, values in columns.items():
        row: dict[str, Any] = {"column": name, "kind": values["kind"]}
        for side in ("real", "synthetic"):
            stats = values.get(side)
            if isinstance(stats, dict) and not stats.get("suppressed"):
                row[f"{side} median"] = stats["q50"]
                low, high = (_number(stats[k], ",.10g") for k in ("q05", "q95"))
                row[f"{side} q05–q95"] = f"{low} – {high}"
            elif values["kind"] in ("numerical", "datetime"):
                row[f"{side} median"] = "suppressed"
                row[f"{side} q05–q95"] = ""
        if "note" in values:
            row["note"] = values["note"]
        summary_rows.append(row)
    heads = sorted({k for row in summary_rows for k in row}, key=lambda k: (k != "column", k))
    summary_rows = [{h: row.get(h, "") for h in heads} for row in summary_rows]
    return f'<p class="note">{_e(rule)}</p>' + _table(summary_rows, ",.10g")


def report_html(report: Report, title: str = "Synthetic data report") -> str:
    """The report as one self-contained HTML page (no request to any server when opened)."""
    c = report.content
    parts: list[str] = []
    number = 0

    def section(key: str, heading: str, body: str) -> None:
        nonlocal number
        divs, specs, number = _figures(report, key, number)
        parts.append(f'<section id="{key}"><h2>{_e(heading)}</h2>{body}{divs}{specs}</section>')

    evaluation = report.evaluation
    data = c["data"]
    section(
        "summary",
        "Summary",
        _cards(evaluation)
        + f'<p class="note">{data["synthetic_rows"]:,} synthetic rows; learnt from '
        f"{data['real_rows']:,} real rows ({data['holdout_rows']:,} more held out); data "
        f"fingerprint <code>{_e(data['fingerprint'])}</code>.</p>",
    )
    recipe = c["recipe"]
    section(
        "recipe",
        "Recipe",
        _table([{"setting": k, "value": v} for k, v in recipe.items()])
        if recipe
        else '<p class="note">No recipe was given (the synthetic file came from elsewhere).</p>',
    )
    section("fidelity", "Fidelity", _fidelity_html(evaluation.fidelity))
    section("columns", "Distributions", _columns_html(c["columns"], c["disclosure"]["rule"]))
    if evaluation.privacy is not None:
        section(
            "privacy",
            f"Privacy (overall: {evaluation.privacy.headline[0].value})",
            (
                f"<p>{_e(evaluation.privacy.headline[1])}</p>"
                if evaluation.privacy.headline[1]
                else ""
            )
            + _privacy_html(evaluation.privacy),
        )
    if evaluation.utility is not None:
        section("utility", "Utility and fairness", _utility_html(evaluation.utility, c["fairness"]))
    plotly = _plotly_js_gzip_base64()
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline' 'unsafe-eval' blob:; style-src 'unsafe-inline'; "
        'img-src data: blob:; font-src data:; connect-src blob: data:">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>"
        f'<h1>{_e(title)}</h1><p class="note">Made by Synthetic Data Studio on '
        f"{_e(c['created'])}. Real data appears only as aggregates.</p>"
        '<p class="note" id="figure-status">Drawing the figures…</p>'
        + "".join(parts)
        + f'<script type="application/octet-stream" id="plotly-gz">{plotly}</script>'
        f"<script>{_LOADER}</script></main></body></html>"
    )


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
    utility: tuple[UtilityReport, FairnessReport | None] | None = None,
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
