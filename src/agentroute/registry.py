"""An ordered, name-unique collection of agents.

Order is the order given (or discovery order for :meth:`Registry.from_paths`)
and is what routers use to break score ties. Names are unique: duplicates
given directly are a :class:`RegistryError`; duplicates found while loading
files keep the EARLIER path's agent and are reported as a warning naming both
paths, the way a search path works (the first ``.claude/agents`` folder wins).
A registry may be empty; :meth:`Registry.require_nonempty` is the check
routers call (it names the first loading problem, e.g. a mistyped path).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Union, overload

from agentroute.errors import AgentFileError, Diagnostic, RegistryError
from agentroute.model import Agent

__all__ = ["Registry"]

PathLike = Union[str, "os.PathLike[str]"]


def _agents(agents: object) -> tuple[Agent, ...]:
    """``agents`` as a checked tuple; a single Agent or str is a TypeError."""
    if isinstance(agents, (str, bytes, Agent)) or not isinstance(agents, Iterable):
        single = "a single " if isinstance(agents, (str, bytes, Agent)) else ""
        # A str or path is most likely a folder of agent files, which from_paths reads.
        hint = ("for a folder or file of agents, use Router.from_paths([path]) or Registry.from_paths([path])"
                if isinstance(agents, (str, bytes, os.PathLike)) else "write [agent]")
        raise TypeError(f"agents must be an iterable of Agent, not {single}{type(agents).__name__}; {hint}")
    items = tuple(agents)
    for item in items:
        if not isinstance(item, Agent):
            raise TypeError(f"agents must hold Agent objects, not {type(item).__name__}")
    return items


class Registry:
    """Agents in order, looked up by name or position."""

    __slots__ = ("_agents", "_by_name", "_diagnostics", "_shadowed")

    def __init__(self, agents: Iterable[Agent], *, diagnostics: Iterable[Diagnostic] = (),
                 shadowed: Iterable[tuple[Agent, Agent]] = ()) -> None:
        items = _agents(agents)
        by_name: dict[str, Agent] = {}
        for agent in items:
            if agent.name in by_name:
                first = by_name[agent.name].source or "<no source>"
                raise RegistryError(
                    f"duplicate agent name {agent.name!r}: given by {first} and by "
                    f"{agent.source or '<no source>'} (fix: rename one, or use "
                    "Registry.from_paths, which keeps the first)")
            by_name[agent.name] = agent
        self._agents = items
        self._by_name = by_name
        self._diagnostics = tuple(diagnostics)
        self._shadowed = tuple(shadowed)

    @classmethod
    def from_paths(cls, paths: Sequence[PathLike], *, strict: bool = False,
                   max_file_bytes: int | None = None, learned: PathLike | None = None) -> Registry:
        """Load agent files from folders and files, in order.

        A folder is walked recursively for candidate files (``.md``, ``.toml``,
        ``.json``, ``agents.yaml``), skipping hidden folders other than the
        tools' agents folders (``.claude/agents``, ``.opencode/agent``, ...;
        see docs/formats.md).

        A name defined twice keeps the earlier path's agent; the later one is
        reported as a warning naming both paths. With ``strict=True`` any
        diagnostic raises :class:`AgentFileError` listing all of them, after
        every file was read.

        ``learned`` names a learned-examples file (JSONL rows ``{"text", "label"}``,
        see docs/learning.md; a missing file is empty): each row's request is
        appended to the named agent's examples. Rows naming no loaded agent and
        unreadable lines become diagnostics; the good rows still count.
        """
        # Imported here: a router loaded from a saved file needs no YAML or file parsing,
        # and a cold start is that much shorter.
        from agentroute.sources.loading import DEFAULT_MAX_FILE_BYTES, check_paths, load_paths

        checked = check_paths(paths)  # a bare str is a TypeError before any IO
        limit = DEFAULT_MAX_FILE_BYTES if max_file_bytes is None else max_file_bytes
        loaded = load_paths(checked, max_file_bytes=limit)
        kept: dict[str, Agent] = {}
        notes = list(loaded.diagnostics)
        shadowed: list[tuple[Agent, Agent]] = []
        for agent in loaded.agents:
            first = kept.get(agent.name)
            if first is None:
                kept[agent.name] = agent
                continue
            shadowed.append((agent, first))
            notes.append(Diagnostic(
                "warning", agent.source, f"agent name {agent.name!r} is already defined by "
                f"{first.source}; this later file is ignored", field="name", value=agent.name,
                fix="rename one of the two agents (names must be unique)", code="AR110"))
        agents = list(kept.values())
        if learned is not None:
            from agentroute.sources.learned import merge_learned, read_learned

            agents, learned_notes = merge_learned(agents, read_learned(learned))
            notes.extend(learned_notes)
        if strict and notes:
            raise AgentFileError([dataclasses.replace(d, severity="error") for d in notes])
        return cls(agents, diagnostics=notes, shadowed=shadowed)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Warnings and errors met while loading (empty for a registry built directly)."""
        return self._diagnostics

    @property
    def shadowed(self) -> tuple[tuple[Agent, Agent], ...]:
        """The files that lost a name clash while loading, each with the agent that kept the name
        (``agentroute list --all`` shows them); empty for a registry built directly."""
        return self._shadowed

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def require_nonempty(self) -> Registry:
        """Return self, or raise :class:`RegistryError` when there is no agent."""
        if not self._agents:
            detail = ""
            if self._diagnostics:
                detail = (f"; {len(self._diagnostics)} problem(s) while loading, the first: "
                          f"{self._diagnostics[0]}")
            raise RegistryError(f"the registry has no agents{detail} (fix: give at least one "
                                "agent, or a folder with .md agent files)")
        return self

    def get(self, name: str, default: Agent | None = None) -> Agent | None:
        return self._by_name.get(name, default)

    def without(self, *names: str) -> Registry:
        """A copy without the named agents; an unknown name is a KeyError."""
        for name in names:
            self._lookup(name)
        drop = set(names)
        return self._derive(a for a in self._agents if a.name not in drop)

    def with_agents(self, *agents: Agent) -> Registry:
        """A copy with ``agents`` appended; a name already present is a RegistryError."""
        return self._derive((*self._agents, *_agents(agents)))

    def replace(self, agent: Agent) -> Registry:
        """A copy with the agent of the same name swapped for ``agent``, in place."""
        self._lookup(_agents([agent])[0].name)
        return self._derive(agent if a.name == agent.name else a for a in self._agents)

    def _derive(self, agents: Iterable[Agent]) -> Registry:
        return Registry(agents, diagnostics=self._diagnostics)

    def _lookup(self, name: str) -> Agent:
        try:
            return self._by_name[name]
        except KeyError:
            close = difflib.get_close_matches(str(name), self._by_name, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KeyError(f"no agent named {name!r}{hint}") from None

    def __len__(self) -> int:
        return len(self._agents)

    def __iter__(self) -> Iterator[Agent]:
        return iter(self._agents)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._by_name

    @overload
    def __getitem__(self, key: str) -> Agent: ...
    @overload
    def __getitem__(self, key: int) -> Agent: ...
    def __getitem__(self, key: str | int) -> Agent:
        if isinstance(key, str):
            return self._lookup(key)
        if isinstance(key, int) and not isinstance(key, bool):
            return self._agents[key]
        raise TypeError(f"registry keys are names (str) or positions (int), not "
                        f"{type(key).__name__}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Registry):
            return NotImplemented
        return self._agents == other._agents

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(self.names[:5]) + (", ..." if len(self) > 5 else "")
        return f"Registry({len(self)} agents: {shown})" if self else "Registry(0 agents)"
