"""Hook latency as Claude Code sees it: one new process per prompt, end to end.

For a temporary project whose ``.claude/agents`` holds N seeded synthetic agents (see
synthetic.py; default N = 10 and 100), it times, interleaved in one run so machine load hits all
rows alike:

* ``python -c pass`` and ``python -c "import numpy"``: the floor any Python hook pays;
* the saved-router hook (``hook claude-code --router FILE``, what the docs used to prescribe);
* the warm hook: the default, fresh-by-fingerprint router, agents unchanged since the last run;
* the hook right after a change: one agent file edited before each run (so each run refits and
  writes the cache), and right after an agent was added.

Every row is the wall time of ``subprocess.run`` of ``sys.executable`` (never a PATH shim) with
a real UserPromptSubmit event on stdin. The cache folder is a temporary one.

    python benchmarks/hook_latency.py                 # N = 10 and 100, 25 warm runs each
    python benchmarks/hook_latency.py --sizes 100 --runs 15

``latency.py`` calls :func:`measure` and keeps the result in its record under ``"hook"``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from agentroute.sources.claude_code import render_agent  # noqa: E402

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
START, END = "<!-- hook-latency:start -->", "<!-- hook-latency:end -->"


def _event(project: Path, prompt: str) -> str:
    return json.dumps({"session_id": "bench", "transcript_path": "/dev/null", "cwd": str(project),
                       "permission_mode": "default", "hook_event_name": "UserPromptSubmit", "prompt": prompt})


def _timed(argv: Sequence[str], stdin: str, env: dict[str, str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)
    elapsed = (time.perf_counter() - started) * 1e3
    if done.returncode != 0:
        raise RuntimeError(f"{argv} exited {done.returncode}: {done.stderr[-500:]}")
    return elapsed, done.stdout


def _summary(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    return {"runs": len(samples), "p50_ms": statistics.median(ordered),
            "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
            "min_ms": ordered[0], "max_ms": ordered[-1]}


def measure(n_agents: int, *, runs: int = 25, change_runs: int = 6, seed: int = 0) -> dict[str, Any]:
    """Timings (ms) of the rows above for a project of ``n_agents`` agents."""
    agents = synthetic.make_agents(n_agents + 1, seed=seed)
    extra = agents.pop()
    requests = synthetic.make_requests(agents, runs + 2 * change_runs + 5, seed=seed + 1)
    with tempfile.TemporaryDirectory(prefix="agentroute-hook-bench-") as folder:
        root = Path(folder)
        project, home, cache = root / "project", root / "home", root / "cache"
        agents_dir = project / ".claude" / "agents"
        agents_dir.mkdir(parents=True)
        home.mkdir()
        for agent in agents:
            (agents_dir / f"{agent.name}.md").write_text(render_agent(agent), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("AGENTROUTE_ROUTER", "CLAUDE_PROJECT_DIR",
                                                                 "CLAUDE_CONFIG_DIR")}
        env.update(HOME=str(home), AGENTROUTE_CACHE_DIR=str(cache), CLAUDE_PROJECT_DIR=str(project),
                   PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        hook = [sys.executable, "-m", "agentroute", "hook", "claude-code"]
        saved = project / ".claude" / "saved.agr"
        subprocess.run([sys.executable, "-m", "agentroute", "build", "--agents", str(agents_dir), "-o", str(saved)],
                       env=env, cwd=project, check=True, capture_output=True, timeout=600)
        first, _ = _timed(hook, _event(project, requests[0]), env, project)  # fills the cache
        rows: dict[str, list[float]] = {"python_floor": [], "numpy_floor": [], "saved_router": [], "warm": []}
        answered = 0
        for i in range(runs):  # interleaved: load drift hits every row alike
            event = _event(project, requests[1 + i])
            rows["python_floor"].append(_timed([sys.executable, "-c", "pass"], "", env, project)[0])
            rows["numpy_floor"].append(_timed([sys.executable, "-c", "import numpy"], "", env, project)[0])
            rows["saved_router"].append(_timed([*hook, "--router", str(saved)], event, env, project)[0])
            elapsed, out = _timed(hook, event, env, project)
            rows["warm"].append(elapsed)
            answered += bool(out.strip())
        after_edit: list[float] = []
        target = agents_dir / f"{agents[0].name}.md"
        for i in range(change_runs):
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(f"\nAlso handles case {i}.\n")
            after_edit.append(_timed(hook, _event(project, requests[1 + runs + i]), env, project)[0])
        after_add: list[float] = []
        for i in range(change_runs):
            extra_file = agents_dir / f"added-{i}.md"
            extra_file.write_text(render_agent(extra).replace(f"name: {extra.name}", f"name: added-{i}"), encoding="utf-8")
            after_add.append(_timed(hook, _event(project, requests[1 + runs + change_runs + i]), env, project)[0])
        cached = sorted(p.name for p in cache.glob("*.agr"))
    result = {name: _summary(samples) for name, samples in rows.items()}
    result.update(after_edit=_summary(after_edit), after_add=_summary(after_add), first_run_ms=first,
                  n_agents=n_agents, warm_answers=answered, cache_files=len(cached))
    result["warm_over_floor_ms"] = result["warm"]["p50_ms"] - result["python_floor"]["p50_ms"]
    return result


def markdown(results: Sequence[dict[str, Any]]) -> str:
    """A table of the rows, one column per registry size."""
    names = [("python_floor", "`python -c pass` (floor)"), ("numpy_floor", "`python -c 'import numpy'`"),
             ("saved_router", "hook, saved router (`--router FILE`)"), ("warm", "hook, fresh router, warm cache"),
             ("after_edit", "hook right after an agent file was edited"), ("after_add", "hook right after an agent was added")]
    head = "| p50 (p95) ms | " + " | ".join(f"{r['n_agents']} agents" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for key, label in names:
        cells = [f"{r[key]['p50_ms']:.0f} ({r[key]['p95_ms']:.0f})" for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--change-runs", type=int, default=6)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--docs", action="store_true", help="put the table in docs/integrations.md")
    args = parser.parse_args(argv)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    results = [measure(n, runs=args.runs, change_runs=args.change_runs) for n in args.sizes]
    after = os.getloadavg() if hasattr(os, "getloadavg") else None
    table = markdown(results)
    print(f"load average (1, 5, 15 min) before: {load}, after: {after}")
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"load_before": load, "load_after": after, "python": sys.version,
                                         "results": results}, indent=1) + "\n", encoding="utf-8")
    if args.docs:
        doc = HERE.parent / "docs" / "integrations.md"
        text = doc.read_text(encoding="utf-8")
        start, end = text.index(START) + len(START), text.index(END)
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        body = (f"\n{table}\n\nMeasured {stamp} by `python benchmarks/hook_latency.py --docs` "
                f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0] if load else '?':.2f} "
                f"before and {after[0] if after else '?':.2f} after: other work shared the machine).\n")
        doc.write_text(text[:start] + body + text[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
