"""Sequential CART (after R's synthpop), built on scikit-learn decision trees; BSD/MIT only.

Columns are synthesised one after another. Column j is modelled by a decision tree on the
columns before it; a synthetic value is drawn from the real values ("donors") that share the
tree leaf the synthetic row falls into. The first column is drawn from its marginal.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth_core.constraints import Constraint
from synth_core.convert import as_float
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

_MISSING_CODE = -1


@dataclass
class _LeafDonors:
    """A fitted tree and the training targets grouped by leaf, for vectorised donor draws."""

    tree: object
    sorted_targets: np.ndarray
    starts: np.ndarray  # indexed by node id
    counts: np.ndarray

    def draw(self, predictors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        leaves = self.tree.apply(predictors)  # type: ignore[attr-defined]
        picks = self.starts[leaves] + np.floor(
            rng.random(len(leaves)) * self.counts[leaves]
        ).astype(np.int64)
        drawn: np.ndarray = self.sorted_targets[picks]
        return drawn


@dataclass
class _ColumnModel:
    name: str
    discrete: bool
    dtype: object
    categories: np.ndarray | None  # discrete: value per code
    marginal: np.ndarray | None  # first column: training targets (codes or values, NaN = missing)
    values: _LeafDonors | None  # continuous values, or discrete codes
    missing: _LeafDonors | None  # continuous: whether the value is missing
    missing_rate: float
    bandwidth: float
    low: float = -np.inf  # continuous: training range, kept when smoothing adds noise
    high: float = np.inf


class CartGenerator:
    """Sequential decision trees with donor sampling from leaves."""

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self.params = dict(params)
        self.notes: list[str] = []
        self.losses: list[dict[str, float]] = []
        self._models: list[_ColumnModel] = []
        self._rng: np.random.Generator | None = None
        self._columns: list[str] = []

    def fit(
        self,
        data: pd.DataFrame,
        schema: Schema,
        seed: int,
        progress: ProgressFn,
        constraints: Sequence[Constraint] = (),
    ) -> None:
        """Constraints are not learnt; the pipeline keeps only rows that follow them."""
        self._models, self._rng = [], None
        if data.shape[1] == 0 or data.shape[0] < 2:
            raise GeneratorError(
                "Sequential CART needs at least two rows and one column to learn from."
            )
        self._columns = list(data.columns)
        order = self._visit_order(data, schema)
        predictors = np.empty((len(data), 0))
        models: list[_ColumnModel] = []
        for position, name in enumerate(order):
            progress(
                position / len(order), f"Learning column '{name}' ({position + 1}/{len(order)})"
            )
            kind = schema[name].kind
            model, encoded = self._fit_column(name, kind, data[name], predictors, seed + position)
            models.append(model)
            predictors = np.column_stack([predictors, encoded])
        self._models = models
        self._rng = np.random.default_rng(seed)
        progress(1.0, "Fitted")

    def reset_sampling(self, seed: int) -> None:
        if not self._models:
            raise GeneratorError("Fit the generator before sampling from it.")
        self._rng = np.random.default_rng(seed)

    def sample_conditioned(self, n: int, values: Mapping[str, Any]) -> pd.DataFrame:
        raise GeneratorError("Sequential CART cannot condition; the pipeline filters rows instead.")

    def sample(self, n: int) -> pd.DataFrame:
        if self._rng is None:
            raise GeneratorError("Fit the generator before sampling from it.")
        rng = self._rng
        predictors = np.empty((n, 0))
        columns: dict[str, pd.Series] = {}
        for model in self._models:
            encoded = self._sample_column(model, predictors, n, rng)
            columns[model.name] = self._decode(model, encoded)
            predictors = np.column_stack([predictors, encoded])
        return pd.DataFrame({name: columns[name] for name in self._columns})

    def _visit_order(self, data: pd.DataFrame, schema: Schema) -> list[str]:
        names = list(data.columns)
        if self.params["order"] == "categorical first":
            discrete = {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
            # Fewest categories first: they are predicted well and make good predictors.
            return sorted(
                names,
                key=lambda c: (
                    schema[c].kind not in discrete,
                    data[c].nunique() if schema[c].kind in discrete else 0,
                ),
            )
        return names

    def _tree(self, discrete: bool, seed: int) -> object:
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        depth = int(self.params["max_depth"])
        leaf = int(self.params["min_samples_leaf"])
        if discrete:
            return DecisionTreeClassifier(min_samples_leaf=leaf, max_depth=depth, random_state=seed)
        return DecisionTreeRegressor(min_samples_leaf=leaf, max_depth=depth, random_state=seed)

    def _fit_column(
        self, name: str, kind: ColumnKind, values: pd.Series, predictors: np.ndarray, seed: int
    ) -> tuple[_ColumnModel, np.ndarray]:
        discrete = kind in {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
        first = predictors.shape[1] == 0
        if discrete:
            codes, categories = pd.factorize(values, sort=True, use_na_sentinel=True)
            target = codes.astype(np.float64)
            model = _ColumnModel(
                name,
                True,
                values.dtype,
                np.asarray(categories, dtype=object),
                None,
                None,
                None,
                0.0,
                0.0,
            )
            if first:
                model.marginal = target
            else:
                model.values = _donors(self._tree(True, seed), predictors, codes, codes)
            encoded = np.where(codes == _MISSING_CODE, np.nan, target)
            return model, encoded
        numbers = as_float(values)
        missing = np.isnan(numbers)
        model = _ColumnModel(
            name,
            False,
            values.dtype,
            None,
            None,
            None,
            None,
            float(missing.mean()),
            _bandwidth(numbers),
        )
        if (~missing).any():
            model.low, model.high = float(np.nanmin(numbers)), float(np.nanmax(numbers))
        if first:
            model.marginal = numbers
        else:
            present = ~missing
            if present.sum() == 0:
                model.marginal = numbers
            else:
                model.values = _donors(
                    self._tree(False, seed), predictors[present], numbers[present], numbers[present]
                )
            if missing.any() and present.any():
                flags = missing.astype(np.int64)
                model.missing = _donors(self._tree(True, seed), predictors, flags, flags)
        return model, numbers

    def _sample_column(
        self, model: _ColumnModel, predictors: np.ndarray, n: int, rng: np.random.Generator
    ) -> np.ndarray:
        if model.marginal is not None:
            drawn = model.marginal[rng.integers(0, len(model.marginal), n)]
        elif model.discrete:
            assert model.values is not None
            drawn = model.values.draw(predictors, rng).astype(np.float64)
        else:
            assert model.values is not None
            drawn = model.values.draw(predictors, rng).astype(np.float64)
            if model.missing is not None:
                drawn[model.missing.draw(predictors, rng).astype(bool)] = np.nan
        if model.discrete:
            return np.where(drawn == _MISSING_CODE, np.nan, drawn)
        if self.params["smoothing"] and model.bandwidth > 0:
            present = ~np.isnan(drawn)
            drawn[present] += rng.normal(0.0, model.bandwidth, int(present.sum()))
            drawn[present] = np.clip(drawn[present], model.low, model.high)
        return drawn

    @staticmethod
    def _decode(model: _ColumnModel, encoded: np.ndarray) -> pd.Series:
        if model.discrete:
            assert model.categories is not None
            missing = np.isnan(encoded)
            codes = np.where(missing, 0, encoded).astype(np.int64)
            values = (
                model.categories[codes]
                if len(model.categories)
                else np.full(len(codes), np.nan, dtype=object)
            )
            series = pd.Series(values, dtype=object)
            series[missing] = np.nan
            if str(model.dtype) == "boolean":
                return series.astype("boolean")
            return series
        dtype = str(model.dtype)
        if dtype.startswith("datetime64"):
            return pd.Series(pd.to_datetime(encoded, unit="ns", errors="coerce"))
        if dtype == "Int64":
            return pd.Series(np.round(encoded)).astype("Int64")
        return pd.Series(encoded, dtype="float64")


def _bandwidth(numbers: np.ndarray) -> float:
    """Silverman's rule of thumb, used to smooth donor values when smoothing is on."""
    present = numbers[~np.isnan(numbers)]
    if present.size < 2:
        return 0.0
    spread = min(np.std(present), (np.subtract(*np.percentile(present, [75, 25]))) / 1.349)
    if spread <= 0:
        spread = np.std(present)
    return float(0.9 * spread * present.size ** (-0.2))


def _donors(
    tree: object, predictors: np.ndarray, target: np.ndarray, donors: np.ndarray
) -> _LeafDonors:
    with warnings.catch_warnings():
        # A text column with many distinct values makes sklearn suggest regression; for donor
        # sampling a classification tree is what we want, so the advice is noise here.
        warnings.filterwarnings("ignore", message="The number of unique classes is greater than")
        tree.fit(predictors, target)  # type: ignore[attr-defined]
    leaves = tree.apply(predictors)  # type: ignore[attr-defined]
    order = np.argsort(leaves, kind="stable")
    node_count = int(tree.tree_.node_count)  # type: ignore[attr-defined]
    counts = np.bincount(leaves, minlength=node_count)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return _LeafDonors(tree, donors[order], starts, counts)


CART = GeneratorInfo(
    name="cart",
    label="Sequential CART (scikit-learn)",
    description=(
        "Synthesises columns one by one with decision trees, drawing real values from the "
        "matching tree leaf (as R's synthpop). Captures non-linear relations; permissive licence."
    ),
    kind=GeneratorKind.RULE_BASED,
    params=(
        Param(
            "min_samples_leaf",
            "Smallest leaf (rows)",
            ParamType.INT,
            5,
            "Each synthetic value is drawn from a leaf with at least this many real rows. "
            "Larger leaves copy less detail from individual rows (more private, less faithful).",
            minimum=1,
            maximum=200,
            step=1,
        ),
        Param(
            "max_depth",
            "Maximum tree depth",
            ParamType.INT,
            20,
            "Deeper trees follow the data more closely.",
            minimum=1,
            maximum=50,
            step=1,
        ),
        Param(
            "order",
            "Column order",
            ParamType.CHOICE,
            "table",
            "Order in which columns are synthesised: as in the table, or categorical columns "
            "(fewest categories first) before numeric ones.",
            choices=("table", "categorical first"),
        ),
        Param(
            "smoothing",
            "Smooth numeric values",
            ParamType.BOOL,
            False,
            "Add kernel noise to drawn numeric values so they are not exact copies of real ones.",
        ),
    ),
    licence="BSD-3-Clause (scikit-learn); this adapter MIT",
    requires=("sklearn",),
    install_hint="Install it with: pip install scikit-learn",
)

register(CART, CartGenerator)
