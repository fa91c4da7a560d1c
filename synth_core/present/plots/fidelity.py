"""The Fidelity page's figures: distributions, gaps, associations, column shapes, pairs and
detection, each from a summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from synth_core.evaluate.fidelity.detection import Detection
from synth_core.evaluate.fidelity.distributions import OTHER, Distribution, Frequencies, Histogram
from synth_core.evaluate.fidelity.drilldown import Density2D, PairSummary
from synth_core.evaluate.fidelity.quality import ShapeScore
from synth_core.evaluate.fidelity.rules import GapCheck
from synth_core.present.plots.style import (
    REAL_COLOUR,
    REAL_LABEL,
    SYNTHETIC_COLOUR,
    SYNTHETIC_LABEL,
    axis_values,
    bars_height,
    layout,
    overlaid_bars,
    score_colour,
)

_LONG_LABEL = 12  # characters: longer category names are written beside horizontal bars


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
    figure = overlaid_bars(x, width, summary.real_share, summary.synthetic_share)
    return layout(
        figure, f"{summary.column}{_missing_note(summary)}", summary.column, "share of rows"
    )


def gap_figure(gap: GapCheck) -> go.Figure:
    """The gap between an order's two columns (high − low), real beside synthetic, on shared
    bins (values beyond the shown range are counted in the end bins)."""
    edges = np.asarray(gap.edges)
    centres = np.round((edges[:-1] + edges[1:]) / 2, 10).tolist()
    width = np.diff(edges).tolist()
    figure = overlaid_bars(centres, width, gap.real_shares, gap.synthetic_shares)
    what = f"{gap.low} → {gap.high}" if gap.unit else f"{gap.high} − {gap.low}"
    axis = f"{what} ({gap.unit})" if gap.unit else what
    return layout(figure, f"{what}: KS distance {gap.ks:.2f}", axis, "share of rows")


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
    return layout(figure, title, summary.column, "share of rows")


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
        return layout(figure, summary.column, summary.column, "share of rows")
    figure.update_yaxes(type="category", autorange="reversed")
    height = bars_height(2 * len(categories))
    return layout(figure, summary.column, "share of rows", summary.column, height=height)


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
            marker_color=[score_colour(s.score or 0.0) for s in scored],
            text=[f"{s.score:.2f} ({s.metric})" for s in scored],
            textposition="auto",
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.update_xaxes(range=[0, 1])
    figure.update_yaxes(type="category", dtick=1)  # a label for every column, also at 60
    return layout(
        figure,
        "Column Shapes, per column",
        "score (1 = same distribution)",
        "",
        bars_height(len(scored)),
    )


def pair_figure(summary: PairSummary) -> go.Figure:
    """Drill-down for two columns: 2-D densities or contingency tables, real | synthetic |
    synthetic minus real."""
    if isinstance(summary, Density2D):
        x = axis_values(summary.x_edges, summary.x_is_datetime)
        y = axis_values(summary.y_edges, summary.y_is_datetime)
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
    return layout(
        figure,
        "What gives the synthetic rows away",
        "drop in ROC AUC when the column is shuffled",
        "",
        bars_height(len(features)),
    )
