"""Generate-page editors: constraints every row must follow, and what rows to generate (plain
rows, fixed values, a rebalanced column, a tail, or a scenario plan with quotas per leaf)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from synth_core.data.convert import render_text
from synth_core.data.schema import ColumnKind
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError
from synth_core.generate import conditions
from synth_core.generate import constraints as rules
from synth_core.generate.conditions import RowRequest, ScenarioLevel
from synth_core.generate.constraints import Constraint
from synth_core.generate.discover import Found, group_rules
from synth_core.ui import state
from synth_core.ui.widgets import default, error_box

PLAIN = "Rows like the real data"
FIXED = "Fixed values"
REBALANCE = "Rebalance a column"
TAIL = "Tail of a numeric column"
SCENARIO = "Scenario plan"
RECIPE = "Conditions from the recipe"
MAX_LEVELS = 3
MAX_BRANCH_VALUES = 12
MAX_CHOICES = 200
MAX_REBALANCE_LEVELS = 50
_DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
_ORDERED = (ColumnKind.NUMERICAL, ColumnKind.DATETIME)
_RULES = {
    "A > B (e.g. dropoff after pickup)": "greater",
    "Value range": "range",
    "Positive values": "positive",
    "Fixed combinations of categories": "combinations",
}


def _columns(table: Table, kinds: tuple[ColumnKind, ...]) -> list[str]:
    return [c.name for c in table.schema if c.kind in kinds]


def _values(series: pd.Series) -> list[Any]:
    """Distinct values, most frequent first, as plain Python values."""
    counts = series.dropna().value_counts()
    return [v.item() if hasattr(v, "item") else v for v in counts.index[:MAX_CHOICES]]


def _as_in_file(table: Table, name: str) -> Callable[[Any], str]:
    """Show values as the file writes them (e.g. yes/no rather than True/False)."""
    column = table.schema[name]

    def shown(value: Any) -> str:
        return str(render_text(pd.Series([value], dtype=table.df[name].dtype), column).iloc[0])

    return shown


def rule_key(constraint: Constraint) -> str:
    """The session key of a found rule's checkbox (recipes set it too)."""
    text = json.dumps(rules.to_dict(constraint), sort_keys=True, default=str)
    return "rule_" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def rules_editor(table: Table, holdout: float, seed: int, dp: bool) -> tuple[Constraint, ...]:
    """Rules found in the training rows, grouped for review: the ones that change values (each
    with a checkbox), orders as chains (one checkbox a chain), bounds in one table; all on for
    rules that hold in every row. The ticked ones are kept as constraints."""
    found = state.discovery(table, holdout, seed)
    exact = found.exact
    near = [r for r in found.rules if not r.exact]
    groups = group_rules(exact)
    for rule in exact:
        default(rule_key(rule.constraint), True)
    chosen = [
        r.constraint for r in exact if not dp and bool(st.session_state[rule_key(r.constraint)])
    ]
    title = f"Rules found in your data ({len(chosen)} of {len(exact)} kept)"
    with st.expander(title if exact else "Rules found in your data (none)"):
        if dp:
            st.info(
                "Under differential privacy no rule found in the data is kept: finding them "
                "reads the real rows outside the privacy budget. Write ranges, sums or A > B "
                "rules you know as constraints below."
            )
        elif exact:
            st.caption(
                f"Found in the {found.rows:,} training rows (the holdout is left out) and counted "
                "again on every row: each holds in all of them. Kept rules are tried on the "
                "model's own rows first (one that would push a column away from the real one is "
                "not applied, and the notes say so); then synthetic rows are repaired where a "
                "rule says how and otherwise drawn again, and the notes count what each changed. "
                "Untick a rule to let the generator break it."
            )
        if groups.changing:
            st.markdown(
                "**Rules that change values** (repairs: copies, sums, parts of a date, ...)"
            )
            for rule in groups.changing:
                st.checkbox(
                    f"{rule.text}  \n:grey[{rule.evidence()}]",
                    key=rule_key(rule.constraint),
                    disabled=dp,
                    persist_state="session",
                )
        if groups.orders:
            st.markdown("**Orders** (rows that break one are swapped or drawn again)")
            for chain in groups.orders:
                keys = [rule_key(r.constraint) for r in chain.rules]
                widget = (
                    "chain_" + hashlib.blake2b("|".join(keys).encode(), digest_size=8).hexdigest()
                )
                st.session_state[widget] = all(bool(st.session_state[k]) for k in keys)
                st.checkbox(
                    chain.text,
                    key=widget,
                    disabled=dp,
                    on_change=_tick_all,
                    args=(widget, tuple(keys)),
                    help="; ".join(f"{r.text}: {r.evidence()}" for r in chain.rules),
                )
        if groups.bounds:
            st.markdown("**Bounds** (values outside the real range are drawn again)")
            _bounds_table(groups.bounds, dp)
        for rule in near:
            st.caption(
                f"Not kept — {rule.text}: {rule.evidence()} (a kept rule must hold in every "
                "row; write it as a constraint after fixing those rows)."
            )
        if not found.rules:
            st.caption("No order, sum, dependency, bound or missing-value rule was found.")
        st.caption(f"Searched: {found.searched} ({found.seconds:.2f} s).")
    return tuple(chosen)


def _tick_all(widget: str, keys: tuple[str, ...]) -> None:
    for key in keys:
        st.session_state[key] = bool(st.session_state[widget])


def _bounds_table(bounds: tuple[Found, ...], dp: bool) -> None:
    """Every bound in one table with a 'keep' column; edits go to each rule's key."""
    keys = [rule_key(r.constraint) for r in bounds]
    frame = pd.DataFrame(
        {
            "keep": [bool(st.session_state[k]) for k in keys],
            "rule": [r.text for r in bounds],
        }
    )
    edited = st.data_editor(
        frame,
        key="bounds_" + hashlib.blake2b("|".join(keys).encode(), digest_size=8).hexdigest(),
        hide_index=True,
        disabled=["rule"] if not dp else True,
        column_config={"keep": st.column_config.CheckboxColumn("keep")},
    )
    changed = False
    for key, keep in zip(keys, edited["keep"].tolist(), strict=True):
        if bool(st.session_state[key]) != bool(keep):
            st.session_state[key] = bool(keep)
            changed = True
    if changed:
        st.rerun()


def constraints_editor(table: Table) -> tuple[Constraint, ...]:
    """The session's constraints, with a form to add one and a button to remove each."""
    current = state.constraints()
    title = f"Constraints ({len(current)})" if current else "Constraints"
    with st.expander(title, expanded=bool(current)):
        st.caption(
            "Rules every synthetic row must follow. They are checked on your data before "
            "training; rows that break them are never output."
        )
        for position, constraint in enumerate(current):
            left, right = st.columns([5, 1])
            left.write(f"• {constraint.describe()}")
            if right.button("Remove", key=f"remove_constraint_{position}"):
                state.set_constraints(current[:position] + current[position + 1 :])
                st.rerun()
        new = _constraint_form(table)
        if new is not None:
            try:
                rules.validate((new,), table.schema, table.df)
                if new in current:
                    st.info("That constraint is already in the list.")
                else:
                    state.set_constraints((*current, new))
                    st.rerun()
            except SynthCoreError as exc:
                error_box(exc)
    return state.constraints()


def _constraint_form(table: Table) -> Constraint | None:
    kind = _RULES[
        str(
            st.selectbox(
                "Add a constraint", list(_RULES), key="constraint_type", persist_state="session"
            )
        )
    ]
    numeric = _columns(table, (ColumnKind.NUMERICAL,))
    ordered = _columns(table, _ORDERED)
    discrete = _columns(table, _DISCRETE)
    if kind == "greater":
        if len(ordered) < 2:
            st.caption("Needs two numeric or two date columns.")
            return None
        left, right = st.columns(2)
        high = right.selectbox("A (the larger)", ordered, key="constraint_high")
        low = left.selectbox("B (the smaller)", ordered, index=1, key="constraint_low")
        strict = st.checkbox("Strictly greater (not equal)", value=True, key="constraint_strict")
        if st.button("Add", key="add_constraint"):
            return rules.GreaterThan(low=str(low), high=str(high), strict=bool(strict))
        return None
    if kind in ("range", "positive"):
        if not numeric:
            st.caption("Needs a numeric column.")
            return None
        column = str(st.selectbox("Column", numeric, key="constraint_column"))
        if kind == "positive":
            if st.button("Add", key="add_constraint"):
                return rules.positive(column)
            return None
        values = table.df[column].dropna()
        left, right = st.columns(2)
        lowest = left.number_input(
            "Lowest allowed", value=float(values.min()), key=f"constraint_min_{column}"
        )
        highest = right.number_input(
            "Highest allowed", value=float(values.max()), key=f"constraint_max_{column}"
        )
        if st.button("Add", key="add_constraint"):
            return rules.ValueRange(column, low=float(lowest), high=float(highest))
        return None
    if len(discrete) < 2:
        st.caption("Needs two categorical or true/false columns.")
        return None
    chosen = st.multiselect("Columns", discrete, key="constraint_columns")
    if st.button("Add", key="add_constraint"):
        return rules.FixedCombinations(tuple(chosen))
    return None


def what_to_generate(table: Table) -> list[RowRequest] | None:
    """Plain rows ([]), or the requests for conditional sampling; None while the input is not
    usable (the reason is shown)."""
    modes = [PLAIN, FIXED, REBALANCE, TAIL, SCENARIO]
    if state.recipe_requests():
        modes.append(RECIPE)
    mode = st.radio(
        "What to generate", modes, horizontal=True, key="sampling_mode", persist_state="session"
    )
    try:
        if mode == PLAIN:
            return []
        if mode == RECIPE:
            requests = list(state.recipe_requests())
            st.dataframe(
                pd.DataFrame(
                    {
                        "condition": [r.describe() for r in requests],
                        "rows": [r.rows for r in requests],
                    }
                ),
                hide_index=True,
            )
        elif mode == FIXED:
            requests = _fixed(table)
        elif mode == REBALANCE:
            requests = _rebalance(table)
        elif mode == TAIL:
            requests = _tail(table)
        else:
            requests = _scenario(table)
        if requests:
            conditions.validate(requests, table.schema, table.df)
        return requests or None
    except SynthCoreError as exc:
        error_box(exc)
        return None


def _rows(key: str, value: int) -> int:
    default(key, value)
    return int(st.number_input("Rows", 1, 1_000_000, key=key, persist_state="session"))


def _fixed(table: Table) -> list[RowRequest]:
    st.caption("Every row gets these values, e.g. 500 rows with smoker = yes.")
    choices = _columns(table, (*_DISCRETE, ColumnKind.NUMERICAL))
    chosen = st.multiselect("Columns to fix", choices, key="fixed_columns", persist_state="session")
    if not chosen:
        st.info("Choose at least one column.")
        return []
    values: dict[str, Any] = {}
    for name in chosen:
        series = table.df[name]
        if table.schema[name].kind is ColumnKind.NUMERICAL:
            default(f"fixed_value_{name}", float(series.median()))
            values[name] = st.number_input(
                f"{name} =", key=f"fixed_value_{name}", persist_state="session"
            )
            if pd.api.types.is_integer_dtype(series):
                values[name] = int(values[name])
        else:
            values[name] = st.selectbox(
                f"{name} =",
                _values(series),
                format_func=_as_in_file(table, name),
                key=f"fixed_value_{name}",
                persist_state="session",
            )
    return conditions.fixed_values(values, _rows("fixed_rows", 500))


def _rebalance(table: Table) -> list[RowRequest]:
    st.caption("Choose the share of each value, e.g. 50/50 for a rare class.")
    choices = [
        name
        for name in _columns(table, _DISCRETE)
        if table.df[name].nunique() <= MAX_REBALANCE_LEVELS
    ]
    if not choices:
        st.info(f"No categorical column with at most {MAX_REBALANCE_LEVELS} values.")
        return []
    column = str(st.selectbox("Column", choices, key="rebalance_column", persist_state="session"))
    levels = _values(table.df[column])
    real_share = table.df[column].value_counts(normalize=True)
    editor = pd.DataFrame(
        {
            "value": [_as_in_file(table, column)(v) for v in levels],
            "real share %": [round(100 * float(real_share[v]), 1) for v in levels],
            "target share %": [round(100 / len(levels), 1)] * len(levels),
        }
    )
    edited = st.data_editor(
        editor,
        hide_index=True,
        disabled=["value", "real share %"],
        key=f"rebalance_shares_{column}",
    )
    shares = dict(zip(levels, edited["target share %"].fillna(0).astype(float), strict=True))
    return conditions.rebalance(column, shares, _rows("rebalance_rows", 1000))


def _tail(table: Table) -> list[RowRequest]:
    st.caption("Rare and edge cases: rows from the top or bottom of a numeric column.")
    numeric = _columns(table, (ColumnKind.NUMERICAL,))
    if not numeric:
        st.info("The table has no numeric column.")
        return []
    column = str(st.selectbox("Column", numeric, key="tail_column", persist_state="session"))
    left, right = st.columns(2)
    side = left.radio(
        "Side", ["top", "bottom"], horizontal=True, key="tail_side", persist_state="session"
    )
    default("tail_share", 5)
    share = right.slider(
        "Share of the real values (%)", 1, 25, key="tail_share", persist_state="session"
    )
    requests = conditions.tail(
        column, table.df[column], _rows("tail_rows", 500), side == "top", share / 100
    )
    low, high = requests[0].ranges[column]
    st.caption(f"That is {column} {'≥ ' + f'{low:g}' if side == 'top' else '≤ ' + f'{high:g}'}.")
    return requests


def _scenario(table: Table) -> list[RowRequest]:
    st.caption(
        "A tree of conditions (e.g. region → smoker → age band) with a row quota per leaf; "
        "every leaf is filled by conditional sampling. Leaves that are rare or absent in your "
        "data are marked: there the generator extrapolates."
    )
    choices = _columns(table, (*_DISCRETE, *_ORDERED))
    if not choices:
        st.info("The table has no categorical, numeric or date column to branch on.")
        return []
    default("scenario_depth", min(2, len(choices)))
    depth = int(
        st.number_input("Levels", 1, MAX_LEVELS, key="scenario_depth", persist_state="session")
    )
    levels = []
    for position in range(min(depth, len(choices))):
        left, right = st.columns([1, 2])
        default(f"scenario_column_{position}", choices[position])
        column = str(
            left.selectbox(
                f"Level {position + 1}",
                choices,
                key=f"scenario_column_{position}",
                persist_state="session",
            )
        )
        if table.schema[column].kind in _DISCRETE:
            values = _values(table.df[column])
            key = f"scenario_values_{position}_{column}"
            default(key, values[: min(len(values), 4)])
            chosen = right.multiselect(
                "Branches",
                values,
                max_selections=MAX_BRANCH_VALUES,
                format_func=_as_in_file(table, column),
                key=key,
                persist_state="session",
            )
            levels.append(ScenarioLevel(column, values=tuple(chosen)))
        else:
            key = f"scenario_bands_{position}_{column}"
            default(key, 3)
            count = right.slider(
                "Bands (equal shares of the real rows)", 2, 6, key=key, persist_state="session"
            )
            levels.append(
                ScenarioLevel(column, bands=conditions.quantile_bands(table.df[column], count))
            )
    if len({level.column for level in levels}) < len(levels):
        st.info("Use each column in one level only.")
        return []
    default("scenario_quota", 100)
    quota = int(
        st.number_input("Rows per leaf", 1, 100_000, key="scenario_quota", persist_state="session")
    )
    leaves = conditions.scenario_requests(levels, quota)
    real_rows = [int(leaf.matches(table.df).sum()) for leaf in leaves]
    plan = pd.DataFrame(
        {
            "leaf": [leaf.describe() for leaf in leaves],
            "real rows": real_rows,
            "status": [
                conditions.LeafCoverage(
                    leaf.describe(), quota, 0, n, n / max(len(table.df), 1)
                ).status
                for leaf, n in zip(leaves, real_rows, strict=True)
            ],
            "rows": [quota] * len(leaves),
        }
    )
    st.markdown(f"**{len(leaves)} leaves** — change a leaf's rows in the last column (0 skips it).")
    edited = st.data_editor(
        plan,
        hide_index=True,
        disabled=["leaf", "real rows", "status"],
        column_config={"rows": st.column_config.NumberColumn(min_value=0, step=1)},
        key="scenario_plan_" + hashlib.sha256("\n".join(plan["leaf"]).encode()).hexdigest()[:12],
    )
    quotas = dict(zip(edited["leaf"], edited["rows"].fillna(0).astype(int), strict=True))
    return conditions.scenario_requests(levels, quotas)
