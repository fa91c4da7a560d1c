"""Everything decided about a set before any row is drawn (``SetPlan``): the order to make the
tables in, the entities held out, the reference tables kept as they are, the rules across
tables, and how each column is made (a label drawn from the real labels, an identifier given
new values)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from synth_core.data.database import Database, Links, Relation, key_text, link_order
from synth_core.data.detect import name_tokens
from synth_core.data.schema import ColumnKind, Schema
from synth_core.generate.linked.bounds import Bound, find_bounds
from synth_core.generate.linked.rules import SetRules, find_set_rules
from synth_core.generate.linked.spec import LinkedSpec

REFERENCE_ROWS = 500  # a table this small at the top may be a reference list
REFERENCE_USE = 2.0  # ... when its rows are used this many times on average
IDENTIFIER_UNIQUE = 0.95  # a whole-number column with this share of distinct values ...
IDENTIFIER_DIGITS = 5  # ... of one width of this many digits or more ...
IDENTIFIER_WORDS = {"id", "no", "nr", "num", "number", "code", "iban", "acct", "account", "card"}
LABEL_TEXT = 0.9  # an ID-like text column with words (no digits) in this share is a label


@dataclass(frozen=True)
class SetPlan:
    """What ``synthesize_linked`` decided before drawing rows."""

    database: Database
    links: Links
    spec: LinkedSpec
    order: tuple[str, ...]
    entity: str | None
    train: Mapping[str, pd.DataFrame]
    holdout: Mapping[str, pd.DataFrame]
    keep: tuple[str, ...]
    rules: SetRules
    bounds: Mapping[str, tuple[Bound, ...]]
    schemas: Mapping[str, Schema]  # as each table is made (labels, identifiers decided)
    notes: tuple[str, ...]

    @property
    def real(self) -> dict[str, pd.DataFrame]:
        return {name: table.df for name, table in self.database.tables.items()}

    def parents(self, name: str) -> list[Relation]:
        return [r for r in self.links.relations if r.child == name]

    def children(self, name: str) -> list[Relation]:
        return [r for r in self.links.relations if r.parent == name]


def make_plan(database: Database, links: Links, spec: LinkedSpec) -> SetPlan:
    """The plan for ``spec`` (already validated) on the set."""
    entity, train, holdout = split_by_entity(
        database, links, spec.table.holdout_fraction, spec.seed
    )
    notes: list[str] = []
    if spec.keep is None:
        keep = tuple(reference_tables(database, links))
        notes.extend(_kept_note(name, database, links) for name in keep)
    else:
        keep = spec.keep
        notes.extend(
            f"{name}: kept as it is, as you chose ({len(database.tables[name].df):,} real rows "
            "and keys)."
            for name in keep
        )
    tables = {name: t.df for name, t in database.tables.items()}
    schemas: dict[str, Schema] = {}
    for name, table in database.tables.items():
        schemas[name], said = as_made(name, table.schema, table.df, links)
        if name not in keep:
            notes.extend(said)
    return SetPlan(
        database=database,
        links=links,
        spec=spec,
        order=tuple(link_order(list(database.tables), links.relations)),
        entity=entity,
        train=train,
        holdout=holdout,
        keep=keep,
        rules=find_set_rules(database, links),
        bounds=find_bounds(tables, {n: t.schema for n, t in database.tables.items()}, links),
        schemas=schemas,
        notes=tuple(notes),
    )


def keepable_tables(database: Database, links: Links) -> list[str]:
    """Tables that may be kept as they are: at the top (no parent), with children, at most
    ``REFERENCE_ROWS`` rows, never the entity table."""
    entity = entity_table(database, links)
    return [
        name
        for name, table in database.tables.items()
        if not any(r.child == name for r in links.relations)
        and any(r.parent == name for r in links.relations)
        and len(table.df) <= REFERENCE_ROWS
        and name != entity
    ]


def reference_tables(database: Database, links: Links) -> list[str]:
    """Small lists at the top (districts, countries, products), kept as they are by default:
    tables that may be kept (``keepable_tables``) without personal data, whose rows children use
    ``REFERENCE_USE`` times or more on average."""
    found = []
    for name in keepable_tables(database, links):
        table = database.tables[name]
        if any(c.kind is ColumnKind.PII for c in table.schema):
            continue
        children = [r for r in links.relations if r.parent == name]
        used = max(len(database.tables[r.child].df) for r in children) / max(len(table.df), 1)
        if used >= REFERENCE_USE:
            found.append(name)
    return found


def _kept_note(name: str, database: Database, links: Links) -> str:
    rows = len(database.tables[name].df)
    users = sorted({r.child for r in links.relations if r.parent == name})
    return (
        f"{name}: kept as it is ({rows:,} real rows and keys): a small list at the top of the "
        f"set, without personal data, that the {' and '.join(users)} rows point at, as in the "
        "real set. To synthesize it too, untick it under 'Keep as they are' (CLI: --synthesize "
        f'{name}; recipe: "keep").'
    )


def entity_table(database: Database, links: Links) -> str | None:
    """The table privacy is measured by: the parent (of 50 rows or more) with the most child
    rows directly below it (players above their postseason lines, accounts above loans)."""
    best, most = None, 0
    for name, table in database.tables.items():
        below = sum(len(database.tables[r.child].df) for r in links.relations if r.parent == name)
        if len(table.df) >= 50 and below > most:
            best, most = name, below
    return best


def split_by_entity(
    database: Database, links: Links, fraction: float, seed: int
) -> tuple[str | None, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """(entity table, training rows, held-out rows) per table: ``fraction`` of the entity
    table's rows are held out, and every row below them (through any link, at any depth)."""
    entity = entity_table(database, links) if fraction > 0 else None
    held = {name: pd.Series(False, index=t.df.index) for name, t in database.tables.items()}
    if entity is not None:
        frame = database.tables[entity].df
        rng = np.random.default_rng([seed, 5])
        count = round(fraction * len(frame))
        chosen = rng.choice(len(frame), size=count, replace=False)
        held[entity].iloc[chosen] = True
        for name in link_order(list(database.tables), links.relations):
            for relation in (r for r in links.relations if r.parent == name):
                parent = database.tables[name].df
                keys = set(key_text(parent.loc[held[name], relation.parent_key]).dropna())
                if keys:
                    values = database.tables[relation.child].df[relation.child_key]
                    held[relation.child] |= key_text(values).isin(keys)
    train = {n: t.df[~held[n]].reset_index(drop=True) for n, t in database.tables.items()}
    holdout = {n: t.df[held[n]].reset_index(drop=True) for n, t in database.tables.items()}
    return entity, train, holdout


def without_orphans(
    frame: pd.DataFrame,
    relations: Sequence[Relation],
    tables: Mapping[str, pd.DataFrame],
    keep_orphans: bool = False,
) -> tuple[pd.DataFrame, int]:
    """``frame`` without the rows whose key points at no parent row (orphans), or with those
    keys emptied (``keep_orphans``); and how many rows that was."""
    out = frame.copy()
    orphan = pd.Series(False, index=frame.index)
    for relation in relations:
        parent_keys = set(key_text(tables[relation.parent][relation.parent_key]))
        values = frame[relation.child_key]
        lost = values.notna() & ~key_text(values).isin(parent_keys)
        if keep_orphans and lost.any():
            out.loc[lost, relation.child_key] = None
        orphan |= lost
    if keep_orphans:
        return out, int(orphan.sum())
    return out[~orphan].reset_index(drop=True), int(orphan.sum())


def as_made(
    name: str, schema: Schema, frame: pd.DataFrame, links: Links
) -> tuple[Schema, list[str]]:
    """The table's schema as it is made: an ID-like column of words that is no key (a
    district's name) in a table without personal data is a label, drawn from the real labels
    like a category (in a table about people it may single one out: it stays an ID); a
    whole-number
    column shaped like an identifier (an 8-digit account number in every row, a different one
    each time) gets new values like IDs, never a real one."""
    keys = {links.keys.get(name)} | {r.child_key for r in links.relations if r.child == name}
    personal = any(c.kind is ColumnKind.PII for c in schema)  # rows about people
    labels, identifiers = [], []
    columns = []
    for column in schema:
        values = frame[column.name]
        if column.name in keys:
            columns.append(column)
        elif column.kind is ColumnKind.ID and not personal and _labels(values):
            labels.append(column.name)
            columns.append(replace(column, kind=ColumnKind.CATEGORICAL))
        elif column.kind is ColumnKind.NUMERICAL and _identifier(column.name, values, links):
            identifiers.append(column.name)
            columns.append(replace(column, kind=ColumnKind.ID))
        else:
            columns.append(column)
    notes = []
    if labels:
        notes.append(
            f"{name}: {_quoted(labels)} hold{'s' if len(labels) == 1 else ''} names, not "
            "personal data: synthetic rows take real names (drawn like a category), never "
            "made-up letters."
        )
    if identifiers:
        notes.append(
            f"{name}: {_quoted(identifiers)} look{'s' if len(identifiers) == 1 else ''} like an "
            "identifier (whole numbers of one width, a different one in nearly every row): "
            "made like an ID column."
        )
    return Schema(tuple(columns)), notes


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _labels(values: pd.Series) -> bool:
    text = values.dropna().astype(str)
    if text.empty or pd.api.types.is_numeric_dtype(values.dtype):
        return False
    words = text.str.contains(r"[A-Za-z]") & ~text.str.contains(r"\d")
    return bool(words.mean() >= LABEL_TEXT)


def _identifier(column: str, values: pd.Series, links: Links) -> bool:
    present = pd.to_numeric(values, errors="coerce").dropna()
    if len(present) < 20 or not bool((present == present.round()).all()):
        return False
    if present.nunique() < IDENTIFIER_UNIQUE * len(present):
        return False
    digits = present.abs().astype("int64").astype(str).str.len()
    width = int(digits.mode().iloc[0])
    if width < IDENTIFIER_DIGITS or (digits == width).mean() < IDENTIFIER_UNIQUE:
        return False
    tables = {t for r in links.relations for t in (r.parent, r.child)}
    tokens = set(name_tokens(column))
    return bool(tokens & IDENTIFIER_WORDS) or any(
        set(name_tokens(t)) <= tokens for t in tables if name_tokens(t)
    )
