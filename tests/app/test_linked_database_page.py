"""The bank-like set through the pages (issue 32): uploaded, its rules across tables shown with
their evidence, the reference list kept by default and said so, the set generated in the
background, the zip a user downloads checked as a database, the Fidelity page's rules and
links (no empty chart), the Privacy page's replayed identifiers; the Data page shows the set,
not the single table chosen before."""

from __future__ import annotations

import io
import time
import zipfile

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT
from tests.real_like import bank_tables
from tests.unit.test_linked_database import INTERNAL, _check_bank


def generate_the_set(at: AppTest) -> None:
    """Press Generate on the set's page and wait for the job, which must end without error."""
    at.button(key="linked_generate").click().run()
    deadline = time.monotonic() + 300
    while "linked_job" in at.session_state:
        assert time.monotonic() < deadline, "the linked job did not finish"
        time.sleep(0.5)
        at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


def test_the_bank_set_generated_on_the_page_holds_as_a_database() -> None:
    frames = bank_tables(400, 5)
    files = [(f"{n}.csv", f.to_csv(index=False).encode(), "text/csv") for n, f in frames.items()]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="source_origin").set_value("Several linked tables").run()
    at.radio(key="linked_origin").set_value("Upload files").run()
    at.file_uploader(key="linked_uploads").set_value(files).run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert "Columns" not in headers  # the single table chosen before is not shown under a set
    shown = [d.value for d in at.dataframe if "rule" in d.value.columns]
    assert shown, "the rules across tables are listed on the Data page"
    rules = set(shown[0]["rule"])
    assert "every account has exactly 1 disp row of type OWNER (disp.account_id)" in rules
    assert "every client has exactly 1 disp row (disp.client_id)" in rules
    assert "card.issued at or after account.date (through disp)" in rules
    at.switch_page("app_pages/generate.py").run()
    assert not at.exception
    assert at.multiselect(key="linked_keep_choice").value == ["district"]  # kept by default
    assert any("Kept by default: district" in c.value for c in at.caption)
    generate_the_set(at)
    measured = at.session_state["linked_result"][1]
    notes = measured.result.notes
    assert not [n for n in notes if INTERNAL.search(n)], "internal names in the notes"
    kept = [n for n in notes if n.startswith("district: kept as it is")]
    assert kept  # said, with the switch: the default, not "as you chose"
    assert "--synthesize district" in kept[0]
    assert not [n for n in notes if "Fidelity page's Rules view" in n]  # a one-table view
    database = at.session_state["linked_tables"][1]
    with zipfile.ZipFile(io.BytesIO(measured.zip_bytes(database))) as archive:
        synthetic = {
            name.removesuffix(".csv"): pd.read_csv(archive.open(name))
            for name in archive.namelist()
        }
    real = {name: pd.read_csv(io.BytesIO(data)) for name, data, _ in _named(files)}
    _check_bank(real, synthetic)
    kept = [m for m in at.metric if m.label == "Rules across tables kept"]
    assert kept
    assert kept[0].value.split(" of ")[0] == kept[0].value.split(" of ")[1]  # every one
    at.switch_page("app_pages/fidelity.py").run()
    assert not at.exception
    tables = [d.value for d in at.dataframe if "made" in d.value.columns]
    assert dict(zip(tables[0]["table"], tables[0]["made"], strict=True))["district"] == (
        "kept as it is"
    )
    checks = [d.value for d in at.dataframe if "kind" in d.value.columns]
    assert checks
    assert set(checks[0]["kept"]) == {"yes"}
    for chart in at.get("plotly_chart"):  # children per parent: no chart without bars
        assert '"y":[' in chart.proto.spec
    for page in ("utility", "collapse"):  # one-table pages say so under a set
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception
        assert any("works on one table" in i.value for i in at.info)
    at.switch_page("app_pages/privacy.py").run()
    assert not at.exception
    said = [s.value for s in at.success]
    assert any("No synthetic row holds a value that belongs to one real row" in s for s in said), (
        said,
        [i.value for i in at.info],
        [m.label for m in at.metric],
    )


def _named(files: list[tuple[str, bytes, str]]) -> list[tuple[str, bytes, str]]:
    return [(name.removesuffix(".csv"), data, kind) for name, data, kind in files]
