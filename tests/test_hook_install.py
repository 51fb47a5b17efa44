"""`agentroute hook install/uninstall`: merge, idempotence, refusal of bad files, and the whole
story in a temporary project: install, prompt, add, remove, user agents, never a `build`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentroute.cli.main import main
from agentroute.integrations.hook_install import (
    HOOK_ARGS,
    hook_command,
    install_hook,
    is_our_command,
    settings_file,
    uninstall_hook,
)

SRC = Path(__file__).resolve().parents[1] / "src"
REPO = SRC.parent

USER_SETTINGS = {
    "model": "opus",
    "permissions": {"allow": ["Bash(git status)"]},
    "hooks": {
        "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "~/bin/log-prompt.sh"}]}],
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh"}]}],
    },
    "somethingNew": {"kept": True},
}


def test_command_names_the_running_interpreter_by_absolute_path():
    command = hook_command()
    assert command.startswith(os.path.abspath(sys.executable)) and command.endswith(HOOK_ARGS)
    assert is_our_command(command) and is_our_command("agentroute hook claude-code --router x.agr")
    assert not is_our_command("~/bin/log-prompt.sh") and not is_our_command(None)


def test_install_merges_keeps_everything_and_is_idempotent(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(USER_SETTINGS, indent=4))
    first = install_hook(path, command="/venv/bin/python -m agentroute hook claude-code")
    assert first.changed
    data = json.loads(path.read_text())
    assert {k: v for k, v in data.items() if k != "hooks"} == {k: v for k, v in USER_SETTINGS.items() if k != "hooks"}
    assert data["hooks"]["PreToolUse"] == USER_SETTINGS["hooks"]["PreToolUse"]
    groups = data["hooks"]["UserPromptSubmit"]
    assert groups[0] == USER_SETTINGS["hooks"]["UserPromptSubmit"][0]
    assert groups[1] == {"hooks": [{"type": "command", "command": "/venv/bin/python -m agentroute hook claude-code",
                                    "timeout": 10}]}
    text = path.read_text()
    assert not install_hook(path, command="/venv/bin/python -m agentroute hook claude-code").changed
    assert path.read_text() == text
    moved = install_hook(path, command="/new/venv/bin/python -m agentroute hook claude-code")
    commands = [h["command"] for g in json.loads(path.read_text())["hooks"]["UserPromptSubmit"] for h in g["hooks"]]
    assert moved.changed and commands == ["~/bin/log-prompt.sh", "/new/venv/bin/python -m agentroute hook claude-code"]


def test_uninstall_removes_only_its_own_entry(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(USER_SETTINGS))
    install_hook(path, command="/venv/bin/python -m agentroute hook claude-code")
    assert uninstall_hook(path).changed
    assert json.loads(path.read_text()) == USER_SETTINGS
    assert not uninstall_hook(path).changed
    alone = tmp_path / "alone.json"
    install_hook(alone)
    uninstall_hook(alone)
    assert json.loads(alone.read_text()) == {}
    assert not uninstall_hook(tmp_path / "missing.json").changed and not (tmp_path / "missing.json").exists()


@pytest.mark.parametrize(("text", "message"), [
    ('{"hooks": {,}}', ":1:12: not valid JSON"),
    ("[1, 2]", "a JSON list, not an object"),
    ('{"hooks": []}', '"hooks" is a list'),
    ('{"hooks": {"UserPromptSubmit": {}}}', '"hooks.UserPromptSubmit" is a dict'),
])
def test_a_file_that_cannot_be_merged_safely_is_refused_and_left_untouched(tmp_path, capsys, text, message):
    path = tmp_path / "settings.json"
    path.write_text(text)
    assert main(["hook", "install", "--settings", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err and len(err.strip().splitlines()) == 1
    assert main(["hook", "uninstall", "--settings", str(path)]) == 2
    assert path.read_text() == text


def test_dry_run_prints_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"model": "opus"}))
    assert main(["hook", "install", "--settings", str(path), "--dry-run"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["model"] == "opus" and is_our_command(shown["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"])
    assert json.loads(path.read_text()) == {"model": "opus"}


def test_scopes_pick_the_right_settings_file(tmp_path, monkeypatch):
    assert settings_file("project", tmp_path) == tmp_path / ".claude" / "settings.local.json"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "config"))
    assert settings_file("user") == tmp_path / "config" / "settings.json"
    monkeypatch.chdir(tmp_path)
    assert main(["hook", "install", "--user"]) == 0 and (tmp_path / "config" / "settings.json").is_file()
    assert main(["hook", "install"]) == 0 and (tmp_path / ".claude" / "settings.local.json").is_file()


# --- the whole story, as Claude Code would run it -----------------------------------------------


def agent_file(folder: Path, name: str, description: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(f"---\nname: {name}\ndescription: {description}\n---\nYou are the {name}.\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_installed_hook_stays_fresh_without_build(tmp_path):
    project, home = tmp_path / "project", tmp_path / "home"
    agents = project / ".claude" / "agents"
    agent_file(agents, "backend-architect", "Designs backend services, REST APIs and database schemas.")
    debugger = agent_file(agents, "debugger", "Debugs crashes, exceptions and stack traces.")
    agent_file(home / ".claude" / "agents", "haiku-poet", "Writes haiku poems about nature and the seasons.")
    env = {"HOME": str(home), "PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin",  # Claude Code's own PATH
           "AGENTROUTE_CACHE_DIR": str(tmp_path / "cache"), "CLAUDE_PROJECT_DIR": str(project)}
    subprocess.run([sys.executable, "-m", "agentroute", "hook", "install", "--project"], cwd=project, env=env,
                   check=True, capture_output=True, timeout=300)
    settings = json.loads((project / ".claude" / "settings.local.json").read_text())
    command = settings["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"]

    def prompt(text: str) -> str | None:
        event = {"session_id": "s", "transcript_path": "/dev/null", "cwd": str(project),
                 "permission_mode": "default", "hook_event_name": "UserPromptSubmit", "prompt": text}
        done = subprocess.run(command, shell=True, input=json.dumps(event), capture_output=True, text=True,
                              env=env, cwd=project, timeout=300)
        assert done.returncode == 0, done.stderr
        if not done.stdout.strip():
            return None
        context = json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
        return context.split("`")[1]  # the suggested agent's name

    assert prompt("the app crashes with this stack trace and exception") == "debugger"
    agent_file(agents, "graphql-architect", "Designs GraphQL schemas, resolvers and federation.")
    assert prompt("design the GraphQL schema and resolvers for orders") == "graphql-architect"
    debugger.unlink()
    for text in ("the app crashes with this stack trace and exception", "debug this exception",
                 "crashes, exceptions and stack traces"):
        assert prompt(text) != "debugger"
    assert prompt("write a haiku poem about the autumn seasons") == "haiku-poet"
    assert not (project / ".claude" / "agentroute.agr").exists()  # no build anywhere
