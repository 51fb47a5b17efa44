"""Agent definitions of other tools, each mapped onto :class:`~agentroute.model.Agent`.

:func:`detect_format` names the format of a file from its path and, when
given, its text; :func:`read_agents` dispatches to the reader. Every reader is
a pure function ``(text, path) -> list[ParsedAgent]`` that raises
:class:`~agentroute.errors.AgentFileError` (with a diagnostic naming path,
line, field, value and fix) when the text cannot be used. Agents of every
format but Claude Code's carry ``metadata["_format"]``; docs/formats.md
describes each mapping.

Detection, first rule that applies (folder names compare case-insensitively):

1. ``*.agent.md`` -> ``copilot``.
2. ``*.md`` under an ``agent/`` or ``agents/`` folder whose parent is
   ``.opencode`` or ``opencode`` -> ``opencode``; ``.gemini`` or ``gemini-cli``
   -> ``gemini-cli``; ``.cursor`` -> ``cursor``; ``.github`` or ``.copilot``
   -> ``copilot``; ``.claude`` -> ``claude-code``.
3. ``*.toml`` under ``.codex/agents/`` -> ``codex``.
4. ``agents.yaml`` / ``agents.yml`` -> ``crewai``.
5. Otherwise by content (only when ``text`` is given): a ``.md`` whose
   frontmatter has ``mode: primary|subagent|all`` -> ``opencode``, ``kind:
   local|remote`` -> ``gemini-cli``, ``readonly`` or ``is_background`` ->
   ``cursor``, anything else -> ``claude-code``; a ``.toml`` with
   ``developer_instructions`` or both ``name`` and ``description`` -> ``codex``;
   a ``.json`` object with at least one value that is an object with a
   ``description`` or ``prompt`` -> ``claude-code-json``.

A ``.md`` without text is taken as ``claude-code``; ``.toml`` and ``.json``
files outside those folders need their text to be recognised. A file of any
other suffix (``agent.txt``) whose text opens with frontmatter is read as a
markdown agent, by rule 5.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Union

from agentroute.errors import Diagnostic, NotAnAgentError
from agentroute.sources.frontmatter import split_frontmatter
from agentroute.sources.claude_code import ParsedAgent

from agentroute.sources.formats.common import FORMAT_KEY
from agentroute.sources.formats.claude_json import read_claude_json
from agentroute.sources.formats.codex import read_codex
from agentroute.sources.formats.crewai import read_crewai
from agentroute.sources.formats.markdown import (
    read_claude_code,
    read_copilot,
    read_cursor,
    read_gemini,
    read_opencode,
)

__all__ = ["FORMATS", "FORMAT_KEY", "ParsedAgent", "Reader", "detect_format", "is_candidate",
           "read_agents"]

PathLike = Union[str, "os.PathLike[str]"]
Reader = Callable[[str, "str | None"], "list[ParsedAgent]"]

#: Every format name, mapped to its reader.
FORMATS: dict[str, Reader] = {
    "claude-code": read_claude_code,
    "claude-code-json": read_claude_json,
    "codex": read_codex,
    "copilot": read_copilot,
    "crewai": read_crewai,
    "cursor": read_cursor,
    "gemini-cli": read_gemini,
    "opencode": read_opencode,
}

_MARKDOWN_HOMES = {".opencode": "opencode", "opencode": "opencode", ".gemini": "gemini-cli",
                   "gemini-cli": "gemini-cli", ".cursor": "cursor", ".github": "copilot",
                   ".copilot": "copilot", ".claude": "claude-code"}
_CREWAI_NAMES = ("agents.yaml", "agents.yml")
_MODE = re.compile(r"^mode[ \t]*:[ \t]*[\"']?(?:primary|subagent|all)\b", re.MULTILINE)
_KIND = re.compile(r"^kind[ \t]*:[ \t]*[\"']?(?:local|remote)\b", re.MULTILINE)
_CURSOR = re.compile(r"^(?:readonly|is_background)[ \t]*:", re.MULTILINE)
_TOML_KEY = re.compile(r"^[ \t]*(developer_instructions|name|description)[ \t]*=", re.MULTILINE)
_TOML_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)


def is_candidate(path: PathLike) -> bool:
    """Whether a file found in a folder could hold agents (``.md``, ``.toml``, ``.json``, agents.yaml)."""
    name = PurePath(os.fspath(path)).name.lower()
    return name.endswith((".md", ".toml", ".json")) or name in _CREWAI_NAMES


def _home(parts: tuple[str, ...]) -> str | None:
    """The folder above the nearest ``agent``/``agents`` folder of a file."""
    for i in range(len(parts) - 2, 0, -1):
        if parts[i] in ("agent", "agents"):
            return parts[i - 1]
    return None


def detect_format(path: PathLike, text: str | None = None) -> str | None:
    """The format name of the file at ``path`` (see the module docstring), or None."""
    pure = PurePath(os.fspath(path))
    name, parts = pure.name.lower(), tuple(p.lower() for p in pure.parts)
    home = _home(parts)
    if name.endswith(".agent.md"):
        return "copilot"
    if name.endswith(".md"):
        if home in _MARKDOWN_HOMES:
            return _MARKDOWN_HOMES[home]
        return _sniff_markdown(text) if text is not None else "claude-code"
    if name.endswith(".toml"):
        if home == ".codex":
            return "codex"
        # Top-level keys only: [project] in pyproject.toml has a name and a description too.
        table = _TOML_TABLE.search(text or "")
        keys = set(_TOML_KEY.findall((text or "")[: table.start() if table else None]))
        return "codex" if "developer_instructions" in keys or {"name", "description"} <= keys else None
    if name in _CREWAI_NAMES:
        return "crewai"
    if name.endswith(".json") and text is not None:
        return "claude-code-json" if _is_agents_json(text) else None
    if text is not None and not name.endswith((".yaml", ".yml")) and split_frontmatter(text).frontmatter:
        return _sniff_markdown(text)  # a file named directly is read whatever its suffix
    return None


def _sniff_markdown(text: str) -> str:
    block = split_frontmatter(text).frontmatter or ""
    if _MODE.search(block):
        return "opencode"
    if _KIND.search(block):
        return "gemini-cli"
    if _CURSOR.search(block):
        return "cursor"
    return "claude-code"


def _is_agents_json(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    # One well-formed entry is enough: a broken sibling is then reported, not hidden.
    return isinstance(data, dict) and any(
        isinstance(v, dict) and ("description" in v or "prompt" in v) for v in data.values())


def read_agents(path: PathLike, text: str) -> list[ParsedAgent]:
    """The agents defined by ``text`` (the content of ``path``), in file order.

    Raises :class:`~agentroute.errors.NotAnAgentError` when no format applies,
    and :class:`~agentroute.errors.AgentFileError` when the text is broken.
    """
    source = os.fspath(path)
    fmt = detect_format(Path(source), text)
    if fmt is None:
        raise NotAnAgentError(Diagnostic(
            "error", source, "not an agent definition in any known format", line=1,
            fix="see docs/formats.md: Claude Code/OpenCode/Copilot/Gemini/Cursor .md files, "
                "Codex .toml, CrewAI agents.yaml or Claude Code --agents .json", code="AR107"))
    return FORMATS[fmt](text, source)
