"""The data model: an agent definition and the example requests it carries.

Both are frozen dataclasses, so a registry can hand them out without fear of
mutation and ``dataclasses.replace`` makes edited copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Example:
    """One worked example of when an agent should be used.

    ``request`` is what the user said; the other fields are the optional
    ``Context:``, the assistant's reply and the ``<commentary>`` of a Claude
    Code ``<example>`` block. ``learned`` marks a request learned from use (a
    learned-examples file) rather than written by the agent's author: the
    blended strategy scores it through its learned part only, not as profile
    text (docs/learning.md).
    """

    request: str
    context: str = ""
    response: str = ""
    commentary: str = ""
    learned: bool = False


@dataclass(frozen=True)
class Agent:
    """A subagent definition, whatever file format it came from.

    ``name`` is the identity (not the file name). ``description`` is the
    prose of the description with the ``<example>`` blocks taken out; those
    are in ``examples``. ``prompt`` is the markdown body (the system prompt).
    ``metadata`` keeps every other frontmatter field as it was written.
    """

    name: str
    description: str = ""
    examples: tuple[Example, ...] = ()
    prompt: str = ""
    tools: tuple[str, ...] | None = None
    model: str | None = None
    source: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"Agent.name must be a str, not {type(self.name).__name__}")
        if not self.name.strip():
            raise ValueError("Agent.name must not be empty")
        if isinstance(self.examples, list):
            object.__setattr__(self, "examples", tuple(self.examples))
        for example in self.examples:
            if not isinstance(example, Example):
                raise TypeError(
                    f"Agent.examples must hold Example objects, not {type(example).__name__}"
                )
        for name in ("description", "prompt"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"Agent.{name} must be a str, not {type(getattr(self, name)).__name__}")
        if isinstance(self.tools, str):  # "Read, Bash(git add, git commit)", as frontmatter writes it
            from agentroute.sources.lenient import split_commas  # the file readers' splitter (brackets kept whole)

            object.__setattr__(self, "tools", tuple(t.strip() for t in split_commas(self.tools) if t.strip()))
        elif self.tools is not None and not isinstance(self.tools, tuple):
            object.__setattr__(self, "tools", tuple(self.tools))

    def __repr__(self) -> str:
        # Short on purpose: print(route) must not dump a system prompt of thousands of words.
        summary = " ".join(self.description.split())
        if len(summary) > 60:
            summary = summary[:57] + "..."
        parts = [f"name={self.name!r}", f"description={summary!r}"]
        if self.examples:
            parts.append(f"examples={len(self.examples)}")
        if self.prompt:
            parts.append(f"prompt=<{len(self.prompt)} chars>")
        if self.source is not None:
            parts.append(f"source={self.source!r}")
        return f"Agent({', '.join(parts)})"
