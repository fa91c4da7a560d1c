"""Privacy page widgets: verdicts per metric in plain words, DCR distributions, PII replay."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from synth_core.errors import SynthCoreError
from synth_core.evaluate.evaluation import measure_privacy
from synth_core.evaluate.privacy.report import PrivacyReport, Verdict
from synth_core.generate.generators import get as get_generator
from synth_core.generate.spec import GenerationSpec, PrivacySetting
from synth_core.generate.synthesize import SynthResult
from synth_core.jobs import JobRegistry, Task
from synth_core.present.plots import dcr_figure
from synth_core.ui import jobs, state
from synth_core.ui.widgets import error_box

_BADGE = {
    Verdict.GREEN: ":green-badge[low risk]",
    Verdict.AMBER: ":orange-badge[check]",
    Verdict.RED: ":red-badge[high risk]",
    Verdict.UNCERTAIN: ":blue-badge[cannot tell]",
    Verdict.UNKNOWN: ":gray-badge[no baseline]",
}


def report_or_job(result: SynthResult, registry: JobRegistry) -> PrivacyReport | None:
    """The privacy report of this result; computed once, in the background."""
    found = state.privacy(result)
    if found is not None:
        return found
    slot = jobs.PRIVACY
    stopped = slot.error_key in st.session_state or slot.notice_key in st.session_state
    if not jobs.running(slot) and not stopped:
        try:
            jobs.start(
                registry,
                slot,
                Task(measure_privacy, (state.rows(result), state.evaluation_settings(result))),
            )
        except SynthCoreError as exc:
            error_box(exc)
    jobs.panel(registry, slot, lambda report: state.set_privacy(result, report))
    return None


def remedies(spec: GenerationSpec) -> list[str]:
    """What could make a leaky result private, for the settings it was made with."""
    info = get_generator(spec.generator)
    setting = PrivacySetting.of(spec)
    found = []
    if setting is not PrivacySetting.FILTER and setting is not PrivacySetting.DP:
        found.append("the similarity filter")
    if setting is PrivacySetting.NONE:
        found.append("PII protection")
    if info.privacy_remedy:
        found.append(info.privacy_remedy)
    if setting is not PrivacySetting.DP:
        found.append("differential privacy")
    return found


def summary(report: PrivacyReport, spec: GenerationSpec) -> None:
    worst, why = report.headline
    tries = remedies(spec)
    advice = (
        f" Try {', '.join(tries[:-1])} or {tries[-1]}."
        if len(tries) > 1
        else (f" Try {tries[0]}." if tries else "")
    )
    words = {
        Verdict.GREEN: "No sign that the synthetic rows give away the training rows beyond what "
        "unseen real rows would.",
        Verdict.AMBER: why
        or "Some metrics are borderline: read them below before sharing the data.",
        Verdict.RED: "The synthetic rows give away training rows: do not share them as they are."
        + advice,
        Verdict.UNCERTAIN: "No sign of a leak, but the holdout is too small to rule one out: "
        + (report.dcr_share.why if report.dcr_share is not None else ""),
        Verdict.UNKNOWN: "Without a holdout there is no baseline to judge against.",
    }[worst]
    show = {Verdict.GREEN: st.success, Verdict.RED: st.error, Verdict.UNCERTAIN: st.info}
    show.get(worst, st.warning)(words)
    rows = report.rows
    st.caption(
        f"{rows['synthetic']:,} synthetic rows against the {rows['training']:,} training rows they "
        f"were learnt from, with {rows['holdout']:,} holdout rows (real rows never trained on) as "
        f"the baseline. Compared columns: {', '.join(report.columns)}."
    )


def metrics(report: PrivacyReport) -> None:
    """One row per metric: value, baseline, verdict, meaning."""
    exact = report.exact_match
    st.markdown(f"**Exact copies** {_BADGE[exact.verdict]}")
    st.write(
        f"{exact.synthetic:.1%} of synthetic rows ({exact.synthetic_rows:,}) are identical to a "
        "training row"
        + (
            ""
            if exact.holdout is None
            else f"; for holdout rows it is {exact.holdout:.1%}, the share real data has anyway."
        )
    )
    share = report.dcr_share
    if share is not None:
        st.markdown(f"**DCR share** {_BADGE[share.verdict]}")
        st.write(
            f"{share.share:.1%} of synthetic rows (95% interval {share.ci_low:.1%}–"
            f"{share.ci_high:.1%}) are closer to a training row than to a holdout row: the mean "
            f"of {share.draws} draws of {share.reference_rows:,} real rows on each side. 50% is "
            "ideal: the generator did not learn the training rows any better than rows it never "
            "saw. The interval is how far this mean moves when the real rows are split between the "
            "two sides at random, so neighbouring synthetic rows that share a real row count "
            "once. A "
            "small holdout makes this less sensitive (50% holdout is best)."
        )
        st.write(f"**Verdict:** {share.why}")
    nndr = report.nndr
    st.markdown(f"**Nearest-neighbour distance ratio** {_BADGE[nndr.verdict]}")
    baseline = "" if nndr.holdout_median is None else f" (holdout rows: {nndr.holdout_median:.2f})"
    st.write(
        f"Median ratio of the distance to the closest and the second-closest training row: "
        f"{nndr.synthetic_median:.2f}{baseline}. Near 0, a synthetic row sits on one real "
        "person's row rather than between several."
    )
    mia = report.mia
    if mia is not None:
        st.markdown(f"**Membership inference** {_BADGE[mia.verdict]}")
        st.write(
            f"An attacker who ranks real rows by their distance to the nearest synthetic row "
            f"tells training rows from holdout rows with ROC AUC {mia.auc:.3f} (95% interval "
            f"{mia.ci_low:.3f}–{mia.ci_high:.3f}, {mia.rows_per_side:,} rows per side). 0.5 "
            "means the synthetic data does not reveal who was in the training set."
        )
    replay = report.pii_replay
    st.markdown(f"**Identifying values replayed** {_BADGE[replay.verdict]}")
    if not replay.columns:
        st.write(
            "No column identifies people (no personal data, ID or mostly unique text column), "
            "so there is nothing to replay."
        )
        return
    replaying = [name for name, rows in replay.columns.items() if rows]
    st.write(
        f"{replay.rows:,} synthetic rows hold a real value of a column that identifies people: "
        "personal data, IDs and every mostly unique text column, whatever its kind "
        "(compared ignoring case and spaces; the values themselves are never shown)."
        + (
            f" Replaying real values: {', '.join(repr(n) for n in replaying)}. Mark them as "
            "ID or personal data on the Data page and keep PII protection on."
            if replaying
            else ""
        )
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Column": list(replay.columns),
                "Why it identifies": [replay.why.get(n, "") for n in replay.columns],
                "Rows with a real value": list(replay.columns.values()),
            }
        ),
        hide_index=True,
    )


def attacks(report: PrivacyReport) -> None:
    """Anonymeter's three attacks, each against the holdout as control."""
    risk = report.risk
    st.markdown("**Attacks (Anonymeter)**")
    if risk is None:
        st.caption("Not run: see the notes below.")
        return
    rows = []
    for name, found, meaning in (
        (
            "Singling out",
            risk.singling_out,
            "a rule true of exactly one real person, found from the synthetic rows",
        ),
        (
            "Linkability",
            risk.linkability,
            "two partial records of the same person linked through the synthetic rows",
        ),
        (
            "Inference",
            risk.inference,
            f"a hidden value guessed from the others (worst column: {risk.inference.detail})",
        ),
    ):
        if found is None:
            continue
        rows.append(
            {
                "attack": name,
                "risk": found.value,
                "95% interval": f"{found.ci_low:.0%}–{found.ci_high:.0%}",
                "verdict": found.verdict,
                "what it tries": meaning,
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={"risk": st.column_config.NumberColumn(format="percent")},
    )
    st.caption(
        f"{risk.singling_out.attacks:,} attacks each. Risk is the attack's success on training "
        "rows beyond its success on holdout rows (0% = the synthetic data reveals nothing about "
        "the people in it beyond what it says about people in general). Red when the interval's "
        "lower end is at least 10%, amber when the estimate is."
    )


def distances(report: PrivacyReport) -> None:
    d = report.distances
    st.plotly_chart(dcr_figure(d.histogram), key="dcr_histogram")
    baseline = (
        ""
        if d.holdout_median is None
        else f"; holdout rows: median {d.holdout_median:.3f}, 5% quantile {d.holdout_p05:.3f}"
    )
    st.caption(
        f"Synthetic rows: median {d.synthetic_median:.3f}, 5% quantile {d.synthetic_p05:.3f}"
        f"{baseline}. The distance adds, over the compared columns, squared differences of "
        "numbers in standard deviations and 1 for each differing category or missing value."
    )


def details(report: PrivacyReport) -> None:
    for note in report.notes + (report.risk.notes if report.risk is not None else ()):
        st.info(note)
    with st.expander("How the verdicts are set"):
        st.markdown(
            "- Exact copies: green up to 1 percentage point above the holdout's share, amber up "
            "to 5, red above.\n"
            "- DCR share: green when the 95% interval reaches 50% or the share is at most 52%, "
            "red above 60%.\n"
            "- Nearest-neighbour ratio: green when the synthetic median is at least 90% of the "
            "holdout's, amber from 75%, red below.\n"
            "- Membership inference: green up to AUC 0.55, amber up to 0.60, red above.\n"
            "- Personal data: green only at zero.\n"
            "- Anonymeter's attacks: red when the 95% interval's lower end is at least 10%, "
            "amber when the estimate is at least 10%.\n\n"
            f"Distances use at most {report.settings['query_cap']:,} synthetic rows against at "
            f"most {report.settings['reference_cap']:,} training rows (seeded samples above that)."
        )
