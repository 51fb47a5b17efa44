"""Latency measurements of a router: pick percentiles, batch throughput, fit, memory, cold start.

Every function returns plain data (dicts of numbers and strings, JSON-ready)
and takes an optional ``progress`` callback for one-line status messages;
nothing here prints. :func:`run_bench` runs them all, with the plain
scikit-learn pipeline (``TfidfVectorizer.transform`` + ``linear_kernel`` +
argmax) measured on the same data in the same run, so reports can state
ratios: absolute times on a shared, noisy machine say less than ratios.

Conventions: latencies in microseconds (``*_us``), wall times of processes in
milliseconds (``*_ms``), sizes in bytes. Per-call timings use
``time.perf_counter_ns`` around each call, after a warm-up, with the garbage
collector off during the loop. The measurements that start new processes
(fit, cold start) live in :mod:`agentroute.evaluation.bench_process`, re-exported here.
"""

from __future__ import annotations

import gc
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agentroute.evaluation.bench_process import COLD_START_RUNS, measure_cold_start, measure_fit
from agentroute.routing.index import Index
from agentroute.model import Agent
from agentroute.routing.router import Router

__all__ = ["COLD_START_RUNS", "agent_document", "environment", "index_memory", "measure_cold_start", "measure_fit",
           "run_bench", "sklearn_baseline", "summarize_ns", "time_batch", "time_calls"]

Progress = Callable[[str], None]
Result = dict[str, Any]

#: Requests of the timed loops: warm-up calls, then at most this many calls or seconds.
WARMUP_CALLS = 300
MAX_CALLS = 5_000
MAX_SECONDS = 10.0


def _quiet(_: str) -> None:
    pass


def environment() -> Result:
    """Where the numbers were measured: versions, CPU model, cores, BLAS settings."""
    import sklearn

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from agentroute import __version__

    return {
        "agentroute": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "platform": platform.platform(),
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "blas_env": {k: v for k, v in sorted(os.environ.items()) if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))},
    }


def summarize_ns(samples: Sequence[int]) -> Result:
    """p50 / p95 / p99 / mean in µs of per-call timings in ns."""
    values = np.asarray(samples, dtype=np.float64) / 1000.0
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"n": len(values), "p50_us": float(p50), "p95_us": float(p95), "p99_us": float(p99),
            "mean_us": float(values.mean())}


def time_calls(call: Callable[[str], object], requests: Sequence[str], *, warmup: int = WARMUP_CALLS,
               max_calls: int = MAX_CALLS, max_seconds: float = MAX_SECONDS) -> Result:
    """Time ``call(request)`` once per request (cycling), single thread, warm, gc off."""
    if not requests:
        raise ValueError("time_calls needs at least one request")
    for i in range(min(warmup, max_calls)):
        call(requests[i % len(requests)])
    samples: list[int] = []
    clock = time.perf_counter_ns
    deadline = clock() + int(max_seconds * 1e9)
    gc.collect()
    gc.disable()
    try:
        for i in range(max_calls):
            request = requests[i % len(requests)]
            start = clock()
            call(request)
            end = clock()
            samples.append(end - start)
            if end > deadline and len(samples) >= 20:
                break
    finally:
        gc.enable()
    return summarize_ns(samples)


def time_batch(run: Callable[[Sequence[str]], object], requests: Sequence[str], *, repeat: int = 3) -> Result:
    """Throughput of ``run(requests)``: best of ``repeat`` after one warm-up run."""
    run(requests[: min(len(requests), 256)])
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run(requests)
        best = min(best, time.perf_counter() - start)
    return {"requests": len(requests), "seconds": best, "req_per_s": len(requests) / best}


def _deep_size_of_dict(mapping: dict[str, int]) -> int:
    # Keys are str objects; small ints (< 257) are shared by CPython, larger ones are objects of their own.
    return sys.getsizeof(mapping) + sum(sys.getsizeof(k) + (sys.getsizeof(v) if v > 256 else 0) for k, v in mapping.items())


def index_memory(router: Router | Index) -> Result:
    """Bytes held by the fitted index: weight arrays, IDF and vocabulary (estimated), per agent."""
    index = router.index if isinstance(router, Router) else router
    weights = index.weights
    arrays = sum(a.nbytes for a in vars(weights).values() if isinstance(a, np.ndarray))
    vocabulary = sum(_deep_size_of_dict(block.vocabulary) for block in index.space.blocks)
    idf = sum(sys.getsizeof(block.idf) + 24 * len(block.idf) for block in index.space.blocks)
    text = sum(sys.getsizeof(a.name) + sys.getsizeof(a.description) + sys.getsizeof(a.prompt) for a in index.agents)
    total = arrays + vocabulary + idf
    nnz = int(getattr(weights, "data", np.zeros(0)).size) or int(np.count_nonzero(getattr(weights, "rows", 0)))
    return {
        "strategy": index.strategy, "layout": type(weights).__name__, "n_agents": len(index.agents), "n_features": index.space.n_features,
        "nnz": nnz, "weights_bytes": arrays, "vocabulary_bytes": vocabulary, "idf_bytes": idf,
        "index_bytes": total, "bytes_per_agent": total / len(index.agents), "agent_text_bytes": text,
    }


def agent_document(agent: Agent) -> str:
    """The text the plain scikit-learn baseline indexes for an agent."""
    return "\n".join([agent.name.replace("-", " "), agent.description, *(e.request for e in agent.examples), agent.prompt])


def sklearn_baseline(agents: Sequence[Agent], requests: Sequence[str], *, batch_requests: Sequence[str] | None = None,
                     max_calls: int = 2_000, max_seconds: float = 8.0) -> Result:
    """The plain scikit-learn pipeline on the same data: fit, per-request and batch."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    documents = [agent_document(a) for a in agents]
    start = time.perf_counter()
    vectorizer = TfidfVectorizer(sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)
    fit_seconds = time.perf_counter() - start

    def pick(text: str) -> int:
        return int(np.argmax(linear_kernel(vectorizer.transform([text]), matrix)[0]))

    # The batch form: one transform, then products in row chunks so the dense result stays < ~80 MB.
    rows = max(1, 10_000_000 // len(agents))

    def pick_many(texts: Sequence[str]) -> list[int]:
        queries = vectorizer.transform(texts)
        return [int(i) for s in range(0, len(texts), rows) for i in np.argmax(linear_kernel(queries[s : s + rows], matrix), axis=1)]

    single = time_calls(pick, requests, warmup=50, max_calls=max_calls, max_seconds=max_seconds)
    batch = time_batch(pick_many, batch_requests or requests, repeat=2)
    return {"fit_seconds": fit_seconds, "n_features": len(vectorizer.vocabulary_), "pick": single, "batch": batch}


def run_bench(router_or_agents: Router | Sequence[Agent], requests: Sequence[str], *,
              batch_requests: Sequence[str] | None = None, progress: Progress | None = None,
              baseline: bool = True, cold_start: bool = True, isolated_fit: bool = True,
              work_dir: str | os.PathLike[str] | None = None) -> Result:
    """All measurements for one registry; a fitted Router skips the fit measurement.

    ``requests`` feed the per-call loops, ``batch_requests`` (default: the
    same) the throughput runs. The saved router used for cold start is written
    to ``work_dir`` (a temporary folder by default) and removed afterwards.
    """
    say = progress or _quiet
    if not requests:
        raise ValueError("run_bench needs at least one request")
    batch = list(batch_requests or requests)
    result: Result = {"environment": environment()}
    with tempfile.TemporaryDirectory(dir=work_dir) as folder:
        path = os.path.join(folder, "router.agentroute")
        if isinstance(router_or_agents, Router):
            router = router_or_agents
            router.save(path)
            result["fit"] = None
        else:
            agents = list(router_or_agents)
            say(f"fit {len(agents)} agents ({'fresh process' if isolated_fit else 'in process'})")
            result["fit"] = measure_fit(agents, router_path=path, isolated=isolated_fit)
            router = Router.load(path)
        agents = list(router.agents)
        result["n_agents"] = len(agents)
        result["memory"] = index_memory(router)
        say(f"pick: up to {MAX_CALLS} timed calls over {len(requests)} requests")
        result["pick"] = time_calls(router.pick, requests)
        result["abstained"] = sum(router.pick(r) is None for r in requests[:1000]) / min(1000, len(requests))
        say(f"batch: pick_many on {len(batch)} requests")
        result["batch"] = time_batch(router.pick_many, batch)
        if cold_start:
            result["cold_start"] = measure_cold_start(path, requests[0], progress=say)
    if baseline:
        say("scikit-learn pipeline on the same data")
        sk = sklearn_baseline(agents, requests, batch_requests=batch)
        result["sklearn"] = sk
        result["ratios"] = {
            "pick_p50_speedup": sk["pick"]["p50_us"] / result["pick"]["p50_us"],
            "batch_speedup": result["batch"]["req_per_s"] / sk["batch"]["req_per_s"],
        }
    return result
