"""The blended strategy: profile cosine and learned SVM scores mixed per agent by evidence."""

from __future__ import annotations

import numpy as np
import pytest

from agentroute import Agent, Example, Router
from agentroute.features.space import FeatureSpace
from agentroute.routing.blend import build_blended_index, evidence_weights
from agentroute.routing.index import build_profile_index, default_analyzers
from agentroute.routing.linear import linear_analyzers, training_texts
from agentroute.routing.profile import validate_field_weights

FIELD_WEIGHTS = validate_field_weights({})
AGENTS = [
    Agent(name="sql-tuner", description="Tunes slow SQL queries and database indexes",
          prompt="You optimise PostgreSQL query plans, add indexes and rewrite joins.",
          examples=tuple(Example(request=r) for r in ("why is this query slow", "add an index for orders",
                                                        "the join takes forever"))),
    Agent(name="css-fixer", description="Fixes CSS layouts and styling",
          prompt="You repair flexbox and grid layouts, spacing and responsive breakpoints.",
          examples=tuple(Example(request=r) for r in ("the sidebar overlaps the footer", "center this div"))),
    Agent(name="release-notes", description="Writes release notes and changelogs",
          prompt="You summarise merged pull requests into clear release notes for users."),
]
REQUESTS = ["the orders query is slow", "center the button in the grid", "write the changelog for 2.0",
            "flexbox spacing is broken on mobile", "nothing relevant here at all", "rewrite joins in postgres"]


def test_mix_equals_profile_cosine_and_svm_logistic_by_evidence():
    index = build_blended_index(AGENTS, field_weights=FIELD_WEIGHTS)
    profile = build_profile_index(AGENTS, field_weights=FIELD_WEIGHTS)
    # The learned part, fitted independently with scikit-learn on the same training texts.
    from sklearn.svm import LinearSVC

    texts, labels = training_texts(AGENTS)
    space, features = FeatureSpace.fit_transform(linear_analyzers(), texts, normalize=False)
    svm = LinearSVC(C=1.0, class_weight="balanced", random_state=0).fit(features, labels)
    share = evidence_weights(AGENTS)
    assert share[2] == 0.0 and 0 < share[1] < share[0] < 1
    for request in REQUESTS:
        cos, _ = profile.scores(request)
        decision = svm.decision_function(space.transform([request]))[0]
        expected = (1 - share) * cos + share / (1 + np.exp(-4.0 * decision))
        got, known = index.scores(request)
        assert (known > 0) == (request != "nothing relevant here at all")  # counted on the profile's side
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
        # An agent without examples keeps exactly its profile score.
        assert got[2] == pytest.approx(cos[2], abs=1e-7)


def test_auto_blends_when_agents_carry_examples_and_batches_agree(tmp_path):
    router = Router(AGENTS)
    assert router.fitted_strategy == "blended"
    singles = [router.index.scores(r)[0] for r in REQUESTS]
    many, _ = router.index.score_many(REQUESTS)
    np.testing.assert_allclose(many, np.array(singles), rtol=1e-5, atol=1e-6)
    assert [r and r.agent.name for r in router.pick_many(REQUESTS)] == [r and r.agent.name for r in map(router.pick, REQUESTS)]
    router.save(tmp_path / "blended.agr")
    loaded = Router.load(tmp_path / "blended.agr")
    assert loaded.fitted_strategy == "blended"
    for request in REQUESTS:
        np.testing.assert_allclose(loaded.index.scores(request)[0], router.index.scores(request)[0], rtol=1e-6)


def test_without_examples_blended_is_the_profile():
    bare = [Agent(name=a.name, description=a.description, prompt=a.prompt) for a in AGENTS]
    blended = Router(bare, strategy="blended")
    profile = Router(bare, strategy="profile")
    for request in REQUESTS:
        np.testing.assert_allclose(blended.index.scores(request)[0], profile.index.scores(request)[0])


def test_concatenated_space_keeps_each_space_normalised_as_on_its_own():
    texts = ["slow sql query plans", "css grid layout", "release notes for users", "query the grid"]
    first = FeatureSpace.fit(default_analyzers(), texts)
    second, _ = FeatureSpace.fit_transform(linear_analyzers(), texts, normalize=False)
    both = FeatureSpace.concat([first, second])
    assert both.n_features == first.n_features + second.n_features
    for text in texts + ["unseen words only"]:
        ids, values = both.vectorize(text)
        dense = np.zeros(both.n_features)
        dense[ids] = values
        a_ids, a_values = first.vectorize(text)
        b_ids, b_values = second.vectorize(text)
        expected = np.zeros(both.n_features)
        expected[a_ids] = a_values
        expected[first.n_features + b_ids] = b_values
        np.testing.assert_allclose(dense, expected)
    np.testing.assert_allclose(both.transform(texts).toarray()[:, : first.n_features], first.transform(texts).toarray())
    restored = FeatureSpace.from_json(both.to_json(), both.idf_array())
    assert restored.groups == both.groups
