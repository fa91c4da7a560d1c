"""The pages for a set of linked tables: Generate (``settings``: the whole set in one
background job), the rules across tables (``rules``), and what a generated set shows on the
Generate, Fidelity, Privacy and Export pages (``views``)."""

from synth_core.ui.linked.rules import rules_table
from synth_core.ui.linked.settings import generate_view, result
from synth_core.ui.linked.views import export_view, fidelity_view, privacy_view

__all__ = [
    "export_view",
    "fidelity_view",
    "generate_view",
    "privacy_view",
    "result",
    "rules_table",
]
