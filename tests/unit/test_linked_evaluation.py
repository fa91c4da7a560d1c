"""A linked set's evaluation: SDMetrics' multi-table quality reproduced, children per parent and
sequences by hand, privacy per entity with whole entities held out, rules across links kept in
every row, and the zip a user downloads."""

from __future__ import annotations

import gzip
import io
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest

from synth_core.data.database import Database, Links, Relation, find_relations, read_database
from synth_core.data.sdv_metadata import to_sdv_metadata
from synth_core.evaluate.fidelity.prepare import Binning
from synth_core.evaluate.linked import children_per_parent, evaluate_linked, sequences
from synth_core.generate.linked import (
    LinkedResult,
    LinkedSpec,
    Orphans,
    integrity,
    split_by_entity,
    synthesize_linked,
)
from synth_core.generate.spec import GenerationSpec
from synth_core.workflows.linked import synthesize_linked_measured
from tests.helpers import ROOT
from tests.real_like import bank_tables

BASEBALL = ROOT / "tests" / "fixtures" / "baseball"


def _bank(accounts: int = 400, seed: int = 0) -> tuple[Database, Links]:
    files = [
        (f"{n}.csv", f.to_csv(index=False).encode()) for n, f in bank_tables(accounts, seed).items()
    ]
    database = read_database(files)
    return database, find_relations(database)


@pytest.fixture(scope="module")
def baseball() -> tuple[Database, Links, LinkedResult]:
    database = read_database((p.name, p.read_bytes()) for p in sorted(BASEBALL.glob("*.csv")))
    links = find_relations(database)
    spec = LinkedSpec(GenerationSpec(seed=0))
    return database, links, synthesize_linked(database=database, links=links, spec=spec)


@pytest.fixture(scope="module")
def bank() -> tuple[Database, Links, LinkedResult]:
    database, links = _bank()
    spec = LinkedSpec(GenerationSpec(seed=1))
    return database, links, synthesize_linked(database=database, links=links, spec=spec)


@pytest.mark.parametrize("which", ["baseball", "bank"])
def test_multi_table_quality_equals_sdmetrics_report(
    which: str, request: pytest.FixtureRequest
) -> None:
    from sdmetrics.reports import QualityReport

    database, links, result = request.getfixturevalue(which)
    ours = evaluate_linked(
        database=database,
        links=links,
        result=result,
        binning=Binning.SDMETRICS,
        detection_auc=False,
    )
    real = {name: table.df for name, table in database.tables.items()}  # every real row
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real, dict(result.tables), to_sdv_metadata(database, links), verbose=False)
    theirs = report.get_properties().set_index("Property")["Score"]
    assert ours.column_shapes == pytest.approx(theirs["Column Shapes"], abs=1e-9)
    assert ours.pair_trends == pytest.approx(theirs["Column Pair Trends"], abs=1e-9)
    assert ours.cardinality == pytest.approx(theirs["Cardinality"], abs=1e-9)
    assert ours.intertable == pytest.approx(theirs["Intertable Trends"], abs=1e-9)
    assert ours.overall == pytest.approx(report.get_score(), abs=1e-9)


def test_children_per_parent_and_sequences_by_hand() -> None:
    parents = pd.Series(["a", "b", "c", "d"])
    children = pd.Series(["a", "a", "c", None, "a"])
    assert children_per_parent(parents, children).tolist() == [3, 0, 1, 0]
    relation = Relation("p", "id", "c", "pid", 1.0, 0, "")
    from synth_core.data.schema import ColumnKind, ColumnSchema, Schema

    schema = Schema(
        (
            ColumnSchema("pid", ColumnKind.CATEGORICAL),
            ColumnSchema("year", ColumnKind.NUMERICAL),
            ColumnSchema("team", ColumnKind.CATEGORICAL),
        )
    )
    real = pd.DataFrame({"pid": ["a", "a", "b", "b"], "year": [1, 2, 1, 2], "team": list("xxyy")})
    same = sequences(real, real, relation, schema)
    assert same is not None
    assert same.score == pytest.approx(1.0)
    # every parent switches team: distinct per sequence 2 instead of 1 (KS 1), and the
    # consecutive pairs x→y, y→x share nothing with x→x, y→y (TVD 1)
    mixed = real.assign(team=list("xyyx"))
    found = sequences(real, mixed, relation, schema)
    assert found is not None
    assert found.distinct["team"] == pytest.approx(0.0)
    assert found.consecutive["team"] == pytest.approx(0.0)


def test_whole_entities_are_held_out_with_every_row_below_them() -> None:
    database, links = _bank(300, 2)
    entity, train, holdout = split_by_entity(database, links, 0.2, seed=0)
    assert entity == "account"
    assert len(holdout["account"]) == 60
    held = set(holdout["account"]["account_id"])
    cards = set(holdout["card"]["disp_id"])  # two links below: card → disp → account
    assert cards
    assert cards <= set(holdout["disp"]["disp_id"])
    for child in ("loan", "order", "disp"):
        assert set(holdout[child]["account_id"]) <= held
        assert not set(train[child]["account_id"]) & held  # no child row of a held-out account
        assert len(train[child]) + len(holdout[child]) == len(database.tables[child].df)
    assert len(holdout["district"]) == 0
    assert len(holdout["client"]) == 0


def test_rules_across_links_hold_in_every_synthetic_row(
    baseball: tuple[Database, Links, LinkedResult], bank: tuple[Database, Links, LinkedResult]
) -> None:
    for _database, _, result in (baseball, bank):
        for found in result.bounds.values():
            for bound in found:
                assert bound.kept(result.tables) == 1.0, bound
    (career,) = baseball[2].bounds["BattingPost"]
    assert career.lower is not None
    assert career.upper is not None
    assert (career.lower.column, career.upper.column) == ("debut", "finalGame")
    assert career.years(career.lower)  # years in the child, dates in the parent
    (loan_rule,) = [b for b in bank[2].bounds["loan"] if b.column == "date"]
    assert loan_rule.lower is not None
    assert (loan_rule.lower.column, len(loan_rule.lower.path)) == ("date", 1)
    (card_rule,) = bank[2].bounds["card"]  # two links away: card → disp → account
    assert card_rule.lower is not None
    assert [r.parent for r in card_rule.lower.path] == ["disp", "account"]
    assert card_rule.describe() == "card.issued at or after account.date (through disp)"
    for name, frame in bank[2].tables.items():
        real = bank[0].tables[name].df
        assert list(frame.columns) == list(real.columns)
    loans = bank[2].tables["loan"]
    assert (loans["payments"] * loans["duration"] == loans["amount"]).all()  # a product rule


def test_a_product_rule_is_found_and_kept_but_not_on_zero_one_factors() -> None:
    from synth_core.data.schema import ColumnKind, ColumnSchema, Schema
    from synth_core.generate.constraints import ProductOf
    from synth_core.generate.discover import discover

    rng = np.random.default_rng(0)
    price = rng.integers(1, 50, 200).astype(float) / 4
    quantity = rng.integers(1, 9, 200).astype(float)
    flag = rng.integers(0, 2, 200).astype(float)
    frame = pd.DataFrame(
        {
            "price": price,
            "quantity": quantity,
            "total": price * quantity,
            "flag": flag,
            "flagged": price * flag,  # a factor of 0 or 1: a copy or zero, no product reported
        }
    )
    schema = Schema(
        (
            ColumnSchema("price", ColumnKind.NUMERICAL, decimals=2),
            ColumnSchema("quantity", ColumnKind.NUMERICAL, integer=True),
            ColumnSchema("total", ColumnKind.NUMERICAL, decimals=2),
            ColumnSchema("flag", ColumnKind.NUMERICAL, integer=True),
            ColumnSchema("flagged", ColumnKind.NUMERICAL, decimals=2),
        )
    )
    products = [
        f.constraint for f in discover(frame, schema).rules if isinstance(f.constraint, ProductOf)
    ]
    assert [(p.total, {p.first, p.second}) for p in products] == [("total", {"price", "quantity"})]
    broken = frame.assign(total=frame["total"] + 1.0)
    (rule,) = products
    assert not rule.holds(broken).any()
    assert rule.holds(rule.repair(broken, 2)).all()


def test_privacy_is_measured_per_entity_and_the_zip_keeps_names_formats_and_links() -> None:
    frames = bank_tables(300, 3)
    files = [(f"{n}.csv", f.to_csv(index=False).encode()) for n, f in frames.items()]
    files[1] = ("account.tsv", frames["account"].to_csv(index=False, sep="\t").encode())
    files[2] = ("client.csv.gz", gzip.compress(frames["client"].to_csv(index=False).encode()))
    database = read_database(files)
    links = find_relations(database)
    measured = synthesize_linked_measured(
        database=database, links=links, spec=LinkedSpec(GenerationSpec(seed=0))
    )
    privacy = measured.evaluation.privacy
    assert privacy is not None
    assert privacy.entity == "account"
    assert privacy.holdout == 60
    assert privacy.records == len(measured.result.tables["account"])
    assert 0.3 < privacy.dcr.share < 0.7
    assert privacy.exact_synthetic == 0.0
    detection = measured.evaluation.detection
    # every synthesized table (districts are kept as they are: a reference list)
    assert set(detection) == {"account", "client", "disp", "card", "loan", "order"}
    assert all(0.3 < auc < 1.0 for auc in detection.values())
    payload = measured.evaluation.to_dict()
    assert {r["child"] for r in payload["relations"]} == {
        "account",
        "client",
        "disp",
        "card",
        "loan",
        "order",
    }
    assert all(r["integrity"] == 1.0 for r in payload["relations"])
    with zipfile.ZipFile(io.BytesIO(measured.zip_bytes(database))) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(
            [
                "district.csv",
                "account.tsv",
                "client.csv.gz",
                "disp.csv",
                "card.csv",
                "loan.csv",
                "order.csv",
            ]
        )
        read = {
            "account": pd.read_csv(archive.open("account.tsv"), sep="\t"),
            "client": pd.read_csv(io.BytesIO(gzip.decompress(archive.read("client.csv.gz")))),
            **{
                n: pd.read_csv(archive.open(f"{n}.csv"))
                for n in ("district", "disp", "card", "loan", "order")
            },
        }
    assert integrity(read, links.relations) == dict.fromkeys(integrity(read, links.relations), 1.0)
    assert all(read[n][links.keys[n]].is_unique for n in read)
    assert set(read["account"]["date"].str.len()) == {10}  # dates written as in the real file
    assert np.isin(read["account"]["frequency"], frames["account"]["frequency"]).all()


def test_the_html_report_has_the_links_and_no_real_row(
    baseball: tuple[Database, Links, LinkedResult],
) -> None:
    from synth_core.present.report import linked_report_html

    database, links, result = baseball
    found = evaluate_linked(database=database, links=links, result=result, detection_auc=False)
    page = linked_report_html(found, result.notes, "2026-12-04")
    for section in ("Links", "BattingPost.playerID → People.playerID", "Privacy per entity"):
        assert section in page
    real_ids = set(database.tables["People"].df["playerID"])
    assert not any(player in page for player in real_ids)  # keys and rows stay out
    # a real share standing for fewer than 10 parent rows is not shown: with 20
    # players, every share under a half
    from dataclasses import replace

    (link,) = [s for s in found.links if s.relation.child == "BattingPost"]
    few = replace(found, links=(replace(link, real_parents=20),))
    small = [c for c in link.counts if 0 < c[1] < 0.5]
    assert small
    page = linked_report_html(few, (), "2026-12-04")
    assert all(f"<td>{c[0]}</td><td>(under 10 rows)</td>" in page for c in small)


def test_the_measured_job_applies_the_pages_choices() -> None:
    """Keep-as-they-are and the orphan choice reach the generation (the Generate page's job):
    the set has orphan loans, so ignoring the choice would show."""
    frames = bank_tables(200, 8)
    loans = frames["loan"]
    lost = loans.index[: len(loans) // 10]  # a tenth of the loans point at no account
    loans.loc[lost, "account_id"] = 999_999
    files = [(f"{n}.csv", f.to_csv(index=False).encode()) for n, f in frames.items()]
    database = read_database(files)
    links = find_relations(database)
    (relation,) = [r for r in links.relations if r.child == "loan"]
    assert relation.orphans == len(lost)
    empty = {}
    for choice in Orphans:
        spec = LinkedSpec(GenerationSpec(seed=0), keep=("district",), orphans=choice)
        measured = synthesize_linked_measured(database=database, links=links, spec=spec)
        assert measured.spec.orphans is choice
        made = measured.result.tables["loan"]
        empty[choice] = float(made["account_id"].isna().mean())
        real = database.tables["district"].df
        pd.testing.assert_frame_equal(measured.result.tables["district"], real)
        assert any("kept as it is" in note for note in measured.result.notes)
    assert empty[Orphans.DROP] == 0.0
    assert empty[Orphans.KEEP] == pytest.approx(0.1, abs=0.04)
