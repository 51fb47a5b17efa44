"""The learned part of the full method (intent data): features and SVM as docs/routing.md states them,
checked against scikit-learn computed independently.

The settings below are the documented ones, re-checked on validation data only (CLINC150 val, a
BANKING77 training carve-out, SNIPS val, 5-fold CV on the training splits: benchmarks/intent_validation.py,
docs/benchmarks.md). A change to any of them must be chosen the same way and updated here and in the docs.
"""

from __future__ import annotations


import numpy as np
import pytest
from benchmark_modules import load_benchmark
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from agentroute import Agent, Example
from agentroute.routing import linear, ovr
from agentroute.routing.linear import build_linear_index, training_texts

INTENTS = {
    "book_flight": ["book a flight to paris", "i need a plane ticket to rome", "fly me to berlin tomorrow",
                    "reserve seats on the morning flight"],
    "weather": ["what is the weather in paris", "will it rain tomorrow", "is it sunny in rome today",
                "forecast for berlin this weekend"],
    "play_music": ["play some jazz", "put on my workout playlist", "play the latest album by adele",
                   "i want to hear rock music", "shuffle my liked songs", "play something relaxing"],
}
#: LinearSVC(C=1, class_weight="balanced"); word 1-2 grams binary at weight 1; char_wb 2-4 word sums at 1.2, no IDF.
C, WORD_WEIGHT, CHAR_WEIGHT, CHAR_IDF = 1.0, 1.0, 1.2, False
# Classes of unequal size, so the balanced class weights matter.
AGENTS = [Agent(name=name, examples=tuple(Example(request=r) for r in requests)) for name, requests in INTENTS.items()]
REQUESTS = ["flights to rome please", "rain in berlin", "play jazz tonight", "Café playlist", "zzz"]


def _char_block(texts: list[str], fitted: list[str]) -> csr_matrix:
    """The documented word-sum char_wb 2-4 block: each text's distinct words' binary n-gram vectors
    summed, times IDF, scaled by weight / sqrt(sum of tf * idf^2)."""
    counts = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4), strip_accents="unicode", binary=True)
    counts.fit(fitted)
    idf = TfidfTransformer().fit(counts.transform(fitted)).idf_ if CHAR_IDF else np.ones(len(counts.vocabulary_))
    rows = [np.asarray(counts.transform(sorted(set(t.lower().split()))).sum(axis=0)).ravel() for t in texts]
    tf = np.vstack(rows).astype(np.float64)
    totals = tf @ (idf**2)
    scale = np.divide(CHAR_WEIGHT, np.sqrt(totals), out=np.zeros_like(totals), where=totals > 0)
    return csr_matrix(tf * idf * scale[:, None])


def _features(texts: list[str], fitted: list[str]) -> csr_matrix:
    words = CountVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", strip_accents="unicode", binary=True)
    words.fit(fitted)
    return hstack([normalize(words.transform(texts).astype(np.float64)) * WORD_WEIGHT,
                   _char_block(texts, fitted)]).tocsr()


def test_full_method_equals_scikit_learn_on_independently_built_features():
    index = build_linear_index(AGENTS, method="full")
    texts, labels = training_texts(AGENTS)
    np.testing.assert_allclose(index.space.transform(REQUESTS).toarray(), _features(REQUESTS, texts).toarray(),
                               rtol=1e-6, atol=1e-9)
    svm = LinearSVC(C=C, class_weight="balanced", random_state=0).fit(_features(texts, texts), labels)
    expected = 1 / (1 + np.exp(-4.0 * svm.decision_function(_features(REQUESTS, texts))))
    for request, row in zip(REQUESTS, expected):
        got, _ = index.scores(request)
        np.testing.assert_allclose(got, row, rtol=1e-4, atol=1e-6)


def test_fit_full_uses_the_module_settings_and_an_explicit_c(monkeypatch):
    space_texts, labels = training_texts(AGENTS)
    features = _features(space_texts, space_texts)
    default, _ = ovr.fit_full(features, np.asarray(labels), len(AGENTS))
    monkeypatch.setattr(ovr, "FULL_C", 0.05)
    weaker, _ = ovr.fit_full(features, np.asarray(labels), len(AGENTS))
    explicit, _ = ovr.fit_full(features, np.asarray(labels), len(AGENTS), C=1.0)
    assert np.abs(weaker).sum() < np.abs(default).sum()  # more regularised: smaller weights
    np.testing.assert_array_equal(explicit, default)


def test_sampled_method_keeps_words_pairs_and_prefixes():
    (spec,) = linear.linear_analyzers("sampled")
    assert spec.kind == "word" and spec.prefix_len == 5 and not spec.use_idf


def test_validation_variants_name_real_settings_and_are_undone():
    validation = load_benchmark("intent_validation")
    for name, settings in validation.VARIANTS.items():
        with validation.applied(settings):  # every setting exists somewhere (a typo would raise)
            pass
    with validation.applied({"FULL_C": 0.5, "CHAR_WEIGHT": 2.0}):
        assert ovr.FULL_C == 0.5 and linear.linear_analyzers()[1].weight == 2.0
    assert ovr.FULL_C == C and linear.linear_analyzers()[1].weight == CHAR_WEIGHT
    with pytest.raises(KeyError, match="NO_SUCH"):
        with validation.applied({"NO_SUCH": 1}):
            pass


def test_each_sampled_problem_is_scikit_learns_unweighted_svm_on_its_rows(monkeypatch):
    """The sampled method's binary SVMs are ``LinearSVC(C=1)`` without class weights (ovr.SAMPLED_CLASS_WEIGHT:
    "balanced" weighed a few positives ~10x against ~100 negatives, and learning then lowered accuracy)."""
    monkeypatch.setattr(ovr, "NEGATIVES_PER_AGENT", 1_000)  # three agents: every other row is a negative
    monkeypatch.setattr(ovr, "MAX_WEIGHTS_PER_AGENT", 10_000)  # and every weight kept
    texts, labels = training_texts(AGENTS)
    features = _features(texts, texts)
    labels = np.asarray(labels)
    weights, bias = ovr.fit_sampled(features, labels, len(AGENTS), n_jobs=1)
    weights = weights.toarray()
    for agent in range(len(AGENTS)):
        own = np.flatnonzero(labels == agent)
        rows = np.concatenate([own, np.flatnonzero(labels != agent)])
        target = (np.arange(len(rows)) < len(own)).astype(int)
        for class_weight, same in ((None, True), ("balanced", False)):
            svm = LinearSVC(C=1.0, class_weight=class_weight, random_state=0).fit(features[rows], target)
            close = np.allclose(weights[:, agent], svm.coef_[0], rtol=1e-4, atol=1e-6) and np.isclose(bias[agent], svm.intercept_[0])
            assert close == same, (agent, class_weight)
