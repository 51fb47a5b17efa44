"""Mine Claude Code session transcripts for routing decisions: (user's prompt, agent delegated to).

Each line of a session file is one JSON record (``type``, ``uuid``, ``parentUuid``,
``sessionId``, ``timestamp``, ``isSidechain``, ``isMeta``, ``message.role``,
``message.content`` as a string or a list of blocks). A delegation is an assistant
``tool_use`` block named ``Task`` (``Agent`` since Claude Code 2.1.63) whose ``input``
has ``subagent_type``, ``description`` and ``prompt``. The request we learn from is
the USER's prompt that led to it, found by following ``parentUuid`` back (file order
when a parent is unknown); the model's own ``prompt`` to the subagent is kept as context.

A prompt typed while the model was busy is logged as an ``attachment`` line of type
``queued_command``; it is a prompt too. Not prompts: tool results (user lines whose content holds ``tool_result`` blocks),
``isMeta`` lines and compaction summaries, command output (``<local-command-stdout>``,
``<bash-input>``, ...), interruptions, sidechain lines. A slash command
(``<command-name>``) is a prompt of its own kind: delegations that follow it were driven
by the command's text, not the user's words, so they are counted and skipped. A
delegation whose tool result is an error (refused by the user, unknown agent type) did
not happen and is skipped too. One file is held in memory at a time (its thread links
and pending pairs); everything else streams.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BUILTIN_AGENT_TYPES", "DELEGATION_TOOLS", "MinedPair", "MiningStats", "mine_files", "mine_lines"]

#: Tool names that delegate to a subagent: ``Task``, renamed ``Agent`` in Claude Code 2.1.63.
DELEGATION_TOOLS = frozenset({"Task", "Agent"})
#: Agent types Claude Code ships itself; not the user's agents, so not learned unless asked.
BUILTIN_AGENT_TYPES = frozenset({"general-purpose", "Explore", "Plan", "Bash", "statusline-setup",
                                 "output-style-setup", "claude-code-guide"})
DEFAULT_AGENT_TYPE = "general-purpose"  # what Claude Code runs when subagent_type is left out

_REMINDER = re.compile(r"<system-reminder>.*?</system-reminder>", re.S)
_OUTPUT_TAGS = ("<local-command-stdout>", "<local-command-stderr>", "<local-command-caveat>", "<bash-input>",
                "<bash-stdout>", "<bash-stderr>", "<task-notification>", "<user-memory-input>")
_INTERRUPTED = "[Request interrupted by user"
_COMMAND = "\0command"  # a thread anchor: the last thing the user typed was a slash command


@dataclass(frozen=True)
class MinedPair:
    """One delegation: ``text`` (the user's prompt) went to the agent ``label``."""

    text: str
    label: str
    session: str
    timestamp: str | None
    context: dict[str, str]
    builtin: bool
    file: str
    line: int

    def to_row(self) -> dict[str, Any]:
        """The JSONL row written (what ``agentroute eval --data`` and learned files read)."""
        return {"text": self.text, "label": self.label, "session": self.session, "timestamp": self.timestamp,
                "context": self.context, "source": "claude-code"}


@dataclass
class MiningStats:
    """What a mining run saw and skipped, for the summary line and the JSON report."""

    files: int = 0
    subagent_files: int = 0
    bytes: int = 0
    lines: int = 0
    corrupt_lines: int = 0
    prompts: int = 0
    delegations: int = 0
    pairs: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> delegations not written
    builtin: Counter[str] = field(default_factory=Counter)  # built-in agent type -> delegations
    agents: Counter[str] = field(default_factory=Counter)  # label -> pairs written

    def to_dict(self) -> dict[str, Any]:
        return {"files": self.files, "subagent_files": self.subagent_files, "bytes": self.bytes, "lines": self.lines,
                "corrupt_lines": self.corrupt_lines, "prompts": self.prompts, "delegations": self.delegations,
                "pairs": self.pairs, "skipped": dict(self.skipped), "builtin": dict(self.builtin),
                "agents": dict(self.agents)}


def _text_of(content: object) -> tuple[str | None, bool]:
    """(the text typed, whether the content holds tool results) of a user message's content."""
    if isinstance(content, str):
        return content, False
    if not isinstance(content, list):
        return None, False
    parts = []
    for block in content:
        if isinstance(block, dict):
            if block.get("type") == "tool_result":
                return None, True
            if block.get("type") == "text" and isinstance(block.get("text"), str):
                parts.append(block["text"])
    return "\n".join(parts), False


def _classify(text: str) -> tuple[str, str]:
    """("prompt" | "command" | "other", cleaned text) for what a user line or queued prompt says."""
    text = _REMINDER.sub("", text).strip()
    if not text or text.startswith(_INTERRUPTED) or text.startswith(_OUTPUT_TAGS):
        return "other", ""
    if text.startswith(("<command-name>", "<command-message>")):
        return "command", text
    return "prompt", text


def _user_kind(record: dict[str, Any]) -> tuple[str, str]:
    """("prompt" | "command" | "other", cleaned text) for a user-role record."""
    if record.get("isMeta") or record.get("isCompactSummary") or record.get("isVisibleInTranscriptOnly"):
        return "other", ""
    message = record.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    text, tool_result = _text_of(content)
    if tool_result or text is None or "toolUseResult" in record:
        return "other", ""
    return _classify(text)


def _queued_kind(record: dict[str, Any]) -> tuple[str, str]:
    """A prompt typed while the model was busy: an ``attachment`` of type ``queued_command``."""
    attachment = record.get("attachment")
    if not isinstance(attachment, dict) or attachment.get("type") != "queued_command" or attachment.get("isMeta"):
        return "other", ""
    origin = attachment.get("origin")
    if attachment.get("commandMode", "prompt") != "prompt" or (isinstance(origin, dict) and origin.get("kind", "human") != "human"):
        return "other", ""  # a task notification or a prompt that did not come from the person
    text, _ = _text_of(attachment.get("prompt"))
    return _classify(text) if text is not None else ("other", "")


def _delegations(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    message = record.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list):
        return
    for block in content:
        if (isinstance(block, dict) and block.get("type") == "tool_use" and block.get("name") in DELEGATION_TOOLS
                and isinstance(block.get("input"), dict)):
            yield block


def _errored_results(record: dict[str, Any]) -> Iterator[str]:
    message = record.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result" and block.get("is_error") is True:
                yield str(block.get("tool_use_id"))


def _context(block: dict[str, Any]) -> dict[str, str]:
    given = block["input"]
    return {"tool": str(block.get("name")), "description": str(given.get("description") or ""),
            "prompt": str(given.get("prompt") or "")}


def mine_lines(lines: Iterator[str], *, file: str, stats: MiningStats, seen: set[str] | None = None) -> Iterator[MinedPair]:
    """The delegations in one session file's lines (every pair, built-in or not; see :func:`mine_files`).

    ``seen`` holds tool-use ids already mined: a resumed session repeats its history in a
    new file, and each delegation must count once.
    """
    seen = set() if seen is None else seen
    anchor: dict[str, str | None] = {}  # uuid -> key of the user turn it descends from (or _COMMAND)
    prompts: dict[str, tuple[str, str | None]] = {}  # key -> (text, timestamp)
    current: str | None = None  # file-order fallback when a parent is unknown
    pending: dict[str, MinedPair] = {}  # tool_use id -> pair, until its result shows whether it ran
    order: list[str] = []
    fallback_session = Path(file).stem
    for number, raw in enumerate(lines, 1):
        stats.lines += 1
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):  # a truncated last line, a disk error
            stats.corrupt_lines += 1
            continue
        if not isinstance(record, dict):
            stats.corrupt_lines += 1
            continue
        if record.get("isSidechain") is True:
            continue
        uuid = record.get("uuid")
        parent = record.get("parentUuid")
        key = anchor.get(parent, current) if isinstance(parent, str) else current
        kind = record.get("type")
        role = (record.get("message") or {}).get("role") if isinstance(record.get("message"), dict) else None
        if kind == "user" or kind == "attachment" or (kind is None and role == "user"):
            what, text = _user_kind(record) if kind != "attachment" else _queued_kind(record)
            if what == "prompt":
                stats.prompts += 1
                key = uuid if isinstance(uuid, str) else f"\0line{number}"
                prompts[key] = (text, record.get("timestamp") if isinstance(record.get("timestamp"), str) else None)
                current = key
            elif what == "command":
                key = current = _COMMAND
            else:
                for tool_id in _errored_results(record):
                    if tool_id in pending:
                        stats.skipped["errored"] += 1
                        del pending[tool_id]
        elif kind == "assistant" or (kind is None and role == "assistant"):
            for block in _delegations(record):
                stats.delegations += 1
                tool_id = str(block.get("id") or f"{file}:{number}:{len(order)}")
                if tool_id in seen:
                    stats.skipped["repeated"] += 1
                    continue
                seen.add(tool_id)
                if key is None or key not in prompts:
                    stats.skipped["after_command" if key == _COMMAND else "no_prompt"] += 1
                    continue
                label = block["input"].get("subagent_type")
                label = label.strip() if isinstance(label, str) and label.strip() else DEFAULT_AGENT_TYPE
                text, stamp = prompts[key]
                session = record.get("sessionId")
                pending[tool_id] = MinedPair(
                    text=text, label=label, session=session if isinstance(session, str) else fallback_session,
                    timestamp=stamp or (record.get("timestamp") if isinstance(record.get("timestamp"), str) else None),
                    context=_context(block), builtin=label in BUILTIN_AGENT_TYPES, file=file, line=number)
                order.append(tool_id)
        if isinstance(uuid, str):
            anchor[uuid] = key
    for tool_id in order:
        if tool_id in pending:
            yield pending[tool_id]


def mine_files(
    files: Sequence[Path],
    *,
    include_builtin: bool = False,
    stats: MiningStats | None = None,
    progress: Callable[[MiningStats], None] | None = None,
) -> Iterator[MinedPair]:
    """Stream the pairs of many session files (see :func:`mine_lines`), in file order.

    Built-in agent types are counted in ``stats.builtin`` and left out unless
    ``include_builtin``. ``progress`` is called after each file with the running stats.
    """
    stats = MiningStats() if stats is None else stats
    seen: set[str] = set()
    for path in files:
        stats.files += 1
        try:
            stats.bytes += path.stat().st_size
            handle = open(path, encoding="utf-8", errors="replace")
        except OSError:
            stats.skipped["unreadable_file"] += 1
            continue
        with handle:
            for pair in mine_lines(handle, file=str(path), stats=stats, seen=seen):
                if pair.builtin:
                    stats.builtin[pair.label] += 1
                    if not include_builtin:
                        stats.skipped["builtin"] += 1
                        continue
                stats.pairs += 1
                stats.agents[pair.label] += 1
                yield pair
        if progress is not None:
            progress(stats)
