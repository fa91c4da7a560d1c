"""Notes in the user's words: the helper columns a linked set is made with (children counted
per parent, a parent's columns in its children's rows, a sequence's previous values) named as
what they are, never by their internal names."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from synth_core.data.database import Relation
from synth_core.generate.linked.context import Context
from synth_core.generate.linked.counts import count_name
from synth_core.generate.linked.matching import POSITION, PREVIOUS


def names_in_words(
    children: Sequence[tuple[Relation, str | None, Sequence[str | None]]],
    contexts: Sequence[Context],
    chained: Sequence[str] = (),
) -> dict[str, str]:
    """Each helper column of a table's working rows, in words."""
    words: dict[str, str] = {}
    for relation, column, values in children:
        for value in values:
            kind = f" with {column} {value}" if value is not None else ""
            words[count_name(relation, value)] = (
                f"the number of {relation.child} rows{kind} per {relation.parent}"
            )
    for context in contexts:
        for helper in context.columns:
            middle = [r.parent for r in helper.path[:-1]]
            via = f" (through {', '.join(middle)})" if middle else ""
            words[helper.name] = f"the {helper.path[-1].parent}'s {helper.column.name}{via}"
    words[POSITION] = "the place in the sequence"
    for name in chained:
        words[PREVIOUS + name] = f"the previous row's {name}"
    return words


def in_words(note: str, words: Mapping[str, str]) -> str:
    """``note`` with every helper column's name replaced by its words (longest names first,
    whole names only: 'disp.account.date' before 'account.date')."""
    if not words:
        return note
    names = sorted(words, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])")
    return pattern.sub(lambda m: words[m.group(1)], note)
