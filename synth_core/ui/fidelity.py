"""Fidelity-page widgets: the score, detection, and the column, pair and validity views."""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
import streamlit as st

from synth_core.errors import SynthCoreError
from synth_core.evaluate.evaluation import measure_detection
from synth_core.evaluate.fidelity import FidelityReport, pair_drilldown
from synth_core.evaluate.fidelity.detection import MIN_ROWS as DETECTION_MIN_ROWS
from synth_core.evaluate.fidelity.quality import (
    ASSOCIATION_THRESHOLD,
    CORRELATION_THRESHOLD,
    Quality,
)
from synth_core.evaluate.fidelity.rules import RuleCheck
from synth_core.generate.synthesize import SynthResult
from synth_core.jobs import JobRegistry, Task
from synth_core.present.plots import (
    association_figure,
    detection_figure,
    distribution_figure,
    gap_figure,
    pair_figure,
    shapes_figure,
)
from synth_core.ui import jobs, state
from synth_core.ui.widgets import error_box


def _percent(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.1%}"


def _number(value: float | None, digits: int = 3) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _p_value(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _words(score: float | None) -> str:
    if score is None or not math.isfinite(score):
        return "not available"
    return "high" if score >= 0.9 else "moderate" if score >= 0.8 else "low"


def summary(report: FidelityReport, result: SynthResult) -> None:
    """The verdict (score, detection and relations together), the overall score and its two
    parts beside the holdout baseline."""
    q, base = report.quality, report.baseline
    verdict = report.verdict(state.detection(result))
    # The badges beside the holdout are coloured only when the headline is "high": a green
    # "+0.8% vs holdout" beside a headline that says a classifier tells the rows apart would
    # contradict it (issue 33).
    colour: Literal["normal", "off"] = (
        "normal" if verdict.level == "high" and not verdict.waiting else "off"
    )
    left, middle, right = st.columns(3)
    delta = _baseline_delta(q.overall, base.overall if base else None)
    left.metric(
        "Overall quality",
        _percent(q.overall),
        delta,
        delta_color=colour,
        help="Mean of the two parts",
    )
    middle.metric(
        "Column Shapes",
        _percent(q.column_shapes),
        _baseline_delta(q.column_shapes, base.column_shapes if base else None),
        delta_color=colour,
        help="How closely each column's distribution matches (KS / total variation)",
    )
    right.metric(
        "Column Pair Trends",
        _percent(q.pair_trends),
        _baseline_delta(q.pair_trends, base.pair_trends if base else None),
        delta_color=colour,
        help="How well relations between related columns are kept",
    )
    shown = st.success if verdict.level == "high" and not verdict.waiting else st.warning
    if verdict.level == "high" and verdict.waiting:
        shown = st.info
    shown(verdict.text)
    st.write(_summary_words(q, base))
    if report.only_in_real or report.only_in_synthetic:
        st.warning(
            "Columns only in one table are not compared: "
            f"real only: {', '.join(report.only_in_real) or 'none'}; "
            f"synthetic only: {', '.join(report.only_in_synthetic) or 'none'}."
        )


def _baseline_delta(score: float | None, baseline: float | None) -> str | None:
    if score is None or baseline is None or not (math.isfinite(score) and math.isfinite(baseline)):
        return None
    return f"{score - baseline:+.1%} vs holdout"


def _summary_words(q: Quality, base: Quality | None) -> str:
    text = f"The quality score alone is {_words(q.overall)}."
    if q.pair_trends is None:
        text += (
            " Column Pair Trends does not apply: no pair of columns is related strongly enough "
            f"in the real data (|Pearson| > {CORRELATION_THRESHOLD} or Cramér's V > "
            f"{ASSOCIATION_THRESHOLD}), so the score is Column Shapes alone."
        )
    if base is not None:
        text += (
            f" For scale, real rows held out from training score {_percent(base.overall)} "
            "against the training rows: sampling noise alone costs that much."
        )
    return text


def detection(result: SynthResult, registry: JobRegistry) -> None:
    """Classifier detection, run in the background the first time the page is opened."""
    st.subheader("Can a classifier tell them apart?")
    if min(len(result.train), len(result.data)) < DETECTION_MIN_ROWS:
        st.info(f"Detection needs at least {DETECTION_MIN_ROWS} rows in each table.")
        return
    found = state.detection(result)
    if found is None:
        slot = jobs.DETECTION
        stopped = slot.error_key in st.session_state or slot.notice_key in st.session_state
        if not jobs.running(slot) and not stopped:
            try:
                jobs.start(
                    registry,
                    jobs.DETECTION,
                    Task(
                        measure_detection,
                        (state.rows(result), state.evaluation_settings(result)),
                    ),
                )
            except SynthCoreError as exc:
                error_box(exc)
        jobs.panel(registry, jobs.DETECTION, lambda d: state.set_detection(result, d))
        return
    left, right = st.columns([1, 2])
    left.metric(
        "ROC AUC",
        _number(found.auc),
        help="0.5: indistinguishable; 1.0: every synthetic row is recognisable",
    )
    left.write(f"**{found.verdict.capitalize()}.**")
    left.caption(
        f"Gradient boosting, {len(found.fold_aucs)}-fold cross-validation on "
        f"{found.rows_per_side:,} rows of each table (at most {found.cap:,}; a seeded sample). "
        f"Fold AUCs: {', '.join(_number(a) for a in found.fold_aucs)}."
    )
    if found.features:
        right.plotly_chart(detection_figure(found), key="detection_features")


def columns_view(report: FidelityReport, result: SynthResult) -> None:
    st.plotly_chart(shapes_figure(list(report.quality.shapes)), key="shapes")
    rows = [
        {
            "column": c.name,
            "kind": c.kind,
            "score": _number(c.shape.score),
            "metric": c.shape.metric,
            "test": c.test.test,
            "statistic": _number(c.test.statistic),
            "p-value": _p_value(c.test.p_value),
            "verdict": c.test.verdict,
        }
        for c in report.columns
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        # The verdict is a sentence: give it the room, not the numbers.
        column_config={"verdict": st.column_config.TextColumn(width="large")},
    )
    if not report.columns:
        return
    name = st.selectbox("Look at a column", [c.name for c in report.columns], key="drill_column")
    column = report.column(name)
    st.plotly_chart(distribution_figure(column.distribution), key="drill_distribution")
    table = report.statistics_table()
    st.dataframe(table[table["column"] == name].drop(columns="column"), hide_index=True)


def pairs_view(report: FidelityReport, result: SynthResult) -> None:
    names = [c.name for c in report.columns]
    if len(names) < 2:
        st.info("Pairs need at least two compared columns.")
        return
    st.caption(
        "Pearson correlation for numeric pairs (−1..1); Cramér's V for categorical pairs and the "
        "correlation ratio for numeric–categorical pairs (0..1). Dates count as numbers."
    )
    st.plotly_chart(
        association_figure(report.real_associations, report.synthetic_associations),
        key="associations",
    )
    pairs = sorted(
        report.quality.pairs, key=lambda p: (not p.counted, p.score if p.score is not None else 2)
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "pair": f"{p.first} × {p.second}",
                    "metric": p.metric,
                    "score": _number(p.score),
                    "counted": "yes" if p.counted else "no",
                    "relation": "Pearson" if p.metric == "CorrelationSimilarity" else "Cramér's V",
                    "real": _number(_relation(p.real_correlation, p.real_association)),
                    "synthetic": _number(
                        _relation(p.synthetic_correlation, p.synthetic_association)
                    ),
                    "note": p.reason,
                }
                for p in pairs
            ]
        ),
        hide_index=True,
    )
    worst = pairs[0]
    left, right = st.columns(2)
    first = left.selectbox("First column", names, index=names.index(worst.first), key="drill_first")
    others = [n for n in names if n != first]
    default = others.index(worst.second) if worst.second in others else 0
    second = right.selectbox("Second column", others, index=default, key="drill_second")
    summary = pair_drilldown(result.train, result.data, result.schema, first, second)
    st.plotly_chart(pair_figure(summary), key="drill_pair")


def _relation(correlation: float | None, association: float | None) -> float | None:
    return correlation if correlation is not None else association


def validity_view(report: FidelityReport) -> None:
    rows = [
        {
            "column": v.column,
            "kind": v.kind,
            "check": v.adherence_metric or "—",
            "valid": _percent(v.adherence),
            "coverage": f"{_percent(v.coverage)} ({v.coverage_metric})"
            if v.coverage_metric
            else "—",
            "missing real": _percent(v.missing_real),
            "missing synthetic": _percent(v.missing_synthetic),
        }
        for v in report.validity
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    problems = [(v.column, p) for v in report.validity for p in v.problems]
    if not problems:
        st.success("Every synthetic value is one the real data allows.")
    for column, problem in problems:
        st.warning(f"'{column}': {problem}.")


def rules_view(report: FidelityReport) -> None:
    """Every rule found in the real rows with the share of synthetic rows that break it."""
    st.caption(
        "Rules the real training rows keep (order between columns, a column determined by "
        "another, sums, bounds, combinations that never occur, columns missing together), found "
        "by searching the data, and how often the synthetic rows break them, worst first."
    )
    if report.rules is None or not report.rules.checks:
        st.info("No rule was found in the real rows.")
        return
    checks = report.rules.checks
    rows = [
        {
            "rule": c.rule,
            "kind": c.kind,
            "real rows breaking it": _percent(c.real_share),
            "synthetic rows breaking it": _percent(c.synthetic_share),
            "synthetic rows": f"{c.violations:,}",
            "evidence": c.evidence,
        }
        for c in checks
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    broken = report.rules.broken
    if not broken:
        st.success(f"The synthetic rows keep all {len(checks)} rules.")
    else:
        st.warning(
            f"The synthetic rows break {len(broken)} of {len(checks)} rules. Rules kept at "
            "generation (the default for rules that hold in every real row) are never broken."
        )
    for c in broken[:10]:
        with st.expander(f"{c.rule}: {c.violations:,} synthetic rows ({c.synthetic_share:.1%})"):
            st.dataframe(c.examples, hide_index=True)
    _gaps_view([c for c in checks if c.gap is not None])
    st.caption(f"Searched: {report.rules.searched}.")


def _gaps_view(checks: list[RuleCheck]) -> None:
    """Orders kept row by row can still lose what lies between their columns (a trip of 2.5
    hours is after its pickup): the gap real beside synthetic, worst first."""
    if not checks:
        return
    st.markdown(
        "**Between ordered columns, and dates that move together** (how far apart, not only "
        "in which order)"
    )
    gaps = sorted((c.gap for c in checks if c.gap is not None), key=lambda g: -g.ks)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "between": f"{g.low} → {g.high}",
                    "unit": g.unit or "as the columns",
                    "real median": f"{g.real[1]:,.3g}",
                    "synthetic median": f"{g.synthetic[1]:,.3g}",
                    "real 5–95%": f"{g.real[0]:,.3g} – {g.real[2]:,.3g}",
                    "synthetic 5–95%": f"{g.synthetic[0]:,.3g} – {g.synthetic[2]:,.3g}",
                    "KS distance": f"{g.ks:.3f}",
                }
                for g in gaps
            ]
        ),
        hide_index=True,
    )
    for g in gaps[:3]:
        st.plotly_chart(gap_figure(g), key=f"gap_{g.low}_{g.high}")
