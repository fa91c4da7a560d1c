"""Figures of the other pages' results: training losses, the DCR histogram, the privacy–
utility curve, feature importance, augmentation, model collapse and the generator comparison."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from synth_core.evaluate.privacy.report import Histogram as DcrHistogram
from synth_core.experiments.augment import AugmentationReport
from synth_core.experiments.collapse import CollapseResult
from synth_core.experiments.curve import PrivacyUtilityCurve
from synth_core.present.plots.style import (
    REAL_COLOUR,
    SYNTHETIC_COLOUR,
    SYNTHETIC_LABEL,
    layout,
)
from synth_core.workflows.compare import GeneratorComparison


def loss_figure(losses: Sequence[Mapping[str, float]]) -> go.Figure:
    """Training losses per epoch (one line per loss; figures stay small at any size)."""
    figure = go.Figure()
    names = [k for k in (losses[0] if losses else {}) if k != "epoch"]
    epochs = [row.get("epoch", i + 1) for i, row in enumerate(losses)]
    for name in names:
        figure.add_trace(
            go.Scatter(
                x=epochs,
                y=[round(row.get(name, float("nan")), 5) for row in losses],
                mode="lines",
                name=f"{name} loss",
            )
        )
    return layout(figure, "Training losses", "epoch", "loss")


def dcr_figure(histogram: DcrHistogram) -> go.Figure:
    """Distances to the closest training row: synthetic rows beside unseen real (holdout) rows,
    as shares per bin. A synthetic pile-up near 0 that the holdout does not have is a leak."""
    edges = np.asarray(histogram.edges)
    centres = np.round((edges[:-1] + edges[1:]) / 2, 10).tolist()
    widths = np.diff(edges).tolist()
    figure = go.Figure()
    series = [(SYNTHETIC_LABEL, histogram.synthetic, SYNTHETIC_COLOUR)]
    if histogram.holdout:
        series.insert(0, ("real holdout rows (never trained on)", histogram.holdout, REAL_COLOUR))
    for label, counts, colour in series:
        total = max(sum(counts), 1)
        figure.add_trace(
            go.Bar(
                x=centres,
                y=[c / total for c in counts],
                width=widths,
                name=label,
                marker_color=colour,
                opacity=0.6,
            )
        )
    figure.update_layout(barmode="overlay")
    figure.update_yaxes(tickformat=".0%")
    return layout(
        figure,
        "Distance to the closest training row",
        "mixed-type distance (scaled numbers, category mismatches)",
        "share of rows",
    )


def privacy_utility_figure(curve: PrivacyUtilityCurve) -> go.Figure:
    """Fidelity (and the membership-inference AUC) against ε on a log axis; the non-DP
    generator as dashed reference lines."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    x = [p.epsilon for p in curve.points]
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[p.overall for p in curve.points],
            mode="lines+markers",
            name="fidelity (overall quality)",
            line={"color": SYNTHETIC_COLOUR},
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[p.mia_auc for p in curve.points],
            mode="lines+markers",
            name="membership-inference AUC",
            line={"color": REAL_COLOUR},
        ),
        secondary_y=True,
    )
    reference = curve.reference
    if reference is not None and reference.overall is not None:
        figure.add_hline(
            y=reference.overall,
            line_dash="dash",
            line_color=SYNTHETIC_COLOUR,
            annotation_text=f"{reference.label}, no DP",
        )
    figure.update_xaxes(type="log", title_text="ε (log scale)")
    figure.update_yaxes(title_text="fidelity", range=[0, 1], secondary_y=False)
    figure.update_yaxes(title_text="MIA AUC (0.5 = no signal)", range=[0.3, 1], secondary_y=True)
    return layout(figure, "Privacy–utility curve", "ε (log scale)", "fidelity")


def importance_figure(real: Mapping[str, float], synthetic: Mapping[str, float]) -> go.Figure:
    """Permutation importance per column: the real-trained model beside the synthetic-trained
    one (a column the synthetic model ignores lost its relation to the target)."""
    names = sorted(real, key=lambda n: real[n], reverse=True)[:20]
    figure = go.Figure()
    for label, values, colour in (
        ("trained on real rows", real, REAL_COLOUR),
        ("trained on synthetic rows", synthetic, SYNTHETIC_COLOUR),
    ):
        figure.add_trace(
            go.Bar(
                y=names,
                x=[values.get(n, 0.0) for n in names],
                orientation="h",
                name=label,
                marker_color=colour,
            )
        )
    figure.update_layout(barmode="group", yaxis={"autorange": "reversed"})
    return layout(figure, "What each model relies on", "drop in score when shuffled", "")


def augmentation_figure(report: AugmentationReport, metric: str = "recall") -> go.Figure:
    """A metric on the real holdout against the number of rows added to the real training
    rows: synthetic rows beside oversampled real rows, with 95% intervals as bands."""
    figure = go.Figure()
    for method, colour in (("synthetic", SYNTHETIC_COLOUR), ("oversampled real", REAL_COLOUR)):
        curve = report.curve(method, metric)
        if not curve:
            continue
        x = [n for n, _ in curve]
        low = [s.ci_low for _, s in curve]
        high = [s.ci_high for _, s in curve]
        figure.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=high + low[::-1],
                fill="toself",
                mode="lines",
                fillcolor=colour,
                opacity=0.15,
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[s.value for _, s in curve],
                mode="lines+markers",
                name=f"{method} rows added",
                line={"color": colour},
            )
        )
    words = metric.replace("_", " ")
    return layout(
        figure,
        f"{words.capitalize()} on real holdout rows as rows of {report.condition} are added",
        "rows added to the real training rows",
        words,
    )


COLLAPSE_METRICS = {
    "mean_ks": "mean KS distance (numbers; 0 = same distribution)",
    "mean_tvd": "mean total variation distance (categories)",
    "std_ratio": "spread: synthetic / real standard deviation",
    "tail_coverage": "tails kept (1 = as much beyond the real 5th/95th percentiles)",
    "categories_kept": "real categories still present",
    "rare_categories_kept": "rare categories (<1%) still present",
    "correlation_distance": "mean |difference| of correlations",
    "detection_auc": "detection ROC AUC (0.5 = indistinguishable from real)",
    "tstr": "TSTR: a model trained on the generation, tested on real rows",
}


_REGIME_COLOURS = {"replace": "#E45756", "accumulate": "#4C78A8", "mix": "#54A24B"}


_BAND_COLOURS = {
    "replace": "rgba(228,87,86,0.18)",
    "accumulate": "rgba(76,120,168,0.18)",
    "mix": "rgba(84,162,75,0.18)",
}


def collapse_figure(result: CollapseResult, metric: str) -> go.Figure:
    """One metric against the generation, one line per regime (the mean over runs), with the
    band from the lowest to the highest run when there were several."""
    figure = go.Figure()
    for regime, metrics in result.regimes.items():
        generations = [m.generation for m in metrics]
        means, lows, highs = result.band(regime, metric)
        if result.runs:
            figure.add_trace(
                go.Scatter(
                    x=generations + generations[::-1],
                    y=highs + lows[::-1],
                    fill="toself",
                    fillcolor=_BAND_COLOURS.get(regime, "rgba(0,0,0,0.1)"),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{regime} (runs)",
                )
            )
        figure.add_trace(
            go.Scatter(
                x=generations,
                y=means,
                mode="lines+markers",
                name=regime,
                line={"color": _REGIME_COLOURS.get(regime)},
            )
        )
    if metric == "tstr" and result.trtr is not None:
        figure.add_hline(
            y=result.trtr,
            line={"dash": "dot", "color": "#555"},
            annotation_text=f"trained on real ({result.trtr:.3f})",
        )
    words = COLLAPSE_METRICS.get(metric, metric)
    if metric == "tstr" and result.tstr_metric:
        words = f"TSTR {result.tstr_metric} for '{result.target}'"
    return layout(figure, words[:1].upper() + words[1:], "generation", "")


def snapshot_figure(result: CollapseResult, column: str) -> go.Figure:
    """Small multiples: ``column`` at generations 0, k/2 and the last (columns) for each
    regime (rows), the real distribution as a grey outline in every panel."""
    regimes = [r for r in result.snapshots if result.snapshots[r]]
    generations = result.snapshot_generations
    figure = make_subplots(
        rows=len(regimes),
        cols=len(generations),
        shared_xaxes=True,
        shared_yaxes=True,
        column_titles=[f"generation {g}" for g in generations],
        row_titles=regimes,
        vertical_spacing=0.06,
        horizontal_spacing=0.03,
    )
    real = result.real_snapshots.get(column)
    for row, regime in enumerate(regimes, start=1):
        for col, generation in enumerate(generations, start=1):
            shot = result.snapshots[regime].get(generation, {}).get(column)
            first = row == 1 and col == 1
            for snapshot, name, style in (
                (real, "real", {"marker_color": "rgba(0,0,0,0)", "marker_line_color": "#555"}),
                (shot, regime, {"marker_color": _REGIME_COLOURS.get(regime, "#888")}),
            ):
                if snapshot is None:
                    continue
                if snapshot.edges:
                    edges = np.array(snapshot.edges)
                    x: list[float] | list[str] = list((edges[:-1] + edges[1:]) / 2)
                    width: list[float] | None = list(np.diff(edges))
                else:
                    x, width = list(snapshot.labels), None
                figure.add_trace(
                    go.Bar(
                        x=x,
                        y=list(snapshot.shares),
                        width=width,
                        name=name,
                        showlegend=first or (name != "real" and col == 1),
                        marker_line_width=1 if name == "real" else 0,
                        opacity=0.75 if name != "real" else 1.0,
                        **style,
                    ),
                    row=row,
                    col=col,
                )
    figure.update_layout(
        barmode="overlay",
        title={"text": f"'{column}' over the generations (share of rows)", "x": 0.0},
        height=170 * max(len(regimes), 1) + 90,
        margin={"l": 50, "r": 30, "t": 80, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "xanchor": "right", "x": 1.0},
        bargap=0.0,
    )
    return figure


def collapse_overview(
    result: CollapseResult,
    metrics: Sequence[str] = ("mean_ks", "std_ratio", "tail_coverage", "detection_auc"),
) -> go.Figure:
    """Several collapse metrics side by side (two per row), one line per regime."""
    rows = (len(metrics) + 1) // 2
    titles = [COLLAPSE_METRICS.get(m, m) for m in metrics]
    figure = make_subplots(rows=rows, cols=2, subplot_titles=titles, vertical_spacing=0.14)
    for position, metric in enumerate(metrics):
        single = collapse_figure(result, metric)
        for trace in single.data:
            trace.showlegend = position == 0 and trace.showlegend is not False
            figure.add_trace(trace, row=position // 2 + 1, col=position % 2 + 1)
        figure.update_xaxes(title_text="generation", row=position // 2 + 1, col=position % 2 + 1)
    figure.update_layout(
        height=300 * rows + 60,
        width=1000,
        margin={"l": 50, "r": 20, "t": 90, "b": 40},
        title={
            "text": f"{result.generator}, {result.generations} generations of "
            f"{result.sample_size:,} rows",
            "x": 0.0,
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.05, "xanchor": "right", "x": 1.0},
    )
    for annotation in figure.layout.annotations:
        annotation.font.size = 12
    return figure


_GATE_SYMBOLS = {"passes": "circle", "cannot tell": "diamond-open", "fails": "x"}


_GENERATOR_COLOURS = qualitative.T10  # plotly's Tableau palette, one colour per generator


def comparison_figure(comparison: GeneratorComparison) -> go.Figure:
    """What the recommendation uses: detection AUC (how well a classifier tells the synthetic
    rows from real ones; 0.5 cannot) against seconds per generator, with each one's quality in
    its legend entry. Each generator is a legend entry (so names never overlap on the plot)
    whose marker says the privacy gate: a dot passes, an open diamond cannot be judged with
    this holdout, a cross fails; the recommended one is named so. The time axis is logarithmic
    with a label at every decade; the hover shows quality, copies, DCR share and why it was not
    chosen."""
    figure = go.Figure()
    measured = [
        s for s in comparison.scores if s.status.value == "ok" and s.detection_auc is not None
    ]
    for position, s in enumerate(measured):
        gate, _ = s.gate
        chosen = s.name == comparison.recommended
        quality = f"quality {s.quality:.3f}, " if s.quality is not None else ""
        figure.add_trace(
            go.Scatter(
                x=[max(s.seconds, 0.01)],
                y=[s.detection_auc],
                mode="markers",
                marker={
                    "size": 19 if chosen else 15,
                    "symbol": _GATE_SYMBOLS.get(gate.value, "circle"),
                    "color": _GENERATOR_COLOURS[position % len(_GENERATOR_COLOURS)],
                    "line": {"width": 2},
                },
                name=("recommended: " if chosen else "") + f"{s.name} ({quality}{gate.value})",
                customdata=[
                    [
                        s.quality if s.quality is not None else float("nan"),
                        (s.exact_match_rate or 0.0) * 100,
                        (s.dcr_share or 0.0) * 100,
                        "recommended" if chosen else comparison.why_not(s.name),
                    ]
                ],
                hovertemplate=(
                    f"{s.name}<br>detection AUC %{{y:.3f}}<br>%{{x:.1f}} s<br>quality "
                    "%{customdata[0]:.3f}<br>copies %{customdata[1]:.2f}%<br>DCR share "
                    "%{customdata[2]:.1f}%<br>%{customdata[3]}<extra></extra>"
                ),
            )
        )
    layout(
        figure,
        "Detection AUC against time (lower: harder to tell from real rows)",
        "seconds to fit and sample (log scale)",
        "detection AUC (0.5: cannot tell)",
    )
    figure.update_layout(
        legend={"orientation": "v", "y": 0.5, "yanchor": "middle", "x": 1.02, "xanchor": "left"}
    )
    seconds = [max(s.seconds, 0.01) for s in measured] or [1.0]
    low = math.floor(math.log10(min(seconds) / 1.5))
    high = math.ceil(math.log10(max(seconds) * 1.5))
    decades = [10.0**k for k in range(low, high + 1)]
    figure.update_xaxes(
        type="log",
        range=[low, high],
        tickvals=decades,
        ticktext=[_seconds_label(d) for d in decades],
    )
    return figure


def _seconds_label(seconds: float) -> str:
    return f"{seconds:g} s" if seconds < 1 else f"{seconds:,.0f} s"
