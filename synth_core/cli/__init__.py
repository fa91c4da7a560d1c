"""The `synth-studio` command line: one module per command, each with ``add`` (its options) and
``run``; user-caused errors end as one line on stderr with exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from synth_core.cli import (
    collapse,
    compare,
    evaluate,
    generate,
    generators,
    relations,
    report,
    rules,
)
from synth_core.cli._common import EXIT_BAD_INPUT, Parser
from synth_core.errors import SynthCoreError

COMMANDS = {
    "generators": generators,
    "generate": generate,
    "collapse": collapse,
    "compare-generators": compare,
    "evaluate": evaluate,
    "report": report,
    "rules": rules,
    "relations": relations,
}


def parser() -> Parser:
    found = Parser(prog="synth-studio", description="Synthetic Data Studio on the command line.")
    commands = found.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in COMMANDS.values():
        module.add(commands)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `synth-studio` console script."""
    args = parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command].run(args))
    except SynthCoreError as exc:
        message = " ".join(str(exc).split())
        print(f"synth-studio: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
