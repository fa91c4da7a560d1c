"""Reading a CSV in byte blocks on Dask workers (issue 34, point 4): blocks cut at line ends
cover every row once, a sample as large as the file gives what the one-machine reader gives, a
smaller sample is the same for 1 and 2 workers and decides the same column kinds and
missing-value words as the whole file for every seed."""

from __future__ import annotations

import csv
import gzip
import itertools
from pathlib import Path

import pandas as pd
import pytest

from synth_core import read_table
from synth_core.data.io.reader import ReadOptions
from synth_core.workflows.partitioned_read import (
    _bounds,
    _Dialect,
    _read_block,
    read_partitioned,
)
from synth_core.workflows.scale import ScaleError, dask_client
from tests.real_like import census_frame

pytest.importorskip("distributed", reason="Dask is an optional extra (make test installs it)")

BLOCK = 16 * 1024  # about 150 rows per block: many blocks from a small file


@pytest.fixture(scope="module")
def census_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = census_frame(4_000, seed=3)
    frame.loc[5, "occupation"] = "Sales, retail"  # a quoted delimiter
    frame.loc[7, "native_country"] = "  "  # a cell of spaces
    path = tmp_path_factory.mktemp("read") / "census.csv"
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode())
    return path


def _rows(path: Path) -> list[list[str]]:
    table = read_table(path.read_bytes())
    start = path.read_bytes().index(b"\n") + 1
    dialect = _Dialect("utf-8", ",", '"', len(table.df.columns))
    lines: list[str] = []
    for index, (a, b) in enumerate(_bounds(path, start, BLOCK)):
        lines += _read_block(str(path), index, a, b, dialect, 0, 1.0).lines
    return list(csv.reader(lines))


def test_blocks_cover_every_row_once(census_file: Path) -> None:
    start = census_file.read_bytes().index(b"\n") + 1
    bounds = _bounds(census_file, start, BLOCK)
    assert len(bounds) > 10
    assert bounds[0][0] == start
    assert bounds[-1][1] == census_file.stat().st_size
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    data = census_file.read_bytes()
    assert all(data[a - 1 : a] == b"\n" for a, _ in bounds)  # every cut after a line end
    records = _rows(census_file)
    assert len(records) == 4_000
    assert records[5][6] == "Sales, retail"
    assert records[7][13] == "  "


def test_keys_depend_on_the_block_not_the_run(census_file: Path) -> None:
    dialect = _Dialect("utf-8", ",", '"', 15)
    start = census_file.read_bytes().index(b"\n") + 1
    a, b = _bounds(census_file, start, BLOCK)[2]
    first = _read_block(str(census_file), 2, a, b, dialect, 9, 0.3)
    again = _read_block(str(census_file), 2, a, b, dialect, 9, 0.3)
    other = _read_block(str(census_file), 2, a, b, dialect, 10, 0.3)
    assert first.keys.tolist() == again.keys.tolist()
    assert first.lines == again.lines
    assert first.keys.tolist() != other.keys.tolist()
    assert (first.keys < 0.3).all()
    assert 0 < len(first.keys) < first.rows


@pytest.mark.slow
def test_sampled_reads_on_one_and_two_workers(census_file: Path) -> None:
    whole = read_table(census_file.read_bytes())
    with dask_client(workers=2) as client:
        everything = read_partitioned(census_file, block_bytes=BLOCK, client=client)
        two = read_partitioned(
            census_file, sample_rows=1_000, seed=5, block_bytes=BLOCK, client=client
        )
        seeds = [
            read_partitioned(
                census_file, sample_rows=1_000, seed=s, block_bytes=BLOCK, client=client
            )
            for s in (0, 1, 2)
        ]
    with dask_client(workers=1) as client:
        one = read_partitioned(
            census_file, sample_rows=1_000, seed=5, block_bytes=BLOCK, client=client
        )
    # A sample as large as the file: what the one-machine reader reads.
    assert not everything.sampled
    assert everything.rows_in_file == 4_000
    pd.testing.assert_frame_equal(everything.table.df, whole.df)
    assert everything.table.schema == whole.schema
    assert everything.table.report.line_ending == whole.report.line_ending
    assert everything.blocks > 10
    assert everything.workers == 2
    # A sample: the same rows whatever the workers, in file order, 1,000 of them.
    assert one.workers == 1
    assert two.sampled
    assert "1,000 rows" in two.note()
    pd.testing.assert_frame_equal(one.table.df, two.table.df)
    assert len(two.table.df) == 1_000
    assert two.rows_in_file == 4_000
    merged = whole.df.reset_index().merge(two.table.df, how="inner")
    assert merged["index"].is_monotonic_increasing
    # Decisions on a sample: the same kinds, numbers' forms and '?' as missing, every seed.
    for found in seeds:
        assert [c.kind for c in found.table.schema] == [c.kind for c in whole.schema]
        assert [c.integer for c in found.table.schema] == [c.integer for c in whole.schema]
        assert "?" in found.table.report.na_tokens  # (the one cell of spaces is in no sample)
        for name in ("workclass", "occupation", "native_country"):
            assert found.table.schema[name].missing_spellings[0][0] == "?"
    assert len({tuple(f.table.df["fnlwgt"].head(20)) for f in seeds}) == 3


@pytest.mark.slow
def test_files_that_cannot_be_cut_are_refused(tmp_path: Path) -> None:
    zipped = tmp_path / "t.csv.gz"
    zipped.write_bytes(gzip.compress(b"a,b\n1,2\n3,4\n"))
    spanning = tmp_path / "s.csv"
    spanning.write_bytes(b'a,b\n1,"two\nlines"\n3,4\n' * 10)
    with dask_client(workers=1) as client:
        with pytest.raises(ScaleError, match="gzip"):
            read_partitioned(zipped, client=client)
        with pytest.raises(ScaleError, match="line breaks"):
            read_partitioned(spanning, client=client)
        with pytest.raises(ScaleError, match="at least one row"):
            read_partitioned(spanning, ReadOptions(), sample_rows=0, client=client)
