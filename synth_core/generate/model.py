"""What fit() and sample() return: the fitted model (a value, never changed after fit) and
the synthetic rows with what happened."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from synth_core.data.schema import ColumnKind, Schema
from synth_core.generate.conditions import LeafCoverage
from synth_core.generate.constraints import Constraint
from synth_core.generate.derived import Derived
from synth_core.generate.generators.registry import Generator
from synth_core.generate.protect.pii import (
    PiiAction,
)
from synth_core.generate.protect.quality import QualityFilter, QualityStats
from synth_core.generate.protect.similarity import FilterStats, SimilarityFilter
from synth_core.generate.screen import Skipped
from synth_core.generate.spec import (
    GenerationSpec,
)


@dataclass(frozen=True)
class FittedModel:
    """A trained generator and what is needed to turn its rows into the user's table.

    A value: nothing here changes after fit(). Sampling restarts the generator's random state
    from the seed it is given, so the same model and seed give the same rows."""

    generator: Generator
    spec: GenerationSpec
    schema: Schema  # the table's columns
    model_schema: Schema  # the columns the generator learnt
    train: pd.DataFrame
    holdout: pd.DataFrame
    fit_rows: int
    fit_seconds: float
    notes: tuple[str, ...]
    losses: tuple[dict[str, float], ...] = ()
    similarity_filter: SimilarityFilter | None = None
    quality_filter: QualityFilter | None = None
    rules: tuple[Constraint, ...] = ()  # found in the training rows and kept (spec.rules)
    skipped: tuple[Skipped, ...] = ()  # rules not applied as they are: they would distort a column
    applied: tuple[Constraint, ...] | None = None  # what screening kept (None: not screened)
    derived: Derived = field(default_factory=Derived)  # columns learnt in another form

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        """What every synthetic row follows: the user's constraints and the rules kept, as
        screening left them (see ``synth_core.generate.screen``)."""
        if self.applied is not None:
            return self.applied
        return tuple(dict.fromkeys((*self.spec.constraints, *self.rules)))

    @property
    def output_schema(self) -> Schema:
        """The synthetic table's columns (without dropped PII columns)."""
        drop = self.spec.privacy.protects_pii and self.spec.pii_action is PiiAction.DROP
        return Schema(tuple(c for c in self.schema if not (drop and c.kind is ColumnKind.PII)))


@dataclass(frozen=True)
class SynthResult:
    """Synthetic rows, the model that made them (for sampling more) and what happened."""

    data: pd.DataFrame
    schema: Schema
    spec: GenerationSpec
    model: FittedModel
    sample_seconds: float
    notes: tuple[str, ...]
    coverage: tuple[LeafCoverage, ...] = ()
    seed: int = 0
    similarity_stats: FilterStats | None = None  # what the filters did to these rows
    quality_stats: QualityStats | None = None

    @property
    def train(self) -> pd.DataFrame:
        return self.model.train

    @property
    def holdout(self) -> pd.DataFrame:
        return self.model.holdout

    @property
    def fit_seconds(self) -> float:
        return self.model.fit_seconds
