"""The lenient reader: frontmatter as a person (and Claude Code) reads it.

Used only when strict YAML fails or misreads a block. The block is cut into
fields by line: a new field starts at a line ``key: ...`` at column 0 when

* the key is a known Claude Code field (always, even after an unclosed
  ``<example>``, so ``model:`` after a broken description is still found), or
* it is the first field, or the field before it is a one-line field such as
  ``name``, ``model`` or ``tools`` (see :func:`continues`), or
* the key starts with a lower-case letter (Claude Code keys are camelCase, so
  ``Note:`` or ``Triggers:`` are prose), is not a dialogue word (``user``,
  ``assistant``, ``context``, ``examples``, ``commentary``...) and the line is
  not inside an open ``<example>`` span.

Every other line continues the current field. Each field is then read with
strict YAML on its own; a field that still fails is repaired (taken as the
text a person sees, with its line breaks) and reported with a warning that
names the line, field and value and says how to quote it.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from agentroute.sources.safe_yaml import MAX_NODES, Refused, construct, load_node
from agentroute.errors import Diagnostic

# Claude Code subagent frontmatter fields; see parsing.py for the source.
KNOWN_KEYS = frozenset({
    "name", "description", "tools", "disallowedTools", "model", "permissionMode", "maxTurns",
    "skills", "mcpServers", "hooks", "memory", "background", "effort", "isolation",
    "initialPrompt", "color",
})
DIALOGUE_WORDS = frozenset({
    "user", "assistant", "context", "examples", "example", "commentary", "human", "request",
    "response",
})

# Fields whose value is never prose, so a dialogue line after them is a field.
_ONE_LINE_KEYS = KNOWN_KEYS - {"description", "initialPrompt"}

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?=[ \t]|$)")
_OPEN = re.compile(r"<example\b[^>]*>", re.IGNORECASE)
_CLOSE = re.compile(r"</example\s*>", re.IGNORECASE)
_BLOCK = re.compile(r"[|>][-+0-9]*")
_RESERVED = {"*": "an alias", "&": "an anchor", "!": "a tag", "@": "a reserved character",
             "`": "a reserved character", "%": "a directive"}


class Result(NamedTuple):
    fields: dict[str, Any]
    lines: dict[str, int]
    raw: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class _Field:
    key: str
    index: int  # 0-based line within the block
    first: str  # the value text on the key line
    rest: list[str] = field(default_factory=list)
    absorbed: list[str] = field(default_factory=list)  # key-like lines kept as text


def read(block: str, source: str | None, first_line: int, reason: str) -> Result:
    """Read ``block`` line by line; ``reason`` says why strict YAML was not used."""
    lines = block.split("\n")
    fields, stray = _cut(lines)
    if len(fields) > MAX_NODES:  # the same bound as strict YAML's, checked before any field is read
        return Result({}, {}, {}, (Diagnostic(
            "error", source, f"the frontmatter has more than {MAX_NODES} fields; refused",
            line=first_line + fields[MAX_NODES].index,
            fix="keep the frontmatter to a few fields; long lists and text belong in the prompt", code="AR100"),))
    notes = [Diagnostic("warning", source, "this line is not a 'key: value' field; ignored",
                        line=first_line + i, value=lines[i].strip(),
                        fix="remove the line or make it a field at column 0", code="AR101")
             for i in stray]
    if not fields:
        return Result({}, {}, {}, (Diagnostic(
            "error", source, f"no 'key: value' fields found ({reason})", line=first_line,
            fix="write the frontmatter as 'name: ...' and 'description: ...' lines "
                "between two '---' lines", code="AR100"),))
    out: dict[str, Any] = {}
    where: dict[str, int] = {}
    raw: dict[str, str] = {}
    for f in fields:
        line = first_line + f.index
        if f.key in out:
            notes.append(duplicate(source, f.key, where[f.key], line))
        try:
            value, scalar, cause = _value(lines[f.index], f)
        except Refused as exc:
            return Result({}, {}, {}, (Diagnostic("error", source, str(exc), line=line + exc.line,
                                                  field=f.key, fix=exc.fix, code="AR100"),))
        out[f.key], where[f.key] = value, line
        raw.pop(f.key, None)  # a repeated key: only the last value's text counts
        if scalar is not None:
            raw[f.key] = scalar
        if cause:
            notes.append(_repaired(source, line, f, cause))
    if not notes:
        notes.append(Diagnostic(
            "warning", source, f"YAML could not read the frontmatter ({reason}); each field "
            "was read on its own", line=first_line, fix="check the block with a YAML linter", code="AR101"))
    return Result(out, where, raw, tuple(notes))


def duplicate(source: str | None, key: str, first: int, again: int) -> Diagnostic:
    """The warning for a key written twice (the last one wins)."""
    return Diagnostic(
        "warning", source, f"duplicate key {key!r} (first at line {first}); the last one wins",
        line=again, field=key, fix=f"delete one of the two {key!r} lines", code="AR105")


def _cut(lines: list[str]) -> tuple[list[_Field], list[int]]:
    fields: list[_Field] = []
    stray: list[int] = []
    current: _Field | None = None
    open_examples = 0
    for i, line in enumerate(lines):
        match = _KEY.match(line)
        if match and _starts_field(match.group(1), current, open_examples > 0):
            current = _Field(match.group(1), i, line[match.end():].strip())
            fields.append(current)
            open_examples = 0
        elif current is None:
            if line.strip() and not line.lstrip().startswith("#"):
                stray.append(i)
            continue
        else:
            current.rest.append(line)
            if match:
                current.absorbed.append(line)
        open_examples = max(0, open_examples + _balance(line))
    return fields, stray


def _balance(text: str) -> int:
    return len(_OPEN.findall(text)) - len(_CLOSE.findall(text))


def opens_example(text: str) -> bool:
    """Whether ``text`` leaves an ``<example>`` open (more openings than closings)."""
    return _balance(text) > 0


def _starts_field(key: str, current: _Field | None, in_example: bool) -> bool:
    if key in KNOWN_KEYS or current is None or not continues(current.key):
        return True
    return not in_example and key[0].islower() and key.lower() not in DIALOGUE_WORDS


def continues(key: str) -> bool:
    """Whether the value of ``key`` may go on with dialogue lines (it may be prose)."""
    return key not in _ONE_LINE_KEYS


def _value(key_line: str, f: _Field) -> tuple[Any, str | None, str]:
    """(value, scalar text or None, repair cause or "" when YAML read it)."""
    snippet = "\n".join([key_line, *f.rest]) + "\n"  # as in the whole block
    try:
        node = load_node(snippet)
    except yaml.YAMLError:
        node = None
    if (isinstance(node, yaml.MappingNode) and len(node.value) == 1 and not f.absorbed
            and node.value[0][0].value == f.key):
        value_node = node.value[0][1]
        try:
            value = construct(value_node)
        except yaml.YAMLError:
            value = None
        else:
            scalar = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
            return value, scalar, ""
    return _repair(f)


def _repair(f: _Field) -> tuple[Any, str | None, str]:
    rest = list(f.rest)
    while rest and not rest[-1].strip():
        rest.pop()
    first = f.first
    if _BLOCK.fullmatch(first):
        text = textwrap.dedent("\n".join(rest)).strip("\n")
        if first.startswith(">"):
            text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)
        return text, text, "the lines of the block scalar are not indented consistently"
    if first.startswith("[") and first.endswith("]") and not rest:
        items = [_unquote(item.strip()) for item in split_commas(first[1:-1]) if item.strip()]
        return items, None, "the flow list [...] is not valid YAML"
    if not first and rest and all(not ln.strip() or ln.strip().startswith("- ") for ln in rest):
        items = [_unquote(ln.strip()[2:].strip()) for ln in rest if ln.strip()]
        return items, None, "the list items are not valid YAML"
    text = _unquote("\n".join([first, *textwrap.dedent("\n".join(rest)).split("\n")]).strip())
    return text, text, _cause(f, first, rest)


def _cause(f: _Field, first: str, rest: list[str]) -> str:
    if first[:1] in _RESERVED:
        return f"the value starts with {first[0]!r}, which YAML reads as {_RESERVED[first[0]]}"
    if f.absorbed:
        shown = f.absorbed[0].split(":", 1)[0]
        return f"lines such as {shown + ':'!r} at column 0 belong to the value, not new fields"
    if first.startswith(('"', "'")):
        return "the quoted value is not closed properly (an unescaped quote inside it?)"
    if ": " in first or any(": " in ln for ln in rest):
        return "the value contains an unquoted ': ', which YAML reads as a new mapping"
    if any(ln.strip() and not ln[0].isspace() for ln in rest):
        return "the value continues on lines at column 0"
    return "YAML could not read the value"


def _repaired(source: str | None, line: int, f: _Field, cause: str) -> Diagnostic:
    return Diagnostic(
        "warning", source, f"{cause}; read as the text a person sees", line=line, field=f.key,
        value=f.first or (f.rest[0].strip() if f.rest else ""),
        fix=f"quote the value ({f.key}: \"...\" with inner quotes escaped as \\\") or write "
            f"it as a block: '{f.key}: |' followed by lines indented by two spaces", code="AR101")


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        inner = text[1:-1]
        return inner.replace("''", "'") if text[0] == "'" else inner
    return text


def split_commas(text: str) -> list[str]:
    """Split at commas outside brackets and quotes: ``Bash(git:*), Read``."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts
