"""Every generator the Generate page offers for a linked set keeps every link and gives every
table new, unique keys (the contract of linked generation, whatever learns each table)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from synth_core.data.database import find_relations, read_database
from synth_core.errors import SynthCoreError
from synth_core.generate.generators import GeneratorKind, available
from synth_core.generate.linked import LinkedMethod, LinkedSpec, integrity, synthesize_linked
from synth_core.generate.spec import GenerationSpec
from synth_core.workflows.linked import synthesize_linked_measured
from tests.contract.test_generators import params_for
from tests.real_like import bank_tables

NAMES = [i.name for i in available()]


@pytest.mark.parametrize("name", NAMES)
def test_every_link_holds_and_every_key_is_new_and_unique(name: str) -> None:
    frames = bank_tables(120, 4)
    database = read_database(
        (f"{n}.csv", f.to_csv(index=False).encode()) for n, f in frames.items()
    )
    links = find_relations(database)
    spec = LinkedSpec(GenerationSpec(name, params=params_for(name), seed=0), keep=())
    info = next(i for i in available() if i.name == name)
    if info.kind is GeneratorKind.DP:  # refused: ε would be spent once per table
        with pytest.raises(SynthCoreError, match="differentially private"):
            synthesize_linked(database=database, links=links, spec=spec)
        return
    result = synthesize_linked(database=database, links=links, spec=spec)
    assert set(integrity(result.tables, result.relations).values()) == {1.0}
    for table, frame in result.tables.items():
        key = links.keys[table]
        assert key is not None
        assert frame[key].notna().all()
        assert frame[key].is_unique
        assert not frame[key].isin(frames[table][key]).any()  # no real key comes back
        assert list(frame.columns) == list(frames[table].columns)


@pytest.mark.parametrize(
    "method",
    [
        LinkedMethod.SDV_HMA,
        pytest.param(LinkedMethod.ARGN_CONTEXT, marks=pytest.mark.slow),
    ],
    ids=lambda m: m.name,
)
def test_the_other_methods_keep_every_link_and_give_new_unique_keys(method: LinkedMethod) -> None:
    frames = bank_tables(120, 4, districts=False, cards=False)  # HMA takes at most 5 tables
    database = read_database(
        (f"{n}.csv", f.to_csv(index=False).encode()) for n, f in frames.items()
    )
    links = find_relations(database)
    spec = LinkedSpec(GenerationSpec(params={"max_epochs": 1}, seed=0), method=method)
    measured = synthesize_linked_measured(database=database, links=links, spec=spec)
    result = measured.result
    assert set(integrity(result.tables, result.relations).values()) == {1.0}
    for table, frame in result.tables.items():
        key = links.keys[table]
        assert key is not None
        assert frame[key].notna().all()
        assert frame[key].is_unique
        assert not frame[key].isin(frames[table][key]).any()
        assert list(frame.columns) == list(frames[table].columns)
    assert measured.evaluation.privacy is not None  # whole entities were held out


def test_hma_refuses_six_tables_in_words_and_keeping_a_table() -> None:
    frames = bank_tables(60, 4)
    database = read_database(
        (f"{n}.csv", f.to_csv(index=False).encode()) for n, f in frames.items()
    )
    links = find_relations(database)
    hma = LinkedSpec(method=LinkedMethod.SDV_HMA)
    with pytest.raises(SynthCoreError, match="more than 5 tables"):
        synthesize_linked_measured(database=database, links=links, spec=hma)
    with pytest.raises(SynthCoreError, match="cannot keep tables"):
        synthesize_linked_measured(
            database=database, links=links, spec=replace(hma, keep=("district",))
        )
