"""The generator registry: parameter checks, availability, lookup."""

from __future__ import annotations

import pytest

from synth_core import GeneratorUnavailableError, ParamError, create, get, infos
from synth_core.generate.generators import registry
from synth_core.generate.generators.registry import (
    GeneratorInfo,
    GeneratorKind,
    Param,
    ParamType,
    register,
)


def test_built_in_generators_are_registered_with_licences() -> None:
    by_name = {info.name: info for info in infos()}
    assert {"gaussian_copula", "cart"} <= set(by_name)
    assert "BUSL-1.1" in by_name["gaussian_copula"].licence
    assert "BSD" in by_name["cart"].licence
    assert all(info.description and info.label for info in infos())


def test_defaults_and_coercion_from_text() -> None:
    info = get("cart")
    assert info.validate({}) == info.defaults()
    values = info.validate(
        {"min_samples_leaf": "12", "smoothing": "yes", "order": "categorical first"}
    )
    assert values["min_samples_leaf"] == 12
    assert values["smoothing"] is True
    assert values["order"] == "categorical first"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_samples_leaf": 0}, "between 1 and 200; got 0"),
        ({"min_samples_leaf": "2.5"}, "must be a whole number; got '2.5'"),
        ({"smoothing": "perhaps"}, "must be true or false"),
        ({"order": "random"}, "must be one of table, categorical first"),
        ({"depth": 3}, "has no parameter 'depth'"),
        ({"max_depth": True}, "must be a whole number"),
    ],
)
def test_bad_parameters(params: dict[str, object], message: str) -> None:
    with pytest.raises(ParamError, match=message):
        get("cart").validate(params)


def test_unknown_and_unavailable_generators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    with pytest.raises(ParamError, match="no generator called 'nope'"):
        create("nope")
    missing = GeneratorInfo(
        name="test_needs_missing_package",
        label="Needs a missing package",
        description="For the test.",
        kind=GeneratorKind.NEURAL,
        params=(Param("x", "X", ParamType.INT, 1, "x", 0, 5),),
        licence="MIT",
        requires=("a_package_that_is_not_installed",),
        install_hint="Install it with: pip install nothing",
    )
    register(missing, lambda params: None)  # type: ignore[arg-type,return-value]
    assert not missing.available
    with pytest.raises(GeneratorUnavailableError, match="pip install nothing"):
        create("test_needs_missing_package")
    assert "test_needs_missing_package" not in {info.name for info in registry.available()}
    with pytest.raises(ValueError, match="registered twice"):
        register(missing, lambda params: None)  # type: ignore[arg-type,return-value]


def test_a_spec_is_checked_once_per_action(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page checks a spec before starting the job; fit() in the job, and the generator it
    creates, find it checked. A changed spec (dataclasses.replace) is checked again."""
    from dataclasses import replace

    from synth_core import read_table
    from synth_core.generate.generators.registry import GeneratorInfo
    from synth_core.generate.spec import GenerationSpec
    from synth_core.generate.synthesize import fit
    from tests.helpers import SAMPLES

    calls: list[str] = []
    original = GeneratorInfo.validate

    def counted(self: GeneratorInfo, params: object) -> object:
        calls.append(self.name)
        return original(self, params)  # type: ignore[arg-type]

    monkeypatch.setattr(GeneratorInfo, "validate", counted)
    spec = GenerationSpec("cart", params={"min_samples_leaf": "50"}, rows=50)
    assert spec.validate() == spec.validate()
    fit(read_table(SAMPLES / "penguins.csv"), spec)
    assert calls == ["cart"]
    assert replace(spec, seed=1).validate()["min_samples_leaf"] == 50
    assert calls == ["cart", "cart"]
