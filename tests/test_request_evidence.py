"""Issue 13's failure classes: generic-only evidence, word forms, prefix collisions."""

import numpy as np
import pytest

from agentroute import Agent, Router

AGENTS = [
    Agent(name="api-documenter", description="Writes OpenAPI docs for REST endpoints",
          prompt="Read the code, tell the reader what each endpoint does, recommend examples, add a page per resource."),
    Agent(name="database-optimizer", description="Tunes slow SQL queries and indexes",
          prompt="Read the query plan and recommend indexes; add them where the page of results loads slowly."),
    Agent(name="security-auditor", description="Audits dependencies for known CVE entries and OWASP risks",
          prompt="Scan each dependency and report the CVE, its severity and the fix."),
    Agent(name="product-manager", description="Owns the product roadmap and prioritises features",
          prompt="Write product requirements and plan the product launch with stakeholders."),
    Agent(name="incident-responder", description="Leads outages when production is down",
          prompt="Coordinate the response when production systems fail; write the postmortem."),
]


def test_a_request_known_only_through_generic_words_abstains():
    router = Router(AGENTS)
    chit_chat = ["tell me a joke about cats", "recommend a good sci-fi novel to read", "add a page please"]
    for request in chit_chat:
        assert router.index.scores(request)[1] == 0, request  # no informative known term
        assert router.rank(request, k=1)[0].score > 0, request  # yet the generic words do score
        assert router.pick(request) is None, request
    assert router.pick_many(chit_chat) == [None, None, None]


def test_generic_words_still_support_a_pick_with_an_informative_one():
    router = Router(AGENTS)
    route = router.pick("add an index to the slow SQL query on the results page")
    assert route is not None and route.agent.name == "database-optimizer"
    assert [r and r.agent.name for r in router.pick_many(["tell me which SQL indexes to add", "tell me"])] == [
        "database-optimizer", None]


def test_generic_gate_survives_save_and_load(tmp_path):
    router = Router(AGENTS)
    router.save(tmp_path / "r.agr")
    loaded = Router.load(tmp_path / "r.agr")
    assert loaded.pick("tell me a joke") is None
    assert loaded.pick("which SQL indexes?").agent.name == "database-optimizer"


def test_plural_acronyms_meet_their_singular():
    router = Router(AGENTS)
    ranked = router.rank("Check our dependencies for known CVEs", k=1)
    assert ranked[0].agent.name == "security-auditor"
    ids, _ = router.index.space.vectorize("CVEs")
    names = {i: t for t, i in router.index.space.blocks[0].vocabulary.items()}
    assert [names[int(i)] for i in ids if not names[int(i)].startswith("~")] == ["cve"]  # through its singular
    assert "cves" not in names.values()
    assert router.pick("known CVEs").agent.name == "security-auditor"


def test_production_does_not_match_product_nor_checkout_check():
    router = Router(AGENTS)
    scores, _ = router.index.scores("production")
    product_manager = [a.name for a in router.agents].index("product-manager")
    assert scores[product_manager] == 0.0  # no shared prefix feature any more
    assert router.pick("production is down").agent.name == "incident-responder"
    checker = Router([Agent(name="checker", description="check the checks"), Agent(name="shop", description="cart")])
    assert checker.index.scores("checkout")[1] == 0  # "checkout" shares no feature with "check"


def test_example_requests_vouch_for_their_generic_words(monkeypatch):
    """An agent with five or more example requests that use a generic word makes it evidence:
    for an intent set where "tell me a joke" is in scope, the generic list must not abstain."""
    from agentroute import Example

    jokes = Agent(name="joke-teller", description="Tells jokes",
                  examples=tuple(Example(t) for t in ["tell me a joke", "tell me something funny", "make me laugh",
                                                      "a joke please", "tell a joke about dogs"]))
    few = Agent(name="few-jokes", description="Also jokes", examples=(Example("tell me a riddle"),))
    # the profile strategy's gate (a blended router may count its learned side as evidence too)
    assert Router([jokes, few], strategy="profile").pick("tell me something funny").agent.name == "joke-teller"
    from agentroute.routing import profile_index

    monkeypatch.setattr(profile_index, "EXAMPLES_VOUCH", 6)  # now no agent has enough examples to vouch
    assert Router([jokes, few], strategy="profile").pick("tell me something funny") is None
    # the same words from an agent with fewer examples stay generic
    assert Router([few, AGENTS[0]]).pick("tell me") is None


def test_a_request_known_only_through_prefixes_abstains():
    """ "entertain" meets "enterprise" only through the prefix "~enter": a guess, not evidence."""
    infra = Agent(name="terraform-engineer", description="Enterprise Terraform modules and state",
                  prompt="Plan enterprise infrastructure with Terraform.")
    router = Router([infra, *AGENTS])
    assert router.rank("I'm bored, entertain me", k=1)[0].agent.name == "terraform-engineer"  # the prefix scores
    assert router.index.scores("I'm bored, entertain me")[1] == 0
    assert router.pick("I'm bored, entertain me") is None
    assert router.pick_many(["entertain me", "terraform entertainment"])[0] is None
    # beside a word the agent uses, the prefix still supports the pick
    assert router.pick("terraform entertainment").agent.name == "terraform-engineer"


def _common_word_registry() -> list[Agent]:
    """Ten agents, six of which say "test": in more than half of them, so generic."""
    agents = [Agent(name="qa-lead", description="test"),
              Agent(name="perf", description="load benchmarks latency profiling throughput capacity soak spike")]
    agents += [Agent(name=f"team-{i}", description=f"test area{i}") for i in range(5)]
    agents += [Agent(name=f"other-{i}", description=f"topic{i}") for i in range(3)]
    return agents


def test_words_most_agents_use_cannot_outvote_a_distinctive_one(monkeypatch):
    """ "load test": "test" is in six of ten agents, "load" in one. The agent made of "test" alone
    must not win on it (it did when common words weighed in full)."""
    from agentroute.routing import profile_index

    agents = _common_word_registry()
    assert Router(agents).rank("load test", k=1)[0].agent.name == "perf"
    monkeypatch.setattr(profile_index, "COMMON_WORD_WEIGHT", 1.0)
    assert Router(agents).rank("load test", k=1)[0].agent.name == "qa-lead"  # what the weight prevents


def test_common_words_weigh_half_in_profiles_and_in_lints_rebuilt_columns(monkeypatch):
    from agentroute.routing import profile_index

    def test_weight(agents):
        router = Router(agents)
        return router, router.index.weights.to_csr().toarray()[router.index.space.blocks[0].vocabulary["test"], 0]

    router, weighed = test_weight(_common_word_registry())
    monkeypatch.setattr(profile_index, "COMMON_WORD_WEIGHT", 1.0)
    _, full = test_weight(_common_word_registry())
    monkeypatch.undo()
    assert weighed == pytest.approx(0.5 * full)  # qa-lead's "test", the other words of its column unchanged
    # lint rebuilds one agent's column in the fitted space: the same weighing applies
    column = router.index.weights.to_csr().toarray()[:, 0]
    rebuilt = profile_index.profile_matrix(router.index.space, [router.agents[0]], router.params.fitted_field_weights).toarray().ravel()
    np.testing.assert_allclose(rebuilt, column, rtol=1e-6)
    # with fewer than ten agents no word is generic by coverage: nothing is weighed down
    _, small = test_weight(_common_word_registry()[:7])
    monkeypatch.setattr(profile_index, "COMMON_WORD_WEIGHT", 1.0)
    assert small == pytest.approx(test_weight(_common_word_registry()[:7])[1])


def test_english_stop_words_that_name_things_are_kept():
    """ "production is down": "down" says which agent; scikit-learn's list drops it (and
    "front", "back", "full", "side", "call")."""
    incident = Agent(name="incident-responder", description="Leads the response when production is down")
    ml = Agent(name="ml-engineer", description="Ships models to production; production monitoring of models")
    web = Agent(name="web-developer", description="Builds front-end and back-end code, full-stack, server-side")
    router = Router([ml, incident, web])
    assert router.pick("production is down").agent.name == "incident-responder"
    known = set(router.explain("front-end, back-end or full-stack? server-side API call").known_terms)
    assert {"front", "back", "full", "side"} <= known


def test_the_go_language_is_a_word_but_go_alone_picks_nothing():
    """scikit-learn's stop list holds "go": "a CLI tool in Go" lost the one word that names its agent."""
    golang = Agent(name="golang-pro", description="Writes idiomatic Go services, goroutines and channels")
    cli = Agent(name="cli-designer", description="Designs command-line tools: flags, help text, shell completion")
    router = Router([cli, golang, *AGENTS])
    assert "go" in router.explain("write a CLI tool in Go").known_terms
    assert router.rank("write a small service in Go", k=1)[0].agent.name == "golang-pro"
    assert router.pick("go ahead") is None  # generic: it supports a pick, never makes one alone
