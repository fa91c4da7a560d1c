"""Type conversion (numbers, booleans, datetimes) and kind detection, including PII and IDs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth_core import ColumnKind, ColumnOverride, PiiType, SchemaError
from synth_core.data.convert import (
    decimals_of,
    parse_booleans,
    parse_datetimes,
    parse_numbers,
    render_text,
)
from synth_core.data.detect import name_tokens
from tests.helpers import csv_table


def _numbers(*values: str) -> list[object] | None:
    parsed = parse_numbers(pd.Series(values, dtype=object))
    return None if parsed is None else parsed.values.tolist()


def test_plain_exponent_and_signed_numbers() -> None:
    assert _numbers("1", "-2", "+3") == [1, -2, 3]
    assert _numbers("5e+05", "1e3") == [500_000, 1000]
    assert _numbers("1.5", "-0.25", ".5") == [1.5, -0.25, 0.5]


def test_integers_written_with_a_point_stay_floats() -> None:
    parsed = parse_numbers(pd.Series(["1.0", "2.0"], dtype=object))
    assert parsed is not None
    assert not parsed.integer
    assert parsed.decimals == 0


def test_thousands_separators() -> None:
    parsed = parse_numbers(pd.Series(["1,234", "12", "1,234,567.5"], dtype=object))
    assert parsed is not None
    assert parsed.values.tolist() == [1234.0, 12.0, 1234567.5]
    assert "thousands" in parsed.note


def test_things_that_are_not_numbers() -> None:
    assert _numbers("08123", "12345") is None  # a code with a leading zero
    assert _numbers("1", "two") is None
    assert _numbers("inf", "1") is None
    assert _numbers("1,23,4") is None
    assert _numbers("12345678901234567890") is None  # digits would be lost as a float


def test_large_integers_keep_every_digit() -> None:
    assert _numbers("9007199254740993", "1") == [9007199254740993, 1]


def test_decimals_of() -> None:
    assert decimals_of(np.array([1.0, 2.5, 3.25])) == 2
    assert decimals_of(np.array([16884.924, 1725.5523])) == 4
    assert decimals_of(np.array([33.77, 0.1 + 0.2])) == 2
    assert decimals_of(np.array([np.nan, 1.0])) == 0


@pytest.mark.parametrize(
    ("values", "tokens"),
    [
        (["yes", "no", "Yes"], ("yes", "no")),
        (["TRUE", "FALSE", "TRUE"], ("TRUE", "FALSE")),
        (["t", "f"], ("t", "f")),
        (["Y", "N", "N"], ("Y", "N")),
    ],
)
def test_booleans(values: list[str], tokens: tuple[str, str]) -> None:
    parsed = parse_booleans(pd.Series(values, dtype=object))
    assert parsed is not None
    assert (parsed.true_token, parsed.false_token) == tokens
    assert parsed.values.tolist() == [v.lower() in {"yes", "true", "t", "y"} for v in values]


def test_not_booleans() -> None:
    assert parse_booleans(pd.Series(["f", "f"], dtype=object)) is None  # a lone letter is a code
    assert parse_booleans(pd.Series(["1", "0"], dtype=object)) is None
    assert parse_booleans(pd.Series(["1", "0"], dtype=object), allow_zero_one=True) is not None
    assert parse_booleans(pd.Series(["yes", "no", "maybe"], dtype=object)) is None


@pytest.mark.parametrize(
    ("values", "fmt", "output"),
    [
        (["2020-01-31", "2021-02-01"], "%Y-%m-%d", "%Y-%m-%d"),
        (["31/01/2020", "01/02/2021"], "%d/%m/%Y", "%d/%m/%Y"),
        (["01/31/2020", "02/01/2021"], "%m/%d/%Y", "%m/%d/%Y"),
        (["1/31/2020 0:00:00", "2/1/2021 13:05:00"], "%m/%d/%Y %H:%M:%S", "%-m/%-d/%Y %-H:%M:%S"),
        (["2020-01-31T10:00:00", "2021-02-01T11:30:15"], "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S"),
    ],
)
def test_datetime_formats_and_round_trip(values: list[str], fmt: str, output: str) -> None:
    text = pd.Series(values, dtype=object)
    parsed = parse_datetimes(text)
    assert parsed is not None
    assert parsed.parse_format == fmt
    assert parsed.output_format == output
    assert parsed.values.dt.strftime(output).tolist() == values


def test_ambiguous_day_month_reads_month_first_and_says_so() -> None:
    parsed = parse_datetimes(pd.Series(["01/02/2020", "03/04/2020"], dtype=object))
    assert parsed is not None
    assert parsed.parse_format == "%m/%d/%Y"
    assert "either way round" in parsed.note


def test_mixed_date_formats_are_not_dates() -> None:
    assert parse_datetimes(pd.Series(["2020-01-31", "31/01/2020"], dtype=object)) is None


def test_time_zones_are_converted_to_utc() -> None:
    parsed = parse_datetimes(
        pd.Series(["2020-01-01 10:00:00+0100", "2020-01-02 10:00:00+0000"], dtype=object)
    )
    assert parsed is not None
    assert parsed.values.dt.strftime("%H").tolist() == ["09", "10"]
    assert "UTC" in parsed.note


def test_name_tokens() -> None:
    assert name_tokens("PassengerId") == ["passenger", "id"]
    assert name_tokens("e-mail address") == ["e", "mail", "address"]
    assert name_tokens("FIRST_NAME") == ["first", "name"]


def _kinds(text: str) -> dict[str, str]:
    return {c.name: c.label for c in csv_table(text).schema}


def test_detected_kinds_on_a_mixed_table() -> None:
    rows = "\n".join(
        f"{i},C{i:05d},{20 + i % 50},{i % 3 == 0},{['red', 'blue'][i % 2]},"
        f"2020-01-{1 + i % 28:02d},{1.5 * i}"
        for i in range(1, 41)
    )
    kinds = _kinds("id,code,age,active,colour,day,amount\n" + rows)
    assert kinds == {
        "id": "id",
        "code": "id",
        "age": "numerical",
        "active": "boolean",
        "colour": "categorical",
        "day": "datetime",
        "amount": "numerical",
    }


def test_pii_detected_from_names_and_values() -> None:
    firsts = ["Alice", "Bob", "Carol", "David", "Emma"]
    lasts = ["Smith", "Jones", "White", "Brown", "Taylor"]
    streets = ["Oak Street", "Pine Avenue", "Elm Road", "Main St", "Hill Lane"]
    rows = "\n".join(
        f"{first} {last},{first},{last},{first.lower()}.{last.lower()}@example.com,"
        f"+1 (555) 010-{2000 + 5 * i + j},{10 + j} {streets[i]},{i + j}"
        for i, first in enumerate(firsts)
        for j, last in enumerate(lasts)
    )
    text = "customer,first_name,surname,contact,tel,home,visits\n" + rows
    kinds = _kinds(text)
    assert kinds == {
        "customer": "pii:name",
        "first_name": "pii:first_name",
        "surname": "pii:last_name",
        "contact": "pii:email",
        "tel": "pii:phone_number",
        "home": "pii:address",
        "visits": "numerical",
    }


def test_phone_numbers_written_as_digits_with_a_phone_name() -> None:
    assert _kinds("Contact Phone Number,city\n2095257564,Modesto\n2095257565,Fresno\n") == {
        "Contact Phone Number": "pii:phone_number",
        "city": "categorical",
    }


def test_names_of_places_and_things_are_not_people() -> None:
    kinds = _kinds(
        "State Name,item_name,name\nALABAMA,RIFLE,Adams County\nALASKA,PISTOL,Arthur County\n"
        "ARIZONA,SHOTGUN,Banner County\n"
    )
    assert kinds == {"State Name": "categorical", "item_name": "categorical", "name": "categorical"}


def test_other_pii_patterns() -> None:
    rows = [
        ("123-45-6789", "192.168.0.1", "GB82WEST12345698765432", "4111 1111 1111 1111"),
        ("987-65-4321", "10.0.0.2", "DE89370400440532013000", "5500 0000 0000 0004"),
    ] * 3
    text = "ssn_code,host,account,card number\n" + "\n".join(",".join(r) for r in rows)
    assert _kinds(text) == {
        "ssn_code": "pii:ssn",
        "host": "pii:ip_address",
        "account": "pii:iban",
        "card number": "pii:credit_card_number",
    }


def test_non_unique_id_named_column_is_not_an_id() -> None:
    assert _kinds("customer_id,amount\n1,10\n1,12\n2,9\n")["customer_id"] == "numerical"


def test_overrides_convert_values_and_refuse_impossible_kinds() -> None:
    table = csv_table(
        "code,flag,when,n\n001,1,2020-01-02,5\n002,0,2020-03-04,6\n010,1,2021-05-06,7\n"
    )
    assert table.schema["code"].kind is ColumnKind.CATEGORICAL
    changed = table.with_overrides(
        {
            "code": ColumnOverride.parse("numerical"),
            "flag": ColumnOverride.parse("boolean"),
            "when": ColumnOverride.parse("categorical"),
            "n": ColumnOverride.parse("pii:name"),
        }
    )
    assert changed.df["code"].tolist() == [1, 2, 10]
    assert changed.df["flag"].tolist() == [True, False, True]
    assert changed.schema["flag"].true_token == "1"
    assert changed.df["when"].tolist() == ["2020-01-02", "2020-03-04", "2021-05-06"]
    assert changed.schema["n"].pii_type is PiiType.NAME
    with pytest.raises(SchemaError, match="cannot be numerical: some values are not numbers"):
        csv_table("x\nabc\n1\n").with_overrides({"x": ColumnOverride.parse("numerical")})
    with pytest.raises(SchemaError, match="cannot be a datetime column"):
        table.with_overrides({"when": ColumnOverride.parse("datetime:%d/%m/%Y")})


def test_override_labels() -> None:
    assert ColumnOverride.parse("pii:email") == ColumnOverride(ColumnKind.PII, PiiType.EMAIL)
    assert ColumnOverride.parse("datetime:%d.%m.%Y").datetime_format == "%d.%m.%Y"
    with pytest.raises(SchemaError, match="Unknown column kind"):
        ColumnOverride.parse("text")
    with pytest.raises(SchemaError, match="Say which PII type"):
        ColumnOverride.parse("pii")
    with pytest.raises(SchemaError, match="Unknown PII type"):
        ColumnOverride.parse("pii:passport")


def test_render_text_round_trips_every_kind() -> None:
    text = "n,x,b,d,c\n1,1.25,yes,5/9/2006 0:00:00,a\n,2.5,no,12/19/2006 13:05:00,\n3,,yes,,c\n"
    table = csv_table(text)
    written = {c.name: render_text(table.df[c.name], c).fillna("").tolist() for c in table.schema}
    assert written == {
        "n": ["1", "", "3"],
        "x": ["1.25", "2.5", ""],
        "b": ["yes", "no", "yes"],
        "d": ["5/9/2006 0:00:00", "12/19/2006 13:05:00", ""],
        "c": ["a", "", "c"],
    }


def _column_table(columns: dict[str, list[str]]) -> str:
    rows = zip(*columns.values(), strict=True)
    return ",".join(columns) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


def test_single_names_are_personal_data_under_any_header() -> None:
    firsts = ["miguel", "kevon", "marsha", "edward", "ann", "john", "lisa", "omar", "peter", "rosa"]
    lasts = [
        "hernandez",
        "dixon",
        "brown",
        "smith",
        "jones",
        "garcia",
        "miller",
        "davis",
        "lee",
        "wilson",
    ]
    rows = 60
    table = csv_table(
        _column_table(
            {
                "first": [firsts[i % 10] for i in range(rows)],
                "last": [lasts[i % 10] for i in range(rows)],
                "col_a": [firsts[(i * 3) % 10].title() for i in range(rows)],
                "col_b": [lasts[(i * 3) % 10].upper() for i in range(rows)],
                "month": [
                    ["January", "May", "June", "April", "March", "July"][i % 6] for i in range(rows)
                ],
                "colour": [
                    [
                        "red",
                        "rose",
                        "amber",
                        "ruby",
                        "blue",
                        "green",
                        "teal",
                        "navy",
                        "grey",
                        "pink",
                    ][i % 10]
                    for i in range(rows)
                ],
            }
        )
    )
    kinds = {c.name: c.label for c in table.schema}
    assert kinds["first"] == "pii:first_name"
    assert kinds["last"] == "pii:last_name"
    assert kinds["col_a"] == "pii:first_name"
    assert kinds["col_b"] == "pii:last_name"
    assert kinds["month"] == "categorical"  # May, June, April: names, but few and not most
    assert kinds["colour"] == "categorical"


def test_handles_urls_and_mostly_unique_codes_are_not_categories() -> None:
    rows = 40
    table = csv_table(
        _column_table(
            {
                "twitter": [f"RepSmith{i}" for i in range(rows)],
                "insta": [f"@smith_{i}" for i in range(rows)],
                "homepage": [f"https://smith{i}.house.gov" for i in range(rows)],
                "source": [["https://a.org", "https://b.org"][i % 2] for i in range(rows)],
                "case": [f"{13011352 + 37 * i}CF10A" for i in range(rows)],
                "mostly": [f"K{i}x" if i % 4 else "K0x" for i in range(rows)],
                "grade": [["A", "B", "C"][i % 3] for i in range(rows)],
            }
        )
    )
    kinds = {c.name: c.label for c in table.schema}
    assert kinds["twitter"] == "pii:user_name"  # a handle word in the header, mostly unique
    assert kinds["insta"] == "pii:user_name"  # @handles under any header
    assert kinds["homepage"] == "pii:url"
    assert kinds["source"] == "categorical"  # two sites shared by every row
    assert kinds["case"] == "id"
    assert kinds["mostly"] == "id"  # 30 of 40 values are in one row only
    assert kinds["grade"] == "categorical"
    assert "mostly unique" in table.schema["mostly"].reason
