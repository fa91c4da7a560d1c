"""Fidelity: how closely the synthetic table follows the real one."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from synth_core.data.schema import Schema
from synth_core.evaluate.fidelity.associations import (
    AssociationPair,
    association_matrix,
    largest_differences,
)
from synth_core.evaluate.fidelity.detection import Detection, detect
from synth_core.evaluate.fidelity.distributions import (
    Distribution,
    Frequencies,
    Histogram,
    distribution,
)
from synth_core.evaluate.fidelity.drilldown import (
    Contingency,
    Density2D,
    PairSummary,
    pair_drilldown,
)
from synth_core.evaluate.fidelity.evaluation import (
    ColumnReport,
    FidelityReport,
    content_hash,
    detect_cached,
    evaluate_fidelity,
    remember_detection,
)
from synth_core.evaluate.fidelity.prepare import Binning, prepare
from synth_core.evaluate.fidelity.quality import (
    PairScore,
    Quality,
    ShapeScore,
    column_shape,
    quality,
)
from synth_core.evaluate.fidelity.stats import (
    StatRow,
    column_statistics,
    compared_kinds,
    statistics_table,
)


def evaluate_quality(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema, binning: Binning = Binning.SHARED
) -> Quality:
    """Column Shapes, Column Pair Trends and the overall score (see fidelity.quality)."""
    return quality(prepare(real, synthetic, schema, binning))


def column_shapes(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> list[ShapeScore]:
    """Each compared column's KSComplement or TVComplement: the one KS and TVD of the project
    (the Fidelity page, the collapse lab and the quality filter's effect use it)."""
    return [column_shape(column) for column in prepare(real, synthetic, schema)]


@dataclass(frozen=True)
class Comparison:
    """Statistics, distributions and associations: the quick real-versus-synthetic overview."""

    columns: tuple[str, ...]
    statistics: tuple[StatRow, ...]
    distributions: dict[str, Distribution]
    real_associations: pd.DataFrame
    synthetic_associations: pd.DataFrame
    largest_differences: tuple[AssociationPair, ...]

    def statistics_table(self) -> pd.DataFrame:
        return statistics_table(list(self.statistics))


def compare(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> Comparison:
    """Compare the columns both tables share (IDs and personal data are left out)."""
    columns = [
        c for c in compared_kinds(schema) if c.name in synthetic.columns and c.name in real.columns
    ]
    names = [c.name for c in columns]
    real_matrix = association_matrix(real, schema, names)
    synthetic_matrix = association_matrix(synthetic, schema, names)
    return Comparison(
        columns=tuple(names),
        statistics=tuple(column_statistics(real, synthetic, schema)),
        distributions={c.name: distribution(c, real[c.name], synthetic[c.name]) for c in columns},
        real_associations=real_matrix,
        synthetic_associations=synthetic_matrix,
        largest_differences=tuple(largest_differences(real_matrix, synthetic_matrix, schema)),
    )


__all__ = [
    "AssociationPair",
    "Binning",
    "ColumnReport",
    "Comparison",
    "Contingency",
    "Density2D",
    "Detection",
    "Distribution",
    "FidelityReport",
    "Frequencies",
    "Histogram",
    "PairScore",
    "PairSummary",
    "Quality",
    "ShapeScore",
    "StatRow",
    "column_shapes",
    "compare",
    "content_hash",
    "detect",
    "detect_cached",
    "evaluate_fidelity",
    "evaluate_quality",
    "pair_drilldown",
    "remember_detection",
]
