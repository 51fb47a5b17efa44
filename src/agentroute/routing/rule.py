"""The pick rule: when a router answers with an agent, when it abstains, and why.

This is the only place the rule is written. ``Router.pick``/``decide``, batch
routing, explain's verdict, threshold tuning and coverage curves all call
:meth:`PickRule.decide` (one request) or :meth:`PickRule.decide_many` (arrays),
so a threshold tuned on validation data predicts exactly what ``pick`` does.

In order, the first that applies:

1. ``mention``: the request names an agent (and mentions are honoured): that agent, score 1.0;
2. ``no_terms``: the request has no informative term the agents use: abstain;
3. ``below_threshold``: the best score is below the threshold, or is 0: abstain;
4. ``below_margin``: the best leads the second by less than the margin: abstain;
5. ``picked``: the best agent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Literal, NamedTuple

import numpy as np

from agentroute.routing.route import Route, clamp

__all__ = ["REASONS", "REASON_WORDS", "Decision", "Evidence", "ManyDecisions", "PickRule", "Reason", "evidence"]

Reason = Literal["mention", "no_terms", "below_threshold", "below_margin", "picked"]

#: Every reason, in the order the rule checks them; ``decide_many`` returns indexes into it.
REASONS: tuple[Reason, ...] = ("mention", "no_terms", "below_threshold", "below_margin", "picked")
_MENTION, _NO_TERMS, _BELOW_THRESHOLD, _BELOW_MARGIN, _PICKED = range(len(REASONS))
#: Each reason in words, for people (the CLI's ``pick``); ``explain`` gives the figures behind it.
REASON_WORDS: dict[Reason, str] = {
    "mention": "the request names the agent",
    "no_terms": "the request has no term the agents use, or only common words, which cannot pick alone",
    "below_threshold": "the best score is below the threshold",
    "below_margin": "the best agent leads the second by less than the margin",
    "picked": "the best score reaches the threshold",
}


@dataclass(frozen=True)
class Decision:
    """What ``Router.pick`` answers (``route``, None on abstention) and why (``reason``)."""

    route: Route | None
    reason: Reason


class Evidence(NamedTuple):
    """What the rule reads of each request of a batch: one array entry per request."""

    best: np.ndarray  # position of the top-scoring agent (first of equal scores)
    score: np.ndarray  # its score, clamped to [0, 1]
    second: np.ndarray  # the runner-up's score (-inf with a single agent)
    known: np.ndarray  # informative known terms in the request
    named: np.ndarray  # the agent the request names, or -1


class ManyDecisions(NamedTuple):
    """Answers of :meth:`PickRule.decide_many`: agent position (-1: abstain), score, reason index."""

    agents: np.ndarray
    scores: np.ndarray
    reasons: np.ndarray  # indexes into REASONS


def evidence(scores: np.ndarray, known: np.ndarray, named: np.ndarray, *, second: bool = True,
             score_of: Callable[[np.ndarray], np.ndarray] | None = None) -> Evidence:
    """The :class:`Evidence` of a (requests x agents) score matrix.

    ``second=False`` skips the runner-up (a partition per row, ~10% of a batch):
    only a rule with no margin may then read the result. ``score_of``, when given, maps
    ``scores`` (ranked values) to scores: a monotone map, applied to the best and the runner-up only.
    """
    rows = np.arange(scores.shape[0])
    best = scores.argmax(axis=1) if scores.shape[1] else np.zeros(len(rows), dtype=np.int64)
    top = scores[rows, best] if scores.shape[1] else np.zeros(len(rows))
    score = np.clip(top if score_of is None else score_of(top), 0.0, 1.0)
    if second and scores.shape[1] > 1:
        runner_up = np.partition(scores, -2, axis=1)[:, -2]
        if score_of is not None:
            runner_up = score_of(runner_up)
    else:
        runner_up = np.full(len(rows), -np.inf)
    return Evidence(best, score, runner_up, np.asarray(known), np.asarray(named))


@dataclass(frozen=True)
class PickRule:
    """When to answer: ``threshold`` and ``margin`` in [0, 1]; ``mentions``: honour named agents."""

    threshold: float
    margin: float = 0.0
    mentions: bool = True

    def at(self, threshold: float) -> PickRule:
        """The same rule with another threshold (what tuning compares)."""
        return replace(self, threshold=threshold)

    def decide(self, scores: np.ndarray, known: int, named: int | None,
               score_of: Callable[[float], float] | None = None) -> tuple[int | None, float, Reason]:
        """``(agent position or None, score, reason)`` for one request's agent ``scores``.

        ``known`` counts the request's informative known terms; ``named`` is the
        position of the agent it names, or None (``scores`` is then not read).
        ``score_of``, when given, maps ``scores`` to the scores the rule compares: a monotone
        map (the linear strategy's logistic), so it is applied to the top agents only.
        """
        if named is not None and self.mentions:
            return named, 1.0, "mention"
        if known == 0:
            return None, 0.0, "no_terms"
        best = int(scores.argmax())
        top = float(scores[best])
        score = clamp(top if score_of is None else score_of(top))
        if score < self.threshold or score <= 0.0:
            return None, score, "below_threshold"
        if self.margin > 0 and len(scores) > 1:
            second = float(np.partition(scores, -2)[-2])
            if score_of is not None:
                second = score_of(second)
            if score - second < self.margin:
                return None, score, "below_margin"
        return best, score, "picked"

    def decide_many(self, found: Evidence) -> ManyDecisions:
        """:meth:`decide` for every request of a batch at once (see :func:`evidence`)."""
        reasons = np.full(len(found.known), _PICKED, dtype=np.int8)
        if self.margin > 0:
            reasons[found.score - found.second < self.margin] = _BELOW_MARGIN
        reasons[(found.score < self.threshold) | (found.score <= 0.0)] = _BELOW_THRESHOLD
        reasons[found.known == 0] = _NO_TERMS
        if self.mentions:
            reasons[found.named >= 0] = _MENTION
        mention = reasons == _MENTION
        agents = np.where(reasons == _PICKED, found.best, np.where(mention, found.named, -1))
        scores = np.where(mention, 1.0, np.where(found.known == 0, 0.0, found.score))
        return ManyDecisions(agents.astype(np.int64), scores, reasons)
