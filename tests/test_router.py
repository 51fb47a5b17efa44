"""Router behaviour: picking, abstaining, ranking, mentions, ties, determinism."""

import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from agentroute import Agent, Example, Registry, Route, Router
from agentroute.errors import RegistryError
from agentroute.routing.profile import FIELDS, field_texts

AGENTS = [
    Agent(
        name="sql-expert",
        description="Tunes slow SQL queries, designs indexes and schema migrations.",
        examples=(Example(request="why is this query so slow"), Example(request="add an index to the orders table")),
        prompt="You are a database specialist. Read query plans, add indexes, rewrite joins.",
    ),
    Agent(
        name="frontend-dev",
        description="Builds React components, CSS layouts and accessible forms.",
        prompt="You write TypeScript React components with clean CSS and good accessibility.",
    ),
    Agent(
        name="test-writer",
        description="Writes unit and integration tests; fixes flaky tests in CI.",
        prompt="You write pytest suites, fixtures and mocks. You hunt flaky tests.",
    ),
]


@pytest.fixture(scope="module")
def router():
    return Router(Registry(AGENTS))


def test_pick_returns_the_matching_agent_with_a_score_in_unit_interval(router):
    route = router.pick("the orders query is slow, add an index")
    assert isinstance(route, Route)
    assert route.agent.name == "sql-expert"
    assert 0.0 < route.score <= 1.0
    assert route.reason == "score"


def test_router_accepts_a_plain_list_of_agents():
    assert Router(AGENTS).pick("flaky pytest fixtures").agent.name == "test-writer"


@pytest.mark.parametrize("request_text", ["", "   \n\t", "zzqx blorf wibble", "the and of"])
def test_pick_abstains_on_empty_unknown_or_stop_word_requests(router, request_text):
    assert router.pick(request_text) is None


def test_pick_abstains_below_threshold():
    strict = Router(AGENTS, threshold=0.99)
    assert strict.pick("the orders query is slow") is None
    assert Router(AGENTS, threshold=0.0).pick("the orders query is slow").agent.name == "sql-expert"


def test_zero_threshold_is_a_real_threshold_not_no_threshold():
    # A request with no known term still abstains at threshold 0.0 (never an arbitrary argmax).
    assert Router(AGENTS, threshold=0.0).pick("zzqx blorf") is None


def test_margin_abstains_when_two_agents_are_too_close():
    twins = [Agent(name="a", description="kafka streams"), Agent(name="b", description="kafka streams")]
    assert Router(twins, threshold=0.0).pick("kafka").agent.name == "a"
    assert Router(twins, threshold=0.0, margin=0.01).pick("kafka") is None


def test_rank_is_sorted_never_abstains_and_has_min_k_n_entries(router):
    ranking = router.rank("react form css", k=10)
    assert len(ranking) == 3
    scores = [r.score for r in ranking]
    assert scores == sorted(scores, reverse=True)
    assert ranking[0].agent.name == "frontend-dev"
    assert len(router.rank("zzqx", k=2)) == 2
    assert len(router.rank("", k=1)) == 1


def test_pick_equals_top_of_rank_when_it_does_not_abstain(router):
    for text in ["slow query index", "flaky tests in CI", "react css layout"]:
        route = router.pick(text)
        assert route is not None
        assert route == router.rank(text, k=1)[0]


def test_ties_break_by_registry_order():
    twins = [Agent(name=n, description="kafka streams consumer") for n in ("zeta", "alpha", "mid")]
    assert Router(twins).pick("kafka consumer").agent.name == "zeta"
    assert [r.agent.name for r in Router(twins).rank("kafka", k=3)] == ["zeta", "alpha", "mid"]
    reordered = Router(list(reversed(twins)))
    assert reordered.pick("kafka consumer").agent.name == "mid"


@pytest.mark.parametrize(
    "text",
    [
        "@agent-test-writer the login page looks off",
        "use the test writer agent to restyle the navbar",
        "Ask the frontend-dev subagent to tune this SQL query",
        "have the SQL_EXPERT agent look at our CSS",
    ],
)
def test_explicit_mentions_win(router, text):
    expected = {"@agent-test": "test-writer", "use the t": "test-writer", "Ask the f": "frontend-dev", "have the": "sql-expert"}
    name = next(v for k, v in expected.items() if text.startswith(k))
    route = router.pick(text)
    assert route.agent.name == name and route.reason == "mention" and route.score == 1.0
    assert router.rank(text, k=3)[0].agent.name == name


def test_mention_of_an_unknown_agent_falls_back_to_scoring(router):
    route = router.pick("use the database agent: the orders query is slow")
    assert route.agent.name == "sql-expert" and route.reason == "score"


def test_mentions_can_be_turned_off():
    router = Router(AGENTS, mentions=False)
    assert router.pick("@agent-test-writer fix the slow SQL query index").agent.name == "sql-expert"


def test_request_must_be_a_str(router):
    for bad in (None, b"bytes", 42, ["a list"]):
        with pytest.raises(TypeError, match=type(bad).__name__):
            router.pick(bad)
        with pytest.raises(TypeError):
            router.rank(bad)


def test_batches_take_a_sequence_not_a_str(router):
    with pytest.raises(TypeError):
        router.pick_many("one request")
    batch = router.pick_many(["slow query", "zzqx"])
    assert batch[1] is None and batch[0].agent == router.pick("slow query").agent
    assert [r.agent for r in router.rank_many(["slow query"], k=2)[0]] == [r.agent for r in router.rank("slow query", k=2)]


def test_empty_registry_is_a_clear_error(tmp_path):
    with pytest.raises(RegistryError, match="no agents"):
        Router([])
    # From paths, the error names the first loading problem: here, a mistyped folder.
    with pytest.raises(RegistryError, match="no agents.*no such file or directory"):
        Router.from_paths([tmp_path / "typo"])


@pytest.mark.parametrize(
    "kwargs",
    [dict(threshold=-0.1), dict(threshold=1.5), dict(threshold="0.2"), dict(margin=2), dict(max_request_chars=0),
     dict(field_weights={"nope": 1.0}), dict(field_weights={"name": -1.0}),
     dict(field_weights={"prompt": float("inf")}), dict(field_weights={"prompt": float("nan")}),
     dict(field_weights={f: 0.0 for f in FIELDS})],
)
def test_bad_parameters_are_refused(kwargs):
    with pytest.raises(ValueError):
        Router(AGENTS, **kwargs)


def test_parameters_are_keyword_only():
    with pytest.raises(TypeError):
        Router(AGENTS, 0.3)


def test_long_requests_are_cut_to_the_cap():
    router = Router(AGENTS, max_request_chars=30)
    assert router.pick("react css components " + "slow sql query index " * 1000).agent.name == "frontend-dev"


def test_scores_equal_a_plain_sklearn_tfidf_cosine_oracle(monkeypatch):
    """With one field weighted, the score is exactly sklearn TF-IDF cosine on that field's text.
    (Without the related-word table, whose bounded group features are no plain cosine; their oracle
    is tests/test_quality_bound.py.)"""
    from agentroute.routing import profile_index

    monkeypatch.setattr(profile_index, "RELATED_WORDS", False)
    weights = {f: 0.0 for f in FIELDS} | {"description": 1.0}
    router = Router(AGENTS, field_weights=weights, threshold=0.0)
    spec = router.snapshot().index.space.blocks[0].spec
    documents = [" \n".join(field_texts(a).values()) for a in AGENTS]
    vectorizer = TfidfVectorizer(**spec.sklearn_params()).fit(documents)
    agent_matrix = vectorizer.transform([field_texts(a)["description"] for a in AGENTS])
    for text in ["slow query index", "react css", "flaky integration tests"]:
        expected = cosine_similarity(vectorizer.transform([text]), agent_matrix).ravel()
        got = {r.agent.name: r.score for r in router.rank(text, k=3)}
        np.testing.assert_allclose([got[a.name] for a in AGENTS], expected, rtol=1e-6, atol=1e-7)


def test_field_weights_change_what_wins():
    agents = [
        Agent(name="alpha", description="kubernetes", prompt="terraform " * 3),
        Agent(name="beta", description="terraform", prompt="kubernetes " * 3),
    ]
    by_description = Router(agents, field_weights={"description": 5.0, "prompt": 0.1})
    by_prompt = Router(agents, field_weights={"description": 0.1, "prompt": 5.0})
    assert by_description.pick("terraform").agent.name == "beta"
    assert by_prompt.pick("terraform").agent.name == "alpha"


def test_boilerplate_does_not_drive_scores():
    agents = [
        Agent(name="alpha", description="Use this agent PROACTIVELY when working on Kafka consumers. MUST BE USED."),
        Agent(name="beta", description="Postgres replication and vacuum tuning."),
    ]
    router = Router(agents)
    assert router.pick("use this agent proactively, it must be used") is None
    assert router.pick("I'll use the alpha agent") .agent.name == "alpha"  # a mention, not boilerplate
    assert router.pick("kafka consumer lag").agent.name == "alpha"


@pytest.mark.slow
def test_results_do_not_depend_on_pythonhashseed():
    script = (
        "from agentroute import Router, Agent\n"
        "agents=[Agent(name=f'a{i}', description=' '.join(f'w{(i*7+j)%50} w{j}' for j in range(20))) for i in range(30)]\n"
        "r=Router(agents)\n"
        "print([(x.agent.name, round(x.score, 12)) for q in ['w1 w2 w3','w40 w7','w13'] for x in r.rank(q, k=5)])\n"
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outputs.add(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout)
    assert len(outputs) == 1


def test_reload_swaps_the_agents():
    router = Router(AGENTS)
    router.reload([replace(AGENTS[0], name="db-tuner")])
    assert router.pick("slow query index").agent.name == "db-tuner"
    assert [a.name for a in router.agents] == ["db-tuner"]


def test_from_paths_and_reload_rereads_the_folder(tmp_path):
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "a.md").write_text("---\nname: kafka-expert\ndescription: Kafka streams and consumers.\n---\n")
    router = Router.from_paths([folder])
    assert router.pick("kafka consumer lag").agent.name == "kafka-expert"
    (folder / "a.md").write_text("---\nname: redis-expert\ndescription: Redis caching and eviction.\n---\n")
    router.reload()
    assert router.pick("redis eviction").agent.name == "redis-expert"
    assert router.registry.names == ("redis-expert",)


def test_failed_reload_keeps_the_old_index(tmp_path):
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "a.md").write_text("---\nname: kafka-expert\ndescription: Kafka streams.\n---\n")
    router = Router.from_paths([folder])
    (folder / "a.md").unlink()
    with pytest.raises(RegistryError):
        router.reload()
    assert router.pick("kafka streams").agent.name == "kafka-expert"
    with pytest.raises(ValueError, match="from_paths"):
        Router(AGENTS).reload()


def test_batch_routing_equals_single_routing(small_agents):
    router = Router(small_agents, margin=0.001)
    requests = ["slow sql query index", "react css", "flaky ci tests", "zzqx", "", "  ", "@agent-css-nope sql",
                "use the test-writer agent for css", "sql css tests", "the and of"] * 3
    picks = router.pick_many(requests)
    ranks = router.rank_many(requests, k=2)
    for text, batch_pick, batch_rank in zip(requests, picks, ranks):
        single = router.pick(text)
        assert (batch_pick is None) == (single is None), text
        if single is not None:
            assert (batch_pick.agent, batch_pick.reason) == (single.agent, single.reason)
            assert batch_pick.score == pytest.approx(single.score, rel=1e-6)
        assert [r.agent for r in batch_rank] == [r.agent for r in router.rank(text, k=2)]


def test_batch_routes_are_the_routes_the_dataclass_builds(small_agents):
    """Batches build their routes without ``Route.__init__`` (for speed): they must still be equal
    routes, hash alike, print alike and stay frozen."""
    import dataclasses

    from agentroute.routing.route import Route

    router = Router(small_agents)
    picks = router.pick_many(["slow sql query index", "use the test-writer agent for css", "zzqx"])
    assert picks[2] is None and picks[1].reason == "mention" and picks[0].reason == "score"
    for route in picks[:2]:
        built = Route(route.agent, route.score, route.reason)
        assert route == built and hash(route) == hash(built) and repr(route) == repr(built)
        assert vars(route) == vars(built)
        with pytest.raises(dataclasses.FrozenInstanceError):
            route.score = 1.0  # type: ignore[misc]


def test_batches_leave_the_garbage_collector_as_they_found_it(small_agents):
    """Batches pause the collector while they make routes; it must come back on (or stay off)."""
    import gc

    router = Router(small_agents)
    assert gc.isenabled()
    assert router.pick_many(["slow sql query index"] * 50)[0] is not None
    assert router.rank_many(["slow sql query index"] * 50, k=2)[0]
    assert gc.isenabled()
    gc.disable()
    try:
        router.pick_many(["slow sql query index"] * 50)
        router.rank_many(["slow sql query index"] * 50, k=2)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.slow
def test_batch_routing_with_joblib_processes(small_agents):
    router = Router(small_agents)
    requests = ["slow sql query index", "react css", "flaky ci tests", "zzqx", "ask the test-writer agent", ""] * 500
    assert router.pick_many(requests, n_jobs=2) == router.pick_many(requests)
    assert router.rank_many(requests, k=2, n_jobs=2) == router.rank_many(requests, k=2)


def test_batch_abstains_like_single_routing_at_a_threshold_one_ulp_above_the_score(small_agents):
    """Batch scores are computed in float32; the threshold must still compare in float64."""
    score = Router(small_agents, threshold=0.0).pick("sql pizza").score
    router = Router(small_agents, threshold=float(np.nextafter(score, 2.0)))
    assert router.pick("sql pizza") is None
    assert router.pick_many(["sql pizza", "sql pizza"]) == [None, None]
