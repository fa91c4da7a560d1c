"""SDV's multi-table metadata JSON, both ways: a user coming from SDV brings their schema along
(tables, column types, primary keys, relationships) instead of discovery, and the keys and links
shown here can be saved for SDV.

The format (SDV 1.x and 2.0, ``Metadata.load_from_dict``): ``{"tables": {name: {"columns":
{column: {"sdtype": ...}}, "primary_key": column}}, "relationships": [{"parent_table_name",
"parent_primary_key", "child_table_name", "child_foreign_key"}], "METADATA_SPEC_VERSION"}``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from synth_core.data.database import Database, DatabaseError, Links, Relation, key_coverage
from synth_core.data.schema import SDV_PII_SDTYPES, ColumnKind, ColumnOverride, PiiType
from synth_core.data.table import Table

_PII_OF_SDTYPE: Mapping[str, PiiType] = {v: k for k, v in SDV_PII_SDTYPES.items()}
_KINDS = {k.value for k in ColumnKind if k is not ColumnKind.PII}
_FROM_SDV = "given in the SDV metadata"


def to_sdv_metadata(database: Database, links: Links) -> dict[str, Any]:
    """The tables' column kinds, keys and links as SDV metadata (foreign keys as 'id', which
    SDV requires of them)."""
    foreign = {(r.child, r.child_key) for r in links.relations}
    tables: dict[str, Any] = {}
    for name, table in database.tables.items():
        columns = table.schema.to_sdv_metadata(name)["tables"][name]["columns"]
        for column in table.schema:
            if column.kind is ColumnKind.DATETIME and column.datetime_format:
                columns[column.name]["datetime_format"] = column.datetime_format
            if (name, column.name) in foreign or column.name == links.keys.get(name):
                columns[column.name] = {"sdtype": "id"}
        entry: dict[str, Any] = {"columns": columns}
        key = links.keys.get(name)
        if key is not None:
            entry["primary_key"] = key
        tables[name] = entry
    relationships = [
        {
            "parent_table_name": r.parent,
            "parent_primary_key": r.parent_key,
            "child_table_name": r.child,
            "child_foreign_key": r.child_key,
        }
        for r in links.relations
    ]
    return {"tables": tables, "relationships": relationships, "METADATA_SPEC_VERSION": "V1"}


def read_sdv_metadata(text: str | bytes, database: Database) -> tuple[Database, Links]:
    """``database`` with the column kinds, keys and links of SDV metadata ``text`` applied;
    DatabaseError naming what does not fit (a table or column the files lack, a key of
    several columns)."""
    try:
        payload = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatabaseError(f"The SDV metadata is not valid JSON ({exc}).") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("tables"), dict):
        raise DatabaseError(
            "The SDV metadata has no 'tables' object: save it from SDV with "
            "metadata.save_to_json(...) and load that file."
        )
    tables: dict[str, Table] = dict(database.tables)
    keys: dict[str, str | None] = dict.fromkeys(tables)
    notes: list[str] = []
    for name, entry in payload["tables"].items():
        if name not in tables:
            raise DatabaseError(
                f"The SDV metadata describes a table '{name}' that is not among the files "
                f"({', '.join(tables)}). Add its file, or remove it from the metadata."
            )
        table = tables[name]
        columns = entry.get("columns", {}) if isinstance(entry, dict) else {}
        overrides: dict[str, ColumnOverride] = {}
        for column, spec in columns.items():
            if column not in table.schema:
                raise DatabaseError(
                    f"The SDV metadata names a column '{name}.{column}' that the file does not "
                    "have. Use the metadata made for these files."
                )
            override = _override(spec, f"{name}.{column}", notes)
            if override is not None and override.kind is not table.schema[column].kind:
                overrides[column] = override
        if overrides:
            tables[name] = table.with_overrides(overrides)
        key = entry.get("primary_key") if isinstance(entry, dict) else None
        if isinstance(key, list):
            raise DatabaseError(
                f"Table '{name}' has a primary key of several columns ({', '.join(key)}) in the "
                "SDV metadata: keys of several columns are not supported yet. Add a column with "
                "one value per row and make it the key."
            )
        if key is not None:
            if key not in table.schema:
                raise DatabaseError(f"The primary key '{name}.{key}' is not a column of {name}.")
            keys[name] = str(key)
    relations = [_relation(item, tables, keys) for item in payload.get("relationships", [])]
    updated = Database(tables, database.declared, database.notes, sources=database.sources)
    return updated, Links(keys, tuple(relations), (), tuple(notes))


def _override(spec: object, where: str, notes: list[str]) -> ColumnOverride | None:
    sdtype = str(spec.get("sdtype", "")) if isinstance(spec, dict) else ""
    if sdtype in _KINDS:
        label = sdtype
        if sdtype == "datetime" and isinstance(spec, dict) and spec.get("datetime_format"):
            label = f"datetime:{spec['datetime_format']}"
        return ColumnOverride.parse(label)
    if sdtype in _PII_OF_SDTYPE:
        return ColumnOverride.parse(f"pii:{_PII_OF_SDTYPE[sdtype].value}")
    notes.append(
        f"{where}: SDV's sdtype '{sdtype}' has no counterpart here; the kind read from the data "
        "is kept."
    )
    return None


def _relation(
    item: object, tables: Mapping[str, Table], keys: Mapping[str, str | None]
) -> Relation:
    fields = ("parent_table_name", "parent_primary_key", "child_table_name", "child_foreign_key")
    if not isinstance(item, dict) or not all(isinstance(item.get(f), str) for f in fields):
        raise DatabaseError(
            f"A relationship in the SDV metadata lacks one of {', '.join(fields)}: {item!r}."
        )
    parent, parent_key = str(item["parent_table_name"]), str(item["parent_primary_key"])
    child, child_key = str(item["child_table_name"]), str(item["child_foreign_key"])
    for table, column in ((parent, parent_key), (child, child_key)):
        if table not in tables or column not in tables[table].schema:
            raise DatabaseError(
                f"The SDV relationship {child}.{child_key} → {parent}.{parent_key} names "
                f"'{table}.{column}', which the files do not have."
            )
    if keys.get(parent) != parent_key:
        raise DatabaseError(
            f"The SDV relationship {child}.{child_key} → {parent}.{parent_key} points at a "
            f"column that is not {parent}'s primary key. Set it as the primary key in the "
            "metadata."
        )
    share, orphans = key_coverage(tables[child].df[child_key], tables[parent].df[parent_key])
    return Relation(parent, parent_key, child, child_key, share, orphans, _FROM_SDV, declared=True)
