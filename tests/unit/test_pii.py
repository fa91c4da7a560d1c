"""Fake PII values and new IDs: right shape, reproducible, never a real value."""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pytest

from synth_core import PiiType
from synth_core.generate.protect.pii import common_names_note, fake_column, new_ids

_PATTERNS = {
    PiiType.EMAIL: r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$",
    PiiType.SSN: r"^\d{3}-\d{2}-\d{4}$",
    PiiType.IP_ADDRESS: r"^\d{1,3}(\.\d{1,3}){3}$",
    PiiType.NAME: r"^\S+( \S+)+$",
    PiiType.FIRST_NAME: r"^\S+$",
}


@pytest.mark.parametrize("pii_type", list(PiiType))
def test_fake_values_have_the_type_and_are_reproducible(pii_type: PiiType) -> None:
    real = pd.Series(["Real Person One", "Real Person Two"] * 10, dtype=object)
    first = fake_column(pii_type, real, 50, seed=7)
    again = fake_column(pii_type, real, 50, seed=7)
    other = fake_column(pii_type, real, 50, seed=8)
    assert len(first) == 50
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()
    assert not set(first) & set(real)
    if pii_type in _PATTERNS:
        assert first.str.match(_PATTERNS[pii_type]).all(), first.head().tolist()


def test_missing_rate_follows_the_real_column() -> None:
    real = pd.Series(["a@b.com"] * 700 + [np.nan] * 300, dtype=object)
    fake = fake_column(PiiType.EMAIL, real, 4000, seed=1)
    assert 0.27 < fake.isna().mean() < 0.33


def test_addresses_with_a_city_stay_one_line() -> None:
    real = pd.Series(["1 Main St, Springfield, IL 62701", "2 Oak Ave, Salem, OR 97301"])
    fake = fake_column(PiiType.ADDRESS, real, 20, seed=2)
    assert fake.str.contains(",").all()
    assert not fake.str.contains("\n").any()


def test_whole_number_ids_are_random_numbers_of_the_real_width() -> None:
    """Counting up from the largest real ID gave away the real maximum and, with IDs from 1,
    the real number of rows (issue 23)."""
    real = pd.Series(np.arange(1, 538), dtype="Int64")  # 537 legislators, IDs 1..537
    ids = new_ids(real, 537, seed=0)
    assert str(ids.dtype) == "Int64"
    assert ids.is_unique
    assert not ids.isin(real).any()
    assert ids.astype(str).str.len().eq(3).mean() > 0.5  # the real width while it has room
    assert ids.min() < 900  # not counting up from 538
    assert ids.astype(str).str.len().max() <= 4
    steps = np.diff(ids.to_numpy(dtype=np.int64))
    assert len(set(steps.tolist())) > 100  # no pattern from row to row
    again = new_ids(real, 537, seed=0)
    assert again.tolist() == ids.tolist()


def test_coded_ids_keep_prefix_and_width() -> None:
    real = pd.Series(["C00017", "C00002", "C00100"])
    ids = new_ids(real, 50, seed=0)
    assert ids.str.match(r"^C\d{5}$").all()
    assert ids.is_unique
    assert not ids.isin(real).any()
    assert ids.str.slice(1).astype(int).max() > 1_000  # random, not after C00100


def test_uuid_ids_stay_uuids() -> None:
    real = pd.Series(
        ["123e4567-e89b-42d3-a456-426614174000", "9f1c7b7e-3c0a-4f5e-8f5a-2b1d6c0e9a11"]
    )
    ids = new_ids(real, 100, seed=0)
    assert ids.is_unique
    assert ids.str.match(
        r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    ).all()
    assert ids.tolist() == new_ids(real, 100, seed=0).tolist()


def test_other_ids_keep_the_shape_of_the_real_ones_and_are_never_real() -> None:
    real = pd.Series(["ab-x1", "zz-q9", "k2-77"])
    ids = new_ids(real, 500, seed=3)
    assert ids.is_unique
    assert not set(ids) & set(real)
    assert all(re.fullmatch(r"[a-z][a-z0-9]-[a-z0-9][0-9]", i) for i in ids)
    assert ids.tolist() == new_ids(real, 500, seed=3).tolist()


def _shape(value: str) -> str:
    return re.sub("[0-9]", "9", re.sub("[a-z]", "a", re.sub("[A-Z]", "A", value)))


def test_long_codes_of_any_alphabet_get_new_values_of_the_same_shape() -> None:
    rng = np.random.default_rng(0)
    alphabet = np.array(list(string.ascii_letters + string.digits + "_-"))
    youtube = pd.Series(["UC" + "".join(rng.choice(alphabet, 22)) for _ in range(300)])
    ids = new_ids(youtube, 1000, seed=1)  # 62**22 values: far beyond 64-bit integers
    assert ids.is_unique
    assert not set(ids) & set(youtube)
    assert ids.str.startswith("UC").all()  # shared by every real value: kept
    assert set(ids.map(_shape)) <= set(youtube.str.slice(2).map(_shape).map(lambda s: "AA" + s))
    forty = pd.Series(["".join(rng.choice(alphabet[:62], 40)) for _ in range(50)])
    assert new_ids(forty, 100, seed=0).str.len().eq(40).all()


def test_codes_with_very_long_digit_runs_continue_without_overflow() -> None:
    real = pd.Series(["C" + "9" * 25, "C" + "1" * 25])
    ids = new_ids(real, 3, seed=0)
    assert ids.str.match(r"^C\d{25}$").all()
    assert ids.is_unique
    assert not ids.isin(real).any()


def test_whole_number_ids_near_the_64_bit_limit_stay_64_bit() -> None:
    top = np.iinfo(np.int64).max
    ids = new_ids(pd.Series([top - 1, top, 5], dtype="Int64"), 4, seed=0)
    assert str(ids.dtype) == "Int64"
    assert ids.is_unique
    assert not set(ids.tolist()) & {top - 1, top, 5}


def test_new_ids_stay_unique_across_chunks_and_never_repeat_a_real_value() -> None:
    real = pd.Series([f"{13000000 + k}CF10A" for k in range(0, 4000, 7)])
    first, second = new_ids(real, 300, seed=4), new_ids(real, 300, seed=4, offset=300)
    assert not set(first) & set(second)
    assert not (set(first) | set(second)) & set(real)
    assert first.str.fullmatch(r"1\d{7}CF10A").all()  # '1' and 'CF10A' are shared by all


def test_a_shape_with_too_few_values_is_lengthened() -> None:
    real = pd.Series(["A1", "B2", "C3"])  # 260 values of this shape
    ids = new_ids(real, 600, seed=0)
    assert ids.is_unique
    assert not set(ids) & set(real)
    assert set(ids.str.len()) == {2, 3}


def test_urls_and_handles_keep_what_many_rows_share() -> None:
    handles = [f"Rep{name}{k}" for k, name in enumerate(["Lee", "Ray", "Kim", "Fox"] * 5)]
    urls = pd.Series([f"https://www.facebook.com/{h}" for h in handles])
    fake = fake_column(PiiType.URL, urls, 50, seed=0)
    assert fake.str.startswith("https://www.facebook.com/").all()
    assert not set(fake) & set(urls)
    names = fake_column(PiiType.USER_NAME, pd.Series(handles + [None] * 20), 400, seed=0)
    assert 0.42 < names.isna().mean() < 0.58  # as often as in the real column (50%)
    assert not set(names.dropna()) & set(handles)


def test_new_codes_are_never_read_back_as_missing() -> None:
    states = pd.Series(["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID"])
    ids = new_ids(states, 600, seed=0)  # 676 two-letter codes: 'NA' would be among them
    assert "NA" not in set(ids)
    assert ids.is_unique


def test_a_rows_fake_person_is_one_person() -> None:
    from faker.providers.person.en_US import Provider

    from synth_core import read_table
    from synth_core.data.schema import ColumnOverride
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import synthesize

    rng = np.random.default_rng(3)
    sex = rng.choice(["F", "M"], 200)
    frame = pd.DataFrame(
        {
            "first_name": [f"Realfirst{i}" for i in range(200)],
            "last_name": [f"Reallast{i}" for i in range(200)],
            "full_name": [f"Realfirst{i} Reallast{i}" for i in range(200)],
            "sex": sex,
            "age": rng.integers(18, 90, 200),
        }
    )
    table = read_table(frame.to_csv(index=False).encode()).with_overrides(
        {
            "first_name": ColumnOverride.parse("pii:first_name"),
            "last_name": ColumnOverride.parse("pii:last_name"),
            "full_name": ColumnOverride.parse("pii:name"),
        }
    )
    data = synthesize(table, GenerationSpec(generator="cart", rows=300)).data
    assert (data["full_name"] == data["first_name"] + " " + data["last_name"]).all()
    female, male = set(Provider.first_names_female), set(Provider.first_names_male)
    women = data.loc[data["sex"] == "F", "first_name"]
    men = data.loc[data["sex"] == "M", "first_name"]
    assert women.isin(female).mean() > 0.95
    assert men.isin(male).mean() > 0.95


@pytest.mark.slow
def test_at_full_size_single_names_repeat_but_no_real_persons_whole_name_comes_back() -> None:
    """A 7,214-row table of people holds almost every first name Faker makes: drawing first
    names unlike every real one failed (issue 23). Single names may repeat; a real first and
    last name together, or a real full name, never come back."""
    from synth_core.generate.protect.pii import consistent_people
    from tests.real_like import compas_frame

    real = compas_frame(7_214)
    n = len(real)
    columns = {
        "first": fake_column(PiiType.FIRST_NAME, real["first"], n, seed=1, column="first"),
        "last": fake_column(PiiType.LAST_NAME, real["last"], n, seed=2, column="last"),
        "name": fake_column(PiiType.NAME, real["name"], n, seed=3, column="name"),
    }
    faked = {"first": PiiType.FIRST_NAME, "last": PiiType.LAST_NAME, "name": PiiType.NAME}
    known = {c: real[c] for c in faked}
    people = consistent_people(columns, faked, None, known, seed=4)
    lower = {c: people[c].str.lower() for c in faked}
    assert lower["first"].isin(set(real["first"])).mean() > 0.5  # common names, shared
    real_pairs = set(zip(real["first"], real["last"], strict=True))
    pairs = set(zip(lower["first"], lower["last"], strict=True))
    assert not pairs & real_pairs
    assert not set(lower["name"]) & set(real["name"])
    assert (lower["name"] == lower["first"] + " " + lower["last"]).all()


def test_a_name_with_a_real_persons_date_of_birth_is_drawn_again() -> None:
    from synth_core.generate.protect.pii import consistent_people

    rng = np.random.default_rng(0)
    births = pd.Series(pd.to_datetime(rng.choice(["1980-01-01", "1990-05-05"], 3_000)))
    real_first = fake_column(PiiType.FIRST_NAME, pd.Series(["x"] * 10), 3_000, seed=9)
    synthetic_births = pd.Series(pd.to_datetime(rng.choice(["1980-01-01", "1990-05-05"], 3_000)))
    columns = {"first": fake_column(PiiType.FIRST_NAME, real_first, 3_000, seed=5)}
    before = set(zip(columns["first"], synthetic_births, strict=True))
    assert before & set(zip(real_first, births, strict=True))  # common names meet common dates
    people = consistent_people(
        columns,
        {"first": PiiType.FIRST_NAME},
        None,
        {"first": real_first},
        seed=6,
        birth=(synthetic_births, births),
    )
    after = set(zip(people["first"], synthetic_births, strict=True))
    assert not after & set(zip(real_first, births, strict=True))


def test_when_fake_values_run_out_the_message_names_the_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from synth_core.generate.protect import pii

    monkeypatch.setattr(pii, "_makers", lambda fake, one_line: {PiiType.EMAIL: lambda: "a@b.com"})
    with pytest.raises(pii.PiiExhaustedError, match="'contact'") as raised:
        fake_column(PiiType.EMAIL, pd.Series(["a@b.com"] * 5), 3, seed=0, column="contact")
    assert raised.value.column == "contact"


def test_names_are_written_in_the_real_columns_case() -> None:
    from synth_core.generate.protect.pii import case_like

    made = pd.Series(["Miguel Hernandez", None, "Ann Lee"], dtype=object)
    assert case_like(made, pd.Series(["ann smith"] * 20)).tolist() == [
        "miguel hernandez",
        None,
        "ann lee",
    ]
    assert case_like(made, pd.Series(["ANN SMITH"] * 20)).tolist()[0] == "MIGUEL HERNANDEZ"
    assert case_like(made, pd.Series(["Ann Smith", "bob"] * 10)).tolist()[0] == "Miguel Hernandez"


def test_the_column_named_by_an_exhausted_message_is_found() -> None:
    from synth_core.generate.protect.pii import PiiExhaustedError, exhausted_column

    message = str(PiiExhaustedError("first (given)", PiiType.FIRST_NAME))
    assert exhausted_column(message) == "first (given)"
    assert exhausted_column("Something else went wrong.") is None


def test_a_mostly_empty_second_first_name_column_does_not_stop_a_table_of_people() -> None:
    """A table of legislators has first names and nicknames (both read as first names; the
    nickname filled in 5% of rows) and every surname Faker makes: the nickname was taken as
    'the' first name, so a row without one made (surname, no nickname) pairs that every real
    row without a nickname shared, and no surname could be drawn (issue 33's table stopped
    with 'Could not make a value for last_name'). A pair with a missing half is no one's, and
    the first name is the column filled in most real rows."""
    from faker.providers.person.en_US import Provider

    from synth_core.generate.protect.pii import consistent_people

    surnames = list(Provider.last_names)
    n = 3 * len(surnames)
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {
            "first_name": fake_column(PiiType.FIRST_NAME, pd.Series(["x"] * 10), n, seed=1),
            "nickname": pd.Series(np.where(rng.random(n) < 0.05, "Bud", None), dtype=object),
            "last_name": pd.Series(surnames * 3, dtype=object),
        }
    )
    faked = {
        "first_name": PiiType.FIRST_NAME,
        "nickname": PiiType.FIRST_NAME,
        "last_name": PiiType.LAST_NAME,
    }
    columns = {
        name: fake_column(pii_type, real[name], n, seed=2 + i, column=name)
        for i, (name, pii_type) in enumerate(faked.items())
    }
    people = consistent_people(columns, faked, None, {c: real[c] for c in faked}, seed=7)
    pairs = set(zip(people["first_name"].str.lower(), people["last_name"].str.lower(), strict=True))
    real_pairs = set(
        zip(real["first_name"].str.lower(), real["last_name"].str.lower(), strict=True)
    )
    assert not pairs & real_pairs  # the pair that names a person is the first name's
    assert people["nickname"].isna().mean() == pytest.approx(0.95, abs=0.03)


def test_the_note_says_how_many_fake_names_are_real_ones_and_why() -> None:
    """Issue 33, point 7: fake first names and surnames may be common real names; the note
    says how many, and counts any a single real row holds and any real person made again."""
    real = {
        "first": pd.Series(["ann", "ann", "bob", "cy"]),
        "last": pd.Series(["x", "y", "z", "w"]),
    }
    made = {"first": pd.Series(["Ann", "bob ", "dee"]), "last": pd.Series(["q", "Z", "r"])}
    kinds = {"first": PiiType.FIRST_NAME, "last": PiiType.LAST_NAME}
    note = common_names_note(made, real, kinds)
    assert "'first' 67%, 'last' 33% of rows" in note  # Ann, bob / Z, by hand
    assert "except 2 that only one real row holds" in note  # bob and Z
    assert "1 rows hold a real person's first name and surname together" in note  # bob Z
    unlike = {"first": pd.Series(["ann", "dee"]), "last": pd.Series(["q", "r"])}
    note = common_names_note(unlike, real, kinds)
    assert "'first' 50% of rows" in note
    assert "no fake name is one that only one real row holds" in note
    assert "no row holds a real person's first name and surname together" in note
    assert (
        common_names_note({"first": pd.Series(["dee"])}, real, {"first": PiiType.FIRST_NAME}) == ""
    )
