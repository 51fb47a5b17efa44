"""Strategy planning: the cost of a learned fit is known, and refused or avoided, before anything is fitted."""

from __future__ import annotations

import pytest

from agentroute import Agent, Example, Router
from agentroute.features.space import FeatureSpace
from agentroute.routing import linear, plan
from agentroute.routing.plan import FitBudgetError, RegistryStats, learned_cost, plan_fit


def _agents(n: int, examples: int) -> list[Agent]:
    return [Agent(name=f"agent-{i}", description=f"handles topic{i} work",
                  examples=tuple(Example(request=f"please do topic{i} task number {j}") for j in range(examples)))
            for i in range(n)]


@pytest.fixture
def no_fitting(monkeypatch):
    """Any attempt to vectorise or fit the learned path fails the test: refusal must come first."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a fit started although the plan should have refused it")

    monkeypatch.setattr(linear, "build_linear_index", forbidden)
    original = FeatureSpace.fit_transform.__func__

    def only_profile(cls, specs, texts, **kwargs):
        if kwargs.get("owners") is None:  # the learned path vectorises examples without owners
            forbidden()
        return original(cls, specs, texts, **kwargs)

    monkeypatch.setattr(FeatureSpace, "fit_transform", classmethod(only_profile))


def test_explicit_learned_strategy_over_budget_is_refused_before_fitting(monkeypatch, no_fitting):
    monkeypatch.setattr(plan, "MEMORY_BUDGET_BYTES", 1024)
    with pytest.raises(FitBudgetError) as raised:
        Router(_agents(4, 6), strategy="linear")
    message = str(raised.value)
    assert "4 agents, 24 examples" in message and "MB budget" in message and "strategy='profile'" in message


def test_auto_over_budget_falls_back_to_profile_and_says_why(monkeypatch, no_fitting):
    monkeypatch.setattr(plan, "MEMORY_BUDGET_BYTES", 1024)
    router = Router(_agents(4, 6))
    assert router.strategy == "auto"
    assert router.fitted_strategy == "profile"
    assert "fell back to the profile strategy" in router.strategy_reason
    assert "budget" in router.strategy_reason
    assert router.pick("please do topic2 task").agent.name == "agent-2"


def test_strategy_attributes_report_what_was_fitted():
    learned = Router(_agents(4, 6))
    assert (learned.strategy, learned.fitted_strategy) == ("auto", "blended")
    assert learned.strategy_reason.startswith("auto: the median agent has 6 example requests")
    profile = Router(_agents(4, 0))
    assert profile.fitted_strategy == "profile" and "median agent has 0" in profile.strategy_reason
    forced = Router(_agents(4, 0), strategy="linear")
    assert forced.fitted_strategy == "linear" and forced.strategy_reason.startswith("strategy='linear' was asked for")
    for router in (learned, profile, forced):
        assert f"fitted_strategy={router.fitted_strategy!r}" in repr(router)
        assert router.explain("topic1 task").strategy_reason == router.strategy_reason


def test_strategy_reason_survives_save_and_load(tmp_path):
    router = Router(_agents(3, 6))
    router.save(tmp_path / "r.agr")
    loaded = Router.load(tmp_path / "r.agr")
    assert (loaded.fitted_strategy, loaded.strategy_reason) == (router.fitted_strategy, router.strategy_reason)


def test_learned_cost_picks_the_bounded_method_for_large_registries():
    clinc = learned_cost(RegistryStats(agents=150, examples=15_000, example_chars=600_000, distinct_words=7_000,
                                       median_examples=100))
    large = learned_cost(RegistryStats(agents=10_000, examples=100_000, example_chars=8_000_000, distinct_words=60_000,
                                       median_examples=10))
    assert clinc.method == "full" and clinc.peak_bytes < plan.MEMORY_BUDGET_BYTES
    # A full fit would hold a dense 10,000 x 1M coefficient matrix; the sampled one stays in budget.
    assert large.method == "sampled" and large.peak_bytes < plan.MEMORY_BUDGET_BYTES


def test_plan_needs_two_agents_for_a_learned_strategy():
    assert plan_fit(_agents(1, 6), "auto").strategy == "profile"
    with pytest.raises(FitBudgetError, match="at least two agents"):
        plan_fit(_agents(1, 6), "linear")


def _intents(examples: int) -> list[Agent]:
    return [Agent(name=f"intent{i}", examples=tuple(Example(request=f"topic{i} request number {j}") for j in range(examples)))
            for i in range(3)]


def test_auto_scores_examples_alone_where_authored_text_would_barely_count():
    """A name and 25 examples each: the profile would carry 1 - 25/25.55 = 2.2% of a score, so auto fits linear."""
    router = Router(_intents(25))
    assert router.fitted_strategy == "linear"
    assert "authored text would carry at most 2.2% of any agent's blended score (<= 5%)" in router.strategy_reason
    assert router.pick("topic1 request").agent.name == "intent1"
    # Ten examples each: 1 - 10/10.55 = 5.2%, over the line: the blend keeps the names.
    assert Router(_intents(10)).fitted_strategy == "blended"


def test_one_agent_with_its_own_text_keeps_the_blend():
    """Every agent's profile share must be small: one described agent is enough to keep the blend."""
    described = Agent(name="intent9", description=" ".join(f"word{i}" for i in range(40)),
                      examples=tuple(Example(request=f"topic9 request number {j}") for j in range(25)))
    assert Router(_intents(25) + [described]).fitted_strategy == "blended"


def test_the_linear_line_is_a_setting(monkeypatch):
    monkeypatch.setattr(plan, "LINEAR_PROFILE_SHARE", 0.0)
    assert Router(_intents(25)).fitted_strategy == "blended"


def test_auto_over_budget_names_the_strategy_it_would_have_fitted(monkeypatch, no_fitting):
    """Intent-style agents would have been fitted linear, agents with their own text blended: the
    fallback message says which, not always "blended"."""
    monkeypatch.setattr(plan, "MEMORY_BUDGET_BYTES", 1024)
    intents = Router(_intents(25))
    assert intents.fitted_strategy == "profile" and "the linear fit of" in intents.strategy_reason
    described = Router(_agents(4, 6))
    assert described.fitted_strategy == "profile" and "the blended fit of" in described.strategy_reason
