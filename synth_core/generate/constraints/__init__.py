"""Rules every synthetic row must follow: one column above another (or a fixed gap after it),
value ranges, fixed combinations of categories, a column determined by another, a column that is
the sum of others, columns missing together. Written by the user or found in the data
(``synth_core.generate.discover``). Checked on the real data before training; kept after
sampling for every generator: first repaired where the rule says how (a determined column is
filled from its source, a total recomputed from its parts, a gap re-applied, missing values
aligned), then rows that still break a rule are rejected and drawn again. SDV generators also
learn the order rules, so few rows are rejected."""

from synth_core.generate.constraints.checks import (
    check,
    holds,
    satisfied,
    validate,
)
from synth_core.generate.constraints.forms import (
    from_dict,
    to_dict,
)
from synth_core.generate.constraints.kinds import (
    DATE_PARTS,
    Constraint,
    ConstraintError,
    DatePart,
    Determines,
    FixedCombinations,
    FixedGap,
    GreaterThan,
    MissingOnlyWhen,
    MissingTogether,
    ProductOf,
    SumOf,
    ValueRange,
    close_pair,
    date_part,
    part_name,
    positive,
)
from synth_core.generate.constraints.learnt import most_common
from synth_core.generate.constraints.repair import (
    repair,
    repair_counted,
)

__all__ = [
    "DATE_PARTS",
    "Constraint",
    "ConstraintError",
    "DatePart",
    "Determines",
    "FixedCombinations",
    "FixedGap",
    "GreaterThan",
    "MissingOnlyWhen",
    "MissingTogether",
    "ProductOf",
    "SumOf",
    "ValueRange",
    "check",
    "close_pair",
    "date_part",
    "from_dict",
    "holds",
    "most_common",
    "part_name",
    "positive",
    "repair",
    "repair_counted",
    "satisfied",
    "to_dict",
    "validate",
]
