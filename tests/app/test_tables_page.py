"""The Data page with several linked tables: uploaded, keys and links found and drawn, saved as
SDV metadata, and one table picked to work with alone."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT

BASEBALL = ROOT / "tests" / "fixtures" / "baseball"


def test_several_files_get_their_links_found_drawn_and_one_table_picked() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="source_origin").set_value("Several linked tables").run()
    files = [(p.name, p.read_bytes(), "text/csv") for p in sorted(BASEBALL.glob("*.csv"))]
    at.file_uploader(key="linked_uploads").set_value(files).run()
    assert not at.exception
    (diagram,) = at.get("graphviz_chart")
    assert '"People" -> "BattingPost" [label="playerID"]' in diagram.proto.spec
    tables, links = at.dataframe[0], at.dataframe[1]  # then the working table's preview
    assert dict(zip(tables.value["table"], tables.value["key"], strict=True)) == {
        "BattingPost": "(none)",
        "People": "playerID",
        "Teams": "(none)",
        "TeamsFranchises": "franchID",
    }
    assert set(links.value["link"]) == {
        "BattingPost.playerID → People.playerID",
        "Teams.franchID → TeamsFranchises.franchID",
    }
    assert any("Teams has no single-column key" in c.value for c in at.caption)
    assert any("SDV metadata" in b.proto.label for b in at.get("download_button"))
    at.selectbox(key="linked_choice").set_value("People").run()
    at.button(key="linked_use").click().run()
    assert not at.exception
    assert at.session_state["source"].name == "People.csv"
    assert any("People is the table the other pages work with now" in s.value for s in at.success)


def test_a_zip_with_a_file_that_is_no_table_says_which() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "id,x\n1,2\n")
        archive.writestr("photo.jpg", b"\xff\xd8")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="source_origin").set_value("Several linked tables").run()
    at.file_uploader(key="linked_uploads").set_value(
        [("set.zip", buffer.getvalue(), "application/zip")]
    ).run()
    assert not at.exception
    assert any("photo.jpg" in e.value for e in at.error)
