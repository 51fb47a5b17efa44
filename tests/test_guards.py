"""Behaviours a mutation run found unguarded (each test names what it pins down).

Batch routing must answer exactly as single routing at the edges (zero scores at
threshold 0, a mention that starts a later row, stop words whose prefix is a
feature, word tables that grow and reset, the inverted index's sparse fallback);
``n_jobs`` must really spread work; a failed save must leave the old file and no
temporary file behind.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from agentroute import Agent, Router
from agentroute.features import word_tables
from agentroute.routing import batch, persist, scoring

FIELD_AGENTS = [
    Agent(name="sql-expert", description="Tunes slow SQL queries and indexes", prompt="kubernetes helm charts"),
    Agent(name="css-fixer", description="Fixes CSS layouts and the interface styling"),
    Agent(name="test-writer", description="Writes unit tests for flaky code"),
]
NO_PROMPT = {"name": 1.0, "description": 1.0, "examples": 1.0, "context": 1.0, "prompt": 0.0}


def _same_as_single(router: Router, requests: list[str]) -> None:
    # Same agents and reasons exactly; scores to float32 rounding (batches and single requests
    # sum the same float32 products in different orders, ~20% of random requests differ by 1 ulp).
    picked, single_picks = router.pick_many(requests), [router.pick(r) for r in requests]
    assert [(p.agent.name, p.reason) if p else None for p in picked] == [
        (p.agent.name, p.reason) if p else None for p in single_picks]
    np.testing.assert_allclose([p.score for p in picked if p], [p.score for p in single_picks if p], rtol=1e-6, atol=1e-9)
    ranked = router.rank_many(requests, k=3)
    for request, routes in zip(requests, ranked):
        single = router.rank(request, k=3)
        assert [r.agent.name for r in routes] == [r.agent.name for r in single]
        np.testing.assert_allclose([r.score for r in routes], [r.score for r in single], rtol=1e-6, atol=1e-9)


def test_a_known_word_of_a_zero_weight_field_never_picks_even_at_threshold_zero():
    """'kubernetes' is in the vocabulary (the prompt was fitted) but weighs 0: every score is 0."""
    router = Router(FIELD_AGENTS, threshold=0.0, field_weights=NO_PROMPT)
    assert router.decide("kubernetes").reason == "below_threshold"
    assert router.pick("kubernetes") is None
    assert router.pick_many(["kubernetes", "kubernetes helm", "css layouts"])[:2] == [None, None]


def test_a_mention_at_the_very_start_of_a_later_batch_row():
    router = Router(FIELD_AGENTS)
    requests = ["slow sql queries", "@agent-css-fixer slow sql queries", "ask the test-writer agent", "x"]
    picks = router.pick_many(requests)
    assert [p.agent.name if p else None for p in picks] == ["sql-expert", "css-fixer", "test-writer", None]
    assert picks[1].reason == "mention"
    _same_as_single(router, requests)


def test_a_stop_word_whose_prefix_is_a_feature_scores_nothing_in_batches():
    """'interest' is an English stop word; its prefix '~inter' is a feature (from 'interface')."""
    router = Router(FIELD_AGENTS, threshold=0.0)
    assert "~inter" in router.index.space.blocks[0].vocabulary
    assert router.decide("interest").reason == "no_terms"
    _same_as_single(router, ["interest", "interest css", "the interest of flaky"])
    assert router.pick_many(["interest", "interest"]) == [None, None]


def test_a_stop_word_whose_prefix_is_a_feature_scores_nothing_without_word_forms():
    """Without word forms, only the batch table's own stop-word check keeps 'interest' off '~inter'."""
    from dataclasses import replace

    from agentroute.routing.profile_index import build_profile_index, default_analyzers
    from agentroute.routing.profile import validate_field_weights

    specs = tuple(replace(spec, word_forms=False) for spec in default_analyzers())
    index = build_profile_index(FIELD_AGENTS, field_weights=validate_field_weights({}), analyzers=specs)
    assert "~inter" in index.space.blocks[0].vocabulary
    requests = ["interest", "interest css", "the interest of flaky"]
    batch_scores, known = index.score_many(requests)
    for row, request in enumerate(requests):
        single, single_known = index.scores(request)
        np.testing.assert_allclose(batch_scores[row], single, rtol=1e-6, atol=1e-9)
        assert known[row] == single_known
    assert known[0] == 0 and not batch_scores[0].any()


def test_batch_word_tables_past_their_first_4096_words():
    """More distinct words than the tables' first size, then stop words: the grown slots start empty."""
    router = Router(FIELD_AGENTS, threshold=0.0)
    fillers = [" ".join(f"w{i}x" for i in range(start, start + 1000)) for start in range(0, 5000, 1000)]
    requests = [*fillers, "interest css layouts", "the of and", "slow sql " + fillers[0][:200]]
    _same_as_single(router, requests)


def test_batch_word_tables_after_a_reset(monkeypatch):
    """A reset renumbers words: no stop word may keep the features of the word that had its number."""
    monkeypatch.setattr(word_tables, "UNIT_CACHE_LIMIT", 8)
    router = Router(FIELD_AGENTS, threshold=0.0)
    first = ["slow sql queries indexes css layouts interface unit tests flaky", "kubernetes helm"]
    router.pick_many(first)  # fills the table past the limit
    again = ["the interest of", "and", "css", "about flaky"]  # stop words get the low numbers now
    _same_as_single(router, again)
    _same_as_single(router, first + again)


@pytest.mark.parametrize("short_postings", [True, False])
def test_the_inverted_index_sparse_fallback_scores_like_single_requests(monkeypatch, short_postings):
    """Batches whose postings are short, or too wide for a dense slice of W, use a sparse
    product: the same scores as the dense slice and as single requests."""
    agents = FIELD_AGENTS
    router = Router(agents, threshold=0.0)
    sparse = scoring.make_weights(router.index.weights.to_csr(), dense_budget_bytes=0)
    assert isinstance(sparse, scoring.SparseWeights)
    texts = ["slow sql css", "flaky unit tests", "zzz", "interface"]
    queries = router.index.space.transform(texts)
    monkeypatch.setattr(scoring, "SPARSE_PRODUCT_RATIO", 10**9)  # postings never count as short
    dense_path = sparse.score_many(queries)
    for text, row in zip(texts, dense_path):
        ids, values = router.index.space.vectorize(text)
        np.testing.assert_allclose(row, sparse.score(ids, values) if len(ids) else 0.0, rtol=1e-6, atol=1e-9)
    if short_postings:
        monkeypatch.setattr(scoring, "SPARSE_PRODUCT_RATIO", 0)
    else:
        monkeypatch.setattr(scoring, "BATCH_DENSE_BYTES", 0)
    fallback = scoring.make_weights(router.index.weights.to_csr(), dense_budget_bytes=0).score_many(queries)
    np.testing.assert_allclose(fallback, dense_path, rtol=1e-6, atol=1e-9)
    assert fallback.shape == (4, len(agents)) and fallback[0].max() > 0


def test_n_jobs_really_spreads_a_large_batch_over_workers(monkeypatch):
    import joblib

    calls: list[tuple[object, int]] = []
    real = joblib.Parallel

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, n_jobs=None, **kwargs):
            super().__init__(n_jobs=n_jobs, backend="threading")
            self.recorded_n_jobs = n_jobs

        def __call__(self, tasks):
            tasks = list(tasks)
            calls.append((self.recorded_n_jobs, len(tasks)))
            return super().__call__(tasks)

    monkeypatch.setattr(joblib, "Parallel", Recording)
    router = Router(FIELD_AGENTS)
    requests = ["slow sql queries", "css layouts", "zzz", "flaky unit tests"] * (batch.PARALLEL_MIN_ROWS // 2)
    serial = router.pick_many(requests)
    assert calls == []  # n_jobs=None stays in the calling process
    assert router.pick_many(requests, n_jobs=2) == serial
    assert len(calls) == 1 and calls[0][0] == 2 and calls[0][1] > 1
    assert router.rank_many(requests[:10], n_jobs=2) == router.rank_many(requests[:10])  # small: serial
    assert len(calls) == 1


# -- saving -------------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    router = Router(FIELD_AGENTS)
    path = tmp_path / "router.agr"
    router.save(path)
    return router, path


def test_a_save_is_written_aside_flushed_to_disk_then_renamed(saved, monkeypatch):
    router, path = saved
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else "?"))
        return real_fsync(fd)

    def replace(source, target):
        events.append(("replace", str(source)))
        return real_replace(source, target)

    monkeypatch.setattr(persist.os, "fsync", fsync)
    monkeypatch.setattr(persist.os, "replace", replace)
    router.save(path)  # over the existing file
    assert [kind for kind, _ in events] == ["fsync", "replace"]
    temp = events[1][1]
    assert os.path.dirname(temp) == str(path.parent) and temp != str(path)
    if events[0][1] != "?":
        assert events[0][1] == temp  # the temporary file is what reached the disk before the rename
    assert Router.load(path).rank("css", k=3) == router.rank("css", k=3)


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary_file(saved, monkeypatch):
    router, path = saved
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        Router([Agent(name="other", description="something else entirely")]).save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["router.agr"]
    assert Router.load(path).agents == router.agents
