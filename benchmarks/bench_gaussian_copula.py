"""Our Gaussian-copula path against bare SDV on the same data, measured in one run.

End to end, from the same CSV bytes to the same number of rows as CSV text:
  ours: read_table(bytes) -> synthesize(GaussianCopula, no holdout, no PII step) -> csv_bytes
  SDV:  pandas.read_csv(bytes) -> Metadata.detect_from_dataframes -> fit -> sample -> to_csv
In memory, from an already-read table (the generator path alone):
  ours: synthesize(table)          SDV: detect metadata -> fit -> sample

The paths run alternately (A B A B ...) so drift in machine speed hits both; medians and the
per-pair ratio ours/SDV are printed. A ratio above 1.10 means more than 10% overhead.

    python benchmarks/bench_gaussian_copula.py [--repeats 5] [--scale 40]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth_core import (  # noqa: E402
    GenerationSpec,
    PrivacySetting,
    SynthResult,
    Table,
    csv_bytes,
    read_table,
    synthesize,
)


def scaled_csv(name: str, scale: int) -> bytes:
    """The sample table repeated ``scale`` times (same columns, realistic text)."""
    text = (ROOT / "sample_data" / name).read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    body = body if body.endswith("\n") else body + "\n"
    return (header + "\n" + body * scale).encode("utf-8")


def _ours_in_memory(table: Table, rows: int) -> SynthResult:
    spec = GenerationSpec(
        generator="gaussian_copula",
        rows=rows,
        seed=0,
        holdout_fraction=0.0,
        privacy=PrivacySetting.NONE,
    )
    return synthesize(table, spec)


def _sdv_in_memory(df: pd.DataFrame, rows: int) -> pd.DataFrame:
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metadata = Metadata.detect_from_dataframes({"table": df})
        synthesizer = GaussianCopulaSynthesizer(metadata)
        synthesizer.fit({"table": df})
        sampled: pd.DataFrame = synthesizer.sample(num_rows=rows)["table"]
    return sampled


def ours(data: bytes, rows: int) -> bytes:
    result = _ours_in_memory(read_table(data), rows)
    return csv_bytes(result.data, result.schema)


def bare_sdv(data: bytes, rows: int) -> bytes:
    sampled = _sdv_in_memory(pd.read_csv(io.BytesIO(data)), rows)
    return sampled.to_csv(index=False).encode("utf-8")


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def compare(label: str, a: Callable[[], object], b: Callable[[], object], repeats: int) -> float:
    a()  # warm-up: imports and first-call costs, for both paths
    b()
    a_times, b_times, ratios = [], [], []
    for _ in range(repeats):
        a_times.append(timed(a))
        b_times.append(timed(b))
        ratios.append(a_times[-1] / b_times[-1])
    ratio = statistics.median(ratios)
    print(
        f"{label:<42} ours {statistics.median(a_times):6.2f} s  bare SDV "
        f"{statistics.median(b_times):6.2f} s  ratio ours/SDV median {ratio:.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f})"
    )
    return ratio


def _compare_table(name: str, scale: int, repeats: int) -> tuple[float, float]:
    data = scaled_csv(name, scale)
    df = pd.read_csv(io.BytesIO(data))
    table = read_table(data)
    rows = len(df)
    label = f"{name} ({rows:,} rows)"
    end_to_end = compare(
        f"{label}, CSV to CSV", lambda: ours(data, rows), lambda: bare_sdv(data, rows), repeats
    )
    in_memory = compare(
        f"{label}, in memory",
        lambda: _ours_in_memory(table, rows),
        lambda: _sdv_in_memory(df, rows),
        repeats,
    )
    return end_to_end, in_memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", type=int, default=40, help="copies of each sample table")
    args = parser.parse_args()
    results = [
        _compare_table(name, args.scale, args.repeats)
        for name in ("insurance.csv", "seattle-weather.csv")
    ]
    generator = max(in_memory for _, in_memory in results)
    end_to_end = max(csv for csv, _ in results)
    verdict = "OK" if generator <= 1.10 else "OVER 10%"
    print(f"generator path overhead: {verdict} (worst median ratio {generator:.3f}, limit 1.10)")
    print(
        f"end to end incl. reading and writing CSV: worst median ratio {end_to_end:.3f} "
        "(our reader detects types, dates and messy layouts; pandas.read_csv does not)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
