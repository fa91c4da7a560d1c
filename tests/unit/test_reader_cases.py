"""read_table on hand-made inputs: encodings, binaries, limits, options, messy layouts."""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest

from synth_core import ColumnKind, InputError, LimitError, ReadOptions, read_table
from synth_core.data.io.reader import read_like
from tests.helpers import SAMPLES, csv_table


def test_bytes_path_and_file_object_give_the_same_table() -> None:
    path = SAMPLES / "penguins.csv"
    from_path = read_table(path)
    from_bytes = read_table(path.read_bytes())
    with path.open("rb") as handle:
        from_file = read_table(handle)
    pd.testing.assert_frame_equal(from_path.df, from_bytes.df)
    pd.testing.assert_frame_equal(from_path.df, from_file.df)
    assert from_path.report.source_name == "penguins.csv"


def test_text_mode_file_object_is_refused() -> None:
    with pytest.raises(InputError, match="binary mode"):
        read_table(io.StringIO("a,b\n1,2\n"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("cp1252", "cp1252"), ("utf-16", "utf-16-le"), ("utf-8-sig", "utf-8-sig")],
)
def test_encodings(encoding: str, expected: str) -> None:
    text = "name,price\nCafé,€3\nNaïve,€4\n"
    table = read_table(text.encode(encoding))
    assert table.report.encoding == expected
    assert table.df["name"].tolist() == ["Café", "Naïve"]
    assert table.df["price"].tolist() == ["€3", "€4"]


def test_utf16_without_byte_order_mark() -> None:
    table = read_table("a,b\n1,x\n2,y\n".encode("utf-16-le"))
    assert table.report.encoding == "utf-16-le"
    assert table.df["b"].tolist() == ["x", "y"]


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    table = read_table(b"a,b\n1,x\x81y\n")
    assert table.report.encoding == "latin-1"
    assert table.df["b"].tolist() == ["x\x81y"]


def test_japanese_shift_jis_is_detected() -> None:
    rows = "\n".join(
        f"{name},{i}" for i, name in enumerate(["山田太郎", "鈴木花子", "佐藤健", "田中美咲"] * 10)
    )
    table = read_table(("名前,番号\n" + rows + "\n").encode("shift_jis"))
    assert table.report.encoding in {"shift_jis", "cp932"}
    assert table.schema.names == ["名前", "番号"]
    assert table.df["名前"].iloc[0] == "山田太郎"


@pytest.mark.parametrize(
    ("encoding", "header", "names"),
    [
        ("gbk", "姓名,城市", ["王伟", "李娜", "张敏"]),
        ("euc-kr", "이름,도시", ["김철수", "이영희", "박민수"]),
    ],
)
def test_chinese_and_korean_legacy_encodings(encoding: str, header: str, names: list[str]) -> None:
    rows = "\n".join(f"{name},{i}" for i, name in enumerate(names * 10))
    table = read_table(f"{header}\n{rows}\n".encode(encoding))
    assert table.schema.names == header.split(",")
    assert table.df.iloc[:3, 0].tolist() == names


def test_explicit_encoding_overrides_detection() -> None:
    raw = "a\nÉté\n".encode("cp1252")
    table = read_table(raw, ReadOptions(encoding="latin-1"))
    assert table.report.encoding == "latin-1"
    with pytest.raises(InputError, match="cannot be decoded as utf-8"):
        read_table(raw, ReadOptions(encoding="utf-8"))
    with pytest.raises(InputError, match="Unknown encoding"):
        read_table(raw, ReadOptions(encoding="no-such-codec"))


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (b"PK\x03\x04" + b"\x00" * 40, "Excel .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "old Excel .xls"),
        (b"PAR1" + b"\x00" * 40, "Parquet"),
        (b"%PDF-1.7\n" + b"x" * 40, "PDF"),
    ],
)
def test_known_binary_files_get_a_helpful_message(raw: bytes, what: str) -> None:
    with pytest.raises(InputError, match=what) as caught:
        read_table(raw)
    assert "CSV" in str(caught.value)


def test_other_binary_content_is_refused() -> None:
    raw = bytes(range(1, 32)) * 50
    with pytest.raises(InputError, match="does not look like a text table"):
        read_table(raw)


def test_corrupt_gzip_is_refused() -> None:
    with pytest.raises(InputError, match="gzip"):
        read_table(b"\x1f\x8b\x08\x00garbage")


def test_gzip_bomb_is_stopped_at_the_size_limit() -> None:
    raw = gzip.compress(b"a,b\n" + b"1,2\n" * 200_000)
    with pytest.raises(LimitError, match="decompressed file is larger"):
        read_table(raw, ReadOptions(max_bytes=100_000))


def test_limits_on_bytes_rows_and_columns() -> None:
    with pytest.raises(LimitError, match="limit is 0 MB"):
        read_table(b"a\n" + b"1\n" * 100, ReadOptions(max_bytes=10))
    with pytest.raises(LimitError, match="more than 5 rows"):
        read_table(b"a\n" + b"1\n" * 6, ReadOptions(max_rows=5))
    read_table(b"a\n" + b"1\n" * 5, ReadOptions(max_rows=5))
    with pytest.raises(LimitError, match="3 columns; the limit is 2"):
        read_table(b"a,b,c\n1,2,3\n", ReadOptions(max_columns=2))


def test_sample_rows_reads_a_reproducible_random_sample() -> None:
    raw = b"n\n" + b"".join(f"{i}\n".encode() for i in range(1000))
    first = read_table(raw, ReadOptions(sample_rows=100, seed=3))
    again = read_table(raw, ReadOptions(sample_rows=100, seed=3))
    other = read_table(raw, ReadOptions(sample_rows=100, seed=4))
    assert len(first.df) == 100
    assert first.df["n"].is_unique
    assert first.df["n"].tolist() == again.df["n"].tolist()
    assert first.df["n"].tolist() != other.df["n"].tolist()
    assert 300 < first.df["n"].mean() < 700
    assert first.report.rows_in_file == 1000
    assert any(f.code == "sampled_rows" for f in first.report.fixes)
    assert first.report.rows_read == 100
    assert ("Rows read", "a seeded random sample of 100") in first.report.summary()
    assert read_table(raw, ReadOptions(sample_rows=5000)).report.rows_read is None


def test_title_lines_above_the_header_are_skipped() -> None:
    table = csv_table(
        "Quarterly report\nGenerated 2024-01-01\n\nregion,sales\nnorth,10\nsouth,12\n"
    )
    assert table.schema.names == ["region", "sales"]
    assert table.report.skipped_lines == 3
    assert table.df["sales"].tolist() == [10, 12]
    assert table.report.fixes[0].code == "skipped_preamble"


def test_user_options_override_detection() -> None:
    raw = b"x;y\n1;2\n3;4\n"
    assert read_table(raw).schema.names == ["x", "y"]
    as_data = read_table(raw, ReadOptions(header=False))
    assert as_data.schema.names == ["column_1", "column_2"]
    assert as_data.df["column_1"].tolist() == ["x", "1", "3"]
    one_column = read_table(raw, ReadOptions(delimiter=","))
    assert one_column.schema.names == ["x;y"]
    skipped = read_table(raw, ReadOptions(skip_lines=1))
    assert skipped.schema.names == ["column_1", "column_2"]  # a numeric first row is data
    assert skipped.df.to_numpy().tolist() == [[1, 2], [3, 4]]
    with pytest.raises(InputError, match="cannot be a delimiter"):
        read_table(raw, ReadOptions(delimiter="ab"))
    with pytest.raises(InputError, match="Nothing is left"):
        read_table(raw, ReadOptions(skip_lines=10))


def test_pipe_delimiter_padding_and_spaced_missing_tokens() -> None:
    table = csv_table("id | city | score\n1 | Paris |  NA \n2 | Rome | 3.5\n3 | Oslo | 4\n")
    assert table.report.delimiter == "|"
    assert table.schema.names == ["id", "city", "score"]
    assert table.df["city"].tolist() == ["Paris", "Rome", "Oslo"]
    assert table.df["score"].isna().tolist() == [True, False, False]


def test_semicolon_file_with_decimal_commas() -> None:
    table = csv_table("name;weight\nA;1,5\nB;2,25\nC;1.000,5\n")
    assert table.report.delimiter == ";"
    assert table.df["weight"].tolist() == [1.5, 2.25, 1000.5]


def test_quoted_fields_with_delimiters_quotes_and_newlines() -> None:
    table = csv_table('a,b\n"x, y","say ""hi""\nthere"\n"z",w\n')
    assert table.df["a"].tolist() == ["x, y", "z"]
    assert table.df["b"].tolist() == ['say "hi"\nthere', "w"]


def test_mixed_line_endings() -> None:
    table = read_table(b"a,b\r\n1,2\n3,4\r5,6\r\n")
    assert table.df["a"].tolist() == [1, 3, 5]
    assert table.report.line_ending.startswith("mixed")


def test_duplicate_and_empty_column_names_are_fixed_and_reported() -> None:
    table = csv_table("a,a,,a_2\n1,2,3,4\n")
    assert table.schema.names == ["a", "a_3", "column_3", "a_2"]
    messages = " ".join(f.message for f in table.report.fixes)
    assert "duplicate column 'a' renamed to 'a_3'" in messages
    assert "column 3 had no name" in messages


def test_ragged_rows_further_down_are_refused_with_all_lines_counted() -> None:
    text = "a,b\n1,2\n3,4,5\n6,7\n8,9,10\n"
    with pytest.raises(InputError) as caught:
        csv_table(text)
    message = str(caught.value)
    assert message.startswith("Line 3 has 3 fields but the header has 2 (extra: '5')")
    assert "1 more row(s) have the same problem (line 5)" in message


def test_trailing_empty_fields_are_trimmed() -> None:
    table = csv_table("a,b\n1,2,\n3,4,,\n")
    assert table.df.to_dict("records") == [{"a": 1, "b": 2}, {"a": 3, "b": 4}]
    assert {f.code: f.lines for f in table.report.fixes}["trimmed_empty_fields"] == (2, 3)


def test_only_whitespace_is_empty() -> None:
    with pytest.raises(InputError, match="empty"):
        read_table(b"  \n\n \r\n")


def test_na_tokens_can_be_switched_off() -> None:
    raw = b"element,count\nNA,1\nK,2\nNA,\n"
    # 'NA' in a text column whose file uses empty cells for missing numbers: sodium, a value.
    assert read_table(raw).df["element"].tolist() == ["NA", "K", "NA"]
    raw = b"element,count\nNA,1\nK,2\nNA,NA\n"  # the file says NA means missing
    assert read_table(raw).df["element"].isna().tolist() == [True, False, True]
    kept = read_table(raw, ReadOptions(na_tokens=("",)))
    assert kept.df["element"].tolist() == ["NA", "K", "NA"]


def _credit(rows: int = 40, extra: str = "") -> bytes:
    debtors = ["none", "guarantor", "none", "co-applicant", "none"]
    lines = ["other_debtors,amount,job" + extra]
    for i in range(rows):
        job = "skilled" if i % 3 else "unskilled"
        lines.append(f"{debtors[i % 5]},{100 + i},{job}" + ("," + str(i) if extra else ""))
    return ("\n".join(lines) + "\n").encode()


def test_a_category_named_none_is_kept_by_evidence() -> None:
    table = read_table(_credit())
    assert table.df["other_debtors"].notna().all()
    assert (table.df["other_debtors"] == "none").sum() == 24
    summary = table.report.tokens["other_debtors"]
    assert summary.kept == {"none": 24}
    assert not summary.missing
    assert (
        "common value in a text column that has no other missing marker" in summary.reasons["none"]
    )
    assert [(w.word, w.rows, w.missing) for w in summary.words()] == [("none", 24, False)]
    assert ("Kept as values", "'none' x24 (see the columns)") in table.report.summary()


def test_tokens_are_missing_where_the_evidence_says_so() -> None:
    # The same word marks missing numbers elsewhere in the file: missing everywhere.
    raw = _credit().replace(b"none,104,", b"none,none,")
    table = read_table(raw)
    assert table.df["other_debtors"].isna().sum() == 24
    assert table.df["amount"].isna().sum() == 1
    # A column with empty cells as well: the word is a second missing marker.
    raw = _credit().replace(b"guarantor,101,", b",101,")
    assert read_table(raw).df["other_debtors"].isna().sum() == 24 + 1
    # Words that are never answers stay missing in text columns.
    raw = _credit().replace(b"none,", b"?,")
    assert read_table(raw).df["other_debtors"].isna().sum() == 24


def test_the_user_decides_per_column_and_companion_files_follow() -> None:
    raw = _credit()
    forced = read_table(raw, ReadOptions(missing_tokens=(("other_debtors", "None"),)))
    assert forced.df["other_debtors"].isna().sum() == 24
    assert forced.report.tokens["other_debtors"].missing == {"none": 24}
    own = read_table(raw, ReadOptions(missing_tokens=(("job", "unskilled"),)))
    assert own.df["job"].isna().sum() == 14  # a column's own missing spelling
    marked = raw.replace(b"none,104,", b"none,none,")
    kept = read_table(marked, ReadOptions(keep_tokens=(("other_debtors", "none"),)))
    assert kept.df["other_debtors"].notna().all()
    assert kept.report.tokens["other_debtors"].reasons["none"] == "kept as a value by you"
    assert kept.report.token_choices() == (
        (("other_debtors", "none"),),
        (("amount", "none"),),
    )
    # A synthetic file with empty cells in the column is still read like the real one.
    synthetic = read_like(raw.replace(b"guarantor,101,", b",101,"), read_table(raw), "synthetic")
    assert (synthetic.df["other_debtors"] == "none").sum() == 24
    assert synthetic.df["other_debtors"].isna().sum() == 1


def test_a_synthetic_column_that_is_all_empty_reads_like_the_real_kind() -> None:
    real = read_table(b"id_year,x\n1987,a\n,b\n,c\n,a\n")
    synthetic = read_like(b"id_year,x\n,a\n,b\n,c\n", real, "synthetic table")
    assert synthetic.schema["id_year"].kind is ColumnKind.NUMERICAL
    assert synthetic.df["id_year"].isna().all()


def test_header_detection_uses_evidence_from_the_columns() -> None:
    rows = "\n".join(f"Adelie,{30 + i % 9}.5,MALE" for i in range(12))
    assert not csv_table(rows + "\n").report.has_header  # a number above numbers, a category
    assert csv_table("species,bill,sex\n" + rows + "\n").report.has_header
    assert csv_table("name,city\nann,Oslo\nbob,Rome\n").report.has_header  # no evidence: header
    assert not csv_table("NA,1.5\nx,2.5\ny,3.5\n").report.has_header


def test_a_title_line_with_a_comma_is_skipped_but_a_short_header_is_not() -> None:
    table = csv_table("Survey 2024, wave 2\na,b,c,d,e\n1,2,3,4,5\n6,7,8,9,10\n")
    assert table.schema.names == ["a", "b", "c", "d", "e"]
    assert table.report.skipped_lines == 1
    with pytest.raises(InputError, match="Line 2 has 3 fields but the header has 2"):
        csv_table("x,y\nr1,1,2\nr2,3,4\n")  # R's write.table header: no row-name column


def test_a_yes_none_column_keeps_none_as_its_second_answer_and_flips_no_other_column() -> None:
    """German credit: 'telephone' is yes/none. Read as true/false with 'none' missing, it had
    one value, and because a true/false column used 'none' for missing values, 'none' became
    missing in every other column too (907 'other_debtors' rows blank in the download)."""
    from tests.real_like import credit_csv

    table = read_table(credit_csv(1_000))
    for column in ("other_debtors", "installment_plan", "telephone"):
        assert table.schema[column].kind.value == "categorical", column
        assert table.df[column].notna().all(), column
        assert (table.df[column] == "none").mean() > 0.5, column
    assert table.schema["foreign_worker"].kind.value == "boolean"
    why = table.report.tokens["telephone"].reasons["none"]
    assert "only other value is 'yes'" in why
    assert "second answer" in why


def test_every_word_read_as_missing_says_why() -> None:
    raw = b"element,count,note\nNA,1,none\nK,NA,x\nNA,3,y\nK,4,\n"
    table = read_table(raw)
    reasons = {c: dict(s.reasons) for c, s in table.report.tokens.items()}
    assert "number" in reasons["count"]["NA"] or "numerical" in reasons["count"]["NA"]
    assert reasons["element"]["NA"] == "the 'count' column (not text) uses it for missing values"
    assert reasons["note"]["none"] == "the column has other missing markers too"
