"""How big a table is for SDV's generators: the time estimates, the encoded width its networks
see, the memory that takes, and the advice (or refusal) the Generate page and fit() give."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from synth_core.data.schema import Schema
from synth_core.generate.generators.registry import (
    MEASURED_CONTINUOUS,
    MEASURED_WIDTH,
    Advice,
    AdviceLevel,
    ParamValue,
    TableShape,
    encoded_widths,
)

# Whole-number columns with at most this many distinct values (counts such as "children") are
# given to SDV as ordinal with their values in order (MAX_ORDINAL_LEVELS). As numerical, a fitted
# beta distribution turned insurance.csv's children (43% zeros) into 86% zeros; as ordinal the
# shares match.

# Neural generators see each category as a column of its own (one-hot) and each number or date
# as 11 (a value and up to 10 modes): SDV's own estimate, which prints a PerformanceAlert to the
# server log above 1,000. Past WIDE_WARNING the page and the notes warn; past WIDE_LIMIT, or when
# the encoded table would not fit in memory, training is refused before it starts. Measured: a
# 53-column table with 2,362, 3,350 and 5,754 categories in three text columns (~11,500 encoded
# columns, 24k rows) sat over 400 s in "Preparing data" while the worker grew to 9.7 GB, about
# 4.4 copies of the float64 encoded table: MEMORY_COPIES.
WIDE_WARNING = 1_000
WIDE_LIMIT = 3_000
MEMORY_COPIES = 4.5
_BASE_MB = 600.0


_NEURAL_RATES = {"ctgan": 7e-5, "tvae": 1.5e-5, "copulagan": 7.5e-5}  # s per row, epoch, width


def neural_estimate_seconds(
    name: str, shape: TableShape, params: Mapping[str, ParamValue]
) -> float:
    """Preparing (a mixture model per continuous column) plus the epochs (in proportion to the
    encoded width), from the measurements on 7-column tables: CTGAN prepared 10k rows of 7
    columns in ~3.5 s and 30k in ~5-7.5 s, then took 0.07 s per epoch at 1k rows and 1.6-1.8 s
    at 30k; TVAE 0.03 s per epoch at 1k rows, ~0.3-0.45 s at 10k-30k. On a 53-column table of
    3,000 rows encoding to 1,540 columns (three text columns of 300 categories), 2 epochs:
    CTGAN estimated 17 s, took 16 s; TVAE 9 s and 8 s. benchmarks/bench_estimates.py checks
    the whole estimate against real fits (real / estimated between 0.5 and 2)."""
    rows = shape.rows
    preparing = 0.5 + 2e-4 * rows * max(shape.continuous, 1) / MEASURED_CONTINUOUS
    epoch = 0.01 + _NEURAL_RATES[name] * rows * shape.width / MEASURED_WIDTH
    return preparing + int(params["epochs"]) * epoch


def neural_memory_mb(rows: int, width: int) -> float:
    """Peak memory of a neural generator's worker, roughly (see MEMORY_COPIES)."""
    return _BASE_MB + MEMORY_COPIES * rows * width * 8 / 2**20


def wide_columns_advice(widths: Mapping[str, int], label: str, rows: int) -> tuple[str, bool]:
    """In words: how wide the encoded table is, the columns that make it so, and what to do;
    and whether training must be refused (too wide, or more memory than this machine has)."""
    from synth_core._system import available_memory_mb

    width = sum(widths.values())
    memory = neural_memory_mb(rows, width)
    free = available_memory_mb()
    too_big = width > WIDE_LIMIT or (free is not None and memory > 0.8 * free)
    if width <= WIDE_WARNING and not too_big:
        return "", False
    widest = sorted(((n, w) for n, w in widths.items() if w > 11), key=lambda item: -item[1])[:5]
    listed = ", ".join(f"'{n}' {w:,}" for n, w in widest)
    text = (
        f"{label} would see {width:,} encoded columns (one per category: {listed}) and need "
        f"about {memory / 1024:,.1f} GB of memory for {rows:,} rows"
        + (f" ({free / 1024:,.1f} GB free)" if free is not None else "")
        + ". Treat columns with many distinct values as ID or leave them out on the Data page, "
        "group rare categories, or choose TabularARGN or CART, which handle them."
    )
    return text, too_big


def wide_columns(
    label: str, data: pd.DataFrame, schema: Schema, rows: int, params: Mapping[str, ParamValue]
) -> list[Advice]:
    """The advice hook of SDV's networks: the encoded width, when it is worth a word."""
    text, refuse = wide_columns_advice(encoded_widths(data, schema), label, rows)
    if refuse:
        return [Advice(AdviceLevel.REFUSED, f"{text} Training is refused at this width.")]
    return [Advice(AdviceLevel.WARNING, text)] if text else []


def copula_estimate(shape: TableShape, params: Mapping[str, ParamValue]) -> float:
    """Measured (benchmarks/bench_estimates.py): 0.3-0.9 s on the bundled tables, 2.8-6.3 s on
    5k-8k rows of 14-21 columns."""
    slow = 20.0 if params.get("default_distribution") == "gaussian_kde" else 1.0
    return 0.3 + 4e-5 * shape.rows * max(shape.columns, 1) * slow
