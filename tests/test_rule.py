"""The one pick rule: pick, decide, batches, explain, tuning and coverage curves agree with it."""

from __future__ import annotations

import numpy as np
import pytest

from agentroute import Agent, Example, Router, evaluate, read_labelled, tune_threshold
from agentroute.builtin import builtin_agents_dir, builtin_data_file
from agentroute.evaluation.labelled import as_labelled
from agentroute.evaluation.metrics import threshold_points
from agentroute.routing.rule import REASONS, PickRule, evidence


def _scalar(rule: PickRule, scores: np.ndarray, known: np.ndarray, named: np.ndarray):
    return [rule.decide(s, int(k), None if n < 0 else int(n)) for s, k, n in zip(scores, known, named)]


CASES = [  # scores of 3 agents, known terms, named agent (-1: none), expected reason
    ([0.5, 0.2, 0.1], 3, -1, "picked"),
    ([0.5, 0.2, 0.1], 3, 2, "mention"),
    ([0.0, 0.0, 0.0], 0, 1, "mention"),
    ([0.0, 0.0, 0.0], 0, -1, "no_terms"),
    ([0.3, 0.0, 0.0], 0, -1, "no_terms"),  # no informative known term wins over any score
    ([0.0, 0.0, 0.0], 2, -1, "below_threshold"),  # known terms, all zero weight: never a pick
    ([0.2, 0.1, 0.0], 2, -1, "below_threshold"),
    ([0.25, 0.1, 0.0], 2, -1, "picked"),  # exactly the threshold answers
    ([0.5, 0.45, 0.0], 2, -1, "below_margin"),
    ([0.5, 0.375, 0.0], 2, -1, "picked"),  # a lead of exactly the margin answers
    ([1.0000001, 0.2, 0.0], 1, -1, "picked"),  # rounding above 1 is clamped
]


def test_scalar_and_vectorised_rule_agree_case_by_case():
    rule = PickRule(threshold=0.25, margin=0.125)  # exact in binary: equalities are real equalities
    scores = np.array([c[0] for c in CASES], dtype=np.float64)
    known = np.array([c[1] for c in CASES])
    named = np.array([c[2] for c in CASES])
    expected = [c[3] for c in CASES]
    single = _scalar(rule, scores, known, named)
    assert [reason for _, _, reason in single] == expected
    many = rule.decide_many(evidence(scores, known, named))
    assert [REASONS[r] for r in many.reasons] == expected
    assert many.agents.tolist() == [-1 if a is None else a for a, _, _ in single]
    assert many.scores.tolist() == [s for _, s, _ in single]
    assert single[-1][1] == 1.0


def test_exact_threshold_and_margin_equalities_hold_with_float_arithmetic():
    """0.3 - 0.2 is 0.09999999999999998 in floats: below a margin of 0.1, in both forms."""
    rule = PickRule(threshold=0.3, margin=0.1)
    scores = np.array([[0.3, 0.2], [0.3, 0.1]])
    many = rule.decide_many(evidence(scores, np.array([1, 1]), np.array([-1, -1])))
    single = _scalar(rule, scores, np.array([1, 1]), np.array([-1, -1]))
    assert [REASONS[r] for r in many.reasons] == [s[2] for s in single] == ["below_margin", "picked"]


def test_mentions_off_ignores_a_named_agent():
    rule = PickRule(threshold=0.9, mentions=False)
    assert rule.decide(np.array([0.1, 0.0]), 1, 1) == (None, 0.1, "below_threshold")
    many = rule.decide_many(evidence(np.array([[0.1, 0.0]]), np.array([1]), np.array([1])))
    assert REASONS[many.reasons[0]] == "below_threshold"


def test_margin_is_ignored_with_a_single_agent():
    rule = PickRule(threshold=0.0, margin=0.5)
    assert rule.decide(np.array([0.2]), 1, None)[2] == "picked"
    assert REASONS[rule.decide_many(evidence(np.array([[0.2]]), np.array([1]), np.array([-1]))).reasons[0]] == "picked"


# Two near-equal SQL agents. Their scores for "the slow sql queries" must come out bit-equal from
# single and batch routing (the test compares Routes, scores included); float32 sums in another
# order can differ by one ulp, so the descriptions were chosen where they do not.
AGENTS = [Agent(name="sql-expert", description="Tunes slow SQL queries, indexes and plans"),
          Agent(name="css-fixer", description="Fixes CSS layouts and styling"),
          Agent(name="sql-specialist", description="Tunes slow SQL queries and table joins")]


@pytest.mark.parametrize("request_text, kwargs, reason", [
    ("the slow sql queries", {}, "below_margin"),
    ("the slow sql queries", {"margin": 0.0}, "picked"),
    ("css layouts", {}, "picked"),
    ("what's for dinner?", {}, "no_terms"),
    ("   ", {}, "no_terms"),
    ("css layouts", {"threshold": 1.0}, "below_threshold"),
    ("ask the css-fixer agent about sql", {}, "mention"),
])
def test_decide_pick_explain_and_batches_give_one_answer(request_text, kwargs, reason):
    router = Router(AGENTS, **({"margin": 0.05} | kwargs))
    decision = router.decide(request_text)
    assert decision.reason == reason
    assert decision.route == router.pick(request_text) == router.pick_many([request_text])[0]
    explanation = router.explain(request_text)
    assert explanation.reason == reason and explanation.picked == decision.route
    assert (decision.route is None) == (reason not in ("picked", "mention"))


def _builtin():
    return Router.from_paths([builtin_agents_dir()]), read_labelled(builtin_data_file("builtin_dev.jsonl"))


@pytest.mark.parametrize("margin", [0.0, 0.05, 0.2])
def test_tuned_threshold_predicts_what_evaluate_measures(margin):
    """On the built-in dev data the tuner's accuracy at its threshold is evaluate()'s, whatever the margin.

    (The tuner used to apply only `top >= threshold`: it predicted 0.615 for all three
    margins, while evaluate() measured 0.495 at 0.05 and 0.230 at 0.2.)
    """
    router, rows = _builtin()
    router.margin = margin
    points = {p.threshold: p for p in threshold_points(router, rows)}
    threshold = tune_threshold(router, rows)
    router.threshold = threshold
    report = evaluate(router, rows)
    assert report.accuracy == points[threshold].accuracy
    assert report.in_scope_accuracy == points[threshold].in_scope_accuracy
    assert report.out_of_scope_recall == points[threshold].out_of_scope_recall
    assert points[threshold].accuracy == max(p.accuracy for p in points.values())


def test_every_threshold_point_is_what_pick_does():
    router, rows = _builtin()
    router.margin = 0.05
    points = threshold_points(router, rows)
    labels = [r.label or "none" for r in rows]
    for point in points[:: max(1, len(points) // 15)]:
        router.threshold = point.threshold
        picks = [p.agent.name if p else "none" for p in router.pick_many([r.text for r in rows])]
        assert np.mean([p == l for p, l in zip(picks, labels)]) == point.accuracy


def test_coverage_curve_points_are_what_pick_does():
    router, rows = _builtin()
    router.margin = 0.05
    labels = [r.label or "none" for r in rows]
    for point in evaluate(router, rows).coverage_curve:
        router.threshold = point["threshold"]
        picks = [p.agent.name if p else "none" for p in router.pick_many([r.text for r in rows])]
        answered = [(p, l) for p, l in zip(picks, labels) if p != "none"]
        assert point["coverage"] == len(answered) / len(rows)
        if answered:
            assert point["accuracy"] == np.mean([p == l for p, l in answered])


def test_rows_with_no_known_term_are_never_counted_as_answered():
    """At threshold 0 a zero-score request abstains in pick; tuning must count it as abstaining."""
    router = Router(AGENTS)
    rows = as_labelled(["zzqx qqq", "css layouts"], ["none", "css-fixer"])
    points = threshold_points(router, rows)
    assert points[0].threshold == 0.0 and points[0].accuracy == 1.0


def test_ties_go_to_the_lowest_threshold_and_zero_is_a_candidate():
    """Every row answered right at any threshold up to the lowest score: the tuner says 0.0."""
    rows = as_labelled(["css layouts", "slow sql queries indexes"], ["css-fixer", "sql-expert"])
    assert tune_threshold(Router(AGENTS), rows) == 0.0


LINEAR_AGENTS = [
    Agent(name="weather", description="Forecasts", examples=tuple(
        Example(request=r) for r in ("will it rain tomorrow", "weather in Lisbon", "is it cold outside today"))),
    Agent(name="timer", description="Timers and alarms", examples=tuple(
        Example(request=r) for r in ("set a timer for ten minutes", "wake me at 7", "start a countdown"))),
    Agent(name="banking", description="Accounts", examples=tuple(
        Example(request=r) for r in ("what is my balance", "transfer money to savings", "freeze my card"))),
]
LINEAR_REQUESTS = ["will it rain in Lisbon", "set a countdown", "my balance please", "rain timer balance",
                   "zzz", "transfer the weather", "a"]


@pytest.mark.parametrize("strategy", ["linear", "blended"])
@pytest.mark.parametrize("margin", [0.0, 0.1, 0.3])
def test_pick_ranks_by_decision_values_and_scores_only_the_top(strategy, margin):
    """pick maps only the top agents' decision values through the logistic: same answers, same
    scores as applying the rule to every agent's score (what batches and rank do)."""
    router = Router(LINEAR_AGENTS, strategy=strategy, margin=margin, threshold=0.3)
    index, rule = router.snapshot().index, router.snapshot().rule
    batches = router.pick_many(LINEAR_REQUESTS * 2)  # batches too map only the top two values
    assert batches[: len(LINEAR_REQUESTS)] == batches[len(LINEAR_REQUESTS) :]
    for text, batch in zip(LINEAR_REQUESTS, batches):
        scores, known = index.scores(text)
        expected = rule.decide(scores, known, None)
        ranked, known_too = index.ranked_scores(text)
        assert known_too == known
        got = rule.decide(np.zeros(0) if ranked is None else ranked, known, None, index.score_of)
        assert got[0] == expected[0] and got[2] == expected[2], text
        assert got[1] == pytest.approx(expected[1], abs=1e-12)
        route = router.pick(text)
        assert router.pick_many([text])[0] == batch
        assert (route is None) == (batch is None) == (expected[0] is None)
        if route is not None:
            assert route.agent == batch.agent == router.rank(text, k=1)[0].agent
            assert route.score == pytest.approx(router.rank(text, k=1)[0].score, abs=1e-12)
            assert route.score == pytest.approx(batch.score, abs=1e-6)  # batches multiply in float32


def test_an_index_that_has_served_still_pickles():
    """Worker processes receive the index by pickle: what pick caches on it must pickle too."""
    import pickle

    router = Router(LINEAR_AGENTS, strategy="linear")
    route = router.pick("will it rain in Lisbon")
    again = pickle.loads(pickle.dumps(router.snapshot().index))
    assert again.score_of is not None
    assert again.scores("will it rain in Lisbon")[0].max() == pytest.approx(route.score)
