"""The related-word table (features/related_words.py): abbreviations fold into the word they stand
for, and words of one topic support each other without making a pick alone. On by default
(``profile_index.RELATED_WORDS``); the tests of the switch turn it off."""

import numpy as np
import pytest

from agentroute import Agent, Router
from agentroute.features.analyzers import AnalyzerSpec
from agentroute.features.related_words import expand, related
from agentroute.routing import profile_index

AGENTS = [
    Agent(name="cluster-operator", description="Runs Kubernetes clusters: pods, deployments and Helm charts."),
    Agent(name="debugger", description="Finds the cause of errors and failing tests in any codebase."),
    Agent(name="css-fixer", description="Fixes CSS layouts, flexbox and grid alignment."),
]


@pytest.fixture
def related_on(monkeypatch):
    monkeypatch.setattr(profile_index, "RELATED_WORDS", True)


@pytest.fixture
def related_off(monkeypatch):
    monkeypatch.setattr(profile_index, "RELATED_WORDS", False)


def test_the_table_is_on_by_default():
    assert profile_index.default_analyzers()[0].related_words is True
    assert Router(AGENTS).pick("k8s").agent.name == "cluster-operator"


def test_table_folds_abbreviations_and_names_groups():
    assert expand("k8") == expand("kube") == "kubernete"  # as fold leaves "kubernetes"
    assert expand("cluster") == "cluster"
    assert related("crash") == related("exception") == ("~=error",)
    assert related("weather") == ()


def test_k8s_meets_kubernetes(related_on):
    router = Router(AGENTS)
    space = router.index.space
    assert np.array_equal(space.vectorize("k8s")[0], space.vectorize("kubernetes")[0])
    assert router.pick("k8s").agent.name == "cluster-operator"


def test_without_the_table_k8s_is_unknown(related_off):
    assert Router(AGENTS).pick("k8s") is None


def test_a_related_word_supports_but_cannot_pick_alone(related_on):
    router = Router(AGENTS, threshold=0.0)
    # "crashes" is in no agent's text; its group feature leans to the agent that says "errors"...
    assert router.rank("the app crashes", k=1)[0].agent.name == "debugger"
    assert router.decide("the app crashes").reason == "no_terms"  # ...but group features are generic
    # beside a word the agent uses, the group feature adds to its score
    terms = {t.term: t.contribution for t in router.explain("failing tests crash", k=1).agents[0].terms}
    assert terms["~=error"] > 0 and terms["failing"] > 0
    assert router.pick("failing tests crash").agent.name == "debugger"


def test_without_the_table_a_related_word_scores_nothing(related_off):
    router = Router(AGENTS, threshold=0.0)
    assert router.rank("the app crashes", k=1)[0].score == 0
    assert router.index.scores("failing tests crash")[0][1] == router.index.scores("failing tests")[0][1]


def test_batches_equal_single_requests_with_the_table(related_on):
    router = Router(AGENTS, threshold=0.0)
    requests = ["k8s pods crash", "css exception layout", "kube failure", "nothing here", "errors errors crash"]
    scores, known = router.index.score_many(requests)
    for row, request in enumerate(requests):
        single, single_known = router.index.scores(request)
        np.testing.assert_allclose(scores[row], single, rtol=1e-6, atol=1e-9)
        assert known[row] == single_known


def test_the_table_survives_save_and_load(related_on, tmp_path, monkeypatch):
    router = Router(AGENTS)
    router.save(tmp_path / "r.agr")
    monkeypatch.setattr(profile_index, "RELATED_WORDS", False)  # the file, not the module default, decides
    loaded = Router.load(tmp_path / "r.agr")
    assert loaded.pick("k8s").agent.name == "cluster-operator"
    np.testing.assert_allclose(loaded.index.scores("app crash")[0], router.index.scores("app crash")[0], rtol=1e-6)


def test_related_words_need_word_forms_and_round_trip():
    plain = AnalyzerSpec(related_words=True, prefix_len=5)  # without word forms the table is not read
    assert plain.derived("crash") == () and plain.form("k8s") == "k8" and plain.features_per_token == 2
    spec = AnalyzerSpec(word_forms=True, related_words=True, prefix_len=5)
    assert AnalyzerSpec.from_json(spec.to_json()) == spec
    assert AnalyzerSpec.from_json({**spec.to_json(), "related_words": False}).related_words is False
