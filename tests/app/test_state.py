"""Session state's registry: every key the pages share has a scope, and what makes it stale
clears it (a new table: the table's keys and the result's; a new result: the result's)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from synth_core.ui import jobs, state


def _switch_tables() -> None:
    import streamlit as st

    from synth_core.ui import jobs, state  # noqa: F401  (jobs registers its message keys)

    state.source()  # the first sample table
    if st.session_state.get("switch"):
        state.choose_source(state.Source("other.csv", b"a,b\n1,2\n3,4\n"))


def test_a_new_table_clears_its_keys_and_the_results() -> None:
    at = AppTest.from_function(_switch_tables).run()
    kept = {state.SEED: 7, state.HOLDOUT: 30, state.PRIVACY_SETTING: "filter"}
    stale = {
        state.UTILITY_TARGET: "charges",  # a column of the old table
        state.UTILITY_SENSITIVE: ["sex"],
        state.GENERATOR: "tvae",
        state.MORE_ROWS: 99,
        jobs.PRIVACY.notice_key: "Measuring privacy was cancelled, as you asked.",
        "param_cart_min_samples_leaf": 80,
    }
    for name, value in {**kept, **stale}.items():
        at.session_state[name] = value
    at.session_state["switch"] = True
    at.run()
    assert not at.exception
    for name in stale:
        assert name not in at.session_state, name
    for name, value in kept.items():
        assert at.session_state[name] == value


def test_result_scoped_keys_are_the_results_job_messages_and_sample_again() -> None:
    stale = [
        name
        for name in (*state.KEYS, "param_x", "rule_y")
        if state._stale(name, (state.Scope.RESULT,))
    ]
    assert {jobs.PRIVACY.notice_key, jobs.PRIVACY.error_key, state.MORE_ROWS} <= set(stale)
    assert jobs.GENERATION.error_key not in stale  # the generation's own failure stays shown
    assert state.UTILITY_TARGET not in stale  # a column choice outlives a new result
