"""Page flows with Streamlit's AppTest: upload -> check kinds -> generate -> fidelity -> export."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from synth_core import csv_bytes
from tests.helpers import CSVKIT, ROOT, SAMPLES

TIMEOUT = 120  # the first run imports SDV, scikit-learn and plotly


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="source_origin").set_value("Upload a CSV").run()
    at.file_uploader(key="upload").set_value((name, data, "text/csv")).run()
    assert not at.exception
    return at


def _wait_for(at: AppTest, key: str) -> AppTest:
    """Rerun until the background job under ``key`` has finished."""
    deadline = time.monotonic() + TIMEOUT
    while key in at.session_state:
        assert time.monotonic() < deadline, f"{key} did not finish"
        time.sleep(0.3)
        at.run()
    assert not at.exception
    return at


def _generate(at: AppTest, generator: str | None = "cart", rows: int | None = 300) -> AppTest:
    """Generate on the Generate page (None: the page's default generator or row count)."""
    at.switch_page("app_pages/generate.py").run()
    assert not at.exception
    if generator is not None:
        at.selectbox(key="generator").set_value(generator).run()
    if rows is not None:
        at.number_input(key="rows").set_value(rows).run()
    at.button(key="generate").click().run()
    return _wait_for(at, "generation_job")


def test_opens_on_the_bundled_sample_data() -> None:
    at = _app()
    assert at.title[0].value == "Data"
    detected = at.table[0].value
    assert detected.loc["File", "detected"].startswith("insurance.csv")
    assert detected.loc["Rows in the file", "detected"] == "1,338"
    editor = at.data_editor[0].value
    assert editor.set_index("column")["kind"].to_dict() == {
        "age": "numerical",
        "sex": "categorical",
        "bmi": "numerical",
        "children": "numerical",
        "smoker": "boolean",
        "region": "categorical",
        "charges": "numerical",
    }


def test_uploaded_file_is_read_and_problems_are_listed() -> None:
    at = _upload(_app(), "short.csv", (CSVKIT / "test_join_short_rows.csv").read_bytes())
    assert at.table[0].value.loc["File", "detected"].startswith("short.csv")
    messages = [i.value for i in at.info] + [w.value for w in at.warning]
    assert any("fewer fields than the header" in m and "lines 2, 3" in m for m in messages)
    assert any("only 3 rows" in m for m in messages)


@pytest.mark.parametrize(
    ("name", "message"),
    [("bad.csv", "Line 2 has 4 fields"), ("null_byte.csv", "NUL byte"), ("empty.csv", "empty")],
)
def test_bad_uploads_show_a_plain_error(name: str, message: str) -> None:
    at = _upload(_app(), name, (CSVKIT / name).read_bytes())
    assert any(message in e.value for e in at.error)
    assert len(at.data_editor) == 0


def test_reading_options_and_kind_changes() -> None:
    at = _upload(_app(), "semi.csv", b"code;n\n001;1\n002;2\n003;3\n")
    assert at.data_editor[0].value["kind"].tolist() == ["categorical", "numerical"]
    digest = at.session_state["source"].digest
    at.session_state[f"kinds_{digest}"] = {
        "edited_rows": {0: {"kind": "numerical"}, 1: {"use": False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="apply_kinds").click().run()
    assert not at.exception
    assert any("applied" in s.value for s in at.success)
    working = at.session_state["working_table"]
    assert working.schema.names == ["code"]
    assert working.df["code"].tolist() == [1, 2, 3]
    at.selectbox(key=f"delimiter_{digest}").set_value("comma (,)").run()
    assert at.data_editor[0].value["column"].tolist() == ["code;n"]


def test_a_file_over_the_row_limit_is_read_as_a_sample_when_asked() -> None:
    """The limit's error says where to ask for a sample; asking reads one and says so."""
    raw = b"n,k\n" + b"1,a\n2,b\n" * 500_001  # 1,000,002 rows: over the limit
    at = _upload(_app(), "long.csv", raw)
    digest = at.session_state["source"].digest
    assert any("Rows to read" in e.value for e in at.error)
    at.number_input(key=f"sample_{digest}").set_value(500).run()
    assert not at.exception
    assert not at.error
    table = at.session_state["working_table"]
    assert len(table.df) == 500
    assert table.report.rows_in_file == 1_000_002
    assert table.report.rows_read == 500
    assert ("Rows read", "a seeded random sample of 500") in table.report.summary()


def test_impossible_kind_change_shows_the_reason() -> None:
    at = _upload(_app(), "t.csv", b"name,n\nanna,1\nbob,2\n")
    digest = at.session_state["source"].digest
    at.session_state[f"kinds_{digest}"] = {
        "edited_rows": {0: {"kind": "numerical"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="apply_kinds").click().run()
    assert any("cannot be numerical" in e.value for e in at.error)


def test_compare_and_export_ask_for_a_generation_first() -> None:
    at = _app()
    for page in ("app_pages/fidelity.py", "app_pages/export.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert any("Generate a synthetic table first" in i.value for i in at.info)


@pytest.mark.parametrize("generator", ["cart", "gaussian_copula"])
def test_generate_fidelity_export_flow(generator: str) -> None:
    at = _upload(_app(), "weather.csv", (SAMPLES / "seattle-weather.csv").read_bytes())
    at = _generate(at, generator, rows=400)
    result = at.session_state["result"]
    assert len(result.data) == 400
    assert at.dataframe[-1].value.shape == (200, 6)

    at = _fidelity(at)
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Overall quality", "Column Shapes", "Column Pair Trends", "ROC AUC"}
    assert all(v.endswith("%") for k, v in metrics.items() if k != "ROC AUC")
    assert 0.3 <= float(metrics["ROC AUC"]) <= 1.0
    tests = at.dataframe[0].value
    assert tests["column"].tolist() == [
        "date",
        "precipitation",
        "temp_max",
        "temp_min",
        "wind",
        "weather",
    ]
    assert not tests.isna().any().any()
    # shapes, detection, column, heatmaps, pair, and the gap of temp_max over temp_min
    assert len(at.get("plotly_chart")) == 6

    at.switch_page("app_pages/export.py").run()
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 2
    csv_data = at.session_state["downloads"][(id(result), "csv")]
    assert csv_data == csv_bytes(result.data, result.schema)
    first_line = csv_data.decode().splitlines()[1]
    assert pd.Timestamp(first_line.split(",")[0]).year in range(2012, 2016)


def test_tiny_tables_cannot_be_generated_from() -> None:
    at = _upload(_app(), "tiny.csv", b"a,b\n1,x\n2,y\n3,z\n")
    at.switch_page("app_pages/generate.py").run()
    assert any("at least 10 are needed" in w.value for w in at.warning)
    assert at.button(key="generate").disabled


def _fidelity(at: AppTest) -> AppTest:
    at.switch_page("app_pages/fidelity.py").run()
    _wait_for(at, "detection_job")
    assert not at.error
    return at


def test_drill_downs_follow_the_chosen_columns() -> None:
    at = _fidelity(_generate(_app(), "cart", rows=500))
    at.selectbox(key="drill_column").set_value("region").run()
    assert "region" in at.get("plotly_chart")[2].proto.spec
    at.selectbox(key="drill_first").set_value("smoker").run()
    at.selectbox(key="drill_second").set_value("charges").run()
    assert not at.exception
    spec = at.get("plotly_chart")[4].proto.spec
    assert "smoker" in spec
    assert "charges" in spec


def test_generation_error_is_shown_on_the_page() -> None:
    ids = "\n".join(f"{i},C{i:04d}" for i in range(30))
    at = _upload(_app(), "ids.csv", f"row_id,code\n{ids}\n".encode())
    at = _generate(at, "cart", rows=10)
    assert any("No column is left to learn from" in e.value for e in at.error)
    assert "result" not in at.session_state


def _credit_csv(rows: int = 60) -> bytes:
    debtors = ["none", "guarantor", "none", "co-applicant", "none", "none"]
    lines = ["other_debtors,amount,housing"]
    for i in range(rows):
        housing = "NA" if i % 30 == 0 else ("own" if i % 3 else "rent")
        lines.append(f"{debtors[i % 6]},{100 + 7 * i},{housing}")
    return ("\n".join(lines) + "\n").encode()


def _token_boxes(at: AppTest) -> dict[str, bool]:
    return {c.label: c.value for c in at.checkbox if c.label.startswith("Read '")}


def test_missing_value_words_are_listed_per_column_and_one_click_flips_them() -> None:
    at = _upload(_app(), "credit.csv", _credit_csv())
    none_label = "Read 'none' in 'other_debtors' (40 rows) as missing"
    na_label = "Read 'NA' in 'housing' (2 rows) as missing"
    assert _token_boxes(at) == {none_label: False, na_label: True}  # common answer vs rare NA
    table = at.session_state["base_table"][1]
    assert table.df["other_debtors"].notna().all()
    assert table.df["housing"].isna().sum() == 2

    next(c for c in at.checkbox if c.label == none_label).check().run()
    assert not at.exception
    table = at.session_state["base_table"][1]
    assert table.df["other_debtors"].isna().sum() == 40
    next(c for c in at.checkbox if c.label == na_label).uncheck().run()
    table = at.session_state["base_table"][1]
    assert table.df["housing"].notna().all()
    assert table.report.tokens["housing"].kept == {"NA": 2}
    assert _token_boxes(at) == {none_label: True, na_label: False}


def test_an_excel_upload_says_to_save_it_as_csv_and_clears_the_previous_table() -> None:
    at = _app()
    assert at.data_editor  # the sample table is shown
    workbook = b"PK\x03\x04" + bytes(200)  # how every .xlsx file starts (a ZIP archive)
    at.radio(key="source_origin").set_value("Upload a CSV").run()
    # The browser lets the file through (the widget would otherwise refuse it with a tooltip).
    assert ".xlsx" in at.file_uploader(key="upload").proto.type
    at.file_uploader(key="upload").set_value(
        ("book.xlsx", workbook, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ).run()
    assert not at.exception
    assert any("Save or export it as CSV" in e.value for e in at.error)
    assert len(at.data_editor) == 0  # the previous table is gone


def test_coded_numbers_are_offered_as_categories() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "SEX": rng.choice([1, 2], 300),
            "EDUCATION": rng.integers(1, 7, 300),
            "Pclass": rng.choice([1, 2, 3], 300),
            "children": rng.integers(0, 6, 300),
            "age": rng.integers(18, 80, 300),
        }
    )
    at = _upload(_app(), "coded.csv", frame.to_csv(index=False).encode())
    notes = [i.value for i in at.info]
    for name in ("SEX", "EDUCATION", "Pclass"):
        assert any(n.startswith(f"'{name}' holds") and "looks like a code" in n for n in notes)
    assert not any(n.startswith("'children' holds") for n in notes)  # a count, not a code
    at.button(key="coded_SEX").click().run()
    assert not at.exception
    assert at.session_state["working_table"].schema["SEX"].kind.value == "categorical"
    assert "coded_SEX" not in [b.key for b in at.button]
    assert "coded_EDUCATION" in [b.key for b in at.button]


def test_a_table_too_wide_for_ctgan_is_refused_on_the_page_before_training() -> None:
    from tests.unit.test_wide import wide_table

    at = _upload(_app(), "wide.csv", wide_table(4000, 1500).to_csv(index=False).encode())
    at.switch_page("app_pages/generate.py").run()
    at.selectbox(key="generator").set_value("ctgan").run()
    assert not at.exception
    assert any("encoded columns" in e.value and "Training is refused" in e.value for e in at.error)
    at.selectbox(key="generator").set_value("tabular_argn").run()
    assert not any("encoded columns" in e.value for e in at.error)


def test_the_badges_beside_the_holdout_agree_with_the_headline() -> None:
    # Issue 33: green "+0.8% vs holdout" badges stood beside a headline saying "low".
    at = _fidelity(_generate(_app(), "cart", rows=500))
    headline = next(
        b.value for b in (*at.success, *at.warning, *at.info) if "Quality is" in b.value
    )
    badges = [m for m in at.metric if m.label != "ROC AUC"]
    assert "**high**" in headline
    assert all(m.delta.endswith("vs holdout") for m in badges)
    assert {m.proto.color for m in badges} == {MetricProto.MetricColor.GREEN}
    result, found = at.session_state["detection_result"]
    at.session_state["detection_result"] = (result, replace(found, auc=0.95))
    at.run()
    headline = next(
        b.value for b in (*at.success, *at.warning, *at.info) if "Quality is" in b.value
    )
    assert "**low**" in headline
    assert "a classifier tells them" in headline
    badges = [m for m in at.metric if m.label != "ROC AUC"]
    assert {m.proto.color for m in badges} == {MetricProto.MetricColor.GRAY}  # not green
