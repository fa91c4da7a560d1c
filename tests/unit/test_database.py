"""Several tables: reading files, zips and SQLite, and keys and links found with their evidence,
including the near misses that must not become links."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core.cli import main
from synth_core.data.database import (
    DatabaseError,
    find_relations,
    link_order,
    read_database,
    table_name,
)
from tests.helpers import ROOT

BASEBALL = ROOT / "tests" / "fixtures" / "baseball"


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _files(**frames: pd.DataFrame) -> list[tuple[str, bytes]]:
    return [(f"{name}.csv", _csv(frame)) for name, frame in frames.items()]


def test_the_baseball_tables_link_players_and_franchises() -> None:
    database = read_database((p.name, p.read_bytes()) for p in sorted(BASEBALL.glob("*.csv")))
    assert list(database.tables) == ["BattingPost", "People", "Teams", "TeamsFranchises"]
    links = find_relations(database)
    assert links.keys["People"] == "playerID"
    assert links.keys["TeamsFranchises"] == "franchID"
    assert links.keys["Teams"] is None  # a team season is (year, team): two columns
    found = {(r.child, r.child_key, r.parent, r.parent_key) for r in links.relations}
    assert found == {
        ("BattingPost", "playerID", "People", "playerID"),
        ("Teams", "franchID", "TeamsFranchises", "franchID"),
    }
    assert all(r.coverage == 1.0 and r.orphans == 0 for r in links.relations)
    assert any("Teams has no single-column key" in note for note in links.notes)
    order = link_order(list(database.tables), links.relations)
    assert order.index("People") < order.index("BattingPost")
    assert order.index("TeamsFranchises") < order.index("Teams")


def test_small_whole_numbers_that_match_by_chance_are_no_link() -> None:
    rng = np.random.default_rng(0)
    shops = pd.DataFrame({"shop_no": range(1, 78), "size": rng.integers(10, 500, 77)})
    readings = pd.DataFrame({"station": rng.integers(1, 78, 400), "rain": rng.random(400)})
    links = find_relations(read_database(_files(shops=shops, readings=readings)))
    assert links.relations == ()


def test_a_named_link_with_a_few_orphans_is_kept_and_they_are_counted() -> None:
    accounts = pd.DataFrame({"account_id": range(1, 201), "balance": np.arange(200) * 3.5})
    keys = [*range(1, 199), 500, 501] * 2  # 99% of the distinct values are accounts
    loans = pd.DataFrame({"loan_id": range(1, 401), "account_id": keys, "amount": range(400)})
    links = find_relations(read_database(_files(accounts=accounts, loans=loans)))
    (relation,) = links.relations
    assert (relation.child, relation.child_key, relation.parent) == (
        "loans",
        "account_id",
        "accounts",
    )
    assert relation.coverage == pytest.approx(0.99)
    assert relation.orphans == 4
    assert "4 rows point at no parent" in relation.evidence


def test_text_codes_link_on_their_values_alone_but_not_at_99_percent_nor_ignoring_case() -> None:
    codes = [f"st{i:03d}" for i in range(40)]
    stores = pd.DataFrame({"code": codes, "city": ["a", "b"] * 20})
    rng = np.random.default_rng(1)
    sales = pd.DataFrame(
        {
            "store": rng.choice(codes, 300),  # every value a store: a link on values alone
            "shop": [*rng.choice(codes, 297), "zz1", "zz2", "zz3"],  # 99%, no name: none
            "outlet": [c.upper() for c in rng.choice(codes, 300)],  # only ignoring case
        }
    )
    links = find_relations(read_database(_files(stores=stores, sales=sales)))
    assert [(r.child_key, r.parent, r.parent_key) for r in links.relations] == [
        ("store", "stores", "code")
    ]
    evidence = links.relations[0].evidence
    assert "all 40 distinct text codes of 'store' are keys of stores" in evidence
    (near,) = links.near_misses
    assert "sales.outlet" in near
    assert "only ignoring case" in near


def test_a_zip_reads_its_tables_and_refuses_other_files() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bank/accounts.csv", "account_id,balance\n1,10\n2,20\n3,30\n")
        archive.writestr("bank/loans.csv.gz", gzip.compress(b"loan_id,account_id\n1,1\n2,1\n3,3\n"))
        archive.writestr("__MACOSX/bank/._accounts.csv", b"\x00")
    database = read_database([("bank.zip", buffer.getvalue())])
    assert list(database.tables) == ["accounts", "loans"]
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("accounts.csv", "a\n1\n")
        archive.writestr("notes.pdf", b"%PDF")
    with pytest.raises(DatabaseError, match=r"not tables: notes\.pdf"):
        read_database([("bank.zip", broken.getvalue())])


def test_two_tables_of_one_name_and_bad_files_say_what_to_do() -> None:
    table = b"a,b\n1,2\n3,4\n"
    with pytest.raises(DatabaseError, match=r"Two tables are called 'loans'.*rename one"):
        read_database([("loans.csv", table), ("x/loans.csv.gz", gzip.compress(table))])
    with pytest.raises(DatabaseError, match="is not a zip file"):
        read_database([("bank.zip", b"not a zip")])
    with pytest.raises(DatabaseError, match="There is no table"):
        read_database([])
    assert table_name("data/Loans.CSV.gz") == "Loans"


def _sqlite_bank() -> bytes:
    connection = sqlite3.connect(":memory:")
    connection.executescript(
        """
        CREATE TABLE district (district_id INTEGER PRIMARY KEY, region TEXT);
        CREATE TABLE account (
            account_id INTEGER PRIMARY KEY,
            district_id INTEGER REFERENCES district(district_id),
            opened TEXT
        );
        """
    )
    connection.executemany(
        "INSERT INTO district VALUES (?, ?)", [(i, f"r{i % 3}") for i in range(1, 8)]
    )
    connection.executemany(
        "INSERT INTO account VALUES (?, ?, ?)",
        [(i, 1 + i % 8, f"2020-01-{1 + i % 28:02d}") for i in range(1, 60)],  # 8 is no district
    )
    connection.commit()
    data = connection.serialize()
    connection.close()
    return bytes(data)


def test_a_sqlite_database_is_read_in_memory_with_its_declared_foreign_keys() -> None:
    database = read_database([("bank.sqlite", _sqlite_bank())])
    assert list(database.tables) == ["district", "account"]
    assert len(database.tables["account"].df) == 59
    links = find_relations(database)
    declared = [r for r in links.relations if r.declared]
    assert [(r.child, r.child_key, r.parent, r.parent_key) for r in declared] == [
        ("account", "district_id", "district", "district_id")
    ]
    # taken as given, with its orphans counted: accounts in district 8, which does not exist
    assert declared[0].orphans == sum(1 for i in range(1, 60) if 1 + i % 8 == 8)
    assert declared[0].coverage == pytest.approx(7 / 8)


def test_a_cycle_of_links_is_refused_with_what_to_do() -> None:
    from synth_core.data.database import Relation

    loop = [
        Relation("a", "id", "b", "a_id", 1.0, 0, ""),
        Relation("b", "id", "a", "b_id", 1.0, 0, ""),
    ]
    with pytest.raises(DatabaseError, match="form a cycle: remove one of those links"):
        link_order(["a", "b"], loop)


def test_cli_relations_writes_the_documented_json(tmp_path: Path) -> None:
    out = tmp_path / "relations.json"
    files = [str(p) for p in sorted(BASEBALL.glob("*.csv"))]
    assert main(["relations", *files, "--json", str(out)]) == 0
    payload = json.loads(out.read_text())
    assert {t["name"]: t["primary_key"] for t in payload["tables"]} == {
        "BattingPost": None,
        "People": "playerID",
        "Teams": None,
        "TeamsFranchises": "franchID",
    }
    assert {t["name"]: t["rows"] for t in payload["tables"]}["People"] == 1001
    relation = next(r for r in payload["relations"] if r["child"] == "BattingPost")
    assert relation == {
        "parent": "People",
        "parent_key": "playerID",
        "child": "BattingPost",
        "child_key": "playerID",
        "coverage": 1.0,
        "orphans": 0,
        "evidence": "the name says so ('playerID' → People.playerID); every value is found",
    }


def test_sdv_metadata_round_trips_and_sdv_loads_ours() -> None:
    from sdv.metadata import Metadata

    from synth_core.data.sdv_metadata import read_sdv_metadata, to_sdv_metadata

    database = read_database((p.name, p.read_bytes()) for p in sorted(BASEBALL.glob("*.csv")))
    links = find_relations(database)
    payload = to_sdv_metadata(database, links)
    loaded = Metadata.load_from_dict(payload)  # SDV accepts it as it is
    assert {(r["child_table_name"], r["child_foreign_key"]) for r in loaded.relationships} == {
        ("BattingPost", "playerID"),
        ("Teams", "franchID"),
    }
    again, read = read_sdv_metadata(json.dumps(loaded.to_dict()), database)
    assert read.keys == links.keys
    assert {(r.child, r.child_key, r.parent, r.parent_key) for r in read.relations} == {
        (r.child, r.child_key, r.parent, r.parent_key) for r in links.relations
    }
    assert all(
        r.coverage == 1.0 and r.evidence == "given in the SDV metadata" for r in read.relations
    )
    assert list(again.tables) == list(database.tables)


def test_sdv_metadata_that_does_not_fit_the_files_says_what_to_do() -> None:
    from synth_core.data.sdv_metadata import read_sdv_metadata

    accounts = pd.DataFrame({"account_id": range(1, 21), "region": ["north", "south"] * 10})
    loans = pd.DataFrame({"loan_id": range(1, 41), "account_id": [*range(1, 21)] * 2})
    database = read_database(_files(accounts=accounts, loans=loans))
    given = {
        "tables": {
            "accounts": {"columns": {"account_id": {"sdtype": "id"}}, "primary_key": "account_id"},
            "loans": {"columns": {"loan_id": {"sdtype": "id"}, "account_id": {"sdtype": "id"}}},
        },
        "relationships": [
            {
                "parent_table_name": "accounts",
                "parent_primary_key": "account_id",
                "child_table_name": "loans",
                "child_foreign_key": "account_id",
            }
        ],
    }
    _, links = read_sdv_metadata(json.dumps(given), database)
    assert [(r.child, r.child_key, r.orphans) for r in links.relations] == [
        ("loans", "account_id", 0)
    ]
    wrong_table = {**given, "tables": {**given["tables"], "orders": {"columns": {}}}}
    with pytest.raises(DatabaseError, match="table 'orders' that is not among the files"):
        read_sdv_metadata(json.dumps(wrong_table), database)
    composite = {"tables": {"loans": {"primary_key": ["loan_id", "account_id"]}}}
    with pytest.raises(DatabaseError, match=r"several columns .* not supported yet"):
        read_sdv_metadata(json.dumps(composite), database)
    with pytest.raises(DatabaseError, match="not valid JSON"):
        read_sdv_metadata("{", database)


def test_a_link_is_added_changed_and_removed_with_checks_that_say_what_to_do() -> None:
    from synth_core.data.database import with_link, without_link

    database = read_database(
        _files(
            shops=pd.DataFrame({"shop": ["a", "b", "c"], "size": [1, 2, 3]}),
            sales=pd.DataFrame({"sale": range(6), "store": list("aabbcz"), "units": range(6)}),
        )
    )
    links = find_relations(database)
    assert links.relations == ()  # 'store' does not say 'shop', and 'z' is not a shop
    added = with_link(database, links, "sales", "store", "shops", "shop")
    (link,) = added.relations
    assert (link.orphans, link.evidence) == (1, "added by you")
    assert added.keys["shops"] == "shop"
    assert without_link(added, "sales", "store").relations == ()
    with pytest.raises(DatabaseError, match="every value once"):
        with_link(database, links, "shops", "shop", "sales", "store")  # 'store' repeats
    with pytest.raises(DatabaseError, match="one kind"):
        with_link(database, links, "sales", "units", "shops", "shop")  # numbers → text
    with pytest.raises(DatabaseError, match="to itself"):
        with_link(database, links, "sales", "store", "sales", "sale")
    with pytest.raises(DatabaseError, match="cycle"):
        with_link(database, added, "shops", "size", "sales", "sale")
