"""The *linear* strategy, for registries whose agents carry many example requests.

With dozens of examples per agent (intent-style data) a linear classifier
trained on the examples beats profile cosine by a wide margin. It still serves
with the same sparse dot product: ``scores = q · W + b`` where ``W`` is the
classifier's coefficient matrix (features × agents), then a logistic function with a
fixed slope turns decision values into [0, 1] scores whose maximum is what the
abstention threshold is compared with.

Features and classifier were chosen on CLINC150's validation split and a
seeded BANKING77 validation carve-out (see docs/routing.md): word 1-2 grams
(single-character tokens kept, binary) and char_wb 2-4 grams summed word by word
(``AnalyzerSpec.word_sum``, so serving caches one row of ``W`` sums per word), both
without IDF, scikit-learn's ``LinearSVC(C=1, class_weight="balanced")`` (:data:`ovr.FULL_C`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from agentroute.features.analyzers import AnalyzerSpec
from agentroute.features.space import FeatureSpace
from agentroute.routing.index import Index
from agentroute.routing.profile_index import build_profile_index
from agentroute.routing import ovr
from agentroute.routing.plan import RegistryStats, learned_cost
from agentroute.model import Agent
from agentroute.routing.scoring import make_weights

#: The full method's block weights, IDF for the char block (off) and min_df: chosen on validation data
#: only and re-checked by benchmarks/intent_validation.py (docs/benchmarks.md: char IDF helps 5-fold CV
#: on BANKING77 a little but loses on CLINC150 validation at 5, 10 and 50 examples per intent).
WORD_WEIGHT = 1.0
CHAR_WEIGHT = 1.2
CHAR_IDF = False
CHAR_MIN_DF = 1
WORD_MIN_DF = 1
#: Slope of the logistic function that maps decision values to [0, 1] scores.
LOGISTIC_SCALE = 4.0


def linear_analyzers(method: str = "full", *, word_forms: bool = False) -> tuple[AnalyzerSpec, ...]:
    """Word 1-2 grams + word-sum char_wb 2-4 grams for the full fit; words, pairs and 5-letter prefixes when
    sampled (and for a blended registry whose learned part is a minor share: routing/blend.py, which
    asks for ``word_forms``, the profiles' singular forms, so a learned "crashes" meets "crash")."""
    if method == "sampled":  # see routing/ovr.py: char n-grams cost ~4x fit and ~3x serving time
        return (AnalyzerSpec(kind="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", binary=True,
                             use_idf=False, prefix_len=5, word_forms=word_forms),)
    return (
        AnalyzerSpec(kind="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", binary=True, use_idf=False,
                     weight=WORD_WEIGHT, min_df=WORD_MIN_DF),
        AnalyzerSpec(kind="char_wb", ngram_range=(2, 4), use_idf=CHAR_IDF, sublinear_tf=False, word_sum=True,
                     weight=CHAR_WEIGHT, min_df=CHAR_MIN_DF),
    )


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


def fit_learned(agents: Sequence[Agent], method: str, *, char_ngrams: bool | None = None,
                word_forms: bool = False) -> tuple[FeatureSpace, object, np.ndarray]:
    """The learned part every example-trained strategy shares: features fitted on the training
    texts, and one-vs-rest SVM weights (features × agents) and biases by ``method``.

    ``char_ngrams`` (default: with the full method) chooses the full method's word + char
    features, else words, pairs and prefixes (with ``word_forms``, of singular forms)."""
    texts, labels = training_texts(agents)
    with_chars = method == "full" if char_ngrams is None else char_ngrams
    analyzers = linear_analyzers("full") if with_chars else linear_analyzers("sampled", word_forms=word_forms)
    space, features = FeatureSpace.fit_transform(analyzers, texts, normalize=False)
    fit = ovr.fit_full if method == "full" else ovr.fit_sampled
    weights, bias = fit(features, np.asarray(labels), len(agents))
    return space, weights, bias


def build_linear_index(agents: Sequence[Agent], *, method: str | None = None,
                       logistic_scale: float = LOGISTIC_SCALE) -> Index:
    """Fit the features and one-vs-rest SVMs on the agents' example requests (see :mod:`agentroute.routing.ovr`).

    ``method`` ("full" or "sampled") defaults to the plan's choice for the registry's size.
    """
    if len(agents) < 2:
        raise ValueError("the linear strategy needs at least two agents to tell apart; use strategy='profile'")
    if method is None:
        method = learned_cost(RegistryStats.of(agents)).method
    space, weights, bias = fit_learned(agents, method)
    return Index(tuple(agents), space, make_weights(weights), "linear", bias=bias,
                 extra={"logistic_scale": logistic_scale, "fit_method": method})
