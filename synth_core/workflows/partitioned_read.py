"""Reading a CSV larger than one machine's memory on Dask: the file in byte blocks, one task per
block, and a seeded random sample of its rows for the model.

The first few megabytes are read with the studio's reader to learn the file's encoding,
delimiter, quote and header. The rest is cut into blocks of ``block_bytes`` at line ends (the
cuts depend on the file only, not on the workers). Each worker parses its blocks with the csv
module, counts their rows and gives every row a random key from a stream seeded by the main seed
and the block's number; the ``sample_rows`` rows with the smallest keys in the whole file (a
uniform sample without replacement) come back, in file order, and are read again by the studio's
reader, so column kinds, missing-value words and spellings are decided on that sample (the note
says its size). The same file, seed and sample size give the same sample whatever the number of
workers. A worker holds one block and the rows it keeps, never the file.

Not for files whose quoted values hold line breaks (a cut could fall inside one), gzip files or
UTF-16/32 text: those are read on one machine (the error says so).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from synth_core._progress import ProgressFn, no_progress
from synth_core.data.io.reader import ReadOptions, read_table
from synth_core.data.table import Table
from synth_core.workflows.scale import (
    ScaleError,
    _distributed,
    dask_client,
    partition_seed,
    peak_rss_mb,
    worker_name,
)

READ_SAMPLE_ROWS = 1_000_000  # what one machine reads, fits and checks in about half a minute
BLOCK_BYTES = 64 * 1024 * 1024
HEAD_BYTES = 4 * 1024 * 1024
_BATCH = 65_536  # rows given keys at a time
_MARGIN = 1.25  # candidates kept per block, over the expected share, before the exact cut


@dataclass(frozen=True)
class _Dialect:
    encoding: str
    delimiter: str
    quotechar: str
    width: int


@dataclass(frozen=True)
class BlockResult:
    index: int
    rows: int  # records in the block
    keys: np.ndarray  # the kept rows' random keys
    positions: np.ndarray  # the kept rows' positions in the block
    lines: list[str]  # the kept rows as CSV lines (one string each: cheap to send)
    peak_rss_mb: float
    worker: str


@dataclass(frozen=True)
class PartitionedRead:
    """The sampled table, and what reading the whole file measured."""

    table: Table
    rows_in_file: int
    blocks: int
    seconds: float
    peak_rss_mb: dict[str, float]  # per worker, its high-water mark while reading
    workers: int

    @property
    def sampled(self) -> bool:
        return len(self.table.df) < self.rows_in_file

    def note(self) -> str:
        if not self.sampled:
            return (
                f"Read all {self.rows_in_file:,} rows in {self.blocks} block(s) on "
                f"{self.workers} worker(s)."
            )
        return (
            f"Read {self.rows_in_file:,} rows in {self.blocks} blocks on {self.workers} "
            f"worker(s); the column kinds, missing-value words, rules and the model come from a "
            f"seeded random sample of {len(self.table.df):,} rows (--read-sample)."
        )


def _head(path: Path, options: ReadOptions) -> tuple[Table, int]:
    """The file's first megabytes read by the studio's reader, and the byte offset where its
    data rows start (after skipped lines and the header)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
            whole = len(head) < HEAD_BYTES or not handle.read(1)
    except OSError as exc:
        raise ScaleError(f"Cannot read {path}: {exc.strerror}. Check the path.") from None
    if head[:2] == b"\x1f\x8b":
        raise ScaleError(
            f"{path.name} is gzip-compressed: blocks cannot be cut in it. Decompress it first, "
            "or read it on one machine (without --engine dask)."
        )
    if not whole:
        head = head[: head.rfind(b"\n") + 1]
    table = read_table(head, options, name=path.name)
    report = table.report
    if report.encoding.replace("_", "-").lower().startswith(("utf-16", "utf-32")):
        raise ScaleError(
            f"{path.name} is {report.encoding.upper()} text: blocks cannot be cut at line ends "
            "in it. Save it as UTF-8, or read it on one machine (without --engine dask)."
        )
    spanning = [
        c for c in table.df.columns if table.df[c].astype(str).str.contains("\n", regex=False).any()
    ]
    if spanning:
        raise ScaleError(
            f"Values of {', '.join(repr(c) for c in spanning[:3])} hold line breaks: a block "
            "could be cut inside one. Read this file on one machine (without --engine dask)."
        )
    lines = report.skipped_lines + (1 if report.has_header else 0)
    start = 0
    for _ in range(lines):
        start = head.index(b"\n", start) + 1
    return table, start


def _bounds(path: Path, start: int, block_bytes: int) -> list[tuple[int, int]]:
    """Blocks from ``start`` to the end of the file, each cut after a line end."""
    size = path.stat().st_size
    cuts = [start]
    with path.open("rb") as handle:
        nominal = start + block_bytes
        while nominal < size:
            handle.seek(nominal)
            rest = handle.readline()
            cut = nominal + len(rest)
            if cut >= size:
                break
            cuts.append(cut)
            nominal = cut + block_bytes
    cuts.append(size)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


class _Lines:
    """A file-like target for csv.writer that keeps each written line as one string."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def write(self, text: str) -> int:
        self.lines.append(text)
        return len(text)


def _read_block(
    path: str,
    index: int,
    start: int,
    end: int,
    dialect: _Dialect,
    seed: int,
    threshold: float,
) -> BlockResult:
    """Rows of one block whose random key is below ``threshold``, with their keys."""
    with open(path, "rb") as handle:
        handle.seek(start)
        raw = handle.read(end - start)
    text = codecs.decode(raw, dialect.encoding.replace("utf-8-sig", "utf-8"), errors="replace")
    del raw
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        doublequote=True,
        skipinitialspace=False,
        strict=False,
    )
    rng = np.random.default_rng(partition_seed(seed, index))
    keys: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    kept: list[str] = []
    line = csv.writer(_Lines(kept), delimiter=dialect.delimiter, lineterminator="\n")
    rows = 0
    batch: list[list[str]] = []

    def flush() -> None:
        drawn = rng.random(len(batch))
        chosen = np.flatnonzero(drawn < threshold)
        keys.append(drawn[chosen])
        positions.append(chosen + rows)
        for i in chosen:
            line.writerow(batch[i])

    for record in reader:
        if not record or not "".join(record).strip():
            continue  # blank lines, as the reader skips them
        batch.append(record)
        if len(batch) == _BATCH:
            flush()
            rows += len(batch)
            batch = []
    if batch:
        flush()
        rows += len(batch)
    return BlockResult(
        index,
        rows,
        np.concatenate(keys) if keys else np.empty(0),
        np.concatenate(positions) if positions else np.empty(0, dtype=np.int64),
        kept,
        peak_rss_mb(),
        worker_name(),
    )


def read_partitioned(
    path: str | Path,
    options: ReadOptions | None = None,
    sample_rows: int = READ_SAMPLE_ROWS,
    seed: int = 0,
    block_bytes: int = BLOCK_BYTES,
    scheduler: str | None = None,
    workers: int = 2,
    client: Any = None,
    progress: ProgressFn = no_progress,
) -> PartitionedRead:
    """Every row of the CSV at ``path`` read in blocks on Dask workers; a seeded random sample
    of ``sample_rows`` of them (all, if the file holds fewer) read as a Table."""
    distributed = _distributed()
    if sample_rows < 1:
        raise ScaleError("The sample to read needs at least one row (--read-sample).")
    source = Path(path)
    options = options or ReadOptions()
    started = time.perf_counter()
    progress(0.0, "Reading the first megabytes (encoding, delimiter, header)")
    head, start = _head(source, options)
    report = head.report
    dialect = _Dialect(report.encoding, report.delimiter, report.quotechar, len(head.df.columns))
    bounds = _bounds(source, start, block_bytes)
    head_rows = max(len(head.df), 1)
    head_bytes = max(min(source.stat().st_size, HEAD_BYTES) - start, 1)
    expected = max((source.stat().st_size - start) * head_rows / head_bytes, 1.0)
    threshold = min(1.0, _MARGIN * sample_rows / expected + 6 * np.sqrt(sample_rows) / expected)
    peaks: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(scheduler, workers))
        blocks: list[BlockResult] = []
        while True:
            futures = [
                client.submit(
                    _read_block,
                    str(source.resolve()),
                    index,
                    a,
                    b,
                    dialect,
                    seed,
                    threshold,
                    pure=False,
                )
                for index, (a, b) in enumerate(bounds)
            ]
            blocks = []
            for future in distributed.as_completed(futures):
                block = future.result()
                blocks.append(block)
                peaks[block.worker] = max(peaks.get(block.worker, 0.0), block.peak_rss_mb)
                progress(
                    0.9 * len(blocks) / len(bounds),
                    f"Read {len(blocks)} of {len(bounds)} blocks "
                    f"({sum(b.rows for b in blocks):,} rows so far)",
                )
            total = sum(b.rows for b in blocks)
            candidates = sum(len(b.keys) for b in blocks)
            if candidates >= min(sample_rows, total) or threshold >= 1.0:
                break
            # The file held more rows than its head suggested: the same keys again, more kept.
            threshold = min(1.0, 2 * _MARGIN * sample_rows / max(total, 1))
        worker_count = len(client.scheduler_info().get("workers", {}))
    if total == 0:
        raise ScaleError(f"{source.name} holds no data rows.")
    blocks.sort(key=lambda b: b.index)
    keys = np.concatenate([b.keys for b in blocks]) if blocks else np.empty(0)
    order = np.argsort(keys, kind="stable")[:sample_rows]
    where = np.concatenate(
        [np.column_stack([np.full(len(b.keys), b.index), b.positions]) for b in blocks]
    )
    chosen = order[np.lexsort((where[order, 1], where[order, 0]))]
    lines = [line for b in blocks for line in b.lines]
    progress(0.92, f"Reading the {len(chosen):,} sampled rows with the studio's reader")
    out = io.StringIO()
    csv.writer(out, delimiter=dialect.delimiter, lineterminator="\n").writerow(head.df.columns)
    out.writelines(lines[i] for i in chosen)
    del lines, blocks
    sampled = out.getvalue().encode("utf-8")
    table = read_table(
        sampled,
        ReadOptions(
            encoding="utf-8",
            delimiter=dialect.delimiter,
            header=True,
            skip_lines=0,
            na_tokens=options.na_tokens,
            keep_tokens=options.keep_tokens,
            missing_tokens=options.missing_tokens,
            max_bytes=max(options.max_bytes, len(sampled)),
            max_rows=max(options.max_rows, sample_rows),
            max_columns=options.max_columns,
        ),
        name=source.name,
    )
    # What the file itself is (its size, rows, encoding and line ends), not the sample's text.
    table = replace(
        table,
        report=replace(
            table.report,
            size_bytes=source.stat().st_size,
            encoding=report.encoding,
            line_ending=report.line_ending,
            skipped_lines=report.skipped_lines,
            has_header=report.has_header,
            rows_in_file=total,
            rows_read=len(table.df) if len(table.df) < total else None,
        ),
    )
    progress(1.0, "Read")
    return PartitionedRead(
        table=table,
        rows_in_file=total,
        blocks=len(bounds),
        seconds=time.perf_counter() - started,
        peak_rss_mb=peaks,
        workers=worker_count,
    )
