"""Anonymeter's three attacks (singling out, linkability, inference) on the synthetic data, each
measured against the holdout as control set, with its confidence interval.

Anonymeter (Statice; BSD-3-Clause-Clear) is the reference implementation of Giomi et al., "A
Unified Framework for Quantifying Privacy Risk in Synthetic Data" (PETS 2023). Version 1.1.0 pins
numpy<1.27 and pyarrow<22 but runs correctly with numpy 2 and pyarrow 26 (tested here), so it is
installed with --no-deps (see the Makefile) beside numba and polars. Risk = (attack success on
training rows − success on control rows) / (1 − control success): what the synthetic data gives
away about the people in it beyond what it teaches about people in general.

Verdicts: red when the interval's lower end is at least 10% (the risk is surely that high),
amber when the estimate is at least 10%, green below."""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.convert import as_float
from synth_core.data.distance import distance_columns
from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
from synth_core.errors import SynthCoreError

ATTACKS = 500
ROW_CAP = 20_000  # rows per table handed to the attacks (a seeded sample above this)
MAX_SECRETS = 8  # inference is run with each of at most this many columns as the secret
MIN_CONTROL = 20
NEIGHBOURS = 10  # linkability: the attacker links rows found among each other's 10 neighbours
RED_LOW = 0.10
AMBER = 0.10


@dataclass(frozen=True)
class Risk:
    value: float
    ci_low: float
    ci_high: float
    attacks: int
    verdict: str  # green, amber, red
    detail: str = ""


@dataclass(frozen=True)
class AttackRisks:
    singling_out: Risk
    linkability: Risk | None  # needs two or more columns
    inference: Risk  # the highest over the secrets tried
    inference_by_column: dict[str, float]
    notes: tuple[str, ...] = field(default=())


class _LoggedNotes(logging.Handler):
    """Anonymeter reports weak attacks through its logger: keep them as notes, off stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self._logger = logging.getLogger("anonymeter")
        self._propagate = True

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _LoggedNotes:
        self._propagate = self._logger.propagate
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate


_WEAK_ATTACK = re.compile(
    r"Attack is as good or worse as baseline model\. Estimated rates: attack = ([0-9.eE+-]+), "
    r"baseline = ([0-9.eE+-]+)\."
)


def anonymeter_words(text: str) -> str:
    """Anonymeter's warnings in plain words (its own print 17-digit rates)."""
    found = _WEAK_ATTACK.search(text)
    if found:
        attack, baseline = (float(v) for v in found.groups())
        return (
            f"Anonymeter: one attack did no better than random guessing ({attack:.1%} of its "
            f"guesses right, {baseline:.1%} for the baseline): Anonymeter says its risk figure "
            "cannot be trusted."
        )
    return f"Anonymeter: {text}" if text else ""


def verdict(value: float, ci_low: float) -> str:
    if ci_low >= RED_LOW:
        return "red"
    return "amber" if value >= AMBER else "green"


def _plain(frame: pd.DataFrame, schema: Schema, columns: list[str]) -> pd.DataFrame:
    """Anonymeter's numba kernels want float64 numbers and text categories."""
    out: dict[str, object] = {}
    for name in columns:
        values = frame[name]
        if schema[name].kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            out[name] = as_float(values)
        else:
            out[name] = values.astype(object).where(values.notna(), "(missing)").astype(str)
    return pd.DataFrame(out)


def _risk(result: object, attacks: int, detail: str = "") -> Risk:
    risk = result.risk()  # type: ignore[attr-defined]
    value = float(risk.value)
    low, high = (float(x) for x in risk.ci)
    return Risk(value, low, high, attacks, verdict(value, low), detail)


class _SortedShuffle:
    """A numpy Generator whose shuffle() sorts the list first (by its text), so the shuffled
    order depends on the seed only."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def shuffle(self, items: list[Any]) -> None:
        items.sort(key=str)
        self._rng.shuffle(items)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rng, name)


def _make_singling_out_reproducible(seed: int) -> None:
    """Anonymeter 1.1.0's univariate singling-out lists the rare values in the order polars'
    ``group_by`` returns them, which changes from run to run (random hash seeds), before its
    seeded shuffle; and it corrects for the control set's size on unseeded polars samples. So
    the same seed gave singling-out risks from 0.06 to 0.11 on the same tables. Sorting the
    queries before the shuffle and seeding polars makes the seed decide."""
    import polars as pl
    from anonymeter.evaluators import singling_out_evaluator as module

    pl.set_random_seed(seed % 2**32)
    original = module.univariate_singling_out_queries
    if getattr(original, "reproducible", False):
        return

    def ordered(df: Any, n_queries: int, rng: np.random.Generator) -> Any:
        return original(df=df, n_queries=n_queries, rng=_SortedShuffle(rng))

    ordered.reproducible = True  # type: ignore[attr-defined]
    module.univariate_singling_out_queries = ordered


def compile_attacks() -> None:
    """Run the linkability and inference attacks once on a tiny mixed table: Anonymeter's
    nearest-neighbour search is compiled by numba on its first call (~6 s), in every new
    process. The worker server calls this once (synth_core.evaluate.privacy.compiled), so jobs
    forked from it start compiled. Not the singling-out attack: it runs polars, whose thread
    pool does not survive a fork (a forked job then hung in its first polars call). Without
    Anonymeter: nothing to do."""
    try:
        from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator
    except ImportError:
        return
    rng = np.random.default_rng(0)
    rows = 60
    frame = pd.DataFrame(
        {
            "number": rng.normal(size=rows),
            "category": rng.choice(["a", "b", "c"], rows).astype(object),
            "count": pd.array(rng.integers(0, 5, rows), dtype="Int64"),
            "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 30, rows), "D"),
        }
    )
    schema = Schema(
        (
            ColumnSchema("number", ColumnKind.NUMERICAL),
            ColumnSchema("category", ColumnKind.CATEGORICAL),
            ColumnSchema("count", ColumnKind.NUMERICAL, integer=True, decimals=0),
            ColumnSchema("day", ColumnKind.DATETIME),
        )
    )
    names = list(frame.columns)
    ori, syn, control = (
        _plain(part.reset_index(drop=True), schema, names)
        for part in (frame.iloc[:20], frame.iloc[20:40], frame.iloc[40:])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LinkabilityEvaluator(
            ori=ori,
            syn=syn,
            control=control,
            n_attacks=10,
            aux_cols=(names[:2], names[2:]),
            n_neighbors=NEIGHBOURS,
        ).evaluate(n_jobs=1)
        for secret in ("number", "category"):
            InferenceEvaluator(
                ori=ori,
                syn=syn,
                control=control,
                aux_cols=[c for c in names if c != secret],
                secret=secret,
                regression=secret == "number",
                n_attacks=10,
            ).evaluate(n_jobs=1)


def attack_risks(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    attacks: int = ATTACKS,
    seed: int = 0,
    progress: ProgressFn = no_progress,
) -> AttackRisks:
    """Singling out (univariate), linkability (the columns split in two halves) and inference
    (each column in turn as the secret, the others known), with the holdout as control."""
    from anonymeter.evaluators import (
        InferenceEvaluator,
        LinkabilityEvaluator,
        SinglingOutEvaluator,
    )

    if len(holdout) < MIN_CONTROL:
        raise SynthCoreError(
            f"The attacks need at least {MIN_CONTROL} holdout rows as a control set; there are "
            f"{len(holdout)}. Hold out more rows on the Generate page."
        )
    names = [c.name for c in distance_columns(schema, train, synthetic, holdout)]
    if not names:
        raise SynthCoreError("No column can be attacked: every column is an ID or personal data.")
    rng = np.random.default_rng(seed)

    def capped(frame: pd.DataFrame) -> pd.DataFrame:
        if len(frame) > ROW_CAP:
            frame = frame.iloc[np.sort(rng.choice(len(frame), ROW_CAP, replace=False))]
        return _plain(frame.reset_index(drop=True), schema, names)

    ori, syn, control = capped(train), capped(synthetic), capped(holdout)
    n = min(attacks, len(ori), len(control), len(syn))
    notes: list[str] = []
    np.random.seed(seed % 2**32)  # pandas' sampling inside the attacks
    _make_singling_out_reproducible(seed)
    with warnings.catch_warnings(record=True) as caught, _LoggedNotes() as logged:
        warnings.simplefilter("always")
        progress(0.05, "Singling-out attack")
        singling = SinglingOutEvaluator(ori=ori, syn=syn, control=control, n_attacks=n, seed=seed)
        singling_risk = _risk(singling.evaluate(mode="univariate"), n)
        linkability_risk = None
        if len(names) >= 2:
            progress(0.3, "Linkability attack")
            half = len(names) // 2
            aux = (names[:half], names[half:])
            linking = LinkabilityEvaluator(
                ori=ori, syn=syn, control=control, n_attacks=n, aux_cols=aux, n_neighbors=NEIGHBOURS
            )
            linkability_risk = _risk(
                linking.evaluate(n_jobs=1),
                n,
                f"{', '.join(aux[0])} | {', '.join(aux[1])}",
            )
        by_column: dict[str, float] = {}
        worst: Risk | None = None
        secrets = names[:MAX_SECRETS] if len(names) > 1 else []
        for position, secret in enumerate(secrets):
            progress(0.55 + 0.4 * position / len(secrets), f"Inference attack on {secret}")
            numeric = schema[secret].kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME)
            inferring = InferenceEvaluator(
                ori=ori,
                syn=syn,
                control=control,
                aux_cols=[c for c in names if c != secret],
                secret=secret,
                regression=numeric,
                n_attacks=n,
            )
            risk = _risk(inferring.evaluate(n_jobs=1), n, secret)
            by_column[secret] = risk.value
            if worst is None or risk.value > worst.value:
                worst = risk
        if len(names) > MAX_SECRETS:
            notes.append(
                f"Inference was tried with the first {MAX_SECRETS} of {len(names)} columns as "
                "the secret."
            )
    for text in [str(w.message).strip() for w in caught] + logged.messages:
        words = anonymeter_words(text)
        if words and words not in notes and "attack" in text.lower():
            notes.append(words)
    if worst is None:  # a single column: nothing to infer it from
        worst = Risk(0.0, 0.0, 0.0, 0, "green", "no other column to infer from")
    if len(train) > ROW_CAP or len(synthetic) > ROW_CAP:
        notes.append(f"The attacks used seeded samples of at most {ROW_CAP:,} rows per table.")
    progress(1.0, "Done")
    return AttackRisks(singling_risk, linkability_risk, worst, by_column, tuple(notes))
