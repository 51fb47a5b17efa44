"""What every ``agentroute`` command shares: finding and loading agents or a saved router,
the ``--agents`` options, progress lines, and :class:`UsageError` (one line on stderr, exit 2)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["UsageError", "add_agents_option", "agent_sources", "default_learned", "load_layered_registry", "load_registry",
           "load_router", "progress", "read_request", "resolve_agent_paths", "router_options"]

class UsageError(Exception):
    """A problem with the command line or its inputs: one line on stderr, exit 2."""


def agent_sources(paths: Sequence[str] | None, project: Path | None = None) -> tuple[list[Any], bool, list[str]]:
    """Where to read agents: ``(sources, builtin, notes)``.

    ``--agents`` paths, in the order given; else Claude Code's own order (the project's
    ``.claude/agents``, then ``~/.claude/agents``, then enabled plugins' agents); else the
    built-in example agents (``builtin`` True). ``notes`` are problems met reading plugin lists.
    """
    from agentroute.integrations.claude_code_agents import AgentSource, claude_code_sources

    if paths:
        return [AgentSource("path", Path(os.path.expanduser(p)), p) for p in paths], False, []
    notes: list[str] = []
    sources = claude_code_sources(Path.cwd() if project is None else project, notes=notes)
    if sources:
        return list(sources), False, notes
    from agentroute.builtin import builtin_agents_dir

    return [AgentSource("builtin", builtin_agents_dir(), "built-in examples")], True, notes


def resolve_agent_paths(paths: Sequence[str] | None) -> tuple[list[str], bool]:
    """The agent paths to load, highest precedence first, and whether they are the built-in examples."""
    sources, builtin, _ = agent_sources(paths)
    return [str(s.path) for s in sources], builtin


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"agentroute: {message}", file=sys.stderr)


def _checked_sources(args: argparse.Namespace) -> tuple[list[Any], bool]:
    given = getattr(args, "agents", None)
    sources, builtin, notes = agent_sources(given)
    for note in notes:
        _say(args, note)
    if builtin:
        _say(args, "no ./.claude/agents, ~/.claude/agents or plugin agents found; using the built-in example agents")
    for source in sources:
        if not source.path.exists():
            raise UsageError(f"agents path not found: {source.label} (fix: check the path; '~' is expanded, "
                             "globs are not, and --agents takes a folder or a file)")
    return sources, builtin


def default_learned(args: argparse.Namespace) -> Path | None:
    """The learned-examples file that goes with the agents of ``args``, when it exists: the
    project's (``./.claude/agentroute/learned.jsonl``) for the default agents, the one beside a
    ``<project>/.claude/agents`` folder given with ``--agents``; None for other ``--agents``."""
    from agentroute.sources.learned import LEARNED_RELATIVE, default_learned_path

    given = getattr(args, "agents", None)
    if not given:
        path = Path.cwd() / LEARNED_RELATIVE
    elif any(Path(os.path.expanduser(p)).name == "agents" and Path(os.path.expanduser(p)).parent.name == ".claude"
             for p in given):
        path = default_learned_path(given)
    else:
        return None
    return path if path.is_file() else None


def load_layered_registry(args: argparse.Namespace, *, allow_empty: bool = False, learned: bool = True) -> Any:
    """The agents of ``args`` merged by precedence (:class:`Layered`: registry, origins, shadowed),
    with their learned examples unless ``learned`` is False (evaluation measures the agent files)."""
    from agentroute.integrations.claude_code_agents import load_layered

    sources, _ = _checked_sources(args)
    layered = load_layered(sources, strict=getattr(args, "strict", False),
                           learned=default_learned(args) if learned else None)
    for diagnostic in layered.registry.diagnostics:
        _say(args, str(diagnostic))
    if len(layered.registry) == 0 and not allow_empty:
        raise UsageError(f"no agent definitions found in {', '.join(s.label for s in sources)}")
    return layered


def load_registry(args: argparse.Namespace, *, learned: bool = True) -> Any:
    return load_layered_registry(args, learned=learned).registry


def load_router(args: argparse.Namespace) -> Any:
    """``--router FILE``, else a router over the current agent files, from the cache when current."""
    from agentroute.routing.router import Router

    if getattr(args, "router", None):
        if getattr(args, "agents", None):
            raise UsageError("give --router FILE or --agents PATH, not both (a saved router holds its agents)")
        return Router.load(args.router, threshold=getattr(args, "threshold", None))
    if getattr(args, "strict", False):  # strict refuses any warning: load and check every file
        return Router(load_registry(args), **router_options(args))
    from agentroute.integrations.claude_code_agents import load_layered
    from agentroute.integrations.fresh import fresh_router

    sources, _ = _checked_sources(args)
    learned = default_learned(args)

    def build() -> tuple[Any, Sequence[Any]]:
        registry = load_layered(sources, learned=learned).registry
        if len(registry) == 0:
            raise UsageError(f"no agent definitions found in {', '.join(s.label for s in sources)}"
                             + (f" (first problem: {registry.diagnostics[0]})" if registry.diagnostics else ""))
        return Router(registry), registry.diagnostics

    result = fresh_router([s.path for s in sources], build, threshold=getattr(args, "threshold", None),
                          learned=learned)
    for diagnostic in result.diagnostics:
        _say(args, diagnostic)
    if result.note:
        _say(args, result.note)
    return result.router


def read_request(text: str) -> str:
    """The request argument; ``-`` reads it from stdin (no argument-length limit). A blank request is
    answered like any other (no agent fits; a ranking scores every agent 0), with a warning: it is
    most often an empty shell variable or stdin."""
    if text == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if not text.strip():
        print("agentroute: warning: the request is empty, so no agent can fit it (fix: pass the request's text, "
              "or - to read it from stdin)", file=sys.stderr)
    return text


def router_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if getattr(args, "threshold", None) is not None:
        options["threshold"] = args.threshold
    return options


def add_agents_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agents", action="append", metavar="PATH",
                        help="agent folder (walked recursively; see docs/formats.md) or file; repeat for several; "
                             "default: ./.claude/agents, then ~/.claude/agents, then enabled plugins' agents "
                             "(an earlier one wins a name clash), else the built-in examples")
    parser.add_argument("--strict", action="store_true", help="treat every loading warning as an error")
    parser.add_argument("--quiet", action="store_true", help="do not print loading warnings")


def progress(label: str) -> Any:
    """A stderr progress line for long runs (only when stderr is a terminal)."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\ragentroute: {label} {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report
