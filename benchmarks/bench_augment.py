"""The augmentation view on a ~5k-row table with a rare positive class (~8%): time to fit the
generator and run the whole curve (0 to 4x the rare rows, synthetic and oversampled, 3 seeds,
bootstrap intervals), against the same curve with scikit-learn's metric functions in the
bootstrap (the baseline the NumPy versions replaced), in one run.

    python benchmarks/bench_augment.py [--rows 5000] [--generator gaussian_copula]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_core.data.io.reader import read_table  # noqa: E402
from synth_core.evaluate import utility  # noqa: E402
from synth_core.experiments.augment import augmentation  # noqa: E402
from synth_core.generate.spec import GenerationSpec  # noqa: E402
from synth_core.generate.synthesize import fit  # noqa: E402
from tests.helpers import rare_table  # noqa: E402


def sklearn_binary(column: int, positive: Any) -> dict[str, Any]:
    from sklearn import metrics

    def auc(y: np.ndarray, pred: np.ndarray, proba: np.ndarray) -> float:
        truth = y == positive
        return (
            float(metrics.roc_auc_score(truth, proba[:, column]))
            if 0 < truth.sum() < len(y)
            else float("nan")
        )

    return {
        "accuracy": lambda y, p, _: metrics.accuracy_score(y, p),
        "balanced_accuracy": lambda y, p, _: metrics.balanced_accuracy_score(y, p),
        "f1": lambda y, p, _: metrics.f1_score(y == positive, p == positive, zero_division=0),
        "roc_auc": auc,
        "recall": lambda y, p, _: metrics.recall_score(
            y == positive, p == positive, zero_division=0
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--generator", default="gaussian_copula")
    args = parser.parse_args()
    table = read_table(rare_table(args.rows).to_csv(index=False).encode())
    started = time.perf_counter()
    model = fit(table, GenerationSpec(generator=args.generator, rows=100))
    fitted = time.perf_counter() - started
    started = time.perf_counter()
    report = augmentation(model, "diagnosis", "rare", group="sex")
    ours = time.perf_counter() - started
    fast = utility._binary_metrics
    utility._binary_metrics = sklearn_binary  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        baseline_report = augmentation(model, "diagnosis", "rare", group="sex")
        baseline = time.perf_counter() - started
    finally:
        utility._binary_metrics = fast  # type: ignore[assignment]
    same = all(
        a.scores["recall"].value == b.scores["recall"].value
        for a, b in zip(report.points, baseline_report.points, strict=True)
    )
    print(
        f"{args.rows:,} rows, {report.real_matching} rare training rows; {args.generator} fitted "
        f"in {fitted:.1f} s; augmentation curve ({len(report.points)} points): {ours:.1f} s, "
        f"with scikit-learn metrics in the bootstrap {baseline:.1f} s ({baseline / ours:.1f}x); "
        f"same recall values: {same}"
    )
    for method in ("synthetic", "oversampled real"):
        curve = ", ".join(
            f"+{n}: {s.value:.3f} [{s.ci_low:.3f}, {s.ci_high:.3f}]"
            for n, s in report.curve(method)
        )
        print(f"  recall, {method}: {curve}")


if __name__ == "__main__":
    main()
