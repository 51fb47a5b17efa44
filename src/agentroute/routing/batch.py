"""Batch routing: many requests scored chunk by chunk, answered as compact arrays.

:func:`decide_many` applies the same pick rule as ``Router.pick`` (or takes the
top ``k``) to a whole batch; what it returns is plain numpy arrays, cheap to
send back from a joblib worker. :func:`routes_from` turns them into the
``Route`` objects ``pick_many``/``rank_many`` return, in the calling process.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from agentroute.routing.index import Index
from agentroute.routing.mentions import MentionFinder
from agentroute.routing.route import Route, clamp, top_k

__all__ = ["BATCH_CELLS", "BATCH_ROWS", "PARALLEL_MIN_ROWS", "Decisions", "decide_many", "routes_from"]

#: Batch routing scores this many requests per matrix product, and at most this many cells at once.
BATCH_ROWS = 1024
BATCH_CELLS = 250_000
#: Batches smaller than this run in the calling process whatever ``n_jobs`` says.
PARALLEL_MIN_ROWS = 2 * BATCH_ROWS


class Decisions(NamedTuple):
    """Batch answers as plain arrays (cheap to send back from a worker process).

    ``named``: the agent a request names, or -1. For picks, ``agents``/``scores`` have one
    column: the agent picked (-1: abstain) and its score. For ranks, the top ``k`` of each row.
    """

    named: np.ndarray
    agents: np.ndarray
    scores: np.ndarray


def decide_many(index: Index, finder: MentionFinder, texts: list[str], k: int | None,
                 rule: tuple[float, float, bool]) -> Decisions:
    """Score ``texts`` chunk by chunk and apply the pick rule of ``Router._decide`` (or take the top ``k``)."""
    threshold, margin, mentions = rule
    n_agents = len(index.agents)
    rows = max(1, min(BATCH_ROWS, BATCH_CELLS // max(1, n_agents)))
    width = 1 if k is None else min(k, n_agents)
    named = np.full(len(texts), -1, dtype=np.int64)
    agents = np.full((len(texts), width), -1, dtype=np.int64)
    scores = np.zeros((len(texts), width))
    for start in range(0, len(texts), rows):
        chunk = texts[start : start + rows]
        here = slice(start, start + len(chunk))
        chunk_scores, known = index.score_many(chunk)
        if mentions:
            named[here] = [-1 if n is None else n for n in finder.find_many(chunk)]
        if k is not None:
            top = np.array([top_k(row, k) for row in chunk_scores], dtype=np.int64).reshape(len(chunk), width)
            agents[here] = top
            scores[here] = np.take_along_axis(chunk_scores, top, axis=1)
            continue
        best = chunk_scores.argmax(axis=1)
        best_scores = np.clip(chunk_scores[np.arange(len(chunk)), best], 0.0, 1.0)
        accept = (known > 0) & (best_scores >= threshold) & (best_scores > 0)
        if margin > 0 and n_agents > 1:
            second = np.partition(chunk_scores, -2, axis=1)[:, -2]
            accept &= best_scores - second >= margin
        agents[here, 0] = np.where(accept, best, -1)
        scores[here, 0] = best_scores
    return Decisions(named, agents, scores)


def routes_from(index: Index, decided: Decisions, k: int | None) -> list[object]:
    """Route objects (and None for abstentions) from batch decisions, as pick/rank return them."""
    agents = index.agents
    answers: list[object] = []
    if k is None:
        for n, a, score in zip(decided.named.tolist(), decided.agents[:, 0].tolist(), decided.scores[:, 0].tolist()):
            if n >= 0:
                answers.append(Route(agents[n], 1.0, "mention"))
            else:
                answers.append(Route(agents[a], score) if a >= 0 else None)
        return answers
    for n, top, top_scores in zip(decided.named.tolist(), decided.agents.tolist(), decided.scores.tolist()):
        routes = [Route(agents[a], clamp(score)) for a, score in zip(top, top_scores) if a != n]
        if n >= 0:
            routes.insert(0, Route(agents[n], 1.0, "mention"))
        answers.append(routes[:k])
    return answers
