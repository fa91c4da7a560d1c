"""Partitioned generation on a 2-worker Dask LocalCluster: the same rows for 1 and 2 workers;
evaluation of the Parquet dataset with Dask matches pandas on the same rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core import read_table
from synth_core.cli import main
from synth_core.data.table import Table
from synth_core.generate.spec import GenerationSpec
from synth_core.generate.synthesize import fit, sample_to_file
from synth_core.workflows.scale import (
    ScaleError,
    dask_client,
    evaluate_large,
    generate_partitioned,
    partition_seed,
    partition_sizes,
    read_dataset,
)
from tests.helpers import SAMPLES

pytest.importorskip("distributed", reason="Dask is an optional extra (make test installs it)")


@pytest.fixture(scope="module")
def insurance() -> Table:
    return read_table((SAMPLES / "insurance.csv").read_bytes())


def test_partition_plan_and_seeds() -> None:
    assert partition_sizes(25, 10) == [10, 10, 5]
    assert partition_sizes(20, 10) == [10, 10]
    assert partition_seed(7, 0) != partition_seed(7, 1)
    assert partition_seed(7, 3) == partition_seed(7, 3)
    with pytest.raises(ScaleError):
        partition_sizes(0)


@pytest.mark.slow
def test_one_and_two_workers_write_the_same_rows(insurance: Table, tmp_path: Path) -> None:
    model = fit(insurance, GenerationSpec(seed=4, generator="cart"))
    results = {}
    with dask_client(workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        two = generate_partitioned(
            model, 23_000, tmp_path / "two", partition_rows=5_000, client=client
        )
    assert two.workers == 2
    assert len({p.worker for p in two.partitions}) == 2  # both workers sampled
    with dask_client(workers=1) as client:
        one = generate_partitioned(
            model, 23_000, tmp_path / "one", partition_rows=5_000, client=client
        )
    assert one.workers == 1
    for name, result in (("one", one), ("two", two)):
        assert [p.rows for p in result.partitions] == [5_000] * 4 + [3_000]
        results[name] = read_dataset(tmp_path / name)
    pd.testing.assert_frame_equal(results["one"], results["two"])
    assert len(results["one"]) == 23_000
    # Each partition is what sample_to_file writes with the partition's seed.
    single = tmp_path / "single.parquet"
    sample_to_file(model, 3_000, single, seed=partition_seed(4, 4))
    pd.testing.assert_frame_equal(
        pd.read_parquet(single), pd.read_parquet(tmp_path / "two" / "part-00004.parquet")
    )
    assert all(p.peak_rss_mb > 0 for p in two.partitions)
    with pytest.raises(ScaleError, match="already holds partitions"):
        generate_partitioned(model, 10, tmp_path / "two")


@pytest.mark.slow
def test_large_evaluation_matches_pandas(insurance: Table, tmp_path: Path) -> None:
    model = fit(insurance, GenerationSpec(seed=1))
    with dask_client(workers=2) as client:
        generate_partitioned(model, 12_000, tmp_path / "data", partition_rows=3_000, client=client)
        found = evaluate_large(model.train, tmp_path / "data", insurance.schema, sample_rows=2_000)
    data = read_dataset(tmp_path / "data")
    assert found.rows == 12_000
    assert found.partitions == 4
    assert found.sample_rows == pytest.approx(2_000, rel=0.1)
    by_name = {c.column: c for c in found.columns}
    charges = by_name["charges"]
    assert charges.synthetic["mean"] == pytest.approx(data["charges"].mean())
    assert charges.synthetic["std"] == pytest.approx(data["charges"].std(ddof=0))
    edges = np.array(charges.edges)
    expected = np.histogram(np.clip(data["charges"], edges[0], edges[-1]), edges)[0]
    assert list(charges.synthetic_counts) == expected.tolist()
    assert sum(charges.real_counts) == len(model.train)
    region = by_name["region"].categories
    assert region is not None
    assert region["southeast"][1] == int((data["region"] == "southeast").sum())
    pairs = data[["age", "bmi", "children", "charges"]].astype(float).corr()
    assert found.synthetic_correlation["age"]["charges"] == pytest.approx(
        pairs.loc["age", "charges"]
    )
    payload = found.to_dict()
    json.dumps(payload, allow_nan=False)
    assert payload["fidelity"]["overall"] is not None


@pytest.mark.slow
def test_cli_dask_generate_and_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "synthetic"
    args = ["generate", str(SAMPLES / "penguins.csv"), "--rows", "9000", "--seed", "3"]
    assert (
        main(
            [
                *args,
                "--engine",
                "dask",
                "--workers",
                "2",
                "--partition-rows",
                "4000",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
    ]
    err = capsys.readouterr().err
    assert "Read all 344 rows in 1 block(s) on 2 worker(s)" in err  # the input, on the workers
    assert "Peak memory per worker while reading" in err
    sampled = tmp_path / "sampled"
    assert main([*args, "--engine", "dask", "--read-sample", "200", "--out", str(sampled)]) == 0
    assert "a seeded random sample of 200 rows" in capsys.readouterr().err
    report = tmp_path / "large.json"
    code = main(
        [
            "evaluate",
            str(SAMPLES / "penguins.csv"),
            str(out),
            "--engine",
            "dask",
            "--json",
            str(report),
        ]
    )
    assert code == 0
    content = json.loads(report.read_text())
    assert content["large"]["rows"] == 9000
    assert "species" in content["large"]["columns"]
    assert main([*args, "--engine", "dask", "--out", str(tmp_path / "x.csv")]) == 2
    assert main([*args, "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "y.csv")]) == 2
