"""The privacy verdicts: green, amber, red and "cannot tell", and the rules that give them (exact
copies against the holdout's own rate, the DCR share's four states with the holdout rows that
would tell, NNDR and the membership-inference AUC)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    UNCERTAIN = "cannot tell"  # measured, but too few holdout rows to judge
    UNKNOWN = "unknown"


def exact_match_verdict(synthetic: float, holdout: float | None) -> Verdict:
    excess = synthetic - (holdout or 0.0)
    if excess <= 0.01:
        return Verdict.GREEN
    return Verdict.AMBER if excess <= 0.05 else Verdict.RED


FINE_SHARE = 0.58  # the DCR share's 95% interval must end at or below this to be clearly fine


TOO_CLOSE_SHARE = 0.60  # a DCR share above this is never fine, whatever its interval


@dataclass(frozen=True)
class DcrJudgement:
    verdict: Verdict
    why: str
    holdout_needed: int | None = None  # for "cannot tell": holdout rows that would tell


def judge_dcr(share: float, ci_low: float, ci_high: float, holdout_rows: int) -> DcrJudgement:
    """The DCR share's verdict, in four states (module docstring), with why in words: the
    numbers that decided it and the bound. ``holdout_rows`` are the real rows per side of a draw;
    the interval narrows as one over their square root, which gives the rows that would tell."""
    interval = f"{_percent(share)} (95% interval {_percent(ci_low)}–{_percent(ci_high)})"
    if share > TOO_CLOSE_SHARE:
        return DcrJudgement(
            Verdict.RED,
            f"DCR share {interval} is above the {TOO_CLOSE_SHARE:.0%} bound: synthetic rows sit "
            "nearer the training rows than unseen real rows do.",
        )
    if ci_low > FINE_SHARE:
        return DcrJudgement(
            Verdict.RED,
            f"DCR share {interval}: even the interval's lower end is above the "
            f"{FINE_SHARE:.0%} bound.",
        )
    if ci_high <= FINE_SHARE:
        return DcrJudgement(
            Verdict.GREEN,
            f"DCR share {interval}: the interval ends at or below the {FINE_SHARE:.0%} bound, so "
            "synthetic rows are at most a few points nearer the training rows than unseen rows.",
        )
    if ci_low > 0.5:
        return DcrJudgement(
            Verdict.AMBER,
            f"DCR share {interval}: above 50% beyond chance, and the interval passes the "
            f"{FINE_SHARE:.0%} bound.",
        )
    if share > FINE_SHARE:
        return DcrJudgement(
            Verdict.AMBER,
            f"DCR share {interval} is above the {FINE_SHARE:.0%} bound; the interval is wide, "
            f"but a share this far above 50% is a warning.",
        )
    needed = _rows_to_tell(share, ci_high, holdout_rows)
    more = f"about {needed:,} would" if needed is not None else "many times as many would"
    return DcrJudgement(
        Verdict.UNCERTAIN,
        f"DCR share {interval}: the interval reaches from 50% to past the {FINE_SHARE:.0%} "
        f"bound, so {holdout_rows:,} holdout rows cannot tell whether the synthetic rows are "
        f"too close; {more} (hold out a larger share, or use a larger table).",
        needed,
    )


def _percent(value: float) -> str:
    """One decimal, or as many more as it takes not to print a bound the value is on the other
    side of (60.004% is above 60%: not "60.0%")."""
    for places in range(1, 5):
        text = f"{value:.{places}%}"
        if not any(value != b and text == f"{b:.{places}%}" for b in _BOUNDS):
            return text
    return text


_BOUNDS = (0.5, FINE_SHARE, TOO_CLOSE_SHARE)


def _rows_to_tell(share: float, ci_high: float, rows: int) -> int | None:
    """Holdout rows per side at which the interval would end at FINE_SHARE, if the share stayed
    where it is (its half-width shrinks as one over the square root of the rows); None when
    that is over 100 times as many."""
    half = ci_high - share
    room = FINE_SHARE - max(share, 0.5)
    if half <= 0 or room <= 0:
        return None
    factor = (half / room) ** 2
    return None if factor > 100 else math.ceil(rows * factor)


def nndr_verdict(ratio: float | None) -> Verdict:
    if ratio is None:
        return Verdict.UNKNOWN
    if ratio >= 0.9:
        return Verdict.GREEN
    return Verdict.AMBER if ratio >= 0.75 else Verdict.RED


def mia_verdict(auc: float) -> Verdict:
    if auc <= 0.55:
        return Verdict.GREEN
    return Verdict.AMBER if auc <= 0.6 else Verdict.RED
