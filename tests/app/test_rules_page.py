"""Rules found in the data on the Generate page (ticked by default, untick to drop) and the
Fidelity page's Rules view, with AppTest on an uploaded taxi-like table."""

from __future__ import annotations

from synth_core.generate.constraints import Determines, GreaterThan
from synth_core.generate.spec import RulesSetting
from synth_core.ui.conditions import rule_key
from tests.app.test_generate_page import _generate, _page, _texts
from tests.app.test_pages import _app, _upload
from tests.helpers import ZONES, taxi_csv

ORDER = GreaterThan("pickup", "dropoff", strict=True)
ZONE = Determines("zone", "borough")


def test_found_rules_are_suggested_kept_and_checked_on_the_fidelity_page() -> None:
    at = _page(_upload(_app(), "taxi.csv", taxi_csv(500)))
    assert "Rules found in your data (13 of 13 kept)" in [e.label for e in at.expander]
    labels = [c.label for c in at.checkbox]
    assert any(label.startswith("each zone has one borough") for label in labels)
    assert any("holds in all 400 rows" in label for label in labels)
    assert at.checkbox(key=rule_key(ZONE)).value  # on by default

    # Unticked: the rule is not kept, and the Fidelity page shows how often it is broken.
    at.checkbox(key=rule_key(ZONE)).uncheck().run()
    assert "Rules found in your data (12 of 13 kept)" in [e.label for e in at.expander]
    at.selectbox(key="generator").set_value("gaussian_copula").run()
    result = _generate(at)
    assert result.spec.rules is RulesSetting.NONE
    assert ORDER in result.spec.constraints
    assert ZONE not in result.spec.constraints
    assert (result.data["dropoff"] > result.data["pickup"]).all()
    wrong = (result.data["borough"] != result.data["zone"].map(ZONES)).mean()
    assert wrong > 0.1

    at.switch_page("app_pages/fidelity.py").run()
    assert not at.exception
    (table,) = [d.value for d in at.dataframe if "synthetic rows breaking it" in d.value.columns]
    first = table.iloc[0]
    assert first["rule"] == "each zone has one borough"
    assert first["synthetic rows breaking it"] == f"{wrong:.1%}"
    assert (table["synthetic rows breaking it"].iloc[1:] == "0.0%").all()
    assert "The synthetic rows break 1 of" in _texts(at)
    assert any(e.label.startswith("each zone has one borough:") for e in at.expander)


def test_rules_are_not_suggested_under_differential_privacy() -> None:
    at = _page(_upload(_app(), "taxi.csv", taxi_csv(200)))
    at.radio(key="privacy_setting").set_value("dp").run()
    assert "Under differential privacy no rule found in the data is kept" in _texts(at)
    assert all(c.disabled for c in at.checkbox if c.key and c.key.startswith("rule_"))


def test_unticked_rules_stay_unticked_when_other_settings_change() -> None:
    """Issue 23: changing the PII setting re-ticked every rule. Orders are one checkbox a
    chain, bounds one table; both keep the choice too."""
    at = _page(_upload(_app(), "taxi.csv", taxi_csv(300)))
    (title,) = [e.label for e in at.expander if e.label.startswith("Rules found")]
    found = int(title.split(" of ")[1].split()[0])
    at.checkbox(key=rule_key(ZONE)).uncheck().run()
    next(c for c in at.checkbox if c.label == "dropoff is after pickup").uncheck().run()
    for setting in ("none", "filter", "pii"):
        at.radio(key="privacy_setting").set_value(setting).run()
        assert not at.exception
        assert not at.checkbox(key=rule_key(ZONE)).value
        assert not next(c for c in at.checkbox if c.label == "dropoff is after pickup").value
    assert not at.session_state[rule_key(ORDER)]
    kept = f"Rules found in your data ({found - 2} of {found} kept)"
    assert kept in [e.label for e in at.expander]
