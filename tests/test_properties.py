"""Properties that must hold for every input, checked with Hypothesis.

* ``parse_agent`` returns a ParsedAgent or raises one of agentroute's own
  errors, for any text: arbitrary unicode (lone surrogates included) and
  documents assembled from the fragments real agent files mix;
* ``pick`` / ``rank`` never raise on a ``str``, answer the same twice, keep
  scores in [0, 1], rank best first, and ``pick`` is ``rank(k=1)[0]``
  whenever it does not abstain (batch routing agrees with single routing);
* ``render_agent`` then ``parse_agent`` gives back every field of an agent
  made of safe text, and a second round changes nothing.

Example counts are set per test (``max_examples``) and recorded in
docs/reliability.md; the whole file runs in under a minute.
"""

from __future__ import annotations

import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentroute import Agent, Example, Router
from agentroute.errors import AgentrouteError
from agentroute.sources.claude_code import ParsedAgent, parse_agent, render_agent

pytestmark = pytest.mark.slow  # hypothesis runs take seconds each: `pytest -m 'not slow'` skips them

#: Multiplies every example count: ``AGENTROUTE_HYPOTHESIS_SCALE=20 pytest tests/test_properties.py``
#: for a long search (the default keeps this file under a minute).
SCALE = int(os.environ.get("AGENTROUTE_HYPOTHESIS_SCALE", "1"))


def runs(examples: int) -> settings:
    """The settings of one property: ``examples`` inputs (times SCALE), no per-example deadline."""
    return settings(max_examples=examples * SCALE, deadline=None,
                    suppress_health_check=list(HealthCheck))

# -- any text -----------------------------------------------------------------------------

#: Unicode of every category, lone surrogates included (st.text() leaves them out).
ANY_CHAR = st.one_of(st.characters(), st.characters(categories=["Cs"]),
                     st.sampled_from("\x00\x85\u2028\u2029\ufeff\ufffe\u202e\t\r\n"))

FRAGMENTS = st.sampled_from([
    "---", "---\n", "\n---\n", "-----", "name: ", "description: ", "tools: ", "model: ",
    "color: ", "hooks:\n  Stop:\n    - command: x", "maxTurns: ", "Tools: ", "skills: ",
    ": ", ":", "\n", "\r\n", "\r", "\t", "  ", " ", "\\n", "\\\\n", '\\"', '"', "'", "`",
    "*", "*a", "&a ", "!", "!!binary ", "!!python/object:os.system ", "%YAML 1.1", "@", "#",
    "|", "|-", ">", "[", "]", "{", "}", "- ", ",", "?", "<<: *a",
    "<example>", "</example>", "<examples>", "<commentary>", "</commentary>",
    "Context: ", "user: ", "assistant: ", "Examples:", "Triggers on: ", "asks to ",
    "```yaml\n", "```\n", "# Title\n", "\ufeff", "yes", "no", "null", "~", "1.5", "0x1F",
    "2024-01-01", "sql", "index", "é", "日本語", "مرحبا", "🔥", "\u202e", "\x00", "\ud800",
])

DOCUMENTS = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.lists(FRAGMENTS | st.text(ANY_CHAR, max_size=8), max_size=60).map("".join),
    # Always shaped like an agent file, so that the frontmatter readers are reached.
    st.tuples(st.lists(FRAGMENTS | st.text(ANY_CHAR, max_size=6), max_size=40).map("".join),
              st.text(ANY_CHAR, max_size=60))
      .map(lambda parts: f"---\nname: fuzz\n{parts[0]}\n---\n{parts[1]}"),
)


@runs(1500)
@given(DOCUMENTS, st.booleans(), st.sampled_from([None, "agents/fuzz-agent.md"]))
def test_parse_agent_returns_an_agent_or_raises_only_agentroute_errors(text, strict, source):
    try:
        parsed = parse_agent(text, source=source, strict=strict)
    except AgentrouteError as error:
        assert str(error)  # every refusal says something
        return
    assert isinstance(parsed, ParsedAgent)
    agent = parsed.agent
    assert agent.name.strip()
    for value in (agent.name, agent.description, agent.prompt):
        value.encode("utf-8")  # no lone surrogate reaches an agent
    if strict:
        assert parsed.diagnostics == ()


# -- routing --------------------------------------------------------------------------------

PROFILE_AGENTS = [
    Agent(name="sql-expert", description="Tunes slow SQL queries, designs indexes and schema migrations.",
          examples=(Example("why is this query so slow"),), prompt="Read query plans, add indexes."),
    Agent(name="frontend-dev", description="Builds React components, CSS layouts and accessible forms."),
    Agent(name="test-writer", description="Writes unit and integration tests; fixes flaky tests in CI."),
    Agent(name="日本語-translator", description="翻訳 日本語 テキスト translation of Japanese text"),
    Agent(name="twin-a", description="kafka streams consumer lag"),
    Agent(name="twin-b", description="kafka streams consumer lag"),
]

_LINEAR_TOPICS = {
    "billing": ["refund my invoice", "charge on my card", "update payment method", "cancel the subscription fee",
                "invoice is wrong"],
    "shipping": ["where is my parcel", "track the delivery", "package arrived late", "change shipping address",
                 "courier lost the box"],
    "account": ["reset my password", "cannot log in", "change my email address", "delete my account",
                "two factor code missing"],
}
LINEAR_AGENTS = [Agent(name=name, description=f"Handles {name} questions.",
                       examples=tuple(Example(r) for r in requests))
                 for name, requests in _LINEAR_TOPICS.items()]

WORDS = ["sql", "query", "slow", "index", "react", "css", "form", "tests", "flaky", "ci", "kafka",
         "lag", "the", "and", "of", "refund", "parcel", "password", "日本語", "翻訳", "zzqx"]
MENTIONS = ["@agent-sql-expert", "use the test-writer agent", "ask the twin-b subagent", "@billing",
            "@agent-", "use the  agent", "@agent-日本語-translator"]

REQUESTS = st.one_of(
    st.text(ANY_CHAR, max_size=200),
    st.lists(st.sampled_from(WORDS + MENTIONS) | st.text(ANY_CHAR, max_size=5), max_size=30).map(" ".join),
)

ROUTERS = {
    "profile": Router(PROFILE_AGENTS),
    "profile-margin": Router(PROFILE_AGENTS, threshold=0.0, margin=0.05),
    "linear": Router(LINEAR_AGENTS, strategy="linear"),
    "tiny-cap": Router(PROFILE_AGENTS, max_request_chars=7),
}


def _key(route):
    return None if route is None else (route.agent.name, route.score, route.reason)


@pytest.mark.parametrize("which", sorted(ROUTERS))
@runs(400)
@given(request=REQUESTS, k=st.integers(1, 8))
def test_pick_and_rank_never_raise_and_agree(which, request, k):
    router = ROUTERS[which]
    picked, again = router.pick(request), router.pick(request)
    ranking = router.rank(request, k=k)
    assert _key(picked) == _key(again)  # deterministic
    assert [_key(r) for r in ranking] == [_key(r) for r in router.rank(request, k=k)]
    assert len(ranking) == min(k, len(router.agents))
    assert len({r.agent.name for r in ranking}) == len(ranking)
    scores = [r.score for r in ranking]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    if picked is not None:
        assert 0.0 <= picked.score <= 1.0
        assert _key(picked) == _key(router.rank(request, k=1)[0])


@pytest.mark.parametrize("which", sorted(ROUTERS))
@runs(100)
@given(requests=st.lists(REQUESTS, max_size=12))
def test_batch_routing_equals_single_routing(which, requests):
    router = ROUTERS[which]
    for request, batch, ranked in zip(requests, router.pick_many(requests), router.rank_many(requests, k=2)):
        single = router.pick(request)
        assert (batch is None) == (single is None)
        if single is not None:
            assert (batch.agent.name, batch.reason) == (single.agent.name, single.reason)
            assert batch.score == pytest.approx(single.score, rel=1e-5, abs=1e-6)
        assert [r.agent.name for r in ranked] == [r.agent.name for r in router.rank(request, k=2)] or (
            # equal scores may order differently only when they tie to float rounding
            [r.score for r in ranked] == pytest.approx([r.score for r in router.rank(request, k=2)], abs=1e-6))


NAME_CHARS = string.ascii_lowercase + string.digits + "-"
NAMES = st.text(NAME_CHARS, min_size=1, max_size=12).filter(lambda n: n.strip("-"))


@runs(60)
@given(agents=st.lists(st.builds(Agent, name=NAMES, description=st.text(ANY_CHAR, max_size=40),
                                 prompt=st.text(ANY_CHAR, max_size=40)),
                       min_size=1, max_size=5, unique_by=lambda a: a.name),
       requests=st.lists(REQUESTS, min_size=1, max_size=5))
def test_any_registry_fits_and_routes(agents, requests):
    """Agents whose text is empty, only stop words or odd unicode still give a working router."""
    router = Router(agents)
    for request in requests:
        picked = router.pick(request)
        ranking = router.rank(request, k=3)
        assert all(0.0 <= r.score <= 1.0 for r in ranking)
        if picked is not None:
            assert _key(picked) == _key(ranking[0])


# -- render / parse round trip ----------------------------------------------------------------

# Safe text: what survives the reader's documented normalisations unchanged (one space
# between words, no outer quotes or labels on example turns, no escapes or tags).
WORD = st.text(string.ascii_letters + string.digits + "éü日本-_.,;!?()'$%+=/", min_size=1, max_size=10)
LINE = st.lists(WORD, min_size=1, max_size=8).map(" ".join).filter(
    lambda s: s[0] not in "'\"" and s[-1] not in "'\"\\")
PROSE = st.lists(LINE, min_size=1, max_size=4).map("\n".join)
TOOL = st.text(string.ascii_letters + "_*:()", min_size=1, max_size=12).filter(
    lambda t: t.strip() == t and "(" not in t.replace("()", "") or t.count("(") == t.count(")"))
KEY = st.sampled_from(["color", "permissionMode", "maxTurns", "effort", "category", "user", "priority",
                       "x-notes", "background"])
VALUE = st.one_of(st.integers(-1000, 1000), st.booleans(), LINE,
                  st.sampled_from(["yes", "no", "null", "~", "1.5", "2024-01-01", "*bold*", "a: b", "#x"]),
                  st.lists(LINE, max_size=3))
EXAMPLES = st.lists(st.builds(Example, request=LINE, context=st.just("") | LINE,
                              response=st.just("") | LINE, commentary=st.just("") | LINE), max_size=3)

AGENTS = st.builds(
    Agent,
    name=NAMES | st.sampled_from(["yes", "null", "123", "1.5", "true"]),
    description=st.just("") | PROSE,
    examples=EXAMPLES.map(tuple),
    prompt=st.just("") | PROSE.map(lambda p: p + "\n\n## Section\n- item: value\n```yaml\n---\nname: x\n```"),
    tools=st.none() | st.lists(TOOL, max_size=4, unique=True).map(tuple),
    model=st.none() | st.sampled_from(["sonnet", "opus", "inherit", "haiku", "1.5", "yes"]),
    metadata=st.dictionaries(KEY, VALUE, max_size=4),
)


def _fields(agent: Agent):
    return (agent.name, agent.description, agent.examples, agent.prompt, agent.tools, agent.model,
            dict(agent.metadata))


@runs(500)
@given(AGENTS)
def test_render_then_parse_round_trips_every_field(agent):
    first = parse_agent(render_agent(agent), source="agents/round-trip.md").agent
    assert _fields(first) == _fields(agent)
    second = parse_agent(render_agent(first), source="agents/round-trip.md").agent
    assert second == first and dict(second.metadata) == dict(first.metadata)
