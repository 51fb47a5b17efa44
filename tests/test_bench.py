"""agentroute.evaluation.bench on a tiny registry: the right keys, positive numbers, no printing. No timing assertions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from agentroute import Agent, Router
from agentroute.evaluation import bench
from agentroute.routing.index import Index
from agentroute.routing.scoring import make_weights

AGENTS = [
    Agent(name="sql-tuner", description="Tunes slow SQL queries and database indexes",
          prompt="You read query plans, add indexes and rewrite slow SQL for PostgreSQL."),
    Agent(name="css-fixer", description="Fixes CSS layouts, flexbox and grid bugs",
          prompt="You fix broken page layouts in CSS: flexbox, grid, responsive breakpoints."),
    Agent(name="release-bot", description="Cuts releases, writes changelogs and tags versions",
          prompt="You prepare releases: bump versions, write the changelog, tag and publish."),
]
REQUESTS = ["my SQL query is slow", "the grid layout breaks on mobile", "write the changelog for 2.0",
            "what is the weather"]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(AGENTS)


def _positive(result: dict[str, float], *keys: str) -> None:
    for key in keys:
        assert key in result, key
        assert isinstance(result[key], (int, float)) and math.isfinite(result[key]) and result[key] > 0, (key, result[key])


def test_environment_names_versions_and_hardware() -> None:
    env = bench.environment()
    for key in ("agentroute", "python", "numpy", "sklearn", "cpu", "nproc", "platform", "blas_env"):
        assert key in env
    assert isinstance(env["blas_env"], dict)


def test_summarize_ns_reports_percentiles_in_microseconds() -> None:
    summary = bench.summarize_ns([1_000, 2_000, 3_000, 4_000, 100_000])
    assert summary["n"] == 5
    assert summary["p50_us"] == pytest.approx(3.0)
    assert summary["p50_us"] <= summary["p95_us"] <= summary["p99_us"]


def test_time_calls_counts_calls_and_reports_positive_percentiles(router: Router) -> None:
    seen: list[str] = []

    def call(text: str) -> object:
        seen.append(text)
        return router.pick(text)

    result = bench.time_calls(call, REQUESTS, warmup=2, max_calls=10)
    assert result["n"] == 10 and len(seen) == 12  # warm-up calls are not timed
    _positive(result, "p50_us", "p95_us", "p99_us", "mean_us")


def test_time_calls_needs_requests() -> None:
    with pytest.raises(ValueError):
        bench.time_calls(len, [])


def test_time_batch_reports_throughput(router: Router) -> None:
    result = bench.time_batch(router.pick_many, REQUESTS * 5, repeat=1)
    assert result["requests"] == 20
    _positive(result, "seconds", "req_per_s")


def test_index_memory_dense_and_sparse_layouts(router: Router) -> None:
    dense = bench.index_memory(router)
    assert dense["layout"] == "DenseWeights" and dense["n_agents"] == 3
    _positive(dense, "n_features", "nnz", "weights_bytes", "vocabulary_bytes", "idf_bytes", "index_bytes",
              "bytes_per_agent", "agent_text_bytes")
    index = router.index
    sparse_index = Index(index.agents, index.space, make_weights(index.weights.to_csr(), dense_budget_bytes=0), index.strategy)
    sparse = bench.index_memory(sparse_index)
    assert sparse["layout"] == "SparseWeights"
    assert sparse["nnz"] == dense["nnz"]
    _positive(sparse, "weights_bytes", "index_bytes", "bytes_per_agent")


def test_measure_fit_in_process_saves_a_loadable_router(tmp_path: Path) -> None:
    path = tmp_path / "r.agentroute"
    result = bench.measure_fit(AGENTS, router_path=path, isolated=False)
    assert result["process"] == "same"
    _positive(result, "seconds", "peak_traced_bytes")
    assert Router.load(path).pick("slow SQL query").name == "sql-tuner"


@pytest.mark.slow
def test_measure_fit_in_a_fresh_process(tmp_path: Path) -> None:
    path = tmp_path / "r.agentroute"
    result = bench.measure_fit(AGENTS, router_path=path)
    assert result["process"] == "fresh"
    _positive(result, "seconds", "peak_rss_bytes")
    assert result["peak_rss_growth_bytes"] >= 0
    assert Router.load(path).pick("slow SQL query").name == "sql-tuner"


@pytest.mark.slow
def test_measure_cold_start_runs_new_processes_that_answer(router: Router, tmp_path: Path) -> None:
    path = tmp_path / "r.agentroute"
    router.save(path)
    messages: list[str] = []
    result = bench.measure_cold_start(path, "my SQL query is slow", runs=1, progress=messages.append)
    _positive(result, "file_bytes", "interpreter_ms", "cli_ms", "api_ms")
    assert result["cli_answer"].startswith("sql-tuner")
    assert result["api_answer"] == "sql-tuner"
    assert messages  # progress went to the callback


@pytest.mark.slow
def test_sklearn_baseline_reports_fit_single_and_batch() -> None:
    result = bench.sklearn_baseline(AGENTS, REQUESTS, max_calls=5)
    _positive(result, "fit_seconds", "n_features")
    _positive(result["pick"], "p50_us", "p99_us")
    _positive(result["batch"], "req_per_s")


@pytest.mark.slow
def test_run_bench_on_a_router_reports_everything_without_printing(router: Router, capsys: pytest.CaptureFixture[str]) -> None:
    messages: list[str] = []
    result = bench.run_bench(router, REQUESTS, progress=messages.append, cold_start=False)
    assert set(result) >= {"environment", "fit", "n_agents", "memory", "pick", "batch", "sklearn", "ratios", "abstained"}
    assert result["fit"] is None and result["n_agents"] == 3
    _positive(result["pick"], "p50_us", "p95_us", "p99_us")
    _positive(result["batch"], "req_per_s")
    _positive(result["ratios"], "pick_p50_speedup", "batch_speedup")
    assert 0 <= result["abstained"] <= 1
    assert messages
    assert capsys.readouterr() == ("", "")


@pytest.mark.slow
def test_run_bench_on_agents_fits_first() -> None:
    result = bench.run_bench(AGENTS, REQUESTS, baseline=False, cold_start=False, isolated_fit=False)
    _positive(result["fit"], "seconds")
    assert "sklearn" not in result and result["n_agents"] == 3


def test_run_bench_needs_requests(router: Router) -> None:
    with pytest.raises(ValueError):
        bench.run_bench(router, [], cold_start=False)
