"""The rules a set keeps across its tables, as found in the real set with their evidence (the
Data and Generate pages), computed once per set and links."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from synth_core.data.database import Database, Links
from synth_core.generate.linked import Bound, SetRules, find_set_rules
from synth_core.generate.linked.bounds import find_bounds
from synth_core.ui import state

FOUND = state.key("linked_rules", state.Scope.SESSION)  # (set digest, SetRules, bounds)


def digest(database: Database, links: Links) -> str:
    """Identifies the set (its tables' bytes and links) so a result or its rules are never
    shown for another set or other links."""
    hashed = hashlib.sha256()
    for relation in links.relations:
        hashed.update(repr((relation.child, relation.child_key, relation.parent)).encode())
    for name, (filename, data) in sorted(database.sources.items()):
        hashed.update(f"{name}\0{filename}\0".encode())
        hashed.update(hashlib.sha256(data).digest())
    return hashed.hexdigest()


def set_rules(database: Database, links: Links) -> tuple[SetRules, dict[str, tuple[Bound, ...]]]:
    """The set's rules across tables (found once for these tables and links)."""
    here = digest(database, links)
    stored = st.session_state.get(FOUND)
    if stored is None or stored[0] != here:
        real = {name: t.df for name, t in database.tables.items()}
        schemas = {name: t.schema for name, t in database.tables.items()}
        stored = (here, find_set_rules(database, links), find_bounds(real, schemas, links))
        st.session_state[FOUND] = stored
    return stored[1], stored[2]


def rules_table(database: Database, links: Links) -> None:
    """Each rule in words with its evidence: rows per parent, two paths, dates along paths."""
    rules, bounds = set_rules(database, links)
    rows = [{"rule": c.describe(), "evidence": c.evidence()} for c in rules.counts]
    rows += [{"rule": p.describe(), "evidence": p.evidence()} for p in rules.paths]
    for found in bounds.values():
        for bound in found:
            share = bound.kept({name: t.df for name, t in database.tables.items()})
            evidence = "" if share is None else f"holds in {share:.1%} of the real rows"
            rows.append({"rule": bound.describe(), "evidence": evidence})
    if not rows:
        st.caption("No rule across tables was found beyond the links themselves.")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    types = ", ".join(f"{table}.{column}" for table, column in rules.types.items())
    st.caption(
        "Found in every real row (held-out entities too); each is kept in every synthetic "
        "set and checked on the Fidelity page."
        + (f" Rows per parent are learnt by type: {types}." if types else "")
    )
