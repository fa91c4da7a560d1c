"""Privacy–utility curve: the DP generator at several ε as one job, with fidelity and the
privacy metrics at each ε, beside a non-DP generator as the reference line."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.table import Table
from synth_core.errors import SpecError
from synth_core.evaluate.fidelity import evaluate_quality
from synth_core.evaluate.privacy.report import privacy_report
from synth_core.generate.generators import registry
from synth_core.generate.generators.registry import GeneratorKind, ParamValue
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import synthesize
from synth_core.jsonable import plain

EPSILONS = (0.1, 0.3, 1.0, 3.0, 10.0)
REFERENCE = "gaussian_copula"


@dataclass(frozen=True)
class CurvePoint:
    label: str  # "ε = 1" or the reference generator
    epsilon: float | None  # None for the reference
    overall: float | None
    column_shapes: float | None
    pair_trends: float | None
    dcr_share: float | None
    mia_auc: float | None
    seconds: float


@dataclass(frozen=True)
class PrivacyUtilityCurve:
    points: tuple[CurvePoint, ...]
    reference: CurvePoint | None
    rows: int

    def to_dict(self) -> dict[str, object]:
        payload: dict[str, object] = plain(
            {"points": list(self.points), "reference": self.reference, "rows": self.rows}
        )
        return payload


def _point(table: Table, spec: GenerationSpec, label: str, epsilon: float | None) -> CurvePoint:
    started = time.perf_counter()
    result = synthesize(table, spec)
    seconds = time.perf_counter() - started
    quality = evaluate_quality(result.train, result.data, result.schema)
    privacy = privacy_report(
        result.train, result.data, result.schema, holdout=result.holdout, attacks=False
    )
    return CurvePoint(
        label,
        epsilon,
        quality.overall,
        quality.column_shapes,
        quality.pair_trends,
        None if privacy.dcr_share is None else privacy.dcr_share.share,
        None if privacy.mia is None else privacy.mia.auc,
        seconds,
    )


def privacy_utility_curve(
    table: Table,
    spec: GenerationSpec,
    epsilons: Sequence[float] = EPSILONS,
    reference: str | None = REFERENCE,
    progress: ProgressFn = no_progress,
) -> PrivacyUtilityCurve:
    """``spec`` (a DP generator's) at each ε; the reference is the same spec with ``reference``
    as generator (its default parameters) and no DP."""
    info = registry.get(spec.generator)
    if info.kind is not GeneratorKind.DP:
        raise SpecError("The privacy–utility curve needs the differentially private generator.")
    if not epsilons:
        raise SpecError("Give at least one ε for the curve.")
    steps = len(epsilons) + (1 if reference else 0)
    points = []
    for position, epsilon in enumerate(sorted(epsilons)):
        progress(position / steps, f"ε = {epsilon:g} ({position + 1} of {steps})")
        params: dict[str, ParamValue] = {**spec.params, "epsilon": epsilon}
        points.append(_point(table, replace(spec, params=params), f"ε = {epsilon:g}", epsilon))
    baseline = None
    if reference:
        progress(len(epsilons) / steps, f"Reference without DP: {reference}")
        baseline = _point(table, replace(spec, generator=reference, params={}), reference, None)
    progress(1.0, "Done")
    return PrivacyUtilityCurve(tuple(points), baseline, spec.rows)
