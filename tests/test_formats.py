"""Other tools' agent formats: detection by path and content, each field's mapping, and errors."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from agentroute import Registry, Router
from agentroute.sources import loading
from agentroute.errors import AgentFileError, NotAnAgentError
from agentroute.sources.formats import FORMATS, detect_format, is_candidate, read_agents
from agentroute.sources.formats import codex as codex_module
from agentroute.sources.formats.claude_json import read_claude_json
from agentroute.sources.formats.codex import read_codex
from agentroute.sources.formats.crewai import read_crewai
from agentroute.sources.formats.markdown import read_copilot, read_opencode

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def fixture_agents() -> dict[str, object]:
    agents = {}
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file():
            for parsed in read_agents(path, path.read_text(encoding="utf-8")):
                assert parsed.diagnostics == (), parsed.diagnostics
                agents[parsed.agent.name] = parsed.agent
    return agents


# --- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize("path, expected", [
    ("proj/.opencode/agent/review.md", "opencode"),
    ("proj/.opencode/agents/review.md", "opencode"),
    ("home/.config/opencode/agent/review.md", "opencode"),
    ("proj/.github/agents/docs.agent.md", "copilot"),
    ("anywhere/docs.agent.md", "copilot"),
    ("proj/.github/agents/docs.md", "copilot"),
    ("proj/.gemini/agents/auditor.md", "gemini-cli"),
    ("proj/.cursor/agents/verifier.md", "cursor"),
    ("proj/.claude/agents/sql.md", "claude-code"),
    ("proj/.claude/agents/db/sql.md", "claude-code"),
    ("proj/.CURSOR/Agents/verifier.md", "cursor"),
    ("proj/.codex/agents/reviewer.toml", "codex"),
    ("proj/config/agents.yaml", "crewai"),
    ("proj/config/agents.yml", "crewai"),
    ("notes/anything.md", "claude-code"),
    ("proj/pyproject.toml", None),
    ("proj/agents.json", None),
    ("proj/tasks.yaml", None),
])
def test_detect_format_by_path_alone(path, expected):
    assert detect_format(Path(path)) == expected


@pytest.mark.parametrize("frontmatter, expected", [
    ("description: x\nmode: subagent\n", "opencode"),
    ("description: x\nmode: 'primary'\n", "opencode"),
    ("name: a\ndescription: x\nkind: local\n", "gemini-cli"),
    ("name: a\ndescription: x\nreadonly: true\n", "cursor"),
    ("name: a\ndescription: x\nis_background: false\n", "cursor"),
    ("name: a\ndescription: x\nmodel: sonnet\n", "claude-code"),
    ("name: a\ndescription: 'mode: subagent is a phrase here'\n", "claude-code"),
])
def test_detect_markdown_format_by_frontmatter_keys(frontmatter, expected):
    assert detect_format(Path("some/folder/a.md"), f"---\n{frontmatter}---\nBody\n") == expected


def test_path_rules_win_over_content():
    text = "---\nname: a\ndescription: x\nreadonly: true\n---\n"
    assert detect_format(Path("p/.claude/agents/a.md"), text) == "claude-code"


def test_detect_toml_and_json_by_content():
    codex = 'name = "r"\ndescription = "Reviews"\ndeveloper_instructions = "Review."\n'
    assert detect_format(Path("x/r.toml"), codex) == "codex"
    assert detect_format(Path("x/pyproject.toml"), '[project]\nname = "x"\n') is None
    # Keys inside a table are not an agent's: pyproject.toml's [project] has name and description.
    pyproject = '[build-system]\nrequires = []\n\n[project]\nname = "x"\ndescription = "A library"\n'
    assert detect_format(Path("x/pyproject.toml"), pyproject) is None
    assert detect_format(Path("x/r.toml"), codex + '\n[mcp_servers.docs]\ncommand = "x"\n') == "codex"
    agents = json.dumps({"a": {"description": "x", "prompt": "y"}})
    assert detect_format(Path("x/agents.json"), agents) == "claude-code-json"
    assert detect_format(Path("x/package.json"), '{"name": "x", "scripts": {"t": "jest"}}') is None
    assert detect_format(Path("x/broken.json"), "{not json") is None


def test_other_suffixes_with_frontmatter_are_markdown_agents():
    assert detect_format(Path("x/agent.txt"), "---\nname: a\ndescription: x\n---\n") == "claude-code"
    assert detect_format(Path("x/agent"), "---\ndescription: x\nmode: all\n---\n") == "opencode"
    assert detect_format(Path("x/notes.txt"), "just notes") is None
    assert detect_format(Path("x/notes.txt")) is None


def test_is_candidate():
    assert all(is_candidate(p) for p in ("a.md", "A.MD", "a.toml", "a.json", "x/agents.yaml"))
    assert not any(is_candidate(p) for p in ("a.txt", "a.py", "tasks.yaml", "a.yml"))


def test_every_fixture_is_detected_and_every_format_is_covered():
    seen = {detect_format(p, p.read_text()) for p in FIXTURES.rglob("*") if p.is_file()}
    assert seen == set(FORMATS)


# --- field mappings ------------------------------------------------------------------------


def test_opencode_mapping():
    agent = fixture_agents()["migration-planner"]
    assert agent.description.startswith("Plans database schema migrations")
    assert "rollback" in agent.prompt
    assert agent.model == "anthropic/claude-sonnet-4-20250514"
    assert agent.tools is None  # a switch-off map is not an allowlist
    assert agent.metadata["_format"] == "opencode"
    assert agent.metadata["tools"] == {"write": False, "bash": True}
    assert agent.metadata["mode"] == "subagent" and agent.metadata["permission"] == {"edit": "ask"}


def test_opencode_name_is_the_file_stem_even_with_a_name_field():
    text = "---\nname: Frontend Developer\ndescription: Builds UIs\nmode: subagent\n---\nBody\n"
    [parsed] = read_opencode(text, "p/.opencode/agents/frontend-developer.md")
    assert parsed.agent.name == "frontend-developer"
    assert parsed.agent.metadata["name"] == "Frontend Developer"
    assert parsed.diagnostics == ()


def test_copilot_mapping_keeps_display_name_and_tool_list():
    agent = fixture_agents()["Release Notes Writer"]
    assert agent.tools == ("read", "search", "githubRepo")
    assert agent.model == "Claude Sonnet 4"
    assert agent.metadata == {"_format": "copilot", "target": "vscode"}
    assert agent.prompt.startswith("# Release notes")


def test_copilot_without_name_uses_file_name_without_agent_md():
    [parsed] = read_copilot("---\ndescription: Writes docs\n---\nBody\n", "r/.github/agents/docs-writer.agent.md")
    assert parsed.agent.name == "docs-writer"
    assert parsed.diagnostics == ()


def test_gemini_and_cursor_mappings():
    agents = fixture_agents()
    gemini, cursor = agents["flaky-test-hunter"], agents["accessibility-reviewer"]
    assert gemini.tools == ("read_file", "grep_search", "run_shell_command")
    assert gemini.metadata == {"_format": "gemini-cli", "kind": "local", "temperature": 0.2, "max_turns": 15}
    assert cursor.model == "inherit"
    assert cursor.metadata == {"_format": "cursor", "readonly": True, "is_background": False}


def test_codex_mapping_with_dates_as_text():
    agent = fixture_agents()["dependency-upgrader"]
    assert agent.prompt.startswith("Upgrade one dependency at a time.")
    assert agent.model == "gpt-5-codex"
    assert agent.metadata["reviewed"] == "2025-03-14"  # a TOML date, kept JSON-safe
    assert agent.metadata["nickname_candidates"] == ["Bumper", "Lockfile"]
    assert "developer_instructions" not in agent.metadata and agent.tools is None


def test_codex_without_name_uses_file_name_with_warning():
    [parsed] = read_codex('description = "Reviews"\ninstructions = "Review."\n', "a/.codex/agents/rev.toml")
    assert parsed.agent.name == "rev" and parsed.agent.prompt == "Review."
    [note] = parsed.diagnostics
    assert note.field == "name" and 'name = "rev"' in note.fix


def test_codex_invalid_toml_names_the_line():
    with pytest.raises(AgentFileError) as caught:
        read_codex('name = "a"\ndescription = "unterminated\n', "a.toml")
    assert caught.value.line == 2 and "invalid TOML" in str(caught.value)


def test_codex_bad_name_is_an_error():
    with pytest.raises(AgentFileError) as caught:
        read_codex('name = 3\ndescription = "x"\n', "a.toml")
    assert caught.value.diagnostics[0].field == "name" and caught.value.line == 1


def test_codex_without_a_toml_reader_says_what_to_install(monkeypatch):
    monkeypatch.setattr(codex_module, "_toml_module", lambda: None)
    with pytest.raises(AgentFileError) as caught:
        read_codex('name = "a"\n', "a.toml")
    assert "pip install tomli" in str(caught.value)


def test_crewai_mapping():
    agents = fixture_agents()
    analyst, editor = agents["market_analyst"], agents["copy_editor"]
    assert analyst.description == "Market Analyst for {industry}\n\nSize the market, list competitors and their pricing"
    assert analyst.prompt.startswith("You have priced products")
    assert analyst.model == "openai/gpt-4o" and analyst.tools == ("web_search",)
    assert analyst.metadata["allow_delegation"] is False and analyst.metadata["_format"] == "crewai"
    assert editor.tools is None and editor.metadata["verbose"] is True


def test_crewai_skips_a_bad_entry_with_its_line():
    text = "good:\n  role: Writer\n  goal: Writes\nbad: just text\n"
    [parsed] = read_crewai(text, "agents.yaml")
    [note] = parsed.diagnostics
    assert parsed.agent.name == "good"
    assert note.severity == "warning" and note.line == 4 and "skipped" in note.message


@pytest.mark.parametrize("text", ["- a\n- b\n", "bad: 3\n", "a: [unclosed\n"])
def test_crewai_unusable_files_are_errors(text):
    with pytest.raises(AgentFileError) as caught:
        read_crewai(text, "agents.yaml")
    assert all(d.severity == "error" for d in caught.value.diagnostics)
    assert caught.value.line is not None


def test_crewai_refuses_alias_bombs():
    bomb = "a: &a [x, x]\n" + "".join(f"b{i}: *a\n" for i in range(20))
    with pytest.raises(AgentFileError, match="aliases"):
        read_crewai(bomb, "agents.yaml")


def test_claude_json_mapping_reads_examples_and_comma_tools():
    agents = fixture_agents()
    commander, optimizer = agents["incident-commander"], agents["cost-optimizer"]
    assert commander.examples[0].request == "the checkout service is returning 500s for everyone"
    assert "<example>" not in commander.description
    assert commander.tools == ("Read", "Bash") and commander.model == "sonnet"
    assert commander.metadata == {"_format": "claude-code-json", "maxTurns": 20}
    assert optimizer.tools == ("Read", "Grep")


def test_claude_json_errors():
    with pytest.raises(AgentFileError) as caught:
        read_claude_json('{\n  "a": {"description": "x",}\n}', "a.json")
    assert caught.value.line == 2
    with pytest.raises(AgentFileError):
        read_claude_json('["a"]', "a.json")
    with pytest.raises(AgentFileError):
        read_claude_json('{"a": 1}', "a.json")
    [parsed] = read_claude_json('{"a": {"description": "x"}, "b": 2}', "a.json")
    assert parsed.diagnostics[0].field == "b"


def test_missing_description_is_a_warning_naming_the_fix():
    [parsed] = read_claude_json('{"a": {"prompt": "You help."}}', "a.json")
    [note] = parsed.diagnostics
    assert note.field == "description" and '"description"' in note.fix


def test_unknown_format_is_not_an_agent():
    with pytest.raises(NotAnAgentError):
        read_agents("x/pyproject.toml", '[project]\nname = "x"\n')


def test_readers_are_pure_text_functions():
    # No file exists at this path: readers never touch the disk.
    [parsed] = read_agents("/nonexistent/.cursor/agents/a.md", "---\ndescription: x\n---\nBody\n")
    assert parsed.agent.name == "a" and parsed.agent.source == "/nonexistent/.cursor/agents/a.md"


# --- the agents work downstream ------------------------------------------------------------


def test_agents_of_every_format_route_and_survive_save_and_load(tmp_path):
    agents = fixture_agents()
    router = Router(list(agents.values()))
    expectations = {
        "this query does a sequential scan, add an index": "query-tuner",
        "write the changelog for the merged pull requests": "Release Notes Writer",
        "our test fails randomly in CI, maybe shared state": "flaky-test-hunter",
        "bump the outdated packages and fix what breaks": "dependency-upgrader",
        "checkout is down, coordinate the incident": "incident-commander",
        "who are our competitors and how do they price": "market_analyst",
        "screen reader labels and keyboard focus on the signup form": "accessibility-reviewer",
        "plan a reversible migration that renames a column": "migration-planner",
    }
    for request, expected in expectations.items():
        assert router.pick(request).agent.name == expected, request
    router.save(tmp_path / "r.agr")
    loaded = Router.load(tmp_path / "r.agr")
    assert {a.name: dict(a.metadata) for a in loaded.agents} == {a.name: dict(a.metadata) for a in agents.values()}


# --- the docs' Python blocks run as written --------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs"


def python_blocks(name: str) -> list[str]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.DOTALL)


@pytest.mark.parametrize("name", ["formats.md", "lint.md", "integrations.md"])
def test_docs_python_blocks_run(name, capsys):
    blocks = python_blocks(name)
    assert blocks
    for block in blocks:
        if "dask" in block and importlib.util.find_spec("distributed") is None:
            continue  # an optional extra ('agentroute[bench]')
        # __name__ is not "__main__": a block that starts worker processes keeps that part guarded.
        exec(compile(block, f"docs/{name}", "exec"), {"__name__": "docs_example"})  # noqa: S102


@pytest.mark.skipif(not hasattr(loading, "load_agents"),
                    reason="loading.py does not dispatch to agentroute.sources.formats yet")
def test_registry_from_paths_reads_every_format(tmp_path):
    folders = [".opencode/agent", ".github/agents", ".gemini/agents", ".cursor/agents", ".codex/agents",
               "crew", "claude"]
    registry = Registry.from_paths([FIXTURES / folder for folder in folders])
    assert set(registry.names) == set(fixture_agents()) and registry.diagnostics == ()
    (tmp_path / "package.json").write_text('{"name": "x", "scripts": {"test": "jest"}}')
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "a.md").write_text("---\nname: a\ndescription: Tunes SQL.\n---\n")
    quiet = Registry.from_paths([tmp_path])
    assert quiet.names == ("a",) and quiet.diagnostics == ()  # non-agent JSON/TOML in a folder: silent
