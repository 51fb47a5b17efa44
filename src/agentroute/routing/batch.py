"""Batch routing: many requests scored chunk by chunk, answered as compact arrays.

:func:`decide_many` applies the pick rule (:meth:`PickRule.decide_many`, the
same rule as ``Router.pick``) or takes the top ``k`` for a whole batch; what it
returns is plain numpy arrays, cheap to send back from a joblib worker.
:func:`routes_from` turns them into the ``Route`` objects
``pick_many``/``rank_many`` return, in the calling process.
:func:`evidence_many` returns what the rule reads of each request, so a
threshold can be tuned by applying the rule itself at each candidate.
"""

from __future__ import annotations

from typing import Callable, Iterator, NamedTuple, TypeVar

import numpy as np

from agentroute.routing.index import Index
from agentroute.routing.mentions import MentionFinder
from agentroute.routing.route import Route, clamp, collector_paused, routes_for, top_k
from agentroute.routing.rule import Evidence, PickRule, evidence

__all__ = ["BATCH_CELLS", "BATCH_ROWS", "PARALLEL_MIN_ROWS", "Decisions", "decide_many", "evidence_many",
           "in_chunks", "routes_from"]

#: Batch routing scores this many requests per matrix product, and at most this many cells at once.
BATCH_ROWS = 1024
BATCH_CELLS = 250_000
#: Batches smaller than this run in the calling process whatever ``n_jobs`` says.
PARALLEL_MIN_ROWS = 2 * BATCH_ROWS

T = TypeVar("T")


class Decisions(NamedTuple):
    """Batch answers as plain arrays (cheap to send back from a worker process).

    ``named``: the agent a request names, or -1. For picks, ``agents``/``scores`` have one
    column: the agent answered (-1: abstain; the named agent for a mention) and its score.
    For ranks, the top ``k`` of each row.
    """

    named: np.ndarray
    agents: np.ndarray
    scores: np.ndarray


def _chunks(index: Index, finder: MentionFinder, texts: list[str], mentions: bool,
            ranked: bool = False) -> Iterator[tuple[slice, np.ndarray, np.ndarray, np.ndarray]]:
    """``(slice, scores, known, named)`` per chunk of ``texts`` (bounded memory at many agents);
    ``ranked``: the values agents are ranked by instead of scores (``Index.score_many``)."""
    rows = max(1, min(BATCH_ROWS, BATCH_CELLS // max(1, len(index.agents))))
    for start in range(0, len(texts), rows):
        chunk = texts[start : start + rows]
        chunk_scores, known = index.score_many(chunk, ranked=ranked)
        named = np.full(len(chunk), -1, dtype=np.int64)
        if mentions:
            named[:] = [-1 if n is None else n for n in finder.find_many(chunk)]
        yield slice(start, start + len(chunk)), chunk_scores, known, named


def decide_many(index: Index, finder: MentionFinder, texts: list[str], k: int | None, rule: PickRule) -> Decisions:
    """Score ``texts`` chunk by chunk and apply ``rule`` (or take the top ``k``)."""
    width = 1 if k is None else min(k, len(index.agents))
    named = np.full(len(texts), -1, dtype=np.int64)
    agents = np.full((len(texts), width), -1, dtype=np.int64)
    scores = np.zeros((len(texts), width))
    # Picks read each request's top two values only: they map those to scores, as pick does.
    ranked = k is None and index.score_of is not None
    for here, chunk_scores, known, chunk_named in _chunks(index, finder, texts, rule.mentions, ranked):
        named[here] = chunk_named
        if k is not None:
            top = np.array([top_k(row, k) for row in chunk_scores], dtype=np.int64).reshape(len(chunk_scores), width)
            agents[here] = top
            scores[here] = np.take_along_axis(chunk_scores, top, axis=1)
            continue
        decided = rule.decide_many(evidence(chunk_scores, known, chunk_named, second=rule.margin > 0,
                                            score_of=index.scores_from_ranked if ranked else None))
        agents[here, 0] = decided.agents
        scores[here, 0] = decided.scores
    return Decisions(named, agents, scores)


def evidence_many(index: Index, finder: MentionFinder, texts: list[str], mentions: bool) -> Evidence:
    """What the pick rule reads of each of ``texts`` (see :func:`agentroute.routing.rule.evidence`)."""
    parts = [evidence(s, known, named) for _, s, known, named in _chunks(index, finder, texts, mentions)]
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Evidence(empty, np.zeros(0), np.zeros(0), empty, empty)
    return Evidence(*(np.concatenate(column) for column in zip(*parts)))


def in_chunks(work: Callable[[list[str]], T], texts: list[str], n_jobs: int | None) -> list[T]:
    """``work`` over ``texts`` in one call, or over chunks spread on joblib workers.

    A few large tasks per worker: each task ships ``work`` (and the index it holds) to
    its worker, and only compact arrays should come back.
    """
    if n_jobs is None or n_jobs == 1 or len(texts) < PARALLEL_MIN_ROWS:
        return [work(texts)]
    from joblib import Parallel, delayed, effective_n_jobs

    size = max(PARALLEL_MIN_ROWS // 2, -(-len(texts) // (4 * effective_n_jobs(n_jobs))))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    return list(Parallel(n_jobs=n_jobs)(delayed(work)(chunk) for chunk in chunks))


def routes_from(index: Index, decided: Decisions, k: int | None) -> list[object]:
    """Route objects (and None for abstentions) from batch decisions, as pick/rank return them."""
    agents = index.agents
    answers: list[object] = []
    if k is None:
        return list(routes_for(agents, decided.agents[:, 0].tolist(), decided.scores[:, 0].tolist(), decided.named.tolist()))
    with collector_paused():  # k routes per request: as many new objects as picks make, or more
        for n, top, top_scores in zip(decided.named.tolist(), decided.agents.tolist(), decided.scores.tolist()):
            routes = [Route(agents[a], clamp(score)) for a, score in zip(top, top_scores) if a != n]
            if n >= 0:
                routes.insert(0, Route(agents[n], 1.0, "mention"))
            answers.append(routes[:k])
    return answers
