"""A synthetic set that holds as a database (issue 32), checked in the files a user downloads:
a link table's rows per parent on every side (exactly one owner per account, one row per
client), two paths to one district, a date rule two links away, a reference list kept, labels
never made-up letters, identifiers never replayed, every table its real size; the rules found
with their evidence, and the evaluation against the whole real set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth_core import (
    Database,
    LinkedSpec,
    Links,
    evaluate_linked,
    find_relations,
    read_database,
    synthesize_linked,
)
from synth_core.data.database import Relation
from synth_core.evaluate.linked import RuleCheck, RuleKind
from synth_core.evaluate.linked.links import histogram
from synth_core.generate.linked import CountRule, find_set_rules
from synth_core.generate.linked.counts import Capacity, count_name, reconcile, targets
from synth_core.generate.spec import GenerationSpec
from tests.real_like import DISTRICT_NAMES, bank_properties, bank_tables

INTERNAL = re.compile(r"__\w+|\b\w+\.\w+\.\w+\b")  # helper names, 'disp.account.date'


def _files(accounts: int, seed: int) -> list[tuple[str, bytes]]:
    return [
        (f"{name}.csv", frame.to_csv(index=False).encode())
        for name, frame in bank_tables(accounts, seed).items()
    ]


def _read(files: list[tuple[str, bytes]]) -> tuple[Database, Links]:
    database = read_database(files)
    return database, find_relations(database)


def _check_bank(real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame]) -> None:
    """What a person who maintains the database checks in the synthetic copy."""
    want, got = bank_properties(real), bank_properties(synthetic)
    for exact in (
        "accounts with one owner",
        "accounts with at most one disponent",
        "clients with one row",
        "cards issued on or after the account opened",
        "loans after the account opened",
        "accounts with at most one loan",
        "payments x duration = amount",
    ):
        assert want[exact] == 1.0
        assert got[exact] == 1.0, exact
    assert got["owner in the account's district"] == pytest.approx(
        want["owner in the account's district"], abs=0.05
    )
    assert got["disponents per account"] == pytest.approx(want["disponents per account"], abs=0.02)
    for name, frame in real.items():  # x1: every table its real size
        assert len(synthetic[name]) == pytest.approx(len(frame), rel=0.02), name
    pd.testing.assert_frame_equal(synthetic["district"], real["district"])  # kept, by default
    counterparties = synthetic["order"]["account_to"]
    assert not counterparties.isin(real["order"]["account_to"]).any()  # never a real number
    assert counterparties.astype(str).str.len().eq(8).all()  # 8 digits, as the real ones
    for name, frame in synthetic.items():
        key = f"{name}_id"
        assert frame[key].is_unique
        if name != "district":
            assert not frame[key].isin(real[name][key]).any()  # new keys


def _same_schema(real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame]) -> None:
    """The files as text load into the real schema: a column without missing values has none,
    whole numbers stay whole (no '401.0'), dates keep their format."""
    for name, frame in real.items():
        made = synthetic[name]
        assert list(made.columns) == list(frame.columns), name
        for column in frame.columns:
            values, written = frame[column].dropna(), made[column].dropna()
            if frame[column].notna().all():
                assert made[column].notna().all(), f"{name}.{column} has empty cells"
            if values.str.fullmatch(r"-?\d+").all():
                assert written.str.fullmatch(r"-?\d+").all(), f"{name}.{column} is not whole"
            if values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
                assert written.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), f"{name}.{column}"


def test_the_bank_set_from_the_cli_holds_as_a_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from synth_core.cli import main

    paths = []
    for name, data in _files(500, 3):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    out = tmp_path / "synthetic"
    assert main(["generate", *paths, "--out", str(out), "--seed", "1"]) == 0
    said = capsys.readouterr().err
    assert "district: kept as it is" in said
    assert "--synthesize district" in said  # the switch, offered
    assert "'account_to' looks like an identifier" in said
    notes = [line for line in said.splitlines() if line.startswith("note:")]
    assert not [n for n in notes if INTERNAL.search(n)], "internal names in the notes"
    real = {Path(p).stem: pd.read_csv(p) for p in paths}
    synthetic = {p.stem: pd.read_csv(p) for p in sorted(out.iterdir())}
    _check_bank(real, synthetic)
    _same_schema(
        {Path(p).stem: pd.read_csv(p, dtype=str) for p in paths},
        {p.stem: pd.read_csv(p, dtype=str) for p in sorted(out.iterdir())},
    )
    report = tmp_path / "evaluation.json"
    assert main(["evaluate", *paths, str(out), "--json", str(report)]) == 0
    payload = json.loads(report.read_text())
    rules = payload["rules_across_tables"]
    assert {r["kind"] for r in rules} == {str(k) for k in RuleKind}
    assert all(r["kept"] for r in rules), [r for r in rules if not r["kept"]]
    assert any(r["rule"] == "card.issued at or after account.date (through disp)" for r in rules)
    (owners,) = [
        r for r in payload["relations"] if (r["child"], r["parent"]) == ("disp", "account")
    ]
    by_type = {t["value"]: t for t in owners["by_type"]}
    assert by_type["OWNER"]["per_parent"] == {"real": 1.0, "synthetic": 1.0}
    replayed = {(r["table"], r["column"]): r["rows"] for r in payload["replayed_identifiers"]}
    assert replayed[("order", "account_to")] == 0
    assert set(payload["detection_auc"]) >= {"account", "client", "disp", "order"}


def test_the_rules_across_tables_are_found_with_their_evidence() -> None:
    database, links = _read(_files(600, 0))
    rules = find_set_rules(database, links)
    assert rules.types == {"disp": "type"}
    found = {(c.relation.parent, c.relation.child, c.value, c.low, c.high) for c in rules.counts}
    assert found == {
        ("client", "disp", None, 1, 1),  # every client has exactly one row
        ("account", "disp", None, 1, None),  # every account at least one
        ("account", "disp", "OWNER", 1, 1),  # exactly one owner
        ("account", "disp", "DISPONENT", 0, 1),  # at most one disponent
        ("disp", "card", None, 0, 1),  # at most one card per disp row
        ("account", "loan", None, 0, 1),  # at most one loan per account
    }
    owner = next(c for c in rules.counts if c.value == "OWNER")
    assert (
        owner.describe() == "every account has exactly 1 disp row of type OWNER (disp.account_id)"
    )
    assert owner.evidence().startswith("holds in all 600 account rows; with the same rows")
    (path,) = rules.paths
    assert path.describe() == "disp: the client's district is the account's district"
    assert path.share == pytest.approx(0.91, abs=0.04)
    assert path.chance < 0.1
    # Orders per account (0 to 5) are no rule: chance would give as much.
    assert not [c for c in rules.counts if c.relation.child == "order"]
    # Clients living anywhere: the two paths agree by chance only, no rule.
    frames = bank_tables(600, 0)
    frames["client"]["district_id"] = np.random.default_rng(1).permutation(
        frames["client"]["district_id"].to_numpy()
    )
    database, links = _read(
        [(f"{n}.csv", f.to_csv(index=False).encode()) for n, f in frames.items()]
    )
    assert find_set_rules(database, links).paths == ()


def test_rows_per_parent_are_made_to_agree_on_every_side_by_hand() -> None:
    """Two parents of one link table: accounts draw owners and disponents, clients draw rows.
    The rules (one owner per account, one row per client) fix the totals; the drawn counts move
    the fewest rows to meet them."""
    disp_account = Relation("account", "account_id", "disp", "account_id", 1.0, 0, "")
    disp_client = Relation("client", "client_id", "disp", "client_id", 1.0, 0, "")
    values = ("OWNER", "DISPONENT")
    accounts = pd.DataFrame(
        {
            count_name(disp_account, "OWNER"): [1, 0, 2, 1],  # two break 'exactly one'
            count_name(disp_account, "DISPONENT"): [0, 1, 0, 0],
        }
    )
    clients = pd.DataFrame(
        {
            count_name(disp_client, "OWNER"): [1, 1, 1, 0, 0, 1],
            count_name(disp_client, "DISPONENT"): [0, 0, 1, 0, 1, 0],  # one has 2, one has 0
        }
    )

    def rule(relation: Relation, value: str | None, low: int, high: int | None) -> CountRule:
        return CountRule(relation, low, high, 4, 10.0, "type" if value else None, value)

    sides = [
        Capacity.of(
            accounts,
            disp_account,
            values,
            [rule(disp_account, "OWNER", 1, 1), rule(disp_account, "DISPONENT", 0, 1)],
        ),
        Capacity.of(clients, disp_client, values, [rule(disp_client, None, 1, 1)]),
    ]
    totals = targets(sides, np.array([4.0, 1.0]))  # 4 owners fixed; 6 clients fix the total
    assert totals.tolist() == [4, 2]
    rng = np.random.default_rng(0)
    for side in sides:
        assert reconcile(side, totals, np.array([0.8, 0.2]), rng) == 0
        assert side.counts.sum(axis=0).tolist() == [4, 2]
    accounts_after, clients_after = sides[0].counts, sides[1].counts
    assert accounts_after[:, 0].tolist() == [1, 1, 1, 1]  # exactly one owner each
    assert accounts_after[:, 1].max() <= 1
    assert clients_after.sum(axis=1).tolist() == [1] * 6  # one row per client


def test_a_synthesized_reference_list_keeps_real_names_and_says_so() -> None:
    database, links = _read(_files(400, 2))
    spec = LinkedSpec(GenerationSpec(seed=0, holdout_fraction=0.0), keep=())
    result = synthesize_linked(database=database, links=links, spec=spec)
    assert result.kept == ()
    names = result.tables["district"]["name"]
    assert names.isin(DISTRICT_NAMES).all()  # never random letters
    assert any("'name' holds names, not personal data" in n for n in result.notes)
    assert not result.tables["district"]["district_id"].isin(range(1, 78)).any()  # new keys
    assert not [n for n in result.notes if INTERNAL.search(n)]


def test_the_evaluation_compares_with_every_real_row_and_counts_a_broken_link_table() -> None:
    """A link table that loses a fifth of the clients' rows is caught: rows per client are
    compared with the whole real set (held-out entities included), not the training rows,
    where the clients of held-out accounts have no row."""
    database, links = _read(_files(400, 4))
    result = synthesize_linked(database=database, links=links, spec=LinkedSpec())
    found = evaluate_linked(database=database, links=links, result=result, detection_auc=False)
    assert found.held_out["account"] == 80
    assert found.real_rows["account"] == 400  # every real account, the held-out ones too
    assert all(c.kept for c in found.rules), [c for c in found.rules if not c.kept]
    broken = dict(result.tables)
    disp = broken["disp"]
    broken["disp"] = disp.drop(disp.sample(frac=0.2, random_state=0).index)
    worse = evaluate_linked(database=database, links=links, synthetic=broken, detection_auc=False)
    (per_client,) = [c for c in worse.rules if c.rule.startswith("every client has exactly 1")]
    assert per_client.real == 1.0
    assert per_client.synthetic == pytest.approx(0.8, abs=0.01)
    assert per_client.kept is False
    (client_link,) = [s for s in worse.links if s.relation.parent == "client"]
    assert client_link.zero_real == 0.0
    assert client_link.zero_synthetic == pytest.approx(0.2, abs=0.01)
    assert client_link.cardinality == pytest.approx(0.8, abs=0.01)


def test_a_rule_check_is_kept_by_its_kind() -> None:
    def check(kind: RuleKind, real: float, synthetic: float) -> bool | None:
        return RuleCheck(kind, "t", "r", "", real, synthetic).kept

    assert check(RuleKind.COUNT, 1.0, 1.0)
    assert not check(RuleKind.COUNT, 1.0, 0.99)
    assert check(RuleKind.BOUND, 0.996, 0.9955)  # within a thousandth of the real share
    assert check(RuleKind.PATHS, 0.91, 0.87)  # within five points
    assert not check(RuleKind.PATHS, 0.91, 0.85)
    assert RuleCheck(RuleKind.PATHS, "t", "r", "", None, 0.5).kept is None


def test_children_per_parent_bars_cover_large_counts() -> None:
    """Districts with 40 to 90 accounts each: ranges, not one '10+' bar and nine empty ones."""
    real = np.array([40.0, 55, 60, 72, 90])
    synthetic = np.array([41.0, 50, 66, 70, 88])
    bars = histogram(real, synthetic)
    assert 5 <= len(bars) <= 10
    assert bars[0][0] == "40–45"
    assert sum(b[1] for b in bars) == pytest.approx(1.0)
    assert sum(b[2] for b in bars) == pytest.approx(1.0)
    assert [b[0] for b in histogram(np.array([0.0, 1, 1, 3]), np.array([0.0, 2]))] == [
        "0",
        "1",
        "2",
        "3",
    ]
    wide = histogram(np.array([0.0, 0, 1, 33]), np.array([0.0, 5]))
    assert wide[0][0] == "0"  # none alone: the common case
    assert wide[0][1] == 0.5
