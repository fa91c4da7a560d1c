"""Problems with a table a user should know about before generating, in plain words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

import pandas as pd

from synth_core.data.convert import shown
from synth_core.data.detect import mostly_unique, name_tokens
from synth_core.data.schema import ColumnKind
from synth_core.data.table import Table

SMALL_TABLE_ROWS = 200
MANY_CATEGORIES = 1000


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    level: Level
    message: str
    column: str | None = None


# Words in a column name that say its numbers stand for categories (SEX 1/2, EDUCATION 1-6).
_CODE_WORDS = frozenset(
    {
        "sex", "gender", "education", "edu", "marital", "marriage", "status", "type", "code",
        "class", "pclass", "category", "level", "grade", "group", "race", "ethnicity",
        "region", "flag", "survived", "religion", "occupation", "job", "department", "dept",
        "label", "outcome", "diagnosis", "smoker", "default", "churn", "target",
    }
)  # fmt: skip
MAX_CODES = 10


def coded_columns(table: Table) -> list[str]:
    """Whole-number columns that look like codes for categories: at most ten values, and a
    name that says so (SEX, EDUCATION, Pclass) or exactly the values 0/1 or 1/2 (Survived).
    Counts such as 'children' (0-5) are not flagged."""
    found = []
    for column in table.schema:
        if column.kind is not ColumnKind.NUMERICAL or not column.integer:
            continue
        values = set(table.df[column.name].dropna().unique().tolist())
        if not 2 <= len(values) <= MAX_CODES:
            continue
        named = bool(_CODE_WORDS & set(name_tokens(column.name)))
        if named or values in ({0, 1}, {1, 2}):
            found.append(column.name)
    return found


def table_name(table: Table) -> str:
    """The table's name from its file ('loans' for loans.csv.gz), '' for an upload of bytes."""
    name = PurePath(table.report.source_name).name.lower()
    for suffix in (".gz", ".csv", ".tsv", ".txt"):
        name = name.removesuffix(suffix)
    return "" if name == "upload" else name


def _key_stem(column: str) -> str | None:
    """'account' for 'account_id', 'AccountID' or 'accountId'; '' for 'id'; None otherwise."""
    tokens = name_tokens(column)
    if not tokens or tokens[-1] != "id":
        return None
    return "_".join(tokens[:-1])


def _own(stem: str, table: str) -> bool:
    if not stem:
        return True
    flat = table.replace("_", "").replace("-", "").replace(" ", "")
    word = stem.replace("_", "")
    return bool(flat) and (flat == word or flat.rstrip("s") == word or flat.startswith(word))


def link_columns(table: Table) -> dict[str, str]:
    """Columns named like the key of another table (column -> that table's word): in a table
    that has a key of its own ('id', or '<table>_id' for loans.csv's 'loan_id'), a column
    '<other>_id' ('account_id') most likely points at the rows of another table. IDs of other
    systems in a table without its own key (legislators' 'bioguide_id') are not flagged."""
    name = table_name(table)
    stems = {c.name: _key_stem(c.name) for c in table.schema}
    if not any(stem is not None and _own(stem, name) for stem in stems.values()):
        return {}
    return {
        column: stem for column, stem in stems.items() if stem is not None and not _own(stem, name)
    }


def links_to(
    table: Table, keys: Mapping[tuple[str, str], frozenset[str]]
) -> dict[str, tuple[str, str]]:
    """Columns whose values (at least 10 distinct, compared as text) all occur in the key of
    another table read before: column -> (that table, its key column)."""
    found: dict[str, tuple[str, str]] = {}
    own = table_name(table)
    for column in table.schema:
        if column.kind not in (ColumnKind.ID, ColumnKind.NUMERICAL, ColumnKind.CATEGORICAL):
            continue
        values = table.df[column.name].dropna()
        if pd.api.types.is_float_dtype(values.dtype):
            continue
        distinct = frozenset(values.astype(str).unique())
        if len(distinct) < 10:
            continue
        for (other, key), known in keys.items():
            if other != own and distinct <= known:
                found[column.name] = (other, key)
                break
    return found


MAX_KEY_VALUES = 200_000  # keys of larger tables are not remembered (memory)


def key_values(table: Table) -> dict[tuple[str, str], frozenset[str]]:
    """The table's own key columns as text (its unique ID columns), for ``links_to`` on the
    tables read after it."""
    name = table_name(table) or "the previous table"
    out = {}
    for column in table.schema:
        values = table.df[column.name].dropna()
        if len(values) > MAX_KEY_VALUES:
            continue
        if column.kind is ColumnKind.ID and values.is_unique and len(values):
            out[(name, column.name)] = frozenset(values.astype(str))
    return out


def table_problems(
    table: Table, keys: Mapping[tuple[str, str], frozenset[str]] | None = None
) -> list[Problem]:
    """What the reader fixed, and what about the columns could surprise the user; ``keys``
    are the key columns of tables read before in this session (see ``key_values``)."""
    problems = [Problem(Level.INFO, fix.message) for fix in table.report.fixes]
    rows = len(table.df)
    coded = set(coded_columns(table))
    if rows < SMALL_TABLE_ROWS:
        problems.append(
            Problem(
                Level.WARNING,
                f"The table has only {rows} rows: synthetic data learnt from so few rows is rough, "
                "and small groups are easy to re-identify.",
            )
        )
    personal: list[str] = []
    constant: list[str] = []
    for column in table.schema:
        values = table.df[column.name]
        present = values.dropna()
        distinct = present.nunique()
        name = column.name
        if present.empty:
            problems.append(
                Problem(
                    Level.WARNING,
                    f"'{name}' is empty: it stays empty in the synthetic table.",
                    name,
                )
            )
        elif distinct == 1 and column.kind not in (ColumnKind.ID, ColumnKind.PII):
            constant.append(f"'{name}' ({shown(present.iloc[0])})")
        if column.kind is ColumnKind.PII:
            personal.append(f"'{name}' ({column.pii_type})")
        if column.kind is ColumnKind.CATEGORICAL and mostly_unique(present):
            problems.append(
                Problem(
                    Level.WARNING,
                    f"'{name}' has {distinct:,} different values in {len(present):,} rows "
                    "(mostly unique), and you chose to keep it categorical: generators copy such "
                    "values from real rows, and each singles out a row. Mark it as ID (new "
                    "values) or PII, or leave the column out.",
                    name,
                )
            )
        elif column.kind is ColumnKind.CATEGORICAL and distinct > MANY_CATEGORIES:
            problems.append(
                Problem(
                    Level.WARNING,
                    f"'{name}' has {distinct:,} categories: generation will be slow and rare "
                    "categories will be lost. Group rare values or leave the column out.",
                    name,
                )
            )
        if name in coded:
            codes = ", ".join(shown(v) for v in sorted(present.unique().tolist()))
            problems.append(
                Problem(
                    Level.INFO,
                    f"'{name}' holds {distinct} whole numbers ({codes}) and looks like a code "
                    "for categories: if the numbers stand for groups rather than amounts, treat "
                    "it as categorical (button below), so generators keep each code's share "
                    "instead of making values in between.",
                    name,
                )
            )
        if "could be either way round" in column.reason:
            problems.append(Problem(Level.WARNING, f"'{name}': {column.reason}.", name))
    if constant:
        problems.append(
            Problem(
                Level.INFO,
                f"One value each, copied as it is: {', '.join(constant)}.",
            )
        )
    if personal:
        problems.append(
            Problem(
                Level.INFO,
                f"Personal data found: {', '.join(personal)}. With PII protection on, these are "
                "replaced with fake values (or dropped) and never reach a generator.",
            )
        )
    proven = links_to(table, keys or {})
    for link, (other, key) in proven.items():
        problems.append(
            Problem(
                Level.WARNING,
                f"Every value of '{link}' occurs in '{key}' of '{other}', read earlier: it "
                f"links this table to that one. Generated alone, this table keeps no link: "
                f"synthetic '{link}' values point at no row of a synthetic '{other}'.",
                link,
            )
        )
    for link, word in link_columns(table).items():
        if link not in proven:
            problems.append(
                Problem(
                    Level.INFO,
                    f"'{link}' looks like the key of another table ('{word}'): generated alone, "
                    "this table keeps no link to it, so synthetic values point at no row of "
                    "that table's synthetic version.",
                    link,
                )
            )
    return problems
