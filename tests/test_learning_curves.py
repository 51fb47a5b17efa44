"""benchmarks/learning_curves.py's dev-halves diagnosis: where the built-in curve's accuracy comes from."""

from __future__ import annotations

import math

import pytest
from benchmark_modules import load_benchmark

curves = load_benchmark("learning_curves")


@pytest.fixture(scope="module")
def components():
    return curves.dev_halves_components(ks=(0, 2), seeds=1)


def test_components_score_the_same_routers_as_the_dev_halves_curve(components):
    assert components["ks"] == [0, 2] and components["splits"] == 2
    assert components["accuracy"] == pytest.approx(curves.dev_halves_curve(ks=(0, 2), seeds=1)["accuracy"])
    # The default threshold is among those searched, so the best is never below it.
    assert all(best >= got for best, got in zip(components["best_threshold_accuracy"], components["accuracy"]))


def test_components_separate_what_the_learned_requests_reach(components):
    # The profile without learned requests never sees them: the same at every k; with none learned, the
    # profile with them is that profile, and there is no nearest learned request.
    assert components["profile_without_learned_top1"][0] == components["profile_without_learned_top1"][1]
    assert components["profile_top1"][0] == components["profile_without_learned_top1"][0]
    assert math.isnan(components["nearest_learned_top1"][0]) and 0 <= components["nearest_learned_top1"][1] <= 100
    for key in ("blended_top1", "learned_part_top1", "profile_top1"):
        assert all(0 <= x <= 100 for x in components[key])


def test_nearest_learned_request_abstains_when_no_word_is_shared():
    pool = {"db": ["the orders query is slow"], "css": ["center the sidebar div"]}
    assert curves._nearest_learned(pool, ["slow query again", "sidebar overlaps", "hello there"]) == ["db", "css", None]


def test_learned_requests_do_not_lower_dev_half_accuracy(monkeypatch):
    """Issue 12: k = 1, 2, 4 learned requests per built-in agent (from one dev half) never lower
    accuracy on the other half below k = 0, over the 16 splits docs/learning.md reports (within
    4 of 1,600 scored requests: 69.5 / 70.0 / 70.0 / 69.4 with the related-word table on, one request
    below at k = 4). With learned requests in the profile text and no word forms in the learned part,
    as before, it fell (69.5 -> 66.9 at k = 4)."""
    from agentroute.routing import blend

    accuracy = curves.dev_halves_curve()["accuracy"]
    assert min(accuracy[1:]) >= accuracy[0] - 0.25, accuracy
    monkeypatch.setattr(blend, "LEARNED_PROFILE_SHARE", 0.0)  # learned requests always profile text
    monkeypatch.setattr(blend, "LEARNED_WORD_FORMS", False)
    before = curves.dev_halves_curve(seeds=4)["accuracy"]
    assert before[0] == accuracy[0] and before[-1] < accuracy[0] - 1.0, before
