"""Routing accuracy on labelled requests, and choosing a threshold on validation data.

Every metric comes from ``sklearn.metrics``. A label of ``None`` means "no
agent should be picked"; in classification metrics it is the class
``"none"``, and abstaining is predicting it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from agentroute.evaluation.labelled import LabelledRequest

if TYPE_CHECKING:
    from agentroute.routing.router import Router

NONE = "none"


@dataclass(frozen=True)
class ConfusedPair:
    expected: str
    predicted: str
    count: int
    examples: tuple[str, ...]


@dataclass
class EvalReport:
    """What :func:`evaluate` measured. ``None`` where a metric does not apply (e.g. no out-of-scope rows)."""

    n: int
    n_in_scope: int
    n_out_of_scope: int
    threshold: float
    accuracy: float  # pick == label over all rows, abstaining counts as "none"
    top_k: int
    top_k_accuracy: float | None  # label among the top k of rank, in-scope rows
    closed_set_accuracy: float | None  # argmax (no abstention) == label, in-scope rows
    macro_f1: float
    in_scope_accuracy: float | None  # pick == label on in-scope rows (abstaining is wrong)
    out_of_scope_recall: float | None  # share of out-of-scope rows where pick abstained
    auroc: float | None  # top score separating in-scope from out-of-scope rows
    per_agent: dict[str, dict[str, float]] = field(default_factory=dict)
    confused_pairs: list[ConfusedPair] = field(default_factory=list)
    coverage_curve: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Outcome:
    labels: list[str]
    picks: list[str]
    top: list[str]  # argmax agent (no abstention)
    top_scores: np.ndarray
    in_top_k: list[bool]


def _outcomes(router: Router, rows: Sequence[LabelledRequest], k: int, n_jobs: int | None) -> _Outcome:
    texts = [r.text for r in rows]
    rankings = router.rank_many(texts, k=k, n_jobs=n_jobs)
    picks = router.pick_many(texts, n_jobs=n_jobs)
    return _Outcome(
        labels=[r.label or NONE for r in rows],
        picks=[p.agent.name if p else NONE for p in picks],
        top=[ranking[0].agent.name for ranking in rankings],
        top_scores=np.array([ranking[0].score for ranking in rankings]),
        in_top_k=[r.label is not None and any(x.agent.name == r.label for x in ranking) for r, ranking in zip(rows, rankings)],
    )


def evaluate(
    router: Router,
    rows: Sequence[LabelledRequest],
    *,
    k: int = 3,
    n_jobs: int | None = None,
    max_confused_pairs: int = 10,
) -> EvalReport:
    """Measure ``router`` on labelled ``rows`` (see :func:`agentroute.evaluation.labelled.read_labelled`)."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support, roc_auc_score

    if not rows:
        raise ValueError("evaluate needs at least one labelled request")
    out = _outcomes(router, rows, k, n_jobs)
    labels = np.array(out.labels)
    picks = np.array(out.picks)
    in_scope = labels != NONE
    n_in = int(in_scope.sum())
    n_out = len(rows) - n_in
    classes = sorted(set(out.labels) | set(out.picks))
    precision, recall, f1, support = precision_recall_fscore_support(labels, picks, labels=classes, zero_division=0)
    per_agent = {
        c: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for c, p, r, f, s in zip(classes, precision, recall, f1, support)
    }
    return EvalReport(
        n=len(rows),
        n_in_scope=n_in,
        n_out_of_scope=n_out,
        threshold=float(router.effective_threshold),
        accuracy=float(accuracy_score(labels, picks)),
        top_k=k,
        top_k_accuracy=float(np.mean(np.array(out.in_top_k)[in_scope])) if n_in else None,
        closed_set_accuracy=float(accuracy_score(labels[in_scope], np.array(out.top)[in_scope])) if n_in else None,
        macro_f1=float(f1_score(labels, picks, labels=classes, average="macro", zero_division=0)),
        in_scope_accuracy=float(accuracy_score(labels[in_scope], picks[in_scope])) if n_in else None,
        out_of_scope_recall=float(np.mean(picks[~in_scope] == NONE)) if n_out else None,
        auroc=float(roc_auc_score(in_scope, out.top_scores)) if n_in and n_out else None,
        per_agent=per_agent,
        confused_pairs=_confused_pairs(rows, out.labels, out.picks, max_confused_pairs),
        coverage_curve=_coverage_curve(labels, np.array(out.top), out.top_scores),
    )


def _confused_pairs(rows: Sequence[LabelledRequest], labels: list[str], picks: list[str], limit: int) -> list[ConfusedPair]:
    counts = Counter((l, p) for l, p in zip(labels, picks) if l != p)
    pairs = []
    for (expected, predicted), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        examples = tuple(r.text for r, l, p in zip(rows, labels, picks) if (l, p) == (expected, predicted))[:3]
        pairs.append(ConfusedPair(expected, predicted, count, examples))
    return pairs[:limit]


def _coverage_curve(labels: np.ndarray, top: np.ndarray, scores: np.ndarray, points: int = 11) -> list[dict[str, float]]:
    """Accuracy of the answered rows as the threshold rises (out-of-scope rows answered are errors)."""
    curve = []
    for threshold in np.unique(np.quantile(scores, np.linspace(0, 1, points))):
        answered = scores >= threshold
        coverage = float(answered.mean())
        accuracy = float(np.mean(top[answered] == labels[answered])) if answered.any() else float("nan")
        curve.append({"threshold": float(threshold), "coverage": coverage, "accuracy": accuracy})
    return curve


def tune_threshold(
    router: Router,
    rows: Sequence[LabelledRequest],
    *,
    min_in_scope_accuracy: float | None = None,
    n_jobs: int | None = None,
) -> float:
    """Choose the abstention threshold on validation ``rows``.

    By default: the threshold with the best accuracy over all rows (abstaining
    is right for out-of-scope rows). With ``min_in_scope_accuracy``: the one
    with the best out-of-scope recall among those keeping in-scope accuracy at
    or above it. Ties go to the lowest threshold, so the result is deterministic.
    """
    out = _outcomes(router, rows, 1, n_jobs)
    labels = np.array(out.labels)
    in_scope = labels != NONE
    # A request named an agent explicitly -> score 1.0 and never abstains; the rest follow the threshold.
    correct_if_answered = np.array(out.top) == labels
    candidates = np.unique(np.concatenate([[0.0], out.top_scores, np.nextafter(out.top_scores, 2)]))
    candidates = candidates[(candidates >= 0) & (candidates <= 1)]
    best: tuple[float, float] | None = None
    for threshold in candidates:
        answered = out.top_scores >= threshold
        accuracy_in = float(np.mean(answered[in_scope] & correct_if_answered[in_scope])) if in_scope.any() else 1.0
        recall_out = float(np.mean(~answered[~in_scope])) if (~in_scope).any() else 0.0
        if min_in_scope_accuracy is None:
            objective = float(np.mean(np.where(in_scope, answered & correct_if_answered, ~answered)))
        elif accuracy_in >= min_in_scope_accuracy:
            objective = recall_out
        else:
            continue
        if best is None or objective > best[0]:
            best = (objective, float(threshold))
    if best is None:
        raise ValueError(f"no threshold keeps in-scope accuracy >= {min_in_scope_accuracy}")
    return best[1]
