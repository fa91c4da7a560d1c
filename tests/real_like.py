"""Tables shaped like public ones that did silent harm with the defaults (issue 23), built here
with their traps and no real person in them:

- ``compas_csv``: a recidivism table. 0/1 columns where one implies another
  (``is_violent_recid`` ≤ ``is_recid``), others that mostly agree with it (``two_year_recid``,
  ``event``), two copies of a count (``priors_count``, ``priors_count.1``) and of a score, people's
  names under ``first``/``last``/``name`` and a date of birth.
- ``taxi_csv``: seaborn's taxis shape: trips over a month, minutes long (median ~11), a speed of
  ~10 mph, total = fare + tip + tolls, zones in boroughs.
- ``bike_csv``: hourly bike rentals: ``weekday``, ``mnth`` and ``yr`` derived from ``dteday``
  (0 = Sunday, 0 = 2011), ``cnt`` = ``casual`` + ``registered``.
- ``credit_csv``: German credit: ``telephone`` is ``yes``/``none``, ``other_debtors`` and
  ``installment_plan`` hold a category literally named ``none``.
- ``legislators_csv``: ID columns filled only for some rows (``lis_id`` for senators only), a
  zero-padded text ID and whole-number IDs.
- ``historical_csv``: the historical legislators file's shape (issue 33): 36 columns, most of
  them partly or nearly empty (middle names, nicknames, contact columns for recent members
  only, IDs of other sites), mixed types.
- ``orders_csv``: a bank's permanent orders (issue 33): ``k_symbol`` is two spaces in ~21% of
  the rows, amounts are written with two decimals (``8095.20``).
- ``census_frame``: the Adult census extract's shape (issue 24): 32,561 people, 15 columns, mostly
  categories and small whole numbers (so many rows have close neighbours), a near-unique weight,
  ``education_num`` fixed by ``education``, capital gains and losses zero for most people and a
  few repeated amounts otherwise, 40 hours for half, income above 50K for a quarter.

Each builder takes the number of rows and a seed, and returns CSV bytes as such files are written.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from faker import Faker


def compas_frame(rows: int = 7_214, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    male = rng.random(rows) < 0.81
    first = [(fake.first_name_male() if m else fake.first_name_female()).lower() for m in male]
    last = [fake.last_name().lower() for _ in range(rows)]
    screening = pd.Timestamp("2013-01-01") + pd.to_timedelta(rng.integers(0, 730, rows), "D")
    age = np.clip(rng.gamma(4.0, 8.5, rows) + 18, 18, 96).astype(int)
    dob = screening - pd.to_timedelta(age * 365.25 + rng.integers(0, 365, rows), "D")
    priors = np.minimum(rng.negative_binomial(1, 0.22, rows), 38)
    juvenile = np.minimum(rng.poisson(0.1, rows), 5)
    risk = -0.1 + 0.12 * priors - 0.03 * (age - 35) + 0.4 * (juvenile > 0)
    is_recid = (rng.random(rows) < 1 / (1 + np.exp(-risk))).astype(int)
    # Violent reoffending implies reoffending: is_violent_recid <= is_recid in every row.
    is_violent = (is_recid == 1) & (rng.random(rows) < 0.237)
    # Reoffending within two years: most reoffenders (97% agreement), never without is_recid.
    two_year = (is_recid == 1) & (rng.random(rows) < 0.935)
    # The survival-analysis event: agrees with is_recid in ~90% of rows, both ways.
    flip = rng.random(rows) < 0.10
    event = np.where(flip, 1 - is_recid, is_recid)
    decile = np.clip(np.round(1 + 9 / (1 + np.exp(-(risk + rng.normal(0, 0.8, rows))))), 1, 10)
    decile = decile.astype(int)
    score_text = np.where(decile <= 4, "Low", np.where(decile <= 7, "Medium", "High"))
    race = rng.choice(
        ["African-American", "Caucasian", "Hispanic", "Other", "Asian", "Native American"],
        rows,
        p=[0.51, 0.34, 0.088, 0.052, 0.005, 0.005],
    )
    jail_in = screening - pd.to_timedelta(rng.integers(0, 3, rows), "D")
    jail_in = jail_in + pd.to_timedelta(rng.integers(0, 86_400, rows), "s")
    jail_out = jail_in + pd.to_timedelta(np.round(rng.lognormal(10.5, 1.3, rows)), "s")
    end = np.where(is_recid == 1, rng.integers(1, 730, rows), rng.integers(400, 1186, rows))
    return pd.DataFrame(
        {
            "id": np.arange(1, rows + 1),
            "name": [f"{f} {s}" for f, s in zip(first, last, strict=True)],
            "first": first,
            "last": last,
            "compas_screening_date": screening.strftime("%Y-%m-%d"),
            "sex": np.where(male, "Male", "Female"),
            "dob": dob.strftime("%Y-%m-%d"),
            "age": age,
            "age_cat": np.where(
                age < 25, "Less than 25", np.where(age > 45, "Greater than 45", "25 - 45")
            ),
            "race": race,
            "juv_fel_count": juvenile,
            "decile_score": decile,
            "priors_count": priors,
            "c_jail_in": jail_in.strftime("%Y-%m-%d %H:%M:%S"),
            "c_jail_out": jail_out.strftime("%Y-%m-%d %H:%M:%S"),
            "c_charge_degree": rng.choice(["F", "M"], rows, p=[0.65, 0.35]),
            "is_recid": is_recid,
            "is_violent_recid": is_violent.astype(int),
            "decile_score.1": decile,
            "score_text": score_text,
            "priors_count.1": priors,
            "start": np.where(rng.random(rows) < 0.8, 0, rng.integers(1, 30, rows)),
            "end": end,
            "event": event,
            "two_year_recid": two_year.astype(int),
        }
    )


def compas_csv(rows: int = 7_214, seed: int = 0) -> bytes:
    return compas_frame(rows, seed).to_csv(index=False).encode()


ZONES = {
    "Midtown Center": "Manhattan",
    "Upper East Side North": "Manhattan",
    "Union Sq": "Manhattan",
    "Lenox Hill West": "Manhattan",
    "Clinton East": "Manhattan",
    "East Village": "Manhattan",
    "Murray Hill": "Manhattan",
    "Astoria": "Queens",
    "LaGuardia Airport": "Queens",
    "JFK Airport": "Queens",
    "Williamsburg (North Side)": "Brooklyn",
    "Park Slope": "Brooklyn",
    "Mott Haven/Port Morris": "Bronx",
}


def taxi_frame(rows: int = 6_433, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pickup = pd.Timestamp("2019-03-01") + pd.to_timedelta(rng.integers(0, 31 * 86_400, rows), "s")
    minutes = np.clip(rng.lognormal(np.log(10.9), 0.6, rows), 1.0, 110.0)
    speed = np.clip(rng.lognormal(np.log(10.0), 0.35, rows), 2.0, 40.0)  # mph
    distance = np.round(minutes / 60 * speed, 2)
    dropoff = pickup + pd.to_timedelta(np.round(minutes * 60), "s")
    fare = np.round(2.5 + 2.5 * distance + 0.5 * minutes / 2, 1)
    card = rng.random(rows) < 0.72
    tip = np.where(card, np.round(fare * rng.uniform(0.1, 0.3, rows), 2), 0.0)
    tolls = np.where(rng.random(rows) < 0.05, 5.76, 0.0)
    total = np.round(fare + tip + tolls + 3.3, 2)
    pick_zone = rng.choice(list(ZONES), rows)
    drop_zone = rng.choice(list(ZONES), rows)
    return pd.DataFrame(
        {
            "pickup": pickup.strftime("%Y-%m-%d %H:%M:%S"),
            "dropoff": dropoff.strftime("%Y-%m-%d %H:%M:%S"),
            "passengers": rng.choice([0, 1, 1, 1, 1, 2, 3, 5, 6], rows),
            "distance": distance,
            "fare": fare,
            "tip": tip,
            "tolls": tolls,
            "total": total,
            "color": np.where(rng.random(rows) < 0.87, "yellow", "green"),
            "payment": np.where(card, "credit card", "cash"),
            "pickup_zone": pick_zone,
            "dropoff_zone": drop_zone,
            "pickup_borough": [ZONES[z] for z in pick_zone],
            "dropoff_borough": [ZONES[z] for z in drop_zone],
        }
    )


def taxi_csv(rows: int = 6_433, seed: int = 0) -> bytes:
    return taxi_frame(rows, seed).to_csv(index=False).encode()


def bike_frame(rows: int = 17_379, seed: int = 0) -> pd.DataFrame:
    """Hourly rentals over 2011-2012 (rows drawn from every day and hour when fewer are asked)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2011-01-01", "2012-12-31", freq="D")
    slots = len(days) * 24
    picked = np.sort(rng.choice(slots, min(rows, slots), replace=False))
    day = days[picked // 24]
    hour = picked % 24
    weekday = (day.dayofweek.to_numpy() + 1) % 7  # 0 = Sunday, as the UCI file
    holiday = np.isin(day.strftime("%m-%d"), ["01-01", "07-04", "12-25", "11-11", "09-05"])
    workingday = ((weekday >= 1) & (weekday <= 5) & ~holiday).astype(int)
    month = day.month.to_numpy()
    season = np.select([month <= 3, month <= 6, month <= 9], [1, 2, 3], 4)
    temp = np.clip(
        0.5 - 0.3 * np.cos((month - 1) / 12 * 2 * np.pi) + rng.normal(0, 0.08, len(day)), 0.02, 1
    )
    weather = rng.choice([1, 2, 3, 4], len(day), p=[0.66, 0.26, 0.079, 0.001])
    peak = np.exp(-((hour - 8) ** 2) / 4) + np.exp(-((hour - 17.5) ** 2) / 6)
    base = 20 + 250 * peak * workingday + 120 * np.exp(-((hour - 14) ** 2) / 16) * (1 - workingday)
    base = base * (0.6 + temp) * (1 + 0.6 * (day.year.to_numpy() == 2012)) / weather
    registered = rng.poisson(base * 0.8)
    casual = rng.poisson(base * (0.1 + 0.4 * (1 - workingday)))
    return pd.DataFrame(
        {
            "instant": np.arange(1, len(day) + 1),
            "dteday": day.strftime("%Y-%m-%d"),
            "season": season,
            "yr": (day.year.to_numpy() - 2011),
            "mnth": month,
            "hr": hour,
            "holiday": holiday.astype(int),
            "weekday": weekday,
            "workingday": workingday,
            "weathersit": weather,
            "temp": np.round(temp, 2),
            "hum": np.round(np.clip(rng.normal(0.63, 0.19, len(day)), 0, 1), 2),
            "casual": casual,
            "registered": registered,
            "cnt": casual + registered,
        }
    )


def bike_csv(rows: int = 17_379, seed: int = 0) -> bytes:
    return bike_frame(rows, seed).to_csv(index=False).encode()


def credit_frame(rows: int = 1_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = np.round(rng.lognormal(7.8, 0.75, rows)).astype(int)
    duration = rng.choice([6, 9, 12, 15, 18, 24, 30, 36, 42, 48, 60], rows)
    return pd.DataFrame(
        {
            "checking_status": rng.choice(
                ["<0", "0<=X<200", ">=200", "no checking"], rows, p=[0.27, 0.27, 0.06, 0.4]
            ),
            "duration": duration,
            "credit_history": rng.choice(
                [
                    "critical/other existing credit",
                    "existing paid",
                    "delayed previously",
                    "no credits/all paid",
                    "all paid",
                ],
                rows,
                p=[0.29, 0.53, 0.09, 0.04, 0.05],
            ),
            "purpose": rng.choice(
                [
                    "radio/tv",
                    "new car",
                    "furniture/equipment",
                    "used car",
                    "business",
                    "education",
                    "repairs",
                    "other",
                ],
                rows,
                p=[0.28, 0.23, 0.18, 0.10, 0.10, 0.05, 0.02, 0.04],
            ),
            "credit_amount": amount,
            "other_debtors": rng.choice(
                ["none", "co-applicant", "guarantor"], rows, p=[0.907, 0.041, 0.052]
            ),
            "age": np.clip(rng.gamma(6, 6, rows) + 19, 19, 75).astype(int),
            "installment_plan": rng.choice(
                ["none", "bank", "stores"], rows, p=[0.814, 0.139, 0.047]
            ),
            "housing": rng.choice(["own", "rent", "for free"], rows, p=[0.71, 0.18, 0.11]),
            "telephone": rng.choice(["none", "yes"], rows, p=[0.596, 0.404]),
            "foreign_worker": rng.choice(["yes", "no"], rows, p=[0.963, 0.037]),
            "class": rng.choice(["good", "bad"], rows, p=[0.7, 0.3]),
        }
    )


def credit_csv(rows: int = 1_000, seed: int = 0) -> bytes:
    return credit_frame(rows, seed).to_csv(index=False).encode()


STATES = ["CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "WY", "VT", "AK", "DE"]


def legislators_frame(rows: int = 537, seed: int = 0) -> pd.DataFrame:
    """Members of Congress: 100 senators (with a Senate ID), the rest representatives; THOMAS
    IDs (zero-padded text) for the longer-serving ~42%, C-SPAN IDs for about half."""
    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed + 1)
    senators = min(100, rows // 5)
    senate = np.zeros(rows, dtype=bool)
    senate[rng.choice(rows, senators, replace=False)] = True
    gender = np.where(rng.random(rows) < 0.27, "F", "M")
    first = [fake.first_name_female() if g == "F" else fake.first_name_male() for g in gender]
    last = [fake.last_name() for _ in range(rows)]
    birthday = pd.Timestamp("1935-01-01") + pd.to_timedelta(rng.integers(0, 55 * 365, rows), "D")
    thomas = np.where(
        rng.random(rows) < np.where(senate, 0.6, 0.38),
        [f"{k:05d}" for k in rng.choice(np.arange(1, max(2_300, 2 * rows)), rows, replace=False)],
        "",
    )
    cspan = np.where(
        rng.random(rows) < 0.5, rng.choice(np.arange(1_000, 1_100_000), rows, replace=False), -1
    )
    lis = [f"S{k}" for k in rng.choice(np.arange(150, 420 + rows), rows, replace=False)]
    govtrack = rng.choice(np.arange(300_000, 413_000), rows, replace=False)
    frame = pd.DataFrame(
        {
            "last_name": last,
            "first_name": first,
            "full_name": [f"{f} {s}" for f, s in zip(first, last, strict=True)],
            "birthday": birthday.strftime("%Y-%m-%d"),
            "gender": gender,
            "type": np.where(senate, "sen", "rep"),
            "state": rng.choice(STATES, rows),
            "district": np.where(senate, -1, rng.integers(0, 53, rows)),
            "senate_class": np.where(senate, rng.integers(1, 4, rows), -1),
            "party": rng.choice(
                ["Democrat", "Republican", "Independent"], rows, p=[0.49, 0.5, 0.01]
            ),
            "bioguide_id": [
                f"{s[0].upper()}{k:06d}"
                for s, k in zip(
                    last, rng.choice(np.arange(1, 1_000_000), rows, replace=False), strict=True
                )
            ],
            "thomas_id": thomas,
            "lis_id": np.where(senate, lis, ""),
            "govtrack_id": govtrack,
            "cspan_id": cspan,
        }
    )
    for column in ("district", "senate_class", "cspan_id"):
        frame[column] = frame[column].astype(object).where(frame[column] >= 0, "")
    return frame


def legislators_csv(rows: int = 537, seed: int = 0) -> bytes:
    return legislators_frame(rows, seed).to_csv(index=False).encode()


# -- what a user checks in the downloaded file ------------------------------------------------


def _read(data: bytes) -> pd.DataFrame:
    """A CSV as a user opens it: text as written, an empty cell as ''."""
    import io

    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def check_compas(real_csv: bytes, synthetic_csv: bytes) -> None:
    """The target and its companions keep their shares (none erased to 0), the implication
    holds, the duplicated count stays a copy, and nobody's whole name comes back."""
    real, synthetic = _read(real_csv), _read(synthetic_csv)
    for column in ("is_recid", "is_violent_recid", "two_year_recid", "event"):
        share = synthetic[column].astype(int).mean()
        assert abs(share - real[column].astype(int).mean()) < 0.05, (column, share)
    assert (synthetic["is_violent_recid"].astype(int) <= synthetic["is_recid"].astype(int)).all()
    assert (synthetic["priors_count"] == synthetic["priors_count.1"]).all()
    assert (
        synthetic["priors_count"].astype(int).std() > 0.5 * real["priors_count"].astype(int).std()
    )
    within_a_day = _within_a_day(synthetic, "c_jail_in", "compas_screening_date")
    real_share = _within_a_day(real, "c_jail_in", "compas_screening_date")
    assert abs(within_a_day - real_share) < 0.1, (within_a_day, real_share)
    real_people = set(zip(real["first"].str.lower(), real["last"].str.lower(), strict=True))
    made = set(zip(synthetic["first"].str.lower(), synthetic["last"].str.lower(), strict=True))
    assert not real_people & made
    assert not set(real["name"].str.lower()) & set(synthetic["name"].str.lower())


def _within_a_day(frame: pd.DataFrame, first: str, second: str) -> float:
    gap = pd.to_datetime(frame[first]) - pd.to_datetime(frame[second])
    return float((gap.abs() <= pd.Timedelta(days=1)).mean())


def trip_minutes(frame: pd.DataFrame) -> pd.Series:
    delta = pd.to_datetime(frame["dropoff"]) - pd.to_datetime(frame["pickup"])
    return delta.dt.total_seconds() / 60


def check_taxi(real_csv: bytes, synthetic_csv: bytes) -> None:
    """Trips last as long as real ones (median, tail) at a realistic speed."""
    real, synthetic = _read(real_csv), _read(synthetic_csv)
    real_minutes, minutes = trip_minutes(real), trip_minutes(synthetic)
    assert (minutes > 0).all()
    # no value piled up: no pickup time, and no trip length, far more common than in real trips
    for values, real_values in ((synthetic["pickup"], real["pickup"]), (minutes, real_minutes)):
        top, real_top = values.value_counts().iloc[0], real_values.value_counts().iloc[0]
        assert top <= max(5, 3 * real_top), (values.value_counts().index[0], top, real_top)
    assert abs(minutes.median() / real_minutes.median() - 1) < 0.25, minutes.median()
    assert minutes.quantile(0.95) < 1.5 * real_minutes.quantile(0.95)
    assert (minutes > 2 * real_minutes.max()).mean() < 0.01
    speed = synthetic["distance"].astype(float) / (minutes / 60)
    real_speed = real["distance"].astype(float) / (real_minutes / 60)
    assert abs(speed.median() / real_speed.median() - 1) < 0.3, speed.median()


def check_bike(real_csv: bytes, synthetic_csv: bytes) -> None:
    """Weekday, month and year agree with the date in every row, as in the real file."""
    synthetic = _read(synthetic_csv)
    day = pd.to_datetime(synthetic["dteday"])
    assert ((day.dt.dayofweek + 1) % 7 == synthetic["weekday"].astype(int)).all()
    assert (day.dt.month == synthetic["mnth"].astype(int)).all()
    assert (day.dt.year - 2011 == synthetic["yr"].astype(int)).all()
    cnt = synthetic["casual"].astype(int) + synthetic["registered"].astype(int)
    assert (cnt == synthetic["cnt"].astype(int)).all()


def check_credit(real_csv: bytes, synthetic_csv: bytes) -> None:
    """'none' is a category, written as 'none', never a blank cell."""
    real, synthetic = _read(real_csv), _read(synthetic_csv)
    for column in ("other_debtors", "installment_plan", "telephone"):
        assert (synthetic[column] != "").all(), column
        share = (synthetic[column] == "none").mean()
        assert abs(share - (real[column] == "none").mean()) < 0.08, (column, share)
    assert set(synthetic["telephone"]) == {"yes", "none"}


def check_legislators(real_csv: bytes, synthetic_csv: bytes) -> None:
    """Senate IDs for senators only, in the real share; new IDs never real and not counting up
    from the real maximum."""
    real, synthetic = _read(real_csv), _read(synthetic_csv)
    for column in ("lis_id", "thomas_id", "cspan_id"):
        share = (synthetic[column] != "").mean()
        assert abs(share - (real[column] != "").mean()) < 0.08, (column, share)
    senators = synthetic["type"] == "sen"
    assert (synthetic.loc[~senators, "lis_id"] == "").mean() > 0.95
    assert (synthetic.loc[senators, "lis_id"] != "").mean() > 0.95
    for column in ("govtrack_id", "bioguide_id", "lis_id"):
        made = set(synthetic[column]) - {""}
        assert not made & set(real[column]), column
    govtrack = synthetic["govtrack_id"].astype(int)
    top = real["govtrack_id"].astype(int).max()
    assert not set(range(top + 1, top + 11)) <= set(govtrack)  # not counting up from the max
    assert synthetic["thomas_id"][synthetic["thomas_id"] != ""].str.len().eq(5).all()


def historical_frame(rows: int = 12_230, seed: int = 0) -> pd.DataFrame:
    """The legislators table with the historical file's other 21 columns: most members have no
    middle name, nickname, suffix or contact details; a few IDs of other sites are filled for
    some; every member has a Wikipedia page."""
    frame = legislators_frame(rows, seed)
    rng = np.random.default_rng(seed + 7)
    fake = Faker("en_US")
    fake.seed_instance(seed + 8)

    def partly(share: float, make: Callable[[int], str]) -> list[str]:
        return [make(i) if r < share else "" for i, r in enumerate(rng.random(rows))]

    frame.insert(2, "middle_name", partly(0.6, lambda i: fake.first_name()))
    frame.insert(3, "suffix", partly(0.03, lambda i: str(rng.choice(["Jr.", "Sr.", "III"]))))
    frame.insert(4, "nickname", partly(0.05, lambda i: fake.first_name()))
    recent = rng.random(rows) < 0.04
    contact: dict[str, Callable[[int], str]] = {
        "url": lambda i: f"https://{fake.last_name().lower()}{i}.house.gov",
        "address": lambda i: fake.address().replace("\n", " "),
        "phone": lambda i: fake.phone_number(),
        "contact_form": lambda i: f"https://www.m{i}.house.gov/contact",
        "rss_url": lambda i: f"https://m{i}.house.gov/rss.xml",
        "twitter": lambda i: f"Rep{fake.last_name()}{i}",
        "twitter_id": lambda i: str(rng.integers(10**8, 10**18)),
        "facebook": lambda i: f"Rep{fake.last_name()}{i}",
        "youtube": lambda i: f"RepChannel{i}",
        "youtube_id": lambda i: f"UC{rng.integers(10**9, 10**10)}",
        "mastodon": lambda i: f"@m{i}@mastodon.social",
    }
    for name, make in contact.items():
        frame[name] = [make(i) if r else "" for i, r in enumerate(recent)]
    frame["opensecrets_id"] = partly(0.1, lambda i: f"N{rng.integers(10**7, 10**8):08d}")
    frame["fec_ids"] = partly(0.1, lambda i: f"H{rng.integers(10**7, 10**8)}")
    frame["votesmart_id"] = partly(0.1, lambda i: str(rng.integers(1_000, 200_000)))
    frame["ballotpedia_id"] = partly(0.05, lambda i: fake.name())
    frame["washington_post_id"] = partly(0.01, lambda i: f"gIQA{i:06d}")
    frame["icpsr_id"] = partly(0.95, lambda i: str(10_000 + i))
    frame["wikipedia_id"] = [
        f"{f} {s} (politician)"
        for f, s in zip(frame["first_name"], frame["last_name"], strict=True)
    ]
    return frame


def historical_csv(rows: int = 12_230, seed: int = 0) -> bytes:
    return historical_frame(rows, seed).to_csv(index=False).encode()


def orders_frame(rows: int = 6_471, seed: int = 0) -> pd.DataFrame:
    """A bank's permanent orders: the purpose ``k_symbol`` is two spaces when none is given
    (~21%), amounts are written with two decimals."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "order_id": np.arange(29_401, 29_401 + rows),
            "account_id": np.sort(rng.integers(1, 11_400, rows)),
            "bank_to": rng.choice(["AB", "CD", "EF", "GH", "IJ", "KL", "MN", "OP", "QR"], rows),
            "account_to": rng.choice(np.arange(10_000_000, 99_999_999), rows, replace=False),
            "amount": [f"{v:.2f}" for v in np.round(rng.lognormal(7.6, 1.0, rows), 1)],
            "k_symbol": rng.choice(
                ["SIPO", "UVER", "POJISTNE", "LEASING", "  "],
                rows,
                p=[0.53, 0.11, 0.10, 0.05, 0.21],
            ),
        }
    )


def orders_csv(rows: int = 6_471, seed: int = 0) -> bytes:
    return orders_frame(rows, seed).to_csv(index=False).encode()


def check_historical(real_csv: bytes, synthetic_csv: bytes) -> None:
    """Every column comes back, partly filled ones as partly filled, and no made-up name or ID
    is one that a single real member holds."""
    real, synthetic = _read(real_csv), _read(synthetic_csv)
    assert list(synthetic.columns) == list(real.columns)
    for column in real.columns:
        filled, real_filled = (synthetic[column] != "").mean(), (real[column] != "").mean()
        assert abs(filled - real_filled) < 0.05, (column, filled, real_filled)
    for column in ("first_name", "last_name", "middle_name"):
        counts = real[column][real[column] != ""].value_counts()
        single = set(counts.index[counts == 1])
        made = synthetic[column][synthetic[column] != ""]
        assert made.isin(single).mean() < 0.02, (column, made.isin(single).mean())
    for column in ("bioguide_id", "govtrack_id", "wikipedia_id", "twitter", "phone"):
        made = set(synthetic[column]) - {""}
        assert not made & set(real[column]), column


def check_orders(real_csv: bytes, synthetic_csv: bytes) -> None:
    """Two spaces come back as two spaces in their share (never a blank cell), amounts with two
    decimals."""
    real, synthetic = _read(real_csv), _read(synthetic_csv)
    share = (synthetic["k_symbol"] == "  ").mean()
    assert abs(share - (real["k_symbol"] == "  ").mean()) < 0.03, share
    assert (synthetic["k_symbol"] != "").all()
    assert synthetic["amount"].str.fullmatch(r"\d+\.\d{2}").all()


def check_census(real_csv: bytes, synthetic_csv: bytes) -> None:
    """'?' comes back as '?' in its share, never as a blank cell."""
    real, synthetic = _read(real_csv), _read(synthetic_csv)
    for column in ("workclass", "occupation", "native_country"):
        share = (synthetic[column] == "?").mean()
        assert abs(share - (real[column] == "?").mean()) < 0.02, (column, share)
        assert (synthetic[column] != "").all(), column


_EDUCATION = {  # level: (years code, share)
    "HS-grad": (9, 0.323),
    "Some-college": (10, 0.224),
    "Bachelors": (13, 0.164),
    "Masters": (14, 0.053),
    "Assoc-voc": (11, 0.042),
    "11th": (7, 0.036),
    "Assoc-acdm": (12, 0.033),
    "10th": (6, 0.029),
    "7th-8th": (4, 0.020),
    "Prof-school": (15, 0.018),
    "9th": (5, 0.016),
    "12th": (8, 0.013),
    "Doctorate": (16, 0.013),
    "5th-6th": (3, 0.010),
    "1st-4th": (2, 0.005),
    "Preschool": (1, 0.003),
}
_COUNTRIES = {
    "United-States": 0.896,
    "Mexico": 0.020,
    "?": 0.018,
    "Philippines": 0.006,
    "Germany": 0.004,
    "Canada": 0.0037,
    "Puerto-Rico": 0.0035,
    "El-Salvador": 0.0033,
    "India": 0.0031,
    "Cuba": 0.0029,
    "England": 0.0027,
    "Jamaica": 0.0025,
    "South": 0.0025,
    "China": 0.0023,
    "Italy": 0.0022,
    "Dominican-Republic": 0.0021,
    "Vietnam": 0.0021,
    "Guatemala": 0.0020,
    "Japan": 0.0019,
    "Poland": 0.0018,
    "Columbia": 0.0018,
    "Taiwan": 0.0016,
    "Haiti": 0.0014,
    "Iran": 0.0013,
    "Portugal": 0.0011,
    "Nicaragua": 0.0010,
    "Peru": 0.0009,
    "Greece": 0.0009,
    "France": 0.0009,
    "Ecuador": 0.0009,
    "Ireland": 0.0007,
    "Hong": 0.0006,
    "Cambodia": 0.0006,
    "Trinadad&Tobago": 0.0006,
    "Laos": 0.0006,
    "Thailand": 0.0005,
    "Yugoslavia": 0.0005,
    "Outlying-US(Guam-USVI-etc)": 0.0004,
    "Honduras": 0.0004,
    "Hungary": 0.0004,
    "Scotland": 0.0004,
    "Holand-Netherlands": 0.0001,
}
_GAINS = (
    15024,
    7688,
    7298,
    99999,
    3103,
    5178,
    5013,
    4386,
    8614,
    3325,
    2174,
    10520,
    4650,
    27828,
    4064,
    594,
    3137,
    20051,
    2829,
    1055,
    3411,
    2597,
    14084,
    13550,
    6849,
    2885,
    4787,
    3908,
)
_LOSSES = (
    1902,
    1977,
    1887,
    1848,
    1485,
    2415,
    1602,
    1740,
    1590,
    1876,
    1672,
    1741,
    2258,
    1564,
    2001,
    1719,
    2051,
    2377,
    1408,
    1980,
)
_OCCUPATIONS = (
    "Prof-specialty",
    "Craft-repair",
    "Exec-managerial",
    "Adm-clerical",
    "Sales",
    "Other-service",
    "Machine-op-inspct",
    "Transport-moving",
    "Handlers-cleaners",
    "Farming-fishing",
    "Tech-support",
    "Protective-serv",
    "Priv-house-serv",
    "Armed-Forces",
)


def census_frame(rows: int = 32_561, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(options: dict[str, float], n: int) -> np.ndarray:
        p = np.array(list(options.values()))
        return rng.choice(list(options), n, p=p / p.sum())

    age = np.clip(np.round(17 + rng.gamma(2.2, 9.7, rows)), 17, 90).astype(int)
    male = rng.random(rows) < 0.669
    race = pick(
        {
            "White": 0.854,
            "Black": 0.096,
            "Asian-Pac-Islander": 0.032,
            "Amer-Indian-Eskimo": 0.010,
            "Other": 0.008,
        },
        rows,
    )
    education = pick({k: v[1] for k, v in _EDUCATION.items()}, rows)
    young = age < 22
    education = np.where(
        young & np.isin(education, ["Masters", "Doctorate", "Prof-school"]),
        "Some-college",
        education,
    )
    years = np.array([_EDUCATION[e][0] for e in education])
    workclass = pick(
        {
            "Private": 0.697,
            "Self-emp-not-inc": 0.078,
            "Local-gov": 0.064,
            "?": 0.056,
            "State-gov": 0.040,
            "Self-emp-inc": 0.034,
            "Federal-gov": 0.029,
            "Without-pay": 0.0004,
            "Never-worked": 0.0002,
        },
        rows,
    )
    # Marriage grows with age; widowhood late.
    married = rng.random(rows) < np.clip((age - 18) / 22, 0, 0.62)
    marital = np.where(married, "Married-civ-spouse", "Never-married").astype(object)
    later = ~married & (age > 26)
    marital[later] = pick(
        {
            "Never-married": 0.45,
            "Divorced": 0.36,
            "Separated": 0.08,
            "Widowed": 0.08,
            "Married-spouse-absent": 0.03,
        },
        int(later.sum()),
    )
    marital[(marital == "Widowed") & (age < 45)] = "Divorced"
    marital[married & (rng.random(rows) < 0.0015)] = "Married-AF-spouse"
    husband_wife = np.isin(marital, ["Married-civ-spouse", "Married-AF-spouse"])
    relationship = np.where(male, "Husband", "Wife").astype(object)
    alone = ~husband_wife
    relationship[alone] = np.where(
        age[alone] < 25,
        rng.choice(
            ["Own-child", "Not-in-family", "Other-relative"], int(alone.sum()), p=[0.6, 0.3, 0.1]
        ),
        rng.choice(
            ["Not-in-family", "Unmarried", "Own-child", "Other-relative"],
            int(alone.sum()),
            p=[0.55, 0.3, 0.08, 0.07],
        ),
    )
    skill = (years - 9) / 3 + rng.normal(0, 1, rows)
    occupation = np.where(
        skill > 1.0,
        rng.choice(
            (*_OCCUPATIONS[:3], "Tech-support", "Sales"), rows, p=[0.45, 0.05, 0.35, 0.08, 0.07]
        ),
        np.where(
            male,
            rng.choice(
                (*_OCCUPATIONS[1:10], "Protective-serv"),
                rows,
                p=[0.22, 0.10, 0.07, 0.12, 0.09, 0.11, 0.10, 0.07, 0.06, 0.06],
            ),
            rng.choice(
                (
                    "Adm-clerical",
                    "Other-service",
                    "Sales",
                    "Machine-op-inspct",
                    "Priv-house-serv",
                    "Prof-specialty",
                    "Tech-support",
                ),
                rows,
                p=[0.36, 0.24, 0.16, 0.08, 0.03, 0.09, 0.04],
            ),
        ),
    ).astype(object)
    occupation[rng.random(rows) < 0.0003] = "Armed-Forces"
    occupation[np.isin(workclass, ["?", "Never-worked"])] = "?"
    hours = np.where(
        rng.random(rows) < 0.47,
        40,
        np.clip(np.round(rng.normal(41 + 3 * male - 12 * young, 12, rows)), 1, 99),
    ).astype(int)
    logit = (
        -8.6
        + 0.045 * np.minimum(age, 60)
        + 0.33 * years
        + 1.9 * husband_wife
        + 0.025 * hours
        + 0.25 * male
    )
    rich = rng.random(rows) < 1 / (1 + np.exp(-logit))
    weights = np.geomspace(1, 0.1, len(_GAINS))
    gain = np.where(
        rng.random(rows) < np.where(rich, 0.20, 0.045),
        rng.choice(_GAINS, rows, p=weights / weights.sum()),
        0,
    )
    loss = np.where(
        (gain == 0) & (rng.random(rows) < np.where(rich, 0.11, 0.03)), rng.choice(_LOSSES, rows), 0
    )
    return pd.DataFrame(
        {
            "age": age,
            "workclass": workclass,
            "fnlwgt": np.round(np.exp(rng.normal(12.05, 0.52, rows))).astype(int),
            "education": education,
            "education_num": years,
            "marital_status": marital,
            "occupation": occupation,
            "relationship": relationship,
            "race": race,
            "sex": np.where(male, "Male", "Female"),
            "capital_gain": gain.astype(int),
            "capital_loss": loss.astype(int),
            "hours_per_week": hours,
            "native_country": pick(_COUNTRIES, rows),
            "income": np.where(rich, ">50K", "<=50K"),
        }
    )


def census_csv(rows: int = 32_561, seed: int = 0) -> bytes:
    return census_frame(rows, seed).to_csv(index=False).encode()


CASES = {
    "compas": (compas_csv, check_compas),
    "taxi": (taxi_csv, check_taxi),
    "bike": (bike_csv, check_bike),
    "credit": (credit_csv, check_credit),
    "legislators": (legislators_csv, check_legislators),
    "historical": (historical_csv, check_historical),
    "orders": (orders_csv, check_orders),
    "census": (census_csv, check_census),
}


DISTRICT_NAMES = (
    "Hl.m. Praha",
    "Benesov",
    "Beroun",
    "Kladno",
    "Kolin",
    "Kutna Hora",
    "Melnik",
    "Mlada Boleslav",
    "Nymburk",
    "Praha - vychod",
    "Praha - zapad",
    "Pribram",
    "Rakovnik",
    "Ceske Budejovice",
    "Cesky Krumlov",
    "Jindrichuv Hradec",
    "Pelhrimov",
    "Pisek",
    "Prachatice",
    "Strakonice",
    "Tabor",
    "Domazlice",
    "Cheb",
    "Karlovy Vary",
    "Klatovy",
    "Plzen - mesto",
    "Plzen - jih",
    "Plzen - sever",
    "Rokycany",
    "Sokolov",
    "Tachov",
    "Ceska Lipa",
    "Decin",
    "Chomutov",
    "Jablonec n. Nisou",
    "Liberec",
    "Litomerice",
    "Louny",
    "Most",
    "Teplice",
    "Usti nad Labem",
    "Havlickuv Brod",
    "Hradec Kralove",
    "Chrudim",
    "Jicin",
    "Nachod",
    "Pardubice",
    "Rychnov nad Kneznou",
    "Semily",
    "Svitavy",
    "Trutnov",
    "Usti nad Orlici",
    "Blansko",
    "Brno - mesto",
    "Brno - venkov",
    "Breclav",
    "Hodonin",
    "Jihlava",
    "Kromeriz",
    "Prostejov",
    "Trebic",
    "Uherske Hradiste",
    "Vyskov",
    "Zlin",
    "Znojmo",
    "Zdar nad Sazavou",
    "Bruntal",
    "Frydek - Mistek",
    "Jesenik",
    "Karvina",
    "Novy Jicin",
    "Olomouc",
    "Opava",
    "Ostrava - mesto",
    "Prerov",
    "Sumperk",
    "Vsetin",
)  # the 77 districts of the Czech bank database (PKDD'99), as that database spells them
REGIONS = (
    "Prague",
    "central Bohemia",
    "south Bohemia",
    "west Bohemia",
    "north Bohemia",
    "east Bohemia",
    "south Moravia",
    "north Moravia",
)
_REGION_OF = (0, *([1] * 12), *([2] * 8), *([3] * 10), *([4] * 10), *([5] * 11), *([6] * 14),
              *([7] * 11))  # fmt: skip


def bank_tables(
    accounts: int = 1_200, seed: int = 0, districts: bool = True, cards: bool = True
) -> dict[str, pd.DataFrame]:
    """A bank database shaped like the Czech financial one (PKDD'99), with what made the
    defaults fail on the real one (issue 32):

    - ``district`` (77 rows, a reference list: names, region, inhabitants, salary,
      unemployment) above ``account`` and ``client``; accounts per district follow the
      inhabitants (correlation ~0.96);
    - ``disp``, a link table between clients and accounts: every account has exactly one
      OWNER row and about 18% a DISPONENT row too; every client has exactly one row;
    - two paths to one district: an owner lives in the account's district in ~91% of accounts
      (a disponent, in the owner's, likewise);
    - ``card`` on owners' rows (about one in five), issued on or after the account was opened:
      a rule two links away (card → disp → account);
    - ``loan``: at most one per account (about 1 in 7 has one), granted after the account was
      opened, payments x duration = amount;
    - ``order``: 0-5 per account, with ``account_to``, the counterparty's account number:
      8 digits, a different number in nearly every row (an identifier of someone outside the
      bank), amounts with two decimals.

    ``districts=False`` leaves the district table and every ``district_id`` out, ``cards=False``
    the card table (5 tables is the most SDV's HMA takes)."""
    rng = np.random.default_rng(seed)
    n_districts = len(DISTRICT_NAMES)
    inhabitants = rng.lognormal(11.3, 0.45, n_districts).round()
    inhabitants[0] = 1_204_953  # Prague
    district = pd.DataFrame(
        {
            "district_id": np.arange(1, n_districts + 1),
            "name": DISTRICT_NAMES,
            "region": [REGIONS[i] for i in _REGION_OF],
            "inhabitants": inhabitants.astype(int),
            "average_salary": rng.normal(9_000, 800, n_districts).round().astype(int),
            "unemployment": rng.gamma(3, 1.1, n_districts).round(2),
        }
    )
    weights = inhabitants / inhabitants.sum()
    account_ids = np.sort(rng.choice(np.arange(1, 12_000), accounts, replace=False))
    where = rng.choice(np.arange(1, n_districts + 1), accounts, p=weights)
    salary = district.set_index("district_id")["average_salary"].reindex(where).to_numpy()
    opened = pd.Timestamp("1993-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, accounts), "D")
    account = pd.DataFrame(
        {
            "account_id": account_ids,
            "district_id": where,
            "frequency": rng.choice(
                ["monthly", "weekly", "after transaction"], accounts, p=[0.9, 0.03, 0.07]
            ),
            "date": opened.strftime("%Y-%m-%d"),
            "balance": (rng.gamma(2.0, 10_000, accounts) * salary / 9_000).round(),
        }
    )
    # every account has one owner; 18% also a disponent; each client is on exactly one account
    second = rng.random(accounts) < 0.18
    holders = np.r_[np.arange(accounts), np.flatnonzero(second)]  # account position per client
    types = np.array(["OWNER"] * accounts + ["DISPONENT"] * int(second.sum()))
    clients_n = holders.size
    client_ids = rng.permutation(clients_n) + 1
    at_home = rng.random(clients_n) < 0.91
    home = np.where(
        at_home,
        where[holders],
        rng.choice(np.arange(1, n_districts + 1), clients_n, p=weights),
    )
    born = pd.Timestamp("1935-01-01") + pd.to_timedelta(rng.integers(0, 50 * 365, clients_n), "D")
    by_client = np.argsort(client_ids)
    client = pd.DataFrame(
        {
            "client_id": client_ids[by_client],
            "gender": rng.choice(["F", "M"], clients_n)[by_client],
            "birth_date": born.strftime("%Y-%m-%d")[by_client],
            "district_id": home[by_client],
        }
    )
    disp_order = np.lexsort((types != "OWNER", holders))  # by account, the owner first
    disp = pd.DataFrame(
        {
            "disp_id": np.arange(1, clients_n + 1),
            "client_id": client_ids[disp_order],
            "account_id": account_ids[holders[disp_order]],
            "type": types[disp_order],
        }
    )
    owner_rows = np.flatnonzero(disp["type"].to_numpy() == "OWNER")
    carded = owner_rows[rng.random(owner_rows.size) < 0.2]
    account_opened = pd.to_datetime(
        account.set_index("account_id")["date"].reindex(disp["account_id"].to_numpy()[carded])
    )
    issued = (
        account_opened.to_numpy()
        + pd.to_timedelta(rng.integers(20, 1_500, carded.size), "D").to_numpy()
    )
    card = pd.DataFrame(
        {
            "card_id": np.arange(1, carded.size + 1),
            "disp_id": disp["disp_id"].to_numpy()[carded],
            "type": rng.choice(["classic", "junior", "gold"], carded.size, p=[0.74, 0.16, 0.1]),
            "issued": pd.DatetimeIndex(issued).strftime("%Y-%m-%d"),
        }
    )
    has_loan = rng.random(accounts) < 0.15
    loaned = np.flatnonzero(has_loan)
    duration = rng.choice([12, 24, 36, 48, 60], loaned.size)
    payments = (account["balance"].to_numpy()[loaned] * rng.uniform(0.02, 0.1, loaned.size)).round()
    payments = np.maximum(payments, 300)
    granted = opened[loaned] + pd.to_timedelta(rng.integers(30, 700, loaned.size), "D")
    loan = pd.DataFrame(
        {
            "loan_id": np.arange(4_000, 4_000 + loaned.size),
            "account_id": account_ids[loaned],
            "date": granted.strftime("%Y-%m-%d"),
            "amount": payments * duration,
            "duration": duration,
            "payments": payments,
            "status": rng.choice(["A", "B", "C", "D"], loaned.size, p=[0.3, 0.05, 0.6, 0.05]),
        }
    )
    per_account = rng.choice([0, 1, 2, 3, 4, 5], accounts, p=[0.2, 0.3, 0.25, 0.15, 0.07, 0.03])
    payer = np.repeat(np.arange(accounts), per_account)
    order = pd.DataFrame(
        {
            "order_id": np.arange(30_000, 30_000 + payer.size),
            "account_id": account_ids[payer],
            "bank_to": rng.choice(["AB", "CD", "EF", "GH", "IJ", "KL", "MN", "OP"], payer.size),
            "account_to": rng.choice(np.arange(10_000_000, 99_999_999), payer.size, replace=False),
            "amount": (
                account["balance"].to_numpy()[payer] * rng.uniform(0.01, 0.2, payer.size)
            ).round(1),
            "k_symbol": rng.choice(
                ["SIPO", "UVER", "POJISTNE", "LEASING", None],
                payer.size,
                p=[0.4, 0.15, 0.1, 0.05, 0.3],
            ),
        }
    )
    tables = {
        "account": account,
        "client": client,
        "disp": disp,
        **({"card": card} if cards else {}),
        "loan": loan,
        "order": order,
    }
    if districts:
        tables = {"district": district, **tables}
    else:
        for frame in tables.values():
            frame.drop(columns=[c for c in ("district_id",) if c in frame.columns], inplace=True)
    return tables


def bank_properties(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """What a person who maintains the bank database checks in a copy of it (``bank_tables``'
    shape, read from files or not): shares of rows that keep each property."""
    account, client, disp = tables["account"], tables["client"], tables["disp"]

    def per(parent: pd.DataFrame, key: str, child: pd.DataFrame) -> pd.Series:
        counts = child[key].value_counts()
        return parent[key].map(counts).fillna(0)

    owners = per(account, "account_id", disp[disp["type"] == "OWNER"])
    found: dict[str, float] = {
        "accounts with one owner": float((owners == 1).mean()),
        "accounts with at most one disponent": float(
            (per(account, "account_id", disp[disp["type"] == "DISPONENT"]) <= 1).mean()
        ),
        "clients with one row": float((per(client, "client_id", disp) == 1).mean()),
        "disponents per account": float((disp["type"] == "DISPONENT").sum() / len(account)),
    }
    if "card" in tables:
        card = tables["card"].merge(disp, on="disp_id", suffixes=("", "_disp"))
        card = card.merge(account, on="account_id", suffixes=("", "_account"))
        issued = pd.to_datetime(card["issued"])
        found["cards issued on or after the account opened"] = float(
            (issued >= pd.to_datetime(card["date"])).mean()
        )
    loan = tables["loan"]
    joined = loan.merge(account, on="account_id", suffixes=("", "_account"))
    found["loans after the account opened"] = float(
        (pd.to_datetime(joined["date"]) >= pd.to_datetime(joined["date_account"])).mean()
    )
    found["accounts with at most one loan"] = float((per(account, "account_id", loan) <= 1).mean())
    found["payments x duration = amount"] = float(
        np.isclose(loan["payments"] * loan["duration"], loan["amount"]).mean()
    )
    if "district_id" in account.columns:
        rows = disp.merge(account[["account_id", "district_id"]], on="account_id")
        rows = rows.merge(
            client[["client_id", "district_id"]], on="client_id", suffixes=("", "_client")
        )
        owner = rows["type"] == "OWNER"
        found["owner in the account's district"] = float(
            (rows.loc[owner, "district_id"] == rows.loc[owner, "district_id_client"]).mean()
        )
        if "district" in tables:
            district = tables["district"]
            accounts_per = per(district, "district_id", account)
            found["inhabitants vs accounts (correlation)"] = float(
                np.corrcoef(district["inhabitants"], accounts_per)[0, 1]
            )
    return found
