"""Two other ways to make a linked set, offered beside ours so a user can compare on their own
data: TabularARGN with context tables (MOSTLY AI's way, mostlyai-engine's ``ctx_data`` /
``tgt_context_key``) and SDV's HMASynthesizer (the usual open baseline).

Both learn from the same training rows as ours (whole entities held out, ``split_by_entity``)
and give the same result: every primary key is then replaced by new IDs (never a real one) and
every foreign key follows its parent's, so each link holds and no real key appears. Orphan rows
are left out of training; reference tables cannot be kept as they are (ours can). Both are
``SetMethod``s (``methods``)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth_core._progress import ProgressFn, no_progress, scaled
from synth_core.data.database import Database, Links, key_text, link_order
from synth_core.data.sdv_metadata import to_sdv_metadata
from synth_core.errors import GeneratorError, JobCancelledError, SynthCoreError
from synth_core.generate.linked.bounds import find_bounds
from synth_core.generate.linked.plan import reference_tables, split_by_entity, without_orphans
from synth_core.generate.linked.result import LinkedResult
from synth_core.generate.linked.rules import find_set_rules
from synth_core.generate.linked.spec import LinkedSpec
from synth_core.generate.protect.pii import new_ids
from synth_core.generate.spec import GenerationSpec

ARGN_MINUTES = 2.0  # training time per table unless the spec's parameters say otherwise


def make_hma(
    database: Database, links: Links, spec: LinkedSpec, progress: ProgressFn = no_progress
) -> LinkedResult:
    """The set made by SDV's HMASynthesizer."""
    return _baseline(database, links, spec, progress, hma=True)


def make_argn(
    database: Database, links: Links, spec: LinkedSpec, progress: ProgressFn = no_progress
) -> LinkedResult:
    """The set made by TabularARGN with context tables."""
    return _baseline(database, links, spec, progress, hma=False)


def _baseline(
    database: Database, links: Links, spec: LinkedSpec, progress: ProgressFn, hma: bool
) -> LinkedResult:
    started = time.perf_counter()
    table = spec.table
    entity, train, holdout = split_by_entity(database, links, table.holdout_fraction, table.seed)
    train = {
        name: without_orphans(frame, [r for r in links.relations if r.child == name], train)[0]
        for name, frame in train.items()
    }
    notes: list[str] = []
    if spec.keep is None and reference_tables(database, links):
        notes.append(
            "Reference tables are synthesized too: this method cannot keep a table as it is."
        )
    if hma:
        made = _hma(database, links, train, table.seed, spec.scale, progress)
    else:
        made = _argn(database, links, train, table, spec.scale, progress, notes)
    tables = _new_keys(made, database, links, table.seed)
    progress(1.0, "Done")
    real = {name: t.df for name, t in database.tables.items()}
    return LinkedResult(
        tables=tables,
        relations=links.relations,
        notes=tuple(notes),
        train=train,
        holdout=holdout,
        entity=entity,
        rules=find_set_rules(database, links),
        bounds=find_bounds(real, {n: t.schema for n, t in database.tables.items()}, links),
        seconds=time.perf_counter() - started,
    )


def _hma(
    database: Database,
    links: Links,
    train: Mapping[str, pd.DataFrame],
    seed: int,
    scale: float,
    progress: ProgressFn,
) -> dict[str, pd.DataFrame]:
    from sdv.metadata import Metadata
    from sdv.multi_table import HMASynthesizer

    progress(0.0, "SDV HMASynthesizer: learning every table at once")
    metadata = Metadata.load_from_dict(to_sdv_metadata(database, links))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            synthesizer = HMASynthesizer(metadata, verbose=False)
            synthesizer.fit(dict(train))
            progress(0.7, "SDV HMASynthesizer: sampling")
            np.random.seed(seed)  # HMA draws from numpy's global generator
            made = synthesizer.sample_scale(scale=scale)
    except Exception as exc:  # SDV's own errors (SynthesizerInputError, ...) and pandas'
        if isinstance(exc, SynthCoreError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GeneratorError(
            f"SDV's HMASynthesizer cannot make this set: {first} Use the per-table method."
        ) from exc
    return {name: made[name][list(frame.columns)] for name, frame in train.items()}


def _argn(
    database: Database,
    links: Links,
    train: Mapping[str, pd.DataFrame],
    spec: GenerationSpec,
    scale: float,
    progress: ProgressFn,
    notes: list[str],
) -> dict[str, pd.DataFrame]:
    """A flat TabularARGN for each table without a parent; a sequential one per child with its
    first parent as the context table, generated from the synthetic parent; a second parent gets
    a random synthetic row (noted)."""
    from mostlyai import engine

    from synth_core.generate.generators.argn import engine_workspace

    minutes = float(spec.params.get("max_training_minutes", ARGN_MINUTES))
    epochs = float(spec.params.get("max_epochs", 100))
    order = link_order(list(database.tables), links.relations)
    made: dict[str, pd.DataFrame] = {}
    for position, name in enumerate(order):
        report = scaled(progress, position / len(order), (position + 1) / len(order))
        report(0.0, f"TabularARGN: table {name} ({position + 1} of {len(order)})")
        frame = train[name]
        key = links.keys.get(name)
        parents = [r for r in links.relations if r.child == name]
        others = [r.child_key for r in parents[1:]]
        stopped: list[JobCancelledError] = []
        on_progress = _engine_progress(report, name, stopped)

        with engine_workspace() as folder, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            engine.set_random_state(spec.seed + position)
            try:
                if not parents:
                    engine.split(
                        workspace_dir=folder,
                        tgt_data=frame,
                        tgt_primary_key=key,
                        model_type="TABULAR",
                    )
                else:
                    first = parents[0]
                    above = [r.child_key for r in links.relations if r.child == first.parent]
                    engine.split(
                        workspace_dir=folder,
                        tgt_data=frame.drop(columns=others),
                        ctx_data=train[first.parent].drop(columns=above),
                        tgt_context_key=first.child_key,
                        ctx_primary_key=first.parent_key,
                        tgt_primary_key=key,
                        model_type="TABULAR",
                    )
                engine.analyze(workspace_dir=folder)
                engine.encode(workspace_dir=folder)
                engine.train(
                    workspace_dir=folder,
                    max_training_time=minutes,
                    max_epochs=epochs,
                    device="cpu",
                    update_progress=on_progress,
                )
                if stopped:
                    raise stopped[0]
                report(0.95, f"TabularARGN: generating {name}")
                if not parents:
                    rows = max(round(scale * len(database.tables[name].df)), 1)
                    engine.generate(workspace_dir=folder, sample_size=rows, device="cpu")
                else:
                    context = made[first.parent].drop(columns=above)
                    engine.generate(workspace_dir=folder, ctx_data=context, device="cpu")
            except (ValueError, KeyError, RuntimeError, OSError) as exc:
                raise GeneratorError(
                    f"TabularARGN could not learn {name}: {str(exc).splitlines()[0]}. Try the "
                    "per-table method."
                ) from exc
            parts = sorted(Path(folder, "SyntheticData").glob("*.parquet"))
            synthetic = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        rng = np.random.default_rng([spec.seed, position])
        for relation in parents[1:]:
            pool = made[relation.parent][relation.parent_key].to_numpy()
            synthetic[relation.child_key] = pool[rng.integers(0, len(pool), len(synthetic))]
            notes.append(
                f"{name}.{relation.child_key}: each row got a random {relation.parent} "
                "(TabularARGN takes one context table)."
            )
        made[name] = synthetic[list(frame.columns)]
    return made


def _engine_progress(report: ProgressFn, name: str, stopped: list[JobCancelledError]) -> Any:
    """The engine's progress callback: our progress, and a stop when the job is cancelled."""

    def on_progress(
        total: int | None = None, completed: int | None = None, **_: Any
    ) -> dict[str, bool] | None:
        try:
            report(completed / total if total and completed else 0.0, f"Training {name}")
        except JobCancelledError as exc:
            stopped.append(exc)
            return {"stopExecution": True}
        return None

    return on_progress


def _new_keys(
    made: Mapping[str, pd.DataFrame], database: Database, links: Links, seed: int
) -> dict[str, pd.DataFrame]:
    """Every primary key replaced by new IDs (never a real one) and every foreign key by its
    parent's new ID; a foreign key pointing at no synthetic parent becomes empty."""
    tables = {name: frame.reset_index(drop=True).copy() for name, frame in made.items()}
    renamed: dict[str, dict[str, Any]] = {}
    for position, (name, frame) in enumerate(tables.items()):
        key = links.keys.get(name)
        if key is None or key not in frame.columns:
            continue
        fresh = new_ids(database.tables[name].df[key], len(frame), seed + 101 + position)
        renamed[name] = dict(zip(key_text(frame[key]), fresh.tolist(), strict=True))
        frame[key] = fresh.to_numpy()
    for relation in links.relations:
        if relation.parent not in renamed:
            continue
        child = tables[relation.child]
        mapped = key_text(child[relation.child_key]).map(renamed[relation.parent])
        dtype = tables[relation.parent][relation.parent_key].dtype
        child[relation.child_key] = mapped.astype(dtype) if mapped.notna().all() else mapped
    return {name: tables[name][list(database.tables[name].df.columns)] for name in tables}
