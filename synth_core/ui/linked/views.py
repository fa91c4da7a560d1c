"""What a generated set shows: the result with its notes, a preview per table, the zip, the
report and the recipe (Generate and Export pages); its quality, tables, links, rules across
tables and detection (Fidelity); privacy per entity and identifiers replayed (Privacy)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from synth_core.data.database import Database, Links
from synth_core.data.io.export import readable_frame
from synth_core.evaluate.linked import LinkedEvaluation, LinkScore
from synth_core.generate.linked import METHODS
from synth_core.generate.linked.recipe import make_linked_recipe
from synth_core.present import plots
from synth_core.present.report import linked_report_html
from synth_core.workflows.linked import LinkedMeasured

PREVIEW = "linked_preview"
PREVIEW_ROWS = 200


def result_view(database: Database, links: Links, measured: LinkedMeasured) -> None:
    """What was made: sizes, integrity, notes, a preview per table and the zip."""
    found, made, spec = measured.evaluation, measured.result, measured.spec
    st.subheader("The synthetic set")
    columns = st.columns(4)
    columns[0].metric("Tables", len(made.tables))
    columns[1].metric("Rows", f"{sum(len(f) for f in made.tables.values()):,}")
    worst = min((s.integrity for s in found.links), default=1.0)
    columns[2].metric(
        "Links that hold", f"{worst:.0%}", help="The worst link's share of keys found"
    )
    kept = [c for c in found.rules if c.kept is not None]
    columns[3].metric(
        "Rules across tables kept",
        f"{sum(bool(c.kept) for c in kept)} of {len(kept)}",
        help="Rows per parent, two paths to one row, dates along paths: see the Fidelity page",
    )
    method = METHODS[spec.method]
    st.caption(
        (spec.table.generator if method.per_table else method.label.split(" (")[0])
        + f", seed {spec.seed}, ×{spec.scale:g}"
        + (f", kept as they are: {', '.join(made.kept)}" if made.kept else "")
        + f", made in {made.seconds:.1f} s; quality {found.overall:.3f} (SDMetrics' multi-table "
        "report, against every real row: see the Fidelity page)."
    )
    if made.notes:
        with st.expander(f"Notes ({len(made.notes)})"):
            st.markdown("\n".join(f"- {note}" for note in dict.fromkeys(made.notes)))
    chosen = str(st.selectbox("Preview a table", list(made.tables), key=PREVIEW))
    frame = made.tables[chosen]
    st.caption(f"{len(frame):,} rows (real: {len(database.tables[chosen].df):,}).")
    schema = database.tables[chosen].schema
    st.dataframe(readable_frame(frame.head(PREVIEW_ROWS), schema), hide_index=True)
    export_view(database, measured)
    st.download_button(
        "Save the recipe (JSON)",
        make_linked_recipe(database, links, spec).to_json(),
        file_name="linked_recipe.json",
        mime="application/json",
        key="linked_recipe_save",
    )


def export_view(database: Database, measured: LinkedMeasured) -> None:
    """The zip: one file per table, the real files' names and formats; and the report."""
    st.download_button(
        "Download every table (zip)",
        measured.zip_bytes(database),
        file_name="synthetic_tables.zip",
        mime="application/zip",
        key="linked_zip",
    )
    st.caption(
        "One file per table, named and formatted as the real one (CSV, TSV, gzip; a SQLite "
        "table as CSV), keys new and every link pointing at a synthetic row."
    )
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    st.download_button(
        "Download the report (HTML)",
        linked_report_html(measured.evaluation, measured.result.notes, created),
        file_name="linked_tables_report.html",
        mime="text/html",
        key="linked_report",
    )


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def fidelity_view(measured: LinkedMeasured) -> None:
    """The set's quality, then tables, links, rules across tables and detection."""
    found = measured.evaluation
    columns = st.columns(5)
    for column, (label, value) in zip(
        columns,
        (
            ("Quality", found.overall),
            ("Column shapes", found.column_shapes),
            ("Column pair trends", found.pair_trends),
            ("Children per parent", found.cardinality),
            ("Intertable trends", found.intertable),
        ),
        strict=True,
    ):
        column.metric(label, _number(value))
    held = sum(found.held_out.values())
    st.caption(
        "As SDMetrics' multi-table QualityReport defines them (the mean of the four parts), "
        f"synthetic tables against every real row ({sum(found.real_rows.values()):,}"
        + (
            f", of which {held:,} belong to the entities held out: they are compared apart on "
            "the Privacy page"
            if held
            else ""
        )
        + "); keys are not compared."
    )
    tables, links, rules, detection = st.tabs(
        ["Tables", "Links", "Rules across tables", "Detection"]
    )
    with tables:
        _tables_view(found)
    with links:
        for score in found.links:
            link_view(score)
    with rules:
        _rules_view(found)
    with detection:
        _detection_view(found)


def _tables_view(found: LinkedEvaluation) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "table": name,
                    "made": "kept as it is" if name in found.kept else "synthesized",
                    "real rows": found.real_rows.get(name),
                    "quality": q.overall,
                    "column shapes": q.column_shapes,
                    "column pair trends": q.pair_trends,
                }
                for name, q in found.tables.items()
            ]
        ),
        hide_index=True,
    )
    if not found.tables:
        return
    chosen = st.selectbox("Table", list(found.tables), key="linked_fidelity_table")
    quality = found.tables[str(chosen)]
    st.dataframe(
        pd.DataFrame(
            [{"column": s.column, "metric": s.metric, "score": s.score} for s in quality.shapes]
        ),
        hide_index=True,
    )


def link_view(score: LinkScore) -> None:
    """One link: integrity, children per parent (by type too), parent × child trends,
    sequences."""
    r = score.relation
    st.markdown(f"**{score.label}**")
    columns = st.columns(4)
    columns[0].metric("Keys found in the parent", f"{score.integrity:.1%}")
    columns[1].metric("Children per parent (score)", _number(score.cardinality))
    columns[2].metric(
        f"{r.parent} rows without {r.child} (real: {score.zero_real:.1%})",
        f"{score.zero_synthetic:.1%}",
    )
    columns[3].metric("Parent × child trends", _number(score.trends))
    if score.counts:
        st.plotly_chart(plots.children_figure(score), key=f"children_{score.label}")
    if score.by_type:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        f"{r.child}.{score.type_column}": t.value,
                        f"per {r.parent}, real": t.mean_real,
                        f"per {r.parent}, synthetic": t.mean_synthetic,
                        "score (1 - KS)": t.cardinality,
                    }
                    for t in score.by_type
                ]
            ),
            hide_index=True,
        )
    counted = [p for p in score.pairs if p.counted and p.score is not None]
    if counted:
        with st.expander(f"Parent column × child column ({len(counted)} related pairs)"):
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "parent column": p.second if p.second.startswith(r.parent) else p.first,
                            "child column": p.first if p.second.startswith(r.parent) else p.second,
                            "metric": p.metric,
                            "score": p.score,
                        }
                        for p in sorted(counted, key=lambda p: p.score or 0.0)
                    ]
                ),
                hide_index=True,
            )
    if score.sequences is not None and score.sequences.score is not None:
        st.caption(
            f"Sequences (children in order of '{score.sequences.order}'): coherence "
            f"{score.sequences.score:.3f} — distinct values per sequence and consecutive "
            "pairs, real against synthetic (1 is the same)."
        )


def _rules_view(found: LinkedEvaluation) -> None:
    if not found.rules:
        st.info("The real set keeps no rule across its tables beyond its links.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "kind": str(c.kind),
                    "rule": c.rule,
                    "real": _share(c.real),
                    "synthetic": _share(c.synthetic),
                    "kept": {True: "yes", False: "no", None: "n/a"}[c.kept],
                    "evidence": c.evidence,
                }
                for c in found.rules
            ]
        ),
        hide_index=True,
    )
    st.caption(
        "Shares of rows (for rows per parent: of parent rows) that keep each rule, in the whole "
        "real set and in the synthetic one; for two paths to one row, how often they lead to "
        "the same row (kept within 5 points)."
    )


def _detection_view(found: LinkedEvaluation) -> None:
    if not found.detection:
        st.info("Too few rows in every table to tell real from synthetic rows.")
        return
    st.dataframe(
        pd.DataFrame(
            [{"table": name, "detection ROC AUC": auc} for name, auc in found.detection.items()]
        ),
        hide_index=True,
    )
    st.caption(
        "How well a classifier tells real rows, each with a summary of its children (their "
        "number and the mean of each numeric column), from synthetic ones: 0.5 is not at all, "
        "1.0 always. Tables kept as they are are not measured."
    )


def privacy_view(measured: LinkedMeasured) -> None:
    """Identifiers replayed in any table; the DCR share and exact copies of whole entities
    against the held-out ones."""
    found = measured.evaluation
    replayed = [r for r in found.replayed if r.rows]
    if replayed:
        listed = ", ".join(
            f"{r.table}.{r.column} in {r.rows:,} rows ({r.share:.1%})" for r in replayed
        )
        st.error(
            f"Values that belong to one real row (identifiers, rare names) replayed: {listed}."
        )
    elif found.replayed:
        st.success(
            "No synthetic row holds a value that belongs to one real row, in the "
            f"{len(found.replayed)} identifying column(s) of the set."
        )
    privacy = found.privacy
    if privacy is None:
        st.info(
            "No entities were held out, so privacy per entity cannot be measured: generate the "
            "set again with a share of entities held out (the Generate page's slider)."
        )
        return
    dcr = privacy.dcr
    st.caption(
        f"Each {privacy.entity} row with a summary of its child rows (their number, and the "
        f"mean of each of their numeric columns) is one entity. {privacy.holdout:,} real "
        f"entities were held out with all their rows; {privacy.records:,} synthetic entities "
        "are compared with the training and the held-out ones."
    )
    columns = st.columns(3)
    columns[0].metric(
        "DCR share (closer to training than holdout)",
        f"{dcr.share:.1%}",
        help="50% is what unseen real entities get; far above means synthetic entities sit "
        "near training entities.",
    )
    columns[1].metric(
        "Synthetic entities identical to a training one", f"{privacy.exact_synthetic:.1%}"
    )
    columns[2].metric(
        "Held-out entities identical to a training one", f"{privacy.exact_holdout:.1%}"
    )
    verdict = str(dcr.verdict)
    box = {"green": st.success, "amber": st.warning, "red": st.error}.get(verdict, st.info)
    box(dcr.why or verdict)
