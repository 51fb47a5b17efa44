"""Learned examples: requests labelled with the agent that should take them, kept beside the agents.

The file is JSONL, one ``{"text": ..., "label": agent-name, ...}`` object a line:
the same rows ``agentroute eval --data`` reads, so mined delegations
(``agentroute learn claude-code``) and hand corrections (``agentroute learn add``)
share one format. Its default place is ``<project>/.claude/agentroute/learned.jsonl``
(:data:`LEARNED_RELATIVE`).

Reading never crashes and never drops good rows because of a bad one: a line that is
not JSON, has no string ``text`` or no agent label becomes a :class:`Diagnostic`
naming the file and line. When the same request (compared case- and
whitespace-insensitively) appears more than once, the LAST row wins, except that a
correction (``"source": "correction"``, what ``append_learned`` writes) is never
overridden by a mined row: re-mining into the file cannot undo what a person said.
"""

from __future__ import annotations

import datetime
import difflib
import json
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, TypeVar

from agentroute.errors import Diagnostic
from agentroute.model import Agent, Example

__all__ = ["LEARNED_RELATIVE", "LearnedExample", "LearnedFile", "UnknownAgentError", "append_learned",
           "default_learned_path", "merge_learned", "open_private", "read_learned", "resolve_label", "resolve_labels", "suggest_names"]

#: Where a project keeps its learned examples, relative to the project folder.
LEARNED_RELATIVE = Path(".claude/agentroute/learned.jsonl")

_NO_AGENT = frozenset({"", "none", "oos", "null"})  # the labels eval reads as "no agent"


@dataclass(frozen=True)
class LearnedExample:
    """One learned request: ``text`` should go to the agent named ``label``."""

    text: str
    label: str
    line: int  # 1-based line in its file, for messages
    correction: bool = False  # written by a person (``"source": "correction"``), not mined


@dataclass(frozen=True)
class LearnedFile:
    """What :func:`read_learned` found: the usable rows (last one per request) and the problems."""

    path: str
    examples: tuple[LearnedExample, ...]
    diagnostics: tuple[Diagnostic, ...]


class UnknownAgentError(ValueError):
    """A label that names no known agent; the message lists the names, close matches first."""


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def default_learned_path(agent_paths: Sequence[str | os.PathLike[str]] = (),
                         cwd: str | os.PathLike[str] | None = None) -> Path:
    """The learned file kept beside the agents.

    For the first agents path that is a ``<project>/.claude/agents`` folder (``~/.claude/agents``
    included) it is ``<project>/.claude/agentroute/learned.jsonl``; otherwise it is
    :data:`LEARNED_RELATIVE` under ``cwd`` (the current folder by default).
    """
    for given in agent_paths:
        path = Path(os.path.expanduser(os.fspath(given)))
        if path.name == "agents" and path.parent.name == ".claude":
            return path.parent.parent / LEARNED_RELATIVE
    return Path(os.getcwd() if cwd is None else cwd) / LEARNED_RELATIVE


def read_learned(path: str | os.PathLike[str]) -> LearnedFile:
    """Read a learned-examples file. A missing file is empty (nothing learned yet), not an error."""
    where = str(path)
    problems: list[Diagnostic] = []
    latest: dict[str, LearnedExample] = {}
    try:
        handle = open(path, encoding="utf-8-sig", errors="replace")
    except FileNotFoundError:
        return LearnedFile(where, (), ())
    except OSError as error:
        fix = "check the path and its permissions"
        return LearnedFile(where, (), (Diagnostic("error", where, f"cannot read learned examples: {error}", fix=fix, code="AR100"),))
    with handle:
        for number, line in enumerate(handle, 1):  # streamed: a big mined file is not held twice
            if not line.strip():
                continue
            example = _parse(line, where, number, problems)
            if example is not None:
                key = _key(example.text)
                earlier = latest.get(key)
                if earlier is not None and earlier.correction and not example.correction:
                    continue  # a person's correction outranks a mined row appended after it
                latest.pop(key, None)  # re-insert so order follows the winning row
                latest[key] = example
    return LearnedFile(where, tuple(latest.values()), tuple(problems))


def _parse(line: str, path: str, number: int, problems: list[Diagnostic]) -> LearnedExample | None:
    shape = '{"text": "the request", "label": "agent-name"}'
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        problems.append(Diagnostic("warning", path, f"not valid JSON ({error.msg}); line skipped", line=number,
                                   value=line.strip()[:80], fix=f"one JSON object per line, like {shape}", code="AR109"))
        return None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
        problems.append(Diagnostic("warning", path, "a learned row needs a non-empty string 'text'; line skipped",
                                   line=number, field="text", fix=f"write {shape}", code="AR109"))
        return None
    label = record.get("label")
    if not isinstance(label, str) or label.strip().lower() in _NO_AGENT:
        problems.append(Diagnostic("warning", path, "a learned row needs the agent's name as 'label'; line skipped",
                                   line=number, field="label", value=None if label is None else str(label),
                                   fix=f"write {shape}", code="AR109"))
        return None
    return LearnedExample(record["text"].strip(), label.strip(), number, record.get("source") == "correction")


def merge_learned(agents: Sequence[Agent], learned: LearnedFile) -> tuple[list[Agent], list[Diagnostic]]:
    """Each agent with its learned requests appended as :class:`Example` objects (``learned=True``).

    A request the agent already has as an example is not added twice. Rows naming
    no agent become warnings (with the close names); the other rows still count.
    """
    names = [a.name for a in agents]
    extra: dict[str, list[Example]] = {name: [] for name in names}
    notes = list(learned.diagnostics)
    for example in learned.examples:
        label = resolve_label(example.label, extra)
        if label is None:
            notes.append(Diagnostic(
                "warning", learned.path, f"learned label names no loaded agent; {suggest_names(example.label, names)}",
                line=example.line, field="label", value=example.label,
                fix="correct the label, or delete the line (agentroute learn add records a new one)", code="AR109"))
            continue
        extra[label].append(Example(request=example.text, learned=True))
    merged = []
    for agent in agents:
        own = {_key(e.request) for e in agent.examples}
        new = tuple(e for e in extra[agent.name] if _key(e.request) not in own)
        merged.append(replace(agent, examples=agent.examples + new) if new else agent)
    return merged, notes


def resolve_label(label: str, names: Collection[str]) -> str | None:
    """The loaded agent ``label`` means, or None.

    Claude Code calls a plugin's agent ``plugin-name:agent-name`` in transcripts, while its
    file (and so the loaded agent) is named ``agent-name``: such a label resolves to the
    short name when no agent has the full one.
    """
    if label in names:
        return label
    if ":" in label:
        short = label.rsplit(":", 1)[1]
        if short in names:
            return short
    return None


#: A dataclass with a ``label`` (str or None), e.g. a labelled request.
Labelled = TypeVar("Labelled", bound=Any)


def resolve_labels(rows: Sequence[Labelled], names: Collection[str]) -> list[Labelled]:
    """``rows`` with each label that :func:`resolve_label` resolves replaced by the agent's loaded
    name; other labels stay as they are (they can only count as misses)."""
    return [replace(r, label=resolve_label(r.label, names) or r.label) if r.label else r for r in rows]


def suggest_names(name: str, names: Iterable[str]) -> str:
    """'known agents: a, b, ...' with the names closest to ``name`` first."""
    names = list(names)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    rest = sorted(n for n in names if n not in close)
    listed = close + rest
    shown = ", ".join(listed[:20]) + (f", ... ({len(listed) - 20} more)" if len(listed) > 20 else "")
    prefix = f"did you mean {', '.join(close)}? " if close else ""
    return f"{prefix}known agents: {shown or '(none)'}"


def open_private(path: str | os.PathLike[str], mode: str = "a") -> IO[str]:
    """Open ``path`` for writing text, creating it (and its folder) readable by the user only (0600).

    The files hold a user's own prompts: they must not be world-readable even under a loose umask.
    An existing file keeps its permissions.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    descriptor = os.open(target, flags, 0o600)
    return os.fdopen(descriptor, mode, encoding="utf-8")


def append_learned(path: str | os.PathLike[str], text: str, agent: str, *, known_agents: Iterable[str]) -> dict[str, str]:
    """Append one correction ("``text`` should go to ``agent``") and return the row written.

    Refuses (:class:`UnknownAgentError`) a label that is not in ``known_agents``, listing
    the names with the closest first, and an empty request (ValueError).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the request to learn is empty; give the text the user typed")
    names = list(known_agents)
    if agent not in names:
        raise UnknownAgentError(f"no agent named {agent!r}; {suggest_names(agent, names)}")
    row = {"text": text.strip(), "label": agent, "source": "correction",
           "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    with open_private(path) as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row
