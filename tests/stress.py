"""A stress table with the shapes real public tables hold and earlier tests missed: long code IDs
(YouTube channel ids, Wikipedia titles, court case numbers), person names under headers like
`first`/`last`, social handles, URLs, a category literally named `none`, quoted comma lists,
duplicate headers, a date that never changes, a column that is almost always empty, and 60
columns in all."""

from __future__ import annotations

import csv
import io
import string

import numpy as np
from faker import Faker

COLUMNS = 60
# Columns whose values identify one person: none of their real values may come back.
IDENTIFYING = (
    "bioguide",
    "youtube_id",
    "wikipedia",
    "twitter",
    "instagram",
    "url",
    "facebook",
    "rss_url",
    "contact_form",
    "c_case_number",
)
NAMES = ("first", "last")


def stress_csv(rows: int = 600, seed: int = 0) -> bytes:
    """The stress table as CSV bytes (UTF-8, comma, a header row with two 'score' columns)."""
    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    first = [fake.first_name() for _ in range(rows)]
    last = [fake.last_name() for _ in range(rows)]
    handles = [f"Rep{lst}{i}" for i, lst in enumerate(last)]
    alphabet = np.array(list(string.ascii_letters + string.digits + "_-"))
    columns: list[tuple[str, list[str]]] = [
        ("bioguide", [f"{lst[0]}{i:06d}" for i, lst in enumerate(last)]),
        ("youtube_id", ["UC" + "".join(rng.choice(alphabet, 22)) for _ in range(rows)]),
        (
            "wikipedia",
            [
                f"{f}_{lst}_(politician)" if i % 7 else ""
                for i, (f, lst) in enumerate(zip(first, last, strict=True))
            ],
        ),
        ("first", first),
        ("last", last),
        ("twitter", [h if i % 5 else "" for i, h in enumerate(handles)]),
        ("instagram", ["@" + h.lower() for h in handles]),
        ("url", [f"https://{lst.lower()}{i}.house.gov" for i, lst in enumerate(last)]),
        ("facebook", [f"https://www.facebook.com/{h}" for h in handles]),
        ("rss_url", [f"https://{lst.lower()}{i}.house.gov/rss.xml" for i, lst in enumerate(last)]),
        (
            "contact_form",
            [f"https://{lst.lower()}{i}.house.gov/contact" for i, lst in enumerate(last)],
        ),
        (
            "c_case_number",
            [
                f"{13000000 + int(k):08d}{rng.choice(['CF', 'MM'])}10A"
                for k in rng.permutation(rows)
            ],
        ),
        (
            "other_debtors",
            list(rng.choice(["none", "guarantor", "co-applicant"], rows, p=[0.9, 0.05, 0.05])),
        ),
        (
            "hobbies",
            list(
                rng.choice(
                    ["reading, hiking", "chess", "golf, tennis, sailing", "none, really"], rows
                )
            ),
        ),
        ("score", [f"{v:.2f}" for v in rng.normal(50, 10, rows)]),
        ("score", [str(v) for v in rng.integers(0, 100, rows)]),
        ("reporting_period", ["2010-11-01"] * rows),
        ("year_incorporated", ["1987"] + [""] * (rows - 1)),
    ]
    base = rng.normal(size=rows)
    k = 0
    while len(columns) < COLUMNS:
        k += 1
        kind = k % 4
        if kind == 0:
            values = [f"{v:.3f}" for v in base * k + rng.normal(size=rows)]
        elif kind == 1:
            levels = [f"level_{j}" for j in range(2 + k % 7)]
            values = list(rng.choice(levels, rows))
        elif kind == 2:
            values = list(rng.choice(["yes", "no"], rows))
        else:
            days = rng.integers(0, 3650, rows)
            values = [str(np.datetime64("2010-01-01") + int(d)) for d in days]
        columns.append((f"col_{k:02d}", values))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in columns])
    for row in zip(*(values for _, values in columns), strict=True):
        writer.writerow(row)
    return out.getvalue().encode("utf-8")
