"""The ``agentroute`` command: a thin layer over the library. Only the cli*.py modules print.

Exit codes: 0 success, 1 a check found problems (``lint --fail-on``), 2 usage
or input errors (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Sequence

from agentroute._version import __version__
from agentroute.cli.common import (
    UsageError,
    add_agents_option,
    load_layered_registry,
    load_registry,
    load_router,
    read_request,
    router_options,
)
from agentroute.errors import AgentrouteError


def cmd_pick(args: argparse.Namespace) -> int:
    router = load_router(args)
    request = read_request(args.request)
    decision = router.decide(request)  # what pick answers, and why it abstained: one scoring
    route, reason = decision.route, decision.reason
    ranking = router.rank(request, k=args.k)
    if args.json:
        print(json.dumps({
            "agent": route.agent.name if route else None,
            "score": round(route.score, 6) if route else None,
            "reason": route.reason if route else reason,
            "ranking": [{"agent": r.agent.name, "score": round(r.score, 6)} for r in ranking],
        }))
        return 0
    if route is None:
        from agentroute.routing.rule import REASON_WORDS

        print(f"none (no agent fits this request: {REASON_WORDS[reason]})")
    else:
        print(f"{route.agent.name}\t{route.score:.3f}" + ("\t(named in the request)" if route.reason == "mention" else ""))
    if args.k > 1:
        for position, r in enumerate(ranking, 1):
            print(f"  {position}. {r.agent.name}\t{r.score:.3f}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    router = load_router(args)
    explanation = router.explain(read_request(args.request), k=args.k)
    if args.json:
        print(json.dumps({
            "request": explanation.request,
            "strategy": explanation.strategy,
            "strategy_reason": explanation.strategy_reason,
            "agent": explanation.picked.agent.name if explanation.picked else None,
            "verdict": explanation.verdict,
            "known_terms": list(explanation.known_terms),
            "ranking": [
                {"agent": a.route.agent.name, "score": round(a.route.score, 6), "fields": a.fields,
                 "terms": [{"term": t.term, "contribution": t.contribution, "fields": t.fields} for t in a.terms]}
                for a in explanation.agents
            ],
        }))
        return 0
    print(f"verdict: {explanation.verdict}")
    print(f"strategy: {explanation.strategy} ({explanation.strategy_reason})")
    print(f"known terms: {', '.join(explanation.known_terms) or '(none)'}")
    for position, agent in enumerate(explanation.agents, 1):
        print(f"\n{position}. {agent.route.agent.name}  score {agent.route.score:.4f}")
        if agent.fields:
            shares = ", ".join(f"{name} {value:.4f}" for name, value in agent.fields.items() if value)
            print(f"   by field: {shares or '(nothing matched)'}")
        for term in agent.terms:
            where = ", ".join(f"{n} {v:.4f}" for n, v in term.fields.items())
            print(f"   {term.term:<20} {term.contribution:.4f}" + (f"   ({where})" if where else ""))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    layered = load_layered_registry(args)

    def row(agent: Any, source: Any) -> dict[str, Any]:
        return {
            "name": agent.name,
            "description": agent.description,
            "examples": len(agent.examples),
            "tools": list(agent.tools) if agent.tools is not None else None,
            "model": agent.model,
            "source": agent.source,
            "scope": source.scope,
            "origin": source.label,
            "format": agent.metadata.get("_format", "claude-code") if isinstance(agent.metadata, dict) else "claude-code",
        }

    rows = [row(a, layered.origins[a.name]) for a in layered.registry]
    # What Router(agents) would fit, planned without fitting (cheap): the same on every row, and
    # each agent's learned share λ (how much of its score its examples would carry).
    from agentroute.routing.evidence import evidence_weights
    from agentroute.routing.plan import plan_fit

    agents = list(layered.registry)
    plan = plan_fit(agents, "auto") if agents else None
    strategy = plan.strategy if plan is not None else None
    shares = (evidence_weights(agents) if strategy == "blended"
              else [1.0 if strategy == "linear" else 0.0] * len(agents))  # linear: the examples alone score
    for r, share in zip(rows, shares):
        r.update(strategy=strategy, learned_share=round(float(share), 4))
    shadowed = [row(agent, source) | {"shadowed_by": winner.label, "shadowed_by_source": layered.registry[agent.name].source}
                for agent, source, winner in layered.shadowed]
    if args.json:
        print(json.dumps(rows if not args.all else rows + shadowed))
        return 0
    width = max(len(r["name"]) for r in rows + shadowed)
    for r in rows:
        summary = " ".join(r["description"].split())
        summary = summary if len(summary) <= 70 else summary[:67] + "..."
        print(f"{r['name']:<{width}}  {summary}  [{r['origin']}: {r['source']}]")
    for r in shadowed:
        # Beaten by a file of the same source (a clash within one folder): name that file.
        by = r["shadowed_by_source"] if r["shadowed_by"] == r["origin"] else f"the {r['shadowed_by']} copy"
        print(f"{r['name']:<{width}}  (shadowed by {by})  [{r['origin']}: {r['source']}]")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from agentroute.routing.router import Router

    router = Router(load_registry(args), **router_options(args))
    router.save(args.output)
    print(f"saved a router over {len(router.agents)} agents to {args.output}", file=sys.stderr)
    return 0


def _add_request_command(commands: Any, name: str, help_text: str, handler: Any, *, k: int, k_help: str) -> None:
    """A command that routes one request: ``pick`` and ``explain`` take the same options."""
    command = commands.add_parser(name, help=help_text)
    command.add_argument("request", help="the user's request; - reads it from stdin")
    add_agents_option(command)
    command.add_argument("--router", metavar="FILE", help="a saved router (from `agentroute build`) instead of --agents")
    command.add_argument("-k", type=int, default=k, help=k_help)
    command.add_argument("--threshold", type=float, help="abstain below this score")
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(handler=handler)


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrors(prog="agentroute", description="Route requests to subagents, offline and deterministically.")
    parser.add_argument("--version", action="version", version=f"agentroute {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    _add_request_command(commands, "pick", "pick the agent for a request (or none)", cmd_pick,
                         k=1, k_help="also show the top K agents (default 1)")
    _add_request_command(commands, "explain", "show the terms and fields behind the top agents' scores", cmd_explain,
                         k=3, k_help="explain the top K agents (default 3)")

    listing = commands.add_parser("list", help="list the agents that load, and where each came from")
    add_agents_option(listing)
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.add_argument("--all", action="store_true",
                         help="with --json, also list the copies that lost a name clash (with shadowed_by and "
                              "shadowed_by_source), within one folder or between sources")
    listing.set_defaults(handler=cmd_list)

    build = commands.add_parser("build", help="fit a router and save it to a file")
    add_agents_option(build)
    build.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the router")
    build.add_argument("--threshold", type=float, help="abstain below this score")
    build.set_defaults(handler=cmd_build)

    from agentroute.cli.measure import register as register_measure

    register_measure(commands)  # eval, bench
    from agentroute.cli.authoring import register

    register(commands)  # lint, hook claude-code, shortlist
    from agentroute.cli.learn import register as register_learn

    register_learn(commands)  # learn claude-code, learn add
    return parser



class _OneLineErrors(argparse.ArgumentParser):
    """Usage errors as one line on stderr and exit code 2, like every other error."""

    def error(self, message: str) -> Any:  # argparse's own prints the usage block first
        self.exit(2, f"agentroute: error: {message} (see: {self.prog} --help)\n")


def _print_error(error: BaseException) -> None:
    diagnostics = getattr(error, "diagnostics", None) if isinstance(error, AgentrouteError) else None
    if diagnostics:
        # One line per problem (--strict with several bad files), each greppable on its own; the
        # line's "error:" says the severity once.
        if len(diagnostics) > 1:
            print(f"agentroute: error: {len(diagnostics)} problems", file=sys.stderr)
        for diagnostic in diagnostics:
            print(f"agentroute: error: {' '.join(diagnostic.text(severity=False).split())}", file=sys.stderr)
        return
    print(f"agentroute: error: {' '.join(str(error).split())}", file=sys.stderr)


def _stdout_gone() -> int:
    """The reader of stdout left (``agentroute list | head -1``): not an error. Point stdout at
    /dev/null so the interpreter's final flush does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a narrow terminal encoding must not turn an answer into an error
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if list(sys.argv[1:] if argv is None else argv) == ["hook", "claude-code"]:
        # Once per prompt, in a new process: skip building every command's parser.
        from agentroute.cli.authoring import cmd_hook

        return cmd_hook(argparse.Namespace(router=None))
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("agentroute: error: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe shows up here for short outputs
        return code
    except BrokenPipeError:  # before OSError, which it is
        return _stdout_gone()
    except (UsageError, AgentrouteError, ValueError, OSError, ImportError) as error:
        _print_error(error)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
