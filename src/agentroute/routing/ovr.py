"""Fitting the learned weights: one-vs-rest linear SVMs, bounded in time and memory at any registry size.

Two methods, chosen by :mod:`agentroute.routing.plan` from the registry's size
before anything is fitted:

* ``full`` — scikit-learn's ``LinearSVC(class_weight="balanced")`` on every
  example, for registries small enough (CLINC150's 150 agents × 100 examples
  fits in ~7 s). Its coefficient matrix is dense (agents × features), which
  is why it is not used beyond a few hundred agents.
* ``sampled`` — one binary ``LinearSVC`` per agent on its own examples
  against *hard* negatives (the examples of the agents whose example
  centroids are nearest to its own) plus a seeded random sample of the rest.
  Each problem has a few hundred rows whatever the registry size, problems
  run in chunks on joblib's worker processes, and each agent keeps only its
  :data:`MAX_WEIGHTS_PER_AGENT` largest weights, so memory grows with the
  agents, not agents × features. Its features are words, word pairs and
  5-letter prefixes (:func:`agentroute.routing.linear.linear_analyzers`):
  character n-grams cost ~4x the fit time and ~3x the serving time.

Either way the result is ``W`` (features × agents, sparse, float32) and a bias
per agent: ``scores = q · W + b``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

#: A full fit is used while its estimated time stays under this (seconds); beyond, the sampled method.
FULL_MAX_SECONDS = 30.0
#: Random negatives per agent in the sampled method (plus the hard ones).
NEGATIVES_PER_AGENT = 100
#: Nearest agents whose examples are each agent's hard negatives.
HARD_NEIGHBOURS = 10
#: Weights kept per agent in the sampled method (largest magnitude first).
MAX_WEIGHTS_PER_AGENT = 300
#: Agents kept per feature in the sampled method (largest weights): a common word's postings stay short.
MAX_AGENTS_PER_FEATURE = 48
#: Class weights of each sampled binary problem. Not "balanced": with a handful of positives against
#: ~100 negatives it weighs each positive ~10x, so every agent's SVM says yes too readily, and adding
#: examples lowered accuracy. Chosen on validation data only, the sampled method forced on each
#: (docs/routing.md): built-in dev halves, k = 0/1/2/4, 70.0/69.7/69.4/68.5 against 68.0/66.9/66.3/65.1
#: balanced; CLINC150 validation (blended, k = 5/20/all) 74.1/83.3/90.4 against 73.4/83.5/90.7; a
#: BANKING77 training carve-out (k = 5/all) 63.0/83.9 against 61.9/84.0.
SAMPLED_CLASS_WEIGHT: str | None = None
#: The full method's ``LinearSVC`` (see fit_full), re-checked on validation data only (CLINC150 val, a
#: BANKING77 training carve-out, SNIPS val, 5-fold CV: benchmarks/intent_validation.py, docs/benchmarks.md):
#: C from 0.25 to 4, the hinge loss, Crammer-Singer, unweighted classes and a larger intercept scaling
#: were no better, or slower to fit.
FULL_C = 1.0
FULL_LOSS = "squared_hinge"
FULL_INTERCEPT_SCALING = 1.0
FULL_CLASS_WEIGHT: str | None = "balanced"
FULL_MULTI_CLASS = "ovr"
FULL_MAX_ITER = 1000
#: Fixed cost of one binary problem (scikit-learn's validation and liblinear's set-up), seconds.
SECONDS_PER_PROBLEM = 0.005
#: Agents whose neighbours are searched in one block (rows of a dense block of similarities).
_NEIGHBOUR_BLOCK = 512


def workers() -> int:
    """Worker processes of the sampled method: the CPUs this process may use, at most 4."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(4, available))


def fit_full(features: csr_matrix, labels: np.ndarray, n_agents: int, C: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``LinearSVC`` one-vs-rest on everything: W (features × agents, dense float32) and the biases."""
    from sklearn.svm import LinearSVC

    # Balanced class weights keep agents with few examples from being swamped by those with many.
    model = LinearSVC(C=FULL_C if C is None else C, class_weight=FULL_CLASS_WEIGHT, loss=FULL_LOSS,
                      intercept_scaling=FULL_INTERCEPT_SCALING, multi_class=FULL_MULTI_CLASS,
                      random_state=0, max_iter=FULL_MAX_ITER).fit(features, labels)
    coef = np.asarray(model.coef_)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return np.ascontiguousarray(coef.T, dtype=np.float32), intercept


def nearest_agents(features: csr_matrix, labels: np.ndarray, n_agents: int, k: int) -> np.ndarray:
    """The ``k`` agents whose example centroids are most similar to each agent's (agents × k; -1 pads)."""
    from scipy.sparse import csr_matrix

    n = len(labels)
    owners = csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(n_agents, n))
    centroids = (owners @ features).tocsr()
    norms = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1)).ravel())
    centroids = csr_matrix(centroids.multiply(1.0 / np.maximum(norms, 1e-12)[:, None]))
    k = min(k, n_agents - 1)
    result = np.full((n_agents, max(k, 0)), -1, dtype=np.int64)
    if k <= 0:
        return result
    transposed = centroids.T.tocsc()
    for start in range(0, n_agents, _NEIGHBOUR_BLOCK):
        stop = min(n_agents, start + _NEIGHBOUR_BLOCK)
        sims = (centroids[start:stop] @ transposed).toarray()
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # never its own neighbour
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        result[start:stop] = top
    return result


def _solve_one(features: csr_matrix, rows: np.ndarray, positives: int, C: float, cap: int) -> tuple[np.ndarray, np.ndarray, float]:
    """One agent's binary problem on ``rows`` (its own ``positives`` first): kept columns, weights, bias."""
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

    sub = features[rows]
    # Only the columns these rows use: liblinear's w is then a few thousand floats, not all features.
    columns, local = np.unique(sub.indices, return_inverse=True)
    sub = csr_matrix((sub.data, local.ravel(), sub.indptr), shape=(len(rows), len(columns)))
    target = np.zeros(len(rows), dtype=np.int64)
    target[:positives] = 1
    model = LinearSVC(C=C, class_weight=SAMPLED_CLASS_WEIGHT, random_state=0).fit(sub, target)
    weights = np.asarray(model.coef_[0], dtype=np.float64)
    keep = np.flatnonzero(weights)
    if len(keep) > cap:
        keep = keep[np.argpartition(-np.abs(weights[keep]), cap - 1)[:cap]]
    return columns[keep], weights[keep].astype(np.float32), float(model.intercept_[0])


def _solve_chunk(features: csr_matrix, plans: Sequence[tuple[int, np.ndarray, int]], C: float, cap: int) -> list[tuple[int, np.ndarray, np.ndarray, float]]:
    return [(agent, *_solve_one(features, rows, positives, C, cap)) for agent, rows, positives in plans]


def fit_sampled(features: csr_matrix, labels: np.ndarray, n_agents: int, C: float = 1.0, *,
                seed: int = 0, n_jobs: int | None = None) -> tuple[csr_matrix, np.ndarray]:
    """Per-agent binary SVMs on own examples vs hard + random negatives: W (sparse float32) and the biases."""
    from joblib import Parallel, delayed
    from scipy.sparse import csr_matrix

    features = features.tocsr()
    labels = np.asarray(labels, dtype=np.int64)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_agents + 1))
    neighbours = nearest_agents(features, labels, n_agents, HARD_NEIGHBOURS)
    rng = np.random.default_rng(seed)
    plans = []
    for agent in range(n_agents):
        own = order[bounds[agent] : bounds[agent + 1]]
        near = [order[bounds[j] : bounds[j + 1]] for j in neighbours[agent] if j >= 0]
        sample = rng.integers(len(labels), size=NEGATIVES_PER_AGENT)
        negatives = np.unique(np.concatenate([*near, sample]))
        negatives = negatives[labels[negatives] != agent]
        plans.append((agent, np.concatenate([own, negatives]), len(own)))
    jobs = workers() if n_jobs is None else n_jobs
    size = max(1, -(-n_agents // (8 * jobs)))
    chunks = [plans[i : i + size] for i in range(0, n_agents, size)]
    # Processes: each problem is small, so scikit-learn's per-fit Python overhead (~1 ms of
    # ~5 ms) holds the GIL and threads measured no faster. joblib memory-maps the feature
    # matrix's arrays once for all workers.
    parts = Parallel(n_jobs=jobs)(delayed(_solve_chunk)(features, chunk, C, MAX_WEIGHTS_PER_AGENT)
                                                     for chunk in chunks)
    bias = np.zeros(n_agents)
    rows, columns, values = [], [], []
    for part in parts:
        for agent, kept, weights, intercept in part:
            rows.append(kept)
            columns.append(np.full(len(kept), agent, dtype=np.int64))
            values.append(weights)
            bias[agent] = intercept
    return cap_postings(np.concatenate(rows), np.concatenate(columns), np.concatenate(values),
                        (features.shape[1], n_agents), MAX_AGENTS_PER_FEATURE), bias


def cap_postings(rows: np.ndarray, columns: np.ndarray, values: np.ndarray, shape: tuple[int, int], cap: int) -> csr_matrix:
    """W (features × agents) keeping, for each feature, its ``cap`` largest-magnitude weights.

    Serving sums the postings of the request's features, so one common word kept by
    thousands of agents would cost thousands of additions per request for a few
    small weights; the largest ones decide the ranking.
    """
    from scipy.sparse import csr_matrix

    order = np.lexsort((-np.abs(values), rows))  # by feature, largest weight first
    rows, columns, values = rows[order], columns[order], values[order]
    starts = np.searchsorted(rows, rows, side="left")
    keep = np.arange(len(rows)) - starts < cap
    return csr_matrix((values[keep], (rows[keep], columns[keep])), shape=shape, dtype=np.float32)
