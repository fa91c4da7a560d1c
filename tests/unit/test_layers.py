"""The architecture as a rule: synth_core's layers import only the layers below them, nothing
imports in a cycle, and only synth_core/ui (and the pages) import Streamlit."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "synth_core"
# Bottom to top. "base" is errors, _progress, _system and jsonable; ui and cli are both on top
# and do not import each other.
LAYERS = (
    "base",
    "data",
    "generate",
    "evaluate",
    "workflows",
    "experiments",
    "present",
    "jobs",
    "ui",
    "cli",
)
BASE = {"errors", "_progress", "_system", "jsonable"}


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in BASE:
        return "base"
    if parts[1] not in LAYERS:
        raise AssertionError(f"{module} is in no layer: put it in one of {LAYERS}")
    return parts[1]


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """The synth_core modules ``path`` imports (at any place, TYPE_CHECKING blocks included)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("synth_core"):
                for alias in node.names:
                    name = f"{node.module}.{alias.name}"
                    is_module = (ROOT / name.replace(".", "/")).with_suffix(".py").exists() or (
                        ROOT / name.replace(".", "/")
                    ).is_dir()
                    yield (name if is_module else node.module), node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("synth_core"):
                    yield alias.name, node.lineno


def graph() -> dict[str, set[str]]:
    return {
        module_of(path): {name for name, _ in imports(path)}
        for path in PACKAGE.rglob("*.py")
        if module_of(path) != "synth_core"  # the public API re-exports from every layer
    }


def layer_violations(edges: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(edges.items()):
        here = layer_of(module)
        for target in sorted(targets):
            there = layer_of(target)
            upward = LAYERS.index(there) > LAYERS.index(here)
            sideways = {here, there} == {"ui", "cli"}
            if upward or sideways:
                found.append(f"{module} ({here}) imports {target} ({there})")
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules (a package importing its own submodules is not one)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target.startswith(node + "."):
                continue
            if state.get(target) == 1:
                found.append([*stack[stack.index(target) :], target])
            elif target in edges and state.get(target) is None:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if state.get(node) is None:
            visit(node)
    return found


def test_every_module_imports_only_its_own_layer_or_lower_ones() -> None:
    assert layer_violations(graph()) == []


def test_there_are_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_the_check_catches_a_layer_broken_on_purpose() -> None:
    broken = {**graph(), "synth_core.generate.synthesize": {"synth_core.evaluate.fidelity"}}
    assert layer_violations(broken) == [
        "synth_core.generate.synthesize (generate) imports synth_core.evaluate.fidelity (evaluate)"
    ]
    looped = {
        "synth_core.data.a": {"synth_core.data.b"},
        "synth_core.data.b": {"synth_core.data.a"},
    }
    assert cycles(looped) == [["synth_core.data.a", "synth_core.data.b", "synth_core.data.a"]]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_of(p))
def test_only_the_ui_imports_streamlit(path: Path) -> None:
    if module_of(path).startswith("synth_core.ui"):
        return
    for node in ast.walk(ast.parse(path.read_text())):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        assert not any(n == "streamlit" or n.startswith("streamlit.") for n in names), path


# The pages see generators only through the registry: what differs per generator (estimate,
# sizing advice, settings advice, privacy remedy) is a hook on GeneratorInfo, never an import
# of its module or a test of its name.
GENERATORS = "synth_core.generate.generators"
FRONT = sorted(
    [*(PACKAGE / "ui").rglob("*.py"), ROOT / "app.py", *(ROOT / "app_pages").rglob("*.py")]
)


def generator_coupling(path: Path, names: set[str]) -> list[str]:
    """Imports of a generator's own module, and generator names written as text, in ``path``."""
    found = []
    for name, line in imports(path):
        inside = name.startswith(GENERATORS + ".")
        if inside and name.split(".")[3] not in {"registry"}:
            found.append(f"line {line} imports {name}")
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and node.value in names:
            found.append(f"line {node.lineno} names the generator {node.value!r}")
    return found


def _names() -> set[str]:
    from synth_core.generate.generators import infos

    return {info.name for info in infos()}


@pytest.mark.parametrize("path", FRONT, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_and_ui_know_generators_only_by_the_registry(path: Path) -> None:
    assert generator_coupling(path, _names()) == []


def test_the_generator_check_catches_an_import_and_a_name(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text(
        "from synth_core.generate.generators.sdv import wide_columns_advice\n"
        "from synth_core.generate.generators.registry import get\n"
        "if info.name == 'ctgan':\n    pass\n"
    )
    assert generator_coupling(page, _names()) == [
        "line 1 imports synth_core.generate.generators.sdv",
        "line 3 names the generator 'ctgan'",
    ]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_of(p))
def test_a_module_over_600_lines_says_it_is_one_concept(path: Path) -> None:
    """Files stay small enough to read; a longer one says in its docstring why it is one."""
    lines = len(path.read_text().splitlines())
    if lines > 600:
        docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
        assert "One concept, one file" in docstring, f"{path} has {lines} lines"
