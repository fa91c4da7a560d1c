"""Privacy metrics: hand-computed cases on tiny tables, and a leaky generator against a fair one."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from synth_core import GenerationSpec, read_table, synthesize
from synth_core.data.distance import PrivacyError, RowEncoder, nearest, row_hashes
from synth_core.data.schema import ColumnKind, ColumnSchema, PiiType, Schema
from synth_core.evaluate.privacy.report import (
    Verdict,
    auc_interval,
    dcr_share,
    leaky_rows,
    match_share,
    nndr,
    pii_replay,
    privacy_report,
)
from tests.helpers import SAMPLES

NUM = ColumnSchema("a", ColumnKind.NUMERICAL)
CAT = ColumnSchema("b", ColumnKind.CATEGORICAL)


def test_distance_is_the_documented_mixed_type_distance() -> None:
    train = pd.DataFrame({"a": [0.0, 2.0], "b": ["x", "y"]})  # a: mean 1, std 1
    encoder = RowEncoder.fit(train, [NUM, CAT])
    query = pd.DataFrame({"a": [1.0, 0.0, 5.0], "b": ["x", "y", "z"]})
    distances, indices = nearest(encoder.transform(train), encoder.transform(query), k=2)
    # (1, x): to (0, x) 1² + 0 = 1; to (2, y) 1² + 1 = 2
    assert distances[0] == pytest.approx([1.0, math.sqrt(2)])
    assert indices[0].tolist() == [0, 1]
    # (0, y): to (0, x) 0 + 1; to (2, y) 2² + 0
    assert distances[1] == pytest.approx([1.0, 2.0])
    # (5, z): an unseen category differs from every category: to (2, y) 3² + 1, (0, x) 5² + 1
    assert distances[2] == pytest.approx([math.sqrt(10), math.sqrt(26)])


def test_missing_values_in_the_distance() -> None:
    train = pd.DataFrame({"a": [0.0, 2.0, np.nan], "b": ["x", None, "x"]})  # mean 1, std 1
    encoder = RowEncoder.fit(train, [NUM, CAT])
    encoded = encoder.transform(train)
    d = np.sqrt(((encoded[:, None, :] - encoded[None, :, :]) ** 2).sum(-1))
    assert d[0, 2] == pytest.approx(math.sqrt(1 + 1))  # 0 vs missing (= the mean 1) + flag
    assert d[0, 1] == pytest.approx(math.sqrt(4 + 1))  # 0 vs 2, x vs missing category
    query = pd.DataFrame({"a": [np.nan], "b": [None]})
    assert nearest(encoded, encoder.transform(query))[0][0, 0] == pytest.approx(1.0)  # b only


def test_exact_matches_survive_type_differences() -> None:
    columns = [NUM, CAT]
    train = pd.DataFrame({"a": pd.array([39, 40, None], dtype="Int64"), "b": ["x", "y", None]})
    synthetic = pd.DataFrame({"a": [39.0, 40.0, np.nan, 41.0], "b": ["x", "x", None, "y"]})
    hashes = row_hashes(synthetic, columns)
    assert match_share(hashes, row_hashes(train, columns)) == pytest.approx(2 / 4)


def test_dcr_share_nndr_and_auc_interval_by_hand() -> None:
    assert dcr_share(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0, 4.0])) == 0.625
    ratios = nndr(np.array([[0.0, 2.0], [1.0, 4.0], [0.0, 0.0], [3.0, 3.0]]))
    assert ratios.tolist() == [0.0, 0.25, 1.0, 1.0]
    # Hanley & McNeil with A = 0.8, 50 per side: Q1 = 0.8 / 1.2, Q2 = 1.28 / 1.8
    q1, q2 = 0.8 / 1.2, 2 * 0.64 / 1.8
    se = math.sqrt((0.8 * 0.2 + 49 * (q1 - 0.64) + 49 * (q2 - 0.64)) / 2500)
    assert auc_interval(0.8, 50, 50) == pytest.approx((0.8 - 1.96 * se, 0.8 + 1.96 * se))


def test_pii_replay_counts_real_values_case_and_space_insensitively() -> None:
    schema = Schema(
        (
            ColumnSchema("name", ColumnKind.PII, pii_type=PiiType.NAME),
            ColumnSchema("email", ColumnKind.PII, pii_type=PiiType.EMAIL),
            NUM,
        )
    )
    real = pd.DataFrame(
        {"name": ["Ann Lee", "Bo Chan"], "email": ["a@x.org", "b@y.org"], "a": [1, 2]}
    )
    synthetic = pd.DataFrame(
        {
            "name": ["ann  lee", "Cy Dee", None],
            "email": ["z@q.org", "B@Y.ORG ", None],
            "a": [1, 2, 3],
        }
    )
    replay = pii_replay(real, synthetic, schema)
    assert replay.columns == {"name": 1, "email": 1}
    assert replay.rows == 2
    assert replay.verdict is Verdict.RED
    clean = pii_replay(real, synthetic.assign(name="X", email="y"), schema)
    assert clean.rows == 0
    assert clean.verdict is Verdict.GREEN


def test_tiny_report_by_hand() -> None:
    schema = Schema((NUM, CAT))
    train = pd.DataFrame({"a": [0.0, 2.0, 4.0, 6.0, 8.0, 10.0], "b": list("xyxyxy")})
    holdout = pd.DataFrame({"a": [1.0, 3.0, 5.0, 7.0, 9.0, 11.0], "b": list("xyxyxy")})
    synthetic = train.copy()  # every row a copy
    report = privacy_report(train, synthetic, schema, holdout=holdout)
    assert report.exact_match.synthetic == 1.0
    assert report.exact_match.holdout == 0.0
    assert report.exact_match.verdict is Verdict.RED
    assert report.dcr_share is not None
    assert report.dcr_share.share == 1.0
    assert report.dcr_share.verdict is Verdict.RED
    assert report.mia is not None
    assert report.mia.auc == 1.0  # members are at distance 0, non-members are not
    assert report.distances.synthetic_median == 0.0
    assert report.nndr.synthetic_median == 0.0
    json.dumps(report.to_dict(), allow_nan=False)


def test_without_holdout_there_is_no_baseline() -> None:
    schema = Schema((NUM, CAT))
    train = pd.DataFrame({"a": np.arange(10.0), "b": list("xyxyxyxyxy")})
    report = privacy_report(train, train.iloc[:3], schema)
    assert report.dcr_share is None
    assert report.mia is None
    assert report.exact_match.holdout is None
    assert any("no baseline" in n for n in report.notes)


def test_no_comparable_column_is_a_clear_error() -> None:
    schema = Schema((ColumnSchema("id", ColumnKind.ID),))
    frame = pd.DataFrame({"id": range(10)})
    with pytest.raises(PrivacyError, match="No column can be compared"):
        privacy_report(frame, frame, schema, holdout=frame)


@pytest.fixture(scope="module")
def insurance_result():  # type: ignore[no-untyped-def]
    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    spec = GenerationSpec(generator="gaussian_copula", rows=669, seed=1, holdout_fraction=0.5)
    return synthesize(table, spec)


@pytest.mark.slow
def test_a_leaky_generator_is_red_and_gaussian_copula_is_not(insurance_result) -> None:  # type: ignore[no-untyped-def]
    result = insurance_result
    fair = privacy_report(result.train, result.data, result.schema, holdout=result.holdout)
    leaky_data = leaky_rows(result.train, result.data, 0.5, seed=2)
    leaky = privacy_report(result.train, leaky_data, result.schema, holdout=result.holdout)

    assert leaky.exact_match.synthetic == pytest.approx(0.5, abs=0.01)
    assert leaky.exact_match.verdict is Verdict.RED
    assert leaky.dcr_share is not None
    assert leaky.dcr_share.share > 0.7
    assert leaky.dcr_share.verdict is Verdict.RED
    assert leaky.mia is not None
    assert leaky.mia.auc > 0.65
    assert leaky.mia.verdict is Verdict.RED
    assert leaky.nndr.verdict is Verdict.RED

    assert fair.exact_match.verdict is Verdict.GREEN
    assert fair.dcr_share is not None
    assert fair.dcr_share.verdict is not Verdict.RED
    assert 0.4 < fair.dcr_share.share < 0.6
    assert fair.mia is not None
    assert fair.mia.verdict is Verdict.GREEN
    assert fair.distances.synthetic_median > 10 * leaky.distances.synthetic_p05


def test_the_similarity_filter_removes_every_copy_and_near_copy(insurance_result) -> None:  # type: ignore[no-untyped-def]
    from synth_core.generate.protect.similarity import FilterSettings, SimilarityFilter

    result = insurance_result
    schema = result.model.model_schema
    train, holdout = result.train[schema.names], result.holdout[schema.names]
    leaky = leaky_rows(train, result.data[schema.names], 0.5, seed=3)
    near = train.iloc[:50].copy()
    near["bmi"] = near["bmi"] + 0.01  # near copies: a hair away from a training row
    leaky = pd.concat([leaky, near], ignore_index=True)
    fitted = SimilarityFilter.fit(train, holdout, schema, FilterSettings())
    mask, stats = fitted.keep(leaky, schema)
    kept = leaky[mask]
    assert stats.exact >= 0.45 * len(leaky)
    assert stats.near >= 50
    report = privacy_report(train, kept, schema, holdout=holdout)
    assert report.exact_match.synthetic == 0.0
    encoded = fitted.encoder.transform(kept)
    assert nearest(fitted.reference, encoded)[0][:, 0].min() >= fitted.threshold


@pytest.mark.slow
def test_generation_with_the_filter_still_gives_the_rows_asked_for() -> None:
    from synth_core.generate.protect.similarity import FilterSettings

    table = read_table((SAMPLES / "insurance.csv").read_bytes())
    # CART with one-row leaves and without its copy guards copies training rows: leaky.
    leaky_cart = {
        "min_samples_leaf": 1,
        "grow_leaves": False,
        "smoothing": False,
        "reject_copies": False,
    }
    spec = GenerationSpec(
        generator="cart", params=leaky_cart, rows=800, seed=0, holdout_fraction=0.3
    )
    leaky = synthesize(table, spec)
    before = privacy_report(leaky.train, leaky.data, leaky.schema, holdout=leaky.holdout)
    assert before.exact_match.verdict is Verdict.RED
    filtered = synthesize(table, replace(spec, similarity_filter=FilterSettings(0.05, True)))
    after = privacy_report(filtered.train, filtered.data, filtered.schema, holdout=filtered.holdout)
    assert len(filtered.data) == 800
    assert after.exact_match.synthetic == 0.0
    assert after.distances.synthetic_p05 > before.distances.synthetic_p05
    note = next(n for n in filtered.notes if n.startswith("Similarity filter"))
    assert "exact copies" in note
    assert "outliers" in note
    stats = filtered.similarity_stats  # the note's numbers, as values on the result
    assert stats is not None
    assert stats.seen - stats.dropped >= 800
    assert stats.exact > 0
    assert f"dropped {stats.dropped:,} of {stats.seen:,}" in note
    assert leaky.similarity_stats is None
    again = synthesize(table, replace(spec, similarity_filter=FilterSettings(0.05, True)))
    assert again.data.equals(filtered.data)  # still reproducible


def _people(rows: int) -> bytes:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(7)
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "full_name": [fake.name() for _ in range(rows)],
            "email": [fake.email() for _ in range(rows)],
            "phone": [fake.phone_number() for _ in range(rows)],
            "street_address": [fake.street_address() for _ in range(rows)],
            "age": rng.integers(18, 90, rows),
            "plan": rng.choice(["basic", "plus", "pro"], rows),
        }
    )
    return frame.to_csv(index=False).encode()


@pytest.mark.parametrize("generator", ["gaussian_copula", "cart"])
def test_no_personal_data_is_replayed_by_default(generator: str) -> None:
    from synth_core.generate.spec import PrivacySetting

    table = read_table(_people(300))
    kinds = {c.name: c.pii_type for c in table.schema if c.kind is ColumnKind.PII}
    assert kinds == {
        "full_name": PiiType.NAME,
        "email": PiiType.EMAIL,
        "phone": PiiType.PHONE_NUMBER,
        "street_address": PiiType.ADDRESS,
    }
    spec = GenerationSpec(generator=generator, rows=300, seed=0)
    result = synthesize(table, spec)
    report = privacy_report(result.train, result.data, result.schema, holdout=result.holdout)
    assert report.pii_replay.rows == 0
    assert report.pii_replay.verdict is Verdict.GREEN
    assert set(report.pii_replay.columns) == set(kinds)
    # Without protection the same metric sees the real values come back.
    unprotected = synthesize(table, replace(spec, privacy=PrivacySetting.NONE))
    replay = pii_replay(unprotected.train, unprotected.data, unprotected.schema).rows
    assert replay > 0


def test_first_and_last_names_replay_a_person_only_together() -> None:
    from synth_core.data.schema import ColumnKind, ColumnSchema, PiiType, Schema
    from synth_core.evaluate.privacy.report import pii_replay

    schema = Schema(
        (
            ColumnSchema("first", ColumnKind.PII, PiiType.FIRST_NAME),
            ColumnSchema("last", ColumnKind.PII, PiiType.LAST_NAME),
        )
    )
    real = pd.DataFrame({"first": ["Ann", "Bob", "Cy"], "last": ["Lee", "Ray", "Ng"]})
    shuffled = pd.DataFrame({"first": ["ann", "Bob", "Cy"], "last": ["Ray", "Ng", "Lee"]})
    replay = pii_replay(real, shuffled, schema)
    assert replay.rows == 0
    assert replay.columns == {"first + last": 0}
    copied = pd.DataFrame({"first": ["ANN ", "Bob"], "last": ["lee", "Ng"]})
    assert pii_replay(real, copied, schema).columns == {"first + last": 1}
    alone = pii_replay(real[["first"]], shuffled[["first"]], Schema(schema.columns[:1]))
    assert alone.rows == 0
    assert "not counted" in alone.why["first"]
