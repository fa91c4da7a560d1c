"""Rules the real rows keep, checked on the synthetic rows: which share of synthetic rows break
each rule found in the real (training) rows, worst first, with examples of breaking rows.

The rules are those ``synth_core.generate.discover`` finds (order, constant gaps, determined
columns, combinations that never occur, sums, bounds, missing together); a rule found with a
few exceptions in the real rows is checked too, and its real share says how often the real rows
break it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from synth_core.data.schema import Schema
from synth_core.generate import constraints as rules
from synth_core.generate.discover import Discovery, Found, discover
from synth_core.jsonable import plain

EXAMPLES = 5


@dataclass(frozen=True)
class RuleCheck:
    """One rule of the real rows and how the synthetic rows keep it."""

    rule: str  # in plain words
    kind: str
    columns: tuple[str, ...]
    evidence: str  # in the real rows
    real_share: float  # share of real rows that break it (0 for a rule that always holds)
    synthetic_share: float  # share of synthetic rows that break it
    violations: int  # synthetic rows that break it
    examples: pd.DataFrame  # up to EXAMPLES breaking synthetic rows, the rule's columns

    @property
    def exact(self) -> bool:
        return self.real_share == 0

    def to_dict(self) -> dict[str, Any]:
        examples = self.examples.astype(object).where(self.examples.notna(), None)
        return {
            "rule": self.rule,
            "kind": self.kind,
            "columns": list(self.columns),
            "evidence": self.evidence,
            "real_share": self.real_share,
            "synthetic_share": self.synthetic_share,
            "violations": self.violations,
            "examples": [
                {k: plain(str(v) if isinstance(v, pd.Timestamp) else v) for k, v in row.items()}
                for row in examples.to_dict("records")
            ],
        }


@dataclass(frozen=True)
class RulesReport:
    checks: tuple[RuleCheck, ...]  # worst first
    searched: str  # how far discovery searched, in words
    rows_real: int

    @property
    def broken(self) -> tuple[RuleCheck, ...]:
        return tuple(c for c in self.checks if c.violations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": [c.to_dict() for c in self.checks],
            "searched": self.searched,
            "rows_real": self.rows_real,
        }


def check(found: Found, real: pd.DataFrame, synthetic: pd.DataFrame) -> RuleCheck:
    """How ``synthetic`` keeps one rule found in ``real``."""
    columns = list(found.columns)
    ok = rules.holds(found.constraint, synthetic, real)
    broken = int((~ok).sum())
    return RuleCheck(
        rule=found.text,
        kind=found.kind,
        columns=found.columns,
        evidence=found.evidence(),
        real_share=found.exceptions / found.rows if found.rows else 0.0,
        synthetic_share=broken / len(synthetic) if len(synthetic) else 0.0,
        violations=broken,
        examples=synthetic.loc[~ok, columns].head(EXAMPLES).reset_index(drop=True),
    )


def check_rules(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    discovery: Discovery | None = None,
) -> RulesReport:
    """Every rule found in ``real`` (the rows a generator learnt from) checked on ``synthetic``;
    rules on columns the synthetic table lacks are left out."""
    columns = Schema(tuple(c for c in schema if c.name in real.columns))
    discovery = discovery or discover(real, columns)
    checks = [
        check(found, real, synthetic)
        for found in discovery.rules
        if all(name in synthetic.columns for name in found.columns)
    ]
    checks.sort(key=lambda c: (-c.synthetic_share, c.real_share, c.rule))
    return RulesReport(tuple(checks), discovery.searched, discovery.rows)
