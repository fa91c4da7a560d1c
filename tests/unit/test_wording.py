"""Messages in plain words: values as a user writes them, verdicts that agree with themselves,
progress lines without doubled words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth_core import Table
from synth_core.data.checks import table_problems
from synth_core.data.convert import shown
from synth_core.evaluate.fidelity.significance import _verdict
from synth_core.generate.generators.sdv import loss_text
from tests.helpers import csv_table


def test_values_in_messages_are_plain() -> None:
    assert shown(np.int64(0)) == "0"
    assert shown(np.float64(2.5)) == "2.5"
    assert shown(np.bool_(True)) == "True"
    assert shown("none") == "'none'"
    assert shown(pd.Timestamp("2024-03-01")) == "2024-03-01"


def test_a_constant_column_is_named_with_its_plain_value() -> None:
    table = csv_table("a,b\n0,1\n0,2\n0,3\n")
    messages = [p.message for p in table_problems(table)]
    assert "One value each, copied as it is: 'a' (0)." in messages


def test_one_notice_for_all_personal_data_and_links_to_other_tables_are_named() -> None:
    from synth_core import read_table
    from tests.real_like import legislators_csv

    table = read_table(legislators_csv(200))
    personal = [p.message for p in table_problems(table) if "Personal data" in p.message]
    assert len(personal) == 1
    assert "'first_name' (first_name)" in personal[0]
    # Other systems' IDs in a table without its own key are no link.
    assert not [p for p in table_problems(table) if "key of another table" in p.message]

    accounts = read_table(
        b"account_id,district,opened\n"
        + b"".join(f"{1000 + i},{i % 7},2020-01-{1 + i % 28:02d}\n".encode() for i in range(60))
    )
    accounts = type(accounts)(accounts.df, accounts.schema, _named(accounts.report, "accounts.csv"))
    loans = read_table(
        b"loan_id,account_id,amount\n"
        + b"".join(f"{5000 + i},{1000 + 2 * i},{100 * i}\n".encode() for i in range(30))
    )
    loans = type(loans)(loans.df, loans.schema, _named(loans.report, "loans.csv"))
    from synth_core.data.checks import key_values

    named = [p.message for p in table_problems(loans)]
    assert any(m.startswith("'account_id' looks like the key of another table") for m in named)
    proven = [p.message for p in table_problems(loans, key_values(accounts))]
    assert any(
        m.startswith("Every value of 'account_id' occurs in 'account_id' of 'accounts'")
        for m in proven
    )


def _named(report, name: str):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(report, source_name=name)


def test_a_large_difference_the_test_cannot_confirm_is_not_called_no_difference() -> None:
    _, text = _verdict(0.436, "TVD", 1.0)
    assert (
        text == "very different (TVD 0.436); too few rows for the test to confirm it (p = 1.000)."
    )
    _, close = _verdict(0.02, "KS", 0.7)
    assert close == "very close (KS 0.020); no significant difference (p = 0.700)."


def test_tvae_progress_says_loss_once() -> None:
    assert loss_text({"loss": 1.2345}) == "loss 1.234"
    assert loss_text({"generator": 0.5, "discriminator": -0.1}) == (
        "generator loss 0.500, discriminator loss -0.100"
    )


def test_privacy_advice_fits_the_settings_used() -> None:
    from synth_core.generate.spec import GenerationSpec, PrivacySetting
    from synth_core.ui.privacy import remedies

    cart = PrivacySetting.PII.apply(GenerationSpec(generator="cart"))
    assert remedies(cart) == [
        "the similarity filter",
        "larger leaves (min_samples_leaf)",
        "differential privacy",
    ]  # PII protection is on already; CART has no epochs
    ctgan = PrivacySetting.NONE.apply(GenerationSpec(generator="ctgan"))
    assert remedies(ctgan) == [
        "the similarity filter",
        "PII protection",
        "fewer epochs",
        "differential privacy",
    ]
    copula = PrivacySetting.FILTER.apply(GenerationSpec(generator="gaussian_copula"))
    assert remedies(copula) == ["differential privacy"]


def test_anonymeters_weak_attack_warning_is_in_plain_words() -> None:
    from synth_core.evaluate.privacy.risk import anonymeter_words

    raw = (
        "Attack is as good or worse as baseline model. Estimated rates: attack = "
        "0.012345678901234567, baseline = 0.023456789012345678. Analysis results cannot be "
        "trusted."
    )
    words = anonymeter_words(raw)
    assert "1.2% of its guesses right, 2.3% for the baseline" in words
    assert "0.0123456" not in words


def test_privacy_progress_only_moves_forward(insurance: Table) -> None:
    from synth_core.evaluate.privacy.report import privacy_report
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import synthesize

    result = synthesize(insurance, GenerationSpec(generator="cart", rows=300))
    seen: list[float] = []
    privacy_report(
        result.train,
        result.data,
        result.schema,
        result.holdout,
        progress=lambda fraction, message, losses=None: seen.append(fraction),
    )
    assert seen == sorted(seen)
