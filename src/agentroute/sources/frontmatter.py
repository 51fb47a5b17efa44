"""Find the frontmatter block of an agent file and read it into fields.

Two pure steps (no IO):

* :func:`split_frontmatter` finds the block and the body, tolerating what real
  files do: a BOM, CRLF, blank lines before ``---``, a block indented as a
  whole, a block inside a `````yaml`` fence under a ``# Title``, and a closing
  line of more than three dashes. Each tolerance adds a warning, because
  Claude Code itself only reads a ``---`` block at the very start of the file.
* :func:`read_frontmatter` reads the block with PyYAML's safe loader and, when
  strict YAML fails or reads dialogue lines as fields, with the lenient
  line-based reader in :mod:`agentroute.sources.lenient`.

Duplicate keys: the LAST occurrence wins, as in PyYAML and in the JavaScript
YAML readers that keep the last value; each repeat is reported as a warning
naming both lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from agentroute.sources import lenient as _lenient
from agentroute.sources.lenient import DIALOGUE_WORDS, KNOWN_KEYS, duplicate
from agentroute.sources.safe_yaml import Refused, construct, load_node
from agentroute.errors import Diagnostic

__all__ = ["KNOWN_KEYS", "Frontmatter", "Split", "normalize_newlines", "read_frontmatter",
           "split_frontmatter"]

_DASHES = re.compile(r"-{3,}")
_FENCE_OPEN = re.compile(r"```\s*(?:ya?ml)\s*", re.IGNORECASE)
_AGENT_KEY = re.compile(r"^\s*(?:name|description)\s*:", re.MULTILINE)


@dataclass(frozen=True)
class Split:
    """A document cut into frontmatter text and body.

    ``frontmatter`` is None when the text has no frontmatter block; line
    numbers are 1-based and refer to the original text.
    """

    frontmatter: str | None
    body: str
    frontmatter_line: int = 0
    body_line: int = 1
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Frontmatter:
    """The fields of a frontmatter block, in file order.

    ``lines`` maps each key to its 1-based line in the file; ``raw`` keeps the
    scalar text as written (so ``name: yes`` can be recovered as "yes").
    ``diagnostics`` holds warnings for repairs and errors for refusals; when
    there is an error, ``fields`` is empty.
    """

    fields: Mapping[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
    raw: Mapping[str, str] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def normalize_newlines(text: str) -> str:
    """Drop a leading BOM and turn CRLF / lone CR into LF (line counts are kept)."""
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_frontmatter(text: str, *, source: str | None = None) -> Split:
    """Cut ``text`` into frontmatter and body; see the module docstring."""
    lines = normalize_newlines(text).split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return Split(None, "")
    notes: list[Diagnostic] = []
    if lines[start].strip() == "---":
        if start:
            notes.append(_warn(source, start + 1, f"{start} blank line(s) before the opening '---'",
                               "delete the blank lines so that '---' is the first line"))
        return _dashed(lines, start, source, notes)
    return _fenced(lines, start, source) or Split(None, "\n".join(lines))


def _dashed(lines: list[str], start: int, source: str | None, notes: list[Diagnostic]) -> Split:
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    # The closing line sits at the block's own indent: a more indented '---'
    # is text inside a value (a block scalar), not the end of the block.
    end = next((j for j in range(start + 1, len(lines))
                if lines[j].startswith(indent) and _DASHES.fullmatch(lines[j][len(indent):].rstrip())),
               None)
    if end is None:
        notes.append(Diagnostic(
            "error", source, "the frontmatter opened by '---' is never closed", line=start + 1,
            fix="add a line '---' after the last frontmatter field, before the prompt", code="AR100"))
        return Split(None, "\n".join(lines), diagnostics=tuple(notes))
    closing = lines[end].strip()
    if closing != "---":
        notes.append(_warn(source, end + 1, f"the closing line has {len(closing)} dashes",
                           "close the frontmatter with exactly '---'", value=closing))
    if indent:
        # An editor or a copy from a code block indented everything; the
        # block still reads the same once the shared indent is removed.
        notes.append(_warn(source, start + 1, f"the frontmatter is indented by {len(indent)} "
                           "character(s)", "remove the indentation of the frontmatter and body"))
    block = [_dedent(line, indent) for line in lines[start + 1 : end]]
    body = [_dedent(line, indent) for line in lines[end + 1 :]]
    return Split("\n".join(block), "\n".join(body), start + 2, end + 2, tuple(notes))


def _fenced(lines: list[str], start: int, source: str | None) -> Split | None:
    """Frontmatter inside a ```yaml fence, optionally under a ``# Title`` line."""
    fence = start
    if lines[start].startswith("# "):
        fence = next((i for i in range(start + 1, len(lines)) if lines[i].strip()), len(lines))
    if fence >= len(lines) or not _FENCE_OPEN.fullmatch(lines[fence].strip()):
        return None
    close = next((j for j in range(fence + 1, len(lines)) if lines[j].strip().startswith("```")), None)
    if close is None:
        return None
    first, last = fence + 1, close
    inner = [i for i in range(first, last) if lines[i].strip()]
    if inner and lines[inner[0]].strip() == "---":
        first = inner[0] + 1
        last = next((j for j in range(first, close) if _DASHES.fullmatch(lines[j].strip())), close)
    block = "\n".join(lines[first:last])
    if not _AGENT_KEY.search(block):
        return None  # a YAML example in a document, not this file's frontmatter
    note = _warn(source, fence + 1, "the frontmatter is inside a ```yaml code fence",
                 "delete the fence lines (and any '# Title' above them) so that '---' "
                 "is the first line")
    return Split(block, "\n".join(lines[close + 1 :]), first + 1, close + 2, (note,))


def _dedent(line: str, indent: str) -> str:
    return line[len(indent) :] if indent and line.startswith(indent) else line


def read_frontmatter(block: str, *, source: str | None = None, first_line: int = 1) -> Frontmatter:
    """Read a frontmatter block into fields; never raises for bad input.

    ``first_line`` is the file line of the block's first line, so messages
    name file lines. Strict YAML first; the lenient reader takes over when
    YAML fails, when the block is not a mapping, or when YAML read dialogue
    lines of a description (``user:``, ``Examples:``...) as fields.
    """
    if not block.strip():
        return Frontmatter()
    try:
        node = load_node(block)
    except Refused as exc:
        return Frontmatter(diagnostics=(Diagnostic(
            "error", source, str(exc), line=first_line + exc.line, fix=exc.fix, code="AR100"),))
    except yaml.YAMLError as exc:
        return _wrap(_lenient.read(block, source, first_line, _yaml_problem(exc, first_line)))
    if node is None:
        return Frontmatter()
    if isinstance(node, yaml.MappingNode):
        if not all(isinstance(k, yaml.ScalarNode) for k, _ in node.value):
            return _wrap(_lenient.read(block, source, first_line, "a key is not text"))
        dialogue = _spilled_dialogue(node)
        if dialogue is None:
            return _from_node(node, source, first_line)
        return _wrap(_lenient.read(block, source, first_line, f"YAML read {dialogue!r} as a field"))
    return _wrap(_lenient.read(block, source, first_line, "the block is not a mapping of fields"))


def _spilled_dialogue(node: yaml.MappingNode) -> str | None:
    """A key that is really text spilled out of a prose field before it, or None.

    Such a key is plain (a quoted ``"user": x`` is deliberate), not a known
    field, follows a field that may hold prose, and is either a dialogue word
    (``user:``) or follows a description that left an ``<example>`` open.
    """
    previous: tuple[yaml.Node, yaml.Node] | None = None
    for key_node, value_node in node.value:
        key = key_node.value
        if (previous is not None and _lenient.continues(previous[0].value)
                and not key_node.style and key not in KNOWN_KEYS):
            if key.lower() in DIALOGUE_WORDS:
                return str(key)
            prev_key, prev_value = previous[0].value, previous[1]
            if (prev_key == "description" and isinstance(prev_value, yaml.ScalarNode)
                    and _lenient.opens_example(prev_value.value)):
                return str(key)
        previous = (key_node, value_node)
    return None


def _wrap(result: _lenient.Result) -> Frontmatter:
    return Frontmatter(result.fields, result.lines, result.raw, result.diagnostics)


def _from_node(node: yaml.MappingNode, source: str | None, first_line: int) -> Frontmatter:
    fields: dict[str, Any] = {}
    lines: dict[str, int] = {}
    raw: dict[str, str] = {}
    notes: list[Diagnostic] = []
    for key_node, value_node in node.value:
        key, line = key_node.value, key_node.start_mark.line + first_line
        if key in fields:
            notes.append(duplicate(source, key, lines[key], line))
        try:
            fields[key] = construct(value_node)
        except yaml.YAMLError as exc:
            return Frontmatter(diagnostics=(Diagnostic(
                "error", source, f"YAML could not build the value: {exc}", line=line, field=key,
                fix="quote the value; frontmatter needs no YAML tags (!!...)", code="AR100"),))
        lines[key] = line
        raw.pop(key, None)  # a repeated key: only the last value's text counts
        if isinstance(value_node, yaml.ScalarNode):
            raw[key] = value_node.value
    return Frontmatter(fields, lines, raw, tuple(notes))


def _yaml_problem(exc: yaml.YAMLError, first_line: int) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    return f"{problem} at line {mark.line + first_line}" if mark is not None else str(problem)


def _warn(source: str | None, line: int, message: str, fix: str, value: str | None = None) -> Diagnostic:
    """A warning about the frontmatter block's shape (AR102: Claude Code may not see the agent)."""
    return Diagnostic("warning", source, message, line=line, value=value, fix=fix, code="AR102")
