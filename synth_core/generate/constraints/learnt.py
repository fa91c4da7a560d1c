"""What the real rows allow, learnt once per real table and kept while that table lives: the
combinations of some columns (as integer codes) and the most common value of one column for each
value of another.

Rule checks and repairs ask for these once per chunk of synthetic rows and per redraw (171 calls
for 1,000 rows from a 400,000-row table): learnt again on every call from the real rows'
strings (``drop_duplicates``, ``groupby``), they took 31 of the 73 s of that run; learnt once,
each call costs what the synthetic rows cost. The real table must not change while it is used
(the training rows never do); an entry goes when its table is freed."""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

T = TypeVar("T")

_CACHE: dict[tuple[int, Hashable], tuple[weakref.ref[pd.DataFrame], tuple[int, ...], Any]] = {}
_LOCK = threading.RLock()  # a table freed under it calls _forget in the same thread
_MAX_ENTRIES = 1_024
_KEY_BITS = 62  # combined codes above this do not fit an int64: compared as rows instead


def learnt(real: pd.DataFrame, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, once per ``real`` table (the same object, alive, of the same shape) and
    ``key``."""
    shape = (len(real), len(real.columns))
    entry = (id(real), key)
    with _LOCK:
        found = _CACHE.get(entry)
    if found is not None and found[0]() is real and found[1] == shape:
        return cast(T, found[2])
    value = build()
    with _LOCK:
        if len(_CACHE) >= _MAX_ENTRIES:
            _CACHE.clear()
        _CACHE[entry] = (weakref.ref(real, lambda _: _forget(entry)), shape, value)
    return value


def _forget(entry: tuple[int, Hashable]) -> None:
    with _LOCK:
        _CACHE.pop(entry, None)


MISSING = -1  # a code: the value is missing
UNSEEN = -2  # a code: a value the real column does not have


@dataclass(frozen=True)
class ColumnCodes:
    """A column of a table as integer codes (``MISSING`` for a missing value: None, NaN, pd.NA
    alike) and its distinct present values in order of first appearance, as Python objects:
    ``pd.factorize`` once, in C, instead of hashing the strings on every check."""

    codes: np.ndarray
    values: pd.Index

    @classmethod
    def of(cls, frame: pd.DataFrame, name: str) -> ColumnCodes:
        return learnt(frame, ("codes", name), lambda: cls._learn(frame[name]))

    @classmethod
    def _learn(cls, column: pd.Series) -> ColumnCodes:
        codes, uniques = pd.factorize(column.astype(object))
        return cls(codes.astype(np.int32), pd.Index(uniques, dtype=object))  # 4 bytes a cell

    def lookup(self, frame: pd.DataFrame, name: str) -> np.ndarray:
        """The codes of ``frame[name]`` among this column's values (``MISSING``, ``UNSEEN``)."""
        if len(frame) > _LOOKUP_CACHED:  # a table checked against itself or another large one
            other = ColumnCodes.of(frame, name)
            if other is self:
                return self.codes
            mapped = self.values.get_indexer(other.values)
            mapped[mapped < 0] = UNSEEN
            found: np.ndarray = np.where(other.codes < 0, MISSING, mapped[other.codes])
            return found
        objects = frame[name].astype(object)
        codes = self.values.get_indexer(pd.Index(objects, dtype=object)).astype(np.int64)
        missing = objects.isna().to_numpy()
        codes[(codes < 0) & ~missing] = UNSEEN
        codes[missing] = MISSING
        return codes


_LOOKUP_CACHED = 50_000  # rows from which a checked table's codes are learnt and kept too


@dataclass(frozen=True)
class Combinations:
    """The combinations of ``columns`` that real rows hold (a missing value counts as a value of
    its own): each row's codes combined into one integer, the real ones sorted."""

    columns: tuple[str, ...]
    codes: tuple[ColumnCodes, ...]
    keys: np.ndarray | None  # None: too many combinations for one integer; ``rows`` instead
    rows: pd.MultiIndex | None

    @classmethod
    def of(cls, real: pd.DataFrame, columns: Sequence[str]) -> Combinations:
        names = tuple(columns)
        return learnt(real, ("combinations", names), lambda: cls._learn(real, names))

    @classmethod
    def _learn(cls, real: pd.DataFrame, columns: tuple[str, ...]) -> Combinations:
        codes = tuple(ColumnCodes.of(real, name) for name in columns)
        if sum(math.log2(len(c.values) + 2) for c in codes) > _KEY_BITS:
            frame = real[list(columns)].astype(object).drop_duplicates()
            return cls(columns, codes, None, pd.MultiIndex.from_frame(frame))
        keys = _combined([c.codes for c in codes], codes)
        return cls(columns, codes, np.unique(keys), None)

    def allowed(self, df: pd.DataFrame) -> np.ndarray:
        """True for the rows of ``df`` whose values of ``columns`` are a real combination."""
        if self.keys is None:
            assert self.rows is not None
            rows = pd.MultiIndex.from_frame(df[list(self.columns)].astype(object))
            found: np.ndarray = rows.isin(self.rows)
            return found
        looked = [c.lookup(df, name) for c, name in zip(self.codes, self.columns, strict=True)]
        unseen = np.zeros(len(df), dtype=bool)
        for code in looked:
            unseen |= code == UNSEEN
        allowed: np.ndarray = np.isin(_combined(looked, self.codes), self.keys) & ~unseen
        return allowed


def _combined(codes: Sequence[np.ndarray], columns: Sequence[ColumnCodes]) -> np.ndarray:
    """One integer per row from its codes (mixed radix; missing is a value of its own)."""
    key = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    for code, column in zip(codes, columns, strict=True):
        key = key * (len(column.values) + 1) + np.maximum(code + 1, 0)
    return key


@dataclass(frozen=True)
class Donors:
    """Real rows with every one of ``columns`` present (``rows``: their positions), grouped by
    the column ``keep`` (the one with the most values among them): where a synthetic
    combination is not real, the row keeps its value of ``keep`` and takes the others from a
    real row with that value (``groups``: value → positions among ``rows``)."""

    rows: np.ndarray
    keep: str
    groups: dict[Any, np.ndarray]
    codes: dict[str, ColumnCodes]

    @classmethod
    def of(cls, real: pd.DataFrame, columns: Sequence[str]) -> Donors:
        names = tuple(columns)
        return learnt(real, ("donors", names), lambda: cls._learn(real, names))

    @classmethod
    def _learn(cls, real: pd.DataFrame, columns: tuple[str, ...]) -> Donors:
        codes = {name: ColumnCodes.of(real, name) for name in columns}
        present = np.ones(len(real), dtype=bool)
        for column in codes.values():
            present &= column.codes >= 0
        rows = np.flatnonzero(present)
        if not len(rows):
            return cls(rows, columns[0], {}, codes)
        distinct = {n: len(np.unique(c.codes[rows])) for n, c in codes.items()}
        keep = max(columns, key=lambda c: (distinct[c], -columns.index(c)))
        kept = codes[keep].codes[rows]
        order = np.argsort(kept, kind="stable")
        bounds = np.flatnonzero(np.diff(kept[order])) + 1
        groups = {
            codes[keep].values[int(kept[part[0]])]: part
            for part in np.split(order, bounds)
            if len(part)
        }
        return cls(rows, keep, groups, codes)

    def values(self, name: str, picked: np.ndarray) -> np.ndarray:
        """The real values of ``name`` at ``picked`` (positions among ``rows``), as objects."""
        column = self.codes[name]
        found: np.ndarray = column.values.to_numpy(dtype=object)[column.codes[self.rows[picked]]]
        return found


def most_common(source: pd.Series, target: pd.Series) -> pd.Series:
    """The most common target value of each source value (rows with both present)."""
    pairs = pd.DataFrame({"source": source.to_numpy(), "target": target.to_numpy()})
    counts = pairs.dropna().astype(object).groupby(["source", "target"], sort=True).size()
    best = counts.sort_values(ascending=False, kind="stable").reset_index()
    return best.drop_duplicates("source").set_index("source")["target"]


def most_common_in(
    real: pd.DataFrame, key: Hashable, source: Callable[[], pd.Series], target: str
) -> pd.Series:
    """``most_common(source(), real[target])``, learnt once per real table and ``key``."""
    return learnt(real, ("most common", key, target), lambda: most_common(source(), real[target]))
