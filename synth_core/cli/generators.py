"""`synth-studio generators`: the generators and their parameters (text or JSON)."""

from __future__ import annotations

import argparse
from typing import Any

from synth_core.cli._common import add_json, write_json
from synth_core.generate.generators import infos


def add(commands: Any) -> None:
    listing = commands.add_parser("generators", help="list the generators and their parameters")
    add_json(listing, "JSON instead of text, to a file or (no file, or '-') to stdout", bare=True)


def run(args: argparse.Namespace) -> int:
    if args.json is not None:
        payload = [
            {
                "name": info.name,
                "label": info.label,
                "description": info.description,
                "kind": info.kind.value,
                "licence": info.licence,
                "available": info.available,
                "params": [
                    {
                        "name": p.name,
                        "type": p.type.value,
                        "default": p.default,
                        "help": p.help,
                        "min": p.minimum,
                        "max": p.maximum,
                        "choices": list(p.choices),
                    }
                    for p in info.params
                ],
            }
            for info in infos()
        ]
        write_json(args.json, payload)
        return 0
    for info in infos():
        state = "" if info.available else f"  [unavailable: {info.install_hint}]"
        print(f"{info.name:<18} {info.label} — {info.licence}{state}")
        print(f"{'':<18} {info.description}")
        for p in info.params:
            choices = f" ({', '.join(p.choices)})" if p.choices else ""
            bounds = (
                f" [{p.minimum:g}..{p.maximum:g}]"
                if p.minimum is not None and p.maximum is not None
                else ""
            )
            print(f"{'':<18}   {p.name}={p.default}{choices}{bounds}: {p.help}")
    return 0
