"""Per-column statistics of the real and the synthetic table, side by side."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth_core.data.schema import ColumnKind, ColumnSchema, Schema

_KEYS = {
    "missing %": "missing_pct",
    "25%": "q25",
    "75%": "q75",
    "std (days)": "std_days",
    "unseen categories": "unseen_categories",
}
NUMERIC_STATISTICS = ("mean", "std", "variance", "min", "25%", "median", "75%", "max")
DATETIME_STATISTICS = ("min", "25%", "median", "75%", "max")


@dataclass(frozen=True)
class StatRow:
    """One statistic of one column, real beside synthetic.

    Datetime statistics are in days since 1970-01-01 (``unit`` 'date'), or days for spreads.
    """

    column: str
    kind: str
    statistic: str
    real: float
    synthetic: float
    difference: float | None  # synthetic - real
    relative: float | None  # difference / |real|
    unit: str = ""
    key: str = ""  # stable identifier for JSON (e.g. "q25", "missing_pct")


def compared_kinds(schema: Schema) -> list[ColumnSchema]:
    """Columns whose distributions are worth comparing (not IDs or personal data)."""
    return schema.of_kind(
        ColumnKind.NUMERICAL, ColumnKind.DATETIME, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN
    )


def column_statistics(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> list[StatRow]:
    """Every statistic of every compared column, real beside synthetic."""
    rows: list[StatRow] = []
    for column in compared_kinds(schema):
        if column.name not in synthetic.columns:
            continue
        rows.extend(_column_rows(column, real[column.name], synthetic[column.name]))
    return rows


def statistics_table(rows: list[StatRow]) -> pd.DataFrame:
    """The statistics as text for display: dates as dates, numbers to 4 significant digits."""

    def shown(value: float | None, unit: str) -> str:
        if value is None or not np.isfinite(value):
            return ""
        if unit == "date":
            return _day_text(value)
        return f"{value:,.4g}" + (" days" if unit == "days" else "")

    return pd.DataFrame(
        {
            "column": [r.column for r in rows],
            "statistic": [r.statistic for r in rows],
            "real": [shown(r.real, r.unit) for r in rows],
            "synthetic": [shown(r.synthetic, r.unit) for r in rows],
            "difference": [
                shown(r.difference, "days" if r.unit == "date" else r.unit) for r in rows
            ],
            "relative %": ["" if r.relative is None else f"{100 * r.relative:+.1f}%" for r in rows],
        }
    )


def _numeric_stats(values: pd.Series) -> dict[str, float]:
    x = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=np.float64)
    if x.size == 0:
        return {name: float("nan") for name in NUMERIC_STATISTICS}
    quartiles = np.quantile(x, [0.25, 0.5, 0.75])
    variance = float(np.var(x, ddof=1)) if x.size > 1 else 0.0
    return {
        "mean": float(np.mean(x)),
        "std": float(np.sqrt(variance)),
        "variance": variance,
        "min": float(np.min(x)),
        "25%": float(quartiles[0]),
        "median": float(quartiles[1]),
        "75%": float(quartiles[2]),
        "max": float(np.max(x)),
    }


def _difference(real: float, synthetic: float) -> tuple[float | None, float | None]:
    if not (np.isfinite(real) and np.isfinite(synthetic)):
        return None, None
    difference = synthetic - real
    relative = difference / abs(real) if real != 0 else None
    return difference, relative


def _column_rows(column: ColumnSchema, real: pd.Series, synthetic: pd.Series) -> list[StatRow]:
    kind = column.kind.value
    rows: list[StatRow] = []

    def add(statistic: str, r: float, s: float, unit: str = "") -> None:
        difference, relative = _difference(r, s)
        if unit == "date":
            relative = None  # relative to 1970 means nothing
        key = _KEYS.get(
            statistic, "top_share_pct" if statistic.startswith("share of") else statistic
        )
        rows.append(StatRow(column.name, kind, statistic, r, s, difference, relative, unit, key))

    add("missing %", 100 * float(real.isna().mean()), 100 * float(synthetic.isna().mean()), "%")
    if column.kind is ColumnKind.NUMERICAL:
        real_stats, synth_stats = _numeric_stats(real), _numeric_stats(synthetic)
        for name in NUMERIC_STATISTICS:
            add(name, real_stats[name], synth_stats[name])
    elif column.kind is ColumnKind.DATETIME:
        real_ns, synth_ns = _as_days(real), _as_days(synthetic)
        real_stats, synth_stats = _numeric_stats(real_ns), _numeric_stats(synth_ns)
        for name in DATETIME_STATISTICS:
            add(name, real_stats[name], synth_stats[name], "date")
        add("std (days)", real_stats["std"], synth_stats["std"], "days")
    else:
        real_counts = real.dropna().astype(str).value_counts(normalize=True)
        synth_counts = synthetic.dropna().astype(str).value_counts(normalize=True)
        add("categories", float(real_counts.size), float(synth_counts.size))
        if real_counts.size:
            top = str(real_counts.index[0])
            add(
                f"share of '{top}' %",
                100 * float(real_counts.iloc[0]),
                100 * float(synth_counts.get(top, 0.0)),
            )
        unseen = synth_counts[~synth_counts.index.isin(real_counts.index)]
        add("unseen categories", 0.0, float(unseen.size))
    return rows


_EPOCH = np.datetime64("1970-01-01T00:00:00", "ns")


def _as_days(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values, errors="coerce")
    return (dates - pd.Timestamp(_EPOCH)).dt.total_seconds() / 86400.0


def _day_text(days: float) -> str:
    if not np.isfinite(days):
        return ""
    stamp = pd.Timestamp(_EPOCH) + pd.to_timedelta(days, unit="D")
    return str(stamp.round("s")).removesuffix(" 00:00:00")
