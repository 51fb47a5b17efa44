"""Claude Code's ``--agents`` JSON: ``{"name": {"description": ..., "prompt": ..., ...}}``.

From the Claude Code subagent documentation (code.claude.com/docs/en/sub-agents,
"CLI-defined subagents"): each key is an agent name; the value takes the same
fields as file frontmatter (``description``, ``tools``, ``disallowedTools``,
``model``, ``permissionMode``, ``mcpServers``, ``hooks``, ``maxTurns``,
``skills``, ``initialPrompt``, ``memory``, ``effort``, ``background``,
``isolation``) plus ``prompt``, the system prompt a file keeps in its body.

``description`` is read like a file's description (``<example>`` blocks become
examples, literal ``\\n`` becomes a line break); ``tools`` and
``disallowedTools`` may be lists or comma strings. An entry that is not an
object is skipped with a warning; a file with no usable entry is refused.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from agentroute.errors import AgentFileError, Diagnostic
from agentroute.sources.claude_code import LONE_SURROGATE, ParsedAgent

from agentroute.sources.formats.common import build, error, key_line, text_field, tool_list

__all__ = ["read_claude_json"]

_FIX = "add \"description\": \"Use this agent when ...\""


def _valid(value: Any) -> Any:
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_valid(item) for item in value]
    return value  # objects were made valid by _valid_pairs already


def _valid_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {_valid(key): _valid(value) for key, value in pairs}


def read_claude_json(text: str, path: str | None) -> list[ParsedAgent]:
    try:
        # "\ud800" escapes would give lone surrogates, which no file can hold: U+FFFD instead.
        data = json.loads(text, object_pairs_hook=_valid_pairs)
    except json.JSONDecodeError as exc:
        raise error(path, f"invalid JSON: {exc.msg}", line=exc.lineno,
                    fix="check commas and quotes (JSON has no comments or trailing commas)") from None
    if not isinstance(data, dict) or not data:
        raise error(path, "--agents JSON must be an object mapping agent names to definitions",
                    line=1, fix='write {"my-agent": {"description": "...", "prompt": "..."}}')
    agents: list[ParsedAgent] = []
    skipped: list[Diagnostic] = []
    for name, entry in data.items():
        line = key_line(text, name, style="json")
        if not isinstance(entry, dict) or not name.strip():
            skipped.append(Diagnostic(
                "warning", path, f"entry {name!r} is not an agent definition object; skipped",
                line=line, field=name, value=json.dumps(entry)[:60],
                fix=f'write "{name}": {{"description": "...", "prompt": "..."}}', code="AR107"))
            continue
        agents.append(_agent(name.strip(), entry, line, path))
    if not agents:
        raise AgentFileError([dataclasses.replace(d, severity="error") for d in skipped])
    first = agents[0]
    # A skipped entry has no agent of its own: its warning travels with the file's first agent.
    agents[0] = ParsedAgent(first.agent, (*skipped, *first.diagnostics))
    return agents


def _agent(name: str, entry: dict[str, Any], line: int | None, path: str | None) -> ParsedAgent:
    metadata = {key: tool_list(value) if key == "disallowedTools" else value
                for key, value in entry.items()
                if key not in ("description", "prompt", "tools", "model")}
    return build("claude-code-json", path, name=name, line=line,
                 description=text_field(entry.get("description")),
                 prompt=text_field(entry.get("prompt")), tools=tool_list(entry.get("tools")),
                 model=text_field(entry.get("model")) or None, metadata=metadata,
                 description_fix=_FIX, decode_escapes=True)
