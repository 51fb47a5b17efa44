"""The measurements that need a new process: fit time and memory, and cold start.

Kept apart from :mod:`agentroute.evaluation.bench` (which re-exports :func:`measure_fit`
and :func:`measure_cold_start`) because they spawn Python interpreters and
read per-process memory figures from ``/proc``; nothing here prints.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agentroute.model import Agent
from agentroute.routing.router import Router

Result = dict[str, Any]
COLD_START_RUNS = 10


def _quiet(_: str) -> None:
    pass


def _rss_bytes() -> int:
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _peak_rss_bytes() -> int:
    """This process's peak RSS since its exec (VmHWM).

    Not ``ru_maxrss``: Linux carries a parent's high-water mark across
    fork + exec, so a child of a large process would report the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _fit_child() -> None:
    """Entry of the fresh fit process: ``argv = [agents.json, router path or ""]``; JSON on stdout."""
    import scipy.sparse  # noqa: F401 - imported before the baseline, so imports are not fit memory
    import sklearn.feature_extraction.text  # noqa: F401

    from agentroute.routing.persist import agent_from_json

    agents = [agent_from_json(a) for a in json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))]
    baseline = _rss_bytes()
    start = time.perf_counter()
    router = Router(agents)
    seconds = time.perf_counter() - start
    peak = _peak_rss_bytes()
    if sys.argv[2]:
        router.save(sys.argv[2])
    sys.stdout.write(json.dumps({"seconds": seconds, "peak_rss_bytes": peak,
                                 "peak_rss_growth_bytes": max(0, peak - baseline), "process": "fresh"}))


def measure_fit(agents: Sequence[Agent], *, router_path: str | os.PathLike[str] | None = None,
                isolated: bool = True) -> Result:
    """Fit time and peak memory of ``Router(agents)``.

    ``isolated`` fits in a fresh Python process, so that peak RSS belongs to
    the fit alone (agents travel as JSON); the fitted router is saved to
    ``router_path`` when given. Otherwise the fit runs here and memory is the
    tracemalloc peak of a second, traced fit (tracing slows it, so it is never
    the timed one).
    """
    path = str(router_path) if router_path is not None else None
    if isolated:
        from agentroute.routing.persist import agent_to_json

        with tempfile.TemporaryDirectory() as folder:
            source = os.path.join(folder, "agents.json")
            Path(source).write_text(json.dumps([agent_to_json(a) for a in agents], default=str), encoding="utf-8")
            code = "from agentroute.evaluation.bench_process import _fit_child; _fit_child()"
            done = subprocess.run([sys.executable, "-c", code, source, path or ""], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"fit process failed ({done.returncode}): {done.stderr[-500:]}")
        return dict(json.loads(done.stdout))
    import tracemalloc

    start = time.perf_counter()
    router = Router(agents)
    seconds = time.perf_counter() - start
    if path:
        router.save(path)
    del router
    tracemalloc.start()
    try:
        Router(agents)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {"seconds": seconds, "peak_traced_bytes": peak, "process": "same"}


def _run_process(argv: Sequence[str]) -> tuple[float, str]:
    """Wall ms from spawn to exit, and the last line of the output."""
    start = time.perf_counter()
    done = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    wall = (time.perf_counter() - start) * 1000.0
    text = done.stdout.decode(errors="replace").strip()
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} ... exited {done.returncode}: {text[-300:]}")
    return wall, text.splitlines()[-1] if text else ""


def _child_peak_rss(argv: Sequence[str]) -> int | None:
    """Peak RSS of one run, through GNU time (a small parent, so no inherited high-water mark)."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if gnu_time is None:
        return None
    done = subprocess.run([gnu_time, "-f", "%M", *argv], capture_output=True, text=True, check=False)
    try:
        return int(done.stderr.strip().splitlines()[-1]) * 1024
    except (ValueError, IndexError):
        return None


def measure_cold_start(router_path: str | os.PathLike[str], request: str, *, runs: int = COLD_START_RUNS,
                       progress: Callable[[str], None] = _quiet) -> Result:
    """Median wall time of a NEW process answering one request from a saved router.

    ``cli``: ``python -m agentroute pick --router FILE REQUEST``; ``api``:
    ``python -c "from agentroute import Router; Router.load(F).pick(R)"``;
    ``script``: the ``agentroute`` console script when on PATH; ``interpreter``:
    ``python -c pass``, the floor under all of them.
    """
    path = str(router_path)
    api = "import sys; from agentroute import Router; r = Router.load(sys.argv[1]).pick(sys.argv[2]); print(r and r.name)"
    commands = {
        "interpreter": [sys.executable, "-c", "pass"],
        "cli": [sys.executable, "-m", "agentroute", "pick", "--router", path, request],
        "api": [sys.executable, "-c", api, path, request],
    }
    # The console script beside this interpreter: a version manager's shim on PATH (pyenv) is a
    # shell script that adds its own ~50 ms before Python even starts.
    beside = Path(sys.executable).with_name("agentroute")
    script = str(beside) if beside.is_file() else shutil.which("agentroute")
    if script:
        commands["script"] = [script, "pick", "--router", path, request]
    result: Result = {"runs": runs, "file_bytes": os.path.getsize(path), "request": request, "script_path": script}
    walls: dict[str, list[float]] = {name: [] for name in commands}
    answers: dict[str, str] = {}
    for _ in range(runs):  # round-robin, so drifting machine load touches every variant alike
        for name, argv in commands.items():
            wall, answers[name] = _run_process(argv)
            walls[name].append(wall)
    for name, argv in commands.items():
        result[f"{name}_ms"] = statistics.median(walls[name])
        result[f"{name}_min_ms"] = min(walls[name])
        result[f"{name}_rss_bytes"] = _child_peak_rss(argv)
        if name != "interpreter":
            result[f"{name}_answer"] = answers[name]
        progress(f"cold start {name}: median {result[f'{name}_ms']:.0f} ms")
    return result


