"""Latency suite: pick percentiles, batch throughput, fit, memory and cold start by registry size.

For each registry (seeded synthetic agents of 10, 100, 1,000 and 10,000, each with 0, 5 and 20
example requests per agent — profile strategy without, blended with — plus
the real collections in ../shared/corpora when present) it measures, in one
run, agentroute and the plain scikit-learn pipeline on the same agents and
requests, then bm25s and semantic-router when installed, and ``pick_many``
through joblib (loky, and Dask's LocalCluster when ``dask[distributed]`` is
installed). One JSON record goes to benchmarks/results/latency-<UTC time>.json
and the latency section of docs/benchmarks.md is regenerated from the records.

    python benchmarks/latency.py            # full run (~10 min on 2 vCPU)
    python benchmarks/latency.py --quick    # smoke: sizes 10 and 100, fewer calls
    python benchmarks/report.py             # re-render docs/benchmarks.md from the records
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Callable, Iterator, Sequence
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hook_latency
import peers
import report
import synthetic

from agentroute import Agent, Registry, Router
from agentroute.evaluation import bench

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
FULL_SIZES = (10, 100, 1_000, 10_000)
QUICK_SIZES = (10, 100)
#: Parallel batch back ends ship the router to workers per chunk; beyond this size that dominates.
PARALLEL_MAX_AGENTS = 1_000

_started = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _started:7.1f}s] {message}", file=sys.stderr, flush=True)


def git_state() -> dict[str, Any]:
    """The commit measured, and whether the working tree differed from it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def real_agents(corpora: Path) -> tuple[list[Agent], str]:
    """Every collection under ``corpora`` (folders starting with ``_`` are fixtures, not collections)."""
    collections = sorted(p for p in corpora.iterdir() if p.is_dir() and not p.name.startswith("_"))
    registry = Registry.from_paths(collections)
    return list(registry), f"{len(collections)} collections, {len(registry.diagnostics)} loading diagnostics"


def registries(sizes: Sequence[int], seed: int, corpora: Path | None, notes: list[str],
               examples: Sequence[int] = (0,)) -> Iterator[tuple[str, str, list[Agent]]]:
    for size in sizes:
        for k in examples:
            # Without examples auto fits profiles; with them it blends profiles and learned weights.
            label = f"synthetic-{size}" + (f"x{k}" if k else "")
            start = time.perf_counter()
            agents = synthetic.make_agents(size, seed=seed, examples=k)
            log(f"{label}: generated in {time.perf_counter() - start:.1f}s")
            yield label, "synthetic" + (f", {k} examples each" if k else ""), agents
    if corpora is None:
        return
    if not corpora.is_dir():
        notes.append(f"Real corpora absent: {corpora} not found; only synthetic registries were measured.")
        log(notes[-1])
        return
    agents, description = real_agents(corpora)
    yield f"real-{len(agents)}", f"real ({description})", agents


def guarded(measure: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """An optional measurement: its failure is recorded (and reported), not fatal to the run."""
    try:
        return measure(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - peers and parallel back ends are optional
        log(f"{measure.__name__} failed: {type(error).__name__}: {error}")
        return {"skipped": f"failed: {type(error).__name__}: {str(error)[:200]}"}


def measure_registry(label: str, kind: str, agents: list[Agent], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    requests = synthetic.make_requests(agents, args.requests, seed=args.seed)
    batch = synthetic.make_requests(agents, args.batch, seed=args.seed + 1)
    path = work / f"{label}.agentroute"
    log(f"{label}: fit {len(agents)} agents in a fresh process")
    fit = bench.measure_fit(agents, router_path=path)
    log(f"{label}: fit {fit['seconds']:.2f}s")
    router = Router.load(path)
    result = bench.run_bench(router, requests, batch_requests=batch, progress=lambda m: log(f"{label}: {m}"))
    result.pop("environment")  # once per record, not per registry
    result.update(label=label, kind=kind, fit=fit)
    # run_bench re-saved the loaded router for its cold start; the fresh-process fit wrote the same bytes.
    log(f"{label}: pick p50 {result['pick']['p50_us']:.1f}us, sklearn x{result['ratios']['pick_p50_speedup']:.0f}, "
        f"batch {result['batch']['req_per_s']:.0f} req/s (x{result['ratios']['batch_speedup']:.1f})")
    peer_requests = requests[: min(len(requests), 2_000)]
    log(f"{label}: bm25s")
    result["bm25s"] = guarded(peers.bm25s_peer, agents, peer_requests, batch)
    log(f"{label}: semantic-router")
    result["semantic_router"] = guarded(peers.semantic_router_peer, agents, peer_requests)
    if len(agents) <= PARALLEL_MAX_AGENTS and len(batch) >= 2_048:
        log(f"{label}: pick_many n_jobs=2 (loky, dask)")
        result["parallel"] = guarded(peers.parallel_batches, router, batch, n_jobs=2)
    else:
        result["parallel"] = {"skipped": f"only for <= {PARALLEL_MAX_AGENTS:,} agents and >= 2,048 requests "
                                         "(each chunk ships the whole router to a worker)"}
    return result


def measure_hook_rows(args: argparse.Namespace) -> dict[str, Any]:
    """The hook as Claude Code runs it, one process per prompt (see hook_latency.py): warm, and
    right after an agent changed; 10 and 100 agents (quick: 100, fewer runs)."""
    sizes = (100,) if args.quick else (10, 100)
    runs, change_runs = (10, 3) if args.quick else (25, 6)
    results = []
    for n in sizes:
        log(f"hook: {n} agents, {runs} warm runs, {change_runs} after a change")
        results.append(hook_latency.measure(n, runs=runs, change_runs=change_runs, seed=args.seed))
        log(f"hook: warm p50 {results[-1]['warm']['p50_ms']:.0f} ms, after an edit p50 "
            f"{results[-1]['after_edit']['p50_ms']:.0f} ms")
    log("hook rows:\n" + hook_latency.markdown(results))
    return {"results": results, "markdown": hook_latency.markdown(results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 10 and 100 only, fewer requests")
    parser.add_argument("--sizes", type=int, nargs="+", help="registry sizes (default: 10 100 1000 10000)")
    parser.add_argument("--examples", type=int, nargs="+",
                        help="example requests per synthetic agent, one registry each (default: 0 5 20; quick: 0 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-real", action="store_true", help="skip the real collections in ../shared/corpora")
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON record")
    parser.add_argument("--docs", type=Path, default=report.DOCS, help="markdown file to update")
    parser.add_argument("--no-hook", action="store_true", help="skip the Claude Code hook rows (hook_latency.py)")
    args = parser.parse_args(argv)
    sizes = tuple(args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES))
    examples = tuple(args.examples or ((0, 5) if args.quick else (0, 5, 20)))
    args.requests = 2_000 if args.quick else 5_000
    args.batch = 3_000 if args.quick else 5_000
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    notes: list[str] = []
    record: dict[str, Any] = {
        "schema": 1, "suite": "latency", "created": stamp, "mode": "quick" if args.quick else "full",
        "config": {"sizes": list(sizes), "examples": list(examples), "seed": args.seed, "requests": args.requests, "batch": args.batch,
                   "warmup_calls": bench.WARMUP_CALLS, "max_calls": bench.MAX_CALLS,
                   "cold_start_runs": bench.COLD_START_RUNS, "real_corpora": None if args.no_real else str(args.corpora)},
        "environment": bench.environment(), "git": git_state(), "results": [], "notes": notes,
    }
    corpora = None if (args.quick or args.no_real) else args.corpora
    if args.quick or args.no_real:
        notes.append("Real corpora not measured in this run (--quick or --no-real).")
    with tempfile.TemporaryDirectory(prefix="agentroute-bench-") as folder:
        for label, kind, agents in registries(sizes, args.seed, corpora, notes, examples):
            record["results"].append(measure_registry(label, kind, agents, args, Path(folder)))
    if not args.no_hook:
        record["hook"] = measure_hook_rows(args)
    record["seconds"] = time.perf_counter() - _started
    if git_state() != record["git"]:
        notes.append("The working tree or commit changed during this run (editable install): numbers may mix versions.")
    args.results.mkdir(parents=True, exist_ok=True)
    # Quick runs are smoke tests: .scratch.json is git-ignored and left out of the report's history.
    out = args.results / f"latency-{stamp}{'.scratch' if args.quick else ''}.json"
    out.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    log(f"wrote {out}")
    report.write_section(report.load_records(args.results, include_scratch=True), args.docs)
    log(f"updated {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
