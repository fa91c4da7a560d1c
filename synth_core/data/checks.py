"""Problems with a table a user should know about before generating, in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from synth_core.data.convert import shown
from synth_core.data.detect import mostly_unique
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


def table_problems(table: Table) -> list[Problem]:
    """What the reader fixed, and what about the columns could surprise the user."""
    problems = [Problem(Level.INFO, fix.message) for fix in table.report.fixes]
    rows = len(table.df)
    if rows < SMALL_TABLE_ROWS:
        problems.append(
            Problem(
                Level.WARNING,
                f"The table has only {rows} rows: synthetic data learnt from so few rows is rough, "
                "and small groups are easy to re-identify.",
            )
        )
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
            problems.append(
                Problem(
                    Level.INFO,
                    f"'{name}' has one value ({shown(present.iloc[0])}): it is copied as it is.",
                    name,
                )
            )
        if column.kind is ColumnKind.PII:
            problems.append(
                Problem(
                    Level.INFO,
                    f"'{name}' looks like personal data ({column.pii_type}): with PII "
                    "protection on, it is replaced with fake values (or dropped) and never "
                    "reaches a generator.",
                    name,
                )
            )
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
        if "could be either way round" in column.reason:
            problems.append(Problem(Level.WARNING, f"'{name}': {column.reason}.", name))
    return problems
