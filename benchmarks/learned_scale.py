"""The learned path at scale: fit time, peak memory and pick latency, beside the figures of issue 11.

Fits, each in a fresh process (so peak RSS is the fit's own):

* CLINC150's training split (150 intents × ~100 examples; ../shared, skipped with a note when absent);
* 1,000 synthetic agents × 6 examples and 10,000 × 10 (benchmarks/synthetic.py, seeded),

with ``strategy="linear"`` (examples only) and ``"auto"`` (which blends authored text with the
examples), and prints fit seconds, peak RSS (the fitting process; the joblib workers' peaks, and
the sum of all, an upper bound of the fit's total), the plan's estimate, ``pick`` p50/p99 (wall
clock) after 500 warm-up requests, then in CPU time (which leaves out the time the process waited
for a core on a shared machine) on a second pass over the same requests ("warm": every word seen
before, so no first-sight cache fills), and ``pick_many`` throughput. The figures measured on
main at 391b33c before this work (issue 11) are printed beside them. One JSON record goes to
benchmarks/results/learned_scale-<UTC time>.json.

    python benchmarks/learned_scale.py                 # all three registries, both strategies
    python benchmarks/learned_scale.py --only 1000x6   # one registry
    python benchmarks/learned_scale.py --only clinc150 --baseline 216622b   # same-run A/B against a commit
    python benchmarks/learned_scale.py --only clinc150 --baseline 216622b --rounds 3   # medians of 3 alternations
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SHARED = HERE.parent.parent / "shared" / "datasets" / "clinc150"

#: Figures from issue 11 (main at 391b33c, 2 vCPU): the linear strategy as it was.
BEFORE = {
    "clinc150": {"fit_s": 14.8, "peak_mb": 363, "p50_us": 83, "p99_us": 4200, "batch": 13_900},
    "1000x6": {"fit_s": 95.0, "peak_mb": 980, "p50_us": 823, "p99_us": 38_000, "batch": None},
    "10000x10": {"note": "10,000 x 5 already died: segmentation fault inside liblinear"},
}
REGISTRIES = ("clinc150", "1000x6", "10000x10")
STRATEGIES = ("linear", "auto")


def _vm_hwm_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _children_hwm_mb() -> list[float]:
    """Peak RSS (VmHWM) of each live child process: joblib's workers stay alive after a fit, so
    their high-water marks are still readable (``RUSAGE_CHILDREN`` counts only children reaped)."""
    me, peaks = str(os.getpid()), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if fields[1] != me:  # the parent pid
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except (OSError, IndexError):
            continue
    return peaks


def _registry(name: str) -> tuple[list[Any], list[str]]:
    from agentroute import Agent, Example, read_labelled

    import synthetic

    if name == "clinc150":
        by_label: dict[str, list[str]] = {}
        for row in read_labelled(SHARED / "train.jsonl"):
            if row.label is not None:
                by_label.setdefault(row.label, []).append(row.text)
        agents = [Agent(name=label, examples=tuple(Example(request=t) for t in texts)) for label, texts in sorted(by_label.items())]
        return agents, [row.text for row in read_labelled(SHARED / "test.jsonl")]
    n, k = (int(x) for x in name.split("x"))
    agents = synthetic.make_agents(n, examples=k)
    return agents, synthetic.make_requests(agents, 5_000, seed=11)


def _percentiles(values: list[int]) -> tuple[float, float]:
    import numpy as np

    p50, p99 = np.percentile(np.array(values) / 1000.0, [50, 99])
    return float(p50), float(p99)


def measure_one(name: str, strategy: str) -> dict[str, Any]:
    """Run in the child process: build, fit, time picks and a batch."""
    from agentroute import Router
    from agentroute.routing.plan import RegistryStats, learned_cost

    agents, requests = _registry(name)
    gc.collect()
    before = _vm_hwm_mb()
    started = time.perf_counter()
    router = Router(agents, strategy=strategy)  # type: ignore[arg-type]
    fit_s = time.perf_counter() - started
    peak = _vm_hwm_mb()
    workers = _children_hwm_mb()
    children = max(workers + [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024])
    estimate = learned_cost(RegistryStats.of(agents))
    for request in requests[:500]:
        router.pick(request)
    # One clock per pass: a CPU-time reading is a system call (~0.75 µs here), which a wall-clock
    # window around it would count as part of the pick.
    wall = []  # the first pass: words met for the first time fill their cache rows here
    for request in requests:
        w = time.perf_counter_ns()
        router.pick(request)
        wall.append(time.perf_counter_ns() - w)
    warm = []  # a second pass, in CPU time: every word seen once, so no first-sight cache fills
    for request in requests:
        c = time.process_time_ns()
        router.pick(request)
        warm.append(time.process_time_ns() - c)
    batch = (requests * 4)[:20_000]
    started = time.perf_counter()
    router.pick_many(batch)
    batch_rate = len(batch) / (time.perf_counter() - started)
    return {"registry": name, "strategy": strategy, "fitted": router.fitted_strategy,
            "method": router.index.extra.get("fit_method"), "agents": len(agents),
            "examples": sum(len(a.examples) for a in agents), "features": router.index.space.n_features,
            "layout": type(router.index.weights).__name__, "fit_s": fit_s,
            "peak_mb": peak, "base_mb": before, "worker_peak_mb": children, "workers": len(workers),
            "fit_total_peak_mb": peak + sum(workers),
            "warm_cpu_p50_us": _percentiles(warm)[0], "warm_cpu_p99_us": _percentiles(warm)[1],
            "estimate_mb": estimate.peak_bytes / 1024**2, "estimate_s": estimate.seconds,
            "p50_us": _percentiles(wall)[0], "p99_us": _percentiles(wall)[1],
            "batch": batch_rate,
            "reason": router.strategy_reason}


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _run_child(name: str, strategy: str, src: Path | None = None) -> dict[str, Any]:
    """One registry and strategy measured in a fresh process (agentroute from ``src`` when given)."""
    env = dict(os.environ, PYTHONPATH=str(src)) if src is not None else None
    done = subprocess.run([sys.executable, __file__, "--child", name, strategy], capture_output=True, text=True,
                          check=False, env=env)
    if done.returncode != 0:
        return {"registry": name, "strategy": strategy, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One row whose figures are the medians of ``rows`` (the same registry and strategy, measured again)."""
    import statistics

    if any("error" in row for row in rows):
        return next(row for row in rows if "error" in row)
    merged = dict(rows[-1])
    for key, value in rows[-1].items():
        if isinstance(value, float):
            merged[key] = statistics.median(row[key] for row in rows)
    merged["rounds"] = len(rows)
    return merged


def compare(ref: str, names: list[str], strategies: list[str], rounds: int = 1) -> int:
    """``--baseline``: the code as of ``ref`` and the current code, pair by pair in one run (``rounds``
    times, alternating, each figure the median of its rounds), and their ratios."""
    import tempfile

    if "clinc150" in names and not SHARED.exists():
        print(f"learned_scale: {SHARED} is absent: CLINC150 skipped", file=sys.stderr)
        names = [n for n in names if n != "clinc150"]
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", ref], capture_output=True, check=False)
        if archive.returncode != 0:
            print(f"learned_scale: git archive {ref} failed: {archive.stderr.decode().strip()}", file=sys.stderr)
            return 2
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        pairs, every_run = [], []
        for name in names:
            for strategy in strategies:
                print(f"learned_scale: {name} strategy={strategy}: {ref}, then the current code ...", file=sys.stderr,
                      flush=True)
                runs: list[tuple[dict[str, Any], dict[str, Any]]] = []
                for _ in range(rounds):  # alternating, so a drift of the machine's speed hits both alike
                    runs.append((_run_child(name, strategy, Path(folder) / "src"), _run_child(name, strategy)))
                pairs.append((_median_row([b for b, _ in runs]), _median_row([c for _, c in runs])))
                every_run += [{"baseline": b, "current": c} for b, c in runs]
    record = {"created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "baseline": ref,
              "rounds": rounds, "loadavg_after": os.getloadavg(), "pairs": [{"baseline": b, "current": c} for b, c in pairs],
              "every_run": every_run}
    out = HERE / "results" / f"learned_scale-ab-{record['created'].replace('-', '').replace(':', '')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    keys = (("fit_s", "fit s", 1), ("peak_mb", "peak RSS MB", 0), ("p50_us", "pick p50 µs", 1), ("p99_us", "p99 µs", 1),
            ("warm_cpu_p50_us", "warm CPU p50 µs", 1), ("batch", "batch req/s", 0))
    print(f"| registry | strategy | " + " | ".join(f"{label}: {ref} → now (ratio)" for _, label, _ in keys) + " |")
    print("| --- | --- |" + " --- |" * len(keys))
    for old, new in pairs:
        if "error" in old or "error" in new:
            print(f"| {new['registry']} | {new['strategy']} | failed: {old.get('error') or new.get('error')} |")
            continue
        cells = [f"{_fmt(old[k], d)} → {_fmt(new[k], d)} ({new[k] / old[k]:.2f}×)" for k, _, d in keys]
        print(f"| {new['registry']} | {new['strategy']} ({new['fitted']}) | " + " | ".join(cells) + " |")
    print(f"\nwrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=REGISTRIES, action="append", help="registries to run (default: all)")
    parser.add_argument("--strategy", choices=STRATEGIES, action="append", help="strategies (default: both)")
    parser.add_argument("--baseline", metavar="GIT_REF",
                        help="also measure agentroute as of GIT_REF (a `git archive` of it), each registry and "
                             "strategy right before the current code, and print the ratios: on a shared machine "
                             "only same-run ratios hold")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --baseline: measure each pair this many times, alternating, and report medians")
    parser.add_argument("--child", nargs=2, metavar=("REGISTRY", "STRATEGY"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure_one(*args.child)))
        return 0
    if args.baseline:
        return compare(args.baseline, args.only or list(REGISTRIES), args.strategy or list(STRATEGIES), args.rounds)
    names = args.only or list(REGISTRIES)
    if "clinc150" in names and not SHARED.exists():
        print(f"learned_scale: {SHARED} is absent: CLINC150 skipped", file=sys.stderr)
        names.remove("clinc150")
    load = os.getloadavg()
    rows = []
    for name in names:
        for strategy in args.strategy or STRATEGIES:
            print(f"learned_scale: {name} strategy={strategy} ...", file=sys.stderr, flush=True)
            rows.append(_run_child(name, strategy))
            print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    record = {"created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "loadavg_before": load,
              "loadavg_after": os.getloadavg(), "cpus": len(os.sched_getaffinity(0)), "rows": rows, "before": BEFORE}
    out = HERE / "results" / f"learned_scale-{record['created'].replace('-', '').replace(':', '')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(f"| registry | strategy (fitted, method) | fit s (before) | peak RSS MB (before) | + child processes MB (joblib workers, its resource tracker) | "
          "estimate MB / s | pick p50 µs (before) | p99 µs (before) | warm CPU p50 / p99 µs | "
          "batch req/s (before) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        old = BEFORE.get(row["registry"], {})
        if "error" in row:
            print(f"| {row['registry']} | {row['strategy']} | failed: {row['error']} | | | | | | | |")
            continue
        print(f"| {row['registry']} | {row['strategy']} ({row['fitted']}, {row['method']}) | {_fmt(row['fit_s'])} "
              f"({_fmt(old.get('fit_s', old.get('note')))}) | {_fmt(row['peak_mb'], 0)} ({_fmt(old.get('peak_mb'))}) | "
              f"{row['workers']} × ≤{_fmt(row['worker_peak_mb'], 0)} = {_fmt(row['fit_total_peak_mb'], 0)} total | "
              f"{_fmt(row['estimate_mb'], 0)} / {_fmt(row['estimate_s'])} | "
              f"{_fmt(row['p50_us'])} ({_fmt(old.get('p50_us'))}) | {_fmt(row['p99_us'])} ({_fmt(old.get('p99_us'))}) | "
              f"{_fmt(row['warm_cpu_p50_us'])} / {_fmt(row['warm_cpu_p99_us'])} | {_fmt(row['batch'], 0)} ({_fmt(old.get('batch'))}) |")
    print(f"\nload average before {load[0]:.1f}, after {record['loadavg_after'][0]:.1f} on {record['cpus']} CPUs; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
