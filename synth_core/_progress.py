"""Progress callbacks: the type every long step takes, and helpers to compose them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class ProgressFn(Protocol):
    """Called with the fraction done (0..1), a short message and, while a network trains, the
    epoch's losses; may raise to cancel."""

    def __call__(
        self, fraction: float, message: str, losses: Mapping[str, float] | None = None
    ) -> None: ...


def no_progress(fraction: float, message: str, losses: Mapping[str, float] | None = None) -> None:
    """A progress callback that ignores updates."""


def scaled(progress: ProgressFn, low: float, high: float) -> ProgressFn:
    """``progress`` for a part of a job: fractions 0..1 mapped onto low..high."""

    def report(fraction: float, message: str, losses: Mapping[str, float] | None = None) -> None:
        progress(low + (high - low) * min(max(fraction, 0.0), 1.0), message, losses)

    return report


__all__ = ["ProgressFn", "no_progress", "scaled"]
