"""DCR share: the share of synthetic rows whose closest real row is a training row rather than a
holdout row (50% is ideal), with an interval that holds still.

The share of one draw of equal-size reference rows moves with which real rows were drawn more
than a binomial interval over the synthetic rows admits: many synthetic rows share the same
nearest real rows (a dense cluster, near-duplicate rows), so they are not independent votes, and
which real rows sit on which side is itself random (measured on the public Adult table: printed
±0.014, spread across draws ±0.04). So:

- the share is the mean over ``draws`` balanced draws (each side subsampled to the size of the
  smaller one, ties counting half), which averages out which training rows were drawn;
- its interval comes from relabelling the pool: all real rows (training and holdout) are split
  at random into sides of the real sizes ``relabels`` times, and each split gets the same
  ``draws`` draws and mean. That is the spread of the mean share when the generator learnt
  nothing about which rows were its training rows (the same synthetic rows, the same real rows,
  only the split redrawn: a permutation test's null), clusters and ties included; ±1.96 of its
  standard deviation is the interval. (Until issue 24 the interval was one draw's relabelled
  spread, wider than the mean's by up to 2x on a small holdout beside a large training set:
  conservative, which left small tables with intervals too wide to judge.)

Each query keeps its ``NEIGHBOURS`` nearest rows of each side from one search, so a draw finds its
nearest chosen row without searching again (a fresh search only for the few queries none of whose
kept neighbours was drawn, or, for a relabelled split, whose nearest drawn neighbour lies beyond
where the kept ones are complete)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth_core.data.distance import nearest

DRAWS = 20
RELABELS = 20  # random splits of the real rows into two sides, for the interval
NEIGHBOURS = 32
NULL_QUERIES = 20_000  # synthetic rows used for the interval (a seeded sample above this)


@dataclass(frozen=True)
class Neighbours:
    """The nearest reference rows of each query, from one search."""

    distances: np.ndarray  # queries × k, ascending
    indices: np.ndarray  # into ``reference``
    reference: np.ndarray  # the encoded reference rows searched

    @classmethod
    def search(cls, reference: np.ndarray, queries: np.ndarray, k: int = NEIGHBOURS) -> Neighbours:
        distances, indices = nearest(reference, queries, min(k, len(reference)))
        return cls(distances, indices, reference)

    def nearest_chosen(self, chosen: np.ndarray, queries: np.ndarray) -> np.ndarray:
        """Per query: the distance to its nearest reference row among ``chosen``."""
        included = chosen[self.indices]
        found = included.any(axis=1)
        position = included.argmax(axis=1)
        distance: np.ndarray = self.distances[np.arange(len(self.indices)), position].copy()
        if not found.all():  # none of its kept neighbours was drawn: search the drawn rows
            missing = ~found
            far, _ = nearest(self.reference[chosen], queries[missing])
            distance[missing] = far[:, 0]
        return distance


@dataclass(frozen=True)
class ShareEstimate:
    share: float  # mean over the draws
    sd: float  # of the mean share when the real rows are split into sides at random
    ci_low: float
    ci_high: float
    queries: int
    reference_rows: int  # per side, in each draw
    draws: int
    relabels: int


def share_of_closer(to_training: np.ndarray, to_holdout: np.ndarray) -> float:
    """Share of rows nearer a training row than a holdout row; ties count half."""
    closer = (to_training < to_holdout).astype(np.float64)
    closer[to_training == to_holdout] = 0.5
    return float(closer.mean())


def estimate_share(
    queries: np.ndarray,
    training: Neighbours,
    holdout: Neighbours,
    rng: np.random.Generator,
    draws: int = DRAWS,
    relabels: int = RELABELS,
) -> ShareEstimate:
    """The DCR share of ``queries`` (encoded synthetic rows) against the training and holdout
    rows searched in ``training`` and ``holdout``: see the module docstring."""
    n_training, n_holdout = len(training.reference), len(holdout.reference)
    size = min(n_training, n_holdout)
    shares = []
    for _ in range(draws):
        chosen_training = _choose(n_training, size, rng)
        chosen_holdout = _choose(n_holdout, size, rng)
        d_train = training.nearest_chosen(chosen_training, queries)
        d_hold = holdout.nearest_chosen(chosen_holdout, queries)
        shares.append(share_of_closer(d_train, d_hold))
    share = float(np.mean(shares))
    null = _Pool(queries, training, holdout, rng)
    means = [null.mean_share(size, draws, rng) for _ in range(relabels)]
    sd = float(np.std(means, ddof=1)) if len(means) > 1 else 0.0
    return ShareEstimate(
        share,
        sd,
        max(share - 1.96 * sd, 0.0),
        min(share + 1.96 * sd, 1.0),
        len(queries),
        size,
        draws,
        relabels,
    )


class _Pool:
    """Both sides' real rows as one pool, for the share a generator that learnt nothing about
    which rows were its training rows would show: the pool split at random into sides of the
    real sizes, then the same draws as the estimate. Each query's kept neighbours of both sides,
    merged and sorted, give its nearest row of any chosen set without a new search, as long as
    that row is no farther than the nearer of the two sides' last kept neighbours (beyond it a
    row that was not kept could be nearer: those few queries are searched again)."""

    def __init__(
        self,
        queries: np.ndarray,
        training: Neighbours,
        holdout: Neighbours,
        rng: np.random.Generator,
    ) -> None:
        if len(queries) > NULL_QUERIES:  # a seeded sample: the spread, not the share
            keep = np.sort(rng.choice(len(queries), NULL_QUERIES, replace=False))
            training = Neighbours(
                training.distances[keep], training.indices[keep], training.reference
            )
            holdout = Neighbours(holdout.distances[keep], holdout.indices[keep], holdout.reference)
            queries = queries[keep]
        self.queries = queries
        self.training_rows = len(training.reference)
        self.rows = self.training_rows + len(holdout.reference)
        distances = np.hstack([training.distances, holdout.distances])
        ids = np.hstack([training.indices, self.training_rows + holdout.indices])
        order = np.argsort(distances, axis=1, kind="stable")
        distances = np.take_along_axis(distances, order, axis=1)
        self.reach = np.minimum(_reach(training), _reach(holdout))
        # Neighbours beyond every query's reach never decide: keep the columns that can.
        width = int((distances <= self.reach[:, None]).sum(axis=1).max(initial=0)) + 1
        self.distances = distances[:, :width]
        self.ids = np.take_along_axis(ids, order, axis=1)[:, :width].astype(np.int32)
        self.reference = np.vstack([training.reference, holdout.reference])

    def mean_share(self, size: int, draws: int, rng: np.random.Generator) -> float:
        """One random split of the pool into sides of the real sizes, and the mean share over
        ``draws`` draws of ``size`` rows a side."""
        order = rng.permutation(self.rows)
        one, other = order[: self.training_rows], order[self.training_rows :]
        # A side no larger than the draw is drawn whole every time: searched once.
        whole_one = self._nearest(_subset(self.rows, one, size, rng)) if size >= len(one) else None
        whole_other = (
            self._nearest(_subset(self.rows, other, size, rng)) if size >= len(other) else None
        )
        shares = []
        for _ in range(draws):
            to_one = (
                whole_one
                if whole_one is not None
                else self._nearest(_subset(self.rows, one, size, rng))
            )
            to_other = (
                whole_other
                if whole_other is not None
                else self._nearest(_subset(self.rows, other, size, rng))
            )
            shares.append(share_of_closer(to_one, to_other))
        return float(np.mean(shares))

    def _nearest(self, chosen: np.ndarray) -> np.ndarray:
        included = chosen[self.ids]
        position = included.argmax(axis=1)
        distance: np.ndarray = self.distances[np.arange(len(self.ids)), position]
        exact = included.any(axis=1) & (distance <= self.reach)
        if not exact.all():
            distance = distance.copy()
            distance[~exact] = _closest(self.reference[chosen], self.queries[~exact])
        return distance


def _closest(reference: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Each query's distance to its closest reference row, by brute force in chunks (a few
    queries at a time: cheaper than building a search index for them)."""
    out = np.empty(len(queries))
    step = max(1, 4_000_000 // max(reference.size, 1))
    for start in range(0, len(queries), step):
        part = queries[start : start + step]
        squared = ((part[:, None, :] - reference[None, :, :]) ** 2).sum(axis=2)
        out[start : start + step] = np.sqrt(squared.min(axis=1))
    return out


def _reach(side: Neighbours) -> np.ndarray:
    """Per query, how far its kept neighbours of this side are complete: every row of the side
    nearer than this was kept (all rows kept: no limit)."""
    if side.distances.shape[1] >= len(side.reference):
        return np.full(len(side.distances), np.inf)
    return side.distances[:, -1]


def _subset(rows: int, members: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    chosen = np.zeros(rows, dtype=bool)
    chosen[rng.choice(members, size, replace=False) if size < len(members) else members] = True
    return chosen


def _choose(rows: int, size: int, rng: np.random.Generator) -> np.ndarray:
    chosen = np.zeros(rows, dtype=bool)
    chosen[rng.choice(rows, size, replace=False) if size < rows else slice(None)] = True
    return chosen
