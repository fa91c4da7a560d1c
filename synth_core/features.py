"""Feature matrices ready for scikit-learn's histogram gradient boosting."""

from __future__ import annotations

import numpy as np


def fit_ready(x: np.ndarray) -> np.ndarray:
    """``x`` with every column that is missing in all rows set to 0.

    scikit-learn 1.9's HistGradientBoosting fails on such a column ("window shape cannot be
    larger than input array shape" while binning), and a cross-validation fold or a synthetic
    table can have one (a column empty in all but a few real rows). A column with no value
    carries nothing to learn, so a constant loses nothing; at prediction time its values are
    ignored the same way."""
    empty = np.isnan(x).all(axis=0) if x.size else np.zeros(x.shape[1], dtype=bool)
    if not empty.any():
        return x
    ready = x.copy()
    ready[:, empty] = 0.0
    return ready
