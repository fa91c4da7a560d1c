from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from synth_core.data.database import Links, Relation, key_coverage, key_text, order_column
from synth_core.data.marginals import ks_distance
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.evaluate.fidelity.prepare import Binning, prepare
from synth_core.evaluate.fidelity.quality import PairScore, quality
from synth_core.generate.linked import SetRules

HISTOGRAM_BARS = 10  # children-per-parent counts shown one by one up to this; then in ranges


@dataclass(frozen=True)
class Sequences:
    """Coherence of ordered children (see the module docstring), per categorical column."""

    order: str  # the column that orders the children
    distinct: Mapping[str, float]  # column -> 1 - KS of distinct values per sequence
    consecutive: Mapping[str, float]  # column -> 1 - TVD of consecutive pairs

    @property
    def score(self) -> float | None:
        values = [*self.distinct.values(), *self.consecutive.values()]
        return float(np.mean(values)) if values else None


@dataclass(frozen=True)
class TypeCounts:
    """Children of one value of the child's type column per parent (owners per account)."""

    value: str
    cardinality: float | None  # 1 - KS of the counts per parent, real against synthetic
    mean_real: float
    mean_synthetic: float


@dataclass(frozen=True)
class LinkScore:
    """One link, real beside synthetic."""

    relation: Relation
    integrity: float  # share of synthetic child keys found among the synthetic parent keys
    cardinality: float | None  # CardinalityShapeSimilarity
    counts: tuple[tuple[str, float, float], ...]  # (children, real share, synthetic share)
    zero_real: float  # share of parents without children
    zero_synthetic: float
    mean_real: float  # children per parent
    mean_synthetic: float
    trends: float | None  # Intertable Trends of this link
    pairs: tuple[PairScore, ...]  # parent column × child column
    sequences: Sequences | None = None
    real_parents: int = 0  # parent rows the real counts are shares of
    type_column: str | None = None  # the child's type column, when it has one
    by_type: tuple[TypeCounts, ...] = ()

    @property
    def label(self) -> str:
        r = self.relation
        return f"{r.child}.{r.child_key} → {r.parent}.{r.parent_key}"


def mean_of(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(present)) if present else None


def key_columns(links: Links) -> dict[str, set[str]]:
    """Per table, the columns that are keys (its own, and those pointing at a parent)."""
    keys: dict[str, set[str]] = {}
    for name, key in links.keys.items():
        if key is not None:
            keys.setdefault(name, set()).add(key)
    for r in links.relations:
        keys.setdefault(r.child, set()).add(r.child_key)
        keys.setdefault(r.parent, set()).add(r.parent_key)
    return keys


def without(schema: Schema, names: set[str]) -> Schema:
    return Schema(tuple(c for c in schema if c.name not in names))


def children_per_parent(parent_keys: pd.Series, child_keys: pd.Series) -> np.ndarray:
    """How many child rows each parent row has, zero included (SDMetrics'
    get_cardinality_distribution)."""
    counts = key_text(child_keys).value_counts()
    return key_text(parent_keys).map(counts).fillna(0).to_numpy(dtype=float)


def histogram(real: np.ndarray, synthetic: np.ndarray) -> tuple[tuple[str, float, float], ...]:
    """Shares of parents by their number of children: one bar per count up to
    ``HISTOGRAM_BARS``; with more children, none on its own and about that many ranges of
    equal width, so a set of districts with 40 to 90 accounts each is not one bar."""
    values = np.concatenate([real, synthetic])
    if values.size == 0:
        return ()
    low, high = int(values.min()), int(values.max())
    if high <= HISTOGRAM_BARS:
        edges = list(range(low, high + 2))
    else:  # none (0) on its own: parents without children are the common case
        start = low + 1 if low == 0 else low
        width = max(int(np.ceil((high - start + 1) / HISTOGRAM_BARS)), 1)
        edges = [0] * (low == 0) + list(range(start, high + width + 1, width))
    rows = []
    for start, stop in itertools.pairwise(edges):
        label = str(start) if stop - start == 1 else f"{start}–{stop - 1}"
        inside = [((x >= start) & (x < stop)).mean() if x.size else 0.0 for x in (real, synthetic)]
        rows.append((label, float(inside[0]), float(inside[1])))
    return tuple(rows)


def link_score(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    relation: Relation,
    schemas: Mapping[str, Schema],
    keys: Mapping[str, set[str]],
    rules: SetRules,
    binning: Binning,
) -> LinkScore:
    """One link's scores (module docstring)."""
    r = relation
    integrity, _ = key_coverage(synthetic[r.child][r.child_key], synthetic[r.parent][r.parent_key])
    real_counts = children_per_parent(real[r.parent][r.parent_key], real[r.child][r.child_key])
    synth_counts = children_per_parent(
        synthetic[r.parent][r.parent_key], synthetic[r.child][r.child_key]
    )
    trends, pairs = intertable(real, synthetic, r, schemas, keys, binning)
    type_column = rules.types.get(r.child)
    return LinkScore(
        r,
        integrity,
        _similarity(real_counts, synth_counts),
        histogram(real_counts, synth_counts),
        float(np.mean(real_counts == 0)) if real_counts.size else 0.0,
        float(np.mean(synth_counts == 0)) if synth_counts.size else 0.0,
        float(real_counts.mean()) if real_counts.size else 0.0,
        float(synth_counts.mean()) if synth_counts.size else 0.0,
        trends,
        pairs,
        sequences(real[r.child], synthetic[r.child], r, schemas[r.child]),
        int(real_counts.size),
        type_column,
        _by_type(real, synthetic, r, type_column) if type_column else (),
    )


def _similarity(real: np.ndarray, synthetic: np.ndarray) -> float | None:
    if not (real.size and synthetic.size):
        return None
    return 1.0 - ks_distance(np.sort(real), np.sort(synthetic))


def _by_type(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    relation: Relation,
    column: str,
) -> tuple[TypeCounts, ...]:
    r = relation
    found = []
    values = real[r.child][column].astype("string").value_counts().index
    for value in values:
        per = []
        for tables in (real, synthetic):
            child = tables[r.child]
            mine = child[child[column].astype("string") == value]
            per.append(children_per_parent(tables[r.parent][r.parent_key], mine[r.child_key]))
        found.append(
            TypeCounts(
                str(value),
                _similarity(per[0], per[1]),
                float(per[0].mean()) if per[0].size else 0.0,
                float(per[1].mean()) if per[1].size else 0.0,
            )
        )
    return tuple(found)


def _joined(child: pd.DataFrame, parent: pd.DataFrame, relation: Relation) -> pd.DataFrame:
    """Each child row with its parent row (inner join), columns named '<table>.<column>'."""
    left = child.add_prefix(f"{relation.child}.")
    right = parent.add_prefix(f"{relation.parent}.")
    left_key, right_key = (
        f"{relation.child}.{relation.child_key}",
        f"{relation.parent}.{relation.parent_key}",
    )
    left = left.assign(**{left_key: left[left_key].astype("string")})
    right = right.assign(**{right_key: right[right_key].astype("string")})
    return left.merge(right, left_on=left_key, right_on=right_key, how="inner")


def _prefixed(schema: Schema, table: str) -> list[ColumnSchema]:
    return [replace(c, name=f"{table}.{c.name}") for c in schema]


def _pairs_of(frame: pd.DataFrame, key: str, order: str, column: str) -> pd.Series:
    ordered = frame.sort_values([key, order], kind="stable")
    values = ordered[column].astype("string").fillna("(missing)")
    same = key_text(ordered[key]).fillna("").to_numpy(dtype=object)
    follows = np.r_[False, same[1:] == same[:-1]]
    previous = values.shift(1)
    pairs: pd.Series = (previous[follows] + " → " + values[follows]).reset_index(drop=True)
    return pairs


def _tvd(real: pd.Series, synthetic: pd.Series) -> float:
    """Total variation distance between the shares of the values of two samples."""
    shares = pd.concat(
        [real.value_counts(normalize=True), synthetic.value_counts(normalize=True)], axis=1
    ).fillna(0.0)
    return float(0.5 * np.abs(shares.iloc[:, 0] - shares.iloc[:, 1]).sum())


def sequences(
    real: pd.DataFrame, synthetic: pd.DataFrame, relation: Relation, schema: Schema
) -> Sequences | None:
    """Coherence of each parent's children in order (module docstring); None when nothing
    orders them or no child column is categorical."""
    order = order_column(schema, real.columns)
    categorical = [
        c.name
        for c in schema
        if c.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN) and c.name != relation.child_key
    ]
    if order is None or not categorical or len(real) == 0 or len(synthetic) == 0:
        return None
    key = relation.child_key
    distinct, consecutive = {}, {}
    for column in categorical:
        per_real = real.groupby(key_text(real[key]))[column].nunique(dropna=False)
        per_synth = synthetic.groupby(key_text(synthetic[key]))[column].nunique(dropna=False)
        distinct[column] = 1.0 - ks_distance(
            np.sort(per_real.to_numpy(dtype=float)), np.sort(per_synth.to_numpy(dtype=float))
        )
        pairs_real = _pairs_of(real, key, order, column)
        pairs_synth = _pairs_of(synthetic, key, order, column)
        if len(pairs_real) and len(pairs_synth):
            consecutive[column] = 1.0 - _tvd(pairs_real, pairs_synth)
    return Sequences(order, distinct, consecutive)


def intertable(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    relation: Relation,
    schemas: Mapping[str, Schema],
    keys: Mapping[str, set[str]],
    binning: Binning,
) -> tuple[float | None, tuple[PairScore, ...]]:
    """Intertable Trends of one link: parent column × child column on the joined rows."""
    real_joined = _joined(real[relation.child], real[relation.parent], relation)
    synth_joined = _joined(synthetic[relation.child], synthetic[relation.parent], relation)
    if len(real_joined) == 0 or len(synth_joined) == 0:
        return None, ()
    child = _prefixed(
        without(schemas[relation.child], keys.get(relation.child, set())), relation.child
    )
    parent = _prefixed(
        without(schemas[relation.parent], keys.get(relation.parent, set())), relation.parent
    )
    if not child or not parent:
        return None, ()
    prepared = prepare(real_joined, synth_joined, Schema((*child, *parent)), binning)
    found = quality(prepared, across=frozenset(c.name for c in parent))
    return mean_of([p.score for p in found.pairs if p.counted]), found.pairs
