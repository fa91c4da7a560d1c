"""Linked tables synthesized together: every link holds, keys are new and unique, children per
parent follow the real ones, and a child's columns follow its parent's."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core.data.database import find_relations, read_database
from synth_core.generate.linked import LinkedSpec, integrity, synthesize_linked
from synth_core.generate.spec import GenerationSpec


def _bank(seed: int = 0) -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(seed)
    districts = pd.DataFrame(
        {"district_id": range(1, 13), "region": [f"r{i % 4}" for i in range(12)]}
    )
    accounts = pd.DataFrame(
        {
            "account_id": rng.choice(np.arange(1000, 9999), 300, replace=False),
            "district_id": rng.integers(1, 13, 300),
            "balance": rng.gamma(2.0, 2000.0, 300).round(2),
        }
    )
    # rich accounts have more loans, a third have none; a loan's amount follows the balance
    loans_per = np.where(rng.random(300) < 0.35, 0, 1 + (accounts["balance"] > 4000).astype(int))
    owners = np.repeat(accounts["account_id"].to_numpy(), loans_per)
    balance = np.repeat(accounts["balance"].to_numpy(), loans_per)
    loans = pd.DataFrame(
        {
            "loan_id": np.arange(50_000, 50_000 + len(owners)),
            "account_id": owners,
            "amount": (balance * rng.uniform(0.8, 1.2, len(owners))).round(0),
        }
    )
    return [
        (f"{name}.csv", frame.to_csv(index=False).encode())
        for name, frame in (("districts", districts), ("accounts", accounts), ("loans", loans))
    ]


def test_every_link_holds_keys_are_new_and_children_follow_their_parents() -> None:
    database = read_database(_bank())
    links = find_relations(database)
    assert {(r.child, r.parent) for r in links.relations} == {
        ("accounts", "districts"),
        ("loans", "accounts"),
    }
    result = synthesize_linked(
        database=database, links=links, spec=LinkedSpec(GenerationSpec(seed=1), keep=())
    )
    assert integrity(result.tables, result.relations) == {
        "accounts.district_id → districts.district_id": 1.0,
        "loans.account_id → accounts.account_id": 1.0,
    }
    for name, frame in result.tables.items():
        real = database.tables[name].df
        assert list(frame.columns) == list(real.columns)
        key = links.keys[name]
        assert frame[key].is_unique
        assert not frame[key].isin(real[key]).any()  # no real key comes back
    real_accounts, accounts = database.tables["accounts"].df, result.tables["accounts"]
    real_loans, loans = database.tables["loans"].df, result.tables["loans"]
    assert len(result.tables["districts"]) == 12  # the top of the chain, at scale 1
    assert len(accounts) == len(real_accounts)  # each table as large as the real one
    assert len(loans) == len(real_loans)

    def without_loans(accts: pd.DataFrame, lns: pd.DataFrame) -> float:
        return float((~accts["account_id"].isin(lns["account_id"])).mean())

    assert without_loans(accounts, loans) == pytest.approx(
        without_loans(real_accounts, real_loans), abs=0.08
    )
    joined = loans.merge(accounts, on="account_id")
    assert joined["amount"].corr(joined["balance"]) > 0.6  # real: about 0.95


def test_the_set_scales_every_table_and_keeps_reference_tables_by_default() -> None:
    database = read_database(_bank(2))
    links = find_relations(database)
    real = {name: len(t.df) for name, t in database.tables.items()}
    result = synthesize_linked(
        database=database, links=links, spec=LinkedSpec(GenerationSpec(seed=0), scale=2.0)
    )
    assert result.kept == ("districts",)  # 12 districts that 300 accounts point at
    pd.testing.assert_frame_equal(result.tables["districts"], database.tables["districts"].df)
    assert any(
        "districts: kept as it is" in note and "--synthesize" in note for note in result.notes
    )
    assert len(result.tables["accounts"]) == 2 * real["accounts"]
    assert len(result.tables["loans"]) == 2 * real["loans"]
    synthesized = synthesize_linked(
        database=database,
        links=links,
        spec=LinkedSpec(GenerationSpec(seed=0), scale=2.0, keep=()),
    )
    assert len(synthesized.tables["districts"]) == 24
    for made in (result, synthesized):
        assert set(integrity(made.tables, made.relations).values()) == {1.0}


def test_cli_generate_with_several_files_writes_one_linked_file_per_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from synth_core.cli import main

    paths = []
    for name, data in _bank(3):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    out = tmp_path / "synthetic"
    assert main(["generate", *paths, "--out", str(out), "--seed", "4"]) == 0
    written = {p.name: pd.read_csv(p) for p in sorted(out.iterdir())}
    assert set(written) == {"accounts.csv", "districts.csv", "loans.csv"}
    assert written["loans.csv"]["account_id"].isin(written["accounts.csv"]["account_id"]).all()
    assert (
        written["accounts.csv"]["district_id"].isin(written["districts.csv"]["district_id"]).all()
    )
    assert main(["generate", *paths, "--out", str(tmp_path / "x.csv")]) == 2  # a folder, please


def test_cli_keeps_names_and_formats_and_evaluates_a_folder(tmp_path: Path) -> None:
    import gzip
    import json

    from synth_core.cli import main

    files = dict(_bank(5))
    (tmp_path / "districts.csv").write_bytes(files["districts.csv"])
    (tmp_path / "accounts.tsv").write_bytes(
        pd.read_csv(io.BytesIO(files["accounts.csv"])).to_csv(index=False, sep="\t").encode()
    )
    (tmp_path / "loans.csv.gz").write_bytes(gzip.compress(files["loans.csv"]))
    real = [str(tmp_path / n) for n in ("districts.csv", "accounts.tsv", "loans.csv.gz")]
    out = tmp_path / "synthetic"
    command = ["generate", *real, "--out", str(out), "--keep", "districts", "--seed", "2"]
    assert main(command) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "accounts.tsv",
        "districts.csv",
        "loans.csv.gz",
    ]
    districts = pd.read_csv(out / "districts.csv")
    pd.testing.assert_frame_equal(districts, pd.read_csv(io.BytesIO(files["districts.csv"])))
    accounts = pd.read_csv(out / "accounts.tsv", sep="\t")
    assert len(accounts) == 300  # the real size: held-out accounts count too
    loans = pd.read_csv(out / "loans.csv.gz")
    assert loans["account_id"].isin(accounts["account_id"]).all()
    report = tmp_path / "evaluation.json"
    assert main(["evaluate", *real, str(out), "--json", str(report)]) == 0
    payload = json.loads(report.read_text())
    assert {(r["child"], r["parent"]) for r in payload["relations"]} == {
        ("accounts", "districts"),
        ("loans", "accounts"),
    }
    assert all(r["integrity"] == 1.0 for r in payload["relations"])
    assert 0.5 < payload["quality"]["overall"] <= 1.0
    wrong = ["evaluate", *real, str(out / "accounts.tsv"), "--json", str(report)]
    assert main(wrong) == 2  # a folder, please


def test_orphans_are_dropped_or_kept_with_an_empty_key_and_missing_keys_stay_missing() -> None:
    from synth_core.generate.linked import Orphans

    rng = np.random.default_rng(7)
    accounts = pd.DataFrame(
        {"account_id": np.arange(100, 400), "balance": rng.gamma(2.0, 100.0, 300).round(1)}
    )
    owners = rng.choice(accounts["account_id"], 600).astype(float)
    owners[:60] = np.nan  # a tenth of the loans have no account
    owners[60:90] = 9_999  # and 5% point at an account that does not exist (orphans)
    loans = pd.DataFrame(
        {"loan_id": np.arange(600), "account_id": owners, "amount": rng.gamma(2.0, 50.0, 600)}
    )
    files = [
        ("accounts.csv", accounts.to_csv(index=False).encode()),
        ("loans.csv", loans.to_csv(index=False).encode()),
    ]
    database = read_database(files)
    links = find_relations(database)
    (relation,) = links.relations
    assert relation.orphans == 30
    for choice, empty in ((Orphans.DROP, 60 / 570), (Orphans.KEEP, 90 / 600)):
        spec = LinkedSpec(GenerationSpec(seed=3, holdout_fraction=0.0), orphans=choice)
        result = synthesize_linked(database=database, links=links, spec=spec)
        made = result.tables["loans"]
        assert set(integrity(result.tables, result.relations).values()) == {1.0}
        assert made["account_id"].isna().mean() == pytest.approx(empty, abs=0.03)
        written = made["account_id"].dropna().astype(str)
        assert written.str.fullmatch(r"\d+").all()  # whole keys beside empty ones, not '401.0'

        assert any("no parent" in note for note in result.notes)


def test_a_linked_recipe_round_trips_and_says_what_is_wrong(tmp_path: Path) -> None:
    from synth_core.cli import main
    from synth_core.generate.linked.recipe import read_linked_recipe
    from synth_core.generate.recipe import RecipeError

    paths = []
    for name, data in _bank(6):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    recipe = tmp_path / "recipe.json"
    first, second = tmp_path / "first", tmp_path / "second"
    command = ["generate", *paths, "--seed", "5", "--keep", "districts", "--out"]
    assert main([*command, str(first), "--save-recipe", str(recipe)]) == 0
    saved = read_linked_recipe(recipe.read_bytes())
    assert (saved.seed, saved.keep, saved.orphans) == (5, ("districts",), "drop")
    assert {(r["child"], r["parent"]) for r in saved.relations} == {
        ("accounts", "districts"),
        ("loans", "accounts"),
    }
    assert main(["generate", *paths, "--recipe", str(recipe), "--out", str(second)]) == 0
    for name in ("districts.csv", "accounts.csv", "loans.csv"):  # the same set again
        pd.testing.assert_frame_equal(pd.read_csv(first / name), pd.read_csv(second / name))
    with pytest.raises(RecipeError, match="'seed' must be a whole number"):
        read_linked_recipe(recipe.read_text().replace('"seed": 5', '"seed": "5"'))
    with pytest.raises(RecipeError, match="not for a set of linked tables"):
        read_linked_recipe('{"generator": "cart"}')
    with pytest.raises(RecipeError, match="does not know: 'keep_tables'"):
        read_linked_recipe(recipe.read_text().replace('"keep":', '"keep_tables":'))
    default = tmp_path / "default.json"  # no --keep: the reference tables, said as null
    assert (
        main(["generate", *paths, "--out", str(tmp_path / "third"), "--save-recipe", str(default)])
        == 0
    )
    assert read_linked_recipe(default.read_bytes()).keep is None
    fourth = tmp_path / "fourth"
    assert main(["generate", *paths, "--synthesize", "districts", "--out", str(fourth)]) == 0
    districts = pd.read_csv(fourth / "districts.csv")
    assert (
        not districts["district_id"].isin(pd.read_csv(first / "districts.csv")["district_id"]).any()
    )
