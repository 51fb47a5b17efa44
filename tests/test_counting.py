"""The one-pass fit-time counter equals scikit-learn's CountVectorizer / TfidfVectorizer."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer

from agentroute.features.analyzers import AnalyzerSpec
from agentroute.features.counting import count_features
from agentroute.features.space import FeatureSpace

TEXTS = [
    "Design REST endpoints, JWT authentication and rate limiting for the API",
    "Tune slow SQL queries, add indexes, plan schema migrations; slow slow queries",
    "Write unit tests and fix flaky integration tests in CI",
    "Café résumé naïve: accents and ünïcödé text, optimizing optimization",
    "",
    "a I x",
]

SPECS = {
    "word": AnalyzerSpec(kind="word", ngram_range=(1, 1)),
    "word-prefix-stop": AnalyzerSpec(kind="word", prefix_len=5, stop_words=frozenset(ENGLISH_STOP_WORDS)),
    "word-forms-stop": AnalyzerSpec(kind="word", word_forms=True, stop_words=frozenset(ENGLISH_STOP_WORDS)),
    "word-forms-1-2": AnalyzerSpec(kind="word", ngram_range=(1, 2), word_forms=True),
    "word-1-2": AnalyzerSpec(kind="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
    "word-2-3": AnalyzerSpec(kind="word", ngram_range=(2, 3)),
    "char_wb": AnalyzerSpec(kind="char_wb", ngram_range=(2, 5)),
}


@pytest.mark.parametrize("name", SPECS)
def test_counts_equal_count_vectorizer(name):
    spec = SPECS[name]
    params = {k: v for k, v in spec.sklearn_params().items() if k not in ("sublinear_tf", "use_idf", "dtype")}
    reference = CountVectorizer(**params)
    expected = reference.fit_transform(TEXTS)
    terms, counts = count_features(spec, TEXTS)
    assert terms == reference.get_feature_names_out().tolist()
    np.testing.assert_array_equal(counts.toarray(), expected.toarray())


@pytest.mark.parametrize("name", SPECS)
@pytest.mark.parametrize("extra", [{}, {"binary": True, "use_idf": False}, {"sublinear_tf": False}, {"min_df": 2}])
def test_fit_transform_equals_tfidf_vectorizer(name, extra):
    from dataclasses import replace

    spec = replace(SPECS[name], **extra)
    reference = TfidfVectorizer(**spec.sklearn_params())
    space, got = FeatureSpace.fit_transform([spec], TEXTS)
    try:
        expected = reference.fit_transform(TEXTS)
    except ValueError:  # scikit-learn refuses an empty vocabulary; we keep an empty block
        assert space.n_features == 0 and got.shape == (len(TEXTS), 0)
        return
    np.testing.assert_allclose(got.toarray(), expected.toarray(), rtol=1e-12, atol=1e-12)
    assert list(space.blocks[0].vocabulary) == reference.get_feature_names_out().tolist()


def test_owners_make_documents_of_several_texts():
    """IDF over owners equals TfidfVectorizer fitted on each owner's texts joined (unigrams)."""
    spec = AnalyzerSpec(kind="word", prefix_len=5)
    owners = [0, 0, 1, 1, 2, 2]
    joined = [" \n".join(TEXTS[i] for i, o in enumerate(owners) if o == owner) for owner in range(3)]
    reference = TfidfVectorizer(**spec.sklearn_params()).fit(joined)
    space, vectors = FeatureSpace.fit_transform([spec], TEXTS, owners=owners)
    np.testing.assert_allclose(space.blocks[0].idf, reference.idf_, rtol=1e-12)
    np.testing.assert_allclose(vectors.toarray(), reference.transform(TEXTS).toarray(), rtol=1e-12, atol=1e-12)
