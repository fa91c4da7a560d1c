"""Differentially private generator: MST (McKenna et al. 2021) from smartnoise-synth (MIT).

MST measures noisy one- and two-way marginals of discretised columns, chosen along a maximum
spanning tree, and samples rows from a graphical model fitted to them. Numeric and date columns
are cut into ``bins`` equal-width bins between bounds; bounds the user gives (``public_bounds``)
cost no privacy budget; columns without them get bounds estimated privately with a share of ε
(``bounds_share``), which was measured to give poor bins (an age range to ~128, a money column
collapsed to [0, 1]). Sampled numbers are spread uniformly within their bin (post-processing:
no privacy cost), and rows are shuffled (MST returns them grouped).

The guarantee covers the modelled columns. Personal data is replaced by Faker values and new IDs
are made as for any generator; constant columns are copied (one value, not a person's)."""

from __future__ import annotations

import contextlib
import functools
import io
import math
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn
from synth_core._system import total_memory_mb
from synth_core.data.convert import as_float
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import GeneratorError, ParamError
from synth_core.generate.constraints import Constraint
from synth_core.generate.generators.registry import (
    Advice,
    AdviceLevel,
    GeneratorInfo,
    GeneratorKind,
    Param,
    ParamType,
    ParamValue,
    TableShape,
    register,
)

MAX_CATEGORIES = 1000  # per categorical column
MAX_PAIR_CELLS = 2_000_000  # the largest two-way marginal MST may measure
# Memory one DP job may use: a third of the machine's (8 GB of 24 GiB here: two jobs run at once
# and the server needs its share), 8 GB when it cannot be read.
MAX_MEMORY_GB = float(round((total_memory_mb() or 24 * 1024) / 1024 / 3))
_NUMERIC = (ColumnKind.NUMERICAL, ColumnKind.DATETIME)


def parse_bounds(text: str) -> dict[str, tuple[str, str]]:
    """'age=18:100; charges=0:70000; date=2012-01-01:2015-12-31' -> {column: (low, high)};
    'low..high' also works, for times that contain colons."""
    bounds: dict[str, tuple[str, str]] = {}
    for part in (p.strip() for p in text.replace("\n", ";").replace(",", ";").split(";")):
        if not part:
            continue
        name, sep, span = part.partition("=")
        low, colon, high = span.partition("..") if ".." in span else span.partition(":")
        if not sep or not colon or not name.strip() or not low.strip() or not high.strip():
            raise ParamError(
                f"Public bounds are written column=low:high, separated by ';' (e.g. "
                f"'age=18:100; charges=0:70000'); got {part!r}."
            )
        bounds[name.strip()] = (low.strip(), high.strip())
    return bounds


def _bound_value(text: str, kind: ColumnKind, column: str) -> float:
    try:
        if kind is ColumnKind.DATETIME:
            return float(pd.Timestamp(text).value)
        return float(text)
    except (TypeError, ValueError):
        what = "a date" if kind is ColumnKind.DATETIME else "a number"
        raise ParamError(f"The bound {text!r} of '{column}' is not {what}.") from None


def memory_gb(rows: int, columns: int) -> float:
    """Peak memory of an MST fit, measured here: 1.2 GB at 1.3k rows x 7 columns, 2.4 GB at
    32k x 15, 3.6 GB at 32k x 30 — about 1.2 GB plus 2.4 KB per cell."""
    return 1.2 + 2.4e-6 * rows * columns


def delta_for(rows: int) -> float:
    """δ well below 1/n: 1 / (n·√n), as smartnoise suggests."""
    return 1.0 / (max(rows, 2) * math.sqrt(max(rows, 2)))


def budget_words(epsilon: float, rows: int, unbounded: int, share: float) -> str:
    """The budget split and δ, in words."""
    spent = share * epsilon if unbounded else 0.0
    return (
        f"ε = {epsilon:g}: {epsilon - spent:.3g} for learning the marginals"
        + (
            f", {spent:.3g} for estimating the bounds of {unbounded} column(s) without public "
            "bounds"
            if unbounded
            else " (every numeric column has public bounds, so none goes to preprocessing)"
        )
        + f"; δ = {delta_for(rows):.1e} (1/(n·√n) for n = {rows:,})."
    )


EPSILON_WORDS = (
    "ε (epsilon) bounds how much any one person's row can change what the generator learns: "
    "with ε = 1, anything an observer concludes from the synthetic data is at most e¹ ≈ 2.7 "
    "times more (or less) likely than if that person had not been in the data. Smaller is more "
    "private and less faithful; ε ≤ 1 is strong, 10 is weak."
)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """smartnoise prints its budget split to stdout (our notes say it in words) and mbi warns
    that pandas input is deprecated (smartnoise's call, not ours): keep both off the console."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def _make_picklable(synthesizer: Any) -> None:
    """MST keeps a lambda (undo_compress_fn) that pickle cannot handle, and fitted models are
    pickled between job processes: replace it by the same call as a partial."""
    undo = synthesizer.undo_compress_fn
    cells = dict(zip(undo.__code__.co_freevars, undo.__closure__ or (), strict=True))
    if "supports" not in cells:  # smartnoise changed: fail loudly in the contract tests
        raise GeneratorError("This smartnoise-synth version is not supported (pin 1.0.8).")
    supports = cells["supports"].cell_contents
    synthesizer.undo_compress_fn = functools.partial(synthesizer.reverse_data, supports=supports)


class MstGenerator:
    """smartnoise-synth's MSTSynthesizer with explicit transformers and jittered bins."""

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self.params = dict(params)
        self.notes: list[str] = []
        self.losses: list[dict[str, float]] = []
        self._synthesizer: Any = None
        self._columns: list[str] = []
        self._numeric: dict[str, tuple[float, float, int]] = {}  # low, high, bins
        self._kinds: dict[str, ColumnKind] = {}
        self._labels: dict[str, dict[str, Any]] = {}  # text the model saw -> the real value
        self._decimals: dict[str, int | None] = {}  # numbers: decimal places of the real values
        self._rng = np.random.default_rng(0)

    def fit(
        self,
        data: pd.DataFrame,
        schema: Schema,
        seed: int,
        progress: ProgressFn,
        constraints: Sequence[Constraint] = (),
    ) -> None:
        from snsynth import Synthesizer
        from snsynth.transform import BinTransformer, LabelTransformer, TableTransformer

        epsilon = float(self.params["epsilon"])
        bins = int(self.params["bins"])
        share = float(self.params["bounds_share"])
        public = parse_bounds(str(self.params["public_bounds"]))
        unknown = [name for name in public if name not in schema.names]
        if unknown:
            raise GeneratorError(
                f"Public bounds name '{unknown[0]}', which is not a modelled column "
                f"({', '.join(schema.names)})."
            )
        self._columns = list(data.columns)
        frame = pd.DataFrame(index=data.index)
        transformers = []
        unbounded = []
        for name in self._columns:
            kind = schema[name].kind
            self._kinds[name] = kind
            # A missing-value bin only where the column has missing values (the schema, like
            # the column names and kinds, is treated as public).
            nullable = bool(data[name].isna().any())
            if kind in _NUMERIC:
                frame[name] = as_float(data[name])
                self._decimals[name] = _decimals(frame[name])
                if name in public:
                    low = _bound_value(public[name][0], kind, name)
                    high = _bound_value(public[name][1], kind, name)
                    if not low < high:
                        raise GeneratorError(
                            f"The lower bound of '{name}' must be below the upper."
                        )
                    self._numeric[name] = (low, high, bins)
                    transformers.append(
                        BinTransformer(lower=low, upper=high, bins=bins, nullable=nullable)
                    )
                else:
                    unbounded.append(name)
                    transformers.append(BinTransformer(bins=bins, nullable=nullable))
            else:
                text = data[name].astype(object).where(data[name].notna(), None)
                levels = text.dropna().nunique()
                if levels > MAX_CATEGORIES:
                    raise GeneratorError(
                        f"'{name}' has {levels:,} categories; MST handles at most "
                        f"{MAX_CATEGORIES:,} per column. Group rare categories, or mark the "
                        "column as an ID or drop it on the Data page."
                    )
                frame[name] = text.map(lambda v: None if v is None else str(v))
                self._labels[name] = {str(v): v for v in text.dropna().unique()}
                transformers.append(LabelTransformer(nullable=nullable))
        self._check_size(frame, bins)
        needed = memory_gb(len(frame), len(self._columns))
        if needed > MAX_MEMORY_GB:
            raise GeneratorError(
                f"MST on {len(frame):,} rows x {len(self._columns)} columns would need about "
                f"{needed:.0f} GB of memory, above the {MAX_MEMORY_GB:.0f} GB allowed per job. "
                "Lower the row cap for fitting, or drop columns."
            )
        preprocessor_eps = share * epsilon if unbounded else 0.0
        self.notes.append(budget_words(epsilon, len(data), len(unbounded), share))
        if unbounded:
            self.notes.append(
                f"No public bounds for {', '.join(unbounded)}: their bins were placed with part of "
                "the privacy budget, which often gives poor bins. Give public bounds (e.g. "
                "'age=0:120') for better fidelity at no privacy cost."
            )
        progress(0.05, f"Measuring noisy marginals (ε = {epsilon:g}); MST gives no progress")
        np.random.seed(seed % 2**32)
        started = time.perf_counter()
        synthesizer = Synthesizer.create("mst", epsilon=epsilon, delta=delta_for(len(data)))
        try:
            with _quiet():
                synthesizer.fit(
                    frame,
                    transformer=TableTransformer(transformers),
                    preprocessor_eps=preprocessor_eps,
                )
        except ValueError as exc:
            if "could not find bounds" not in str(exc):
                raise
            raise GeneratorError(
                f"With ε = {epsilon:g}, the budget for estimating bounds privately was too small "
                f"for {', '.join(unbounded)}. Give public bounds for them (e.g. 'age=0:120'), "
                "or raise ε or the share of ε for bounds."
            ) from None
        _make_picklable(synthesizer)
        self._synthesizer = synthesizer
        fitted = synthesizer._transformer.transformers  # the bins as fitted
        for name, transformer in zip(self._columns, fitted, strict=True):
            if name in unbounded:
                low, high = float(transformer.fit_lower), float(transformer.fit_upper)
                self._numeric[name] = (low, high, bins)
        progress(1.0, f"Fitted in {time.perf_counter() - started:.0f} s")

    def _check_size(self, frame: pd.DataFrame, bins: int) -> None:
        cards = sorted(
            (
                bins + 1 if self._kinds[name] in _NUMERIC else frame[name].nunique(dropna=False)
                for name in self._columns
            ),
            reverse=True,
        )
        largest = cards[0] * cards[1] if len(cards) > 1 else cards[0] if cards else 0
        if largest > MAX_PAIR_CELLS:
            raise GeneratorError(
                f"MST would measure a two-way table of {largest:,} cells (the two largest "
                f"columns), above the {MAX_PAIR_CELLS:,} that fit in memory here. Use fewer bins "
                "or group categories."
            )

    def reset_sampling(self, seed: int) -> None:
        np.random.seed(seed % 2**32)
        self._rng = np.random.default_rng(seed)

    def sample(self, n: int) -> pd.DataFrame:
        if self._synthesizer is None:
            raise GeneratorError("Fit the generator before sampling from it.")
        if n == 0:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in self._columns})
        with _quiet():
            raw = pd.DataFrame(self._synthesizer.sample(n), columns=self._columns)
        out: dict[str, Any] = {}
        for name in self._columns:
            values = raw[name]
            if name in self._numeric:
                low, high, bins = self._numeric[name]
                width = (high - low) / bins
                numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
                jitter = (self._rng.random(len(numbers)) - 0.5) * width
                numbers = np.clip(numbers + jitter, low, high)
                places = self._decimals.get(name)
                if places is not None:
                    numbers = np.round(numbers, places)
                if self._kinds[name] is ColumnKind.DATETIME:
                    stamps = pd.to_datetime(
                        pd.Series(numbers).round().astype("Int64"), unit="ns", errors="coerce"
                    )
                    out[name] = stamps
                else:
                    out[name] = numbers
            else:
                labels = self._labels[name]
                out[name] = values.map(
                    lambda v, labels=labels: labels.get(v) if v is not None else None
                )
        frame = pd.DataFrame(out)
        order = self._rng.permutation(len(frame))  # MST returns rows grouped
        return frame.iloc[order].reset_index(drop=True)

    def sample_conditioned(self, n: int, values: Mapping[str, Any]) -> pd.DataFrame:
        raise GeneratorError("MST cannot condition on values; rejection sampling is used instead.")


def _decimals(values: pd.Series) -> int | None:
    """Decimal places the real numbers are written with (None for dates or more than 6).
    A public fact of the format, like SDV's enforce_rounding; applied after sampling."""
    present = values.dropna().to_numpy(dtype=np.float64)
    if present.size == 0:
        return None
    for places in range(7):
        scaled = present * 10**places
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return places
    return None


def _check(params: Mapping[str, ParamValue]) -> None:
    parse_bounds(str(params["public_bounds"]))


def data_bounds(data: pd.DataFrame, schema: Schema, names: Sequence[str]) -> dict[str, str]:
    """Each column's range as read off the data, written as public bounds are ('age=18:64',
    dates 'day..next day'): what the fill button offers, never private."""
    bounds = {}
    for name in names:
        values = data[name].dropna()
        if values.empty:
            continue
        if schema[name].kind is ColumnKind.DATETIME:
            low, high = values.min().date(), values.max().date() + pd.Timedelta(days=1)
            bounds[name] = f"{low}..{high}"
        else:
            numbers = as_float(values)
            bounds[name] = f"{np.floor(numbers.min()):g}:{np.ceil(numbers.max()):g}"
    return bounds


def _advise(
    data: pd.DataFrame, schema: Schema, rows: int, params: Mapping[str, ParamValue]
) -> list[Advice]:
    """What ε means, the budget split for this table, the memory, and bounds: which columns
    have none (with a fill from the data, which is not private) and which equal the data's."""
    numeric = [c.name for c in schema if c.kind in _NUMERIC and c.name in data.columns]
    given = parse_bounds(str(params["public_bounds"]))
    unbounded = [name for name in numeric if name not in given]
    advice = [Advice(AdviceLevel.INFO, EPSILON_WORDS)]
    own = data_bounds(data, schema, [name for name in given if name in numeric])
    read = [
        name
        for name, (low, high) in given.items()
        if own.get(name) in (f"{low}:{high}", f"{low}..{high}")
    ]
    if read:
        advice.append(
            Advice(
                AdviceLevel.WARNING,
                f"The bounds of {', '.join(read)} are the data's own minimum and maximum: if "
                "they were read from the data, each column's extremes are revealed, outside the "
                "ε guarantee. Widen them to values you know publicly.",
            )
        )
    epsilon, share = float(params["epsilon"]), float(params["bounds_share"])
    advice.append(Advice(AdviceLevel.NOTE, budget_words(epsilon, rows, len(unbounded), share)))
    needed = memory_gb(rows, len(schema))
    advice.append(
        Advice(
            AdviceLevel.NOTE if needed <= MAX_MEMORY_GB else AdviceLevel.REFUSED,
            f"Memory needed: about {needed:.1f} GB (at most {MAX_MEMORY_GB:.0f} GB per job).",
        )
    )
    if unbounded:
        filled = [f"{name}={low}:{high}" for name, (low, high) in given.items()]
        filled += [f"{name}={span}" for name, span in data_bounds(data, schema, unbounded).items()]
        advice.append(
            Advice(
                AdviceLevel.WARNING,
                f"No public bounds for {', '.join(unbounded)}: part of ε goes to estimating "
                "them, and the bins are often poor. Type bounds you know from outside the data "
                "(e.g. 'age=0:120'), or fill them from the data below — which is not private.",
                fix_label="Fill bounds from the data (NOT private: reveals each column's min "
                "and max)",
                fix={"public_bounds": "; ".join(filled)},
            )
        )
    return advice


def _estimate(shape: TableShape, params: Mapping[str, ParamValue]) -> float:
    """Measured: ~20 s for insurance (1.3k rows, 7 columns), 62-78 s for Adult (32k, 15)."""
    return 12.0 + 4.0 * shape.columns + 1e-3 * shape.rows


DP_MST = GeneratorInfo(
    name="dp_mst",
    label="MST, differentially private (smartnoise-synth)",
    description=(
        "Learns noisy one- and two-way marginals with a formal differential-privacy guarantee "
        "(ε below). Numbers are binned; give public bounds for good bins. Slower (20 s to "
        "minutes) and less faithful on numbers than non-private generators."
    ),
    kind=GeneratorKind.DP,
    params=(
        Param(
            "epsilon",
            "Privacy budget ε",
            ParamType.FLOAT,
            1.0,
            EPSILON_WORDS,
            minimum=0.05,
            maximum=20.0,
            step=0.05,
        ),
        Param(
            "public_bounds",
            "Public bounds of numeric columns",
            ParamType.TEXT,
            "",
            "column=low:high separated by ';', e.g. 'age=0:120; charges=0:100000'. Take them "
            "from public knowledge, not from the data: bounds read off the data leak its extremes.",
        ),
        Param(
            "bins",
            "Bins per numeric column",
            ParamType.INT,
            20,
            "Numbers are learnt as bins of equal width between the bounds; more bins keep more "
            "detail but spread the noise thinner.",
            minimum=4,
            maximum=64,
            step=1,
        ),
        Param(
            "bounds_share",
            "Share of ε for estimating missing bounds",
            ParamType.FLOAT,
            0.1,
            "Used only for numeric columns without public bounds.",
            minimum=0.01,
            maximum=0.5,
            step=0.01,
            advanced=True,
        ),
    ),
    licence="MIT (smartnoise-synth, OpenDP); private-pgm MIT",
    requires=("snsynth",),
    install_hint="pip install smartnoise-synth==1.0.8",
    estimate=_estimate,
    check=_check,
    advise=_advise,
)

register(DP_MST, MstGenerator)
