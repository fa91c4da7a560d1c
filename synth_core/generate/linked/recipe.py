"""A linked set's recipe: the tables (names, files, fingerprints), their keys and links, and the
settings that made the synthetic set, as JSON to save and load (the app and the CLI)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from synth_core.data.database import Database, Links, with_link
from synth_core.generate.generators.registry import DEFAULT_GENERATOR
from synth_core.generate.linked.spec import LinkedMethod, LinkedSpec, Orphans
from synth_core.generate.recipe import RecipeError, fingerprint
from synth_core.generate.spec import GenerationSpec

KIND = "linked tables"
VERSION = 1


@dataclass(frozen=True)
class LinkedRecipe:
    generator: str = DEFAULT_GENERATOR
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    holdout_fraction: float = 0.2
    scale: float = 1.0
    keep: tuple[str, ...] | None = None  # None: the set's reference tables
    orphans: str = Orphans.DROP.value
    method: str = LinkedMethod.PER_TABLE.value
    tables: tuple[Mapping[str, Any], ...] = ()  # {"name", "file", "fingerprint", "rows"}
    relations: tuple[Mapping[str, str], ...] = ()  # {"parent", "parent_key", "child", ...}

    def spec(self) -> LinkedSpec:
        return LinkedSpec(
            table=GenerationSpec(
                generator=self.generator,
                params=dict(self.params),
                seed=self.seed,
                holdout_fraction=self.holdout_fraction,
            ),
            method=LinkedMethod(self.method),
            scale=self.scale,
            keep=self.keep,
            orphans=Orphans(self.orphans),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": KIND,
                "version": VERSION,
                "generator": self.generator,
                "params": dict(self.params),
                "seed": self.seed,
                "holdout_fraction": self.holdout_fraction,
                "scale": self.scale,
                "keep": None if self.keep is None else list(self.keep),
                "orphans": self.orphans,
                "method": self.method,
                "tables": [dict(t) for t in self.tables],
                "relations": [dict(r) for r in self.relations],
            },
            indent=2,
            ensure_ascii=False,
        )

    def links_for(self, database: Database, found: Links) -> tuple[Links, list[str]]:
        """The recipe's links applied to ``database`` (each checked as if added by hand), and
        warnings in words for tables whose data differ from the recipe's."""
        missing = [t["name"] for t in self.tables if t["name"] not in database.tables]
        if missing:
            raise RecipeError(
                f"The recipe is for a set with the table(s) {', '.join(missing)}, which these "
                "files do not have: load the same files (table names come from file names)."
            )
        warnings = []
        for table in self.tables:
            source = database.sources.get(str(table["name"]))
            if source is not None and fingerprint(source[1]) != table.get("fingerprint"):
                warnings.append(
                    f"{table['name']} is not the file the recipe was made from (its content "
                    "differs): the synthetic set will differ too."
                )
        links = Links(found.keys, (), found.near_misses, found.notes)
        for r in self.relations:
            links = with_link(
                database, links, r["child"], r["child_key"], r["parent"], r["parent_key"]
            )
        return links, warnings


def make_linked_recipe(database: Database, links: Links, spec: LinkedSpec) -> LinkedRecipe:
    """The recipe that makes ``spec``'s set again from the same files."""
    return LinkedRecipe(
        generator=spec.table.generator,
        params=dict(spec.table.params),
        seed=spec.table.seed,
        holdout_fraction=spec.table.holdout_fraction,
        scale=spec.scale,
        keep=spec.keep,
        orphans=spec.orphans.value,
        method=spec.method.value,
        tables=tuple(
            {
                "name": name,
                "file": database.sources[name][0] if name in database.sources else f"{name}.csv",
                "fingerprint": fingerprint(database.sources[name][1])
                if name in database.sources
                else None,
                "rows": len(table.df),
            }
            for name, table in database.tables.items()
        ),
        relations=tuple(
            {
                "parent": r.parent,
                "parent_key": r.parent_key,
                "child": r.child,
                "child_key": r.child_key,
            }
            for r in links.relations
        ),
    )


_FIELDS: dict[str, tuple[Any, str]] = {
    "generator": (lambda v: isinstance(v, str), "a generator name (text)"),
    "params": (lambda v: isinstance(v, dict), "an object of parameter values"),
    "seed": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "holdout_fraction": (
        lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "a number",
    ),
    "scale": (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "a number"),
    "keep": (
        lambda v: v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v)),
        "a list of table names (or null: the reference tables)",
    ),
    "orphans": (lambda v: v in {o.value for o in Orphans}, "'drop' or 'keep'"),
    "method": (
        lambda v: v in {m.value for m in LinkedMethod},
        "one of " + ", ".join(f"'{m.value}'" for m in LinkedMethod),
    ),
    "tables": (
        lambda v: isinstance(v, list) and all(isinstance(t, dict) and "name" in t for t in v),
        "a list of tables (objects with a name)",
    ),
    "relations": (
        lambda v: (
            isinstance(v, list)
            and all(
                isinstance(r, dict) and {"parent", "parent_key", "child", "child_key"} <= set(r)
                for r in v
            )
        ),
        "a list of links (parent, parent_key, child, child_key)",
    ),
}


def read_linked_recipe(text: str | bytes) -> LinkedRecipe:
    """A linked set's recipe from its JSON; RecipeError naming what is wrong."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecipeError(f"The recipe is not valid JSON ({exc}).") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise RecipeError(
            "This recipe is not for a set of linked tables: load it with one table, or save a "
            "recipe from the set's Generate page."
        )
    if data.get("version") != VERSION:
        raise RecipeError(
            f"The recipe is version {data.get('version')}; this studio reads {VERSION}."
        )
    unknown = sorted(set(data) - set(_FIELDS) - {"kind", "version"})
    if unknown:
        raise RecipeError(
            f"The recipe has {'a field' if len(unknown) == 1 else 'fields'} this studio does not "
            f"know: {', '.join(repr(u) for u in unknown)}. Remove "
            f"{'it' if len(unknown) == 1 else 'them'}, or save the recipe again from the set's "
            "Generate page."
        )
    values: dict[str, Any] = {}
    for name, (test, words) in _FIELDS.items():
        if name not in data:
            continue
        if not test(data[name]):
            shown = json.dumps(data[name], ensure_ascii=False)[:60]
            raise RecipeError(f"The recipe's '{name}' must be {words}; got {shown}.")
        value = data[name]
        values[name] = tuple(value) if isinstance(value, list) else value
    return LinkedRecipe(**values)
