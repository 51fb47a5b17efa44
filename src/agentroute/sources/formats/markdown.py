"""Markdown + YAML frontmatter formats close to Claude Code's: read with :func:`parse_agent`.

Each reader parses the file as a Claude Code agent, then applies what its
own tool documents differently:

* **OpenCode** (https://opencode.ai/docs/agents/): the file name is the agent
  name; ``tools`` is a mapping of tool name to true/false that only switches
  tools off, so it is kept in ``metadata["tools"]`` and ``Agent.tools`` stays
  None (all tools); ``mode``, ``temperature``, ``permission``... go to metadata.
* **GitHub Copilot custom agents** (``*.agent.md``, docs.github.com "Creating
  custom agents"): ``name`` is a display name and may hold spaces; without it
  the file name less ``.agent.md`` is used; ``tools`` is a list.
* **Gemini CLI subagents** (``.gemini/agents/*.md``, gemini-cli
  ``docs/core/subagents.md``): ``name``, ``description``, ``kind``
  (local/remote), ``tools`` list, ``model``, ``temperature``, ``max_turns``.
* **Cursor subagents** (``.cursor/agents/*.md``, cursor.com/docs/subagents):
  ``name``, ``description``, ``model``, ``readonly``, ``is_background``.

Missing names fall back to the file name silently for these formats (unlike
Claude Code, none of them requires ``name``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from agentroute.errors import Diagnostic
from agentroute.sources.frontmatter import read_frontmatter, split_frontmatter
from agentroute.sources.claude_code import ParsedAgent, parse_agent

from agentroute.sources.formats.common import stem, tag

__all__ = ["read_claude_code", "read_copilot", "read_cursor", "read_gemini", "read_opencode"]


def _fields(text: str, path: str | None) -> Mapping[str, Any]:
    """The frontmatter fields as YAML gives them (for values parse_agent reshapes)."""
    split = split_frontmatter(text, source=path)
    if split.frontmatter is None:
        return {}
    return read_frontmatter(split.frontmatter, source=path, first_line=split.frontmatter_line).fields


def _name_notes(parsed: ParsedAgent, *, whitespace: bool = False) -> list[Diagnostic]:
    """parse_agent's name warnings that do not apply to a format whose name is optional."""
    notes: list[Diagnostic] = []
    for d in parsed.diagnostics:
        if d.field != "name" or d.severity != "warning":
            continue
        if "no name" in d.message or (whitespace and "whitespace" in d.message):
            notes.append(d)
    return notes


def read_claude_code(text: str, path: str | None) -> list[ParsedAgent]:
    """A Claude Code agent file; ``metadata`` gets no ``_format`` key (the default format)."""
    return [parse_agent(text, source=path)]


def read_opencode(text: str, path: str | None) -> list[ParsedAgent]:
    parsed = parse_agent(text, source=path)
    fields = _fields(text, path)
    extra: dict[str, Any] = {}
    name = stem(path) or parsed.agent.name
    if "name" in fields and fields["name"] != name:
        extra["name"] = fields["name"]  # OpenCode ignores it; kept for the record
    tools = fields.get("tools")
    if isinstance(tools, Mapping):
        extra["tools"] = dict(tools)
    tagged = tag(parsed, "opencode", name=name, metadata=extra,
                 drop=_name_notes(parsed, whitespace=True))
    if isinstance(tools, Mapping):
        # A switch-off map, not an allowlist: unlisted tools stay on, so no allowlist.
        tagged = ParsedAgent(dataclasses.replace(tagged.agent, tools=None), tagged.diagnostics)
    return [tagged]


def read_copilot(text: str, path: str | None) -> list[ParsedAgent]:
    parsed = parse_agent(text, source=path)
    fields = _fields(text, path)
    name = None if fields.get("name") else stem(path, suffixes=(".agent",)) or None
    return [tag(parsed, "copilot", name=name, drop=_name_notes(parsed, whitespace=True))]


def read_gemini(text: str, path: str | None) -> list[ParsedAgent]:
    parsed = parse_agent(text, source=path)
    return [tag(parsed, "gemini-cli", drop=_name_notes(parsed))]


def read_cursor(text: str, path: str | None) -> list[ParsedAgent]:
    parsed = parse_agent(text, source=path)
    return [tag(parsed, "cursor", drop=_name_notes(parsed))]
