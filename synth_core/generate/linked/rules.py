"""Rules a database keeps across its tables, found on the whole real set with their evidence
(what was seen, and what chance would give), kept in every synthetic set and measured on any:

- **counts per parent** (``CountRule``): on a link, by the child's type column where it has one:
  every account has exactly one OWNER row, every client at least one row (here: exactly one),
  no account more than one loan. A count is a rule when it holds in every real parent row and
  chance would have broken it (rows spread at random with the same mean would give at least
  ``MIN_EXPECTED`` parents outside it);
- **two paths to one ancestor** (``PathAgreement``): a row whose two parents lead to one table
  (a disp row's client lives in a district, its account is kept in one) and how often the two
  rows are the same (the owner lives in the account's district in 91% of accounts, chance 3%).

A link table's **type column** (``type_column``: OWNER / DISPONENT) is the categorical column of
few values whose per-value counts give the most rules; counts are then learnt and kept per
value."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth_core.data.database import Database, Links, Relation, key_text
from synth_core.data.schema import ColumnKind
from synth_core.generate.linked.paths import Path, ancestor_keys, end, paths_up

MIN_PARENTS = 20  # parent rows a count rule needs
MIN_EXPECTED = 3.0  # parents chance would put outside a count rule, at least
TYPE_VALUES = 6  # a type column has 2 to this many values
MIN_AGREEMENT = 0.2  # two paths agree in this share of rows at least ...
AGREEMENT_OVER_CHANCE = 3.0  # ... and this many times as often as chance would make them


@dataclass(frozen=True)
class CountRule:
    """Every parent row has from ``low`` to ``high`` (None: no upper end) child rows through
    ``relation`` (of type ``value`` in ``type_column``, or of any type)."""

    relation: Relation
    low: int
    high: int | None
    parents: int  # real parent rows it holds in
    expected: float  # parent rows chance would put outside it
    type_column: str | None = None
    value: str | None = None

    def describe(self) -> str:
        r = self.relation
        if self.high == self.low:
            amount, many = f"exactly {self.low}", self.low != 1
        elif self.high is None:
            amount, many = f"at least {self.low}", self.low != 1
        else:
            amount, many = f"at most {self.high}", self.high != 1
        rows = f"{r.child} row{'s' if many else ''}"
        kind = f" of {self.type_column} {self.value}" if self.value else ""
        return f"every {r.parent} has {amount} {rows}{kind} ({r.child}.{r.child_key})"

    def evidence(self) -> str:
        return (
            f"holds in all {self.parents:,} {self.relation.parent} rows; with the same rows "
            f"spread at random, about {self.expected:,.0f} would not"
        )

    def counts(self, tables: Mapping[str, pd.DataFrame]) -> np.ndarray:
        """Child rows (of this type) per parent row of ``tables``."""
        r = self.relation
        child = tables[r.child]
        if self.type_column is not None:
            child = child[child[self.type_column].astype("string") == self.value]
        per = key_text(child[r.child_key]).value_counts()
        return key_text(tables[r.parent][r.parent_key]).map(per).fillna(0).to_numpy(dtype=int)

    def kept(self, tables: Mapping[str, pd.DataFrame]) -> float | None:
        """Share of parent rows that keep the rule; None without parent rows."""
        counts = self.counts(tables)
        if counts.size == 0:
            return None
        ok = counts >= self.low
        if self.high is not None:
            ok &= counts <= self.high
        return float(ok.mean())


@dataclass(frozen=True)
class PathAgreement:
    """Rows of ``first[0].child`` whose ancestor through ``first`` is the one through
    ``second`` in ``share`` of the rows (by type value in ``by_type``)."""

    first: Path
    second: Path
    share: float
    chance: float
    rows: int
    type_column: str | None = None
    by_type: Mapping[str, float] = field(default_factory=dict)

    @property
    def child(self) -> str:
        return self.first[0].child

    @property
    def ancestor(self) -> str:
        return end(self.first)

    def describe(self) -> str:
        a, b = self.first[0].parent, self.second[0].parent
        return f"{self.child}: the {a}'s {self.ancestor} is the {b}'s {self.ancestor}"

    def evidence(self) -> str:
        return f"in {self.share:.1%} of {self.rows:,} real rows (chance: {self.chance:.1%})"

    def measure(self, tables: Mapping[str, pd.DataFrame]) -> float | None:
        """Share of the child's rows (reaching the ancestor both ways) where the two agree."""
        same, both = _agreement(self.first, self.second, tables[self.child], tables)
        return float(same[both].mean()) if both.any() else None


@dataclass(frozen=True)
class SetRules:
    """The rules of a set across its tables (the module docstring); bounds live in
    ``bounds``."""

    counts: tuple[CountRule, ...] = ()
    paths: tuple[PathAgreement, ...] = ()
    types: Mapping[str, str] = field(default_factory=dict)  # link table -> its type column

    def for_relation(self, relation: Relation) -> list[CountRule]:
        return [c for c in self.counts if c.relation == relation]


def find_set_rules(database: Database, links: Links) -> SetRules:
    """Count rules on every link and agreeing paths, on all real rows (held-out ones too:
    a rule is a fact about the database)."""
    tables = {name: t.df for name, t in database.tables.items()}
    types: dict[str, str] = {}
    counts: list[CountRule] = []
    for name in database.tables:
        parents = [r for r in links.relations if r.child == name]
        if len(parents) >= 2:
            chosen = _type_column(database, name, parents, tables)
            if chosen is not None:
                types[name] = chosen
        for relation in parents:
            counts.extend(_count_rules(relation, tables, types.get(name)))
    paths = [
        found
        for name in database.tables
        for found in _agreements(name, links.relations, tables, types.get(name))
    ]
    return SetRules(tuple(counts), tuple(paths), types)


def _type_column(
    database: Database, name: str, parents: Sequence[Relation], tables: Mapping[str, pd.DataFrame]
) -> str | None:
    """The child's categorical column of few values (none missing) whose per-value counts give
    the most count rules; None when none gives one."""
    best: tuple[int, int, str] | None = None
    frame = tables[name]
    for column in database.tables[name].schema:
        if column.kind not in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            continue
        values = frame[column.name]
        if values.isna().any() or not 2 <= values.nunique() <= TYPE_VALUES:
            continue
        found = sum(len(_count_rules(r, tables, column.name)) for r in parents)
        found -= sum(len(_count_rules(r, tables, None)) for r in parents)
        if found > 0 and (best is None or (found, -values.nunique()) > best[:2]):
            best = (found, -values.nunique(), column.name)
    return best[2] if best else None


def type_values(frame: pd.DataFrame, column: str) -> list[str]:
    """A type column's values as text, most frequent first."""
    return [str(v) for v in frame[column].astype("string").value_counts().index]


def _count_rules(
    relation: Relation, tables: Mapping[str, pd.DataFrame], type_column: str | None
) -> list[CountRule]:
    """The total's rule, then (with a type column) each value's rule not implied by it."""
    total = _rule(relation, tables, None, None)
    found = [total] if total else []
    if type_column is None:
        return found
    for value in type_values(tables[relation.child], type_column):
        rule = _rule(relation, tables, type_column, value)
        if rule is None:
            continue
        implied = total is not None and total.high is not None and rule.high == total.high
        if not (implied and rule.low == 0):
            found.append(rule)
    return found


def _rule(
    relation: Relation,
    tables: Mapping[str, pd.DataFrame],
    type_column: str | None,
    value: str | None,
) -> CountRule | None:
    probe = CountRule(relation, 0, None, 0, 0.0, type_column, value)
    counts = probe.counts(tables)
    if counts.size < MIN_PARENTS or counts.sum() == 0:
        return None
    low, high, mean = int(counts.min()), int(counts.max()), float(counts.mean())
    below = _poisson_cdf(low - 1, mean) if low > 0 else 0.0
    above = 1.0 - _poisson_cdf(high, mean)
    if low == high:
        chance = below + above
        bounds: tuple[int, int | None] = (low, high)
    elif low >= 1:
        chance, bounds = below, (low, None)
    elif high <= 1:
        chance, bounds = above, (0, high)
    else:
        return None
    expected = chance * counts.size
    if expected < MIN_EXPECTED:
        return None
    return CountRule(relation, bounds[0], bounds[1], int(counts.size), expected, type_column, value)


def _poisson_cdf(k: int, mean: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mean)."""
    if k < 0:
        return 0.0
    term = total = math.exp(-mean)
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return min(total, 1.0)


def _agreement(
    first: Path, second: Path, rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame]
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: whether both paths reach the same ancestor row, and whether both reach one."""
    one = ancestor_keys(first, rows, tables)
    two = ancestor_keys(second, rows, tables)
    both = pd.notna(one) & pd.notna(two)
    return np.asarray(both & (one == two), dtype=bool), np.asarray(both, dtype=bool)


def _agreements(
    name: str,
    relations: Sequence[Relation],
    tables: Mapping[str, pd.DataFrame],
    type_column: str | None,
) -> list[PathAgreement]:
    """Pairs of paths from ``name`` through two different parents to one table, kept when the
    two agree far more often than chance."""
    paths = paths_up(name, relations)
    rows = tables[name]
    found = []
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            if end(first) != end(second) or first[0] == second[0]:
                continue
            same, both = _agreement(first, second, rows, tables)
            if both.sum() < MIN_PARENTS:
                continue
            share = float(same[both].mean())
            one = pd.Series(ancestor_keys(first, rows, tables)[both]).value_counts(normalize=True)
            two = pd.Series(ancestor_keys(second, rows, tables)[both]).value_counts(normalize=True)
            chance = float((one * two.reindex(one.index).fillna(0.0)).sum())
            if share < MIN_AGREEMENT or share < AGREEMENT_OVER_CHANCE * chance:
                continue
            by_type: dict[str, float] = {}
            if type_column is not None:
                labels = rows[type_column].astype("string").to_numpy(dtype=object)
                for value in type_values(rows, type_column):
                    mask = both & (labels == value)
                    if mask.any():
                        by_type[value] = float(same[mask].mean())
            found.append(
                PathAgreement(first, second, share, chance, int(both.sum()), type_column, by_type)
            )
    return found
