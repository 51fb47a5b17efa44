"""Requests that name their agent: ``@agent-NAME``, "use the NAME agent", "ask the NAME subagent to ...".

A person who names an agent has already routed the request; no score should
overrule them. Names are matched case-insensitively, and spaces, hyphens and
underscores count as the same separator.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Iterable, Sequence

_SEPARATORS = re.compile(r"[\s_-]+")
#: What find()'s cheap test looks for, as one pattern over a whole batch.
_CUE = re.compile(r"agent|@", re.IGNORECASE)

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

    def find_phrase(self, request: str) -> str | None:
        """The words of the first mention in ``request`` that names a known agent, or None."""
        if "agent" not in request.lower() and "@" not in request:
            return None
        for match in _MENTION.finditer(request):
            candidate = match.group("at") or match.group("bare") or match.group("named")
            if normalize_name(candidate.rstrip(".")) in self._by_key:
                return match.group(0)
        return None

    def find_many(self, requests: Sequence[str]) -> list[int | None]:
        """``find`` for each request; one scan of the joined batch picks the few worth a closer look."""
        found: list[int | None] = [None] * len(requests)
        cues = _cue_positions("".join(requests))
        if not cues:
            return found
        ends = list(accumulate(map(len, requests)))
        for row in {bisect_right(ends, at) for at in cues}:
            found[row] = self.find(requests[row])
        return found


def _cue_positions(text: str) -> list[int]:
    """Where "agent" (any case) or "@" starts in ``text``: str.find runs far faster than a regex scan."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two; positions would shift
        return [cue.start() for cue in _CUE.finditer(text)]
    positions = []
    for needle, haystack in (("agent", lowered), ("@", text)):
        at = haystack.find(needle)
        while at >= 0:
            positions.append(at)
            at = haystack.find(needle, at + 1)
    return positions
