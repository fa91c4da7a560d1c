"""What every figure shares: colours and labels of real and synthetic, layout, bar heights."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

REAL_COLOUR = "#4C78A8"


SYNTHETIC_COLOUR = "#F58518"


REAL_LABEL = "real (training rows)"


SYNTHETIC_LABEL = "synthetic"


HEIGHT = 320


def layout(
    figure: go.Figure, title: str, x_title: str, y_title: str, height: int = HEIGHT
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


def bars_height(count: int) -> int:
    return max(240, _BAR_HEIGHT * count + 110)


def overlaid_bars(
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


def score_colour(score: float) -> str:
    if score >= 0.9:
        return "#54A24B"
    return "#EECA3B" if score >= 0.8 else "#E45756"


def axis_values(edges: np.ndarray, is_datetime: bool) -> list[object]:
    centres = (edges[:-1] + edges[1:]) / 2
    if is_datetime:
        return [str(t) for t in pd.to_datetime(centres.astype(np.int64))]
    return [float(v) for v in np.round(centres, 10)]
