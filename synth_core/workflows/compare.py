"""Compare generators on the user's table and recommend one, by measurement.

Every chosen generator is fitted on the same training rows (the table split once with the seed),
within a time budget, samples as many rows as the training set, and is measured against the
same holdout with the project's own metrics: overall quality and detection AUC (the Fidelity
page's), TSTR when a target is given, exact copies beside the holdout's own rate and the DCR
share with its interval (the Privacy page's, synth_core.evaluate.privacy.dcr), fit and sample
seconds and the peak memory seen. A generator that fails or overruns its budget gets a status
and a reason; the others go on.

The privacy gate has three outcomes (``Score.gate``): it passes when exact copies are at most the
holdout's own rate + 0.5 point and the DCR share is clearly fine (green: its 95% interval ends at
or below 58%, ``synth_core.evaluate.privacy.report.judge_dcr``); it cannot tell when copies pass
but the holdout is too small to judge the DCR share; it fails otherwise, naming the number and
the bound.

The recommendation (RULE): among the generators that pass, the one whose synthetic rows a
classifier tells apart from real rows least well (lowest detection AUC); detection AUCs within
0.01 of the best count as a tie, won by the fastest. Generators that cannot be judged come after
those that pass: chosen by the same rule only when none passes, and the why says so. None passes
or can be judged: no recommendation, and why."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core._system import resident_memory_mb
from synth_core.data.table import Table
from synth_core.errors import JobCancelledError, SpecError, SynthCoreError
from synth_core.evaluate.fidelity import evaluate_fidelity
from synth_core.evaluate.privacy.report import Verdict, privacy_report
from synth_core.evaluate.utility import quick_score
from synth_core.generate.generators import registry
from synth_core.generate.generators.registry import (
    GeneratorInfo,
    GeneratorKind,
    ParamValue,
    TableShape,
    table_shape,
)
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import synthesize
from synth_core.jsonable import plain

_log = logging.getLogger(__name__)

RULE = (
    "Among the generators that pass the privacy gate (exact copies at most the holdout's own "
    "rate + 0.5 point, and a DCR share whose 95% interval ends at or below 58%), the one with "
    "the lowest detection AUC; AUCs within 0.01 of the best are a tie, won by the fastest. "
    "Generators whose DCR share this holdout cannot judge come after those that pass."
)
COPY_MARGIN = 0.005
TIE_AUC = 0.01
DEFAULT_BUDGET_SECONDS = 60.0
# A generator still running at this multiple of its budget (plus time to load its library and
# prepare the data) is stopped: neural ones get epochs that fit the budget from their time
# estimate, so this guards against a bad estimate.
OVERRUN = 2.0
SETUP_SECONDS = 30.0
_MEMORY_EVERY = 0.2


class Gate(StrEnum):
    PASSES = "passes"
    CANNOT_TELL = "cannot tell"
    FAILS = "fails"
    NOT_MEASURED = "not measured"


class Status(StrEnum):
    OK = "ok"
    FAILED = "failed"
    OVER_BUDGET = "over budget"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class CompareSettings:
    generators: tuple[str, ...] = ()  # empty: every available generator except DP ones
    budget_seconds: float = DEFAULT_BUDGET_SECONDS  # per generator, for fitting
    target: str | None = None
    rows: int | None = None  # synthetic rows; None: as many as the training rows
    seed: int = 0
    holdout_fraction: float = 0.2

    def chosen(self) -> list[GeneratorInfo]:
        if not self.generators:
            return [i for i in registry.available() if i.kind is not GeneratorKind.DP]
        return [registry.get(name) for name in self.generators]

    def validate(self) -> None:
        if self.budget_seconds <= 0:
            raise SpecError("The time budget per generator must be more than 0 seconds.")
        if not 0.05 <= self.holdout_fraction <= 0.5:
            raise SpecError(
                "Comparing generators needs a holdout: choose a holdout share between 0.05 and 0.5."
            )
        if not self.chosen():
            raise SpecError("Choose at least one generator to compare.")


@dataclass(frozen=True)
class Score:
    """One generator's outcome on this table (None where not measured)."""

    name: str
    status: Status
    reason: str = ""
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    quality: float | None = None
    detection_auc: float | None = None
    tstr: float | None = None
    exact_match_rate: float | None = None
    holdout_match_rate: float | None = None
    dcr_share: float | None = None
    dcr_ci: tuple[float, float] | None = None
    dcr_verdict: str | None = None
    fit_seconds: float | None = None
    sample_seconds: float | None = None
    peak_rss_mb: float | None = None
    dcr_why: str = ""  # the DCR verdict in words, with its numbers and bound

    @property
    def gate(self) -> tuple[Gate, str]:
        """The privacy gate's outcome and, unless it passes, which number and which bound."""
        if self.status is not Status.OK or self.exact_match_rate is None:
            return Gate.NOT_MEASURED, self.reason or "not measured"
        own = self.holdout_match_rate or 0.0
        if self.exact_match_rate > own + COPY_MARGIN:
            return Gate.FAILS, (
                f"exact copies {self.exact_match_rate:.2%} of rows, above the bound of "
                f"{own + COPY_MARGIN:.2%} (the holdout's own {own:.2%} + 0.5 point)"
            )
        if self.dcr_verdict is None:
            return Gate.CANNOT_TELL, "no holdout rows to measure the DCR share against"
        if self.dcr_verdict == Verdict.GREEN.value:
            return Gate.PASSES, ""
        why = self.dcr_why or f"DCR share {self.dcr_verdict}"
        if self.dcr_verdict == Verdict.UNCERTAIN.value:
            return Gate.CANNOT_TELL, why
        return Gate.FAILS, why

    @property
    def passes_privacy(self) -> bool:
        return self.gate[0] is Gate.PASSES

    @property
    def seconds(self) -> float:
        return (self.fit_seconds or 0.0) + (self.sample_seconds or 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "quality": self.quality,
            "detection_auc": self.detection_auc,
            "tstr": self.tstr,
            "exact_match_rate": self.exact_match_rate,
            "holdout_match_rate": self.holdout_match_rate,
            "dcr_share": self.dcr_share,
            "dcr_ci": list(self.dcr_ci) if self.dcr_ci else None,
            "dcr_verdict": self.dcr_verdict,
            "passes_privacy": self.passes_privacy,
            "gate": self.gate[0].value,
            "gate_reason": self.gate[1] or None,
            "fit_seconds": self.fit_seconds,
            "sample_seconds": self.sample_seconds,
            "peak_rss_mb": self.peak_rss_mb,
            "params": dict(self.params),
            "reason": self.reason or None,
        }


@dataclass(frozen=True)
class GeneratorComparison:
    scores: tuple[Score, ...]
    recommended: str | None
    why: str  # the recommendation in words
    settings: CompareSettings
    training_rows: int
    holdout_rows: int
    trtr: float | None  # the target's score of a model trained on real training rows
    metric: str | None  # the TSTR/TRTR metric
    seconds: float

    def score(self, name: str) -> Score:
        return next(s for s in self.scores if s.name == name)

    def why_not(self, name: str) -> str:
        """Why ``name`` is not the recommended generator, in numbers ("" for the recommended)."""
        return why_not(self.scores, self.recommended).get(name, "")

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON (README, "Compare generators")."""
        payload: dict[str, Any] = plain(
            {
                "recommended": self.recommended,
                "why": self.why,
                "rule": RULE,
                "generators": {
                    s.name: s.to_dict() | {"why_not": self.why_not(s.name) or None}
                    for s in self.scores
                },
                "settings": {
                    "generators": [s.name for s in self.scores],
                    "budget_seconds": self.settings.budget_seconds,
                    "target": self.settings.target,
                    "rows": self.settings.rows,
                    "seed": self.settings.seed,
                    "holdout_fraction": self.settings.holdout_fraction,
                    "training_rows": self.training_rows,
                    "holdout_rows": self.holdout_rows,
                    "tstr_metric": self.metric,
                    "trtr": self.trtr,
                },
                "seconds": self.seconds,
            }
        )
        return payload


def budget_params(info: GeneratorInfo, shape: TableShape, budget: float) -> dict[str, Any]:
    """Parameters that fit ``info``'s training into ``budget`` seconds on this machine: a time
    budget where the generator has one, else as many epochs (up to its default) as its time
    estimate allows, at least one."""
    names = {p.name for p in info.params}
    if "max_training_minutes" in names:
        return {"max_training_minutes": max(budget / 60.0, 0.05)}
    if "epochs" not in names or info.estimate is None:
        return {}
    default = int(info.defaults()["epochs"])
    epochs = default
    while epochs > 1 and (info.estimate_seconds(shape, {"epochs": epochs}) or 0) > budget:
        epochs = max(1, int(epochs * 0.8))
    return {"epochs": epochs}


class _OverBudgetError(SynthCoreError):
    """Training went past the generator's time limit."""


@contextmanager
def _peak_memory() -> Iterator[Callable[[], float | None]]:
    """The largest resident memory of this process seen while the block runs, in MB."""
    peak: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            now = resident_memory_mb()
            if now is not None:
                peak.append(now)
            done.wait(_MEMORY_EVERY)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield lambda: max(peak) if peak else None
    finally:
        done.set()
        thread.join()


def compare_generators(
    table: Table, settings: CompareSettings, progress: ProgressFn = no_progress
) -> GeneratorComparison:
    """Fit, sample and measure every chosen generator on ``table``; see the module docstring."""
    settings.validate()
    started = time.perf_counter()
    chosen = settings.chosen()
    scores: list[Score] = []
    trtr: float | None = None
    metric: str | None = None
    training_rows = holdout_rows = 0
    rows_for_fit = round(len(table.df) * (1 - settings.holdout_fraction))
    shape = table_shape(table.df, table.schema, rows_for_fit)
    for position, info in enumerate(chosen):
        low, high = position / len(chosen), (position + 1) / len(chosen)
        report = scaled(progress, low, high)
        report(0.0, f"{info.label}: starting ({position + 1} of {len(chosen)})")
        if not info.available:
            scores.append(Score(info.name, Status.UNAVAILABLE, reason=info.install_hint))
            continue
        params = budget_params(info, shape, settings.budget_seconds)
        score, split = _one(table, info, params, settings, report)
        scores.append(score)
        if split is not None:
            training_rows, holdout_rows = split.training_rows, split.holdout_rows
            if settings.target is not None and trtr is None:
                metric, trtr = split.metric, split.trtr
    recommended, why = recommend(scores)
    progress(1.0, "Done")
    return GeneratorComparison(
        tuple(scores),
        recommended,
        why,
        settings,
        training_rows,
        holdout_rows,
        trtr,
        metric,
        time.perf_counter() - started,
    )


@dataclass(frozen=True)
class _Split:
    """What one measured run tells about the split every generator shares: its sizes, and the
    real-data baseline of the target's score (TRTR, with its metric) when there is a target."""

    training_rows: int
    holdout_rows: int
    metric: str | None
    trtr: float | None


def _one(
    table: Table,
    info: GeneratorInfo,
    params: Mapping[str, Any],
    settings: CompareSettings,
    progress: ProgressFn,
) -> tuple[Score, _Split | None]:
    """One generator, fitted and measured; never raises a user-caused error."""
    limit = settings.budget_seconds * OVERRUN + SETUP_SECONDS
    clock = time.perf_counter()

    def guarded(fraction: float, message: str, losses: Mapping[str, float] | None = None) -> None:
        if time.perf_counter() - clock > limit:
            raise _OverBudgetError(
                f"still training after {limit:.0f} s (twice the budget, plus {SETUP_SECONDS:.0f} s "
                "to load and prepare)"
            )
        progress(0.7 * fraction, f"{info.label}: {message}", losses)

    spec = GenerationSpec(
        generator=info.name,
        params=dict(params),
        rows=1,  # replaced below, once the training rows are known
        seed=settings.seed,
        holdout_fraction=settings.holdout_fraction,
    )
    rows = settings.rows or max(round(len(table.df) * (1 - settings.holdout_fraction)), 1)
    try:
        with _peak_memory() as peak:
            result = synthesize(table, replace(spec, rows=rows), guarded)
            memory = peak()
    except JobCancelledError:
        raise
    except _OverBudgetError as exc:
        return Score(info.name, Status.OVER_BUDGET, reason=str(exc), params=params), None
    except SynthCoreError as exc:
        return Score(info.name, Status.FAILED, reason=_one_line(str(exc)), params=params), None
    except Exception as exc:  # a bug in one generator must not end the comparison
        _log.exception("comparing %s failed", info.name)
        reason = f"Unexpected error ({type(exc).__name__}: {_one_line(str(exc))})"
        return Score(info.name, Status.FAILED, reason=reason, params=params), None
    progress(0.75, f"{info.label}: measuring fidelity and detection")
    fidelity = evaluate_fidelity(
        result.train, result.data, result.schema, holdout=result.holdout, seed=settings.seed
    )
    progress(0.9, f"{info.label}: measuring copies and distances")
    privacy = privacy_report(
        result.train,
        result.data,
        result.schema,
        holdout=result.holdout,
        seed=settings.seed,
        attacks=False,
    )
    tstr = trtr = None
    metric: str | None = None
    if settings.target is not None:
        progress(0.95, f"{info.label}: training on synthetic rows, testing on real ones")
        metric, tstr = quick_score(
            result.data, result.holdout, result.schema, settings.target, settings.seed
        )
        _, trtr = quick_score(
            result.train, result.holdout, result.schema, settings.target, settings.seed
        )
    share = privacy.dcr_share
    score = Score(
        info.name,
        Status.OK,
        params=params,
        quality=fidelity.quality.overall,
        detection_auc=fidelity.detection.auc if fidelity.detection else None,
        tstr=tstr,
        exact_match_rate=privacy.exact_match.synthetic,
        holdout_match_rate=privacy.exact_match.holdout,
        dcr_share=share.share if share else None,
        dcr_ci=(share.ci_low, share.ci_high) if share else None,
        dcr_verdict=share.verdict.value if share else None,
        dcr_why=share.why if share else "",
        fit_seconds=result.fit_seconds,
        sample_seconds=result.sample_seconds,
        peak_rss_mb=memory,
    )
    return score, _Split(len(result.train), len(result.holdout), metric, trtr)


def recommend(scores: Sequence[Score]) -> tuple[str | None, str]:
    """The recommended generator by RULE, and why in words."""
    measured = [s for s in scores if s.status is Status.OK and s.detection_auc is not None]
    if not measured:
        return None, "No generator finished: see the reasons in the table."
    passing = [s for s in measured if s.gate[0] is Gate.PASSES]
    unjudged = [s for s in measured if s.gate[0] is Gate.CANNOT_TELL]
    if passing:
        chosen, tied = _best(passing)
        return chosen.name, (
            f"{chosen.name}: detection AUC {chosen.detection_auc:.3f} (lowest among the "
            f"{len(passing)} that pass the privacy gate"
            + (f"; the fastest of {len(tied)} within {TIE_AUC}" if len(tied) > 1 else "")
            + f"), quality {chosen.quality:.3f}, {chosen.seconds:.1f} s."
        )
    if unjudged:
        chosen, tied = _best(unjudged)
        return chosen.name, (
            f"No generator passes the privacy gate; {len(unjudged)} cannot be judged with this "
            f"holdout. Of those, {chosen.name} has the lowest detection AUC "
            f"({chosen.detection_auc:.3f}"
            + (f"; the fastest of {len(tied)} within {TIE_AUC}" if len(tied) > 1 else "")
            + f"), quality {chosen.quality:.3f}, {chosen.seconds:.1f} s. Its privacy is not "
            f"shown to be fine: {chosen.gate[1]}"
        )
    return None, (
        "No generator passed the privacy gate: "
        + "; ".join(f"{s.name}: {s.gate[1]}" for s in measured)
        + ". Try the similarity filter or differential privacy, or larger leaves for CART."
    )


def why_not(scores: Sequence[Score], recommended: str | None) -> dict[str, str]:
    """For every generator but the recommended one, why RULE did not choose it, in numbers:
    the status, the privacy gate's number and bound, or the detection AUC beside the
    recommended one's (and the seconds, when it lost a tie)."""
    chosen = next((s for s in scores if s.name == recommended), None)
    reasons: dict[str, str] = {}
    for s in scores:
        if s is chosen:
            continue
        gate, reason = s.gate
        if s.status is not Status.OK or gate is Gate.NOT_MEASURED:
            reasons[s.name] = f"{s.status.value}: {s.reason}" if s.reason else s.status.value
        elif chosen is None or gate is Gate.FAILS:
            reasons[s.name] = f"privacy gate {gate.value}: {reason}" if reason else gate.value
        elif gate is Gate.CANNOT_TELL and chosen.gate[0] is Gate.PASSES:
            reasons[s.name] = f"its privacy cannot be judged here ({reason})"
        else:
            reasons[s.name] = _lost_on_detection(s, chosen)
    return reasons


def _lost_on_detection(score: Score, chosen: Score) -> str:
    mine, best = score.detection_auc, chosen.detection_auc
    if mine is None or best is None:
        return "no detection AUC"
    quality = (
        f"; quality {score.quality:.3f} vs {chosen.quality:.3f}"
        if score.quality is not None and chosen.quality is not None
        else ""
    )
    if mine > best + TIE_AUC:
        return f"detection AUC {mine:.3f} vs {best:.3f} ({chosen.name}){quality}"
    return (
        f"detection AUC {mine:.3f}, a tie with {chosen.name}'s {best:.3f} (within {TIE_AUC}), "
        f"but slower: {score.seconds:.1f} s vs {chosen.seconds:.1f} s{quality}"
    )


def _best(scores: Sequence[Score]) -> tuple[Score, list[Score]]:
    """The lowest detection AUC, ties within TIE_AUC won by the fastest."""
    best = min(s.detection_auc or 0.0 for s in scores)
    tied = [s for s in scores if (s.detection_auc or 0.0) <= best + TIE_AUC]
    return min(tied, key=lambda s: s.seconds), tied


def _one_line(text: str) -> str:
    return " ".join(text.split())
