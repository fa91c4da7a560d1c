"""The Data page with several linked tables: uploaded, keys and links found and drawn, saved as
SDV metadata, and one table picked to work with alone."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.test_linked_database_page import generate_the_set
from tests.helpers import ROOT

BASEBALL = ROOT / "tests" / "fixtures" / "baseball"


def test_several_files_get_their_links_found_drawn_and_one_table_picked() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="source_origin").set_value("Several linked tables").run()
    at.radio(key="linked_origin").set_value("Upload files").run()
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
    # A link removed, then added back by hand: the list follows.
    at.selectbox(key="link_remove_choice").set_value(
        "Teams.franchID → TeamsFranchises.franchID"
    ).run()
    at.button(key="link_remove").click().run()
    assert set(at.dataframe[1].value["link"]) == {"BattingPost.playerID → People.playerID"}
    at.selectbox(key="link_child").set_value("Teams").run()
    at.selectbox(key="link_child_key").set_value("franchID").run()
    at.selectbox(key="link_parent").set_value("TeamsFranchises").run()
    assert at.selectbox(key="link_parent_key").value == "franchID"  # its key, chosen for you
    at.button(key="link_add").click().run()
    assert not at.exception
    added = at.dataframe[1].value
    assert "Teams.franchID → TeamsFranchises.franchID" in set(added["link"])
    assert "added by you" in set(added["evidence"])
    at.selectbox(key="link_child_key").set_value("name").run()  # text → a text key
    at.selectbox(key="link_parent_key").set_value("franchName").run()
    at.button(key="link_add").click().run()
    assert any("every value once" in e.value for e in at.error)  # not a key: the page says why
    at.selectbox(key="linked_choice").set_value("People").run()
    at.button(key="linked_use").click().run()
    assert not at.exception
    assert at.session_state["source"].name == "People.csv"
    assert at.radio(key="source_origin").value == "Upload a CSV"  # one table from now on
    at.switch_page("app_pages/generate.py").run()
    assert not at.exception
    assert at.button(key="generate") is not None  # the one-table Generate page


def test_the_linked_sample_is_generated_measured_and_downloaded_as_a_zip() -> None:
    """The bundled baseball set: Generate makes every table in a background job, the preview
    and zip follow; Fidelity shows the set's quality and the links; Privacy the entities."""
    import io
    import zipfile

    import pandas as pd

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="source_origin").set_value("Several linked tables").run()
    assert not at.exception
    assert at.get("graphviz_chart")  # the sample is drawn without any upload
    at.switch_page("app_pages/generate.py").run()
    assert not at.exception
    assert at.radio(key="linked_size").value == "×1"  # as large as the real set
    generate_the_set(at)
    (_zipped,) = [b for b in at.get("download_button") if "zip" in b.proto.label]
    measured = at.session_state["linked_result"][1]
    data = measured.zip_bytes(at.session_state["linked_tables"][1])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == [
            "BattingPost.csv",
            "People.csv",
            "Teams.csv",
            "TeamsFranchises.csv",
        ]
        people = pd.read_csv(archive.open("People.csv"))
        batting = pd.read_csv(archive.open("BattingPost.csv"))
    assert people["playerID"].is_unique
    assert len(people) == 1_001  # ×1: as many players as the real table, held-out ones too
    assert batting["playerID"].isin(people["playerID"]).all()  # every link holds in the file
    assert any("recipe" in b.proto.label for b in at.get("download_button"))
    # A recipe applied sets the settings and links it holds.
    from synth_core.generate.linked.recipe import make_linked_recipe
    from synth_core.generate.spec import GenerationSpec

    database, links = at.session_state["linked_tables"][1], at.session_state["linked_tables"][2]
    from synth_core.generate.linked import LinkedSpec

    recipe = make_linked_recipe(database, links, LinkedSpec(GenerationSpec(seed=7), scale=2.0))
    at.file_uploader(key="linked_recipe_upload").set_value(
        [("recipe.json", recipe.to_json().encode(), "application/json")]
    ).run()
    at.button(key="linked_recipe_apply").click().run()
    assert not at.exception
    assert at.session_state["linked_seed"] == 7
    assert at.session_state["linked_size"] == "×2"
    assert any("Recipe applied" in w.value for w in at.success)
    at.switch_page("app_pages/fidelity.py").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Children per parent" in labels
    assert "Intertable trends" in labels
    assert any("BattingPost.playerID → People.playerID" in m.value for m in at.markdown)
    at.switch_page("app_pages/privacy.py").run()
    assert not at.exception
    assert any("DCR share" in m.label for m in at.metric)


def test_a_zip_with_a_file_that_is_no_table_says_which() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "id,x\n1,2\n")
        archive.writestr("photo.jpg", b"\xff\xd8")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="source_origin").set_value("Several linked tables").run()
    at.radio(key="linked_origin").set_value("Upload files").run()
    at.file_uploader(key="linked_uploads").set_value(
        [("set.zip", buffer.getvalue(), "application/zip")]
    ).run()
    assert not at.exception
    assert any("photo.jpg" in e.value for e in at.error)
