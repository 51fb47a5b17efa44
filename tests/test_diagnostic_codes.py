"""Loading diagnostics carry their lint code from where they are made; lint reads codes, never messages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agentroute import Diagnostic, Registry
from agentroute.lint.checks import CODES, lint

SRC = Path(__file__).resolve().parents[1] / "src" / "agentroute"

# One file per problem, and the code it has always had (the codes lint derived from the
# messages before diagnostics carried codes; docs/lint.md lists them).
CASES = {
    "blank-before.md": ("\n\n---\nname: blank-before\ndescription: Tunes slow SQL queries\n---\n", "AR102"),
    "closing-dashes.md": ("---\nname: closing-dashes\ndescription: Tunes slow SQL\n----\n", "AR102"),
    "indented.md": ("  ---\n  name: indented\n  description: Tunes slow SQL queries\n  ---\n", "AR102"),
    "fenced.md": ("```yaml\n---\nname: fenced\ndescription: Tunes slow SQL queries\n---\n```\n", "AR102"),
    "never-closed.md": ("---\nname: never-closed\ndescription: x\n", "AR100"),
    "dup-key.md": ("---\nname: dup-key\ndescription: a\ndescription: Tunes slow SQL queries\n---\n", "AR105"),
    "key-case.md": ("---\nname: key-case\ndescription: Tunes slow SQL queries\nTools: Read\n---\n", "AR106"),
    "no-frontmatter.md": ("# Just notes\nnothing here\n", "AR107"),
    "tool-space.md": ("---\nname: tool-space\ndescription: Tunes slow SQL queries\ntools: Read Grep\n---\n", "AR109"),
    "name-number.md": ("---\nname: 123\ndescription: Tunes slow SQL queries\n---\n", "AR111"),
    "name-null.md": ("---\nname: null\ndescription: Tunes slow SQL queries\n---\n", "AR111"),
    "name-space.md": ("---\nname: My Agent\ndescription: Tunes slow SQL queries\n---\n", "AR111"),
    "name-slash.md": ("---\nname: a/b\ndescription: Tunes slow SQL queries\n---\n", "AR111"),
    "name-list.md": ("---\nname: [a, b]\ndescription: Tunes slow SQL queries\n---\n", "AR100"),
    "no-name.md": ("---\ndescription: Tunes slow SQL queries\n---\n", "AR103"),
    "desc-empty.md": ("---\nname: desc-empty\ndescription: ''\n---\nprompt\n", "AR104"),
    "desc-missing.md": ("---\nname: desc-missing\n---\nprompt\n", "AR104"),
    "desc-bool.md": ("---\nname: desc-bool\ndescription: yes\n---\n", "AR101"),
    "desc-list.md": ("---\nname: desc-list\ndescription: [a, b]\n---\n", "AR101"),
    "colon.md": ("---\nname: colon\ndescription: Use when: the SQL is slow: really\n---\n", "AR101"),
    "model-number.md": ("---\nname: model-number\ndescription: Tunes slow SQL queries\nmodel: 4\n---\n", "AR101"),
    "tag.md": ("---\nname: tag\ndescription: !!python/object x\n---\n", "AR100"),
    "agents.json": ('{"json-ok": {"description": "Tunes SQL", "prompt": "p"}, "bad": 3}', "AR107"),
    "codex-agent.toml": ('developer_instructions = "Tune SQL"\ndescription = "Tunes slow SQL"\n', "AR103"),
    "codex-noprompt.toml": ('name = "codex-noprompt"\ndescription = "Tunes slow SQL"\n', "AR109"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_problem_has_its_code_from_where_it_was_found(tmp_path, name):
    text, code = CASES[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    registry = Registry.from_paths([tmp_path])
    assert registry.diagnostics and all(d.code in CODES for d in registry.diagnostics)
    assert code in {f.code for f in lint(registry)}


def test_bytes_and_clashes_have_codes(tmp_path):
    (tmp_path / "latin1.md").write_bytes(b"---\nname: latin1\ndescription: caf\xe9 SQL queries\n---\n")
    (tmp_path / "binary.md").write_bytes(b"---\nname: binary\ndescription: x\x00y\n---\n")
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.md").write_text(f"---\nname: same\ndescription: SQL {folder}\n---\n")
    codes = {(Path(d.path).name, d.code) for d in Registry.from_paths([tmp_path]).diagnostics}
    assert codes == {("latin1.md", "AR108"), ("binary.md", "AR100"), ("same.md", "AR110")}


def test_lint_reads_the_code_not_the_message():
    """Rewording a message changes no finding code (lint once matched message sentences)."""
    from agentroute import Agent

    notes = [Diagnostic("warning", "a.md", "reworded entirely", code="AR105"),
             Diagnostic("warning", "b.md", "is already defined by x; this later file is ignored", code="AR106"),
             Diagnostic("warning", "c.md", "no code given"),
             Diagnostic("error", "d.md", "duplicate key", code="AR105")]
    registry = Registry([Agent("sql-tuner", "Tunes slow SQL queries and indexes for PostgreSQL databases")],
                        diagnostics=notes)
    found = {f.path: f.code for f in lint(registry) if f.path}
    assert found == {"a.md": "AR105", "b.md": "AR106", "c.md": "AR109", "d.md": "AR100"}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            yield name, node


def test_every_diagnostic_is_created_with_a_code():
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        for name, call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            if name == "Diagnostic" and not any(k.arg == "code" for k in call.keywords):
                missing.append(f"{path.relative_to(SRC)}:{call.lineno}")
    assert missing == []


def test_every_code_written_in_the_sources_is_a_lint_code():
    codes = set()
    for path in sorted(SRC.rglob("*.py")):
        for _, call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            for keyword in call.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    codes.add(keyword.value.value)
    assert codes and codes <= set(CODES), codes - set(CODES)
