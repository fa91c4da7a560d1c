"""Disclosure control: the real rows only as aggregates that are safe to share.

- counts below ``SMALL_COUNT`` (10) real rows are suppressed: histogram bins and category bars
  with 1–9 real rows are hidden (null in the JSON), categories with fewer than 10 real rows are
  pooled into "(other categories)" so their labels never appear, fairness groups with fewer than
  10 real (or holdout) rows are pooled or dropped, and the rare categories lost are counted, not
  named;
- numbers derived from real values (means, spreads, quantiles, bin edges) are rounded to
  ``DIGITS`` (3) significant digits, histogram edges run between the real 1st and 99th
  percentiles (never the minimum or maximum), and dates to the day;
- ID, personal-data and free-text columns are named with their kind, never summarised.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, Schema
from synth_core.evaluate.fidelity.distributions import Frequencies, Histogram

SMALL_COUNT = 10
DIGITS = 3
BINS = 20
TOP_CATEGORIES = 20
OTHER = "(other categories)"
MISSING = "(missing)"
QUANTILES = ("q05", "q25", "q50", "q75", "q95")


def round_significant(value: float | None, digits: int = DIGITS) -> float | None:
    """``value`` to ``digits`` significant digits (None and non-finite values to None)."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return float(round(value, digits - 1 - math.floor(math.log10(abs(value)))))


def _suppressed_shares(counts: np.ndarray, total: int) -> list[float | None]:
    return [None if 0 < c < SMALL_COUNT else float(c) / total if total else 0.0 for c in counts]


def _numeric_summary(
    name: str, real: pd.Series, synthetic: pd.Series, is_datetime: bool
) -> tuple[dict[str, Any], Histogram | None]:
    r, s = as_float(real), as_float(synthetic)
    r_present, s_present = r[~np.isnan(r)], s[~np.isnan(s)]
    unit = 86_400e9 if is_datetime else 1.0  # datetimes: nanoseconds, rounded to the day

    def shown(value: float | None) -> float | str | None:
        if value is None or not math.isfinite(value):
            return None
        if is_datetime:
            return str(pd.Timestamp(round(value / unit) * unit).date())
        return round_significant(value)

    def stats(values: np.ndarray) -> dict[str, Any]:
        if values.size < SMALL_COUNT:
            return {"rows": int(values.size), "suppressed": True}
        q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])  # QUANTILES
        spread = float(values.std())
        return {
            "rows": int(values.size),
            "mean": shown(float(values.mean())),
            "std_days" if is_datetime else "std": round_significant(spread / unit),
            **{key: shown(float(v)) for key, v in zip(QUANTILES, q, strict=True)},
        }

    summary: dict[str, Any] = {
        "kind": "datetime" if is_datetime else "numerical",
        "missing_share": {
            "real": round_significant(float(np.isnan(r).mean())) if r.size else None,
            "synthetic": round_significant(float(np.isnan(s).mean())) if s.size else None,
        },
        "real": stats(r_present),
        "synthetic": stats(s_present),
    }
    if r_present.size < SMALL_COUNT:
        summary["histogram"] = None
        return summary, None
    low, high = np.quantile(r_present, [0.01, 0.99])
    if is_datetime:
        low, high = math.floor(low / unit) * unit, math.ceil(high / unit) * unit
        edges = np.unique(np.round(np.linspace(low, high, BINS + 1) / unit) * unit)
    else:
        edges = np.unique([round_significant(v) or 0.0 for v in np.linspace(low, high, BINS + 1)])
    if edges.size < 2:
        summary["histogram"] = None
        return summary, None
    real_counts = np.histogram(r_present, edges)[0]
    synthetic_counts = np.histogram(s_present, edges)[0]
    real_shares = _suppressed_shares(real_counts, r_present.size)
    outside_real = [int((r_present < edges[0]).sum()), int((r_present > edges[-1]).sum())]
    outside_syn = [int((s_present < edges[0]).sum()), int((s_present > edges[-1]).sum())]
    summary["histogram"] = {
        "edges": [shown(float(e)) for e in edges],
        "real_share": real_shares,
        "synthetic_share": [float(c) / max(s_present.size, 1) for c in synthetic_counts],
        "real_outside": _suppressed_shares(np.array(outside_real), r_present.size),
        "synthetic_outside": [c / max(s_present.size, 1) for c in outside_syn],
    }
    histogram = Histogram(
        column=name,
        edges=edges,
        real_share=np.array([np.nan if v is None else v for v in real_shares]),
        synthetic_share=synthetic_counts / max(s_present.size, 1),
        is_datetime=is_datetime,
        is_integer=False,
        real_missing=float(np.isnan(r).mean()) if r.size else 0.0,
        synthetic_missing=float(np.isnan(s).mean()) if s.size else 0.0,
    )
    return summary, histogram


def _labels(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), MISSING).astype(str)


def _categorical_summary(
    name: str, real: pd.Series, synthetic: pd.Series
) -> tuple[dict[str, Any], Frequencies]:
    real_counts = _labels(real).value_counts()
    syn_counts = _labels(synthetic).value_counts()
    shown = [str(label) for label, count in real_counts.items() if count >= SMALL_COUNT][
        :TOP_CATEGORIES
    ]
    real_other = int(real_counts.drop(shown).sum())
    syn_other = int(syn_counts.drop([s for s in shown if s in syn_counts.index]).sum())
    labels = [*shown, OTHER] if real_other or syn_other else shown
    real_total, syn_total = max(int(real_counts.sum()), 1), max(int(syn_counts.sum()), 1)
    pooled = [real_other] if len(labels) > len(shown) else []
    counts = np.array([int(real_counts.get(s, 0)) for s in shown] + pooled)
    real_shares = _suppressed_shares(counts, real_total)
    syn_shares = [int(syn_counts.get(s, 0)) / syn_total for s in shown]
    if len(labels) > len(shown):
        syn_shares.append(syn_other / syn_total)
    summary = {
        "kind": "categorical",
        "categories_shown": len(shown),
        "categories_pooled": int(len(real_counts) - len(shown)),
        "shares": {
            label: {"real": r, "synthetic": s}
            for label, r, s in zip(labels, real_shares, syn_shares, strict=True)
        },
    }
    frequencies = Frequencies(
        column=name,
        categories=tuple(labels),
        real_share=np.array([np.nan if v is None else v for v in real_shares]),
        synthetic_share=np.array(syn_shares),
    )
    return summary, frequencies


def column_summaries(
    real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema
) -> tuple[dict[str, Any], list[Histogram | Frequencies]]:
    """Each column's safe-to-share summary, and what its figure needs."""
    out: dict[str, Any] = {}
    figures: list[Histogram | Frequencies] = []
    for column in schema:
        if column.name not in real.columns:
            continue
        if column.name not in synthetic.columns:
            out[column.name] = {"kind": column.kind.value, "note": "not in the synthetic table"}
            continue
        if column.kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            summary, figure = _numeric_summary(
                column.name,
                real[column.name],
                synthetic[column.name],
                column.kind is ColumnKind.DATETIME,
            )
            if figure is not None:
                figures.append(figure)
        elif column.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            summary, frequencies = _categorical_summary(
                column.name, real[column.name], synthetic[column.name]
            )
            figures.append(frequencies)
        else:
            summary = {
                "kind": column.kind.value,
                "note": "not summarised (IDs, personal data and free text are never shown)",
            }
        out[column.name] = summary
    return out, figures


def fairness_safe(payload: dict[str, Any]) -> dict[str, Any]:
    """Fairness keys with small groups pooled or dropped and lost rare categories counted."""
    out: dict[str, Any] = {}
    for column, values in payload.items():
        if column == "rare_categories_lost":
            out[column] = {name: len(lost) for name, lost in values.items()}
            continue

        def shares(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
            kept = [g for g in groups if g["real_rows"] >= SMALL_COUNT]
            small = [g for g in groups if g["real_rows"] < SMALL_COUNT]
            if small:
                kept.append(
                    {
                        "group": f"{len(small)} small group(s), pooled",
                        "real_rows": None,
                        "synthetic_rows": sum(g["synthetic_rows"] for g in small),
                        "status": "suppressed",
                    }
                )
            return kept

        def model(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [g for g in groups if g["rows"] >= SMALL_COUNT]

        out[column] = {
            "representation": shares(values["representation"]),
            "representation_by_target": {
                k: shares(v) for k, v in values["representation_by_target"].items()
            },
            "real_model": {
                "groups": model(values["real_model"]["groups"]),
                "gaps": values["real_model"]["gaps"],
            },
            "synthetic_model": {
                "groups": model(values["synthetic_model"]["groups"]),
                "gaps": values["synthetic_model"]["gaps"],
            },
            "widened": values["widened"],
        }
    return out
