"""Turn the text of an agent file into an :class:`Agent`, and back.

Fields follow Claude Code's subagent documentation, "Supported frontmatter
fields" (https://code.claude.com/docs/en/sub-agents, read through its mirror
https://claude-code.mintlify.app/en/sub-agents): ``name``, ``description``,
``tools``, ``disallowedTools``, ``model``, ``permissionMode``, ``maxTurns``,
``skills``, ``mcpServers``, ``hooks``, ``memory``, ``background``,
``effort``, ``isolation``, ``initialPrompt`` and ``color``.

``name``, ``description``, ``tools`` and ``model`` become Agent fields. Every
other key, known or not, goes to ``metadata`` in file order with its YAML
value, except that ``disallowedTools`` and ``skills`` are normalised like
``tools`` (a comma string or a list becomes a tuple of str).

Decisions, each reported as a warning (an error with ``strict=True``):

* no ``name``: the file stem is used (Claude Code requires a name);
* a name YAML reads as bool/number/null (``name: yes``) keeps its text "yes";
* a name with a path separator or whitespace loads as written;
* no or empty ``description``: the agent still loads;
* text that is not valid Unicode (lone surrogates, e.g. from a caller that
  decoded bytes with ``surrogateescape``) has each bad code point replaced by
  U+FFFD, so no agent field holds text that UTF-8 cannot write.

Errors (:class:`AgentFileError`): no frontmatter (:class:`NotAnAgentError`,
e.g. a body-only file), an unclosed or refused block, a name that is a list
or mapping, a missing name with no source to fall back on.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import yaml

from agentroute.sources.lenient import DIALOGUE_WORDS, KNOWN_KEYS, split_commas
from agentroute.sources.description import parse_description, render_examples
from agentroute.errors import AgentFileError, Diagnostic, NotAnAgentError
from agentroute.sources.frontmatter import Frontmatter, read_frontmatter, split_frontmatter
from agentroute.model import Agent

__all__ = ["ParsedAgent", "parse_agent", "render_agent"]

_LIST_FIELDS = ("disallowedTools", "skills")
_AGENT_FIELDS = ("name", "description", "tools", "model")
_NAME_FIX = "use lowercase letters, digits and hyphens"
_LEADING_BLANK = re.compile(r"\A(?:[ \t]*\n)+")
#: A code point UTF-8 cannot encode (a lone surrogate); agent text gets U+FFFD instead.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclasses.dataclass(frozen=True)
class ParsedAgent:
    """An agent and the warnings met while reading it."""

    agent: Agent
    diagnostics: tuple[Diagnostic, ...] = ()


class _Reader:
    """Field-by-field conversion with one place that records diagnostics."""

    def __init__(self, fm: Frontmatter, source: str | None, default_line: int) -> None:
        self.fm, self.source, self.default_line = fm, source, default_line
        self.notes: list[Diagnostic] = []

    def line(self, key: str) -> int:
        return self.fm.lines.get(key, self.default_line)

    def note(self, key: str, message: str, fix: str, value: Any = None, *, code: str,
             error: bool = False) -> None:
        shown = None if value is None else str(value)
        self.notes.append(Diagnostic("error" if error else "warning", self.source, message,
                                     line=self.line(key), field=key, value=shown, fix=fix, code=code))

    def text(self, key: str, value: Any) -> str | None:
        """A scalar as text; YAML's bool/number/null readings give their source text back."""
        if value is None or isinstance(value, str):
            return value
        raw = self.fm.raw.get(key, str(value))
        if isinstance(value, (list, dict)):
            return None
        kind = ("a boolean" if isinstance(value, bool) else "a number"
                if isinstance(value, (int, float)) else f"a {type(value).__name__}")
        self.note(key, f"YAML reads {key} {raw!r} as {kind}; used as the text {raw!r}",
                  f"quote it: {key}: \"{raw}\"", raw, code="AR111" if key == "name" else "AR101")
        return raw

    def name(self, value: Any) -> str | None:
        raw = self.fm.raw.get("name", "")
        if value is None and raw not in ("", "~"):
            self.note("name", f"YAML reads name {raw!r} as null; used as the text {raw!r}",
                      f"quote it: name: \"{raw}\"", raw, code="AR111")
            value = raw
        if isinstance(value, (list, dict)):
            self.note("name", "name must be a single line of text", f"write 'name: my-agent'; "
                      f"{_NAME_FIX}", value, code="AR111", error=True)
            return None
        name = (self.text("name", value) or "").strip()
        if not name:
            stem = PurePath(self.source).stem if self.source else ""
            if not stem:
                self.note("name", "the frontmatter has no name", "add 'name: my-agent'",
                          code="AR103", error=True)
                return None
            self.note("name", f"the frontmatter has no name; using the file name {stem!r}",
                      f"add 'name: {stem}' (Claude Code requires a name)", code="AR103")
            return stem
        if "/" in name or "\\" in name or re.search(r"\s", name):
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "my-agent"
            what = "a path separator" if re.search(r"[/\\]", name) else "whitespace"
            self.note("name", f"the name contains {what}", f"{_NAME_FIX}, e.g. 'name: {slug}'",
                      name, code="AR111")
        return name

    def description(self, value: Any) -> str:
        if isinstance(value, (list, dict)):
            self.note("description", "the description is not text; its YAML value is used as text",
                      "write it as 'description: |' followed by indented lines", value, code="AR101")
            return str(value)
        text = self.text("description", value)
        if not text or not text.strip():
            said = "is empty" if "description" in self.fm.fields else "is missing"
            self.note("description", f"the description {said}; routing has only the prompt",
                      "add 'description: Use this agent when ...'", code="AR104")
            return ""
        return text

    def tools(self, key: str, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        if isinstance(value, str):
            items = [item.strip() for item in split_commas(value)]
            if not value.strip():
                return None
        elif isinstance(value, (list, tuple)):
            items = [self.text(key, item) or "" for item in value if item is not None]
            items = [item.strip() for item in items]
        else:
            items = [self.text(key, value) or ""]
        tools = tuple(item for item in items if item)
        for tool in tools:
            if re.search(r"\s", re.sub(r"\([^)]*\)", "", tool)):
                self.note(key, f"the tool {tool!r} contains a space", "separate tools with commas: "
                          f"'{key}: Read, Grep'", tool, code="AR109")
        return tools

    def model(self, value: Any) -> str | None:
        model = self.text("model", value)
        return (model.strip() or None) if isinstance(model, str) else None


def parse_agent(text: str, *, source: str | None = None, strict: bool = False) -> ParsedAgent:
    """Parse the text of a Claude Code agent file (see the module docstring).

    Raises :class:`AgentFileError` when the text is not a usable agent, and
    with ``strict=True`` also when any warning was found.
    """
    text, unicode_notes = _valid_unicode(text, source)
    split = split_frontmatter(text, source=source)
    if split.frontmatter is None:
        if split.diagnostics:
            raise AgentFileError(split.diagnostics)
        raise NotAnAgentError(Diagnostic(
            "error", source, "no frontmatter: this is not an agent definition", line=1,
            fix="start the file with a '---' line, then 'name: ...' and 'description: ...', "
                "then '---' and the prompt", code="AR107"))
    fm = read_frontmatter(split.frontmatter, source=source, first_line=split.frontmatter_line)
    reader = _Reader(fm, source, split.frontmatter_line)
    fields = dict(fm.fields)
    name = reader.name(fields.get("name")) if fm.ok else None
    description = reader.description(fields.get("description"))
    prose, examples = parse_description(description)
    tools = reader.tools("tools", fields.get("tools"))
    model = reader.model(fields.get("model"))
    metadata = {key: reader.tools(key, value) if key in _LIST_FIELDS else value
                for key, value in fields.items() if key not in _AGENT_FIELDS}
    for key in metadata:
        known = next((k for k in KNOWN_KEYS if k.lower() == key.lower() and k != key), None)
        if known:
            reader.note(key, f"unknown key {key!r}; Claude Code reads {known!r}",
                        f"rename it to '{known}'", code="AR106")
    notes = [*unicode_notes, *split.diagnostics, *fm.diagnostics, *reader.notes]
    errors = [d for d in notes if d.severity == "error"]
    if errors or name is None:
        raise AgentFileError(errors)
    if strict and notes:
        raise AgentFileError([dataclasses.replace(d, severity="error") for d in notes])
    prompt = _LEADING_BLANK.sub("", split.body).rstrip()
    agent = Agent(name=name, description=prose, examples=examples, prompt=prompt, tools=tools,
                  model=model, source=source, metadata=metadata)
    return ParsedAgent(agent, tuple(notes))


def _valid_unicode(text: str, source: str | None) -> tuple[str, list[Diagnostic]]:
    """``text`` with lone surrogates replaced by U+FFFD, and the warning saying so."""
    if text.isascii():
        return text, []
    first = LONE_SURROGATE.search(text)
    if first is None:
        return text, []
    count = len(LONE_SURROGATE.findall(text))
    note = Diagnostic("warning", source, f"the text holds {count} code point(s) that are not valid "
                      f"Unicode (lone surrogates); each was replaced by U+FFFD",
                      line=text.count("\n", 0, first.start()) + 1,
                      fix="save the file as UTF-8 (or decode it with errors='replace')", code="AR109")
    return LONE_SURROGATE.sub("\ufffd", text), [note]


class _Dumper(yaml.SafeDumper):
    """Safe YAML with ``|`` blocks for multi-line text, as people write descriptions."""


class _QuotedKey(str):
    """A metadata key that is a dialogue word (``user``): written quoted, so that
    reading it back does not take it for a dialogue line spilled out of the
    description."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if isinstance(value, _QuotedKey) else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_QuotedKey, _represent_str)


def _plain(value: Any) -> Any:
    """Tuples (normalised tool lists) as lists, which safe YAML can write."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def render_agent(agent: Agent) -> str:
    """Write ``agent`` as a canonical Claude Code agent file.

    ``parse_agent(render_agent(a))`` gives back the same name, description,
    examples, prompt, tools, model and metadata as ``a`` when ``a`` came from
    :func:`parse_agent`. Raises TypeError for metadata YAML cannot write.
    """
    data: dict[str, Any] = {"name": agent.name}
    description = "\n\n".join(p for p in (agent.description, render_examples(agent.examples)) if p)
    if description:
        data["description"] = description
    if agent.tools is not None:
        # The comma string people write, unless a tool name holds a comma itself.
        joined = ", ".join(agent.tools)
        same = tuple(t.strip() for t in split_commas(joined) if t.strip()) == agent.tools
        data["tools"] = joined if agent.tools and same else list(agent.tools)
    if agent.model is not None:
        data["model"] = agent.model
    for key, value in agent.metadata.items():
        if key not in data:
            data[_QuotedKey(key) if str(key).lower() in DIALOGUE_WORDS else key] = _plain(value)
    try:
        header = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                           default_flow_style=False, width=1_000_000)
    except yaml.representer.RepresenterError as exc:
        raise TypeError(f"agent {agent.name!r}: metadata YAML cannot write: {exc}") from None
    text = f"---\n{header}---\n"
    return f"{text}\n{agent.prompt}\n" if agent.prompt else text
