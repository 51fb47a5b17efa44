"""Install and uninstall the ``UserPromptSubmit`` hook in a Claude Code settings file.

Claude Code reads hooks from ``~/.claude/settings.json`` (every project),
``<project>/.claude/settings.json`` (shared with the team) and
``<project>/.claude/settings.local.json`` (this machine only), in the shape::

    {"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": "...", "timeout": 10}]}]}}

(https://code.claude.com/docs/en/hooks; ``UserPromptSubmit`` takes no matcher). The command
written here names the running interpreter by absolute path (``sys.executable -m agentroute``),
because Claude Code runs hooks with its own ``PATH``: a bare ``agentroute`` installed in a venv
is not found there. Since that path belongs to this machine, ``--project`` writes the project's
``settings.local.json``, not the shared ``settings.json`` (``--settings FILE`` writes any file).

Rules: every other key and every other hook is kept as it was; an entry whose command runs
``agentroute hook claude-code`` is ours (one is replaced in place when the interpreter moved, and
installing twice changes nothing); uninstalling removes only ours; a file that is not valid JSON,
or not an object, is refused with the file, line and column, and left untouched. Files are
written aside and renamed into place.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["HOOK_ARGS", "InstallResult", "SettingsFileError", "hook_command", "install_hook", "is_our_command",
           "settings_file", "uninstall_hook", "with_hook", "without_hook"]

#: What follows the interpreter in our command; also how our entry is recognised.
HOOK_ARGS = "-m agentroute hook claude-code"
EVENT = "UserPromptSubmit"
#: Seconds Claude Code waits before killing the hook (ours gives up after 5 s anyway).
TIMEOUT = 10


class SettingsFileError(ValueError):
    """A settings file that cannot be read or updated safely (left untouched)."""


def hook_command(executable: str | None = None) -> str:
    """The hook command: the running interpreter by absolute path, then ``-m agentroute hook claude-code``."""
    return f"{shlex.quote(os.path.abspath(executable or sys.executable))} {HOOK_ARGS}"


def is_our_command(command: object) -> bool:
    """Whether a hook command runs agentroute's Claude Code hook (any interpreter, or the script)."""
    if not isinstance(command, str):
        return False
    words = command.split()
    return "hook" in words and "claude-code" in words and any(w.endswith("agentroute") for w in words)


def settings_file(scope: str, project: Path | None = None, home: Path | None = None) -> Path:
    """``project``: ``<project>/.claude/settings.local.json``; ``user``: ``<claude home>/settings.json``."""
    if scope == "project":
        return (project or Path.cwd()) / ".claude" / "settings.local.json"
    if scope == "user":
        from agentroute.integrations.claude_code_agents import claude_home

        return (home or claude_home()) / "settings.json"
    raise ValueError(f"scope must be 'project' or 'user', got {scope!r}")


def _entry(command: str) -> dict[str, Any]:
    return {"type": "command", "command": command, "timeout": TIMEOUT}


def _groups(settings: dict[str, Any], where: str) -> list[Any]:
    hooks = settings.get("hooks", {})
    if not isinstance(hooks, dict):
        raise SettingsFileError(f"{where}: \"hooks\" is a {type(hooks).__name__}, not an object; fix it by hand first")
    groups = hooks.get(EVENT, [])
    if not isinstance(groups, list):
        raise SettingsFileError(f"{where}: \"hooks.{EVENT}\" is a {type(groups).__name__}, not a list; "
                                "fix it by hand first")
    return groups


def with_hook(settings: dict[str, Any], command: str, where: str = "settings") -> dict[str, Any]:
    """A copy of ``settings`` with our hook: added once, or updated in place if the command moved."""
    updated = copy.deepcopy(settings)
    groups = _groups(updated, where)
    found = False
    for group in groups:
        handlers = group.get("hooks") if isinstance(group, dict) else None
        if not isinstance(handlers, list):
            continue
        for position, handler in enumerate(handlers):
            if isinstance(handler, dict) and is_our_command(handler.get("command")):
                if not found:
                    handlers[position] = {**handler, "type": "command", "command": command}
                    found = True
    if not found:
        groups.append({"hooks": [_entry(command)]})
    updated.setdefault("hooks", {})[EVENT] = groups
    return updated


def without_hook(settings: dict[str, Any], where: str = "settings") -> dict[str, Any]:
    """A copy of ``settings`` without our hook; everything else, including other hooks, kept."""
    updated = copy.deepcopy(settings)
    if "hooks" not in updated:
        return updated
    kept = []
    for group in _groups(updated, where):
        handlers = group.get("hooks") if isinstance(group, dict) else None
        if not isinstance(handlers, list):
            kept.append(group)
            continue
        others = [h for h in handlers if not (isinstance(h, dict) and is_our_command(h.get("command")))]
        if others:
            kept.append({**group, "hooks": others})
        elif len(others) == len(handlers):  # an empty group that was never ours: leave it
            kept.append(group)
    if kept:
        updated["hooks"][EVENT] = kept
    else:
        updated["hooks"].pop(EVENT, None)
        if not updated["hooks"]:
            del updated["hooks"]
    return updated


def _read(path: Path) -> tuple[dict[str, Any], bool]:
    """The settings in ``path`` and whether the file exists."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, False
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsFileError(f"{path}: cannot read it ({error}); nothing was changed") from None
    if not text.strip():
        return {}, True
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsFileError(f"{path}:{error.lineno}:{error.colno}: not valid JSON ({error.msg}); "
                                "nothing was changed (fix the file, then install again)") from None
    if not isinstance(data, dict):
        raise SettingsFileError(f"{path}: the settings are a JSON {type(data).__name__}, not an object; "
                                "nothing was changed")
    return data, True


def _write(path: Path, settings: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        temp.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


@dataclass(frozen=True)
class InstallResult:
    """What an install or uninstall did (or would do, with ``dry_run``)."""

    path: Path
    changed: bool
    settings: dict[str, Any]  # the file's contents afterwards

    def text(self) -> str:
        return json.dumps(self.settings, indent=2, ensure_ascii=False) + "\n"


def install_hook(path: Path, *, command: str | None = None, dry_run: bool = False) -> InstallResult:
    """Add our hook to the settings file ``path`` (created when missing); idempotent."""
    before, _ = _read(path)
    after = with_hook(before, command or hook_command(), str(path))
    changed = after != before
    if changed and not dry_run:
        _write(path, after)
    return InstallResult(path, changed, after)


def uninstall_hook(path: Path, *, dry_run: bool = False) -> InstallResult:
    """Remove our hook from ``path``; other hooks and keys are kept; a missing file is left missing."""
    before, exists = _read(path)
    after = without_hook(before, str(path))
    changed = exists and after != before
    if changed and not dry_run:
        _write(path, after)
    return InstallResult(path, changed, after)
