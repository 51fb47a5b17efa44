"""Requests that name their agent: ``@agent-NAME``, "use the NAME agent", "ask the NAME subagent to ...".

A person who names an agent has already routed the request; no score should
overrule them. Names are matched case-insensitively, and spaces, hyphens and
underscores count as the same separator.
"""

from __future__ import annotations

import re
from typing import Iterable

_SEPARATORS = re.compile(r"[\s_-]+")

_MENTION = re.compile(
    r"""
    @agent-(?P<at>[\w.-]+)
    | @(?P<bare>[\w.-]+)
    | \b(?:use|using|ask|asking|have|let|get|call|invoke|run|launch|delegate\ to|hand\ (?:it|this)\ to|send\ (?:it|this)\ to)
      \s+(?:the\s+|your\s+|my\s+|our\s+)?(?P<named>[\w][\w.\s-]{0,60}?)\s+(?:sub-?)?agent\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def normalize_name(name: str) -> str:
    return _SEPARATORS.sub("-", name.strip().lower())


class MentionFinder:
    """Finds the first registry agent that a request names explicitly."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[str, int] = {}
        for position, name in enumerate(names):
            self._by_key.setdefault(normalize_name(name), position)

    def find(self, request: str) -> int | None:
        """Position of the agent the request names, or None."""
        if "agent" not in request.lower() and "@" not in request:
            return None  # the cheap test keeps ordinary requests off the regex
        for match in _MENTION.finditer(request):
            candidate = match.group("at") or match.group("bare") or match.group("named")
            position = self._by_key.get(normalize_name(candidate.rstrip(".")))
            if position is not None:
                return position
        return None
