"""benchmarks/realistic.py tells ranking misses from abstentions, per registry, for any field-weight table."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

from agentroute import Agent

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


realistic = _load("realistic")

SQL = Agent(name="sql-expert", description="Tunes slow SQL queries, indexes and schema migrations.")
CSS = Agent(name="css-fixer", description="Fixes CSS layouts, flexbox and styling bugs.")
DOCS = Agent(name="docs-writer", description="Writes READMEs, tutorials and API reference documentation.")


def test_closed_set_counts_a_right_top_agent_whose_score_is_below_the_threshold():
    cases = [realistic.Case("slow SQL queries on the orders table", "a", ("sql-expert",)),
             realistic.Case("flexbox layout broken", "a", ("css-fixer",)),
             realistic.Case("what's the weather", "a", ())]
    record = realistic.evaluate_cases(cases, {"a": [SQL, CSS]}, realistic.router_factory(threshold=1.0))
    # Nothing reaches a threshold of 1.0: no sensible pick, every out-of-scope request abstains,
    # yet both in-scope requests rank their agent first (a threshold problem, not a ranking one).
    assert record["sensible_pick"] == 0.0
    assert record["closed_set"] == 1.0
    assert record["oos_abstained"] == 1.0


def test_figures_are_also_given_per_registry():
    cases = [realistic.Case("slow SQL queries", "a", ("sql-expert",)),
             realistic.Case("flexbox layout broken", "a", ("sql-expert",)),  # judged wrongly on purpose: a miss
             realistic.Case("rewrite the README tutorial", "b", ("docs-writer",)),
             realistic.Case("play some jazz", "b", ())]
    record = realistic.evaluate_cases(cases, {"a": [SQL, CSS], "b": [SQL, DOCS]})
    assert record["by_registry"] == {
        "a": {"in_scope": 2, "sensible": 1, "closed_set": 1, "top3": 2, "out_of_scope": 0, "abstained": 0},
        "b": {"in_scope": 1, "sensible": 1, "closed_set": 1, "top3": 1, "out_of_scope": 1, "abstained": 1},
    }
    assert record["in_scope"] == 3 and record["out_of_scope"] == 1
    assert record["sensible_pick"] == pytest.approx(2 / 3)


def test_field_weights_reach_the_routers_that_are_measured():
    # A request that only the body of one agent and only the description of the other match.
    body = Agent(name="body-agent", description="Handles tickets.", prompt="kubernetes helm charts " * 5)
    desc = Agent(name="desc-agent", description="kubernetes helm charts", prompt="unrelated words about gardening " * 5)
    cases = [realistic.Case("kubernetes helm charts", "a", ("desc-agent",))]
    heavy_body = realistic.evaluate_cases(cases, {"a": [body, desc]}, realistic.router_factory({"prompt": 20.0}))
    no_body = realistic.evaluate_cases(cases, {"a": [body, desc]}, realistic.router_factory({"prompt": 0.0}))
    assert heavy_body["closed_set"] == 0.0 and no_body["closed_set"] == 1.0


def test_field_weights_are_parsed_and_checked_before_anything_is_fitted():
    assert realistic.parse_field_weights("name=1, prompt=3.5") == {"name": 1.0, "prompt": 3.5}
    with pytest.raises(argparse.ArgumentTypeError, match="FIELD=WEIGHT"):
        realistic.parse_field_weights("name")
    with pytest.raises(ValueError, match="unknown field"):
        realistic.router_factory({"bogus": 1.0})
    with pytest.raises(SystemExit):
        realistic.main(["--field-weights", "prompt=-1"])


def test_related_words_flag_turns_the_table_off_and_on_for_the_run(tmp_path, monkeypatch):
    from agentroute.routing import profile_index

    monkeypatch.setattr(profile_index, "RELATED_WORDS", True)
    assert realistic.main(["--no-related-words", "--shared", str(tmp_path / "absent")]) == 0
    assert profile_index.RELATED_WORDS is False
    assert realistic.main(["--shared", str(tmp_path / "absent")]) == 0
    assert profile_index.RELATED_WORDS is True
    k8s = Agent(name="cluster-operator", description="Runs Kubernetes clusters and Helm charts.")
    result = realistic.evaluate_cases([realistic.Case("restart the k8s pods", "a", ("cluster-operator",))],
                                      {"a": [k8s, CSS, DOCS]})
    assert result["sensible_pick"] == 1.0
