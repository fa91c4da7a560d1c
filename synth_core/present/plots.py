"""Plotly figures built from summaries (bin shares, category shares, matrices), never raw rows."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from synth_core.evaluate.fidelity.detection import Detection
from synth_core.evaluate.fidelity.distributions import OTHER, Distribution, Frequencies, Histogram
from synth_core.evaluate.fidelity.drilldown import Density2D, PairSummary
from synth_core.evaluate.fidelity.quality import ShapeScore
from synth_core.evaluate.fidelity.rules import GapCheck
from synth_core.evaluate.privacy.report import Histogram as DcrHistogram
from synth_core.experiments.augment import AugmentationReport
from synth_core.experiments.collapse import CollapseResult
from synth_core.experiments.curve import PrivacyUtilityCurve
from synth_core.workflows.compare import GeneratorComparison

REAL_COLOUR = "#4C78A8"
SYNTHETIC_COLOUR = "#F58518"
REAL_LABEL = "real (training rows)"
SYNTHETIC_LABEL = "synthetic"
_HEIGHT = 320


def _layout(
    figure: go.Figure, title: str, x_title: str, y_title: str, height: int = _HEIGHT
) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.0},
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=height,
        margin={"l": 50, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        bargap=0.05,
    )
    # Long column or category names widen the margins instead of being cut off.
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


_BAR_HEIGHT = 22  # pixels per bar in per-column bar charts: every column keeps its label


def _bars_height(count: int) -> int:
    return max(240, _BAR_HEIGHT * count + 110)


def distribution_figure(summary: Distribution) -> go.Figure:
    """Real beside synthetic: a histogram on shared bins, or bars per category."""
    if isinstance(summary, Histogram):
        return histogram_figure(summary)
    return frequencies_figure(summary)


def histogram_figure(summary: Histogram) -> go.Figure:
    if summary.log_scale:
        return _step_histogram(summary)
    edges = summary.edges
    centres = (edges[:-1] + edges[1:]) / 2
    widths = np.diff(edges)
    if summary.is_datetime:
        x: object = pd.to_datetime(centres.astype(np.int64)).astype(str).tolist()
        width: object = (widths / 1e6).tolist()  # plotly date axes measure widths in ms
    else:
        x, width = np.round(centres, 10).tolist(), widths.tolist()
    figure = _overlaid_bars(x, width, summary.real_share, summary.synthetic_share)
    return _layout(
        figure, f"{summary.column}{_missing_note(summary)}", summary.column, "share of rows"
    )


def _overlaid_bars(
    x: object,
    width: object,
    real: Sequence[float] | np.ndarray,
    synthetic: Sequence[float] | np.ndarray,
) -> go.Figure:
    """Real and synthetic shares as bars on the same bins, one over the other."""
    figure = go.Figure()
    for label, shares, colour in (
        (REAL_LABEL, real, REAL_COLOUR),
        (SYNTHETIC_LABEL, synthetic, SYNTHETIC_COLOUR),
    ):
        figure.add_trace(
            go.Bar(
                x=x,
                y=np.round(np.asarray(shares, dtype=float), 6).tolist(),
                width=width,
                name=label,
                marker_color=colour,
                opacity=0.6,
            )
        )
    figure.update_layout(barmode="overlay")
    return figure


def gap_figure(gap: GapCheck) -> go.Figure:
    """The gap between an order's two columns (high − low), real beside synthetic, on shared
    bins (values beyond the shown range are counted in the end bins)."""
    edges = np.asarray(gap.edges)
    centres = np.round((edges[:-1] + edges[1:]) / 2, 10).tolist()
    width = np.diff(edges).tolist()
    figure = _overlaid_bars(centres, width, gap.real_shares, gap.synthetic_shares)
    what = f"{gap.low} → {gap.high}" if gap.unit else f"{gap.high} − {gap.low}"
    axis = f"{what} ({gap.unit})" if gap.unit else what
    return _layout(figure, f"{what}: KS distance {gap.ks:.2f}", axis, "share of rows")


def _missing_note(summary: Histogram) -> str:
    if not (summary.real_missing or summary.synthetic_missing):
        return ""
    return f" (missing: real {summary.real_missing:.1%}, synthetic {summary.synthetic_missing:.1%})"


def _step_histogram(summary: Histogram) -> go.Figure:
    """Log-spaced bins drawn as filled steps on a log axis (bars do not sit well on one)."""
    edges = summary.edges.tolist()
    figure = go.Figure()
    for label, shares, colour in (
        (REAL_LABEL, summary.real_share, REAL_COLOUR),
        (SYNTHETIC_LABEL, summary.synthetic_share, SYNTHETIC_COLOUR),
    ):
        steps = np.round(shares, 6).tolist()
        figure.add_trace(
            go.Scatter(
                x=edges,
                y=[*steps, steps[-1]],
                name=label,
                mode="lines",
                line={"shape": "hv", "color": colour},
                fill="tozeroy",
                opacity=0.6,
            )
        )
    figure.update_xaxes(type="log")
    zeros = ""
    if summary.real_zero or summary.synthetic_zero:
        zeros = f"; zeros: real {summary.real_zero:.1%}, synthetic {summary.synthetic_zero:.1%}"
    title = f"{summary.column}{_missing_note(summary)} — log scale{zeros}"
    return _layout(figure, title, summary.column, "share of rows")


_LONG_LABEL = 12  # characters: longer category names are written beside horizontal bars


def frequencies_figure(summary: Frequencies) -> go.Figure:
    """Category shares, real beside synthetic: upright bars for a few short names; horizontal
    bars, as tall as the categories need, when the names are long or many (angled under
    upright bars, long names left the plot 60 px high)."""
    figure = go.Figure()
    categories = [str(c) for c in summary.categories]
    across = len(categories) > 8 or max((len(c) for c in categories), default=0) > _LONG_LABEL
    for label, shares, colour in (
        (REAL_LABEL, summary.real_share, REAL_COLOUR),
        (SYNTHETIC_LABEL, summary.synthetic_share, SYNTHETIC_COLOUR),
    ):
        values = np.round(shares, 6).tolist()
        figure.add_trace(
            go.Bar(y=categories, x=values, orientation="h", name=label, marker_color=colour)
            if across
            else go.Bar(x=categories, y=values, name=label, marker_color=colour)
        )
    figure.update_layout(barmode="group")
    if not across:
        figure.update_xaxes(type="category")
        return _layout(figure, summary.column, summary.column, "share of rows")
    figure.update_yaxes(type="category", autorange="reversed")
    height = _bars_height(2 * len(categories))
    return _layout(figure, summary.column, "share of rows", summary.column, height=height)


def association_figure(real: pd.DataFrame, synthetic: pd.DataFrame) -> go.Figure:
    """Three heatmaps: real | synthetic | synthetic minus real."""
    names = [str(c) for c in real.columns]
    difference = synthetic.to_numpy() - real.to_numpy()
    # Side by side up to 15 columns; above that one under the other, each as wide as the page,
    # so every row and column keeps its name (at 60 columns three squeezed panels lost them).
    stacked = len(names) > 15
    figure = make_subplots(
        rows=3 if stacked else 1,
        cols=1 if stacked else 3,
        subplot_titles=("real", "synthetic", "difference (synthetic - real)"),
        horizontal_spacing=0.08,
        vertical_spacing=0.04,
        shared_yaxes=not stacked,
    )
    for position, matrix in enumerate((real.to_numpy(), synthetic.to_numpy(), difference), start=1):
        figure.add_trace(
            go.Heatmap(
                z=np.round(matrix, 3).tolist(),
                x=names,
                y=names,
                zmin=-1,
                zmax=1,
                colorscale="RdBu",
                reversescale=True,
                showscale=position == 3,
                hovertemplate="%{y} × %{x}: %{z:.2f}<extra></extra>",
            ),
            row=position if stacked else 1,
            col=1 if stacked else position,
        )
    panel = 16 * len(names) + 120 if stacked else max(360, 28 * len(names) + 160)
    size = 3 * panel if stacked else panel
    font = 9 if len(names) > 30 else 11
    figure.update_layout(height=size, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    figure.update_yaxes(autorange="reversed", dtick=1, automargin=True, tickfont={"size": font})
    figure.update_xaxes(dtick=1, automargin=True, tickfont={"size": font}, tickangle=-60)
    return figure


def shapes_figure(shapes: list[ShapeScore]) -> go.Figure:
    """Column Shapes score per column, worst first (1 = same distribution)."""
    scored = sorted((s for s in shapes if s.score is not None), key=lambda s: s.score or 0.0)
    figure = go.Figure(
        go.Bar(
            x=[s.score for s in scored],
            y=[s.column for s in scored],
            orientation="h",
            marker_color=[_score_colour(s.score or 0.0) for s in scored],
            text=[f"{s.score:.2f} ({s.metric})" for s in scored],
            textposition="auto",
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.update_xaxes(range=[0, 1])
    figure.update_yaxes(type="category", dtick=1)  # a label for every column, also at 60
    return _layout(
        figure,
        "Column Shapes, per column",
        "score (1 = same distribution)",
        "",
        _bars_height(len(scored)),
    )


def _score_colour(score: float) -> str:
    if score >= 0.9:
        return "#54A24B"
    return "#EECA3B" if score >= 0.8 else "#E45756"


def pair_figure(summary: PairSummary) -> go.Figure:
    """Drill-down for two columns: 2-D densities or contingency tables, real | synthetic |
    synthetic minus real."""
    if isinstance(summary, Density2D):
        x = _axis_values(summary.x_edges, summary.x_is_datetime)
        y = _axis_values(summary.y_edges, summary.y_is_datetime)
        real, synthetic = summary.real_share, summary.synthetic_share
    else:
        x, y = list(summary.first_labels), list(summary.second_labels)
        real, synthetic = summary.real_share, summary.synthetic_share
    difference = synthetic - real
    # The colour scale comes from the named cells: a pooled "(other)" row or column of two
    # columns with hundreds of values (zone × zone) would otherwise make every other cell blank.
    named = np.ones(real.shape, dtype=bool)
    for axis, labels in ((1, x), (0, y)):
        pooled = [i for i, label in enumerate(labels) if label == OTHER]
        if pooled and len(pooled) < len(labels):
            if axis == 1:
                named[:, pooled] = False
            else:
                named[pooled, :] = False
    if not named.any():
        named[:] = True
    peak = float(max(real[named].max(initial=0.0), synthetic[named].max(initial=0.0))) or 1.0
    spread = float(np.abs(difference[named]).max(initial=0.0)) or 1.0
    figure = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("real", "synthetic", "difference (synthetic - real)"),
        horizontal_spacing=0.06,
        shared_yaxes=True,
    )
    panels = (
        (real, 0.0, peak, "Blues"),
        (synthetic, 0.0, peak, "Blues"),
        (difference, -spread, spread, "RdBu"),
    )
    for position, (z, low, high, scale) in enumerate(panels, start=1):
        figure.add_trace(
            go.Heatmap(
                z=np.round(z, 5).tolist(),
                x=x,
                y=y,
                zmin=low,
                zmax=high,
                colorscale=scale,
                reversescale=scale == "RdBu",
                showscale=position != 1,  # real and synthetic share one scale
                colorbar={"x": 0.645 if position == 2 else 1.0, "len": 0.8, "thickness": 12},
                hovertemplate="%{x} | %{y}: %{z:.3%}<extra></extra>",
            ),
            row=1,
            col=position,
        )
    figure.update_layout(
        title={"text": f"{summary.first} × {summary.second} (share of rows)", "x": 0.0},
        height=420,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
    )
    figure.update_xaxes(title_text=summary.first, row=1, col=2)
    figure.update_yaxes(title_text=summary.second, row=1, col=1)
    return figure


def _axis_values(edges: np.ndarray, is_datetime: bool) -> list[object]:
    centres = (edges[:-1] + edges[1:]) / 2
    if is_datetime:
        return [str(t) for t in pd.to_datetime(centres.astype(np.int64))]
    return [float(v) for v in np.round(centres, 10)]


def detection_figure(detection: Detection) -> go.Figure:
    """The columns that give the synthetic rows away (drop in ROC AUC when shuffled)."""
    features = list(reversed(detection.features))
    figure = go.Figure(
        go.Bar(
            x=[max(f.importance, 0.0) for f in features],
            y=[f.column for f in features],
            orientation="h",
            marker_color=SYNTHETIC_COLOUR,
            hovertemplate="%{y}: AUC drops by %{x:.3f} when shuffled<extra></extra>",
        )
    )
    figure.update_yaxes(type="category", dtick=1)
    return _layout(
        figure,
        "What gives the synthetic rows away",
        "drop in ROC AUC when the column is shuffled",
        "",
        _bars_height(len(features)),
    )


def loss_figure(losses: Sequence[Mapping[str, float]]) -> go.Figure:
    """Training losses per epoch (one line per loss; figures stay small at any size)."""
    figure = go.Figure()
    names = [k for k in (losses[0] if losses else {}) if k != "epoch"]
    epochs = [row.get("epoch", i + 1) for i, row in enumerate(losses)]
    for name in names:
        figure.add_trace(
            go.Scatter(
                x=epochs,
                y=[round(row.get(name, float("nan")), 5) for row in losses],
                mode="lines",
                name=f"{name} loss",
            )
        )
    return _layout(figure, "Training losses", "epoch", "loss")


def dcr_figure(histogram: DcrHistogram) -> go.Figure:
    """Distances to the closest training row: synthetic rows beside unseen real (holdout) rows,
    as shares per bin. A synthetic pile-up near 0 that the holdout does not have is a leak."""
    edges = np.asarray(histogram.edges)
    centres = np.round((edges[:-1] + edges[1:]) / 2, 10).tolist()
    widths = np.diff(edges).tolist()
    figure = go.Figure()
    series = [(SYNTHETIC_LABEL, histogram.synthetic, SYNTHETIC_COLOUR)]
    if histogram.holdout:
        series.insert(0, ("real holdout rows (never trained on)", histogram.holdout, REAL_COLOUR))
    for label, counts, colour in series:
        total = max(sum(counts), 1)
        figure.add_trace(
            go.Bar(
                x=centres,
                y=[c / total for c in counts],
                width=widths,
                name=label,
                marker_color=colour,
                opacity=0.6,
            )
        )
    figure.update_layout(barmode="overlay")
    figure.update_yaxes(tickformat=".0%")
    return _layout(
        figure,
        "Distance to the closest training row",
        "mixed-type distance (scaled numbers, category mismatches)",
        "share of rows",
    )


def privacy_utility_figure(curve: PrivacyUtilityCurve) -> go.Figure:
    """Fidelity (and the membership-inference AUC) against ε on a log axis; the non-DP
    generator as dashed reference lines."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    x = [p.epsilon for p in curve.points]
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[p.overall for p in curve.points],
            mode="lines+markers",
            name="fidelity (overall quality)",
            line={"color": SYNTHETIC_COLOUR},
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[p.mia_auc for p in curve.points],
            mode="lines+markers",
            name="membership-inference AUC",
            line={"color": REAL_COLOUR},
        ),
        secondary_y=True,
    )
    reference = curve.reference
    if reference is not None and reference.overall is not None:
        figure.add_hline(
            y=reference.overall,
            line_dash="dash",
            line_color=SYNTHETIC_COLOUR,
            annotation_text=f"{reference.label}, no DP",
        )
    figure.update_xaxes(type="log", title_text="ε (log scale)")
    figure.update_yaxes(title_text="fidelity", range=[0, 1], secondary_y=False)
    figure.update_yaxes(title_text="MIA AUC (0.5 = no signal)", range=[0.3, 1], secondary_y=True)
    return _layout(figure, "Privacy–utility curve", "ε (log scale)", "fidelity")


def importance_figure(real: Mapping[str, float], synthetic: Mapping[str, float]) -> go.Figure:
    """Permutation importance per column: the real-trained model beside the synthetic-trained
    one (a column the synthetic model ignores lost its relation to the target)."""
    names = sorted(real, key=lambda n: real[n], reverse=True)[:20]
    figure = go.Figure()
    for label, values, colour in (
        ("trained on real rows", real, REAL_COLOUR),
        ("trained on synthetic rows", synthetic, SYNTHETIC_COLOUR),
    ):
        figure.add_trace(
            go.Bar(
                y=names,
                x=[values.get(n, 0.0) for n in names],
                orientation="h",
                name=label,
                marker_color=colour,
            )
        )
    figure.update_layout(barmode="group", yaxis={"autorange": "reversed"})
    return _layout(figure, "What each model relies on", "drop in score when shuffled", "")


def augmentation_figure(report: AugmentationReport, metric: str = "recall") -> go.Figure:
    """A metric on the real holdout against the number of rows added to the real training
    rows: synthetic rows beside oversampled real rows, with 95% intervals as bands."""
    figure = go.Figure()
    for method, colour in (("synthetic", SYNTHETIC_COLOUR), ("oversampled real", REAL_COLOUR)):
        curve = report.curve(method, metric)
        if not curve:
            continue
        x = [n for n, _ in curve]
        low = [s.ci_low for _, s in curve]
        high = [s.ci_high for _, s in curve]
        figure.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=high + low[::-1],
                fill="toself",
                mode="lines",
                fillcolor=colour,
                opacity=0.15,
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[s.value for _, s in curve],
                mode="lines+markers",
                name=f"{method} rows added",
                line={"color": colour},
            )
        )
    words = metric.replace("_", " ")
    return _layout(
        figure,
        f"{words.capitalize()} on real holdout rows as rows of {report.condition} are added",
        "rows added to the real training rows",
        words,
    )


COLLAPSE_METRICS = {
    "mean_ks": "mean KS distance (numbers; 0 = same distribution)",
    "mean_tvd": "mean total variation distance (categories)",
    "std_ratio": "spread: synthetic / real standard deviation",
    "tail_coverage": "tails kept (1 = as much beyond the real 5th/95th percentiles)",
    "categories_kept": "real categories still present",
    "rare_categories_kept": "rare categories (<1%) still present",
    "correlation_distance": "mean |difference| of correlations",
    "detection_auc": "detection ROC AUC (0.5 = indistinguishable from real)",
    "tstr": "TSTR: a model trained on the generation, tested on real rows",
}
_REGIME_COLOURS = {"replace": "#E45756", "accumulate": "#4C78A8", "mix": "#54A24B"}
_BAND_COLOURS = {
    "replace": "rgba(228,87,86,0.18)",
    "accumulate": "rgba(76,120,168,0.18)",
    "mix": "rgba(84,162,75,0.18)",
}


def collapse_figure(result: CollapseResult, metric: str) -> go.Figure:
    """One metric against the generation, one line per regime (the mean over runs), with the
    band from the lowest to the highest run when there were several."""
    figure = go.Figure()
    for regime, metrics in result.regimes.items():
        generations = [m.generation for m in metrics]
        means, lows, highs = result.band(regime, metric)
        if result.runs:
            figure.add_trace(
                go.Scatter(
                    x=generations + generations[::-1],
                    y=highs + lows[::-1],
                    fill="toself",
                    fillcolor=_BAND_COLOURS.get(regime, "rgba(0,0,0,0.1)"),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{regime} (runs)",
                )
            )
        figure.add_trace(
            go.Scatter(
                x=generations,
                y=means,
                mode="lines+markers",
                name=regime,
                line={"color": _REGIME_COLOURS.get(regime)},
            )
        )
    if metric == "tstr" and result.trtr is not None:
        figure.add_hline(
            y=result.trtr,
            line={"dash": "dot", "color": "#555"},
            annotation_text=f"trained on real ({result.trtr:.3f})",
        )
    words = COLLAPSE_METRICS.get(metric, metric)
    if metric == "tstr" and result.tstr_metric:
        words = f"TSTR {result.tstr_metric} for '{result.target}'"
    return _layout(figure, words[:1].upper() + words[1:], "generation", "")


def snapshot_figure(result: CollapseResult, column: str) -> go.Figure:
    """Small multiples: ``column`` at generations 0, k/2 and the last (columns) for each
    regime (rows), the real distribution as a grey outline in every panel."""
    regimes = [r for r in result.snapshots if result.snapshots[r]]
    generations = result.snapshot_generations
    figure = make_subplots(
        rows=len(regimes),
        cols=len(generations),
        shared_xaxes=True,
        shared_yaxes=True,
        column_titles=[f"generation {g}" for g in generations],
        row_titles=regimes,
        vertical_spacing=0.06,
        horizontal_spacing=0.03,
    )
    real = result.real_snapshots.get(column)
    for row, regime in enumerate(regimes, start=1):
        for col, generation in enumerate(generations, start=1):
            shot = result.snapshots[regime].get(generation, {}).get(column)
            first = row == 1 and col == 1
            for snapshot, name, style in (
                (real, "real", {"marker_color": "rgba(0,0,0,0)", "marker_line_color": "#555"}),
                (shot, regime, {"marker_color": _REGIME_COLOURS.get(regime, "#888")}),
            ):
                if snapshot is None:
                    continue
                if snapshot.edges:
                    edges = np.array(snapshot.edges)
                    x: list[float] | list[str] = list((edges[:-1] + edges[1:]) / 2)
                    width: list[float] | None = list(np.diff(edges))
                else:
                    x, width = list(snapshot.labels), None
                figure.add_trace(
                    go.Bar(
                        x=x,
                        y=list(snapshot.shares),
                        width=width,
                        name=name,
                        showlegend=first or (name != "real" and col == 1),
                        marker_line_width=1 if name == "real" else 0,
                        opacity=0.75 if name != "real" else 1.0,
                        **style,
                    ),
                    row=row,
                    col=col,
                )
    figure.update_layout(
        barmode="overlay",
        title={"text": f"'{column}' over the generations (share of rows)", "x": 0.0},
        height=170 * max(len(regimes), 1) + 90,
        margin={"l": 50, "r": 30, "t": 80, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "xanchor": "right", "x": 1.0},
        bargap=0.0,
    )
    return figure


def collapse_overview(
    result: CollapseResult,
    metrics: Sequence[str] = ("mean_ks", "std_ratio", "tail_coverage", "detection_auc"),
) -> go.Figure:
    """Several collapse metrics side by side (two per row), one line per regime."""
    rows = (len(metrics) + 1) // 2
    titles = [COLLAPSE_METRICS.get(m, m) for m in metrics]
    figure = make_subplots(rows=rows, cols=2, subplot_titles=titles, vertical_spacing=0.14)
    for position, metric in enumerate(metrics):
        single = collapse_figure(result, metric)
        for trace in single.data:
            trace.showlegend = position == 0 and trace.showlegend is not False
            figure.add_trace(trace, row=position // 2 + 1, col=position % 2 + 1)
        figure.update_xaxes(title_text="generation", row=position // 2 + 1, col=position % 2 + 1)
    figure.update_layout(
        height=300 * rows + 60,
        width=1000,
        margin={"l": 50, "r": 20, "t": 90, "b": 40},
        title={
            "text": f"{result.generator}, {result.generations} generations of "
            f"{result.sample_size:,} rows",
            "x": 0.0,
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.05, "xanchor": "right", "x": 1.0},
    )
    for annotation in figure.layout.annotations:
        annotation.font.size = 12
    return figure


_GATE_SYMBOLS = {"passes": "circle", "cannot tell": "diamond-open", "fails": "x"}
_GENERATOR_COLOURS = qualitative.T10  # plotly's Tableau palette, one colour per generator


def comparison_figure(comparison: GeneratorComparison) -> go.Figure:
    """Fidelity (overall quality) against seconds per generator. Each generator is a legend
    entry (so names never overlap on the plot) whose marker says the privacy gate: a dot
    passes, an open diamond cannot be judged with this holdout, a cross fails. The time axis is
    logarithmic with a label at every decade; the hover shows detection AUC, copies, DCR share
    and, unless it passes, why."""
    figure = go.Figure()
    measured = [s for s in comparison.scores if s.status.value == "ok" and s.quality is not None]
    for position, s in enumerate(measured):
        gate, reason = s.gate
        figure.add_trace(
            go.Scatter(
                x=[max(s.seconds, 0.01)],
                y=[s.quality],
                mode="markers",
                marker={
                    "size": 15,
                    "symbol": _GATE_SYMBOLS.get(gate.value, "circle"),
                    "color": _GENERATOR_COLOURS[position % len(_GENERATOR_COLOURS)],
                    "line": {"width": 2},
                },
                name=f"{s.name} ({gate.value})",
                customdata=[
                    [
                        s.detection_auc if s.detection_auc is not None else float("nan"),
                        (s.exact_match_rate or 0.0) * 100,
                        (s.dcr_share or 0.0) * 100,
                        reason or "passes the privacy gate",
                    ]
                ],
                hovertemplate=(
                    f"{s.name}<br>quality %{{y:.3f}}<br>%{{x:.1f}} s<br>detection AUC "
                    "%{customdata[0]:.3f}<br>copies %{customdata[1]:.2f}%<br>DCR share "
                    "%{customdata[2]:.1f}%<br>%{customdata[3]}<extra></extra>"
                ),
            )
        )
    _layout(figure, "Fidelity against time", "seconds to fit and sample (log scale)", "quality")
    figure.update_layout(
        legend={"orientation": "v", "y": 0.5, "yanchor": "middle", "x": 1.02, "xanchor": "left"}
    )
    seconds = [max(s.seconds, 0.01) for s in measured] or [1.0]
    low = math.floor(math.log10(min(seconds) / 1.5))
    high = math.ceil(math.log10(max(seconds) * 1.5))
    decades = [10.0**k for k in range(low, high + 1)]
    figure.update_xaxes(
        type="log",
        range=[low, high],
        tickvals=decades,
        ticktext=[_seconds_label(d) for d in decades],
    )
    return figure


def _seconds_label(seconds: float) -> str:
    return f"{seconds:g} s" if seconds < 1 else f"{seconds:,.0f} s"
