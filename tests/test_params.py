"""One parameter source: checked on every change, the same in every rebuild, save and load."""

from __future__ import annotations

import inspect

import pytest

from agentroute import Agent, Example, Router
from agentroute.evaluation.loo import leave_one_out
from agentroute.lint.routing_checks import misrouted_examples
from agentroute.routing.params import PARAM_NAMES, RouterParams

AGENTS = [Agent(name="sql-expert", description="Tunes slow SQL queries and indexes",
                examples=(Example("the orders query is slow"),)),
          Agent(name="css-fixer", description="Fixes CSS layouts and styling",
                examples=(Example("the navbar overlaps the page"),)),
          Agent(name="test-writer", description="Writes unit tests for flaky code")]


def test_constructor_and_from_paths_take_exactly_the_parameters_with_their_defaults():
    defaults = RouterParams()
    for function in (Router.__init__, Router.from_paths):
        params = {name: p.default for name, p in inspect.signature(function).parameters.items()
                  if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("strict", "learned")}  # loading, not routing
        assert tuple(params) == PARAM_NAMES, function
        assert params == {name: getattr(defaults, name) for name in PARAM_NAMES}


@pytest.mark.parametrize("name, value", [("threshold", 5), ("threshold", -0.1), ("margin", 2.0),
                                         ("max_request_chars", 0), ("strategy", "magic"),
                                         ("field_weights", {"nope": 1.0}), ("field_weights", {"name": -1.0}),
                                         ("mentions", "yes")])
def test_assigning_a_bad_value_is_refused_and_changes_nothing(name, value):
    router = Router(AGENTS)
    before = router.get_params(), router.snapshot()
    with pytest.raises(ValueError):
        setattr(router, name, value)
    assert (router.get_params(), router.snapshot()) == before
    assert router.pick("slow sql queries").agent.name == "sql-expert"


def test_assigned_threshold_margin_and_cut_apply_to_the_next_call():
    router = Router(AGENTS)
    assert router.pick("slow sql queries") is not None
    router.threshold = 1.0
    assert router.pick("slow sql queries") is None and router.effective_threshold == 1.0
    assert router.pick_many(["slow sql queries"]) == [None]
    router.threshold = None
    assert router.effective_threshold == router.index.default_threshold
    assert router.pick("zzzz css layouts").agent.name == "css-fixer"
    router.max_request_chars = 4  # only "zzzz" is left: no known term
    assert router.pick("zzzz css layouts") is None and router.decide("zzzz css layouts").reason == "no_terms"


def test_assigned_field_weights_refit_and_reload_keeps_them(tmp_path):
    folder = tmp_path / "agents"
    folder.mkdir()
    for agent in AGENTS:
        (folder / f"{agent.name}.md").write_text(f"---\nname: {agent.name}\ndescription: {agent.description}\n---\n")
    router = Router.from_paths([folder], threshold=0.0)
    before = router.rank("slow css", k=3)
    router.field_weights = {"name": 0.0, "description": 1.0, "examples": 0.0, "context": 0.0, "prompt": 0.0}
    after = router.rank("slow css", k=3)
    assert [r.score for r in after] != [r.score for r in before]
    router.reload()
    assert router.rank("slow css", k=3) == after
    assert Router.from_paths([folder], **router.get_params()).rank("slow css", k=3) == after


def test_a_caller_mutating_its_dict_changes_nothing():
    weights = {"description": 2.0}
    router = Router(AGENTS, field_weights=weights)
    weights["description"] = -5.0
    assert router.field_weights == {"description": 2.0}
    router.reload(AGENTS)  # fits with the checked copy
    assert router.get_params()["field_weights"] == {"description": 2.0}


def test_save_and_load_round_trip_every_parameter(tmp_path):
    router = Router(AGENTS, threshold=0.2, margin=0.05, field_weights={"prompt": 0.5}, max_request_chars=500,
                    mentions=False, strategy="profile")
    router.save(tmp_path / "r.agr")
    assert Router.load(tmp_path / "r.agr").get_params() == router.get_params()


LOO_AGENTS = [Agent(name="sql-expert", description="Tunes slow SQL queries", examples=(Example("slow SQL queries"),)),
              Agent(name="css-fixer", description="Fixes broken CSS layouts", examples=(Example("CSS layouts broken"),)),
              Agent(name="test-writer", description="Writes unit tests", prompt="sql queries css layouts")]
PROMPT_ONLY = {"name": 0.0, "description": 0.0, "examples": 0.0, "context": 0.0, "prompt": 1.0}


def test_leave_one_out_fits_with_the_given_routers_parameters():
    default = leave_one_out(LOO_AGENTS)
    weighted = leave_one_out(LOO_AGENTS, like=Router(LOO_AGENTS, field_weights=PROMPT_ONLY))
    assert [c.ranked[0] for c in default.cases] == ["sql-expert", "css-fixer"]
    assert [c.ranked[0] for c in weighted.cases] == ["test-writer", "test-writer"]  # only prompts count


def test_lint_refits_keep_the_routers_parameters():
    """``refit`` fits with the router's parameters (here: only prompts count), as leave-one-out does."""
    assert misrouted_examples(LOO_AGENTS, Router(LOO_AGENTS), "refit") == []
    weighted = misrouted_examples(LOO_AGENTS, Router(LOO_AGENTS, field_weights=PROMPT_ONLY), "refit")
    assert [(f.code, f.related) for f in weighted] == [("AR302", "test-writer"), ("AR302", "test-writer")]


def test_lint_cuts_examples_as_the_router_does():
    long = Agent(name="css-fixer", description="Fixes CSS layouts and styling",
                 examples=(Example("slow sql queries and indexes, then css layouts"),))
    agents = [AGENTS[0], long, AGENTS[2]]
    assert [f.code for f in misrouted_examples(agents, Router(agents), "refit")] == ["AR302"]
    cut = misrouted_examples(agents, Router(agents, max_request_chars=3), "refit")
    assert [f.code for f in cut] == ["AR303", "AR303"]  # cut to 3 characters, no example has a known word
