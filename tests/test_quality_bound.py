"""Bounded related-word groups (routing/profile_index.py ``_bound_related``): a group feature leans a
ranking but cannot carry it, a group of a common word says nothing, and the table's files say format 3."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from agentroute import Agent, Example, Router
from agentroute.errors import RouterFileError
from agentroute.routing import persist, profile_index
from agentroute.routing.profile import FIELDS, field_texts

SQL = Agent("sql-tuner", "Tunes slow SQL queries: reads query plans, adds indexes, rewrites joins.",
            prompt="You are a database performance specialist for PostgreSQL and MySQL.")
CSS = Agent("css-fixer", "Fixes CSS layouts, flexbox and grid alignment, responsive breakpoints.",
            prompt="You fix stylesheets and visual bugs in web pages.")
API = Agent("api-designer", "Designs REST endpoints, versioning and pagination for HTTP APIs.",
            examples=(Example("the SQL query behind the orders page needs an index"),), prompt="You design HTTP APIs.")


def _columns(router: Router) -> tuple[np.ndarray, dict[str, int]]:
    block = router.index.space.blocks[0]
    return router.index.weights.to_csr().toarray(), block.vocabulary


def test_a_group_feature_weighs_at_most_half_the_agents_strongest_word(monkeypatch):
    router = Router([SQL, CSS, API])
    weights, vocabulary = _columns(router)
    groups = [i for term, i in vocabulary.items() if term.startswith("~=")]
    others = [i for term, i in vocabulary.items() if not term.startswith("~=")]
    strongest = weights[others].max(axis=0)
    assert groups and np.all(weights[groups] <= profile_index.RELATED_CAP * strongest + 1e-7)
    database = vocabulary["~=database"]
    # the bound binds: unbounded, the body's PostgreSQL and MySQL make ~=database sql-tuner's heaviest feature
    monkeypatch.setattr(profile_index, "RELATED_CAP", np.inf)
    unbounded, _ = _columns(Router([SQL, CSS, API]))
    assert unbounded[database, 0] > unbounded[others, 0].max() > weights[database, 0]


def _common_word_registry() -> list[Agent]:
    agents = [Agent(name="qa-lead", description="test"),
              Agent(name="perf", description="load benchmarks latency profiling throughput capacity soak spike")]
    agents += [Agent(name=f"team-{i}", description=f"test area{i}") for i in range(5)]
    return agents + [Agent(name=f"other-{i}", description=f"topic{i}") for i in range(3)]


def test_the_group_of_a_common_word_weighs_nothing():
    """ "test" is in 6 of 10 agents: it weighs half, and its group would bring it back at full weight."""
    router = Router(_common_word_registry())
    weights, vocabulary = _columns(router)
    assert not weights[vocabulary["~=test"]].any()
    assert weights[vocabulary["~=performance"], 1] > 0  # a group of rarer words still counts
    assert router.rank("load test", k=1)[0].agent.name == "perf"


def test_scores_equal_an_sklearn_cosine_with_groups_bounded_by_hand():
    """Oracle: one field weighted, the score is sklearn's TF-IDF cosine once each group entry of an
    agent's (unit) vector is cut to half of that vector's largest other entry."""
    agents = [SQL, CSS, API]
    weights = {f: 0.0 for f in FIELDS} | {"prompt": 1.0}
    router = Router(agents, field_weights=weights, threshold=0.0)
    spec = router.index.space.blocks[0].spec
    vectorizer = TfidfVectorizer(**spec.sklearn_params()).fit([" \n".join(field_texts(a).values()) for a in agents])
    matrix = vectorizer.transform([field_texts(a)["prompt"] for a in agents]).toarray()
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    group = np.array([t.startswith("~=") for t in vectorizer.get_feature_names_out()])
    cap = profile_index.RELATED_CAP * matrix[:, ~group].max(axis=1, keepdims=True)
    matrix[:, group] = np.minimum(matrix[:, group], cap)
    for text in ["slow mysql query", "crash in the css layout", "postgres endpoint pagination"]:
        query = vectorizer.transform([text]).toarray().ravel()
        expected = matrix @ (query / np.linalg.norm(query))
        got = {r.agent.name: r.score for r in router.rank(text, k=3)}
        np.testing.assert_allclose([got[a.name] for a in agents], expected, rtol=1e-5, atol=1e-6)


def test_lints_rebuilt_columns_equal_the_fitted_ones_with_the_table():
    agents = _common_word_registry() + [SQL, CSS, API]
    router = Router(agents, strategy="profile")
    rebuilt = profile_index.profile_matrix(router.index.space, agents, router.snapshot().field_weights).toarray()
    np.testing.assert_allclose(rebuilt.T, router.index.weights.to_csr().toarray(), rtol=1e-5, atol=1e-7)


def test_explain_splits_a_bounded_score_exactly_by_field():
    router = Router(_common_word_registry() + [SQL, CSS, API], threshold=0.0)
    top = router.explain("slow mysql query with a test", k=1).agents[0]
    assert top.route.agent.name == "sql-tuner"
    assert sum(top.fields.values()) == pytest.approx(top.route.score, rel=1e-5)


def test_files_with_the_table_say_format_3_which_older_readers_refuse(tmp_path, monkeypatch):
    path = tmp_path / "r.agr"
    Router([SQL, CSS, API]).save(path)
    assert b"\nformat 3\n" in path.read_bytes()[:40]
    assert Router.load(path).pick("k8s") is None and Router.load(path).pick("postgres").agent.name == "sql-tuner"
    monkeypatch.setattr(persist, "READABLE_VERSIONS", ("1", "2"))  # a reader that predates the table
    with pytest.raises(RouterFileError, match="format version '3'"):
        Router.load(path)
