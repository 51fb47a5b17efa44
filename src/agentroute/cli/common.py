"""What every ``agentroute`` command shares: finding and loading agents or a saved router,
the ``--agents`` options, progress lines, and :class:`UsageError` (one line on stderr, exit 2)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_AGENT_DIRS", "UsageError", "add_agents_option", "load_registry", "load_router",
           "progress", "resolve_agent_paths", "router_options"]

#: Where agents are looked for when ``--agents`` is not given, in order.
DEFAULT_AGENT_DIRS = ("./.claude/agents", "~/.claude/agents")


class UsageError(Exception):
    """A problem with the command line or its inputs: one line on stderr, exit 2."""


def resolve_agent_paths(paths: Sequence[str] | None) -> tuple[list[str], bool]:
    """The agent paths to load and whether they are the built-in examples."""
    if paths:
        return list(paths), False
    for candidate in DEFAULT_AGENT_DIRS:
        if Path(os.path.expanduser(candidate)).is_dir():
            return [candidate], False
    from agentroute.builtin import builtin_agents_dir

    return [str(builtin_agents_dir())], True


def load_registry(args: argparse.Namespace) -> Any:
    from agentroute.registry import Registry

    paths, builtin = resolve_agent_paths(getattr(args, "agents", None))
    if builtin and not getattr(args, "quiet", False):
        print("agentroute: no ./.claude/agents or ~/.claude/agents found; using the built-in example agents", file=sys.stderr)
    for path in paths:
        if not Path(os.path.expanduser(path)).exists():
            raise UsageError(f"agents path not found: {path}")
    registry = Registry.from_paths(paths, strict=getattr(args, "strict", False))
    for diagnostic in registry.diagnostics:
        if not getattr(args, "quiet", False):
            print(f"agentroute: {diagnostic}", file=sys.stderr)
    if len(registry) == 0:
        raise UsageError(f"no agent definitions found in {', '.join(paths)}")
    return registry


def load_router(args: argparse.Namespace) -> Any:
    from agentroute.routing.router import Router

    if getattr(args, "router", None):
        if getattr(args, "agents", None):
            raise UsageError("give --router FILE or --agents PATH, not both (a saved router holds its agents)")
        return Router.load(args.router, threshold=getattr(args, "threshold", None))
    return Router(load_registry(args), **router_options(args))


def router_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if getattr(args, "threshold", None) is not None:
        options["threshold"] = args.threshold
    return options


def add_agents_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agents", action="append", metavar="PATH",
                        help="agent folder (walked recursively; see docs/formats.md) or file; repeat for several; "
                             "default: ./.claude/agents, ~/.claude/agents, else the built-in examples")
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
