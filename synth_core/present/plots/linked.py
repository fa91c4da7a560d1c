"""Figures of a linked set, from its link summaries: children per parent, real beside
synthetic."""

from __future__ import annotations

import plotly.graph_objects as go

from synth_core.evaluate.linked import LinkScore
from synth_core.present.plots.style import (
    REAL_COLOUR,
    SYNTHETIC_COLOUR,
    SYNTHETIC_LABEL,
    layout,
)

REAL_SET = "real (every row)"  # a set is compared with every real row, held-out ones too


def children_figure(score: LinkScore) -> go.Figure:
    """Share of parent rows with 0, 1, 2, ... children (ranges when parents have many)."""
    labels = [row[0] for row in score.counts]
    figure = go.Figure()
    for label, position, colour in (
        (REAL_SET, 1, REAL_COLOUR),
        (SYNTHETIC_LABEL, 2, SYNTHETIC_COLOUR),
    ):
        figure.add_trace(
            go.Bar(
                x=labels,
                y=[round(float(row[position]), 6) for row in score.counts],
                name=label,
                marker_color=colour,
            )
        )
    figure.update_layout(barmode="group")
    r = score.relation
    return layout(
        figure,
        f"{r.child} rows per {r.parent} row",
        f"{r.child} rows",
        f"share of {r.parent} rows",
    )
