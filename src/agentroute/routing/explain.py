"""Why a request went where it did: per-term and per-field contributions, and the abstention verdict.

A score is the dot product ``q · W[:, agent]`` (plus a bias and a monotone
calibration for the linear strategy), so it splits exactly into one
contribution per query term. For the profile strategy each agent's column is
the normalised weighted sum of its field vectors, so a term's contribution
also splits exactly across fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from agentroute.routing.index import Index
from agentroute.routing.profile import FIELDS, field_texts
from agentroute.routing.route import Route, check_k
from agentroute.routing.rule import REASON_WORDS, Reason
from agentroute.routing.state import RouterState

__all__ = ["AgentExplanation", "Explanation", "TermContribution", "explain", "verdict"]


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
    verdict: str  # why pick answered as it did, in words
    reason: Reason  # the same as a code (see agentroute.routing.rule)
    known_terms: tuple[str, ...]
    agents: tuple[AgentExplanation, ...]
    strategy_reason: str = ""  # why the router fitted this strategy (Router.strategy_reason)


def _terms_by_id(index: Index) -> dict[int, str]:
    """Each feature's term; a blended index marks its learned part's terms "(learned)", since the
    same word can be a feature of both parts."""
    learned_from = int(index.extra.get("learned_offset", index.space.n_features)) if index.strategy == "blended" \
        else index.space.n_features
    return {block.offset + i: term + (" (learned)" if block.offset >= learned_from else "")
            for block in index.space.blocks for term, i in block.vocabulary.items()}


def _field_columns(index: Index, position: int, field_weights: Mapping[str, float]) -> dict[str, dict[int, float]]:
    """The agent's weighted field vectors, scaled feature by feature so that they sum to W[:, agent]."""
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
    # Each feature's share split in proportion to the fields: exact even where the profile reweighs
    # a feature after combining the fields (common words, bounded related-word groups).
    column = index.weights.to_csr()[:, position].toarray().ravel()
    return {name: {i: v * float(column[i]) / total[i] for i, v in vector.items() if total[i]} for name, vector in parts.items()}


def verdict(state: RouterState, scores: np.ndarray, reason: Reason, agent: int | None,
            score_of: Callable[[float], float] | None = None) -> str:
    """``reason`` (what :meth:`PickRule.decide` said for ``scores``, mapped by ``score_of``) in words,
    with the figures behind it."""
    rule, agents = state.rule, state.index.agents
    if reason == "mention":
        return f"named explicitly: {agents[agent].name}" if agent is not None else "named explicitly"
    if reason == "no_terms":
        return f"abstains: {REASON_WORDS['no_terms']}"
    order = np.argsort(-scores, kind="stable")

    def score(position: int) -> float:
        value = float(scores[order[position]])
        return value if score_of is None else score_of(value)

    best = score(0)
    if reason == "below_threshold":
        return f"abstains: best score {best:.4f} is below the threshold {rule.threshold:.4f}"
    if reason == "below_margin":
        return f"abstains: the lead {best - score(1):.4f} over the second agent is below the margin {rule.margin:.4f}"
    return f"picks {agents[order[0]].name}: score {best:.4f} >= threshold {rule.threshold:.4f}"


def explain(state: RouterState, request: str, *, k: int = 3, terms: int = 8) -> Explanation:
    """Explain the answer of a router in ``state`` for ``request`` (see :meth:`Router.explain`).

    Everything comes from this one snapshot: a reload meanwhile cannot mix two indexes.
    """
    check_k(k)
    text = state.prepare(request) or ""
    index = state.index
    ids, values = index.space.vectorize(text)
    scores, known, score_of = state.scored(text)
    named = state.named(text)
    agent, score, reason = state.rule.decide(scores, known, named, score_of)
    names = _terms_by_id(index)
    csr = index.weights.to_csr() if len(ids) else None
    agents = []
    for route in state.ranking(scores, named, k, score_of):
        position = index.agents.index(route.agent)
        column = np.asarray(csr[ids, position].todense()).ravel() if csr is not None else np.zeros(0)
        contributions = values * column
        field_parts: dict[str, dict[int, float]] = {}
        if index.strategy == "profile" and len(ids):
            field_parts = _field_columns(index, position, state.field_weights)
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
    picked = None if agent is None else Route(index.agents[agent], score, "mention" if reason == "mention" else "score")
    return Explanation(
        request=request,
        strategy=index.strategy,
        picked=picked,
        verdict=verdict(state, scores, reason, agent, score_of),
        reason=reason,
        known_terms=tuple(names[int(i)] for i in ids),
        agents=tuple(agents),
        strategy_reason=index.strategy_reason,
    )
