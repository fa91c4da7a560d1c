"""One evaluation of a synthetic table — fidelity, privacy, utility, fairness — computed once,
with one JSON form. The command line's `evaluate`, the report and the pages render it.

The real rows are split into what the generator learnt from (training) and what it never saw
(the holdout): when the real table given holds the holdout rows too, they count as holdout only
(``training_rows``); the pages pass the training split itself (``Rows``). Fidelity compares the
synthetic rows with the training rows, the holdout scoring the same way as a baseline; privacy
measures against the holdout; utility trains on synthetic rows and tests on the holdout."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.distance import row_hashes
from synth_core.data.schema import Schema
from synth_core.errors import SchemaError, SynthCoreError
from synth_core.evaluate.fairness import FairnessReport, UtilityAndFairness, utility_and_fairness
from synth_core.evaluate.fidelity import Binning, FidelityReport, detect_cached, evaluate_fidelity
from synth_core.evaluate.fidelity.detection import Detection
from synth_core.evaluate.privacy.report import PrivacyReport, privacy_report
from synth_core.evaluate.utility import TaskKind, UtilityReport
from synth_core.jsonable import plain


@dataclass(frozen=True)
class EvaluationSettings:
    """What to measure beyond fidelity."""

    target: str | None = None  # utility (and fairness): a column to predict
    sensitive: tuple[str, ...] = ()  # fairness: group columns
    positive: Any = None  # the positive class of a binary target (default: the rarer one)
    task: TaskKind | None = None  # classification or regression (default: from the target)
    detection: bool = True
    privacy: bool = True
    attacks: bool = True  # Anonymeter's attacks in the privacy part
    seed: int = 0
    binning: Binning = Binning.SHARED

    def validate(self, holdout: pd.DataFrame | None) -> None:
        if self.sensitive and self.target is None:
            raise SynthCoreError("Fairness needs a target to predict (and a holdout).")
        if self.target is not None and holdout is None:
            raise SynthCoreError(
                "Utility needs real rows the generator never saw: keep a holdout (Generate page) "
                "or pass --holdout."
            )


@dataclass(frozen=True)
class Evaluation:
    """Everything measured about one synthetic table."""

    fidelity: FidelityReport
    privacy: PrivacyReport | None
    utility: UtilityReport | None
    fairness: FairnessReport | None
    training_rows: int
    holdout_rows: int
    overlap_rows: int  # rows of the real table given that are holdout rows too

    def to_dict(self) -> dict[str, Any]:
        """The evaluation JSON (README, "The evaluation JSON"): fidelity, privacy, utility and
        fairness keys; no NaN."""
        result = self.fidelity.to_dict()
        if self.privacy is not None:
            result["privacy"] = self.privacy.to_dict()
        if self.utility is not None:
            result.update(self.utility.to_dict())
        if self.fairness is not None:
            result.update(self.fairness.to_dict())
        payload: dict[str, Any] = plain(result)
        return payload


def training_rows(real: pd.DataFrame, holdout: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """The rows of ``real`` a generator learnt from, given its ``holdout`` (rows compared on
    the columns both share).

    When ``real`` holds every holdout row (the whole table was given), one occurrence of each
    holdout row is taken out: what is left is the training split, duplicates included. When it
    does not, ``real`` is the training split already and is kept whole, also where a training
    row happens to equal a holdout row (two people with the same values)."""
    columns = [c for c in schema if c.name in real.columns and c.name in holdout.columns]
    real_hashes = pd.Series(row_hashes(real, columns))
    holdout_hashes = pd.Series(row_hashes(holdout, columns))
    if not holdout_hashes.isin(real_hashes).all():
        return real
    occurrence = real_hashes.groupby(real_hashes).cumcount().to_numpy()
    in_holdout = real_hashes.map(holdout_hashes.value_counts()).fillna(0).to_numpy()
    return real[occurrence >= in_holdout]


@dataclass(frozen=True)
class Rows:
    """The tables one evaluation compares: what the generator learnt from, what it made, and
    real rows it never saw (``holdout``, None without)."""

    training: pd.DataFrame
    synthetic: pd.DataFrame
    schema: Schema
    holdout: pd.DataFrame | None = None
    overlap: int = 0  # rows of the real table given that were holdout rows too

    @classmethod
    def given(
        cls,
        real: pd.DataFrame,
        synthetic: pd.DataFrame,
        schema: Schema,
        holdout: pd.DataFrame | None = None,
    ) -> Rows:
        """From a real table that may hold the holdout rows too (they count as holdout only)."""
        if holdout is None or holdout.empty:
            return cls(real, synthetic, schema)
        training = training_rows(real, holdout, schema)
        return cls(training, synthetic, schema, holdout, len(real) - len(training))


def measure_fidelity(rows: Rows, settings: EvaluationSettings) -> FidelityReport:
    """Scores, tests, validity and (with ``settings.detection``) detection."""
    return evaluate_fidelity(
        rows.training,
        rows.synthetic,
        rows.schema,
        holdout=rows.holdout,
        detection=settings.detection,
        seed=settings.seed,
        binning=settings.binning,
    )


def measure_detection(
    rows: Rows, settings: EvaluationSettings, progress: ProgressFn = no_progress
) -> Detection:
    """Classifier detection alone (cached by content, like ``measure_fidelity``'s)."""
    return detect_cached(
        rows.training, rows.synthetic, rows.schema, settings.seed, progress=progress
    )


def measure_privacy(
    rows: Rows, settings: EvaluationSettings, progress: ProgressFn = no_progress
) -> PrivacyReport:
    return privacy_report(
        rows.training,
        rows.synthetic,
        rows.schema,
        holdout=rows.holdout,
        seed=settings.seed,
        progress=progress,
        attacks=settings.attacks,
    )


def measure_utility(
    rows: Rows, settings: EvaluationSettings, progress: ProgressFn = no_progress
) -> UtilityAndFairness:
    """TSTR against TRTR predicting ``settings.target``, and fairness by ``settings.sensitive``."""
    if settings.target is None or rows.holdout is None:
        raise SynthCoreError(
            "Utility needs a target to predict and real rows the generator never saw (a holdout)."
        )
    return utility_and_fairness(
        rows.training,
        rows.synthetic,
        rows.holdout,
        rows.schema,
        target=settings.target,
        sensitive=settings.sensitive,
        positive=settings.positive,
        task=settings.task,
        progress=progress,
    )


def evaluate_rows(
    rows: Rows,
    settings: EvaluationSettings | None = None,
    progress: ProgressFn = no_progress,
    *,
    fidelity: FidelityReport | None = None,
    privacy: PrivacyReport | None = None,
    utility: UtilityAndFairness | None = None,
) -> Evaluation:
    """Every part ``settings`` asks for; parts already measured (on these rows with these
    settings, e.g. by the pages) are passed in and kept as they are."""
    settings = settings or EvaluationSettings()
    settings.validate(rows.holdout)
    progress(0.0, "Measuring fidelity")
    if fidelity is None:
        fidelity = measure_fidelity(rows, settings)
    elif settings.detection and fidelity.detection is None and not fidelity.detection_note:
        try:
            fidelity = replace(fidelity, detection=measure_detection(rows, settings))
        except SchemaError as exc:
            fidelity = replace(fidelity, detection_note=str(exc))
    if settings.privacy and privacy is None:
        privacy = measure_privacy(rows, settings, scaled(progress, 0.3, 0.7))
    if settings.target is not None and utility is None:
        progress(0.7, f"Training models to predict '{settings.target}'")
        utility = measure_utility(rows, settings, scaled(progress, 0.7, 1.0))
    progress(1.0, "Done")
    return Evaluation(
        fidelity,
        privacy if settings.privacy else None,
        None if utility is None or settings.target is None else utility.utility,
        None if utility is None or settings.target is None else utility.fairness,
        len(rows.training),
        0 if rows.holdout is None else len(rows.holdout),
        rows.overlap,
    )


def evaluate(
    *,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    holdout: pd.DataFrame | None = None,
    settings: EvaluationSettings | None = None,
    progress: ProgressFn = no_progress,
) -> Evaluation:
    """The whole evaluation of ``synthetic`` (``synth_core.evaluate``): fidelity and detection
    against the ``real`` rows it was learnt from, privacy against the ``holdout`` it never saw,
    and utility and fairness when ``settings`` name a target; what the pages, the CLI and the
    report show. See the module docstring for how the rows are split."""
    return evaluate_rows(Rows.given(real, synthetic, schema, holdout), settings, progress)
