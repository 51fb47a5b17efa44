"""One fitted state of a router, read-only: what every call reads once and answers from.

A :class:`RouterState` is immutable (a frozen record of immutable parts). A router
holds one at a time and replaces it whole on ``reload`` or a parameter change,
so code that takes a snapshot (``Router.snapshot()``: explain, lint, evaluation)
answers from one consistent state even while another thread reloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable, Mapping, Sequence

import numpy as np

from agentroute.registry import Registry
from agentroute.routing.batch import Decisions, decide_many, evidence_many, in_chunks, routes_from
from agentroute.routing.index import Index
from agentroute.routing.mentions import MentionFinder
from agentroute.routing.route import Route, check_k, clamp, top_k
from agentroute.routing.rule import Decision, Evidence, PickRule

__all__ = ["RouterState", "check_request"]


def check_request(request: object) -> str:
    if not isinstance(request, str):
        raise TypeError(f"request must be a str, not {type(request).__name__}")
    return request


@dataclass(frozen=True, slots=True)
class RouterState:
    """The index answering now, the pick rule, the mention finder and the registry fitted on.

    ``max_request_chars`` is the cut applied before scoring; ``field_weights`` the
    complete weight table the index was fitted with (profile strategy).
    """

    index: Index
    rule: PickRule
    finder: MentionFinder
    registry: Registry
    max_request_chars: int
    field_weights: Mapping[str, float]

    def prepare(self, request: object) -> str | None:
        """``request`` cut to ``max_request_chars`` (see :meth:`cut`); None when it is blank."""
        text = check_request(request)
        if len(text) > self.max_request_chars:
            text = self.cut(text)
        return text if text.strip() else None

    def cut(self, text: str) -> str:
        """The first ``max_request_chars`` characters of a longer ``text``, plus the words of a
        mention found in its last ``max_request_chars`` (a long paste often ends with "use the X
        agent"). Bounded time: at most twice the limit is searched, never the middle."""
        limit = self.max_request_chars
        head = text[:limit]
        if not self.rule.mentions:
            return head
        phrase = self.finder.find_phrase(text[max(limit, len(text) - limit):])
        return head if phrase is None else f"{head}\n{phrase}"

    def prepare_many(self, requests: Sequence[str]) -> list[str]:
        """``prepare`` for a batch, without a Python call per request: blank requests stay
        as they are, since they score nothing and name no agent, as None would."""
        if isinstance(requests, str):
            raise TypeError("batch routing takes a sequence of str, not a single str")
        texts = list(requests)
        if not set(map(type, texts)) <= {str}:
            for text in texts:
                check_request(text)  # names the first type that is not a str
        if texts and max(map(len, texts)) > self.max_request_chars:
            texts = [text if len(text) <= self.max_request_chars else self.cut(text) for text in texts]
        return texts

    def named(self, text: str | None) -> int | None:
        """Position of the agent ``text`` names explicitly, when mentions are honoured."""
        return self.finder.find(text) if (self.rule.mentions and text) else None

    def scored(self, text: str) -> tuple[np.ndarray, int, Callable[[float], float] | None]:
        """What agents are ranked by for ``text`` (:meth:`Index.ranked_scores`; zeros when no feature
        is known), its informative known-term count, and the map from those values to scores."""
        ranked, known = self.index.ranked_scores(text)
        if ranked is None:
            return np.zeros(len(self.index.agents)), 0, None
        return ranked, known, self.index.score_of

    def ranking(self, scores: np.ndarray, named: int | None, k: int,
                score_of: Callable[[float], float] | None = None) -> list[Route]:
        """The top ``k`` routes for one request's ``scores`` (mapped by ``score_of``); a named agent comes first."""
        agents = self.index.agents
        order = [int(i) for i in top_k(scores, k)]
        routes = [Route(agents[i], clamp(float(scores[i]) if score_of is None else score_of(float(scores[i]))))
                  for i in order]
        if named is not None:
            routes = [Route(agents[named], 1.0, "mention")] + [r for i, r in zip(order, routes) if i != named]
        return routes[:k]

    def decide(self, request: object) -> Decision:
        """What ``pick`` answers for ``request`` in this state, and why."""
        text = self.prepare(request)
        if text is None:
            return Decision(None, "no_terms")
        named = self.named(text)
        scores, known, score_of = self.scored(text) if named is None else (np.zeros(0), 0, None)
        agent, score, reason = self.rule.decide(scores, known, named, score_of)
        if agent is None:
            return Decision(None, reason)
        return Decision(Route(self.index.agents[agent], score, "mention" if reason == "mention" else "score"), reason)

    def rank(self, request: object, k: int) -> list[Route]:
        """The ``k`` best routes for ``request`` in this state (``Router.rank``)."""
        check_k(k)
        text = self.prepare(request)
        if text is None:
            return self.ranking(np.zeros(len(self.index.agents)), None, k)
        scores, _, score_of = self.scored(text)
        return self.ranking(scores, self.named(text), k, score_of)

    def route_many(self, requests: Sequence[str], k: int | None, n_jobs: int | None) -> list[object]:
        """``pick`` (``k`` None) or ``rank`` for each request, vectorised (``Router.pick_many``/``rank_many``)."""
        texts = self.prepare_many(requests)
        work = partial(decide_many, self.index, self.finder, k=k, rule=self.rule)
        parts: list[Decisions] = in_chunks(work, texts, n_jobs)
        return [answer for part in parts for answer in routes_from(self.index, part, k)]

    def evidence_many(self, requests: Sequence[str], n_jobs: int | None = None) -> Evidence:
        """What the pick rule reads of each request (tuning and coverage curves apply the rule to it)."""
        texts = self.prepare_many(requests)
        work = partial(evidence_many, self.index, self.finder, mentions=self.rule.mentions)
        parts: list[Evidence] = in_chunks(work, texts, n_jobs)
        return Evidence(*(np.concatenate(column) for column in zip(*parts)))
