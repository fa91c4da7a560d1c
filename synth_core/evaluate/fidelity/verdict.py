"""The one-line fidelity verdict: the quality score alone said "high" for trips of 2.5 hours
and weekdays that disagree with their dates, because each column on its own and each pair's
correlation looked right. The verdict here is the worst of three readings, each with what it
saw:

- the quality score (Column Shapes and Column Pair Trends): high from 0.9, moderate from 0.8;
- detection: whether a classifier tells synthetic rows from real ones: high while its ROC AUC
  is within 0.1 of 0.5 ("hard to tell apart"), moderate within 0.25, else low (and low below
  0.4, where synthetic copies of real rows confuse it);
- relations: the rules every real row keeps (orders, gaps, sums, parts of a date, determined
  columns, bounds) checked on the synthetic rows: high while each is broken by at most 1% of them
  and, for an order, the gap between its columns has a KS distance to the real gap of at most
  0.2; moderate up to 10% and 0.4; else low.

"High" therefore needs all three. Without a detection result yet, the verdict says it waits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from synth_core.evaluate.fidelity.detection import COPY_SIGNAL_AUC, Detection
from synth_core.evaluate.fidelity.quality import Quality
from synth_core.evaluate.fidelity.rules import RulesReport

LEVELS = ("low", "moderate", "high")
SCORE = (0.8, 0.9)  # moderate from, high from
DETECTION = (0.25, 0.1)  # |AUC - 0.5| up to: moderate, high
BROKEN = (0.10, 0.01)  # share of synthetic rows breaking a rule up to: moderate, high
GAP_KS = (0.4, 0.2)  # KS distance of an order's gap up to: moderate, high
_REASONS = 4  # relations named at most


@dataclass(frozen=True)
class Verdict:
    level: str  # "high", "moderate", "low" or "not available"
    waiting: bool  # detection has not been measured yet
    reasons: tuple[str, ...]  # what keeps it from "high", in words
    seen: tuple[str, ...] = ()  # what was checked and found right, in words

    @property
    def text(self) -> str:
        if self.level == "not available":
            return "Quality is **not available**: no column could be compared."
        head = f"Quality is **{self.level}**"
        if self.waiting:
            head += " so far (waiting for detection, which can lower it)"
        if not self.reasons:
            return head + (": " + ", ".join(self.seen) + "." if self.seen else ".")
        return head + ". What gives the synthetic rows away: " + "; ".join(self.reasons) + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "waiting_for_detection": self.waiting,
            "reasons": list(self.reasons),
        }


def _level(value: float, moderate: float, high: float, higher_is_better: bool) -> int:
    if higher_is_better:
        return 2 if value >= high else 1 if value >= moderate else 0
    return 2 if value <= high else 1 if value <= moderate else 0


def verdict(quality: Quality, detection: Detection | None, rules: RulesReport | None) -> Verdict:
    """The worst of the score, detection and the relations, with the reasons."""
    if quality.overall is None or not math.isfinite(quality.overall):
        return Verdict("not available", detection is None, ())
    levels = [_level(quality.overall, *SCORE, higher_is_better=True)]
    reasons: list[str] = []
    seen = [f"the score is {quality.overall:.1%}"]
    if levels[0] < 2:
        reasons.append(f"the quality score is {quality.overall:.1%} (high from {SCORE[1]:.0%})")
    if detection is not None:
        distance = abs(detection.auc - 0.5)
        level = _level(distance, *DETECTION, higher_is_better=False)
        if detection.auc < COPY_SIGNAL_AUC:
            level = 0
        levels.append(level)
        seen.append(f"a classifier can hardly tell the rows apart (ROC AUC {detection.auc:.2f})")
        if level < 2:
            top = [f"'{f.column}'" for f in detection.features[:3] if f.importance > 0]
            by = f", mostly by {', '.join(top)}" if top else ""
            reasons.append(
                f"a classifier tells them from real rows (ROC AUC {detection.auc:.2f}, "
                f"{detection.verdict}){by}"
            )
    if rules is not None:
        relation_reasons: list[tuple[int, float, str]] = []
        for check in rules.checks:
            if not check.exact:
                continue
            broken = _level(check.synthetic_share, *BROKEN, higher_is_better=False)
            if broken < 2:
                relation_reasons.append(
                    (
                        broken,
                        -check.synthetic_share,
                        f"'{check.rule}' is broken in {check.synthetic_share:.0%} of synthetic "
                        "rows (never in the real ones)",
                    )
                )
            if check.gap is not None:
                gap = _level(check.gap.ks, *GAP_KS, higher_is_better=False)
                if gap < 2:
                    relation_reasons.append((gap, -check.gap.ks, check.gap.describe()))
        if relation_reasons:
            relation_reasons.sort()
            levels.append(relation_reasons[0][0])
            reasons.extend(text for _, _, text in relation_reasons[:_REASONS])
            if len(relation_reasons) > _REASONS:
                reasons.append(f"{len(relation_reasons) - _REASONS} more relations (Rules tab)")
        else:
            levels.append(2)
            exact = sum(1 for c in rules.checks if c.exact)
            if exact:
                seen.append(f"the rows keep every rule the real rows keep ({exact})")
    return Verdict(LEVELS[min(levels)], detection is None, tuple(reasons), tuple(seen))
