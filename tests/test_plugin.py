"""The hook shipped as a Claude Code plugin: the manifest, the hooks file, and the script they run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import agentroute

REPO = Path(__file__).resolve().parents[1]
PLUGIN = REPO / "claude-plugin"


def test_manifest_hooks_file_and_marketplace_agree():
    manifest = json.loads((PLUGIN / ".claude-plugin" / "plugin.json").read_text())
    assert manifest["name"] == "agentroute" and manifest["version"] == agentroute.__version__
    hooks = json.loads((PLUGIN / "hooks" / "hooks.json").read_text())["hooks"]
    assert list(hooks) == ["UserPromptSubmit"]
    (handler,) = hooks["UserPromptSubmit"][0]["hooks"]
    assert handler["type"] == "command" and handler["command"] == '"${CLAUDE_PLUGIN_ROOT}/hooks/agentroute-hook"'
    assert os.access(PLUGIN / "hooks" / "agentroute-hook", os.X_OK)
    marketplace = json.loads((REPO / ".claude-plugin" / "marketplace.json").read_text())
    (entry,) = marketplace["plugins"]
    assert entry["name"] == manifest["name"] and (REPO / entry["source"]).resolve() == PLUGIN


def run_plugin_hook(project: Path, env: dict[str, str], prompt: str) -> subprocess.CompletedProcess[str]:
    hooks = json.loads((PLUGIN / "hooks" / "hooks.json").read_text())["hooks"]
    command = hooks["UserPromptSubmit"][0]["hooks"][0]["command"]
    event = {"session_id": "s", "transcript_path": "/dev/null", "cwd": str(project), "permission_mode": "default",
             "hook_event_name": "UserPromptSubmit", "prompt": prompt}
    return subprocess.run(command, shell=True, input=json.dumps(event), capture_output=True, text=True,
                          env=env | {"CLAUDE_PLUGIN_ROOT": str(PLUGIN)}, cwd=project, timeout=300)


@pytest.mark.skipif(sys.platform == "win32", reason="the plugin's hook script is POSIX sh")
@pytest.mark.slow
def test_plugin_hook_suggests_an_agent_and_never_fails(tmp_path):
    project = tmp_path / "project"
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "sql.md").write_text("---\nname: sql-expert\ndescription: Tunes slow SQL queries and indexes.\n---\n")
    (agents / "css.md").write_text("---\nname: css-fixer\ndescription: Fixes CSS layouts.\n---\n")
    env = {"HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"),
           "AGENTROUTE_CACHE_DIR": str(tmp_path / "cache"), "AGENTROUTE_PYTHON": sys.executable}
    done = run_plugin_hook(project, env, "this SQL query is slow, add an index")
    assert done.returncode == 0, done.stderr
    assert "`sql-expert`" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    nothing = run_plugin_hook(project, {"HOME": str(tmp_path / "home"), "PATH": str(tmp_path)}, "slow SQL")
    assert (nothing.returncode, nothing.stdout) == (0, "") and "no Python with agentroute" in nothing.stderr
