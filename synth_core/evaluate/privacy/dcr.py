"""DCR share: the share of synthetic rows whose closest real row is a training row rather than a
holdout row (50% is ideal), with an interval that holds still.

The share of one draw of equal-size reference rows moves with which real rows were drawn more
than a binomial interval over the synthetic rows admits: many synthetic rows share the same
nearest real rows (a dense cluster, near-duplicate rows), so they are not independent votes, and
which real rows sit on which side is itself random (measured on the public Adult table: printed
±0.014, spread across draws ±0.04). So:

- the share is the mean over ``draws`` balanced draws (each side subsampled to the size of the
  smaller one, ties counting half), which averages out which training rows were drawn;
- its interval comes from relabelling: the real rows of each draw are shuffled between the two
  sides ``relabels`` times and the share computed again. That is the spread a draw shows when
  the generator learnt nothing about which rows were its training rows (the same synthetic rows,
  the same real rows, only the split redrawn), clusters and ties included; ±1.96 of its standard
  deviation is the interval.

Each query keeps its ``NEIGHBOURS`` nearest rows of each side from one search, so a draw finds its
nearest chosen row without searching again (a fresh search only for the few queries none of whose
kept neighbours was drawn)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth_core.data.distance import nearest

DRAWS = 20
RELABELS = 5
NEIGHBOURS = 32


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

    def nearest_chosen(
        self, chosen: np.ndarray, queries: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per query: the distance and index of its nearest reference row among ``chosen``, and
        which of its kept neighbours are chosen rows at that distance (its ties)."""
        included = chosen[self.indices]
        found = included.any(axis=1)
        position = included.argmax(axis=1)
        rows = np.arange(len(self.indices))
        distance = self.distances[rows, position].copy()
        index = self.indices[rows, position].copy()
        if not found.all():  # none of its kept neighbours was drawn: search the drawn rows
            drawn = np.flatnonzero(chosen)
            missing = ~found
            far, where = nearest(self.reference[drawn], queries[missing])
            distance[missing], index[missing] = far[:, 0], drawn[where[:, 0]]
        ties = included & (self.distances == distance[:, None])
        ties[~found] = False
        return distance, index, ties


@dataclass(frozen=True)
class ShareEstimate:
    share: float  # mean over the draws
    sd: float  # of one draw's share when the sides are redrawn at random
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
    shares, relabelled = [], []
    labels = np.zeros(n_training + n_holdout)
    sides = np.r_[np.ones(size), np.zeros(size)]
    for _ in range(draws):
        chosen_training = _choose(n_training, size, rng)
        chosen_holdout = _choose(n_holdout, size, rng)
        d_train, i_train, ties_train = training.nearest_chosen(chosen_training, queries)
        d_hold, i_hold, ties_hold = holdout.nearest_chosen(chosen_holdout, queries)
        shares.append(share_of_closer(d_train, d_hold))
        # The real rows at each query's smallest distance, as ids over both sides.
        closest = np.minimum(d_train, d_hold)
        ids = np.hstack([training.indices, n_training + holdout.indices])
        at_closest = np.hstack(
            [
                ties_train & (d_train == closest)[:, None],
                ties_hold & (d_hold == closest)[:, None],
            ]
        )
        alone = ~at_closest.any(axis=1)  # found by a fresh search: one row, its own
        ids[alone, 0] = np.where(
            d_train[alone] <= d_hold[alone], i_train[alone], n_training + i_hold[alone]
        )
        at_closest[alone, 0] = True
        count = at_closest.sum(axis=1)
        drawn = np.r_[np.flatnonzero(chosen_training), n_training + np.flatnonzero(chosen_holdout)]
        for _ in range(relabels):
            labels[drawn] = rng.permutation(sides)
            on_training = (labels[ids] * at_closest).sum(axis=1)
            outcome = np.where(on_training == count, 1.0, np.where(on_training == 0, 0.0, 0.5))
            relabelled.append(float(outcome.mean()))
    share = float(np.mean(shares))
    sd = float(np.std(relabelled, ddof=1)) if len(relabelled) > 1 else 0.0
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


def _choose(rows: int, size: int, rng: np.random.Generator) -> np.ndarray:
    chosen = np.zeros(rows, dtype=bool)
    chosen[rng.choice(rows, size, replace=False) if size < rows else slice(None)] = True
    return chosen
