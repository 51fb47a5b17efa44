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
from agentroute.routing.rule import Evidence, PickRule

if TYPE_CHECKING:
    from agentroute.routing.route import Route
    from agentroute.routing.router import Router
    from agentroute.routing.state import RouterState

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


def _outcomes(state: RouterState, rows: Sequence[LabelledRequest], k: int, n_jobs: int | None) -> _Outcome:
    """Picks and rankings of ``rows`` from one router state (what pick_many/rank_many return)."""
    texts = [r.text for r in rows]
    rankings: list[list[Route]] = state.route_many(texts, k, n_jobs)  # type: ignore[assignment]
    picks: list[Route | None] = state.route_many(texts, None, n_jobs)  # type: ignore[assignment]
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
    state = router.snapshot()  # every figure from one state, even if the router reloads meanwhile
    out = _outcomes(state, rows, k, n_jobs)
    found = state.evidence_many([r.text for r in rows], n_jobs)
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
        threshold=float(state.rule.threshold),
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
        coverage_curve=_coverage_curve(state.rule, found, labels, _names(state.index.agents)),
    )


def _confused_pairs(rows: Sequence[LabelledRequest], labels: list[str], picks: list[str], limit: int) -> list[ConfusedPair]:
    counts = Counter((l, p) for l, p in zip(labels, picks) if l != p)
    pairs = []
    for (expected, predicted), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        examples = tuple(r.text for r, l, p in zip(rows, labels, picks) if (l, p) == (expected, predicted))[:3]
        pairs.append(ConfusedPair(expected, predicted, count, examples))
    return pairs[:limit]


def _names(agents: Sequence[object]) -> np.ndarray:
    """Agent names by position, with NONE last: ``_names(agents)[decided.agents]`` maps -1 to NONE."""
    return np.array([getattr(a, "name") for a in agents] + [NONE], dtype=object)


def _predicted(rule: PickRule, found: Evidence, names: np.ndarray) -> np.ndarray:
    """What ``pick`` answers for each request under ``rule``, as labels (NONE: abstains)."""
    return names[rule.decide_many(found).agents]


def _coverage_curve(rule: PickRule, found: Evidence, labels: np.ndarray, names: np.ndarray,
                    points: int = 11) -> list[dict[str, float]]:
    """Accuracy of the answered rows as the threshold rises (out-of-scope rows answered are errors).

    Each point applies the router's own pick rule (margin, mentions, no-term
    abstention) at that threshold, so a point is what ``pick`` would do there.
    """
    curve = []
    for threshold in np.unique(np.quantile(found.score, np.linspace(0, 1, points))) if len(found.score) else ():
        predicted = _predicted(rule.at(float(threshold)), found, names)
        answered = predicted != NONE
        coverage = float(answered.mean())
        accuracy = float(np.mean(predicted[answered] == labels[answered])) if answered.any() else float("nan")
        curve.append({"threshold": float(threshold), "coverage": coverage, "accuracy": accuracy})
    return curve


@dataclass(frozen=True)
class ThresholdPoint:
    """What ``pick`` scores on some labelled rows at one threshold (None: no such rows)."""

    threshold: float
    accuracy: float  # as EvalReport.accuracy
    in_scope_accuracy: float | None
    out_of_scope_recall: float | None


def threshold_points(router: Router, rows: Sequence[LabelledRequest], *, n_jobs: int | None = None) -> list[ThresholdPoint]:
    """Every threshold where ``pick``'s answers on ``rows`` can change (and 0.0), lowest first.

    Each point applies the router's own pick rule at that threshold (its margin,
    mentions and no-term abstention included): ``evaluate`` of the router with
    that threshold measures exactly the point's figures.
    """
    if not rows:
        raise ValueError("choosing a threshold needs at least one labelled request")
    state = router.snapshot()
    found = state.evidence_many([r.text for r in rows], n_jobs)
    names = _names(state.index.agents)
    labels = np.array([r.label or NONE for r in rows], dtype=object)
    in_scope = labels != NONE
    # Every score where answering can change, and just above it; 0.0 answers all that can be.
    candidates = np.unique(np.concatenate([[0.0], found.score, np.nextafter(found.score, 2)]))
    points = []
    for threshold in candidates[(candidates >= 0) & (candidates <= 1)]:
        correct = _predicted(state.rule.at(float(threshold)), found, names) == labels
        points.append(ThresholdPoint(
            float(threshold), float(np.mean(correct)),
            float(np.mean(correct[in_scope])) if in_scope.any() else None,
            float(np.mean(correct[~in_scope])) if (~in_scope).any() else None))
    return points


def tune_threshold(
    router: Router,
    rows: Sequence[LabelledRequest],
    *,
    min_in_scope_accuracy: float | None = None,
    n_jobs: int | None = None,
) -> float:
    """Choose the abstention threshold on validation ``rows`` (among :func:`threshold_points`).

    By default: the threshold with the best accuracy over all rows (abstaining
    is right for out-of-scope rows). With ``min_in_scope_accuracy``: the one
    with the best out-of-scope recall among those keeping in-scope accuracy at
    or above it. Ties go to the lowest threshold, so the result is deterministic.
    Candidates are judged by the router's own pick rule, margin included.
    """
    best: tuple[float, float] | None = None
    for point in threshold_points(router, rows, n_jobs=n_jobs):
        if min_in_scope_accuracy is None:
            objective = point.accuracy
        elif (point.in_scope_accuracy if point.in_scope_accuracy is not None else 1.0) >= min_in_scope_accuracy:
            objective = point.out_of_scope_recall or 0.0
        else:
            continue
        if best is None or objective > best[0]:
            best = (objective, point.threshold)
    if best is None:
        raise ValueError(f"no threshold keeps in-scope accuracy >= {min_in_scope_accuracy}")
    return best[1]
