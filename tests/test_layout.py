"""The package layout keeps its rules: no import cycles, no private names imported across modules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "agentroute"


def _modules() -> dict[str, ast.Module]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("agentroute", *path.relative_to(PACKAGE).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = ast.parse(path.read_text(encoding="utf-8"))
    return modules


def _imports(tree: ast.Module) -> list[tuple[str, str]]:
    """``(module, name)`` of every ``from agentroute... import name``, deferred ones included."""
    return [(node.module, alias.name) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("agentroute")
            for alias in node.names]


def test_no_private_name_is_imported_from_another_module():
    found = [f"{module}: from {source} import {name}" for module, tree in _modules().items()
             for source, name in _imports(tree)
             if name.startswith("_") and not name.startswith("__")]
    assert found == []


def test_no_import_cycles_even_deferred_or_for_type_checking():
    modules = _modules()
    graph = {module: {target for source, name in _imports(tree)
                      for target in (source, f"{source}.{name}") if target in modules and target != module}
             for module, tree in modules.items()}
    graph["agentroute"] = set()  # the package's lazy re-exports are not a layer
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_test_files_cited_in_code_and_docs_exist():
    """Docstrings and docs point readers at test files; a renamed or missing one is drift."""
    import re

    root = PACKAGE.parents[1]
    cited = {match for path in [*PACKAGE.rglob("*.py"), *(root / "docs").glob("*.md")]
             for match in re.findall(r"tests/test_\w+\.py", path.read_text(encoding="utf-8"))}
    assert cited and sorted(c for c in cited if not (root / c).exists()) == []


def test_options_named_in_the_cli_code_exist():
    """A comment or help text naming ``--verbose`` when the CLI has no such option is drift."""
    import argparse
    import re

    from agentroute.cli.main import build_parser

    options: set[str] = set()
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:  # argparse keeps no public list of them
            options.update(s for s in action.option_strings if s.startswith("--"))
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    named = {match for path in (PACKAGE / "cli").glob("*.py")
             for match in re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", path.read_text(encoding="utf-8"))}
    assert named and sorted(named - options) == []
