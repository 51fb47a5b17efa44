"""The *linear* strategy, for registries whose agents carry many example requests.

With dozens of examples per agent (intent-style data) a linear classifier
trained on the examples beats profile cosine by a wide margin. It still serves
with the same sparse dot product: ``scores = q · W + b`` where ``W`` is the
classifier's coefficient matrix (features × agents), then a logistic function with a
fixed slope turns decision values into [0, 1] scores whose maximum is what the
abstention threshold is compared with.

Features and classifier were chosen on CLINC150's validation split and a
seeded BANKING77 validation carve-out (see docs/routing.md): word 1-2 grams
(single-character tokens kept) and char_wb 2-5 grams, both binary and without
IDF, scikit-learn's ``LinearSVC(C=1, class_weight="balanced")``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np

from agentroute.features.analyzers import AnalyzerSpec
from agentroute.features.space import FeatureSpace
from agentroute.routing.index import Index, build_profile_index
from agentroute.routing.plan import plan_fit
from agentroute.model import Agent
from agentroute.routing.scoring import make_weights

#: Slope of the logistic function that maps decision values to [0, 1] scores.
LOGISTIC_SCALE = 4.0


def linear_analyzers() -> tuple[AnalyzerSpec, ...]:
    return (
        AnalyzerSpec(kind="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", binary=True, use_idf=False),
        AnalyzerSpec(kind="char_wb", ngram_range=(2, 5), binary=True, use_idf=False),
    )


def fit_index(agents: Sequence[Agent], strategy: str, *, field_weights: Mapping[str, float]) -> Index:
    """Plan (see :mod:`agentroute.routing.plan`), then fit the chosen strategy; the index records why."""
    plan = plan_fit(agents, strategy)
    if plan.strategy == "linear":
        index = build_linear_index(agents)
    else:
        index = build_profile_index(agents, field_weights=field_weights)
    return replace(index, extra={**index.extra, "strategy_reason": plan.reason})


def training_texts(agents: Sequence[Agent]) -> tuple[list[str], list[int]]:
    """Every example request, plus each agent's name and description as one more sample.

    The extra sample means an agent without examples still has a class.
    """
    texts: list[str] = []
    labels: list[int] = []
    for position, agent in enumerate(agents):
        own = [e.request for e in agent.examples if e.request.strip()]
        own.append(f"{agent.name.replace('-', ' ').replace('_', ' ')} {agent.description}".strip())
        texts += own
        labels += [position] * len(own)
    return texts, labels


def build_linear_index(agents: Sequence[Agent], *, C: float = 1.0, logistic_scale: float = LOGISTIC_SCALE) -> Index:
    """Fit the features and a ``LinearSVC`` on the agents' example requests."""
    from sklearn.svm import LinearSVC

    if len(agents) < 2:
        raise ValueError("the linear strategy needs at least two agents to tell apart; use strategy='profile'")
    texts, labels = training_texts(agents)
    space, features = FeatureSpace.fit_transform(linear_analyzers(), texts, normalize=False)
    # Balanced class weights keep agents with few examples from being swamped by those with many.
    model = LinearSVC(C=C, class_weight="balanced", random_state=0).fit(features, labels)
    coef = np.asarray(model.coef_)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return Index(
        tuple(agents),
        space,
        make_weights(np.ascontiguousarray(coef.T, dtype=np.float32)),
        "linear",
        bias=intercept,
        extra={"logistic_scale": logistic_scale},
    )
