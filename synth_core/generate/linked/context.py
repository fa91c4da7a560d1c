"""The columns a child row is drawn with: its parent's columns (named '<parent>.<column>') and,
for rules along paths, the dates of rows further up ('disp.account.date': the opening date of
the account of a card's disp row). The same columns, for synthetic parent rows, are what a
drawn child row is matched on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from synth_core.data.database import Relation
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.generate.linked.bounds import Bound, Side, context_sides
from synth_core.generate.linked.paths import Path, along

CONTEXT_KINDS = (
    ColumnKind.NUMERICAL,
    ColumnKind.CATEGORICAL,
    ColumnKind.BOOLEAN,
    ColumnKind.DATETIME,
)


@dataclass(frozen=True)
class ContextColumn:
    name: str  # in the child's rows
    path: Path  # from the child up to the table holding it
    column: ColumnSchema  # as that table has it


@dataclass(frozen=True)
class Context:
    """What one parent link brings to its child's rows."""

    relation: Relation
    prefix: str
    columns: tuple[ContextColumn, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def schema(self) -> list[ColumnSchema]:
        return [replace(c.column, name=c.name) for c in self.columns]

    def of_children(
        self, rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame]
    ) -> dict[str, pd.Series]:
        """The context of each child row (reached through its keys in ``tables``)."""
        return _reached(self.columns, rows, tables, 0)

    def of_parents(self, parents: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
        """The same columns for each parent row (its own, and its ancestors' through its keys):
        what a child drawn under it would have had."""
        return pd.DataFrame(_reached(self.columns, parents, tables, 1))


def _reached(
    columns: Sequence[ContextColumn],
    rows: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    skip: int,
) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}
    cache: dict[Path, pd.DataFrame] = {}
    for column in columns:
        path = column.path[skip:]
        if not path:
            values = rows[column.column.name].reset_index(drop=True)
        else:
            if path not in cache:
                cache[path] = along(path, rows, tables)
            values = cache[path][column.column.name]
        out[column.name] = values
    return out


def prefix(relation: Relation, parents: Sequence[Relation]) -> str:
    """The name a parent's columns get in its child's rows: '<parent>.<column>', or with the
    key when the child points at that table twice ('teams[home_id].<column>')."""
    twice = sum(r.parent == relation.parent for r in parents) > 1
    return f"{relation.parent}[{relation.child_key}]" if twice else relation.parent


def side_name(side: Side, parents: Sequence[Relation]) -> str:
    """The context column a bound's side is drawn as in the child's rows."""
    middle = "".join(f".{r.parent}" for r in side.path[1:])
    return f"{prefix(side.path[0], parents)}{middle}.{side.column}"


def contexts(
    parents: Sequence[Relation],
    schemas: Mapping[str, Schema],
    keys: Mapping[str, set[str]],
    bounds: Sequence[Bound],
) -> list[Context]:
    """Per parent link: the parent's own columns of a modelled kind (keys left out), and the
    far sides of the child's bounds reached through it."""
    far = context_sides(bounds)
    found = []
    for relation in parents:
        head = prefix(relation, parents)
        columns = [
            ContextColumn(f"{head}.{c.name}", (relation,), c)
            for c in schemas[relation.parent]
            if c.kind in CONTEXT_KINDS and c.name not in keys.get(relation.parent, set())
        ]
        for side in far:
            if side.path[0] == relation:
                column = schemas[side.path[-1].parent][side.column]
                columns.append(ContextColumn(side_name(side, parents), side.path, column))
        found.append(Context(relation, head, tuple(columns)))
    return found


def drawn_sides(bounds: Sequence[Bound], parents: Sequence[Relation]) -> dict[Side, str]:
    """Each side of ``bounds`` with the context column its values were drawn as."""
    return {s: side_name(s, parents) for b in bounds for s in b.sides}
