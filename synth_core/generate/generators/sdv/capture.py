"""What SDV says, turned into ours: its warnings and printed alerts become notes for the user,
its exceptions become GeneratorError with what to do, and its progress bars stay quiet."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from synth_core.errors import GeneratorError

# Warnings SDV and its numeric stack raise on every run, which say nothing about the user's data:
# the advice to save metadata to JSON (we build metadata from our schema each time), and
# numerical noise from distribution fitting in scipy/copulas.
_NOISE = re.compile(
    r"save_to_json|recommend saving the metadata|invalid value encountered|divide by zero|"
    r"overflow encountered|The fit may be unsuccessful|Degrees of freedom|"
    r"is deprecated|will be removed|FutureWarning",
    re.IGNORECASE,
)


@contextmanager
def sdv_warnings(notes: list[str]) -> Iterator[None]:
    """Record SDV's warnings; keep the ones that tell the user something as notes. SDV prints
    its PerformanceAlert (CTGAN on a table that encodes to over 1,000 columns) instead of
    warning: that is caught from standard output and kept as a note too, so the page shows it;
    anything else printed goes on to the log."""
    printed = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(printed):
        warnings.simplefilter("always")
        try:
            yield
        finally:
            text = printed.getvalue()
            alert = performance_alert(text)
            if alert and alert not in notes:
                notes.append(alert)
    if text and not alert:
        sys.stdout.write(text)
    for warning in caught:
        message = str(warning.message).strip()
        boring = issubclass(
            warning.category, DeprecationWarning | FutureWarning | PendingDeprecationWarning
        )
        if not boring and not _NOISE.search(message) and message not in notes:
            notes.append(message)


def performance_alert(printed: str) -> str | None:
    """SDV's printed PerformanceAlert in one line (its table of estimated encoded columns per
    column, widest first), or None."""
    if "PerformanceAlert:" not in printed:
        return None
    widths = []
    for line in printed.splitlines():
        match = re.fullmatch(r"(.+?)\s+(\d+)", line.strip())
        if match and not line.startswith("PerformanceAlert"):
            widths.append((match.group(1), int(match.group(2))))
    widths.sort(key=lambda w: -w[1])
    listed = ", ".join(f"'{name}' {width:,}" for name, width in widths[:5])
    more = f" and {len(widths) - 5} more" if len(widths) > 5 else ""
    total = sum(w for _, w in widths)
    return (
        f"SDV's PerformanceAlert: CTGAN will generate a large number of columns ({total:,} "
        f"estimated encoded columns: {listed}{more}). SDV recommends preprocessing categorical "
        "columns with many values or dropping columns that are not needed: on the Data page, "
        "treat such columns as ID or leave them out."
    )


def sdv_failure(exc: Exception, what: str) -> GeneratorError:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return GeneratorError(
        f"{what} failed on this table: {first_line}. Check the column kinds on the Data page "
        "or try another generator."
    )


def sdv_errors() -> tuple[type[Exception], ...]:
    from sdv import errors
    from sdv.cag._errors import ConstraintNotMetError

    return (
        errors.InvalidDataError,
        errors.SynthesizerInputError,
        errors.SamplingError,
        errors.NonParametricError,
        errors.InvalidDataTypeError,
        ConstraintNotMetError,
        ValueError,
        np.linalg.LinAlgError,
    )


@contextmanager
def quiet_progress_bars() -> Iterator[None]:
    """SDV's sampling draws tqdm bars on stderr; ours reports progress instead."""
    import tqdm

    original = tqdm.tqdm.__init__

    def silent(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["disable"] = True
        original(self, *args, **kwargs)

    tqdm.tqdm.__init__ = silent
    try:
        yield
    finally:
        tqdm.tqdm.__init__ = original
