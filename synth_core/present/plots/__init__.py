"""Plotly figures built from summaries (bin shares, category shares, matrices), never raw rows."""

from synth_core.present.plots.fidelity import (
    association_figure,
    detection_figure,
    distribution_figure,
    frequencies_figure,
    gap_figure,
    histogram_figure,
    pair_figure,
    shapes_figure,
)
from synth_core.present.plots.linked import children_figure
from synth_core.present.plots.results import (
    COLLAPSE_METRICS,
    augmentation_figure,
    collapse_figure,
    collapse_overview,
    comparison_figure,
    dcr_figure,
    importance_figure,
    loss_figure,
    privacy_utility_figure,
    snapshot_figure,
)
from synth_core.present.plots.style import (
    REAL_COLOUR,
    REAL_LABEL,
    SYNTHETIC_COLOUR,
    SYNTHETIC_LABEL,
)

__all__ = [
    "COLLAPSE_METRICS",
    "REAL_COLOUR",
    "REAL_LABEL",
    "SYNTHETIC_COLOUR",
    "SYNTHETIC_LABEL",
    "association_figure",
    "augmentation_figure",
    "children_figure",
    "collapse_figure",
    "collapse_overview",
    "comparison_figure",
    "dcr_figure",
    "detection_figure",
    "distribution_figure",
    "frequencies_figure",
    "gap_figure",
    "histogram_figure",
    "importance_figure",
    "loss_figure",
    "pair_figure",
    "privacy_utility_figure",
    "shapes_figure",
    "snapshot_figure",
]
