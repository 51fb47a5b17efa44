"""One router shared by threads while its agents are reloaded.

The full-size run (8 threads x 50,000 picks, 100 reloads) is
``python benchmarks/stress.py``; this runs the same code small enough for the
unit suite, checks that the checker does catch a router that mixes two
states, and pins down what a failed reload does under load.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from agentroute import Agent, Router
from agentroute.errors import RegistryError
from agentroute.routing.router import Route

STRESS_FILE = Path(__file__).resolve().parents[1] / "benchmarks" / "stress.py"


def _load_stress():
    spec = importlib.util.spec_from_file_location("agentroute_stress", STRESS_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


stress = _load_stress()


def test_threads_picking_during_reloads_see_the_old_or_the_new_index():
    figures = stress.run(threads=4, picks=2_000, reloads=10)
    assert figures.exceptions == [] and figures.mismatches == [], figures.report()
    assert figures.reloads == 10 and figures.picks == 8_000
    # Both versions really answered, so swaps happened while threads were picking.
    assert figures.answered_by["v1"] > 0 and figures.answered_by["v2"] > 0


class MixingRouter(Router):
    """A deliberately broken router: it scores with one state, then names agents from a second read."""

    def pick(self, request):
        state = self.snapshot()
        text = state.prepare(request)
        if text is None:
            return None
        named = state.named(text)
        if named is not None:
            return Route(state.index.agents[named], 1.0, "mention")
        scores, known = state.index.scores(text)
        time.sleep(0)  # let other threads run (a reload, say) between the two reads
        agent, score, _ = self.snapshot().rule.decide(scores, known, None)
        return None if agent is None else Route(self.snapshot().index.agents[agent], score)  # the torn read


@pytest.mark.slow
def test_the_checker_catches_answers_that_mix_two_states():
    figures = stress.run(threads=4, picks=3_000, reloads=20, router_class=MixingRouter)
    assert figures.mismatches or figures.exceptions, "the stress check would not notice a torn read"


AGENTS_A = [Agent(name="kafka-expert", description="Kafka streams and consumer lag."),
            Agent(name="redis-expert", description="Redis caching and eviction.")]
AGENTS_B = [Agent(name="postgres-expert", description="Postgres vacuum and replication.")]


def test_failed_reloads_under_load_keep_the_old_index():
    router = Router(AGENTS_A)
    expected = router.pick("kafka consumer lag")
    errors: list[BaseException] = []
    answers: list[object] = []
    stop = threading.Event()

    def picker():
        while not stop.is_set():
            try:
                answers.append(router.pick("kafka consumer lag"))
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

    threads = [threading.Thread(target=picker) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(20):
            with pytest.raises(RegistryError):
                router.reload([])  # an empty registry cannot be fitted
            with pytest.raises(TypeError):
                router.reload("not a list of agents")  # type: ignore[arg-type]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == [] and answers and all(a == expected for a in answers)


def _reload_once_inside(monkeypatch, router, method):
    """Make ``MentionFinder.<method>`` reload ``router`` to AGENTS_B the first time it runs: a reload
    by another thread landing mid-call. Returns the list that records whether it did."""
    from agentroute.routing.mentions import MentionFinder

    original = getattr(MentionFinder, method)
    reloads: list[int] = []

    def after_a_reload(self, *args):
        if not reloads:
            reloads.append(1)
            router.reload(AGENTS_B)  # stands for a reload by another thread at this moment
        return original(self, *args)

    monkeypatch.setattr(MentionFinder, method, after_a_reload)
    return reloads


def test_explain_takes_one_snapshot_of_the_router(monkeypatch):
    """explain() must answer from the state it started with, even if a reload lands meanwhile.

    The reload is made to land in the middle of explain(): when it looks for a
    mention, after it took its snapshot and scored. An explain that read the router
    again afterwards would rank or pick among the new index's agents.
    """
    router = Router(AGENTS_A)
    reloads = _reload_once_inside(monkeypatch, router, "find")
    explanation = router.explain("kafka consumer lag agent", k=2)  # "agent": the finder really looks
    assert reloads, "the reload did not land during explain()"
    assert [a.route.agent.name for a in explanation.agents] == ["kafka-expert", "redis-expert"]
    assert explanation.picked is not None and explanation.picked.agent.name == "kafka-expert"
    assert router.agents[0].name == "postgres-expert"  # the reload did happen


def test_scores_are_the_same_whatever_thread_computes_them():
    router = Router(AGENTS_A + AGENTS_B)
    requests = ["kafka consumer lag", "redis eviction", "postgres vacuum", "zzqx", ""] * 50
    reference = [router.rank(r, k=3) for r in requests]
    results: dict[int, list] = {}

    def worker(slot: int) -> None:
        results[slot] = [router.rank(r, k=3) for r in requests]

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for answers in results.values():
        for got, want in zip(answers, reference):
            assert [r.agent.name for r in got] == [r.agent.name for r in want]
            np.testing.assert_array_equal([r.score for r in got], [r.score for r in want])


@pytest.mark.slow
def test_threads_sharing_a_router_get_the_batch_answers_of_one_thread():
    """Batch routing fills a shared word table as it meets new words; threads racing to fill
    it must still get exactly the answers a single thread gets."""
    words = [f"w{i:05d}x" for i in range(3_000)]
    agents = [Agent(name=f"agent-{a}", description=" ".join(words[a::20])) for a in range(20)]
    rng = np.random.default_rng(7)
    batches = [[" ".join(rng.choice(words, 6)) for _ in range(2_100)] for _ in range(6)]
    expected = [Router(agents, threshold=0.0).rank_many(batch, k=2) for batch in batches]
    router = Router(agents, threshold=0.0)  # a fresh, empty word table
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            results[number] = router.rank_many(batches[number], k=2)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to provoke races
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(len(batches))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    for number, answer in enumerate(expected):
        assert results[number] == answer, f"batch {number} differs from single-thread routing"


def test_evaluate_takes_one_snapshot_of_the_router(monkeypatch):
    """A reload landing in the middle of evaluate() changes none of its figures."""
    from agentroute import evaluate
    from agentroute.evaluation.labelled import as_labelled
    router = Router(AGENTS_A)
    rows = as_labelled(["kafka consumer lag agent", "redis eviction agent", "zzqx"], ["kafka-expert", "redis-expert", "none"])
    reloads = _reload_once_inside(monkeypatch, router, "find_many")
    report = evaluate(router, rows, k=2)
    assert reloads and router.agents[0].name == "postgres-expert"
    assert report.accuracy == 1.0 and report.top_k_accuracy == 1.0 and report.closed_set_accuracy == 1.0
