"""What every command shares: one-line usage errors, key=value options, reading the real table
with its column kinds and missing-value words, JSON output, the terminal progress bar."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from synth_core.data.io.reader import ReadOptions, read_table
from synth_core.data.schema import ColumnOverride
from synth_core.data.table import Table
from synth_core.errors import SynthCoreError

EXIT_BAD_INPUT = 2


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


# One input with these suffixes is a set of tables (a zip of files, a SQLite database).
LINKED_SUFFIXES = (".zip", ".sqlite", ".sqlite3", ".db")


def key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return key.strip(), value.strip()


def add_kinds(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--kind",
        type=key_value,
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help=what,
    )


def add_tokens(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keep-token",
        type=key_value,
        action="append",
        default=[],
        metavar="COLUMN=TOKEN",
        help="read TOKEN (e.g. none, NA) in COLUMN (* for every column) as a value, not missing",
    )
    parser.add_argument(
        "--missing-token",
        type=key_value,
        action="append",
        default=[],
        metavar="COLUMN=TOKEN",
        help="read TOKEN in COLUMN (* for every column) as missing",
    )


def token_options(args: argparse.Namespace, options: ReadOptions | None = None) -> ReadOptions:
    options = options or ReadOptions()
    return replace(
        options,
        keep_tokens=(*options.keep_tokens, *args.keep_token),
        missing_tokens=(*options.missing_tokens, *args.missing_token),
    )


def add_json(
    parser: argparse.ArgumentParser, what: str, required: bool = True, bare: bool = False
) -> None:
    """``--json PATH`` in every command that writes JSON ('-' for stdout); with ``bare``, a
    ``--json`` without a path means stdout too."""
    if bare:
        parser.add_argument(
            "--json", type=Path, nargs="?", const=Path("-"), metavar="OUT.json", help=what
        )
    else:
        parser.add_argument("--json", type=Path, required=required, metavar="OUT.json", help=what)


def read_real(path: Path, args: argparse.Namespace) -> Table:
    """The real table with the command's missing-value words and column kinds."""
    table = read_table(path, token_options(args))
    return table.with_overrides({name: ColumnOverride.parse(kind) for name, kind in args.kind})


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SynthCoreError(f"Cannot read {path}: {exc.strerror}. Check the path.") from exc


def write_json(path: Path, payload: Any) -> None:
    """Strict JSON (no NaN) to ``path``, or to stdout for '-'."""
    text = json.dumps(payload, indent=2, allow_nan=False, ensure_ascii=False)
    if str(path) == "-":
        print(text)
        return
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise SynthCoreError(f"Cannot write {path}: {exc.strerror}.") from exc


def score(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:.3f}"


class TerminalProgress:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._started = time.monotonic()
        self._shown = 0.0

    def __call__(
        self, fraction: float, message: str, losses: Mapping[str, float] | None = None
    ) -> None:
        now = time.monotonic()
        if now - self._shown < 0.1 and fraction < 1.0:
            return
        self._shown = now
        elapsed = now - self._started
        eta = f" ~{elapsed * (1 - fraction) / fraction:.0f}s left" if 0.02 < fraction < 1 else ""
        bar = "#" * int(24 * fraction)
        sys.stderr.write(f"\r{self._label} [{bar:<24}] {fraction:4.0%}{eta}  {message[:60]:<60}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def progress_bar(label: str) -> TerminalProgress | None:
    return TerminalProgress(label) if sys.stderr.isatty() else None
