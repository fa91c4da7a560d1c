"""Several tables at once: read from files, a zip of files or a SQLite database, and the keys
that link them found with their evidence.

Each CSV (or TSV, or gzip of either) is read with ``read_table``, with all its guarantees; a
zip's table files likewise (other files in it are refused with their names); a SQLite file's
tables are read from memory (``sqlite3``'s ``deserialize``: nothing is written to disk) and go
through the same reader, and its declared foreign keys are taken as given. A table's name is its
file's name without the extensions ('loans' for loans.csv.gz).

Keys (``primary_key``): a column with no missing and no repeated value that is ID-like: named
'id', '<table>_id' or '<table>ID', or detected as an ID, or a text column whose values look
like codes. Links (``find_relations``): a child column whose values (missing aside) occur in
another table's primary key, with evidence it is not chance:

- a name that says so: the key's own name in both tables ('account_id'), or '<parent>_id' /
  '<parent>ID' in the child; with such a name, a link is kept when at least ``MIN_COVERAGE`` of
  the child's values are found (the rest are orphans, counted for the user to decide);
- without such a name, only text keys of at least ``MIN_TEXT_VALUES`` distinct codes, all found:
  whole numbers (1 to 77 in two unrelated columns) match by accident too easily to be taken on
  their values alone;
- values that would match only ignoring case ('ABC01' against 'abc01') are not a link; they are
  listed as a near miss, with what to do.

A table linked to itself (an employee's manager), composite keys and cycles are not found here:
``find_relations`` skips self-links and keys of several columns, and says so in ``notes``."""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

import pandas as pd

from synth_core.data.detect import name_tokens
from synth_core.data.io.reader import ReadOptions, read_table
from synth_core.data.schema import ColumnKind, Schema
from synth_core.data.table import Table
from synth_core.errors import InputError

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
MAX_TABLES = 100
MIN_COVERAGE = 0.95  # with a name that says so, the share of the child's values found
MIN_TEXT_VALUES = 10  # text codes needed to take a link on its values alone
_SQLITE_MAGIC = b"SQLite format 3\x00"
_IGNORED = ("__MACOSX/", ".DS_Store")


class DatabaseError(InputError):
    """The files cannot be read as a set of tables (a name twice, a file that is no table)."""


@dataclass(frozen=True)
class Relation:
    """A child column pointing at a parent table's primary key."""

    parent: str
    parent_key: str
    child: str
    child_key: str
    coverage: float  # share of the child's distinct values (missing aside) found in the parent
    orphans: int  # child rows whose value is not in the parent
    evidence: str  # in words
    declared: bool = False  # a foreign key the database declares

    def to_dict(self) -> dict[str, object]:
        return {
            "parent": self.parent,
            "parent_key": self.parent_key,
            "child": self.child,
            "child_key": self.child_key,
            "coverage": self.coverage,
            "orphans": self.orphans,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Database:
    """Tables by name, in the order given, with the foreign keys the source declared."""

    tables: Mapping[str, Table]
    declared: tuple[Relation, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # Each table's file name and bytes as read (a SQLite table's as CSV), to work on one alone.
    sources: Mapping[str, tuple[str, bytes]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.tables:
            raise DatabaseError("There is no table to read: give one or more CSV files.")


def table_name(filename: str) -> str:
    """'loans' for 'data/loans.csv.gz'; the name as given otherwise, without its folder."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    for suffix in (*TABLE_SUFFIXES, ".sqlite", ".sqlite3", ".db", ".zip"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def read_database(
    files: Iterable[tuple[str, bytes]], options: ReadOptions | None = None
) -> Database:
    """The tables in ``files`` ((file name, bytes) pairs): CSV/TSV files (gzip too), zips of
    them, or SQLite databases. DatabaseError names the file when one cannot be read as tables."""
    tables: dict[str, Table] = {}
    declared: list[Relation] = []
    sources: dict[str, tuple[str, bytes]] = {}
    for filename, data in files:
        if data.startswith(_SQLITE_MAGIC):
            found, links, raw = _sqlite_tables(filename, data, options)
            declared.extend(links)
        elif filename.lower().endswith(".zip"):
            found, raw = _zip_tables(filename, data, options)
        else:
            found = {table_name(filename): _read(filename, data, options)}
            raw = {table_name(filename): (filename, data)}
        for name, table in found.items():
            if name in tables:
                raise DatabaseError(
                    f"Two tables are called '{name}' ({filename} and one read before): table "
                    "names come from file names, so rename one of the files."
                )
            tables[name] = table
            sources[name] = raw[name]
            if len(tables) > MAX_TABLES:
                raise DatabaseError(
                    f"More than {MAX_TABLES} tables: synthesize the tables that belong together "
                    "in smaller sets."
                )
    return Database(tables, tuple(declared), sources=sources)


def _read(filename: str, data: bytes, options: ReadOptions | None) -> Table:
    try:
        return read_table(data, options, name=filename)
    except InputError as exc:
        raise DatabaseError(f"{filename}: {exc}") from None


def _zip_tables(
    filename: str, data: bytes, options: ReadOptions | None
) -> tuple[dict[str, Table], dict[str, tuple[str, bytes]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DatabaseError(f"{filename} is not a zip file that can be opened.") from None
    members = [
        m
        for m in archive.infolist()
        if not m.is_dir() and not any(part in m.filename for part in _IGNORED)
    ]
    other = [
        m.filename
        for m in members
        if not m.filename.lower().removesuffix(".gz").endswith(TABLE_SUFFIXES)
    ]
    if other:
        raise DatabaseError(
            f"{filename} holds files that are not tables: {', '.join(sorted(other)[:5])}. Keep "
            "only .csv, .tsv or .txt files (gzip too) in the zip."
        )
    if not members:
        raise DatabaseError(f"{filename} holds no table file (.csv, .tsv or .txt).")
    found: dict[str, Table] = {}
    raw: dict[str, tuple[str, bytes]] = {}
    for member in members:
        name = table_name(member.filename)
        if name in found:
            raise DatabaseError(
                f"{filename} holds two tables called '{name}': rename one of the files."
            )
        data = archive.read(member)
        found[name] = _read(member.filename, data, options)
        raw[name] = (PurePosixPath(member.filename).name, data)
    return found, raw


def _sqlite_tables(
    filename: str, data: bytes, options: ReadOptions | None
) -> tuple[dict[str, Table], list[Relation], dict[str, tuple[str, bytes]]]:
    """Every table of a SQLite database (read in memory), through the CSV reader, and the
    foreign keys it declares."""
    connection = sqlite3.connect(":memory:")
    try:
        try:
            connection.deserialize(data)
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
                )
            ]
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(
                f"{filename} is not a SQLite database that can be read ({exc})."
            ) from None
        found: dict[str, Table] = {}
        raw: dict[str, tuple[str, bytes]] = {}
        links: list[Relation] = []
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            frame = pd.read_sql_query(f"SELECT * FROM {quoted}", connection)
            text = frame.to_csv(index=False).encode()
            found[name] = _read(f"{name}.csv", text, options)
            raw[name] = (f"{name}.csv", text)
            for row in connection.execute(f"PRAGMA foreign_key_list({quoted})"):
                parent, child_key, parent_key = str(row[2]), str(row[3]), row[4]
                links.append(
                    Relation(
                        parent,
                        str(parent_key) if parent_key is not None else "",
                        name,
                        child_key,
                        1.0,
                        0,
                        "declared as a foreign key in the database",
                        declared=True,
                    )
                )
    finally:
        connection.close()
    for link in links:  # a foreign key without a column names the parent's primary key
        if not link.parent_key and link.parent in found:
            key = primary_key(link.parent, found[link.parent])
            if key is not None:
                links[links.index(link)] = _with_key(link, key)
    return found, [_measured(link, found) for link in links if link.parent in found], raw


def _with_key(link: Relation, key: str) -> Relation:
    return Relation(
        link.parent, key, link.child, link.child_key, 1.0, 0, link.evidence, declared=True
    )


def _measured(link: Relation, tables: Mapping[str, Table]) -> Relation:
    """A declared link with its coverage and orphans counted on the data."""
    parent = tables[link.parent].df
    child = tables[link.child].df
    if link.parent_key not in parent.columns or link.child_key not in child.columns:
        return link
    coverage, orphans = key_coverage(child[link.child_key], parent[link.parent_key])
    return Relation(
        link.parent,
        link.parent_key,
        link.child,
        link.child_key,
        coverage,
        orphans,
        link.evidence,
        declared=True,
    )


def _as_text(values: pd.Series) -> pd.Series:
    """Key values compared as text: whole numbers without a decimal point."""
    present = values.dropna()
    if pd.api.types.is_float_dtype(present.dtype):
        whole = present == present.round()
        if bool(whole.all()):
            present = present.astype("int64")
    return present.astype(str)


def key_text(values: pd.Series) -> pd.Series:
    """Key values as text to compare across tables (whole numbers without a decimal point, so
    a key read as 12.0 beside missing values meets 12), missing ones missing; same index."""
    return _as_text(values).reindex(values.index)


def key_coverage(child: pd.Series, parent: pd.Series) -> tuple[float, int]:
    keys = set(_as_text(parent))
    values = _as_text(child)
    if values.empty:
        return 0.0, 0
    found = values.isin(keys)
    distinct = values.drop_duplicates()
    return float(distinct.isin(keys).mean()), int((~found).sum())


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _names_table(column: str, table: str) -> bool:
    """'account_id', 'AccountID' or 'accountId' name table 'accounts' (or 'account')."""
    tokens = name_tokens(column)
    if len(tokens) < 2 or tokens[-1] != "id":
        return False
    stem = "".join(tokens[:-1])
    flat = _squash(table)
    return bool(stem) and stem in (flat, flat.rstrip("s"), flat.removesuffix("es"))


def _id_named(column: str, table: str) -> bool:
    tokens = name_tokens(column)
    return tokens == ["id"] or _names_table(column, table)


def primary_key(name: str, table: Table) -> str | None:
    """The table's key column: no missing value, no value twice, and ID-like ('id',
    '<table>_id' / '<table>ID', a detected ID column, or text codes); None when there is none.
    A name that says so wins over a detected kind."""
    candidates = []
    for position, column in enumerate(table.schema):
        values = table.df[column.name]
        if values.empty or bool(values.isna().any()) or not values.is_unique:
            continue
        if pd.api.types.is_float_dtype(values.dtype) or column.kind is ColumnKind.DATETIME:
            continue
        named = _id_named(column.name, name)
        detected = column.kind is ColumnKind.ID
        code_like = column.kind is ColumnKind.CATEGORICAL and _code_like(values)
        if named or detected or code_like:
            candidates.append((0 if named else 1 if detected else 2, position, column.name))
    return min(candidates)[2] if candidates else None


def _code_like(values: pd.Series) -> bool:
    """Short text without spaces, each value once: 'aardsda01', 'BOS', 'C-1042'."""
    text = values.astype(str)
    return bool(text.str.fullmatch(r"[A-Za-z0-9_.\-]{1,40}").all())


@dataclass(frozen=True)
class Links:
    """What ``find_relations`` found: the links, the keys, and what came near but was not taken."""

    keys: Mapping[str, str | None]
    relations: tuple[Relation, ...]
    near_misses: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self, database: Database) -> dict[str, object]:
        """The documented JSON (README, "Several tables"): tables and relations."""
        return {
            "tables": [
                {"name": name, "rows": len(table.df), "primary_key": self.keys.get(name)}
                for name, table in database.tables.items()
            ],
            "relations": [r.to_dict() for r in self.relations],
            "near_misses": list(self.near_misses),
        }


def find_relations(database: Database) -> Links:
    """Every table's primary key and the links between them (see the module docstring); the
    database's declared foreign keys come first and are taken as given."""
    keys = {name: primary_key(name, table) for name, table in database.tables.items()}
    relations = list(database.declared)
    taken = {(r.child, r.child_key) for r in relations}
    near: list[str] = []
    notes = [
        f"{name} has no single-column key (no column with every value once and none missing): "
        "it can point at other tables, but no table can point at it. Keys of several columns "
        "(a team and a year) are not used yet."
        for name, key in keys.items()
        if key is None
    ]
    for child_name, child in database.tables.items():
        for column in child.schema:
            if (child_name, column.name) in taken or column.name == keys[child_name]:
                continue
            if column.kind not in (ColumnKind.ID, ColumnKind.NUMERICAL, ColumnKind.CATEGORICAL):
                continue
            best = _best_parent(child_name, child, column.name, database, keys, near)
            if best is not None:
                relations.append(best)
                taken.add((child_name, column.name))
            elif _names_own_table(column.name, child_name, keys[child_name]):
                notes.append(
                    f"'{child_name}.{column.name}' looks like a link from {child_name} to itself "
                    "(a manager among employees): links within one table are not synthesized "
                    "yet; it is treated as an ordinary column."
                )
    return Links(keys, tuple(relations), tuple(near), tuple(notes))


def _names_own_table(column: str, table: str, key: str | None) -> bool:
    return key is not None and column != key and _names_table(column, table)


def _best_parent(
    child_name: str,
    child: Table,
    column: str,
    database: Database,
    keys: Mapping[str, str | None],
    near: list[str],
) -> Relation | None:
    values = child.df[column]
    present = values.dropna()
    if present.empty:
        return None
    if pd.api.types.is_float_dtype(present.dtype) and not bool((present == present.round()).all()):
        return None  # fractions are never keys
    found: list[tuple[tuple[int, float], Relation]] = []
    for parent_name, parent in database.tables.items():
        key = keys[parent_name]
        if parent_name == child_name or key is None:
            continue
        parent_values = parent.df[key]
        text_key = not pd.api.types.is_numeric_dtype(parent_values.dtype)
        if text_key != (not pd.api.types.is_numeric_dtype(present.dtype)):
            continue  # whole numbers never link to text codes, nor the other way
        coverage, orphans = key_coverage(values, parent_values)
        same_name = column == key and not _id_named(column, child_name)
        named = same_name or _names_table(column, parent_name)
        distinct = int(values.nunique())
        if named and coverage >= MIN_COVERAGE:
            evidence = f"the name says so ('{column}' → {parent_name}.{key}); " + _found_words(
                coverage, orphans
            )
            found.append(
                (
                    (0, -coverage),
                    Relation(parent_name, key, child_name, column, coverage, orphans, evidence),
                )
            )
        elif not named and text_key and coverage == 1.0 and distinct >= MIN_TEXT_VALUES:
            evidence = (
                f"all {distinct:,} distinct text codes of '{column}' are keys of {parent_name} "
                f"('{key}')"
            )
            found.append(
                (
                    (1, -coverage),
                    Relation(parent_name, key, child_name, column, coverage, orphans, evidence),
                )
            )
        elif text_key and distinct >= MIN_TEXT_VALUES and coverage < 1.0:
            folded, _ = key_coverage(values.str.lower(), parent_values.astype(str).str.lower())
            if folded == 1.0:
                near.append(
                    f"'{child_name}.{column}' matches {parent_name}.{key} only ignoring case "
                    f"({coverage:.0%} as written): not taken as a link. If it is one, make "
                    "the case agree in the files and read them again."
                )
    if not found:
        return None
    return min(found, key=lambda item: item[0])[1]


def _found_words(coverage: float, orphans: int) -> str:
    if orphans == 0:
        return "every value is found"
    return f"{coverage:.1%} of its values are found; {orphans:,} rows point at no parent"


def link_order(tables: Sequence[str], relations: Sequence[Relation]) -> list[str]:
    """Parents before their children (the order to synthesize in); DatabaseError on a cycle."""
    parents = {
        name: {r.parent for r in relations if r.child == name and r.parent != name}
        for name in tables
    }
    order: list[str] = []
    ready = [name for name in tables if not parents[name]]
    while ready:
        name = ready.pop(0)
        order.append(name)
        for other in tables:
            if name in parents[other]:
                parents[other].discard(name)
                if not parents[other] and other not in order and other not in ready:
                    ready.append(other)
    if len(order) < len(tables):
        stuck = [name for name in tables if name not in order]
        raise DatabaseError(
            f"The links between {', '.join(stuck)} form a cycle: remove one of those links so "
            "every table has its parents before it."
        )
    return order


ORDER_WORDS = ("year", "date", "time", "seq", "order", "step", "month", "day")


def order_column(schema: Schema, columns: Iterable[str]) -> str | None:
    """The column that orders a parent's children, among ``columns``: the first date, or the
    first number named like a year, date or sequence number."""
    present = set(columns)
    for column in schema:
        if column.name not in present:
            continue
        if column.kind is ColumnKind.DATETIME or (
            column.kind is ColumnKind.NUMERICAL
            and any(word in column.name.lower() for word in ORDER_WORDS)
        ):
            return column.name
    return None


def with_link(
    database: Database, links: Links, child: str, child_key: str, parent: str, parent_key: str
) -> Links:
    """``links`` with the user's link from ``child.child_key`` to ``parent.parent_key``, after
    checking it can be one: the parent column is unique and complete (a key), the two columns
    are of one kind (numbers with numbers, text with text), the set keeps an order (no cycle).
    Values not found in the parent are counted as orphans (the page offers the choice)."""
    for table, column in ((child, child_key), (parent, parent_key)):
        if table not in database.tables or column not in database.tables[table].df.columns:
            raise DatabaseError(f"There is no column '{column}' in {table}.")
    if child == parent:
        raise DatabaseError(
            f"A link from {child} to itself (an employee's manager) is not supported yet: "
            "synthesize such a table on its own, or split the column into a table of its own."
        )
    keys = database.tables[parent].df[parent_key]
    if keys.isna().any() or not keys.is_unique:
        raise DatabaseError(
            f"{parent}.{parent_key} cannot be pointed at: a key has every value once and none "
            f"missing, and it has {int(keys.isna().sum()):,} missing and "
            f"{int(keys.duplicated().sum()):,} repeated values. Pick the column that identifies "
            f"a row of {parent}."
        )
    values = database.tables[child].df[child_key]
    numeric = [pd.api.types.is_numeric_dtype(v) for v in (values, keys)]
    if numeric[0] != numeric[1]:
        raise DatabaseError(
            f"{child}.{child_key} holds {'numbers' if numeric[0] else 'text'} and "
            f"{parent}.{parent_key} {'numbers' if numeric[1] else 'text'}: a link joins "
            "columns of one kind. Check the column kinds, or pick other columns."
        )
    coverage, orphans = key_coverage(values, keys)
    relation = Relation(parent, parent_key, child, child_key, coverage, orphans, "added by you")
    kept = tuple(r for r in links.relations if (r.child, r.child_key) != (child, child_key))
    new_keys = {**links.keys, parent: parent_key}
    link_order(list(database.tables), [*kept, relation])  # refuses a cycle, saying which
    return replace(links, keys=new_keys, relations=(*kept, relation))


def without_link(links: Links, child: str, child_key: str) -> Links:
    """``links`` without the link from ``child.child_key``."""
    kept = tuple(r for r in links.relations if (r.child, r.child_key) != (child, child_key))
    return replace(links, relations=kept)
