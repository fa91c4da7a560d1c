"""How much the synthetic rows give away about the real rows they were learnt from, measured
against a holdout (real rows the generator never saw), with plain-words verdicts.

Every metric compares the synthetic rows with the training rows, beside the same measure for the
holdout rows: real data that was not used has some closeness to the training data anyway, and
only closeness beyond that is a leak. Distances are the mixed-type distance of
``synth_core.data.distance``. Thresholds (documented in the README):

- exact_match_rate: share of synthetic rows identical to a training row. Green when at most
  1 percentage point above the holdout's share, amber up to 5 points, red above.
- dcr_share: on equal-size samples of training and holdout rows, the share of synthetic rows whose
  closest real row is a training row (ties count half), averaged over 20 draws of those samples,
  with an interval from redrawing which real rows sit on which side
  (``synth_core.evaluate.privacy.dcr``). 50% is ideal. Four states (``judge_dcr``): green
  (clearly fine) when the 95% interval ends at or below 58%; red (clearly too close) when the
  share is above 60% or the whole interval is above 58%; amber (borderline) when the interval
  starts above 50% or the share is above 58%; otherwise "cannot tell": the interval reaches from
  50% to past 58%, too wide to judge with this many holdout rows (the verdict says how many would
  do). A wide interval is never a pass.
- nndr: median nearest/second-nearest training distance ratio of synthetic rows, against that of
  holdout rows. Green when the synthetic median is at least 90% of the holdout's, amber from 75%,
  red below.
- mia_auc: a membership-inference attack scores equal numbers of training and holdout rows by
  closeness to the nearest synthetic row; ROC AUC 0.5 means no signal. Green up to 0.55, amber up
  to 0.60, red above.
- pii_replay: real values of identifying columns (personal data, IDs, and every mostly unique
  text column whatever its kind) found in the synthetic ones. Green at 0.

One concept, one file (over 600 lines): the privacy report — its parts' types and how each
is measured against the holdout; the verdict rules are in ``verdicts``, DCR in ``dcr``."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.detect import mostly_unique
from synth_core.data.distance import (
    PrivacyError,
    RowEncoder,
    distance_columns,
    nearest,
    row_hashes,
)
from synth_core.data.schema import ColumnKind, PiiType, Schema
from synth_core.evaluate.privacy.dcr import Neighbours, estimate_share, share_of_closer
from synth_core.evaluate.privacy.risk import MIN_CONTROL, RED_LOW, AttackRisks, attack_risks
from synth_core.evaluate.privacy.verdicts import (
    FINE_SHARE,
    TOO_CLOSE_SHARE,
    DcrJudgement,
    Verdict,
    exact_match_verdict,
    judge_dcr,
    mia_verdict,
    nndr_verdict,
)
from synth_core.generate.protect.pii import normal_text
from synth_core.jsonable import plain

__all__ = [
    "ATTACK_CAP",
    "FINE_SHARE",
    "HISTOGRAM_BINS",
    "MIN_ROWS",
    "QUERY_CAP",
    "REFERENCE_CAP",
    "TOO_CLOSE_SHARE",
    "DcrJudgement",
    "DcrShare",
    "Distances",
    "ExactMatch",
    "Histogram",
    "Mia",
    "Nndr",
    "PiiReplay",
    "PrivacyReport",
    "Verdict",
    "auc_interval",
    "dcr_share",
    "exact_match_verdict",
    "identifying_columns",
    "judge_dcr",
    "leaky_rows",
    "match_share",
    "measure_dcr_share",
    "mia_verdict",
    "nndr",
    "nndr_verdict",
    "pii_replay",
    "privacy_keys",
    "privacy_report",
    "privacy_summary",
]

QUERY_CAP = 20_000  # synthetic rows used as queries (a seeded sample above this)
REFERENCE_CAP = 100_000  # training rows searched (a seeded sample above this)
ATTACK_CAP = 10_000  # rows per side in the membership-inference attack
MIN_ROWS = 5
HISTOGRAM_BINS = 30


@dataclass(frozen=True)
class ExactMatch:
    synthetic: float  # share of synthetic rows identical to a training row
    holdout: float | None  # the same for holdout rows: the baseline real data has anyway
    synthetic_rows: int
    verdict: Verdict


@dataclass(frozen=True)
class DcrShare:
    share: float  # of synthetic rows closer to training than to holdout rows, mean over draws
    ci_low: float
    ci_high: float
    queries: int
    reference_rows: int  # per side, in each draw
    verdict: Verdict
    draws: int = 1  # balanced draws of reference rows averaged
    sd: float = 0.0  # of the mean share when the real rows are split at random (the interval's)
    why: str = ""  # the verdict in words, with the numbers and the bound (judge_dcr)
    holdout_needed: int | None = None  # cannot tell: about how many holdout rows would do


@dataclass(frozen=True)
class Histogram:
    edges: tuple[float, ...]
    synthetic: tuple[int, ...]  # synthetic rows -> nearest training row
    holdout: tuple[int, ...]  # holdout rows -> nearest training row


@dataclass(frozen=True)
class Distances:
    """Distances to the closest training row (DCR), summarised."""

    synthetic_median: float
    synthetic_p05: float
    holdout_median: float | None
    holdout_p05: float | None
    histogram: Histogram


@dataclass(frozen=True)
class Nndr:
    synthetic_median: float
    holdout_median: float | None
    ratio: float | None  # synthetic / holdout medians
    verdict: Verdict


@dataclass(frozen=True)
class Mia:
    auc: float
    ci_low: float
    ci_high: float
    rows_per_side: int
    verdict: Verdict


@dataclass(frozen=True)
class PiiReplay:
    columns: dict[str, int]  # column -> synthetic rows holding a real value
    rows: int  # synthetic rows with at least one replayed value
    verdict: Verdict
    why: dict[str, str] = field(default_factory=dict)  # column -> why it identifies people


@dataclass(frozen=True)
class PrivacyReport:
    exact_match: ExactMatch
    distances: Distances
    dcr_share: DcrShare | None  # None without a holdout
    nndr: Nndr
    mia: Mia | None
    pii_replay: PiiReplay
    risk: AttackRisks | None  # Anonymeter's attacks; None without a holdout or when skipped
    columns: tuple[str, ...]
    rows: dict[str, int]
    notes: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (keys documented in the README under privacy.*); no NaN."""
        payload: dict[str, Any] = plain(
            {
                "verdict": self.worst,
                "headline": {"verdict": self.headline[0], "why": self.headline[1]},
                "exact_match_rate": asdict(self.exact_match),
                "dcr_share": None if self.dcr_share is None else asdict(self.dcr_share),
                "dcr": asdict(self.distances),
                "nndr": asdict(self.nndr),
                "mia_auc": None if self.mia is None else asdict(self.mia),
                "pii_replay": asdict(self.pii_replay),
                "risk": None if self.risk is None else _risk_dict(self.risk),
                "columns": self.columns,
                "rows": self.rows,
                "notes": self.notes,
                "settings": self.settings,
            }
        )
        return payload

    @property
    def headline(self) -> tuple[Verdict, str]:
        """The page's header: the worst verdict, except that one attack alone, borderline
        (its interval starts below twice the red line) while the direct measures (copies, DCR
        share, NNDR, membership, identifying values) are not red, makes it amber, not red: one
        uncertain attack on a small holdout is a reason to look, not proof of a leak. With why."""
        worst = self.worst
        if worst is not Verdict.RED or self.risk is None:
            return worst, ""
        direct = [
            m.verdict
            for m in (self.exact_match, self.dcr_share, self.nndr, self.mia, self.pii_replay)
            if m is not None
        ]
        attacks = {
            "singling out": self.risk.singling_out,
            "linkability": self.risk.linkability,
            "inference": self.risk.inference,
        }
        red = {name: r for name, r in attacks.items() if r is not None and r.verdict == "red"}
        if Verdict.RED in direct or len(red) != 1:
            return worst, ""
        ((name, risk),) = red.items()
        if risk.ci_low >= 2 * RED_LOW:
            return worst, ""
        holdout = self.rows.get("holdout", 0)
        return Verdict.AMBER, (
            f"One attack is borderline: {name} at {risk.value:.0%} (95% interval from "
            f"{risk.ci_low:.0%}), from {risk.attacks:,} attacks with {holdout:,} holdout rows as "
            "the control; copies, the DCR share and identifying values show no leak. Read it "
            "below before sharing."
        )

    @property
    def worst(self) -> Verdict:
        levels = [
            m.verdict
            for m in (self.exact_match, self.dcr_share, self.nndr, self.mia, self.pii_replay)
            if m is not None
        ]
        if self.risk is not None:
            levels += [
                Verdict(self.risk.singling_out.verdict),
                Verdict(self.risk.inference.verdict),
            ]
            if self.risk.linkability is not None:
                levels.append(Verdict(self.risk.linkability.verdict))
        for level in (Verdict.RED, Verdict.AMBER, Verdict.UNCERTAIN, Verdict.GREEN):
            if level in levels:
                return level
        return Verdict.UNKNOWN


def _risk_dict(risk: AttackRisks) -> dict[str, Any]:
    return {
        "singling_out": asdict(risk.singling_out),
        "linkability": None if risk.linkability is None else asdict(risk.linkability),
        "inference": {**asdict(risk.inference), "by_column": dict(risk.inference_by_column)},
        "notes": list(risk.notes),
    }


def _sample(frame: pd.DataFrame, cap: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(frame) <= cap:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), cap, replace=False))]


def match_share(queries: np.ndarray, reference: np.ndarray) -> float:
    """Share of query hashes found among the reference hashes."""
    if len(queries) == 0:
        return 0.0
    return float(np.isin(queries, reference).mean())


def dcr_share(to_training: np.ndarray, to_holdout: np.ndarray) -> float:
    """Share of rows nearer a training row than a holdout row; ties count half."""
    return share_of_closer(to_training, to_holdout)


def nndr(distances: np.ndarray) -> np.ndarray:
    """Nearest / second-nearest distance per row (k = 2 distances); 0/0 counts as 1 (a row
    equal to two real rows is not singled out)."""
    first, second = distances[:, 0], distances[:, 1]
    ratio = np.ones(len(distances))
    positive = second > 0
    ratio[positive] = first[positive] / second[positive]
    return ratio


def auc_interval(auc: float, n_pos: int, n_neg: int) -> tuple[float, float]:
    """95% interval of a ROC AUC (Hanley & McNeil 1982)."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / max(
        n_pos * n_neg, 1
    )
    half = 1.96 * math.sqrt(max(variance, 0.0))
    return max(auc - half, 0.0), min(auc + half, 1.0)


def identifying_columns(real: pd.DataFrame, schema: Schema) -> dict[str, str]:
    """Columns whose real values single people out, whatever kind they were given: personal
    data, IDs and every mostly unique text column (see detect.mostly_unique); with why."""
    found: dict[str, str] = {}
    for column in schema:
        if column.name not in real.columns:
            continue
        if column.kind is ColumnKind.PII:
            found[column.name] = f"personal data ({column.pii_type})"
        elif column.kind is ColumnKind.ID:
            found[column.name] = "ID"
        elif column.kind is ColumnKind.CATEGORICAL and mostly_unique(real[column.name]):
            found[column.name] = "mostly unique text"
    return found


def pii_replay(
    real: pd.DataFrame | Sequence[pd.DataFrame], synthetic: pd.DataFrame, schema: Schema
) -> PiiReplay:
    """Synthetic rows holding a real value of a column that identifies people (personal data,
    IDs, mostly unique text of any kind), compared case- and space-insensitively; ``real`` may
    be several tables (training rows and holdout). Only counts are kept, never the values.

    A first name or a surname alone identifies nobody (thousands of people share one), so those
    columns count only together: a synthetic row replays a person when its first and last name
    are a real row's pair (under the name 'first + last'). Without the other half, a lone first
    or last name column is listed with why it is not counted."""
    reals = [real] if isinstance(real, pd.DataFrame) else list(real)
    columns = {
        name: pd.concat(
            [r[name].astype(object) for r in reals if name in r.columns], ignore_index=True
        )
        for name in schema.names
        if any(name in r.columns for r in reals)
    }
    counts: dict[str, int] = {}
    why = identifying_columns(pd.DataFrame(columns), schema)
    halves = {
        column.pii_type: column.name
        for column in schema
        if column.pii_type in (PiiType.FIRST_NAME, PiiType.LAST_NAME)
        and column.name in why
        and column.name in synthetic.columns
    }
    hit = np.zeros(len(synthetic), dtype=bool)
    for name in list(why):
        if name in halves.values():
            continue
        if name not in synthetic.columns:
            del why[name]
            continue
        known = set(normal_text(columns[name].dropna()))
        values = normal_text(synthetic[name])
        found = (values.isin(known) & synthetic[name].notna()).to_numpy()
        counts[name] = int(found.sum())
        hit |= found
    if len(halves) == 2:
        first, last = halves[PiiType.FIRST_NAME], halves[PiiType.LAST_NAME]
        pair = f"{first} + {last}"

        def pairs(frame_first: pd.Series, frame_last: pd.Series) -> pd.Series:
            return (
                normal_text(frame_first.astype(object))
                + "\x1f"
                + normal_text(frame_last.astype(object))
            )

        both = pd.DataFrame({"first": columns[first], "last": columns[last]}).dropna()
        known = set(pairs(both["first"], both["last"]))
        found = (
            pairs(synthetic[first], synthetic[last]).isin(known)
            & synthetic[first].notna()
            & synthetic[last].notna()
        ).to_numpy()
        counts[pair] = int(found.sum())
        why[pair] = "personal data (a first and last name together)"
        hit |= found
    for name in halves.values():
        if len(halves) == 1:
            why[name] = "a first or last name alone is shared by many people: not counted"
        else:
            del why[name]
    rows = int(hit.sum())
    return PiiReplay(counts, rows, Verdict.GREEN if rows == 0 else Verdict.RED, why)


def _histogram(synthetic: np.ndarray, holdout: np.ndarray | None) -> Histogram:
    values = synthetic if holdout is None else np.concatenate([synthetic, holdout])
    high = float(np.quantile(values, 0.99)) if values.size else 1.0
    edges = np.linspace(0.0, max(high, 1e-9), HISTOGRAM_BINS + 1)

    def counts(x: np.ndarray) -> tuple[int, ...]:
        return tuple(int(c) for c in np.histogram(np.minimum(x, edges[-1]), edges)[0])

    return Histogram(
        tuple(float(e) for e in edges),
        counts(synthetic),
        counts(holdout) if holdout is not None else (),
    )


def privacy_report(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    holdout: pd.DataFrame | None = None,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    attacks: bool = True,
) -> PrivacyReport:
    """All privacy metrics of ``synthetic`` against the ``train`` rows it was learnt from;
    ``attacks`` adds Anonymeter's attacks (needs a holdout of at least 20 rows)."""
    holdout = holdout if holdout is not None and len(holdout) >= MIN_ROWS else None
    frames = [train, synthetic] + ([holdout] if holdout is not None else [])
    columns = distance_columns(schema, *frames)
    if len(train) < MIN_ROWS or len(synthetic) < 1:
        raise PrivacyError(
            f"Privacy needs at least {MIN_ROWS} training rows and one synthetic row; got "
            f"{len(train):,} and {len(synthetic):,}."
        )
    rng = np.random.default_rng(seed)
    notes: list[str] = []
    encoder = RowEncoder.fit(train, columns, others=frames[1:])

    progress(0.05, "Looking for exact copies of training rows")
    # Exact copies, on every row (hashing is cheap).
    train_hashes = row_hashes(train, columns)
    synthetic_hashes = row_hashes(synthetic, columns)
    exact_synthetic = match_share(synthetic_hashes, train_hashes)
    exact_holdout = (
        None if holdout is None else match_share(row_hashes(holdout, columns), train_hashes)
    )
    exact = ExactMatch(
        exact_synthetic,
        exact_holdout,
        int(np.isin(synthetic_hashes, train_hashes).sum()),
        exact_match_verdict(exact_synthetic, exact_holdout),
    )

    queries = _sample(synthetic, QUERY_CAP, rng)
    reference = _sample(train, REFERENCE_CAP, rng)
    if len(queries) < len(synthetic) or len(reference) < len(train):
        notes.append(
            f"Distances use a seeded sample: {len(queries):,} synthetic rows against "
            f"{len(reference):,} training rows (caps {QUERY_CAP:,} and {REFERENCE_CAP:,})."
        )
    progress(0.2, "Measuring distances to the closest training rows")
    encoded_queries = encoder.transform(queries)
    encoded_reference = encoder.transform(reference)
    k = 2 if len(reference) >= 2 else 1
    training_neighbours = Neighbours.search(encoded_reference, encoded_queries)
    synthetic_near = training_neighbours.distances[:, :k]
    holdout_near = None
    if holdout is not None:
        holdout_queries = _sample(holdout, QUERY_CAP, rng)
        holdout_near, _ = nearest(encoded_reference, encoder.transform(holdout_queries), k)

    synthetic_dcr = synthetic_near[:, 0]
    holdout_dcr = None if holdout_near is None else holdout_near[:, 0]
    distances = Distances(
        float(np.median(synthetic_dcr)),
        float(np.quantile(synthetic_dcr, 0.05)),
        None if holdout_dcr is None else float(np.median(holdout_dcr)),
        None if holdout_dcr is None else float(np.quantile(holdout_dcr, 0.05)),
        _histogram(synthetic_dcr, holdout_dcr),
    )

    synthetic_nndr = float(np.median(nndr(synthetic_near))) if k == 2 else 1.0
    holdout_nndr = None
    if holdout_near is not None and k == 2:
        holdout_nndr = float(np.median(nndr(holdout_near)))
    ratio = None
    if holdout_nndr is not None:
        ratio = synthetic_nndr / holdout_nndr if holdout_nndr > 0 else 1.0
    nndr_result = Nndr(synthetic_nndr, holdout_nndr, ratio, nndr_verdict(ratio))

    share_result, mia_result = None, None
    if holdout is None:
        notes.append(
            "Without a holdout (real rows kept out of training) there is no baseline: DCR share "
            "and the membership-inference attack are not computed."
        )
    else:
        progress(0.3, "Comparing with the holdout (DCR share)")
        share_result = measure_dcr_share(
            encoder, train, holdout, encoded_queries, rng, training_neighbours
        )
        progress(0.4, "Running the membership-inference attack")
        mia_result = _mia(encoder, train, holdout, synthetic, rng)
    risk = None
    if attacks and holdout is not None:
        risk, note = _attacks(train, synthetic, holdout, schema, seed, progress)
        notes.extend([note] if note else [])
    progress(1.0, "Done")
    return PrivacyReport(
        exact_match=exact,
        distances=distances,
        dcr_share=share_result,
        nndr=nndr_result,
        mia=mia_result,
        pii_replay=pii_replay(frames[:1] + frames[2:], synthetic, schema),
        risk=risk,
        columns=tuple(c.name for c in columns),
        rows={
            "training": len(train),
            "holdout": 0 if holdout is None else len(holdout),
            "synthetic": len(synthetic),
        },
        notes=tuple(notes),
        settings={
            "query_cap": QUERY_CAP,
            "reference_cap": REFERENCE_CAP,
            "attack_cap": ATTACK_CAP,
            "seed": seed,
        },
    )


def _attacks(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    seed: int,
    progress: ProgressFn,
) -> tuple[AttackRisks | None, str]:
    if importlib.util.find_spec("anonymeter") is None:
        return None, (
            "Anonymeter is not installed, so its attacks were skipped: "
            "pip install --no-deps anonymeter==1.1.0 numba polars (see the README)."
        )
    if len(holdout) < MIN_CONTROL:
        return None, (
            f"Anonymeter's attacks need at least {MIN_CONTROL} holdout rows as a control set; "
            "hold out more rows to get them."
        )

    def scaled(fraction: float, message: str, losses: Mapping[str, float] | None = None) -> None:
        progress(0.5 + 0.5 * fraction, message)

    return attack_risks(train, synthetic, holdout, schema, seed=seed, progress=scaled), ""


def measure_dcr_share(
    encoder: RowEncoder,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    encoded_queries: np.ndarray,
    rng: np.random.Generator,
    training: Neighbours | None = None,
) -> DcrShare:
    """The DCR share of the encoded synthetic rows (see ``synth_core.evaluate.privacy.dcr``);
    ``training`` reuses a search of the same queries among the training rows."""
    if training is None:
        reference = encoder.transform(_sample(train, REFERENCE_CAP, rng))
        training = Neighbours.search(reference, encoded_queries)
    holdout_side = encoder.transform(_sample(holdout, REFERENCE_CAP, rng))
    found = estimate_share(
        encoded_queries, training, Neighbours.search(holdout_side, encoded_queries), rng
    )
    judged = judge_dcr(found.share, found.ci_low, found.ci_high, found.reference_rows)
    return DcrShare(
        found.share,
        found.ci_low,
        found.ci_high,
        found.queries,
        found.reference_rows,
        judged.verdict,
        found.draws,
        found.sd,
        judged.why,
        judged.holdout_needed,
    )


def _mia(
    encoder: RowEncoder,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    rng: np.random.Generator,
) -> Mia:
    from sklearn.metrics import roc_auc_score

    size = min(len(train), len(holdout), ATTACK_CAP)
    members = encoder.transform(_sample(train, size, rng))
    others = encoder.transform(_sample(holdout, size, rng))
    reference = encoder.transform(_sample(synthetic, REFERENCE_CAP, rng))
    near_members, _ = nearest(reference, members)
    near_others, _ = nearest(reference, others)
    labels = np.r_[np.ones(size), np.zeros(size)]
    scores = -np.r_[near_members[:, 0], near_others[:, 0]]  # closer: more likely a member
    auc = float(roc_auc_score(labels, scores))
    low, high = auc_interval(auc, size, size)
    return Mia(auc, low, high, size, mia_verdict(auc))


def leaky_rows(
    train: pd.DataFrame, synthetic: pd.DataFrame, share: float, seed: int
) -> pd.DataFrame:
    """``synthetic`` with ``share`` of its rows replaced by training rows (for tests and demos
    of what a leaking generator looks like)."""
    rng = np.random.default_rng(seed)
    n = round(share * len(synthetic))
    copied = train.iloc[rng.choice(len(train), n, replace=n > len(train))]
    kept = synthetic.iloc[rng.choice(len(synthetic), len(synthetic) - n, replace=False)]
    return (
        pd.concat([copied, kept], ignore_index=True)
        .sample(frac=1.0, random_state=seed)
        .reset_index(drop=True)
    )


def privacy_keys(report: PrivacyReport) -> dict[str, Any]:
    """The report under its top-level JSON key."""
    return {"privacy": report.to_dict()}


def privacy_summary(report: PrivacyReport) -> str:
    """One line for the command line."""
    parts = [
        f"exact matches {report.exact_match.synthetic:.1%} ({report.exact_match.verdict})",
    ]
    if report.dcr_share is not None:
        share = report.dcr_share
        parts.append(
            f"DCR share {share.share:.1%} [{share.ci_low:.1%}, {share.ci_high:.1%}] over "
            f"{share.draws} draws ({share.verdict})"
        )
    parts.append(f"NNDR ratio {_or_na(report.nndr.ratio)} ({report.nndr.verdict})")
    if report.mia is not None:
        parts.append(f"membership AUC {report.mia.auc:.3f} ({report.mia.verdict})")
    parts.append(
        f"identifying values replayed in {report.pii_replay.rows:,} rows "
        f"({report.pii_replay.verdict})"
    )
    return ", ".join(parts)


def _or_na(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
