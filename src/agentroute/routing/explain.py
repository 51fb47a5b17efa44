"""Why a request went where it did: per-term and per-field contributions, and the abstention verdict.

A score is the dot product ``q · W[:, agent]`` (plus a bias and a monotone
calibration for the linear strategy), so it splits exactly into one
contribution per query term. For the profile strategy each agent's column is
the normalised weighted sum of its field vectors, so a term's contribution
also splits exactly across fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agentroute.routing.profile import FIELDS, field_texts

if TYPE_CHECKING:
    from agentroute.routing.index import Index
    from agentroute.routing.router import Route, Router


@dataclass(frozen=True)
class TermContribution:
    term: str
    contribution: float  # share of the raw score this term brings
    fields: dict[str, float] = field(default_factory=dict)  # profile strategy: by field


@dataclass(frozen=True)
class AgentExplanation:
    route: Route
    terms: tuple[TermContribution, ...]
    fields: dict[str, float]  # profile strategy: the score split by field


@dataclass(frozen=True)
class Explanation:
    request: str
    strategy: str
    picked: Route | None
    verdict: str  # why pick answered as it did
    known_terms: tuple[str, ...]
    agents: tuple[AgentExplanation, ...]


def _terms_by_id(index: Index) -> dict[int, str]:
    return {block.offset + i: term for block in index.space.blocks for term, i in block.vocabulary.items()}


def _field_columns(index: Index, position: int, field_weights: dict[str, float]) -> dict[str, dict[int, float]]:
    """The agent's weighted field vectors divided by its column norm: they sum to W[:, agent]."""
    texts = field_texts(index.agents[position])
    parts: dict[str, dict[int, float]] = {}
    for name in FIELDS:
        if field_weights.get(name, 0) == 0:
            continue
        ids, values = index.space.vectorize(texts[name])
        parts[name] = {int(i): float(v) * field_weights[name] for i, v in zip(ids, values)}
    total: dict[int, float] = {}
    for vector in parts.values():
        for i, v in vector.items():
            total[i] = total.get(i, 0.0) + v
    norm = float(np.sqrt(sum(v * v for v in total.values()))) or 1.0
    return {name: {i: v / norm for i, v in vector.items()} for name, vector in parts.items()}


def verdict(router: Router, index: Index, scores: np.ndarray, known: int, named: int | None) -> str:
    if named is not None:
        return f"named explicitly: {index.agents[named].name}"
    if known == 0:
        return "abstains: the request has no informative term the agents use (common words alone do not pick)"
    order = np.argsort(-scores, kind="stable")
    best = float(scores[order[0]])
    threshold = router._threshold_for(index)  # the snapshot's, not a re-read of the router
    if best <= 0.0 or best < threshold:
        return f"abstains: best score {best:.4f} is below the threshold {threshold:.4f}"
    if router.margin > 0 and len(scores) > 1:
        lead = best - float(scores[order[1]])
        if lead < router.margin:
            return f"abstains: the lead {lead:.4f} over the second agent is below the margin {router.margin:.4f}"
    return f"picks {index.agents[order[0]].name}: score {best:.4f} >= threshold {threshold:.4f}"


def explain(router: Router, request: str, *, k: int = 3, terms: int = 8) -> Explanation:
    """Explain ``router``'s answer for ``request`` (see :meth:`Router.explain`)."""
    from agentroute.routing.route import check_k

    check_k(k)
    text = router._prepare(request) or ""
    index, finder, _ = router._state
    ids, values = index.space.vectorize(text)
    scores, known = index.scores(text)
    named = router._find_mention(finder, text) if text else None
    names = _terms_by_id(index)
    csr = index.weights.to_csr() if len(ids) else None
    agents = []
    # Rank and pick from this one snapshot: calling router.rank()/pick() would read
    # router._state again, and a reload in between would mix two indexes.
    for route in router._ranking(index, scores, named, k):
        position = index.agents.index(route.agent)
        column = np.asarray(csr[ids, position].todense()).ravel() if csr is not None else np.zeros(0)
        contributions = values * column
        field_parts: dict[str, dict[int, float]] = {}
        if index.strategy == "profile" and len(ids):
            field_parts = _field_columns(index, position, router._field_weights)
        per_term = []
        for j in np.argsort(-contributions, kind="stable")[:terms]:
            if contributions[j] <= 0:
                break
            term_id = int(ids[j])
            by_field = {name: float(values[j]) * part.get(term_id, 0.0) for name, part in field_parts.items()}
            per_term.append(TermContribution(names[term_id], float(contributions[j]), {n: v for n, v in by_field.items() if v}))
        fields = {
            name: float(sum(float(values[j]) * part.get(int(ids[j]), 0.0) for j in range(len(ids))))
            for name, part in field_parts.items()
        }
        agents.append(AgentExplanation(route, tuple(per_term), fields))
    return Explanation(
        request=request,
        strategy=index.strategy,
        picked=router._decide(index, scores, known, named) if text else None,
        verdict=verdict(router, index, scores, known, named),
        known_terms=tuple(names[int(i)] for i in ids),
        agents=tuple(agents),
    )
