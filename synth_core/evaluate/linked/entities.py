"""A set's rows as records: each row of a table with a summary of its children (their number,
and the mean of each numeric child column, per child table). Detection tells real records from
synthetic ones, table by table; privacy compares whole synthetic entities with the training
and the held-out ones (held out with all their children: ``generate.linked.split_by_entity``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.database import Links, key_text
from synth_core.data.distance import RowEncoder, distance_columns, row_hashes
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.evaluate.fidelity.detection import MIN_ROWS as DETECTION_MIN_ROWS
from synth_core.evaluate.fidelity.detection import detect_auc
from synth_core.evaluate.linked.links import children_per_parent, key_columns, without
from synth_core.evaluate.privacy.report import DcrShare, match_share, measure_dcr_share


@dataclass(frozen=True)
class EntityPrivacy:
    """Privacy of whole entities (a parent row with its children) against held-out ones."""

    entity: str
    records: int  # synthetic entities measured
    holdout: int
    dcr: DcrShare
    exact_synthetic: float  # synthetic entities identical to a training entity
    exact_holdout: float  # held-out entities identical to a training entity: the baseline


def records(
    tables: Mapping[str, pd.DataFrame],
    table: str,
    links: Links,
    schemas: Mapping[str, Schema],
) -> tuple[pd.DataFrame, Schema]:
    """The table's rows (keys left out) with, per child table, the number of children and the
    mean of each numeric child column."""
    key = links.keys.get(table)
    keys = key_columns(links)
    schema = without(schemas[table], keys.get(table, set()))
    frame = tables[table][[c.name for c in schema]].copy()
    columns = list(schema)
    for relation in (r for r in links.relations if r.parent == table):
        if key is None:
            continue
        child = tables[relation.child]
        parent_keys = key_text(tables[table][key])
        name = f"{relation.child}: rows"
        frame[name] = children_per_parent(parent_keys, child[relation.child_key])
        columns.append(ColumnSchema(name, ColumnKind.NUMERICAL))
        numeric = [
            c.name
            for c in schemas[relation.child]
            if c.kind is ColumnKind.NUMERICAL and c.name not in keys.get(relation.child, set())
        ]
        if numeric:
            means = child.groupby(key_text(child[relation.child_key]))[numeric].mean()
            for column in numeric:
                named = f"{relation.child}: mean {column}"
                frame[named] = parent_keys.map(means[column]).to_numpy(dtype=float)
                columns.append(ColumnSchema(named, ColumnKind.NUMERICAL))
    return frame.reset_index(drop=True), Schema(tuple(columns))


def detection(
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    table: str,
    links: Links,
    schemas: Mapping[str, Schema],
    seed: int,
) -> float | None:
    """ROC AUC of telling the table's real records from its synthetic ones (None with fewer
    rows than the one-table check needs, or nothing to compare)."""
    if min(len(real[table]), len(synthetic[table])) < DETECTION_MIN_ROWS:
        return None
    real_records, schema = records(real, table, links, schemas)
    if not len(schema):
        return None
    synth_records, _ = records(synthetic, table, links, schemas)
    return detect_auc(real_records, synth_records, schema, seed)


def entity_privacy(
    train: Mapping[str, pd.DataFrame],
    holdout: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
    entity: str,
    links: Links,
    schemas: Mapping[str, Schema],
    seed: int = 0,
) -> EntityPrivacy | None:
    """DCR share and exact copies of whole entities; None without held-out entities."""
    if len(holdout.get(entity, ())) < 2 or len(synthetic[entity]) == 0:
        return None
    real, schema = records(train, entity, links, schemas)
    held, _ = records(holdout, entity, links, schemas)
    synth, _ = records(synthetic, entity, links, schemas)
    columns = distance_columns(schema, real)
    if not columns:
        return None
    encoder = RowEncoder.fit(real, columns, [held, synth])
    rng = np.random.default_rng([seed, 17])
    dcr = measure_dcr_share(encoder, real, held, encoder.transform(synth), rng)
    reference = row_hashes(real, columns)
    return EntityPrivacy(
        entity,
        len(synth),
        len(held),
        dcr,
        match_share(row_hashes(synth, columns), reference),
        match_share(row_hashes(held, columns), reference),
    )
