"""The ``agentroute`` command: a thin layer over the library. Only this module prints.

Exit codes: 0 success, 1 a check found problems (``lint --fail-on``), 2 usage
or input errors (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from agentroute._version import __version__
from agentroute.errors import AgentrouteError

#: Where agents are looked for when ``--agents`` is not given, in order.
DEFAULT_AGENT_DIRS = ("./.claude/agents", "~/.claude/agents")


class UsageError(Exception):
    """A problem with the command line or its inputs: one line on stderr, exit 2."""


def _resolve_agent_paths(paths: Sequence[str] | None) -> tuple[list[str], bool]:
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

    paths, builtin = _resolve_agent_paths(getattr(args, "agents", None))
    if builtin:
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
    from agentroute.router import Router

    if getattr(args, "router", None):
        return Router.load(args.router)
    return Router(load_registry(args), **router_options(args))


def router_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if getattr(args, "threshold", None) is not None:
        options["threshold"] = args.threshold
    return options


def _route_json(route: Any) -> dict[str, Any]:
    return {"agent": route.agent.name, "score": round(route.score, 6), "reason": route.reason}


def cmd_pick(args: argparse.Namespace) -> int:
    router = load_router(args)
    route = router.pick(args.request)
    ranking = router.rank(args.request, k=args.k)
    if args.json:
        print(json.dumps({
            "agent": route.agent.name if route else None,
            "score": round(route.score, 6) if route else None,
            "reason": route.reason if route else None,
            "ranking": [{"agent": r.agent.name, "score": round(r.score, 6)} for r in ranking],
        }))
        return 0
    if route is None:
        print("none (no agent fits this request)")
    else:
        print(f"{route.agent.name}\t{route.score:.3f}" + ("\t(named in the request)" if route.reason == "mention" else ""))
    if args.k > 1:
        for position, r in enumerate(ranking, 1):
            print(f"  {position}. {r.agent.name}\t{r.score:.3f}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    registry = load_registry(args)
    rows = [
        {
            "name": a.name,
            "description": a.description,
            "examples": len(a.examples),
            "tools": list(a.tools) if a.tools is not None else None,
            "model": a.model,
            "source": a.source,
            "format": a.metadata.get("_format", "claude-code") if isinstance(a.metadata, dict) else "claude-code",
        }
        for a in registry
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        summary = " ".join(r["description"].split())
        summary = summary if len(summary) <= 70 else summary[:67] + "..."
        print(f"{r['name']:<{width}}  {summary}  [{r['source']}]")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from agentroute.router import Router

    router = Router(load_registry(args), **router_options(args))
    router.save(args.output)
    print(f"saved a router over {len(router.agents)} agents to {args.output}", file=sys.stderr)
    return 0


def _add_agents_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agents", action="append", metavar="PATH",
                        help="agent folder (recursive *.md) or file; repeat for several; "
                             "default: ./.claude/agents, ~/.claude/agents, else the built-in examples")
    parser.add_argument("--strict", action="store_true", help="treat every loading warning as an error")
    parser.add_argument("--quiet", action="store_true", help="do not print loading warnings")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentroute", description="Route requests to subagents, offline and deterministically.")
    parser.add_argument("--version", action="version", version=f"agentroute {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    pick = commands.add_parser("pick", help="pick the agent for a request (or none)")
    pick.add_argument("request", help="the user's request")
    _add_agents_option(pick)
    pick.add_argument("--router", metavar="FILE", help="a saved router (from `agentroute build`) instead of --agents")
    pick.add_argument("-k", type=int, default=1, help="also show the top K agents (default 1)")
    pick.add_argument("--threshold", type=float, help="abstain below this score")
    pick.add_argument("--json", action="store_true", help="print one JSON object")
    pick.set_defaults(handler=cmd_pick)

    listing = commands.add_parser("list", help="list the agents that load, and where each came from")
    _add_agents_option(listing)
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=cmd_list)

    build = commands.add_parser("build", help="fit a router and save it to a file")
    _add_agents_option(build)
    build.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the router")
    build.add_argument("--threshold", type=float, help="abstain below this score")
    build.set_defaults(handler=cmd_build)
    return parser



def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("agentroute: error: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except (UsageError, AgentrouteError, ValueError, OSError) as error:
        message = " ".join(str(error).split())
        print(f"agentroute: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `agentroute list | head`: the reader left; not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
