"""Fitting an index: plan the strategy (:mod:`agentroute.routing.plan`), then build it.

Kept apart from the strategies it dispatches to (profile, linear, blended), so
that each of them can reuse the others' pieces without an import cycle.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from agentroute.model import Agent
from agentroute.routing.blend import build_blended_index
from agentroute.routing.index import Index
from agentroute.routing.profile_index import build_profile_index
from agentroute.routing.linear import build_linear_index
from agentroute.routing.plan import plan_fit

__all__ = ["fit_index"]


def fit_index(agents: Sequence[Agent], strategy: str, *, field_weights: Mapping[str, float]) -> Index:
    """Plan (see :mod:`agentroute.routing.plan`), then fit the chosen strategy; the index records why."""
    plan = plan_fit(agents, strategy)
    method = plan.cost.method if plan.cost else None
    if plan.strategy == "linear":
        index = build_linear_index(agents, method=method)
    elif plan.strategy == "blended":
        index = build_blended_index(agents, field_weights=field_weights, method=method or "full")
    else:
        index = build_profile_index(agents, field_weights=field_weights)
    reason = plan.reason
    if index.extra.get("learned_features") == "words":  # the plan's estimate assumed character n-grams too
        reason += "; the learned part uses words, pairs and prefixes (it carries under half of the scores)"
    return replace(index, extra={**index.extra, "strategy_reason": reason})
