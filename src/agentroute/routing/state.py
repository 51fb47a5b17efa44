"""One fitted state of a router, read-only: what every call reads once and answers from.

A :class:`RouterState` is immutable (a frozen record of immutable parts). A router
holds one at a time and replaces it whole on ``reload`` or a parameter change,
so code that takes a snapshot (``Router.snapshot()``: explain, lint, evaluation)
answers from one consistent state even while another thread reloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from agentroute.registry import Registry
from agentroute.routing.index import Index
from agentroute.routing.mentions import MentionFinder
from agentroute.routing.route import Route, clamp, top_k
from agentroute.routing.rule import PickRule

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
        """``request`` cut to ``max_request_chars``; None when it is blank (nothing to route)."""
        text = check_request(request)
        if len(text) > self.max_request_chars:
            text = text[: self.max_request_chars]
        return text if text.strip() else None

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
            texts = [text[: self.max_request_chars] for text in texts]
        return texts

    def named(self, text: str | None) -> int | None:
        """Position of the agent ``text`` names explicitly, when mentions are honoured."""
        return self.finder.find(text) if (self.rule.mentions and text) else None

    def ranking(self, scores: np.ndarray, named: int | None, k: int) -> list[Route]:
        """The top ``k`` routes for one request's ``scores``; a named agent comes first."""
        agents = self.index.agents
        order = [int(i) for i in top_k(scores, k)]
        routes = [Route(agents[i], clamp(float(scores[i]))) for i in order]
        if named is not None:
            routes = [Route(agents[named], 1.0, "mention")] + [r for i, r in zip(order, routes) if i != named]
        return routes[:k]
