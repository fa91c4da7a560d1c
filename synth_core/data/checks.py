"""Problems with a table a user should know about before generating, in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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


def table_problems(table: Table) -> list[Problem]:
    """What the reader fixed, and what about the columns could surprise the user."""
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
    return problems
