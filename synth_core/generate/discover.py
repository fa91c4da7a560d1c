"""Rules the real rows keep, found for the user: order between columns (with a constant gap
where there is one), a column determined by another, combinations of categories that never
occur, a column that is the sum of others, bounds, and columns missing together.

A rule is reported when it holds in every row it applies to, or in all but a tiny share
(``MAX_EXCEPTIONS``, reported with the count), and when it could not hold by accident: it
applies to at least ``MIN_SUPPORT`` rows and, were the columns unrelated, it would hold (with
as few exceptions) with a probability below ``CHANCE`` (one in a million). For an order, each
row of unrelated columns breaks it with probability q, the share of (low, high) pairs across
rows in the wrong order, and the count of broken rows is binomial; for a dependency, each
repeated source value keeps one target with probability Σ p_t^k. That test is what keeps
"children ≤ age" (the ranges never overlap, so the order says nothing), two unrelated columns
that overlap in a few rows out of 100,000, and a dependency seen on a handful of repeated values
out of the list. Each rule becomes a constraint (``synth_core.generate.constraints``) that
generation keeps: by default the rules that hold in every row.

Search budget: every ordered pair of numeric or date columns, every ordered pair of categorical
columns (a sample first, then every row for the candidates), and for sums a least-squares fit of
each numeric column on all the others plus every subset of up to ``SUM_PARTS`` parts within
``SUM_BUDGET`` subset checks; ``Discovery.searched`` says how far it went.

One concept, one file (over 600 lines): rule discovery — each kind's search shares the
support, exception and chance thresholds and the evidence written for the user."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.generate.constraints import (
    Constraint,
    DatePart,
    Determines,
    FixedCombinations,
    FixedGap,
    GreaterThan,
    MissingOnlyWhen,
    MissingTogether,
    ProductOf,
    SumOf,
    ValueRange,
    date_part,
    holds,
    part_name,
    to_dict,
)

MIN_SUPPORT = 30  # rows a rule must apply to
MIN_MISSING = 10  # missing values a missing-value rule must rest on
MAX_EXCEPTIONS = 0.001  # share of rows a reported rule may break (then it is not kept by default)
CHANCE = 1e-6  # a rule that unrelated columns would keep (as well) this often is not reported
MAX_CATEGORIES = 1_000  # categorical columns with more values are not searched for dependencies
MAX_COMBINATION_CATEGORIES = 50  # nor for combinations that never occur
MIN_EXPECTED = 10.0  # a missing combination must have been expected this many times
SUM_PARTS = 4
SUM_BUDGET = 2_000_000  # subset checks for sums, over every total
SAMPLE = 5_000  # rows of the quick first pass
_FINGERPRINT = 8  # rows the subset search compares first


class RuleKind:
    ORDER = "order"
    GAP = "gap"
    COPY = "copy"
    DATE_PART = "date part"
    DEPENDENCY = "dependency"
    COMBINATIONS = "combinations"
    SUM = "sum"
    PRODUCT = "product"
    BOUNDS = "bounds"
    MISSING = "missing"


@dataclass(frozen=True)
class Found:
    """A rule and its evidence in the real rows."""

    constraint: Constraint
    kind: str
    text: str  # in plain words
    rows: int  # rows it applies to
    exceptions: int  # of those, rows that break it

    @property
    def exact(self) -> bool:
        return self.exceptions == 0

    @property
    def columns(self) -> tuple[str, ...]:
        return self.constraint.columns

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.text,
            "kind": self.kind,
            "columns": list(self.columns),
            "rows": self.rows,
            "exceptions": self.exceptions,
            "exact": self.exact,
            "evidence": self.evidence(),
            "constraint": to_dict(self.constraint),
        }

    def evidence(self) -> str:
        if self.exact:
            return f"holds in all {self.rows:,} rows it applies to"
        return f"holds in {self.rows - self.exceptions:,} of {self.rows:,} rows"


@dataclass(frozen=True)
class Discovery:
    rules: tuple[Found, ...]
    rows: int
    searched: str  # how far the search went, in words
    seconds: float

    @property
    def exact(self) -> tuple[Found, ...]:
        return tuple(r for r in self.rules if r.exact)

    def constraints(self) -> tuple[Constraint, ...]:
        """The rules that hold in every row, as constraints to keep."""
        return tuple(r.constraint for r in self.exact)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "searched": self.searched,
            "seconds": round(self.seconds, 3),
            "settings": {
                "min_support": MIN_SUPPORT,
                "max_exceptions": MAX_EXCEPTIONS,
                "chance": CHANCE,
                "sum_parts": SUM_PARTS,
                "sum_budget": SUM_BUDGET,
            },
            "rules": [r.to_dict() for r in self.rules],
        }


@dataclass(frozen=True)
class OrderChain:
    """Order rules among one set of columns, said at once: 'a < b < c' when they order the
    columns one after the other, else each pair."""

    rules: tuple[Found, ...]

    @property
    def text(self) -> str:
        columns: set[str] = {n for r in self.rules for n in r.columns}
        below = dict.fromkeys(columns, 0)
        for rule in self.rules:
            assert isinstance(rule.constraint, GreaterThan)
            below[rule.constraint.high] += 1
        ordered = sorted(columns, key=lambda c: below[c])
        if len(self.rules) == 1 or sorted(below.values()) != list(range(len(columns))):
            return "; ".join(r.text for r in self.rules)
        words = []
        for low, high in itertools.pairwise(ordered):
            rule = next(
                r
                for r in self.rules
                if isinstance(r.constraint, GreaterThan)
                and (r.constraint.low, r.constraint.high) == (low, high)
            )
            assert isinstance(rule.constraint, GreaterThan)
            words.append("<" if rule.constraint.strict else "≤")
        text = ordered[0]
        for word, column in zip(words, ordered[1:], strict=True):
            text += f" {word} {column}"
        return text


@dataclass(frozen=True)
class RuleGroups:
    """The rules that hold in every row, grouped for a person to review: those that change
    values (copies, sums, gaps, determined columns, parts of a date, missing values,
    combinations) first, then orders as chains, then bounds."""

    changing: tuple[Found, ...]
    orders: tuple[OrderChain, ...]
    bounds: tuple[Found, ...]


def group_rules(rules: Sequence[Found]) -> RuleGroups:
    exact = [r for r in rules if r.exact]
    orders = [r for r in exact if r.kind == RuleKind.ORDER]
    bounds = tuple(r for r in exact if r.kind == RuleKind.BOUNDS)
    changing = tuple(r for r in exact if r.kind not in (RuleKind.ORDER, RuleKind.BOUNDS))
    # Connected sets of columns joined by orders, in the order they were found.
    group_of: dict[str, int] = {}
    groups: list[list[Found]] = []
    for rule in orders:
        touched = sorted({group_of[c] for c in rule.columns if c in group_of})
        if not touched:
            groups.append([rule])
            index = len(groups) - 1
        else:
            index = touched[0]
            groups[index].append(rule)
            for other in touched[1:]:
                groups[index].extend(groups[other])
                groups[other] = []
        for member in groups[index]:
            for column in member.columns:
                group_of[column] = index
    chains = tuple(OrderChain(tuple(g)) for g in groups if g)
    return RuleGroups(changing, chains, bounds)


def discover(frame: pd.DataFrame, schema: Schema) -> Discovery:
    """The rules ``frame`` keeps (ID, personal-data and free-text columns are skipped)."""
    started = time.perf_counter()
    columns = [c for c in schema if c.name in frame.columns]
    numeric = [c for c in columns if c.kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME)]
    categorical = [c for c in columns if c.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)]
    found: list[Found] = []
    found += _bounds(frame, [c for c in numeric if c.kind is ColumnKind.NUMERICAL])
    found += _orders(frame, numeric)
    dependencies = _dependencies(frame, categorical)
    found += dependencies
    found += _combinations(frame, categorical, dependencies)
    found += _date_parts(frame, [c for c in numeric if c.kind is ColumnKind.DATETIME], columns)
    sums, searched = _sums(frame, [c for c in numeric if c.kind is ColumnKind.NUMERICAL])
    found += sums
    found += _products(frame, [c for c in numeric if c.kind is ColumnKind.NUMERICAL])
    found += _missing(frame, [*numeric, *categorical], categorical)
    found = _recounted(found, frame)
    words = (
        f"{len(numeric)} numeric or date columns compared in pairs, {len(categorical)} "
        f"categorical columns in pairs, sums: {searched}"
    )
    return Discovery(tuple(found), len(frame), words, time.perf_counter() - started)


def _recounted(found: Sequence[Found], frame: pd.DataFrame) -> list[Found]:
    """Each rule counted again on every row with the check generation uses
    (``constraints.holds``), so a rule listed as holding in every row is never broken by a real
    row (the search's own shortcuts, a sample or a looser first test, cannot leak into what is
    reported); a rule past the allowed exceptions is dropped."""
    out = []
    for rule in found:
        broken = int((~holds(rule.constraint, frame, frame)).sum())
        if broken > MAX_EXCEPTIONS * rule.rows:
            continue
        out.append(rule if broken == rule.exceptions else replace(rule, exceptions=broken))
    return out


# -- bounds -----------------------------------------------------------------------------------


def _bounds(frame: pd.DataFrame, columns: Sequence[ColumnSchema]) -> list[Found]:
    out = []
    for column in columns:
        values = as_float(frame[column.name])
        present = values[~np.isnan(values)]
        if len(present) < MIN_SUPPORT or present.min() == present.max():
            continue
        low, high = float(present.min()), float(present.max())
        whole = column.integer or bool(np.all(present == np.round(present)))
        words = "a whole number" if whole else "a number"
        text = f"{column.name} is {words} from {_number(low)} to {_number(high)}"
        if low >= 0:
            text += " (never negative)"
        out.append(
            Found(ValueRange(column.name, low, high), RuleKind.BOUNDS, text, len(present), 0)
        )
    return out


def _number(value: float) -> str:
    return f"{value:,.10g}"


# -- order and constant gaps -----------------------------------------------------------------


def _orders(frame: pd.DataFrame, columns: Sequence[ColumnSchema]) -> list[Found]:
    out = []
    values = {c.name: as_float(frame[c.name]) for c in columns}
    for a, b in itertools.combinations(columns, 2):
        if a.kind is not b.kind:
            continue
        x, y = values[a.name], values[b.name]
        both = ~np.isnan(x) & ~np.isnan(y)
        n = int(both.sum())
        if n < MIN_SUPPORT:
            continue
        x, y = x[both], y[both]
        gap = _constant_gap(x, y, a, b)
        if gap is not None:
            out.append(gap)
            continue
        for low, high, lows, highs in ((a, b, x, y), (b, a, y, x)):
            broken = int((highs < lows).sum())
            if broken > MAX_EXCEPTIONS * n:
                continue
            if _order_by_chance(lows, highs, broken) >= math.log(CHANCE):
                continue
            strict = bool(np.all(highs[highs >= lows] > lows[highs >= lows]))
            sign = ">" if strict else "≥"
            if low.kind is ColumnKind.DATETIME:
                text = f"{high.name} is {'after' if strict else 'never before'} {low.name}"
            elif _zero_one(lows) and _zero_one(highs):  # an implication, not an equality
                text = (
                    f"{low.name} is 1 only where {high.name} is 1 (an implication, not an "
                    f"equality: {high.name} {sign} {low.name})"
                )
            else:
                text = f"{high.name} {sign} {low.name}"
            out.append(
                Found(GreaterThan(low.name, high.name, strict), RuleKind.ORDER, text, n, broken)
            )
            break
    return out


def _zero_one(values: np.ndarray) -> bool:
    return bool(np.isin(values, (0.0, 1.0)).all())


def _order_by_chance(lows: np.ndarray, highs: np.ndarray, broken: int) -> float:
    """The log-probability that at most ``broken`` rows have ``high < low`` if the columns were
    unrelated: each row then breaks the order with probability q, the share of (low, high)
    pairs across rows in the wrong order (binomial; (1 − q) ** rows when none breaks it)."""
    ordered = np.sort(highs)
    below = np.searchsorted(ordered, lows, side="left")  # highs below each low
    q = float(below.sum()) / (len(lows) * len(highs))
    if q <= 0:
        return 0.0  # the ranges never overlap: the order says nothing
    return float(binom.logcdf(broken, len(lows), min(q, 1 - 1e-12)))


def _constant_gap(x: np.ndarray, y: np.ndarray, a: ColumnSchema, b: ColumnSchema) -> Found | None:
    """``b`` = ``a`` + a constant in every row: whole numbers exactly, decimals and dates within
    half of their finest unit (the differences of rounded values are whole units, so that is
    float noise, never a unit off). Two equal columns are a copy."""
    difference = y - x
    tolerance = _tolerance((a, b), np.concatenate([x, y]))
    if np.ptp(difference) > tolerance or np.all(x == x[0]):
        return None
    gap = float(np.median(difference))
    if gap < 0:
        a, b, gap = b, a, -gap
    kind = RuleKind.GAP
    if a.kind is ColumnKind.DATETIME:
        seconds = gap / 1e9
        text = f"{b.name} is always {_duration(seconds)} after {a.name}"
        gap, tolerance = seconds, tolerance / 1e9
    elif abs(gap) <= tolerance:
        gap, kind = 0.0, RuleKind.COPY
        text = f"{b.name} is a copy of {a.name} (equal in every row)"
    else:
        text = f"{b.name} = {a.name} + {_number(gap)}"
    return Found(FixedGap(a.name, b.name, gap, tolerance), kind, text, len(x), 0)


def _duration(seconds: float) -> str:
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


def _tolerance(columns: Sequence[ColumnSchema], values: np.ndarray) -> float:
    """How far two values may differ and still count as equal: float noise for whole numbers
    (compared exactly), half of the finest unit for decimals (values rounded to d decimals
    differ by whole units of 10^-d) and half a second for dates (in nanoseconds); 1e-9 of the
    largest value when the decimals are unknown."""
    if any(c.kind is ColumnKind.DATETIME for c in columns):
        return 0.5e9  # nanoseconds
    scale = float(np.nanmax(np.abs(values))) if values.size else 1.0
    noise = 1e-9 * max(scale, 1.0)
    digits = [0 if c.integer else c.decimals for c in columns]
    if any(d is None for d in digits):
        return noise
    finest = max(d for d in digits if d is not None)
    if finest == 0:
        return noise
    return 0.5 * 10.0**-finest


# -- dependencies and combinations ------------------------------------------------------------


def _codes(frame: pd.DataFrame, column: ColumnSchema) -> tuple[np.ndarray, int]:
    """Category codes (missing = -1) and the number of categories."""
    codes, uniques = pd.factorize(frame[column.name].astype(object), use_na_sentinel=True)
    return codes.astype(np.int64), len(uniques)


def _dependencies(frame: pd.DataFrame, columns: Sequence[ColumnSchema]) -> list[Found]:
    coded = {c.name: _codes(frame, c) for c in columns}
    usable = [c for c in columns if 2 <= coded[c.name][1] <= MAX_CATEGORIES]
    rng = np.random.default_rng(0)
    sample = (
        np.sort(rng.choice(len(frame), SAMPLE, replace=False))
        if len(frame) > SAMPLE
        else np.arange(len(frame))
    )
    holds: dict[tuple[str, str], Found] = {}
    for source, target in itertools.permutations(usable, 2):
        x, nx = coded[source.name]
        y, ny = coded[target.name]
        if not _determines(x[sample], y[sample], nx, ny, exceptions=0.01):
            continue  # the quick pass on a sample
        found = _dependency(source, target, x, y, nx, ny)
        if found is not None:
            holds[(source.name, target.name)] = found
    out: list[Found] = []
    names = {name for pair in holds for name in pair}

    def same(a: str, b: str) -> bool:  # one to one
        return (a, b) in holds and (b, a) in holds

    for (source_name, target_name), found in holds.items():
        if same(source_name, target_name):
            if source_name > target_name:
                continue  # reported once, from the first name
        elif any(same(source_name, other) and other < source_name for other in names):
            continue  # said of the first name of its one-to-one group
        # A → C is implied when A → B and B → C hold (B not one to one with A or C).
        if any(
            (source_name, middle) in holds
            and (middle, target_name) in holds
            and not same(middle, source_name)
            and not same(middle, target_name)
            for middle in names
            if middle not in (source_name, target_name)
        ):
            continue
        if same(source_name, target_name):
            found = Found(
                found.constraint,
                found.kind,
                f"{source_name} and {target_name} match one to one (each {source_name} has "
                f"one {target_name} and the other way round)",
                found.rows,
                found.exceptions,
            )
        out.append(found)
    return out


def _determines(x: np.ndarray, y: np.ndarray, nx: int, ny: int, exceptions: float) -> bool:
    both = (x >= 0) & (y >= 0)
    if both.sum() < MIN_SUPPORT:
        return False
    pairs = np.unique(x[both] * ny + y[both])
    sources = np.unique(x[both])
    if len(pairs) == len(sources):
        return True
    return bool(_broken_rows(x[both], y[both], nx, ny) <= exceptions * both.sum())


def _broken_rows(x: np.ndarray, y: np.ndarray, nx: int, ny: int) -> int:
    """Rows whose target is not their source's most common target."""
    counts = np.bincount(x * ny + y, minlength=nx * ny).reshape(nx, ny)
    return int(counts.sum() - counts.max(axis=1).sum())


def _dependency(
    source: ColumnSchema,
    target: ColumnSchema,
    x: np.ndarray,
    y: np.ndarray,
    nx: int,
    ny: int,
) -> Found | None:
    both = (x >= 0) & (y >= 0)
    x, y = x[both], y[both]
    n = len(x)
    if n < MIN_SUPPORT:
        return None
    broken = _broken_rows(x, y, nx, ny)
    if broken > MAX_EXCEPTIONS * n:
        return None
    shares = np.bincount(y, minlength=ny) / n
    if shares.max() > 1 - 1e-12:
        return None  # a constant target
    if _log_chance(x, shares, nx) >= math.log(CHANCE):
        return None
    # With exceptions: far fewer than unrelated columns would break (at least n·(1 − max p)).
    if broken and broken > 0.01 * n * (1 - float(shares.max())):
        return None
    text = f"each {source.name} has one {target.name}"
    return Found(Determines(source.name, target.name), RuleKind.DEPENDENCY, text, n, broken)


def _log_chance(x: np.ndarray, shares: np.ndarray, nx: int) -> float:
    """The log-probability that unrelated columns look like a dependency: each repeated source
    value would keep one target with probability Σ p_t^k (k its rows, p_t the target shares),
    multiplied over the source values."""
    positive = shares[shares > 0]
    sizes = np.bincount(x, minlength=nx)
    repeated = sizes[sizes >= 2]
    log_chance = 0.0
    for k, count in zip(*np.unique(repeated, return_counts=True), strict=True):
        # log Σ p^k without underflow (p^k vanishes for a value seen thousands of times)
        log_chance += float(count) * float(np.logaddexp.reduce(int(k) * np.log(positive)))
    return log_chance


# -- parts of a date ---------------------------------------------------------------------------

MAX_PART_VALUES = 60  # a column with more values is not taken for a part of a date


def _date_parts(
    frame: pd.DataFrame, dates: Sequence[ColumnSchema], columns: Sequence[ColumnSchema]
) -> list[Found]:
    """Columns that are a part of a date column in every row, in their own coding: a weekday
    (0 = Sunday), a month number or name, a year (0 = 2011), an hour. Each column is taken from
    the first date column and the coarsest part that determines it (year, quarter, month,
    weekday, day, hour), with the same test against chance as a dependency. A sample of rows
    rules out most pairs before every row is read."""
    candidates = []
    for column in columns:
        if column.kind not in (ColumnKind.NUMERICAL, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            continue
        if column.kind is ColumnKind.NUMERICAL and not column.integer:
            continue
        if 2 <= frame[column.name].nunique(dropna=True) <= MAX_PART_VALUES:
            candidates.append((column, *_codes(frame, column)))
    if not candidates or not dates:
        return []
    rng = np.random.default_rng(0)
    sample = (
        np.sort(rng.choice(len(frame), SAMPLE, replace=False))
        if len(frame) > SAMPLE
        else np.arange(len(frame))
    )
    out: list[Found] = []
    taken: set[str] = set()
    for date in dates:
        values = frame[date.name]
        quick = {part: _part_codes(date_part(values.iloc[sample], part)) for part in _PARTS}
        quick = {p: codes for p, codes in quick.items() if len(np.unique(codes[codes >= 0])) >= 2}
        full: dict[str, np.ndarray] = {}
        for column, y, ny in candidates:
            if column.name == date.name or column.name in taken:
                continue
            for part, x_sample in quick.items():
                if _broken_rows_of(x_sample, y[sample], ny):
                    continue  # some sampled rows already disagree
                if part not in full:
                    full[part] = _part_codes(date_part(values, part))
                found = _part_rule(date, part, column, full[part], y, ny, frame)
                if found is not None:
                    out.append(found)
                    taken.add(column.name)
                    break
    return out


def _part_codes(parts: pd.Series) -> np.ndarray:
    """A date part as codes from 0 (missing: -1), for counting."""
    codes = parts.fillna(-1).to_numpy(dtype=np.int64)
    present = codes >= 0
    if present.any():
        codes[present] -= codes[present].min()
    return codes


def _broken_rows_of(x: np.ndarray, y: np.ndarray, ny: int) -> int:
    both = (x >= 0) & (y >= 0)
    if not both.any():
        return 0
    return _broken_rows(x[both], y[both], int(x[both].max()) + 1, ny)


_PARTS = ("year", "quarter", "month", "weekday", "day", "hour")


def _part_rule(
    date: ColumnSchema,
    part: str,
    column: ColumnSchema,
    x: np.ndarray,
    y: np.ndarray,
    ny: int,
    frame: pd.DataFrame,
) -> Found | None:
    both = (x >= 0) & (y >= 0)
    n = int(both.sum())
    if n < MIN_SUPPORT:
        return None
    x, y = x[both], y[both]
    nx = int(x.max()) + 1
    if _broken_rows(x, y, nx, ny):
        return None  # exact only: a date and its own weekday never disagree
    shares = np.bincount(y, minlength=ny) / n
    if shares.max() > 1 - 1e-12 or _log_chance(x, shares, nx) >= math.log(CHANCE):
        return None
    rule = DatePart(date.name, part, column.name)
    mapping = rule.mapping(frame)
    shown = sorted((int(str(k)), v) for k, v in mapping.items())[:3]
    pairs = ", ".join(f"{part_name(part, k)} → {v}" for k, v in shown)
    more = ", …" if len(mapping) > 3 else ""
    text = f"{rule.describe()} ({pairs}{more})"
    return Found(rule, RuleKind.DATE_PART, text, n, 0)


def _combinations(
    frame: pd.DataFrame, columns: Sequence[ColumnSchema], dependencies: Sequence[Found]
) -> list[Found]:
    """Pairs of categorical columns where combinations that would be common were the columns
    unrelated never occur (and neither column determines the other)."""
    related = {frozenset(f.columns) for f in dependencies}
    out = []
    coded = {c.name: _codes(frame, c) for c in columns}
    usable = [c for c in columns if 2 <= coded[c.name][1] <= MAX_COMBINATION_CATEGORIES]
    for a, b in itertools.combinations(usable, 2):
        if frozenset((a.name, b.name)) in related:
            continue
        x, nx = coded[a.name]
        y, ny = coded[b.name]
        both = (x >= 0) & (y >= 0)
        n = int(both.sum())
        if n < MIN_SUPPORT:
            continue
        counts = np.bincount(x[both] * ny + y[both], minlength=nx * ny).reshape(nx, ny)
        expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / n
        never = (counts == 0) & (expected >= MIN_EXPECTED)
        if not never.any():
            continue
        # Under independence, a combination expected e times is absent with probability e^-e.
        if float(-expected[never].sum()) >= math.log(CHANCE):
            continue
        seen = int((counts > 0).sum())
        text = (
            f"only {seen} of the {nx * ny} combinations of {a.name} and {b.name} occur "
            f"({int(never.sum())} that would be common if they were unrelated never do)"
        )
        out.append(Found(FixedCombinations((a.name, b.name)), RuleKind.COMBINATIONS, text, n, 0))
    return out


# -- sums --------------------------------------------------------------------------------------


def _sums(frame: pd.DataFrame, columns: Sequence[ColumnSchema]) -> tuple[list[Found], str]:
    """Columns equal to the sum of two or more others (within the data's rounding; a missing
    part counts as zero)."""
    if len(columns) < 3:
        return [], "fewer than three numeric columns"
    values = np.column_stack([as_float(frame[c.name]) for c in columns])
    present = ~np.isnan(values)
    full = np.nan_to_num(values)
    nonzero = (full != 0).sum(axis=0)
    candidates = [
        i
        for i in range(len(columns))
        if present[:, i].sum() >= MIN_SUPPORT and nonzero[i] >= 3 and np.ptp(full[:, i]) > 0
    ]
    rng = np.random.default_rng(0)
    found: dict[tuple[int, tuple[int, ...]], Found] = {}
    checks = 0
    depth = 1
    for total in candidates:
        others = [i for i in candidates if i != total]
        rows = np.flatnonzero(present[:, total])
        rows = rng.choice(rows, min(len(rows), 2_000), replace=False)
        parts = _least_squares_parts(full[rows], total, others)
        if parts is not None:
            hit = _sum_rule(columns, full, present, total, parts)
            if hit is not None:
                found[(total, parts)] = hit
    for size in range(2, SUM_PARTS + 1):
        count = len(candidates) * math.comb(max(len(candidates) - 1, 0), size)
        if checks + count > SUM_BUDGET:
            break
        depth = size
        for total in candidates:
            others = [i for i in candidates if i != total]
            rows = np.flatnonzero(present[:, total])
            fingerprint = full[rng.choice(rows, min(len(rows), _FINGERPRINT), replace=False)]
            target = fingerprint[:, total]
            loose = _loose(target)
            for parts in itertools.combinations(others, size):
                checks += 1
                if np.abs(fingerprint[:, parts].sum(axis=1) - target).max() > loose:
                    continue
                if (total, parts) in found:
                    continue
                hit = _sum_rule(columns, full, present, total, parts)
                if hit is not None:
                    found[(total, parts)] = hit
    kept = _minimal_sums(found)
    searched = (
        f"a least-squares fit of each of {len(candidates)} numeric columns on the others, and "
        f"every subset of up to {depth} parts ({checks:,} subset checks; budget {SUM_BUDGET:,})"
    )
    return kept, searched


def _loose(target: np.ndarray) -> float:
    return 1e-6 * max(float(np.abs(target).max()), 1.0) + 0.01


def _least_squares_parts(
    sample: np.ndarray, total: int, others: list[int]
) -> tuple[int, ...] | None:
    """Parts whose least-squares weights are 1 (the rest 0) when the total is their sum."""
    if len(others) < 2:
        return None
    weights, *_ = np.linalg.lstsq(sample[:, others], sample[:, total], rcond=None)
    ones = np.abs(weights - 1) < 1e-3
    zeros = np.abs(weights) < 1e-3
    if not np.all(ones | zeros) or ones.sum() < 2:
        return None
    return tuple(int(others[i]) for i in np.flatnonzero(ones))


def _sum_rule(
    columns: Sequence[ColumnSchema],
    full: np.ndarray,
    present: np.ndarray,
    total: int,
    parts: tuple[int, ...],
) -> Found | None:
    checked = present[:, total] & present[:, list(parts)].any(axis=1)
    n = int(checked.sum())
    if n < MIN_SUPPORT:
        return None
    column_set = [columns[total], *(columns[i] for i in parts)]
    tolerance = _tolerance(column_set, full[checked, total])
    difference = np.abs(full[checked][:, list(parts)].sum(axis=1) - full[checked, total])
    broken = int((difference > tolerance).sum())
    if broken > MAX_EXCEPTIONS * n:
        return None
    names = [columns[i].name for i in parts]
    text = f"{columns[total].name} = {' + '.join(names)}"
    if not present[:, list(parts)].all():
        text += " (a missing part counts as zero)"
    constraint = SumOf(columns[total].name, tuple(names), tolerance)
    return Found(constraint, RuleKind.SUM, text, n, broken)


PRODUCT_COLUMNS = 60  # numeric columns searched for products (pairs × totals)


def _products(frame: pd.DataFrame, columns: Sequence[ColumnSchema]) -> list[Found]:
    """Columns equal to the product of two others (within the total's rounding) in every
    row that has all three, but a few; not when a factor is 0 or 1 in most rows (then the
    "product" is a copy or a constant)."""
    usable = []
    for column in columns[:PRODUCT_COLUMNS]:
        values = as_float(frame[column.name])
        present = values[~np.isnan(values)]
        if len(present) >= MIN_SUPPORT and np.ptp(present) > 0:
            trivial = np.isin(present, (0.0, 1.0)).mean() > 0.5
            usable.append((column, values, trivial))
    if len(usable) < 3:
        return []
    rng = np.random.default_rng(0)
    sample = rng.choice(len(frame), min(len(frame), _FINGERPRINT), replace=False)
    out: list[Found] = []
    for (i, (a, x, trivial_a)), (j, (b, y, trivial_b)) in itertools.combinations(
        enumerate(usable), 2
    ):
        if trivial_a or trivial_b:
            continue
        product = x * y
        for k, (total, z, _) in enumerate(usable):
            if k in (i, j):
                continue
            near = np.abs(product[sample] - z[sample])
            near = near[~np.isnan(near)]
            loose = 1e-6 * float(np.nanmax(np.abs(z), initial=1.0)) + 0.51
            if near.size and near.max() > loose:
                continue
            checked = ~(np.isnan(product) | np.isnan(z))
            n = int(checked.sum())
            if n < MIN_SUPPORT:
                continue
            tolerance = _tolerance([total], z[checked])
            broken = int((np.abs(product[checked] - z[checked]) > tolerance + 1e-9).sum())
            if broken > MAX_EXCEPTIONS * n:
                continue
            text = f"{total.name} = {a.name} × {b.name}"
            rule = ProductOf(total.name, a.name, b.name, tolerance)
            out.append(Found(rule, RuleKind.PRODUCT, text, n, broken))
    return out


def _minimal_sums(found: dict[tuple[int, tuple[int, ...]], Found]) -> list[Found]:
    """Drop a sum whose total is also the sum of a subset of its parts (a part always zero)."""
    out = []
    for (total, parts), rule in found.items():
        if any(other_total == total and set(other) < set(parts) for other_total, other in found):
            continue
        out.append(rule)
    return out


# -- missing together --------------------------------------------------------------------------


def _missing(
    frame: pd.DataFrame, columns: Sequence[ColumnSchema], categorical: Sequence[ColumnSchema]
) -> list[Found]:
    n = len(frame)
    masks = {c.name: frame[c.name].isna().to_numpy() for c in columns}
    # At least MIN_MISSING missing rows: fewer is weak evidence (and would name rare values).
    with_missing = [c for c in columns if MIN_MISSING <= masks[c.name].sum() < n]
    out: list[Found] = []
    groups: dict[bytes, list[str]] = {}
    for column in with_missing:
        groups.setdefault(np.packbits(masks[column.name]).tobytes(), []).append(column.name)
    for names in groups.values():
        m = int(masks[names[0]].sum())
        # Two columns with m missing rows each share them all by chance with 1 / C(n, m).
        if len(names) < 2 or n < MIN_SUPPORT or -_log_comb(n, m) >= math.log(CHANCE):
            continue
        text = f"{' and '.join(names)} are missing in the same {m:,} rows"
        out.append(Found(MissingTogether(tuple(names)), RuleKind.MISSING, text, n, 0))
    for column in with_missing:
        mask = masks[column.name]
        m = int(mask.sum())
        for category in categorical:
            if category.name == column.name:
                continue
            values = frame[category.name]
            present = values[mask].dropna()
            if len(present) < m or present.nunique() != 1:
                continue
            value = present.iloc[0]
            matches = (values == value).fillna(False).to_numpy(dtype=bool)
            share = float(matches.mean())
            if share >= 1 or m * math.log(share) >= math.log(CHANCE):
                continue
            exactly = bool(np.array_equal(mask, matches))
            when = "exactly when" if exactly else "only when"
            text = f"{column.name} is missing {when} {category.name} is {value!s}"
            out.append(
                Found(
                    MissingOnlyWhen(column.name, category.name, _plain(value), exactly),
                    RuleKind.MISSING,
                    text,
                    n,
                    0,
                )
            )
    return out


def _log_comb(n: int, m: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(m + 1) - math.lgamma(n - m + 1)


def _plain(value: object) -> str | bool | float | int:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return str(value)
