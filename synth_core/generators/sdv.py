"""SDV generators (BUSL-1.1): Gaussian copula. SDV is imported only when one is used."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd

from synth_core.errors import GeneratorError
from synth_core.generators.registry import (
    GeneratorInfo,
    GeneratorKind,
    Param,
    ParamType,
    ParamValue,
    ProgressFn,
    register,
)
from synth_core.schema import ColumnKind, Schema

_TABLE = "table"
_LICENCE = (
    "BUSL-1.1 (SDV by DataCebo: free for internal use, not for a commercial synthetic-data service)"
)
_INSTALL = (
    "Install it with: pip install 'sdv>=2.0,<2.1' (install torch==2.13.0 first on a CPU machine)."
)

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
def _sdv_warnings(notes: list[str]) -> Iterator[None]:
    """Record SDV's warnings; keep the ones that tell the user something as notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        message = str(warning.message).strip()
        boring = issubclass(
            warning.category, DeprecationWarning | FutureWarning | PendingDeprecationWarning
        )
        if not boring and not _NOISE.search(message) and message not in notes:
            notes.append(message)


def _sdv_failure(exc: Exception, what: str) -> GeneratorError:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return GeneratorError(
        f"{what} failed on this table: {first_line}. Check the column kinds on the Data page "
        "or try another generator."
    )


def _sdv_errors() -> tuple[type[Exception], ...]:
    import numpy as np
    from sdv import errors

    return (
        errors.InvalidDataError,
        errors.SynthesizerInputError,
        errors.SamplingError,
        errors.NonParametricError,
        errors.InvalidDataTypeError,
        ValueError,
        np.linalg.LinAlgError,
    )


# Whole-number columns with at most this many distinct values (counts such as "children") are
# given to SDV as ordinal with their values in order. As numerical, a fitted beta distribution
# turned insurance.csv's children (43% zeros) into 86% zeros; as ordinal the shares match.
MAX_ORDINAL_LEVELS = 20


def sdv_metadata(data: pd.DataFrame, schema: Schema) -> dict[str, Any]:
    """Our schema as SDV metadata, with small whole-number columns as ordered ordinals."""
    metadata = schema.to_sdv_metadata(_TABLE)
    columns = metadata["tables"][_TABLE]["columns"]
    for column in schema:
        if column.kind is ColumnKind.NUMERICAL and column.integer:
            levels = data[column.name].dropna().unique()
            if 1 < len(levels) <= MAX_ORDINAL_LEVELS:
                columns[column.name] = {
                    "sdtype": "ordinal",
                    "range_values": sorted(int(v) for v in levels),
                }
    return metadata


def numpy_dtypes(data: pd.DataFrame) -> pd.DataFrame:
    """Nullable Int64/boolean columns as numpy int64/bool (float64/object when values are
    missing): SDV's transformers were ~8% slower on the nullable dtypes (insurance, 53k rows).
    The pipeline restores the nullable dtypes after sampling."""
    converted = data.copy()
    for name in data.columns:
        values = data[name]
        has_missing = bool(values.isna().any())
        if str(values.dtype) == "Int64":
            converted[name] = values.astype("float64") if has_missing else values.astype("int64")
        elif str(values.dtype) == "boolean":
            converted[name] = values.astype(object) if has_missing else values.astype(bool)
    return converted


class GaussianCopulaGenerator:
    """SDV's GaussianCopulaSynthesizer behind our Generator contract."""

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self.params = dict(params)
        self.notes: list[str] = []
        self._synthesizer: Any = None

    def fit(self, data: pd.DataFrame, schema: Schema, seed: int, progress: ProgressFn) -> None:
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer

        progress(0.05, "Preparing the Gaussian copula")
        with _sdv_warnings(self.notes):
            metadata = Metadata.load_from_dict(sdv_metadata(data, schema))
            synthesizer = GaussianCopulaSynthesizer(
                metadata,
                default_distribution=str(self.params["default_distribution"]),
                enforce_min_max_values=bool(self.params["enforce_min_max_values"]),
                enforce_rounding=bool(self.params["enforce_rounding"]),
            )
            progress(0.1, "Fitting column distributions and correlations")
            try:
                synthesizer.fit({_TABLE: numpy_dtypes(data)})
            except _sdv_errors() as exc:
                raise _sdv_failure(exc, "Gaussian copula fitting") from exc
        # SDV seeds sampling with a fixed internal state after fit; the user's seed can only be
        # set through this private method (checked by the contract tests on every SDV upgrade).
        synthesizer.reset_sampling()
        synthesizer._set_random_state(seed)
        self._synthesizer = synthesizer
        progress(1.0, "Fitted")

    def sample(self, n: int) -> pd.DataFrame:
        if self._synthesizer is None:
            raise GeneratorError("Fit the generator before sampling from it.")
        with _sdv_warnings(self.notes):
            try:
                sampled = self._synthesizer.sample(num_rows=n)
            except _sdv_errors() as exc:
                raise _sdv_failure(exc, "Gaussian copula sampling") from exc
        table: pd.DataFrame = sampled[_TABLE] if isinstance(sampled, dict) else sampled
        return table.reset_index(drop=True)


GAUSSIAN_COPULA = GeneratorInfo(
    name="gaussian_copula",
    label="Gaussian copula (SDV)",
    description=(
        "Fits a distribution to each column and their correlations with a Gaussian copula. "
        "Fast; good at marginals and linear relations, weaker on non-linear ones."
    ),
    kind=GeneratorKind.STATISTICAL,
    params=(
        Param(
            "default_distribution",
            "Distribution for numeric columns",
            ParamType.CHOICE,
            "beta",
            "Shape fitted to each numeric column. 'beta' and 'truncnorm' respect bounds; "
            "'gaussian_kde' follows any shape but is much slower on large tables.",
            choices=("beta", "norm", "truncnorm", "gamma", "uniform", "gaussian_kde"),
        ),
        Param(
            "enforce_min_max_values",
            "Keep values inside the real range",
            ParamType.BOOL,
            True,
            "Clip numeric and date values to the minimum and maximum of the training data.",
        ),
        Param(
            "enforce_rounding",
            "Round like the real data",
            ParamType.BOOL,
            True,
            "Give numeric columns the same number of decimal places as the training data.",
        ),
    ),
    licence=_LICENCE,
    conditional=True,
    requires=("sdv",),
    install_hint=_INSTALL,
)

register(GAUSSIAN_COPULA, GaussianCopulaGenerator)
