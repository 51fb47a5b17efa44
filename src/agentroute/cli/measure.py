"""Commands that measure: ``eval`` (accuracy on labelled requests, or leave-one-out) and
``bench`` (latency on your own agents). Only the handlers here print."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from agentroute.cli.common import (
    UsageError,
    add_agents_option,
    load_registry,
    progress,
    resolve_agent_paths,
    router_options,
)

__all__ = ["cmd_bench", "cmd_eval", "register"]


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
    from agentroute.evaluation.metrics import evaluate, tune_threshold
    from agentroute.evaluation.labelled import read_labelled
    from agentroute.sources.learned import resolve_labels
    from agentroute.evaluation.reports import format_eval, format_loo
    from agentroute.routing.router import Router

    if args.split is not None:
        return _eval_split(args)
    if args.train_fraction is not None:
        raise UsageError("--train-fraction only applies with --split time")
    if not args.tune and (args.output or args.val or args.min_in_scope_accuracy is not None):
        raise UsageError("-o/--output, --val and --min-in-scope-accuracy only apply with --tune")
    paths, builtin = resolve_agent_paths(args.agents)
    registry = load_registry(args, learned=False)  # the agent files alone: learned rows may be the test rows
    if args.loo:
        from agentroute.evaluation.loo import leave_one_out

        loo = leave_one_out(list(registry), k=args.k, progress=progress("leave-one-out"))
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
    # Mined files name a plugin's agent "plugin:agent"; its loaded agent is "agent".
    names = {a.name for a in registry}
    rows = resolve_labels(read_labelled(data), names)
    unknown = sorted({r.label for r in rows if r.label is not None} - names)
    if unknown:
        print(f"agentroute: warning: {len(unknown)} label(s) name no loaded agent and can only count as misses: "
              f"{', '.join(map(repr, unknown[:5]))}{' ...' if len(unknown) > 5 else ''}", file=sys.stderr)
    options = router_options(args)
    router = Router(registry, **options)
    if args.tune:
        tune_rows = resolve_labels(read_labelled(val), names) if val else None
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
        from agentroute.evaluation.plots import write_plots

        for path in write_plots(report, args.plot):
            print(f"agentroute: wrote {path}", file=sys.stderr)
    print(json.dumps(report.to_dict()) if args.json else format_eval(report))
    return 0


def _eval_split(args: argparse.Namespace) -> int:
    """``eval --data FILE --split time``: agreement before and after learning the earlier part."""
    from agentroute.evaluation.split_time import format_split_time, read_timed, split_time_report

    if args.loo or args.tune or args.plot or args.val:
        raise UsageError("--split time does not combine with --loo, --tune, --val or --plot")
    if args.data is None:
        raise UsageError("--split time needs --data FILE: JSONL rows with text, label and timestamp "
                         "(as `agentroute learn claude-code` writes)")
    registry = load_registry(args, learned=False)  # the agent files alone: learned rows may be the test rows
    fraction = 0.7 if args.train_fraction is None else args.train_fraction
    report = split_time_report(registry, read_timed(args.data), train_fraction=fraction, k=args.k,
                               router_options=router_options(args))
    print(json.dumps(report.to_dict()) if args.json else format_split_time(report))
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
    from agentroute.evaluation.bench import run_bench

    if args.requests < 1:
        raise UsageError(f"--requests must be at least 1, got {args.requests}")
    registry = load_registry(args, learned=False)  # the agent files alone: learned rows may be the test rows
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


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``eval`` and ``bench`` to the ``agentroute`` subcommands."""
    ev = commands.add_parser("eval", help="measure routing accuracy on labelled requests, or leave-one-out")
    add_agents_option(ev)
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
    ev.add_argument("--split", choices=["time"],
                    help="time: sort --data by timestamp, learn from the earlier part, test on the later part, "
                         "and print figures before and after learning")
    ev.add_argument("--train-fraction", type=float, metavar="X",
                    help="with --split time: the share of rows learned from (default 0.7)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.set_defaults(handler=cmd_eval)

    bench = commands.add_parser("bench", help="measure routing latency on your agents (vs scikit-learn, same run)")
    add_agents_option(bench)
    bench.add_argument("--requests", type=int, default=2000, metavar="N", help="requests to time (default 2000)")
    bench.add_argument("--no-baseline", action="store_true", help="skip the scikit-learn comparison")
    bench.add_argument("--no-cold-start", action="store_true", help="skip the new-process cold-start runs")
    bench.add_argument("--json", action="store_true", help="print the full record as JSON")
    bench.set_defaults(handler=cmd_bench)
