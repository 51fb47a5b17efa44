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
    from agentroute.router import Router

    if getattr(args, "router", None):
        if getattr(args, "agents", None):
            raise UsageError("give --router FILE or --agents PATH, not both (a saved router holds its agents)")
        router = Router.load(args.router)
        if getattr(args, "threshold", None) is not None:
            router.threshold = args.threshold
            router._validate()  # the same check Router(threshold=...) makes
        return router
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


def cmd_explain(args: argparse.Namespace) -> int:
    router = load_router(args)
    explanation = router.explain(args.request, k=args.k)
    if args.json:
        print(json.dumps({
            "request": explanation.request,
            "strategy": explanation.strategy,
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
        print(json.dumps(rows))
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


def _progress(label: str) -> Any:
    """A stderr progress line for long runs (only when stderr is a terminal, or always in --verbose)."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\ragentroute: {label} {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report


def _split_for_tuning(rows: list[Any]) -> tuple[list[Any], list[Any]]:
    """A seeded, stratified half split when no --val file is given: tune on one half, report the other."""
    from sklearn.model_selection import train_test_split

    if len(rows) < 4:
        raise UsageError(f"--tune without --val splits the data in half, and {len(rows)} row(s) are too few; "
                         "give --val FILE or more labelled requests")
    labels = [r.label or "none" for r in rows]
    counts = {label: labels.count(label) for label in labels}
    stratify = labels if min(counts.values()) >= 2 else None
    tune, report = train_test_split(rows, test_size=0.5, random_state=0, stratify=stratify)
    return list(tune), list(report)


def cmd_eval(args: argparse.Namespace) -> int:
    from agentroute.evaluation import evaluate, tune_threshold
    from agentroute.labelled import read_labelled
    from agentroute.reports import format_eval, format_loo
    from agentroute.router import Router

    if not args.tune and (args.output or args.val or args.min_in_scope_accuracy is not None):
        raise UsageError("-o/--output, --val and --min-in-scope-accuracy only apply with --tune")
    paths, builtin = _resolve_agent_paths(args.agents)
    registry = load_registry(args)
    if args.loo:
        from agentroute.loo import leave_one_out

        loo = leave_one_out(list(registry), k=args.k, progress=_progress("leave-one-out"))
        if args.json:
            print(json.dumps({"n": loo.n, "top1_accuracy": loo.top1_accuracy, "top_k": loo.k,
                              "top_k_accuracy": loo.top_k_accuracy,
                              "cases": [c.__dict__ | {"top1": c.top1} for c in loo.cases]}))
        else:
            print(format_loo(loo))
        return 0
    data, val = args.data, args.val
    if data is None and builtin:
        from agentroute.builtin import builtin_data_file

        data = str(builtin_data_file("builtin_test.jsonl"))
        val = val or str(builtin_data_file("builtin_dev.jsonl"))
        print("agentroute: evaluating the built-in agents on their bundled test requests", file=sys.stderr)
    if data is None:
        raise UsageError("eval needs --data FILE (JSONL or CSV with text,label), or --loo")
    rows = read_labelled(data)
    unknown = sorted({r.label for r in rows if r.label is not None} - {a.name for a in registry})
    if unknown:
        print(f"agentroute: warning: {len(unknown)} label(s) name no loaded agent and can only count as misses: "
              f"{', '.join(map(repr, unknown[:5]))}{' ...' if len(unknown) > 5 else ''}", file=sys.stderr)
    options = router_options(args)
    router = Router(registry, **options)
    if args.tune:
        tune_rows = read_labelled(val) if val else None
        if tune_rows is None:
            tune_rows, rows = _split_for_tuning(rows)
            print(f"agentroute: no --val given; tuning on a seeded half of {data} ({len(tune_rows)} rows), reporting on the other half", file=sys.stderr)
        threshold = tune_threshold(router, tune_rows, min_in_scope_accuracy=args.min_in_scope_accuracy)
        router = Router(registry, **(options | {"threshold": threshold}))
        print(f"agentroute: tuned threshold {threshold:.4f}", file=sys.stderr)
        if args.output:
            router.save(args.output)
            print(f"agentroute: saved the tuned router to {args.output}", file=sys.stderr)
    report = evaluate(router, rows, k=args.k)
    if args.plot:
        from agentroute.plots import write_plots

        for path in write_plots(report, args.plot):
            print(f"agentroute: wrote {path}", file=sys.stderr)
    print(json.dumps(report.to_dict()) if args.json else format_eval(report))
    return 0


def _bench_requests(agents: Sequence[Any], count: int, seed: int = 0) -> list[str]:
    """Requests like the agents' own: their example requests, then seeded 6-12 word windows of their text."""
    import random

    rng = random.Random(seed)
    requests = [e.request for a in agents for e in a.examples if e.request.strip()]
    words = [(a.description + " " + a.prompt).split() for a in agents]
    words = [w for w in words if len(w) >= 6]
    while words and len(requests) < count:
        chosen = rng.choice(words)
        length = rng.randint(6, 12)
        start = rng.randrange(0, max(1, len(chosen) - length))
        requests.append(" ".join(chosen[start : start + length]))
    rng.shuffle(requests)
    return requests[:count]


def cmd_bench(args: argparse.Namespace) -> int:
    from agentroute.bench import run_bench

    if args.requests < 1:
        raise UsageError(f"--requests must be at least 1, got {args.requests}")
    registry = load_registry(args)
    requests = _bench_requests(list(registry), args.requests)
    if not requests:
        raise UsageError("no text to make benchmark requests from: the agents are empty")
    say = (lambda message: print(f"agentroute: {message}", file=sys.stderr, flush=True)) if not args.json else None
    result = run_bench(list(registry), requests, progress=say, baseline=not args.no_baseline,
                       cold_start=not args.no_cold_start)
    if args.json:
        print(json.dumps(result, default=str))
        return 0
    pick, batch = result["pick"], result["batch"]
    lines = [
        f"agents: {result['n_agents']}   requests: {len(requests)}",
        f"fit: {result['fit']['seconds']:.2f} s" if result.get("fit") else "fit: (not measured)",
        f"pick: p50 {pick['p50_us']:.1f} µs, p95 {pick['p95_us']:.1f} µs, p99 {pick['p99_us']:.1f} µs",
        f"batch: {batch['req_per_s']:,.0f} requests/s",
        f"index memory: {result['memory']['index_bytes']:,} bytes ({result['memory']['bytes_per_agent']:,.0f} per agent)",
    ]
    if result.get("cold_start"):
        cold = result["cold_start"]
        lines.append("cold start: " + ", ".join(f"{k} {v:.0f} ms" for k, v in cold.items() if k.endswith("_ms") and v))
    if result.get("ratios"):
        r = result["ratios"]
        lines.append(f"vs scikit-learn TfidfVectorizer + linear_kernel, same run: pick {r['pick_p50_speedup']:.0f}x faster, "
                     f"batch {r['batch_speedup']:.1f}x the throughput")
    print("\n".join(lines))
    return 0


def _add_agents_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agents", action="append", metavar="PATH",
                        help="agent folder (walked recursively; see docs/formats.md) or file; repeat for several; "
                             "default: ./.claude/agents, ~/.claude/agents, else the built-in examples")
    parser.add_argument("--strict", action="store_true", help="treat every loading warning as an error")
    parser.add_argument("--quiet", action="store_true", help="do not print loading warnings")


def _add_request_command(commands: Any, name: str, help_text: str, handler: Any, *, k: int, k_help: str) -> None:
    """A command that routes one request: ``pick`` and ``explain`` take the same options."""
    command = commands.add_parser(name, help=help_text)
    command.add_argument("request", help="the user's request")
    _add_agents_option(command)
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
    _add_agents_option(listing)
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=cmd_list)

    build = commands.add_parser("build", help="fit a router and save it to a file")
    _add_agents_option(build)
    build.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the router")
    build.add_argument("--threshold", type=float, help="abstain below this score")
    build.set_defaults(handler=cmd_build)

    ev = commands.add_parser("eval", help="measure routing accuracy on labelled requests, or leave-one-out")
    _add_agents_option(ev)
    ev.add_argument("--data", metavar="FILE", help="labelled requests: JSONL or CSV with text,label (label none/oos/null/empty or missing: no agent)")
    ev.add_argument("--loo", action="store_true", help="leave-one-out on the agents' own examples and trigger phrases")
    ev.add_argument("--tune", action="store_true", help="choose the threshold on --val (or a seeded half of --data)")
    ev.add_argument("--val", metavar="FILE", help="validation requests for --tune")
    ev.add_argument("--min-in-scope-accuracy", type=float, metavar="X",
                    help="with --tune: maximise out-of-scope recall keeping in-scope accuracy >= X (default: maximise accuracy)")
    ev.add_argument("-o", "--output", metavar="FILE", help="with --tune: save the tuned router here")
    ev.add_argument("--threshold", type=float, help="abstain below this score (without --tune)")
    ev.add_argument("-k", type=int, default=3, help="top-k accuracy (default 3)")
    ev.add_argument("--plot", metavar="DIR", help="write PNG charts (needs: pip install 'agentroute[plot]')")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.set_defaults(handler=cmd_eval)

    bench = commands.add_parser("bench", help="measure routing latency on your agents (vs scikit-learn, same run)")
    _add_agents_option(bench)
    bench.add_argument("--requests", type=int, default=2000, metavar="N", help="requests to time (default 2000)")
    bench.add_argument("--no-baseline", action="store_true", help="skip the scikit-learn comparison")
    bench.add_argument("--no-cold-start", action="store_true", help="skip the new-process cold-start runs")
    bench.add_argument("--json", action="store_true", help="print the full record as JSON")
    bench.set_defaults(handler=cmd_bench)

    from agentroute.cli_authoring import register

    register(commands)  # lint, hook claude-code, shortlist
    return parser



class _OneLineErrors(argparse.ArgumentParser):
    """Usage errors as one line on stderr and exit code 2, like every other error."""

    def error(self, message: str) -> Any:  # argparse's own prints the usage block first
        self.exit(2, f"agentroute: error: {message} (see: {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a narrow terminal encoding must not turn an answer into an error
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("agentroute: error: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except (UsageError, AgentrouteError, ValueError, OSError, ImportError) as error:
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
