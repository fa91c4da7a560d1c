"""Figures stay readable at 60 columns: a label for every column, panels that do not squeeze,
and a pair drill-down whose colours are not swallowed by the pooled "(other)" cell."""

from __future__ import annotations

import numpy as np
import pytest

from synth_core import read_table
from synth_core.evaluate.fidelity import evaluate_fidelity
from synth_core.evaluate.fidelity.distributions import OTHER
from synth_core.evaluate.fidelity.drilldown import pair_drilldown
from synth_core.present.plots import association_figure, pair_figure, shapes_figure
from tests.helpers import sixty_columns_csv


@pytest.mark.slow
def test_every_column_keeps_its_label_at_sixty_columns() -> None:
    table = read_table(sixty_columns_csv())
    report = evaluate_fidelity(
        table.df, table.df.sample(frac=1, random_state=1), table.schema, detection=False
    )
    shapes = shapes_figure(list(report.quality.shapes))
    assert len(shapes.data[0].y) == 60
    assert shapes.layout.yaxis.dtick == 1
    assert shapes.layout.height >= 22 * 60  # not the 320 px that showed one label in four
    assert shapes.layout.yaxis.automargin
    heatmaps = association_figure(report.real_associations, report.synthetic_associations)
    assert len(heatmaps.data) == 3
    assert heatmaps.layout.xaxis.dtick == 1
    assert heatmaps.layout.yaxis.dtick == 1
    # stacked: each panel as wide as the page
    assert heatmaps.layout.xaxis.domain == heatmaps.layout.xaxis3.domain


def test_the_pooled_other_cell_does_not_set_the_colour_scale() -> None:
    rng = np.random.default_rng(0)
    import pandas as pd

    zones = [f"zone {k}" for k in range(200)]
    frame = pd.DataFrame({"pickup": rng.choice(zones, 3000), "dropoff": rng.choice(zones, 3000)})
    table = read_table(frame.to_csv(index=False).encode())
    summary = pair_drilldown(table.df, table.df, table.schema, "pickup", "dropoff")
    figure = pair_figure(summary)
    real = np.array(figure.data[0].z)
    x, y = list(figure.data[0].x), list(figure.data[0].y)
    other = real[y.index(OTHER), x.index(OTHER)]
    assert other > 0.5  # most pairs fall in (other) × (other)
    assert figure.data[0].zmax < other / 10  # the named cells keep their colours


def test_long_category_names_get_horizontal_bars_tall_enough_to_read() -> None:
    """Issue 23: long category labels under upright bars left a 60 px plot."""
    from synth_core.evaluate.fidelity.distributions import Frequencies
    from synth_core.present.plots import frequencies_figure

    names = (
        "critical/other existing credit",
        "existing paid",
        "delayed previously",
        "no credits/all paid",
        "all paid",
    )
    shares = np.array([0.29, 0.53, 0.09, 0.04, 0.05])
    figure = frequencies_figure(Frequencies("credit_history", names, shares, shares))
    assert figure.data[0].orientation == "h"
    assert list(figure.data[0].y) == list(names)
    assert figure.layout.height >= 22 * 2 * len(names)
    short = frequencies_figure(Frequencies("smoker", ("yes", "no"), shares[:2], shares[:2]))
    assert short.data[0].orientation != "h"
