"""CrewAI ``agents.yaml``: a mapping of agent key -> ``{role, goal, backstory, ...}``.

CrewAI's YAML configuration (docs.crewai.com, "Agents" -> "YAML
Configuration") names each agent by its key and describes it with ``role``,
``goal`` and ``backstory``; ``llm``, ``tools`` and the execution settings are
optional. Mapping onto :class:`~agentroute.model.Agent`:

* key -> ``name``;
* ``role`` and ``goal`` -> ``description`` (role first, then goal, one paragraph each);
* ``backstory`` -> ``prompt``;
* ``llm`` -> ``model``; ``tools`` (a list of names) -> ``tools``;
* every other field (``verbose``, ``allow_delegation``, ``max_iter``...) -> ``metadata``.

``{topic}``-style placeholders are kept as written. The YAML is read safely
and bounded (no aliases beyond a few, no deep nesting), as frontmatter is.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from agentroute.sources.safe_yaml import Refused, construct, load_node
from agentroute.errors import AgentFileError, Diagnostic
from agentroute.sources.claude_code import ParsedAgent

from agentroute.sources.formats.common import build, error, text_field, tool_list, warning

__all__ = ["read_crewai"]

_FIX = "add role: and goal: lines under the agent's key"


def read_crewai(text: str, path: str | None) -> list[ParsedAgent]:
    try:
        node = load_node(text)
    except Refused as exc:
        raise error(path, str(exc), line=exc.line + 1, fix=exc.fix) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise error(path, f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
                    line=mark.line + 1 if mark is not None else None,
                    fix="check the indentation and quote values that contain ': '") from None
    if not isinstance(node, yaml.MappingNode):
        raise error(path, "agents.yaml must map agent names to their settings", line=1,
                    fix="write 'researcher:' then indented 'role:', 'goal:' and 'backstory:' lines")
    agents: list[ParsedAgent] = []
    skipped: list[Diagnostic] = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        try:
            agents.append(_agent(key_node, value_node, line, path))
        except AgentFileError as exc:
            skipped += [dataclasses.replace(d, severity="warning", message=f"{d.message}; skipped")
                        for d in exc.diagnostics]
    if not agents:
        raise AgentFileError([dataclasses.replace(d, severity="error") for d in skipped] or [
            Diagnostic("error", path, "agents.yaml defines no agent", line=1,
                       fix="add an agent key with role: and goal: under it", code="AR100")])
    first = agents[0]
    # A skipped entry has no agent of its own: its warning travels with the file's first agent.
    agents[0] = ParsedAgent(first.agent, (*skipped, *first.diagnostics))
    return agents


def _agent(key_node: yaml.Node, value_node: yaml.Node, line: int, path: str | None) -> ParsedAgent:
    name = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
    if not isinstance(name, str) or not name.strip():
        raise error(path, "an agent key must be a name", line=line, fix="write 'researcher:'")
    if not isinstance(value_node, yaml.MappingNode):
        raise error(path, f"agent {name!r} must be a mapping of settings", line=line, field=name,
                    fix=f"indent 'role:', 'goal:' and 'backstory:' under '{name}:'")
    try:
        fields: dict[str, Any] = construct(value_node)
    except yaml.YAMLError as exc:
        raise error(path, f"agent {name!r}: YAML could not build the value: {exc}", line=line,
                    field=name, fix="quote the values; agents.yaml needs no YAML tags") from None
    notes: list[Diagnostic] = []
    tools = fields.get("tools")
    if tools is not None and not isinstance(tools, (list, str)):
        notes.append(warning(path, f"agent {name!r}: tools should be a list of names", line=line,
                             field="tools", value=tools, fix="write tools: [search_tool, ...]", code="AR109"))
    role, goal = text_field(fields.get("role")).strip(), text_field(fields.get("goal")).strip()
    skip = {"role", "goal", "backstory", "llm", "tools"}
    parsed = build("crewai", path, name=name.strip(), line=line,
                   description="\n\n".join(part for part in (role, goal) if part),
                   prompt=text_field(fields.get("backstory")),
                   tools=tool_list(tools) if isinstance(tools, (list, str)) else None,
                   model=text_field(fields.get("llm")) or None,
                   metadata={"role": role, "goal": goal,
                             **{k: v for k, v in fields.items() if k not in skip}},
                   description_fix=_FIX)
    return ParsedAgent(parsed.agent, (*notes, *parsed.diagnostics))
