"""Beyond one process: partitioned generation and evaluation on Dask (an optional extra).

Generation fits once, ships the fitted model to the Dask workers and samples fixed-size
partitions in parallel, each with its own seed derived from the main seed and the partition's
number (NumPy's SeedSequence), so the same seed and row count give the same rows whatever the
number of workers. Each partition is written by its worker, chunk by chunk, to
``OUT/part-NNNNN.parquet`` (memory stays flat per worker). The fitted model travels to the
workers: it encodes the training data (a CART model holds real values in its leaves, and the
model keeps the training rows its filters and fake personal data need), so point generation
only at a cluster you would trust with the real data. OUT must be a path every worker can write
to (on this machine, any folder).

Evaluation of a Parquet dataset larger than memory: per-column statistics, histograms on bins
fixed by the real data and numeric correlations are computed with Dask over every row; the
fidelity score and detection run on a stated random sample.
"""

from __future__ import annotations

import contextlib
import math
import resource
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.convert import as_float, bin_edges
from synth_core.data.schema import ColumnKind, Schema
from synth_core.errors import SynthCoreError
from synth_core.generate.synthesize import FittedModel, sample_to_file
from synth_core.jsonable import plain

PARTITION_ROWS = 250_000
SAMPLE_ROWS = 50_000  # rows of a large synthetic dataset for the fidelity score and detection
HISTOGRAM_BINS = 30


class ScaleError(SynthCoreError):
    """Dask is missing, the cluster cannot be reached, or the output cannot be written."""


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ScaleError(
            "Partitioned generation needs Dask: pip install 'synth-studio[scale]' (make test "
            "installs it)."
        ) from None
    return distributed


def peak_rss_mb() -> float:
    """This process's highest resident memory so far, in MB: the kernel's high-water mark of
    its own address space (VmHWM). Not ru_maxrss: a worker started by fork and exec inherits
    its parent's peak in that counter (a driver holding a million rows made every worker seem
    to hold 2.4 GB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def worker_name() -> str:
    """The address of the Dask worker running this task ("local" outside a worker)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "local"


def partition_sizes(rows: int, partition_rows: int = PARTITION_ROWS) -> list[int]:
    """Rows per partition: full partitions, then the rest."""
    if rows < 1:
        raise ScaleError("Ask for at least one row.")
    if partition_rows < 1:
        raise ScaleError("Partitions need at least one row each.")
    full, rest = divmod(rows, partition_rows)
    return [partition_rows] * full + ([rest] if rest else [])


def partition_seed(seed: int, index: int) -> int:
    """The seed of partition ``index``: independent streams from one main seed."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


@dataclass(frozen=True)
class PartitionResult:
    index: int
    rows: int
    path: str
    seconds: float
    peak_rss_mb: float  # of the worker process so far (its high-water mark, VmHWM)
    worker: str


def _write_partition(
    model: FittedModel, index: int, rows: int, seed: int, out: str
) -> PartitionResult:
    started = time.perf_counter()
    path = Path(out) / f"part-{index:05d}.parquet"
    written = sample_to_file(model, rows, path, seed=partition_seed(seed, index))
    return PartitionResult(
        index, written.rows, str(path), time.perf_counter() - started, peak_rss_mb(), worker_name()
    )


@dataclass(frozen=True)
class PartitionedResult:
    out: str
    rows: int
    partitions: tuple[PartitionResult, ...]
    workers: int
    seconds: float
    scheduler: str

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("nan")

    def peak_rss_mb(self) -> dict[str, float]:
        """The highest resident memory each worker reached, in MB."""
        out: dict[str, float] = {}
        for p in self.partitions:
            out[p.worker] = max(out.get(p.worker, 0.0), p.peak_rss_mb)
        return out

    def to_dict(self) -> dict[str, Any]:
        payload: dict[str, Any] = plain(
            {
                "out": self.out,
                "rows": self.rows,
                "workers": self.workers,
                "seconds": self.seconds,
                "rows_per_second": self.rows_per_second,
                "scheduler": self.scheduler,
                "peak_rss_mb": self.peak_rss_mb(),
                "partitions": [asdict(p) for p in self.partitions],
            }
        )
        return payload


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a new LocalCluster on this machine
    (``workers`` processes of one thread each, no dashboard), closed afterwards."""
    distributed = _distributed()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ScaleError(
                f"Cannot reach the Dask scheduler at {scheduler}: {exc}. Check the address "
                "(e.g. tcp://10.0.0.5:8786) and that the scheduler is running."
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    if workers < 1:
        raise ScaleError("Use at least one worker.")
    cluster = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def generate_partitioned(
    model: FittedModel,
    rows: int,
    out: str | Path,
    seed: int | None = None,
    partition_rows: int = PARTITION_ROWS,
    scheduler: str | None = None,
    workers: int = 2,
    progress: ProgressFn = no_progress,
    client: Any = None,
) -> PartitionedResult:
    """``rows`` rows from ``model`` as a Parquet dataset in ``out`` (one file per partition),
    sampled on Dask workers. The same model, seed, rows and partition size give the same files
    whatever the number of workers."""
    distributed = _distributed()
    seed = model.spec.seed if seed is None else seed
    sizes = partition_sizes(rows, partition_rows)
    folder = Path(out)
    if folder.exists() and any(folder.glob("part-*.parquet")):
        raise ScaleError(f"{folder} already holds partitions; choose an empty or new folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScaleError(f"Cannot create {folder}: {exc.strerror}.") from None
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(scheduler, workers))
        shipped = client.scatter(model, broadcast=True)
        futures = [
            client.submit(
                _write_partition, shipped, index, size, seed, str(folder.resolve()), pure=False
            )
            for index, size in enumerate(sizes)
        ]
        done: list[PartitionResult] = []
        for future in distributed.as_completed(futures):
            done.append(future.result())
            written = sum(p.rows for p in done)
            progress(
                written / rows,
                f"{len(done)} of {len(sizes)} partitions ({written:,} of {rows:,} rows)",
            )
        worker_count = len(client.scheduler_info().get("workers", {}))
        address = str(client.scheduler.address)
    return PartitionedResult(
        out=str(folder),
        rows=sum(p.rows for p in done),
        partitions=tuple(sorted(done, key=lambda p: p.index)),
        workers=worker_count,
        seconds=time.perf_counter() - started,
        scheduler=scheduler or f"LocalCluster ({address})",
    )


# -- evaluation of a large Parquet dataset ---------------------------------------------------


@dataclass(frozen=True)
class LargeColumn:
    column: str
    kind: str
    real: dict[str, float | None]  # count, missing_share, mean, std
    synthetic: dict[str, float | None]
    edges: tuple[float, ...] = ()  # numbers: bins fixed by the real rows
    real_counts: tuple[int, ...] = ()
    synthetic_counts: tuple[int, ...] = ()
    categories: dict[str, tuple[int, int]] | None = None  # label -> (real, synthetic) counts


@dataclass(frozen=True)
class LargeEvaluation:
    rows: int
    partitions: int
    columns: tuple[LargeColumn, ...]
    real_correlation: dict[str, dict[str, float | None]]
    synthetic_correlation: dict[str, dict[str, float | None]]
    sample_rows: int
    sample_fidelity: dict[str, Any]  # the fidelity keys, on the stated sample

    def to_dict(self) -> dict[str, Any]:
        payload: dict[str, Any] = plain(
            {
                "large": {
                    "rows": self.rows,
                    "partitions": self.partitions,
                    "columns": {c.column: asdict(c) for c in self.columns},
                    "correlation": {
                        "real": self.real_correlation,
                        "synthetic": self.synthetic_correlation,
                    },
                    "sample_rows": self.sample_rows,
                },
                **self.sample_fidelity,
            }
        )
        return payload


def _stats(count: int, missing: int, mean: float, std: float) -> dict[str, float | None]:
    total = count + missing
    return {
        "count": count,
        "missing_share": missing / total if total else None,
        "mean": mean if math.isfinite(mean) else None,
        "std": std if math.isfinite(std) else None,
    }


def _matrix(frame: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    return {
        str(a): {str(b): (None if pd.isna(v) else float(v)) for b, v in row.items()}
        for a, row in frame.iterrows()
    }


def evaluate_large(
    real: pd.DataFrame,
    synthetic_path: str | Path,
    schema: Schema,
    sample_rows: int = SAMPLE_ROWS,
    seed: int = 0,
    detection: bool = True,
    progress: ProgressFn = no_progress,
) -> LargeEvaluation:
    """Statistics, histograms and correlations of every synthetic row with Dask (partition by
    partition, never all in memory); the fidelity score and detection on ``sample_rows``."""
    _distributed()
    import dask.dataframe as dd

    from synth_core.evaluate.fidelity import evaluate_fidelity

    path = Path(synthetic_path)
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files or not all(f.exists() for f in files):
        raise ScaleError(f"No Parquet files at {path}.")
    ddf = dd.read_parquet([str(f) for f in files])
    names = [c.name for c in schema if c.name in ddf.columns and c.name in real.columns]
    if not names:
        raise ScaleError("The synthetic dataset shares no column with the real table.")
    progress(0.05, "Counting rows")
    total = int(ddf.map_partitions(len).compute().sum())
    columns: list[LargeColumn] = []
    numeric: list[str] = []
    for position, name in enumerate(names):
        progress(0.1 + 0.6 * position / len(names), f"Summarising '{name}'")
        kind = schema[name].kind
        if kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            r = as_float(real[name])
            present = r[~np.isnan(r)]
            if present.size == 0:
                continue
            edges = bin_edges(present, HISTOGRAM_BINS)
            numeric.append(name)

            def partition_summary(frame: pd.DataFrame, name: str = name, edges: Any = edges) -> Any:
                values = as_float(frame[name])
                values = values[~np.isnan(values)]
                counts = np.histogram(np.clip(values, edges[0], edges[-1]), edges)[0]
                return pd.DataFrame(
                    [
                        [
                            len(frame) - values.size,
                            values.size,
                            values.sum(),
                            (values**2).sum(),
                            *counts,
                        ]
                    ]
                )

            parts = ddf.map_partitions(partition_summary, meta=partition_summary(ddf._meta))
            sums = parts.compute().sum(axis=0).to_numpy(dtype=float)
            missing, count, s1, s2 = sums[:4]
            mean = s1 / count if count else float("nan")
            var = s2 / count - mean**2 if count else float("nan")
            columns.append(
                LargeColumn(
                    name,
                    kind.value,
                    _stats(
                        int(present.size),
                        int(np.isnan(r).sum()),
                        float(present.mean()),
                        float(present.std()),
                    ),
                    _stats(int(count), int(missing), float(mean), float(math.sqrt(max(var, 0.0)))),
                    tuple(float(e) for e in edges),
                    tuple(int(c) for c in np.histogram(present, edges)[0]),
                    tuple(int(c) for c in sums[4:]),
                )
            )
        elif kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            synthetic_counts = ddf[name].astype(str).value_counts().compute()
            real_counts = real[name].dropna().astype(str).value_counts()
            labels = list(real_counts.index) + [
                v for v in synthetic_counts.index if v not in real_counts.index
            ]
            columns.append(
                LargeColumn(
                    name,
                    kind.value,
                    _stats(
                        int(real_counts.sum()), int(real[name].isna().sum()), math.nan, math.nan
                    ),
                    _stats(int(synthetic_counts.sum()), 0, math.nan, math.nan),
                    categories={
                        str(v): (int(real_counts.get(v, 0)), int(synthetic_counts.get(v, 0)))
                        for v in labels
                    },
                )
            )
    progress(0.75, "Correlations")
    real_corr = synthetic_corr = pd.DataFrame()
    if len(numeric) >= 2:
        real_corr = real[numeric].apply(lambda c: pd.Series(as_float(c))).corr()
        floats = ddf[numeric].map_partitions(
            lambda f: f.apply(lambda c: pd.Series(as_float(c), index=f.index)),
            meta=dict.fromkeys(numeric, "f8"),
        )
        synthetic_corr = floats.corr().compute()
    progress(0.85, f"Fidelity score and detection on {min(sample_rows, total):,} sampled rows")
    fraction = min(1.0, sample_rows / max(total, 1))
    drawn = (
        ddf.sample(frac=fraction, random_state=seed).compute() if fraction < 1 else ddf.compute()
    )
    drawn = drawn.reset_index(drop=True)
    fidelity = evaluate_fidelity(real, drawn, schema, detection=detection, seed=seed).to_dict()
    progress(1.0, "Done")
    return LargeEvaluation(
        rows=total,
        partitions=ddf.npartitions,
        columns=tuple(columns),
        real_correlation=_matrix(real_corr),
        synthetic_correlation=_matrix(synthetic_corr),
        sample_rows=len(drawn),
        sample_fidelity=fidelity,
    )


def read_dataset(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A small partitioned dataset in memory, partitions in order (for tests and previews)."""
    files = sorted(Path(path).glob("part-*.parquet"))
    if not files:
        raise ScaleError(f"No partitions in {path}.")
    return pd.concat(
        [pd.read_parquet(f, columns=list(columns) if columns else None) for f in files],
        ignore_index=True,
    )
