"""evaluate_fidelity(): every fidelity measure of a synthetic table, cached by content, as JSON."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.schema import Schema
from synth_core.errors import SchemaError
from synth_core.evaluate.fidelity.associations import (
    AssociationPair,
    association_matrix,
    largest_differences,
)
from synth_core.evaluate.fidelity.detection import CAP, Detection, detect
from synth_core.evaluate.fidelity.distributions import Distribution, Frequencies, distribution
from synth_core.evaluate.fidelity.prepare import Binning, compared_columns, prepare
from synth_core.evaluate.fidelity.quality import (
    ASSOCIATION_THRESHOLD,
    CORRELATION_THRESHOLD,
    PairScore,
    Quality,
    ShapeScore,
    quality,
)
from synth_core.evaluate.fidelity.rules import RulesReport, check_rules
from synth_core.evaluate.fidelity.significance import ColumnTest, column_test
from synth_core.evaluate.fidelity.stats import StatRow, column_statistics, statistics_table
from synth_core.evaluate.fidelity.validity import ColumnValidity, column_validity
from synth_core.evaluate.fidelity.verdict import Verdict, verdict
from synth_core.jsonable import finite

_CACHE_SIZE = 8


@dataclass(frozen=True)
class ColumnReport:
    """Everything measured about one compared column."""

    name: str
    kind: str
    shape: ShapeScore
    test: ColumnTest
    statistics: tuple[StatRow, ...]
    distribution: Distribution


@dataclass(frozen=True)
class FidelityReport:
    """How faithful a synthetic table is to the real one; ``to_dict`` gives the JSON."""

    quality: Quality
    columns: tuple[ColumnReport, ...]
    validity: tuple[ColumnValidity, ...]
    real_associations: pd.DataFrame
    synthetic_associations: pd.DataFrame
    largest_differences: tuple[AssociationPair, ...]
    rows_real: int
    rows_synthetic: int
    only_in_real: tuple[str, ...]
    only_in_synthetic: tuple[str, ...]
    binning: Binning
    baseline: Quality | None = None  # holdout rows scored against the real rows, for scale
    detection: Detection | None = None
    detection_note: str = ""  # why detection was not run
    rules: RulesReport | None = None  # the real rows' rules checked on the synthetic rows

    @property
    def statistics(self) -> tuple[StatRow, ...]:
        return tuple(row for column in self.columns for row in column.statistics)

    def verdict(self, detection: Detection | None = None) -> Verdict:
        """The headline: score, detection and relations together (``detection`` measured
        separately, e.g. by the page's background job, replaces a missing one)."""
        return verdict(self.quality, detection or self.detection, self.rules)

    def statistics_table(self) -> pd.DataFrame:
        return statistics_table(list(self.statistics))

    def column(self, name: str) -> ColumnReport:
        for column in self.columns:
            if column.name == name:
                return column
        raise SchemaError(f"The column '{name}' was not compared.")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; keys are documented in the README and stable; no NaN anywhere."""
        q = self.quality
        validity = {v.column: _validity_dict(v) for v in self.validity}
        return {
            "fidelity": {
                "overall": finite(q.overall),
                "column_shapes": finite(q.column_shapes),
                "pair_trends": finite(q.pair_trends),
                "detection_auc": finite(self.detection.auc) if self.detection else None,
                "verdict": self.verdict().to_dict(),
                "baseline": _quality_dict(self.baseline) if self.baseline else None,
                "rows": {"real": self.rows_real, "synthetic": self.rows_synthetic},
                "settings": {
                    "binning": self.binning.value,
                    "correlation_threshold": CORRELATION_THRESHOLD,
                    "association_threshold": ASSOCIATION_THRESHOLD,
                    "detection_cap": self.detection.cap if self.detection else CAP,
                },
                "columns": {c.name: _column_dict(c, validity.get(c.name)) for c in self.columns},
                "pairs": [_pair_dict(p) for p in q.pairs],
                "detection": _detection_dict(self.detection) if self.detection else None,
                "detection_note": self.detection_note,
                "validity": validity,
                "columns_only_in_real": list(self.only_in_real),
                "columns_only_in_synthetic": list(self.only_in_synthetic),
            },
            "validity": self.rules.to_dict() if self.rules else {"rules": []},
        }


def _quality_dict(q: Quality) -> dict[str, float | None]:
    return {
        "overall": finite(q.overall),
        "column_shapes": finite(q.column_shapes),
        "pair_trends": finite(q.pair_trends),
    }


def _stat_value(value: float | None, unit: str) -> float | str | None:
    number = finite(value)
    if number is None or unit != "date":
        return number
    return str((pd.Timestamp(0) + pd.to_timedelta(number, unit="D")).round("s"))


def _column_dict(column: ColumnReport, validity: dict[str, Any] | None) -> dict[str, Any]:
    statistics = {
        row.key: {
            "real": _stat_value(row.real, row.unit),
            "synthetic": _stat_value(row.synthetic, row.unit),
            "difference": finite(row.difference),
            "relative": finite(row.relative),
        }
        for row in column.statistics
    }
    result: dict[str, Any] = {
        "kind": column.kind,
        "metric": column.shape.metric,
        "score": finite(column.shape.score),
        "test": {
            "name": column.test.test,
            "statistic": finite(column.test.statistic),
            "p_value": finite(column.test.p_value),
            "distance": finite(column.test.distance),
            "level": column.test.level.value if column.test.level else None,
            "verdict": column.test.verdict,
        },
        "statistics": statistics,
        "validity": validity,
    }
    if isinstance(column.distribution, Frequencies):
        result["categories"] = {
            label: {"real": finite(r), "synthetic": finite(s)}
            for label, r, s in zip(
                column.distribution.categories,
                column.distribution.real_share,
                column.distribution.synthetic_share,
                strict=True,
            )
        }
    return result


def _pair_dict(pair: PairScore) -> dict[str, Any]:
    return {
        "columns": [pair.first, pair.second],
        "metric": pair.metric,
        "score": finite(pair.score),
        "counted": pair.counted,
        "real_correlation": finite(pair.real_correlation),
        "synthetic_correlation": finite(pair.synthetic_correlation),
        "real_association": finite(pair.real_association),
        "synthetic_association": finite(pair.synthetic_association),
        "reason": pair.reason,
    }


def _validity_dict(v: ColumnValidity) -> dict[str, Any]:
    return {
        "kind": v.kind,
        "adherence_metric": v.adherence_metric,
        "adherence": finite(v.adherence),
        "coverage_metric": v.coverage_metric,
        "coverage": finite(v.coverage),
        "missing_real": finite(v.missing_real),
        "missing_synthetic": finite(v.missing_synthetic),
        "missing_similarity": finite(v.missing_similarity),
        "problems": list(v.problems),
    }


def _detection_dict(d: Detection) -> dict[str, Any]:
    return {
        "auc": finite(d.auc),
        "fold_aucs": [finite(a) for a in d.fold_aucs],
        "rows_per_side": d.rows_per_side,
        "cap": d.cap,
        "verdict": d.verdict,
        "features": [{"column": f.column, "importance": finite(f.importance)} for f in d.features],
    }


def _report(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    holdout: pd.DataFrame | None,
    binning: Binning,
) -> FidelityReport:
    shared = [c for c in schema.names if c in real.columns and c in synthetic.columns]
    if not shared:
        raise SchemaError(
            "The real and synthetic tables have no column in common, so there is nothing to "
            "compare. Check that both files have the same header."
        )
    prepared = prepare(real, synthetic, schema, binning)
    scores = quality(prepared)
    rows = column_statistics(real, synthetic, schema)
    columns = []
    for column, shape in zip(prepared, scores.shapes, strict=True):
        columns.append(
            ColumnReport(
                column.name,
                column.schema.kind.value,
                shape,
                column_test(column),
                tuple(r for r in rows if r.column == column.name),
                distribution(column.schema, real[column.name], synthetic[column.name]),
            )
        )
    names = [c.name for c in compared_columns(real, synthetic, schema)]
    real_matrix = association_matrix(real, schema, names)
    synthetic_matrix = association_matrix(synthetic, schema, names)
    baseline = None
    if holdout is not None and len(holdout) > 0:
        baseline = quality(prepare(real, holdout, schema, binning))
    return FidelityReport(
        quality=scores,
        columns=tuple(columns),
        validity=tuple(column_validity(real, synthetic, schema)),
        real_associations=real_matrix,
        synthetic_associations=synthetic_matrix,
        largest_differences=tuple(largest_differences(real_matrix, synthetic_matrix, schema)),
        rows_real=len(real),
        rows_synthetic=len(synthetic),
        only_in_real=tuple(c for c in real.columns if c not in synthetic.columns),
        only_in_synthetic=tuple(c for c in synthetic.columns if c not in real.columns),
        binning=binning,
        baseline=baseline,
        rules=check_rules(real, synthetic, schema),
    )


def content_hash(frame: pd.DataFrame | None) -> str:
    """A fingerprint of a table's names, types and values."""
    if frame is None:
        return "none"
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    if len(frame):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


class _Cache:
    """Recent evaluations by content, so re-opening a page does not recompute them."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_reports = _Cache(_CACHE_SIZE)
_detections = _Cache(_CACHE_SIZE)


def evaluate_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    holdout: pd.DataFrame | None = None,
    detection: bool = True,
    seed: int = 0,
    binning: Binning = Binning.SHARED,
) -> FidelityReport:
    """Scores, tests, validity and (optionally) detection; cached per content of the tables."""
    keys = (content_hash(real), content_hash(synthetic), repr(schema))
    key = (*keys, content_hash(holdout), binning)
    report: FidelityReport | None = _reports.get(key)
    if report is None:
        report = _report(real, synthetic, schema, holdout, binning)
        _reports.put(key, report)
    if detection:
        try:
            report = replace(report, detection=detect_cached(real, synthetic, schema, seed, keys))
        except SchemaError as exc:
            report = replace(report, detection_note=str(exc))
    return report


def remember_detection(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    detection: Detection,
    seed: int = 0,
) -> None:
    """Keep a detection computed elsewhere (in a job's worker process, whose own cache ends
    with it), so evaluating the same tables here does not train the classifier again."""
    key = (content_hash(real), content_hash(synthetic), repr(schema), seed)
    _detections.put(key, detection)


def detect_cached(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    seed: int = 0,
    keys: tuple[str, ...] | None = None,
    progress: ProgressFn = no_progress,
) -> Detection:
    """Detection, cached per content of the tables and seed."""
    key = (*(keys or (content_hash(real), content_hash(synthetic), repr(schema))), seed)
    found: Detection | None = _detections.get(key)
    if found is None:
        progress(0.1, "Training a classifier to tell real from synthetic rows")
        found = detect(real, synthetic, schema, seed=seed)
        _detections.put(key, found)
    progress(1.0, "Done")
    return found
