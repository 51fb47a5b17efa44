"""The fast vectorizer and scorer equal the plain scikit-learn pipeline (the oracle)."""

import sys

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sklearn.preprocessing import normalize

from agentroute.features.analyzers import AnalyzerSpec, char_wb_ngrams
from agentroute.features.space import FeatureSpace
from agentroute.routing.scoring import DenseWeights, SparseWeights, make_weights

DOCS = [
    "Design REST endpoints, JWT authentication and rate limiting for the API",
    "Tune slow SQL queries, add indexes, plan schema migrations",
    "Write unit tests and fix flaky integration tests in CI",
    "Profile memory leaks and CPU hot spots; reduce request latency",
    "Café résumé naïve: accents and ünïcödé text",
]
QUERIES = [
    "the deals page is slow, optimize the SQL queries",
    "add JWT login endpoint",
    "flaky test in CI again",
    "nothing known here zzz",
    "café latency résumé",
    "slow slow slow SQL SQL queries queries slow",
    "",
    "slow \x00 SQL",  # a lone NUL is a whitespace-free word to char_wb: no feature, not feature -1
]

SPACES = {
    "word": [AnalyzerSpec(kind="word", ngram_range=(1, 2))],
    "word-forms": [AnalyzerSpec(kind="word", word_forms=True, stop_words=frozenset({"the", "and", "a"}))],
    "word-forms-1-2+char": [
        AnalyzerSpec(kind="word", ngram_range=(1, 2), word_forms=True),
        AnalyzerSpec(kind="char_wb", ngram_range=(2, 4), weight=0.5),
    ],
    "word-linear-tf": [AnalyzerSpec(kind="word", ngram_range=(1, 1), sublinear_tf=False)],
    "binary-noidf-word+char": [
        AnalyzerSpec(kind="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", binary=True, use_idf=False),
        AnalyzerSpec(kind="char_wb", ngram_range=(2, 5), binary=True, use_idf=False),
    ],
    "word+char": [
        AnalyzerSpec(kind="word", ngram_range=(1, 2), weight=1.0),
        AnalyzerSpec(kind="char_wb", ngram_range=(2, 5), weight=0.5),
    ],
}


def sklearn_vectors(specs, texts):
    """Reference: each block through TfidfVectorizer, scaled, stacked, then l2-normalised."""
    blocks = []
    for spec in specs:
        vectorizer = TfidfVectorizer(**spec.sklearn_params()).fit(DOCS)
        blocks.append(vectorizer.transform(texts) * spec.weight)
    stacked = hstack(blocks).tocsr()
    return normalize(stacked) if len(specs) > 1 else stacked


@pytest.mark.parametrize("name", SPACES)
def test_vectorize_equals_tfidf_transform(name):
    specs = SPACES[name]
    space = FeatureSpace.fit(specs, DOCS)
    expected = sklearn_vectors(specs, QUERIES).toarray()
    got = space.transform(QUERIES).toarray()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ngram_range", [(1, 1), (2, 4), (2, 5), (3, 3), (1, 7)])
def test_char_wb_ngrams_equal_scikit_learn_for_words_of_every_length(ngram_range):
    # Words shorter than, as long as and longer than n: the per-word caches rely on this.
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False).build_analyzer()
    for word in ["a", "ab", "abc", "abcd", "abcde", "bookkeeping", "é", "x9", "pneumono" * 8]:  # and one past the kept cuts
        assert char_wb_ngrams(word, *ngram_range) == analyzer(word), word


@pytest.mark.parametrize("name", SPACES)
@pytest.mark.parametrize("layout", [DenseWeights, SparseWeights])
def test_scores_equal_linear_kernel(name, layout):
    specs = SPACES[name]
    space = FeatureSpace.fit(specs, DOCS)
    agents = sklearn_vectors(specs, DOCS)
    expected = linear_kernel(sklearn_vectors(specs, QUERIES), agents)
    budget = 10**12 if layout is DenseWeights else 0
    weights = make_weights(agents.T.tocsr(), dense_budget_bytes=budget)
    assert isinstance(weights, layout)
    for row, query in enumerate(QUERIES):
        ids, values = space.vectorize(query)
        np.testing.assert_allclose(weights.score(ids, values), expected[row], rtol=1e-6, atol=1e-7)
    # Batches multiply in float32 (W is stored so): a sum of n terms is exact to about n * 2**-24,
    # so 1e-5 covers queries of up to ~80 features.
    np.testing.assert_allclose(weights.score_many(space.transform(QUERIES)), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", SPACES)
def test_compiled_and_numpy_scoring_are_the_same_bit_for_bit(name, monkeypatch):
    """scipy's compiled kernels (row gather, CSC product) and the numpy path: the same scores bit for
    bit, whole and split in two; and numpy's per-posting indexing and its slice-by-slice copy for long
    postings gather the same arrays."""
    from agentroute.routing import scoring

    space = FeatureSpace.fit(SPACES[name], DOCS)
    agents = sklearn_vectors(SPACES[name], DOCS)
    expected = linear_kernel(sklearn_vectors(SPACES[name], QUERIES), agents)
    weights = make_weights(agents.T.tocsr(), dense_budget_bytes=0)
    assert scoring.compiled_kernels() is not None  # scipy.sparse is loaded here
    for row, query in enumerate(QUERIES):
        ids, values = space.vectorize(query)
        compiled = [weights.score(ids, values)] + [part for split in (0, len(ids) // 2, len(ids))
                                                   for part in weights.score_parts(ids, values, split)]
        monkeypatch.setattr(scoring, "_KERNELS", False)  # as if scipy had no such kernels
        plain = [weights.score(ids, values)] + [part for split in (0, len(ids) // 2, len(ids))
                                                for part in weights.score_parts(ids, values, split)]
        monkeypatch.setattr(scoring, "LONG_POSTINGS", 10**9)
        indexed = weights._postings(ids, values)
        monkeypatch.setattr(scoring, "LONG_POSTINGS", 0)
        copied = weights._postings(ids, values)
        monkeypatch.undo()
        for a, b in zip(compiled, plain):
            assert a.dtype == b.dtype == np.float64
            np.testing.assert_array_equal(a, b)
        for a, b in zip(indexed, copied):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(compiled[0], expected[row], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("broken", ["raises", "wrong"])
def test_kernels_that_changed_in_scipy_leave_the_numpy_path(monkeypatch, broken):
    """The kernels are private names of scipy: one that fails or computes something else is never used."""
    from scipy.sparse import _sparsetools

    from agentroute.routing import scoring

    def changed(n_row, n_col, ap, ai, ax, xx, yx):
        if broken == "raises":
            raise TypeError("csc_matvec() takes 8 arguments")
        yx[:] = 1.0

    space = FeatureSpace.fit(SPACES["word"], DOCS)
    weights = make_weights(sklearn_vectors(SPACES["word"], DOCS).T.tocsr(), dense_budget_bytes=0)
    ids, values = space.vectorize(QUERIES[0])
    expected = weights.score(ids, values)
    monkeypatch.setattr(_sparsetools, "csc_matvec", changed)
    monkeypatch.setattr(scoring, "_KERNELS", None)
    assert scoring.compiled_kernels() is None
    np.testing.assert_array_equal(weights.score(ids, values), expected)
    monkeypatch.undo()
    monkeypatch.setattr(scoring, "_KERNELS", None)
    assert scoring.compiled_kernels() is not None


def test_single_requests_never_import_scipy_for_the_compiled_gather(monkeypatch):
    """Without scipy.sparse loaded (a one-shot process: the hook) the numpy gather serves, with the
    same scores; once it is loaded, the compiled one."""
    from agentroute.routing import scoring

    space = FeatureSpace.fit(SPACES["word"], DOCS)
    weights = make_weights(sklearn_vectors(SPACES["word"], DOCS).T.tocsr(), dense_budget_bytes=0)
    ids, values = space.vectorize(QUERIES[0])
    expected = weights.score(ids, values)
    monkeypatch.setattr(scoring, "_KERNELS", None)
    monkeypatch.delitem(sys.modules, "scipy.sparse")
    assert scoring.compiled_kernels() is None
    np.testing.assert_array_equal(weights.score(ids, values), expected)
    monkeypatch.undo()  # scipy.sparse loaded again (as SparseWeights.warm makes sure): the compiled kernels
    monkeypatch.setattr(scoring, "_KERNELS", None)
    weights.warm()
    assert scoring.compiled_kernels() is not None


def test_feature_space_round_trips_through_json():
    specs = SPACES["word+char"]
    space = FeatureSpace.fit(specs, DOCS)
    again = FeatureSpace.from_json(space.to_json(), space.idf_array())
    for query in QUERIES:
        for a, b in zip(space.vectorize(query), again.vectorize(query)):
            np.testing.assert_array_equal(a, b)


def test_documents_of_only_stop_words_give_an_empty_block():
    spec = AnalyzerSpec(kind="word", stop_words=frozenset({"the", "and"}))
    space = FeatureSpace.fit([spec], ["the and", "and the"])
    assert space.n_features == 0
    ids, values = space.vectorize("the and anything")
    assert len(ids) == 0 and len(values) == 0


PAIRS = {"ngram_range": (1, 2), "binary": True, "use_idf": False}  # the linear strategy's word block


@pytest.mark.parametrize("pattern", [r"(?u)\b\w\w+\b", r"(?u)\b\w+\b", r"(?u)\b[a-z]\w+\b"])
@pytest.mark.parametrize("derived", [{"prefix_len": 5}, {"word_forms": True}, {"word_forms": True, "prefix_len": 5},
                                     PAIRS, {**PAIRS, "prefix_len": 5}, {**PAIRS, "word_forms": True, "prefix_len": 5}])
def test_joined_batch_path_equals_per_text_vectorize(pattern, derived):
    """The batch fast path (C-level splitting for ASCII runs, the regex for other text and other
    patterns) gives every text exactly the vector the per-text path gives it."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    # Pairs join neighbouring tokens, so they take the fast path only when every token is a unit.
    stop = frozenset() if "ngram_range" in derived else frozenset(ENGLISH_STOP_WORDS)
    spec = AnalyzerSpec(kind="word", stop_words=stop, token_pattern=pattern, **derived)
    space = FeatureSpace.fit([spec], DOCS + ["a b c x_y 42 it's ok"])
    block = space.blocks[0]
    batches = [
        ["optimize the SQL queries", "", "flaky tests in CI", "the and of", "integration tests tests"],
        ["plain ascii one", "café latency résumé", "ΣΟΦΙΑΣ Σ ﬁle Ⅸ", "naïve\u0301 x"],  # NFKD, final sigma
        ["\x80", "sql", "é", "", "optimize", "ü", "ü", "tests"],  # groups with no tokens still end rows
        ["a b c", "x_y it's 42!", "e-mail,ok;SQL\tquery\r\n", "\x01\x7f~`"],  # separators, 1-char words
        ["a NUL \x00 inside", "queries"],  # the break character itself: the per-text path
    ]
    pairs_fast = "ngram_range" in derived and pattern != r"(?u)\b\w\w+\b"  # 2+ letter runs drop 1-letter words
    for texts in batches:
        fast = block.joined.transform(texts)
        assert (fast is None) == (texts is batches[-1] or ("ngram_range" in derived and not pairs_fast))
        got = space.transform(texts).toarray()
        for row, text in enumerate(texts):
            expected = np.zeros(space.n_features)
            ids, values = space.vectorize(text)
            expected[ids] = values
            np.testing.assert_allclose(got[row], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("word_forms", [False, True])
def test_batch_pairs_by_word_numbers_equal_pairs_by_strings(monkeypatch, word_forms):
    """After JoinedBatch.warm_pairs, a batch looks its word pairs up by the words' numbers (with word forms,
    the forms' numbers: "queries slow" is the pair "query slow"); the vectors stay exactly those of the
    per-text path, also after the word table starts afresh."""
    from agentroute.features import joined_batch, word_tables

    spec = AnalyzerSpec(kind="word", token_pattern=r"(?u)\b\w+\b", word_forms=word_forms, **PAIRS)
    space = FeatureSpace.fit([spec], DOCS + ["a b c x_y 42 it's ok", "slow sql queries slow sql", "sql query slow"])
    block = space.blocks[0]
    texts = ["optimize the SQL queries", "", "slow sql queries", "a b c", "sql sql queries queries", "zzz sql",
             "café latency résumé", "it's ok, a b", "sql query slow", "SQL queries slow"]
    assert block.joined.transform(texts) is not None  # the joined path, with or without word forms

    def per_text():
        expected = np.zeros((len(texts), space.n_features))
        for row, text in enumerate(texts):
            ids, values = space.vectorize(text)
            expected[row, ids] = values
        return expected

    by_strings = space.transform(texts).toarray()
    block.joined.warm_pairs()
    assert len(block.joined.units.pairs) == sum(" " in term for term in block.vocabulary)
    np.testing.assert_allclose(space.transform(texts).toarray(), by_strings, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(by_strings, per_text(), rtol=1e-12, atol=1e-12)
    # A full table starts afresh between batches and drops the pairs keyed by the old numbers.
    monkeypatch.setattr(word_tables, "UNIT_CACHE_LIMIT", 3)
    monkeypatch.setattr(joined_batch, "UNIT_CACHE_LIMIT", 3)
    np.testing.assert_allclose(space.transform(texts).toarray(), by_strings, rtol=1e-12, atol=1e-12)
    assert block.joined.units.pairs is None


def test_generic_features_are_marked_and_counted_the_same_single_and_batch():
    """Listed words (and their folded forms), and features in more than max_coverage of the
    documents, are generic: they score but do not count as informative known features."""
    docs = [f"agent {i} handles topic{i} requests, add" for i in range(12)] + ["security CVE audit, reads"]
    spec = AnalyzerSpec(kind="word", word_forms=True, generic_words=frozenset({"add", "read", "tell"}), max_coverage=0.5)
    space = FeatureSpace.fit([spec], docs)
    names = {i: t for t, i in space.blocks[0].vocabulary.items()}
    generic = {names[int(i)] for i in space.blocks[0].generic}
    assert {"add", "agent", "handle", "request", "read"} <= generic  # listed (or their singular) or in 12/13 documents
    assert not generic & {"security", "cve", "topic3", "audit"}
    texts = ["add reading", "tell me", "add CVEs", "topic3 requests", "agent", "add reads", "audits"]
    single = [space.count_informative(space.vectorize(t)[0]) for t in texts]
    assert single == [0, 0, 1, 1, 0, 0, 1]  # "CVEs" is known as "cve"; "reads" is "read", listed
    assert space.count_informative_rows(space.transform(texts)).tolist() == single
    again = FeatureSpace.from_json(space.to_json(), space.idf_array())
    assert [again.count_informative(again.vectorize(t)[0]) for t in texts] == single


def test_coverage_needs_enough_documents():
    spec = AnalyzerSpec(kind="word", max_coverage=0.5)
    space = FeatureSpace.fit([spec], ["sql tuning", "sql styling"])  # "sql" in 2 of 2, but 2 documents say little
    assert len(space.blocks[0].generic) == 0 and space.informative is None


BINARY_SPACES = {
    "word-1-2": [AnalyzerSpec(kind="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", binary=True, use_idf=False)],
    "word-1-2-prefix": [AnalyzerSpec(kind="word", ngram_range=(1, 2), binary=True, use_idf=False, prefix_len=5)],
    "word-forms-1-1": [AnalyzerSpec(kind="word", binary=True, word_forms=True, stop_words=frozenset({"the"}))],
    "word-forms-1-2": [AnalyzerSpec(kind="word", ngram_range=(1, 2), binary=True, word_forms=True)],
    "word-1-3": [AnalyzerSpec(kind="word", ngram_range=(1, 3), binary=True)],
    "char": [AnalyzerSpec(kind="word", binary=True), AnalyzerSpec(kind="char_wb", ngram_range=(2, 5), binary=True)],
}


@pytest.mark.parametrize("name", BINARY_SPACES)
def test_distinct_ids_are_the_distinct_feature_ids(name):
    """The binary fast path (cached per-word id sets and word pairs) finds exactly the features
    the general path finds, once each; and the space still equals scikit-learn."""
    specs = BINARY_SPACES[name]
    space = FeatureSpace.fit(specs, DOCS)
    queries = QUERIES + ["tests tests test", "SQL queries SQL queries", "the the the", "a b c d e f"]
    for _ in range(2):  # cold, then warm caches
        for query in queries:
            for block in space.blocks:
                assert block.distinct_ids(query) == set(block.feature_ids(query)), query
    expected = sklearn_vectors(specs, queries).toarray()
    rows = np.zeros_like(expected)
    for row, query in enumerate(queries):
        ids, values = space.vectorize(query)
        rows[row, ids] = values
    np.testing.assert_allclose(rows, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layout", [DenseWeights, SparseWeights])
def test_score_parts_equal_two_scores(layout):
    """The blended strategy scores its profile and learned ids in one pass: the same two vectors."""
    specs = SPACES["word+char"]
    space = FeatureSpace.fit(specs, DOCS)
    weights = make_weights(sklearn_vectors(specs, DOCS).T.tocsr(), dense_budget_bytes=10**12 if layout is DenseWeights else 0)
    assert isinstance(weights, layout)
    for query in QUERIES:
        ids, values = space.vectorize(query)
        for split in sorted({0, len(ids) // 2, len(ids)}):
            first, second = weights.score_parts(ids, values, split)
            np.testing.assert_allclose(first, weights.score(ids[:split], values[:split]), rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(second, weights.score(ids[split:], values[split:]), rtol=1e-6, atol=1e-7)
