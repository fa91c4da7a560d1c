"""Paths up a linked set: from a table's rows to an ancestor's rows through one link or several
(a card → its disp row → the account), and the rows at the end of a path for every row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from synth_core.data.database import Relation, key_text

Path = tuple[Relation, ...]  # the first link leaves the table; each next one leaves the last parent
MAX_DEPTH = 3  # links followed up from a table at most


def paths_up(table: str, relations: Sequence[Relation], depth: int = MAX_DEPTH) -> list[Path]:
    """Every path from ``table`` up through its parents, one link to ``depth`` links long,
    shortest first."""
    found: list[Path] = []
    frontier: list[Path] = [(r,) for r in relations if r.child == table and r.parent != table]
    while frontier:
        found.extend(frontier)
        longer = []
        for path in frontier:
            if len(path) >= depth:
                continue
            seen = {path[0].child, *(r.parent for r in path)}
            for r in relations:
                if r.child == path[-1].parent and r.parent not in seen:
                    longer.append((*path, r))
        frontier = longer
    return found


def end(path: Path) -> str:
    """The table a path arrives at."""
    return path[-1].parent


def words(path: Path) -> str:
    """'card → disp → account'."""
    return " → ".join([path[0].child, *(r.parent for r in path)])


def through(path: Path) -> str:
    """'' for one link; ' (through disp)' for card → disp → account."""
    middle = [r.parent for r in path[:-1]]
    return f" (through {', '.join(middle)})" if middle else ""


def positions(path: Path, rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> np.ndarray:
    """For each row of ``rows`` (rows of ``path[0].child``), the position of the row reached in
    ``tables[end(path)]`` by following the keys; -1 where a key is missing or points nowhere."""
    keys = key_text(rows[path[0].child_key]).reset_index(drop=True)
    found = np.full(len(rows), -1, dtype=np.int64)
    alive = np.ones(len(rows), dtype=bool)
    for step, relation in enumerate(path):
        parent = tables[relation.parent]
        index = pd.Index(key_text(parent[relation.parent_key]))
        at = index.get_indexer(pd.Index(keys)) if len(index) else np.full(len(keys), -1)
        alive &= at >= 0
        found = np.where(alive, at, -1)
        if step + 1 < len(path):
            following = key_text(parent[path[step + 1].child_key]).to_numpy(dtype=object)
            reached = following[np.maximum(found, 0)] if following.size else following[:0]
            keys = pd.Series(reached if following.size else [None] * len(found), dtype="object")
            keys = keys.where(pd.Series(alive) & keys.notna(), None)
    return found


def along(path: Path, rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``end(path)`` reached from each row of ``rows``, aligned with them (a row
    that reaches none is empty)."""
    ancestor = tables[end(path)]
    at = positions(path, rows, tables)
    if len(ancestor) == 0:
        return pd.DataFrame(np.nan, index=range(len(rows)), columns=ancestor.columns)
    reached = ancestor.iloc[np.maximum(at, 0)].reset_index(drop=True)
    missing = at < 0
    if missing.any():
        reached = reached.astype({c: object for c in reached.columns if reached[c].dtype == bool})
        reached.loc[missing] = np.nan
    out: pd.DataFrame = reached
    return out


def ancestor_keys(path: Path, rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> np.ndarray:
    """The key (as text) of the row reached at the end of ``path`` from each row; None where
    none is reached."""
    at = positions(path, rows, tables)
    last = path[-1]
    keys = key_text(tables[last.parent][last.parent_key]).to_numpy(dtype=object)
    out = np.full(len(rows), None, dtype=object)
    if keys.size:
        reached = at >= 0
        out[reached] = keys[at[reached]]
    return out
