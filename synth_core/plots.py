"""Plotly figures built from summaries (bin shares, category shares, matrices), never raw rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from synth_core.fidelity.distributions import Distribution, Frequencies, Histogram

REAL_COLOUR = "#4C78A8"
SYNTHETIC_COLOUR = "#F58518"
REAL_LABEL = "real (training rows)"
SYNTHETIC_LABEL = "synthetic"
_HEIGHT = 320


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.0},
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=_HEIGHT,
        margin={"l": 50, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        bargap=0.05,
    )
    return figure


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
    figure = go.Figure()
    for label, shares, colour in (
        (REAL_LABEL, summary.real_share, REAL_COLOUR),
        (SYNTHETIC_LABEL, summary.synthetic_share, SYNTHETIC_COLOUR),
    ):
        figure.add_trace(
            go.Bar(
                x=x,
                y=np.round(shares, 6).tolist(),
                width=width,
                name=label,
                marker_color=colour,
                opacity=0.6,
            )
        )
    figure.update_layout(barmode="overlay")
    return _layout(
        figure, f"{summary.column}{_missing_note(summary)}", summary.column, "share of rows"
    )


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


def frequencies_figure(summary: Frequencies) -> go.Figure:
    figure = go.Figure()
    categories = list(summary.categories)
    for label, shares, colour in (
        (REAL_LABEL, summary.real_share, REAL_COLOUR),
        (SYNTHETIC_LABEL, summary.synthetic_share, SYNTHETIC_COLOUR),
    ):
        figure.add_trace(
            go.Bar(x=categories, y=np.round(shares, 6).tolist(), name=label, marker_color=colour)
        )
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="category")
    return _layout(figure, summary.column, summary.column, "share of rows")


def association_figure(real: pd.DataFrame, synthetic: pd.DataFrame) -> go.Figure:
    """Three heatmaps: real | synthetic | synthetic minus real."""
    names = [str(c) for c in real.columns]
    difference = synthetic.to_numpy() - real.to_numpy()
    figure = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("real", "synthetic", "difference (synthetic - real)"),
        horizontal_spacing=0.08,
        shared_yaxes=True,
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
            row=1,
            col=position,
        )
    size = max(360, 28 * len(names) + 160)
    figure.update_layout(height=size, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    figure.update_yaxes(autorange="reversed")
    return figure
