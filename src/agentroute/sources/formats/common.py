"""Pieces every format reader shares: diagnostics, JSON-safe metadata, tool lists, key lines.

Readers are pure (text in, agents out), so nothing here does IO.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from agentroute.sources.lenient import split_commas
from agentroute.sources.description import parse_description, split_examples
from agentroute.errors import AgentFileError, Diagnostic
from agentroute.model import Agent
from agentroute.sources.claude_code import ParsedAgent

#: The metadata key naming the format an agent was read from (absent for Claude Code files).
FORMAT_KEY = "_format"


def warning(path: str | None, message: str, *, code: str, line: int | None = None, field: str | None = None,
            value: Any = None, fix: str | None = None) -> Diagnostic:
    shown = None if value is None else str(value)
    return Diagnostic("warning", path, message, line=line, field=field, value=shown, fix=fix, code=code)


def error(path: str | None, message: str, *, line: int | None = None, field: str | None = None,
          value: Any = None, fix: str | None = None) -> AgentFileError:
    shown = None if value is None else str(value)
    return AgentFileError(Diagnostic("error", path, message, line=line, field=field, value=shown,
                                     fix=fix, code="AR100"))


def json_safe(value: Any) -> Any:
    """``value`` with dates and times as ISO text and tuples as lists.

    YAML and TOML read ``2024-05-01`` as a date; a saved router keeps metadata
    as JSON, which has no date type and gives text back, so readers hand out
    the text at once and an agent is the same before and after a save.
    """
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def tool_list(value: Any) -> tuple[str, ...] | None:
    """A tool allowlist from a list or a comma string; None when absent or empty text."""
    if value is None:
        return None
    if isinstance(value, str):
        items = split_commas(value) if value.strip() else []
        return tuple(item.strip() for item in items if item.strip()) if items else None
    if isinstance(value, (list, tuple)):
        return tuple(str(item).strip() for item in value if item is not None and str(item).strip())
    return (str(value),)


def text_field(value: Any) -> str:
    """A prose field as text: None is empty, numbers and booleans keep their text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def key_line(text: str, key: str, *, style: str, after: int = 1) -> int | None:
    """The 1-based line where ``key`` is first assigned at or after line ``after``.

    ``style`` is ``"toml"`` (``key = ...``), ``"json"`` (``"key": ...``) or
    ``"yaml"`` (``key: ...``). The parsers used here keep no positions, and a
    message naming the line is worth this approximation.
    """
    escaped = re.escape(key)
    pattern = {
        "toml": rf"^[ \t]*[\"']?{escaped}[\"']?[ \t]*=",
        "json": rf"\"{escaped}\"[ \t\r\n]*:",
        "yaml": rf"^[ \t]*[\"']?{escaped}[\"']?[ \t]*:",
    }[style]
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: max(0, after - 1)])
    match = re.compile(pattern, re.MULTILINE).search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else None


def stem(path: str | None, *, suffixes: Sequence[str] = ()) -> str:
    """The file name without its suffix (and any of ``suffixes``, e.g. ``.agent``)."""
    if not path:
        return ""
    name = PurePath(path).stem
    for suffix in suffixes:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def tag(parsed: ParsedAgent, fmt: str, *, name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        drop: Sequence[Diagnostic] = ()) -> ParsedAgent:
    """``parsed`` with ``metadata[_format] = fmt`` (first), optional name and metadata changes."""
    agent = parsed.agent
    merged = {FORMAT_KEY: fmt, **json_safe(dict(agent.metadata)), **json_safe(dict(metadata or {}))}
    changes: dict[str, Any] = {"metadata": merged}
    if name is not None:
        changes["name"] = name
    kept = tuple(d for d in parsed.diagnostics if d not in drop)
    return ParsedAgent(dataclasses.replace(agent, **changes), kept)


def build(fmt: str, path: str | None, *, name: str, line: int | None, description: str,
          prompt: str, tools: tuple[str, ...] | None, model: str | None,
          metadata: Mapping[str, Any], description_fix: str,
          decode_escapes: bool = False) -> ParsedAgent:
    """An agent of a structured format (TOML, JSON, YAML mapping), with its warnings.

    ``<example>`` blocks in the description become examples, as in Claude Code
    files; ``decode_escapes`` also turns literal ``\\n`` into line breaks, for
    formats that carry Claude Code descriptions verbatim.
    """
    prose, examples = parse_description(description) if decode_escapes else split_examples(description)
    notes: list[Diagnostic] = []
    if not prose.strip() and not examples:
        notes.append(warning(path, f"agent {name!r} has no description; routing has only the prompt",
                             line=line, field="description", fix=description_fix, code="AR104"))
    if re.search(r"[/\\]", name):
        notes.append(warning(path, f"the agent name {name!r} contains a path separator",
                             line=line, field="name", value=name,
                             fix="use lowercase letters, digits, hyphens and underscores", code="AR111"))
    agent = Agent(name=name, description=prose, examples=examples, prompt=prompt.strip(),
                  tools=tools, model=(model or "").strip() or None, source=path,
                  metadata={FORMAT_KEY: fmt, **json_safe(dict(metadata))})
    return ParsedAgent(agent, tuple(notes))
