"""The Claude Code hook: stdin event in, documented JSON out, and never a failed or blocked prompt."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time

import pytest

from agentroute import Agent, Router
from agentroute.cli.authoring import cmd_hook
from agentroute.integrations.claude_code_hook import (
    ENV_VAR,
    hint_text,
    hook_response,
    load_router_for,
    run_hook,
    saved_router_path,
)
from agentroute.sources.claude_code import render_agent

SAVED = ".claude/saved.agr"

AGENTS = [
    Agent("sql-expert", "Tunes slow SQL queries, designs indexes and reads query plans."),
    Agent("css-fixer", "Fixes CSS layouts, flexbox and grid alignment."),
]


@pytest.fixture(scope="module")
def router():
    return Router(AGENTS)


@pytest.fixture
def project(tmp_path, router, monkeypatch):
    """A project whose .claude/agents holds AGENTS (and a saved router of them at SAVED), an empty
    HOME, and no stray environment."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    for agent in AGENTS:
        (agents / f"{agent.name}.md").write_text(render_agent(agent), encoding="utf-8")
    router.save(tmp_path / SAVED)
    return tmp_path


def event(prompt, cwd="/nowhere", **extra):
    return {"session_id": "abc123", "transcript_path": "/tmp/t.jsonl", "cwd": str(cwd),
            "permission_mode": "default", "hook_event_name": "UserPromptSubmit", "prompt": prompt} | extra


# --- hook_response -------------------------------------------------------------------------


def test_response_has_the_documented_shape(router):
    response = hook_response(event("this SQL query is slow, which index?"), router)
    assert list(response) == ["hookSpecificOutput"]
    output = response["hookSpecificOutput"]
    assert output["hookEventName"] == "UserPromptSubmit"
    route = router.pick("this SQL query is slow, which index?")
    assert output["additionalContext"] == hint_text("sql-expert", route.score)
    assert "`sql-expert`" in output["additionalContext"] and 'subagent_type: "sql-expert"' in output["additionalContext"]


@pytest.mark.parametrize("changes", [
    {"hook_event_name": "PreToolUse"},
    {"prompt": ""},
    {"prompt": "   "},
    {"prompt": None},
    {"prompt": "/review this SQL query"},          # a slash command, not a request
    {"prompt": "@agent-css-fixer the SQL query"},  # the user already chose
    {"prompt": "what is the weather in Lisbon"},   # no agent fits
])
def test_no_response(router, changes):
    assert hook_response(event("x") | changes, router) is None


# --- run_hook round trips ------------------------------------------------------------------


def test_round_trip_with_the_project_agents(project):
    stdin = json.dumps(event("the SQL query is slow", cwd=project))
    stdout, code = run_hook(stdin, load_router_for())
    assert code == 0
    context = json.loads(stdout)["hookSpecificOutput"]["additionalContext"]
    assert "sql-expert" in context


def test_saved_router_path_from_option_env_and_project_dir(project, tmp_path, monkeypatch):
    saved = project / SAVED
    assert saved_router_path(event("x", cwd=project)) is None  # default: the agent files, fresh
    assert saved_router_path(event("x"), str(saved)) == saved
    assert saved_router_path(event("x", cwd=project), SAVED) == saved
    monkeypatch.setenv(ENV_VAR, "elsewhere/r.agr")
    assert saved_router_path(event("x", cwd=project)) == project / "elsewhere/r.agr"
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(tmp_path / "root"))
    assert saved_router_path(event("x", cwd=project)) == tmp_path / "root/elsewhere/r.agr"
    assert saved_router_path(event("x"), environ={}) is None


def test_missing_router_note_suggests_a_build_command_with_agents(tmp_path):
    notes = []
    missing = tmp_path / "missing.agr"
    loader = load_router_for(str(missing))
    assert run_hook(json.dumps(event("slow SQL", cwd=tmp_path)), loader, on_error=notes.append) == ("", 0)
    assert len(notes) == 1 and str(missing) in notes[0]
    assert f"agentroute build --agents {tmp_path / '.claude' / 'agents'} -o {missing}" in notes[0]


def test_no_agents_anywhere_gives_no_output_and_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    notes = []
    assert run_hook(json.dumps(event("slow SQL", cwd=tmp_path)), load_router_for(), on_error=notes.append) == ("", 0)
    assert len(notes) == 1 and "no agents" in notes[0]


@pytest.mark.parametrize("stdin", ["", "not json", "[1, 2]", '{"prompt": 3}', "{" * 10])
def test_bad_input_never_fails_the_prompt(project, stdin):
    assert run_hook(stdin, load_router_for()) == ("", 0)


def test_damaged_router_file_never_fails_the_prompt(project):
    path = project / SAVED
    path.write_bytes(path.read_bytes()[:100])
    notes = []
    stdout, code = run_hook(json.dumps(event("slow SQL", cwd=project)), load_router_for(SAVED), on_error=notes.append)
    assert (stdout, code) == ("", 0)
    assert len(notes) == 1 and notes[0].startswith("agentroute hook: RouterFileError")


def test_a_failing_loader_never_fails_the_prompt():
    def explode(_event):
        raise RuntimeError("boom")

    notes = []
    assert run_hook(json.dumps(event("slow SQL")), explode, on_error=notes.append) == ("", 0)
    assert notes == ["agentroute hook: RuntimeError: boom"]


def test_a_slow_answer_is_abandoned_within_the_timeout(router):
    def slow(_event):
        time.sleep(2)
        return router

    notes = []
    start = time.perf_counter()
    assert run_hook(json.dumps(event("slow SQL")), slow, timeout=0.1, on_error=notes.append) == ("", 0)
    assert time.perf_counter() - start < 1.0
    assert "no answer within 0.1 s" in notes[0]


def test_oversized_input_is_not_parsed(router):
    huge = json.dumps(event("SQL " * 300_000))
    assert run_hook(huge, lambda _e: router) == ("", 0)


# --- the CLI handler and a real process ----------------------------------------------------


def test_cmd_hook_reads_stdin_and_writes_stdout(project, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(event("slow SQL query", cwd=project))))
    assert cmd_hook(argparse.Namespace(router=None)) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["hookSpecificOutput"]["hookEventName"] == "UserPromptSubmit"


def test_cmd_hook_exits_0_even_on_garbage(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.StringIO("garbage"))
    assert cmd_hook(argparse.Namespace(router=str(tmp_path / "r.agr"))) == 0
    assert capsys.readouterr().out == ""


SCRIPT = """
import argparse, sys
from agentroute.cli.authoring import register
parser = argparse.ArgumentParser()
register(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
sys.exit(args.handler(args))
"""


@pytest.mark.slow
def test_a_real_hook_process(project):
    stdin = json.dumps(event("please tune this slow SQL query", cwd=project))
    done = subprocess.run([sys.executable, "-c", SCRIPT, "hook", "claude-code"], input=stdin,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "sql-expert" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    broken = subprocess.run([sys.executable, "-c", SCRIPT, "hook", "claude-code", "--router", "/nonexistent.agr"],
                            input="{", capture_output=True, text=True, timeout=60, check=False)
    assert (broken.returncode, broken.stdout) == (0, "")
