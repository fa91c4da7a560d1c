"""What decides a synthetic table: the GenerationSpec and the privacy setting it is made under."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from synth_core.errors import SpecError
from synth_core.generate.conditions import RowRequest
from synth_core.generate.constraints import Constraint, Determines, FixedCombinations
from synth_core.generate.generators import registry
from synth_core.generate.generators.registry import GeneratorKind, ParamValue
from synth_core.generate.protect.pii import PiiAction
from synth_core.generate.protect.quality import QualitySettings
from synth_core.generate.protect.similarity import FilterSettings

MIN_ROWS = 10
MAX_SYNTHETIC_ROWS = 1_000_000  # made in memory; sample_to_file writes more in chunks
MAX_FILE_ROWS = 1_000_000_000
MAX_FIT_ROWS = registry.DEFAULT_FIT_ROWS
FIT_ROWS_AUTO = "auto"  # max_fit_rows: the generator's own measured cap (GeneratorInfo.fit_rows)
DP_GENERATOR = "dp_mst"  # what the DP privacy setting trains (PrivacySetting.apply)


def check_table_rows(rows: int) -> None:
    """SpecError when a table of ``rows`` rows is too small to learn from."""
    if rows < MIN_ROWS:
        raise SpecError(
            f"The table has {rows} row(s); at least {MIN_ROWS} are needed to learn anything. "
            "Upload a larger table."
        )


def check_in_memory(rows: int) -> None:
    """SpecError when ``rows`` synthetic rows are not between 1 and what is made in memory."""
    if not 1 <= rows <= MAX_SYNTHETIC_ROWS:
        raise SpecError(
            f"The number of synthetic rows must be between 1 and {MAX_SYNTHETIC_ROWS:,}; got "
            f"{rows:,}. For more, write them to a file."
        )


class PrivacySetting(StrEnum):
    """The four privacy settings a user chooses from (README, "Privacy")."""

    NONE = "none"  # personal data kept as it is
    PII = "pii"  # personal data replaced or dropped, new IDs
    FILTER = "filter"  # PII protection + the similarity filter
    DP = "dp"  # PII protection + the differentially private generator

    @property
    def protects_pii(self) -> bool:
        return self is not PrivacySetting.NONE

    def apply(
        self, spec: GenerationSpec, similarity: FilterSettings | None = None
    ) -> GenerationSpec:
        """``spec`` under this setting: the similarity filter on (``similarity``, or what the
        spec has, or the defaults) only with FILTER; the DP generator with DP, and back to the
        default generator when leaving it."""
        dp_generator = registry.get(spec.generator).kind is GeneratorKind.DP
        generator, params = spec.generator, dict(spec.params)
        if self is PrivacySetting.DP and not dp_generator:
            generator, params = DP_GENERATOR, {}
        elif self is not PrivacySetting.DP and dp_generator:
            generator, params = registry.DEFAULT_GENERATOR, {}
        kept = similarity or spec.similarity_filter or FilterSettings()
        return replace(
            spec,
            privacy=self,
            generator=generator,
            params=params,
            similarity_filter=kept if self is PrivacySetting.FILTER else None,
        )

    @classmethod
    def of(cls, spec: GenerationSpec) -> PrivacySetting:
        """The setting ``spec`` amounts to (also for specs written before there were four)."""
        if registry.get(spec.generator).kind is GeneratorKind.DP:
            return cls.DP
        if spec.similarity_filter is not None:
            return cls.FILTER
        return cls.NONE if spec.privacy is cls.NONE else cls.PII


class RulesSetting(StrEnum):
    """Whether fit() finds the rules the training rows keep and keeps them (README, "Rules")."""

    AUTO = "auto"  # keep every rule that holds in all training rows (not under DP)
    NONE = "none"  # only the constraints the user wrote


@dataclass(frozen=True)
class GenerationSpec:
    """Everything that decides the synthetic output; the same spec and table give the same rows."""

    generator: str = registry.DEFAULT_GENERATOR
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    rows: int = 1000
    seed: int = 0
    privacy: PrivacySetting = PrivacySetting.PII
    pii_action: PiiAction = PiiAction.REPLACE
    holdout_fraction: float = 0.2
    max_fit_rows: int | str | None = FIT_ROWS_AUTO  # at most; None: every row
    constraints: tuple[Constraint, ...] = ()
    requests: tuple[RowRequest, ...] = ()  # conditional sampling; empty = ``rows`` plain rows
    similarity_filter: FilterSettings | None = None  # drop copies and near copies of real rows
    quality_filter: QualitySettings | None = None  # keep the rows a classifier finds most real
    rules: RulesSetting = RulesSetting.AUTO  # also keep the rules found in the training rows
    # The checked parameters, once validate() has passed: a spec is checked once per action
    # (the page checks it before starting the job; fit() in the job finds it checked).
    # dataclasses.replace() makes a new spec, checked again.
    _checked: Mapping[str, ParamValue] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def fit_cap(self) -> int | None:
        """The most training rows the generator learns from (None: every row): the setting,
        or by default the generator's own measured cap."""
        if isinstance(self.max_fit_rows, str):
            return registry.get(self.generator).fit_rows
        return self.max_fit_rows

    def validate(self) -> dict[str, ParamValue]:
        """Check the settings before any work; return the generator's checked parameters."""
        if self._checked is not None:
            return dict(self._checked)
        params = self._validate()
        object.__setattr__(self, "_checked", params)
        return dict(params)

    def _validate(self) -> dict[str, ParamValue]:
        if not 1 <= self.rows <= MAX_FILE_ROWS:
            raise SpecError(
                f"The number of synthetic rows must be between 1 and {MAX_FILE_ROWS:,}; "
                f"got {self.rows:,}."
            )
        if self.seed < 0 or self.seed >= 2**32:
            raise SpecError(
                f"The seed must be a whole number from 0 to {2**32 - 1}; got {self.seed}."
            )
        if not 0.0 <= self.holdout_fraction <= 0.5:
            raise SpecError(
                f"The holdout share must be between 0 and 0.5; got {self.holdout_fraction}."
            )
        if isinstance(self.max_fit_rows, str) and self.max_fit_rows != FIT_ROWS_AUTO:
            raise SpecError(
                f"The row cap for fitting is a whole number, '{FIT_ROWS_AUTO}' or none; got "
                f"{self.max_fit_rows!r}."
            )
        if isinstance(self.max_fit_rows, int) and self.max_fit_rows < MIN_ROWS:
            raise SpecError(f"The row cap for fitting must be at least {MIN_ROWS}.")
        if self.similarity_filter is not None:
            self.similarity_filter.validate()
        if self.quality_filter is not None:
            self.quality_filter.validate()
        info = registry.get(self.generator)
        if info.kind is GeneratorKind.DP:
            if self.quality_filter is not None:
                raise SpecError(
                    "The quality filter learns from the real rows which synthetic rows to keep, "
                    "which breaks the differential-privacy guarantee. Use one or the other."
                )
            if self.similarity_filter is not None:
                raise SpecError(
                    "The similarity filter looks at the real rows to decide which synthetic rows "
                    "to keep, which breaks the differential-privacy guarantee. Use one or the "
                    "other."
                )
            if any(isinstance(c, (FixedCombinations, Determines)) for c in self.constraints):
                raise SpecError(
                    "Fixed combinations and determined columns are read from the real rows, "
                    "which breaks the differential-privacy guarantee. Remove those constraints "
                    "(ranges, sums and A > B rules are fine)."
                )
        return info.validate(self.params)
