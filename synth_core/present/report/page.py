"""The report as one self-contained HTML page: sections rendered from the typed results and the
disclosure-controlled content, the figures as Plotly specs, Plotly's JavaScript embedded once
(gzip, unpacked by the browser's DecompressionStream), so opening it makes no request. The page
frame, style and loader are package data: template.html, report.css, loader.js."""

from __future__ import annotations

import base64
import gzip
import html
import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from string import Template
from typing import Any

import plotly.io as pio

from synth_core.evaluate.evaluation import (
    Evaluation,
)
from synth_core.evaluate.fidelity import FidelityReport
from synth_core.evaluate.linked import LinkedEvaluation
from synth_core.evaluate.privacy.report import PrivacyReport
from synth_core.evaluate.utility import UtilityReport
from synth_core.jsonable import finite
from synth_core.present.report.content import Report, rule_text
from synth_core.present.report.disclosure import SMALL_COUNT, round_significant


@cache
def _plotly_js_gzip_base64() -> str:
    from plotly.offline import get_plotlyjs

    packed = gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


def _e(value: Any) -> str:
    return html.escape(str(value))


def _number(value: Any, form: str = ".3f") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(value, form)
    if isinstance(value, int):
        return f"{value:,}"
    return _e(value)


def _table(rows: Sequence[Mapping[str, Any]], form: str = ".3f") -> str:
    if not rows:
        return '<p class="note">Nothing to show.</p>'
    heads = list(rows[0])
    head = "".join(f"<th>{_e(h)}</th>" for h in heads)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(h), form)}</td>" for h in heads) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any, form: str) -> str:
    if isinstance(value, str) and value in ("green", "amber", "red", "cannot tell"):
        return _verdict(value)
    if isinstance(value, (list, tuple)):
        return _e(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return _e(json.dumps(value, ensure_ascii=False))
    return _number(value, form)


def _figures(report: Report, section: str, start: int) -> tuple[str, str, int]:
    """Placeholders and JSON specs of the section's figures."""
    divs, specs = [], []
    number = start
    for where, title, figure in report.figures:
        if where != section:
            continue
        spec = pio.to_json(figure, validate=False, remove_uids=True).replace("</", "<\\/")
        divs.append(
            f'<div class="figure" id="figure-{number}" data-spec="spec-{number}" '
            f'aria-label="{_e(title)}"></div>'
        )
        specs.append(f'<script type="application/json" id="spec-{number}">{spec}</script>')
        number += 1
    return "".join(divs), "".join(specs), number


def _cards(evaluation: Evaluation) -> str:
    fidelity, privacy, utility = evaluation.fidelity, evaluation.privacy, evaluation.utility
    cards = [
        ("Fidelity verdict", _e(fidelity.verdict().level)),
        ("Fidelity score", _number(finite(fidelity.quality.overall))),
        (
            "Detection ROC AUC",
            _number(None if fidelity.detection is None else finite(fidelity.detection.auc)),
        ),
    ]
    if privacy is not None:
        cards.append(("Privacy verdict", _verdict(privacy.headline[0])))
    if utility is not None:
        cards.append(("TSTR / TRTR", _number(finite(utility.ratio()))))
    return (
        '<div class="cards">'
        + "".join(f'<div class="card">{_e(label)}<b>{value}</b></div>' for label, value in cards)
        + "</div>"
    )


def _verdict(verdict: str) -> str:
    css = "-".join(verdict.split())
    return f'<span class="verdict-{_e(css)}">{_e(verdict)}</span>'


def _fidelity_html(fidelity: FidelityReport) -> str:
    q = fidelity.quality
    rows: list[dict[str, Any]] = [
        {"measure": "overall quality", "value": finite(q.overall)},
        {"measure": "column shapes", "value": finite(q.column_shapes)},
        {"measure": "pair trends", "value": finite(q.pair_trends)},
    ]
    if fidelity.baseline is not None:
        rows.append(
            {
                "measure": "holdout vs real (the best to expect)",
                "value": finite(fidelity.baseline.overall),
            }
        )
    if fidelity.detection is not None:
        rows.append(
            {
                "measure": f"detection ROC AUC ({fidelity.detection.verdict})",
                "value": finite(fidelity.detection.auc),
            }
        )
    columns = [
        {
            "column": c.name,
            "metric": c.shape.metric,
            "score": finite(c.shape.score),
            "test": c.test.test,
            "verdict": c.test.verdict,
        }
        for c in fidelity.columns
    ]
    verdict = fidelity.verdict().text.replace("**", "")
    html = f"<p>{_e(verdict)}</p>" + _table(rows) + "<h3>Columns</h3>" + _table(columns)
    if fidelity.rules is not None and fidelity.rules.checks:
        rules = [
            {
                "rule": rule_text(c),
                "real rows breaking it": f"{c.real_share:.1%}",
                "synthetic rows breaking it": f"{c.synthetic_share:.1%}",
                "synthetic rows": c.violations,
                "between the columns": "" if c.gap is None else c.gap.describe(),
            }
            for c in fidelity.rules.checks
        ]
        html += "<h3>Rules the real rows keep</h3>" + _table(rules)
    return html


def _privacy_html(privacy: PrivacyReport) -> str:
    share, mia = privacy.dcr_share, privacy.mia
    rows: list[dict[str, Any]] = [
        {
            "measure": "exact copies of training rows",
            "value": finite(privacy.exact_match.synthetic),
            "verdict": privacy.exact_match.verdict.value,
        },
        {
            "measure": "DCR share (50% is ideal)",
            "value": None if share is None else finite(share.share),
            "verdict": None if share is None else share.verdict.value,
        },
        {
            "measure": "nearest-neighbour distance ratio",
            "value": finite(privacy.nndr.synthetic_median),
            "verdict": privacy.nndr.verdict.value,
        },
        {
            "measure": "membership inference ROC AUC",
            "value": None if mia is None else finite(mia.auc),
            "verdict": None if mia is None else mia.verdict.value,
        },
        {
            "measure": "synthetic rows replaying a real identifier",
            "value": privacy.pii_replay.rows,
            "verdict": privacy.pii_replay.verdict.value,
        },
    ]
    notes = ([share.why] if share is not None and share.why else []) + list(privacy.notes)
    return _table(rows) + "".join(f'<p class="note">{_e(n)}</p>' for n in notes)


def _utility_html(utility: UtilityReport, fairness: Mapping[str, Any] | None) -> str:
    metric = utility.metric
    rows = [
        {
            "model": model.model,
            f"TSTR {metric}": finite(model.tstr[metric].value),
            f"TRTR {metric}": finite(model.trtr[metric].value),
            "ratio": finite(utility.ratio(model)),
        }
        for model in utility.models
    ]
    body = (
        f"<p>Predicting <b>{_e(utility.target)}</b> ({_e(utility.task.value)}); TSTR / TRTR "
        f"ratio {_number(finite(utility.ratio()))}.</p>" + _table(rows)
    )
    for column, values in (fairness or {}).items():  # disclosure-controlled: small groups pooled
        if column == "rare_categories_lost":
            continue
        gaps = values["synthetic_model"]["gaps"]
        body += f"<h3>Fairness by {_e(column)}</h3>" + _table(
            [
                {"gap": k, "real-trained": v, "synthetic-trained": gaps.get(k)}
                for k, v in values["real_model"]["gaps"].items()
            ]
        )
        body += _table(values["representation"])
    return body


def _columns_html(columns: Mapping[str, Any], rule: str) -> str:
    """The disclosure-controlled column summaries: medians and q05–q95 of each side."""
    summary_rows = []
    for name, values in columns.items():
        row: dict[str, Any] = {"column": name, "kind": values["kind"]}
        for side in ("real", "synthetic"):
            stats = values.get(side)
            if isinstance(stats, dict) and not stats.get("suppressed"):
                row[f"{side} median"] = stats["q50"]
                low, high = (_number(stats[k], ",.10g") for k in ("q05", "q95"))
                row[f"{side} q05–q95"] = f"{low} – {high}"
            elif values["kind"] in ("numerical", "datetime"):
                row[f"{side} median"] = "suppressed"
                row[f"{side} q05–q95"] = ""
        if "note" in values:
            row["note"] = values["note"]
        summary_rows.append(row)
    heads = sorted({k for row in summary_rows for k in row}, key=lambda k: (k != "column", k))
    summary_rows = [{h: row.get(h, "") for h in heads} for row in summary_rows]
    return f'<p class="note">{_e(rule)}</p>' + _table(summary_rows, ",.10g")


def report_html(report: Report, title: str = "Synthetic data report") -> str:
    """The report as one self-contained HTML page (no request to any server when opened)."""
    c = report.content
    parts: list[str] = []
    number = 0

    def section(key: str, heading: str, body: str) -> None:
        nonlocal number
        divs, specs, number = _figures(report, key, number)
        parts.append(f'<section id="{key}"><h2>{_e(heading)}</h2>{body}{divs}{specs}</section>')

    evaluation = report.evaluation
    data = c["data"]
    section(
        "summary",
        "Summary",
        _cards(evaluation)
        + f'<p class="note">{data["synthetic_rows"]:,} synthetic rows; learnt from '
        f"{data['real_rows']:,} real rows ({data['holdout_rows']:,} more held out); data "
        f"fingerprint <code>{_e(data['fingerprint'])}</code>.</p>",
    )
    recipe = c["recipe"]
    section(
        "recipe",
        "Recipe",
        _table([{"setting": k, "value": v} for k, v in recipe.items()])
        if recipe
        else '<p class="note">No recipe was given (the synthetic file came from elsewhere).</p>',
    )
    section("fidelity", "Fidelity", _fidelity_html(evaluation.fidelity))
    section("columns", "Distributions", _columns_html(c["columns"], c["disclosure"]["rule"]))
    if evaluation.privacy is not None:
        section(
            "privacy",
            f"Privacy (overall: {evaluation.privacy.headline[0].value})",
            (
                f"<p>{_e(evaluation.privacy.headline[1])}</p>"
                if evaluation.privacy.headline[1]
                else ""
            )
            + _privacy_html(evaluation.privacy),
        )
    if evaluation.utility is not None:
        section("utility", "Utility and fairness", _utility_html(evaluation.utility, c["fairness"]))
    return _asset("template.html").substitute(
        title=_e(title),
        style=_asset("report.css").template,
        created=_e(c["created"]),
        sections="".join(parts),
        plotly=_plotly_js_gzip_base64(),
        loader=_asset("loader.js").template,
    )


@cache
def _asset(name: str) -> Template:
    """A file of this package (the page frame, its style, the figure loader)."""
    return Template(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def linked_report_html(
    evaluation: LinkedEvaluation,
    notes: Sequence[str],
    created: str,
    title: str = "Synthetic data report: linked tables",
) -> str:
    """A set of linked tables' report as one self-contained HTML page: the set's quality, each
    table's scores, each link (keys found, children per parent, parent × child trends,
    sequences), detection per parent table and privacy per entity. Real data appears only as
    aggregates: a share of parent rows that stands for fewer than SMALL_COUNT rows is left out."""
    found = evaluation
    cards = [
        ("Quality (multi-table)", _number(finite(found.overall))),
        ("Column shapes", _number(finite(found.column_shapes))),
        ("Column pair trends", _number(finite(found.pair_trends))),
        ("Children per parent", _number(finite(found.cardinality))),
        ("Intertable trends", _number(finite(found.intertable))),
    ]
    parts = [
        '<section id="summary"><h2>Summary</h2><div class="cards">'
        + "".join(f'<div class="card">{_e(label)}<b>{value}</b></div>' for label, value in cards)
        + '</div><p class="note">As SDMetrics\' multi-table QualityReport defines them, '
        "synthetic tables against every real row (the held-out entities included; they are "
        "compared apart under Privacy).</p></section>",
        '<section id="tables"><h2>Tables</h2>'
        + _table(
            [
                {
                    "table": name,
                    "quality": finite(q.overall),
                    "column shapes": finite(q.column_shapes),
                    "column pair trends": finite(q.pair_trends),
                    "detection ROC AUC (rows with their children)": found.detection.get(name),
                    "made": "kept as it is" if name in found.kept else "synthesized",
                }
                for name, q in found.tables.items()
            ]
        )
        + "</section>",
    ]
    links = []
    for score in found.links:
        rows = []
        for label, real_share, synthetic_share in score.counts:
            small = real_share * score.real_parents < SMALL_COUNT
            rows.append(
                {
                    "children": label,
                    "real parents": (
                        f"(under {SMALL_COUNT} rows)" if small else round_significant(real_share)
                    ),
                    "synthetic parents": round_significant(synthetic_share),
                }
            )
        sequence = score.sequences.score if score.sequences is not None else None
        links.append(
            f"<h3>{_e(score.label)}</h3>"
            + _table(
                [
                    {"measure": "keys found in the parent", "value": score.integrity},
                    {"measure": "children per parent (score)", "value": score.cardinality},
                    {"measure": "parent × child trends", "value": score.trends},
                    {"measure": "sequence coherence", "value": sequence},
                    {"measure": "parents without children, real", "value": score.zero_real},
                    {
                        "measure": "parents without children, synthetic",
                        "value": score.zero_synthetic,
                    },
                ]
            )
            + _table(rows)
            + f'<p class="note">Shares of parent rows with each number of children; a real '
            f"share standing for fewer than {SMALL_COUNT} rows is not shown.</p>"
        )
    parts.append('<section id="links"><h2>Links</h2>' + "".join(links) + "</section>")
    if found.rules:
        parts.append(
            '<section id="rules"><h2>Rules across tables</h2>'
            + _table(
                [
                    {
                        "rule": c.rule,
                        "evidence": c.evidence,
                        "real": c.real,
                        "synthetic": c.synthetic,
                        "kept": {True: "yes", False: "no", None: "n/a"}[c.kept],
                    }
                    for c in found.rules
                ]
            )
            + '<p class="note">Shares of rows (or parent rows) keeping each rule; for two '
            "paths to one row, how often they lead to the same row.</p></section>"
        )
    if found.replayed:
        parts.append(
            '<section id="replayed"><h2>Identifiers replayed</h2>'
            + _table(
                [
                    {
                        "column": f"{r.table}.{r.column}",
                        "why": r.why,
                        "synthetic rows holding a value of one real row": r.rows,
                        "share": r.share,
                    }
                    for r in found.replayed
                ]
            )
            + "</section>"
        )
    privacy = found.privacy
    if privacy is not None:
        parts.append(
            '<section id="privacy"><h2>Privacy per entity</h2>'
            + _table(
                [
                    {"measure": "entity table", "value": privacy.entity},
                    {"measure": "DCR share", "value": privacy.dcr.share},
                    {"measure": "verdict", "value": str(privacy.dcr.verdict)},
                    {
                        "measure": "synthetic entities equal to a training one",
                        "value": privacy.exact_synthetic,
                    },
                    {
                        "measure": "held-out entities equal to a training one",
                        "value": privacy.exact_holdout,
                    },
                ]
            )
            + f"<p>{_e(privacy.dcr.why)}</p></section>"
        )
    if notes:
        parts.append(
            '<section id="notes"><h2>How the set was made</h2><ul>'
            + "".join(f"<li>{_e(n)}</li>" for n in dict.fromkeys(notes))
            + "</ul></section>"
        )
    return _asset("template.html").substitute(
        title=_e(title),
        style=_asset("report.css").template,
        created=_e(created),
        sections="".join(parts),
        plotly=_plotly_js_gzip_base64(),
        loader=_asset("loader.js").template,
    )
