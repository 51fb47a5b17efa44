"""Word-sum character blocks: the vector is the sum of the distinct words' n-gram vectors, and the
per-word cache that serves it scores exactly what the vector scores."""

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from agentroute import Agent, Example, Router
from agentroute.features.analyzers import AnalyzerSpec
from agentroute.features.space import FeatureSpace
from agentroute.routing import word_sums
from agentroute.routing.linear import linear_analyzers
from agentroute.routing.word_sums import WordSums

TRAIN = [
    "book a table for two tonight",
    "what is the weather in Lisbon tomorrow",
    "transfer money to my savings account",
    "café résumé naïve: accents and ünïcödé text",
    "play some jazz music please",
]
TEXTS = [
    "book book book a table",  # a repeated word counts once
    "the weather the weather",
    "transfer transfers transferring",  # words that share n-grams: tf counts the words
    "zzz qqq",  # no known n-gram
    "",
    "Café RÉSUMÉ",
    "money\x00music",
]
SPEC = AnalyzerSpec(kind="char_wb", ngram_range=(2, 4), use_idf=False, sublinear_tf=False, word_sum=True, weight=1.2)


def by_definition(spec: AnalyzerSpec, vocabulary: dict[str, int], text: str) -> np.ndarray:
    """The definition, from scikit-learn's char_wb analyzer: tf = distinct words holding the n-gram."""
    analyze = CountVectorizer(analyzer="char_wb", ngram_range=spec.ngram_range, strip_accents="unicode").build_analyzer()
    vector = np.zeros(len(vocabulary))
    for word in set(_words(text)):
        for gram in set(analyze(word)):
            if gram in vocabulary:
                vector[vocabulary[gram]] += 1.0
    total = vector.sum()
    return vector * (spec.weight / np.sqrt(total)) if total else vector


def _words(text: str) -> list[str]:
    from sklearn.feature_extraction.text import strip_accents_unicode

    return strip_accents_unicode(text.lower()).split()


def test_word_sum_vectors_follow_the_definition_single_and_batch():
    space = FeatureSpace.fit([SPEC], TRAIN)
    block = space.blocks[0]
    batch = space.transform(TEXTS).toarray()
    for row, text in zip(batch, TEXTS):
        expected = by_definition(SPEC, block.vocabulary, text)
        ids, values = space.vectorize(text)
        single = np.zeros(space.n_features)
        single[ids] = values
        np.testing.assert_allclose(single, expected, atol=1e-12)
        np.testing.assert_allclose(row, expected, atol=1e-12)
    # A repeated word is one word; words that share n-grams count each.
    ids, values = space.vectorize("transfer transfer")
    assert np.allclose(values, values[0])  # every n-gram of one word: tf 1
    ids, values = space.vectorize("transfer transfers")
    assert values.max() == pytest.approx(2 * values.min())  # "tra" in both words: tf 2


def test_fit_transform_gives_the_served_vectors():
    space, matrix = FeatureSpace.fit_transform([SPEC], TRAIN)
    np.testing.assert_allclose(matrix.toarray(), space.transform(TRAIN).toarray(), atol=1e-12)


def test_word_sum_needs_a_char_block_without_binary_or_sublinear_tf():
    for bad in (dict(kind="word"), dict(kind="char_wb", binary=True), dict(kind="char_wb", sublinear_tf=True)):
        with pytest.raises(ValueError, match="word_sum"):
            AnalyzerSpec(word_sum=True, **{"sublinear_tf": False, **bad})
    assert AnalyzerSpec.from_json(SPEC.to_json()) == SPEC
    old = {k: v for k, v in SPEC.to_json().items() if k != "word_sum"}  # a file saved before the field
    assert AnalyzerSpec.from_json(old).word_sum is False


@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize("use_idf", [False, True])
def test_per_word_sums_score_what_the_vector_scores(use_idf, warm):
    spec = AnalyzerSpec(kind="char_wb", ngram_range=(2, 4), use_idf=use_idf, sublinear_tf=False, word_sum=True, weight=0.7)
    space = FeatureSpace.fit([AnalyzerSpec(kind="word"), spec], TRAIN, normalize=False)
    block = space.blocks[1]
    rows = np.random.default_rng(0).normal(size=(space.n_features, 6)).astype(np.float32)
    sums = WordSums(block, rows[block.offset :])
    if warm:  # rows computed in chunks ahead of requests, not one by one
        assert sums.warm(w for t in TRAIN + ["qqq"] for w in _words(t)) > 0
        assert sums._table["qqq"] == 0 and sums._table["book"] > 0
    for text in TEXTS * 2:  # the second pass reads the cache
        ids, values = block.weighted(text)
        got, words = sums.score(text)
        if not len(ids):
            assert got is None and words == 0
            continue
        expected = values @ rows[ids].astype(np.float64)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
        assert words == sum(1 for w in set(_words(text)) if block.word_ids(w))


@pytest.mark.parametrize("with_break", [False, True])
def test_batches_score_what_the_vectors_score(with_break):
    """``score_many`` (one joined pass over the batch) against each text's vector; a batch where a
    text holds the joining character itself, even as a word with features, takes the vectors."""
    train = TRAIN + ["pay \x00 now"]  # the break as a word with n-gram features
    space = FeatureSpace.fit([AnalyzerSpec(kind="word"), SPEC], train, normalize=False)
    block = space.blocks[1]
    rows = np.random.default_rng(1).normal(size=(space.n_features, 5)).astype(np.float32)
    sums = WordSums(block, rows[block.offset :])
    texts = [t for t in TEXTS if "\x00" not in t] + (["pay \x00", "money\x00music"] if with_break else [])
    for _ in range(2):  # cold, then from the cache
        got, words = sums.score_many(texts)
        for text, row, count in zip(texts, got, words):
            ids, values = block.weighted(text)
            expected = values @ rows[ids].astype(np.float64) if len(ids) else np.zeros(5)
            np.testing.assert_allclose(row, expected, rtol=1e-5, atol=1e-5)
            assert count == sum(1 for w in set(_words(text)) if block.word_ids(w))
            single, _ = sums.score(text)
            np.testing.assert_allclose(expected if single is None else single, expected, rtol=1e-5, atol=1e-5)


def test_a_full_cache_starts_afresh_and_still_scores_right(monkeypatch):
    space = FeatureSpace.fit([SPEC], TRAIN)
    block = space.blocks[0]
    rows = np.random.default_rng(1).normal(size=(space.n_features, 4)).astype(np.float32)
    sums = WordSums(block, rows)
    sums.capacity = 3  # the next table holds 2 words with features
    sums._table = word_sums._Table(sums, 3)
    first = sums._table
    for text in ["book a table for two", "weather in Lisbon", "book a table for two"]:
        ids, values = block.weighted(text)
        got, _ = sums.score(text)
        np.testing.assert_allclose(got, values @ rows[ids].astype(np.float64), rtol=1e-5, atol=1e-5)
    assert sums._table is not first


def test_word_sums_require_a_word_sum_block():
    space = FeatureSpace.fit([AnalyzerSpec(kind="char_wb", ngram_range=(2, 4))], TRAIN)
    with pytest.raises(ValueError, match="word-sum"):
        WordSums(space.blocks[0], np.zeros((space.n_features, 2), dtype=np.float32))


AGENTS = [
    Agent(name="restaurant", description="Restaurant bookings",
          examples=tuple(Example(request=t) for t in ["book a table for two", "reserve dinner at eight",
                                                      "table for four tonight", "cancel my dinner reservation",
                                                      "find a sushi place"])),
    Agent(name="weather", description="Weather forecasts",
          examples=tuple(Example(request=t) for t in ["will it rain tomorrow", "weather in Lisbon",
                                                      "how hot is it today", "forecast for the weekend",
                                                      "is it snowing in Oslo"])),
    Agent(name="banking", description="Money transfers",
          examples=tuple(Example(request=t) for t in ["transfer money to savings", "what is my balance",
                                                      "send 20 dollars to Ann", "pay my credit card bill",
                                                      "freeze my debit card"])),
]


def test_the_linear_strategy_serves_char_ngrams_per_word_with_the_same_scores():
    assert any(s.word_sum for s in linear_analyzers("full"))
    router = Router(AGENTS, strategy="linear")
    index = router.snapshot().index
    assert index.word_sums is not None
    for text in ["book a table tonight", "rainy weather in Oslo?", "transfer transfer money", "zzz", "a"]:
        ids, values = index.space.vectorize(text)  # every block, the word-sum one as a vector
        raw = index.weights.score(ids, values) + index.bias if len(ids) else None
        ranked, known = index.ranked_scores(text)
        if raw is None:
            assert ranked is None and known == 0
            continue
        np.testing.assert_allclose(ranked, raw, rtol=1e-5, atol=1e-5)
        assert (known == 0) == (index.space.count_informative(ids) == 0)
        batch = router.pick_many([text])[0]
        single = router.pick(text)
        assert (single is None) == (batch is None)
        if single is not None:
            assert single.agent == batch.agent and single.score == pytest.approx(batch.score, abs=1e-5)
    # An index that has served (and filled its cache) still pickles, without the cache.
    again = pickle.loads(pickle.dumps(index))
    assert "_word_sums" not in again.__dict__
    np.testing.assert_allclose(again.ranked_scores("book a table")[0], index.ranked_scores("book a table")[0], rtol=1e-6)


def test_warming_fills_the_learned_words_and_changes_no_score():
    fitted = Router(AGENTS, strategy="linear")  # a fit warms its caches
    loaded_index = pickle.loads(pickle.dumps(fitted.snapshot().index))  # as after a load: nothing cached
    table = fitted.snapshot().index.word_sums._table
    assert "table" in table and "forecast" in table and table["table"] > 0
    assert "table" not in loaded_index.word_sums._table
    for text in ["table for four", "forecast for Oslo", "freeze my card, please!"]:
        np.testing.assert_allclose(loaded_index.ranked_scores(text)[0], fitted.snapshot().index.ranked_scores(text)[0],
                                   rtol=1e-5, atol=1e-6)


def test_warming_also_fills_the_agents_own_words_as_the_block_splits_them():
    banking = Agent(name="banking", description="Money transfers, balances",
                    examples=AGENTS[2].examples + (Example(request="what's my balance, today?"),))
    fitted = Router([*AGENTS[:2], banking], strategy="linear")
    table = fitted.snapshot().index.word_sums._table
    for word in ("what's", "balance,", "today?", "transfers,"):  # the word vocabulary splits these apart
        assert word in table and table[word] > 0  # in: the lookup itself would fill a missing row
    cold = pickle.loads(pickle.dumps(fitted.snapshot().index))
    assert "what's" not in cold.word_sums._table
    for text in ["what's my balance, today?", "Transfers, please"]:  # bit for bit, warmed or not
        assert np.array_equal(cold.ranked_scores(text)[0], fitted.snapshot().index.ranked_scores(text)[0])


def test_units_are_the_words_score_looks_up():
    sums = Router(AGENTS, strategy="linear").snapshot().index.word_sums
    assert sums.units(["Café, RÉSUMÉ!", "cafe, again", "a\x00b", ""]) == ["cafe,", "resume!", "again"]


def test_a_loaded_router_warms_when_asked(tmp_path):
    path = tmp_path / "intents.agr"
    Router(AGENTS, strategy="linear").save(path)
    cold, warmed = Router.load(path), Router.load(path, warm=True)
    assert "forecast" not in cold.snapshot().index.word_sums._table
    assert warmed.snapshot().index.word_sums._table["forecast"] > 0
    for text in ["forecast for Oslo", "book a table", "transfer money tonight"]:  # bit for bit, warmed or not
        assert cold.pick(text) == warmed.pick(text)
        assert np.array_equal(cold.snapshot().index.ranked_scores(text)[0], warmed.snapshot().index.ranked_scores(text)[0])


def test_threads_filling_and_resetting_the_cache_score_what_one_thread_scores():
    import threading

    router = Router(AGENTS, strategy="linear")
    requests = [f"{a} {b} {n}" for n in range(40) for a, b in [("book a table", "tonight"), ("weather in", "Oslo"),
                                                                ("transfer money", "now"), ("zzz", "qqq")]]
    expected = [router.snapshot().index.ranked_scores(text)[0] for text in requests]
    assert any(e is None for e in expected) and any(e is not None for e in expected)
    index = pickle.loads(pickle.dumps(router.snapshot().index))  # cold caches
    sums = index.word_sums
    sums.capacity = 12  # a table holds a few words: threads fill it and start new ones all the time
    sums._table = word_sums._Table(sums, 12)
    got: dict[int, object] = {}
    errors: list[BaseException] = []

    def work(part):
        try:
            for i in part:
                got[i] = index.ranked_scores(requests[i])[0]
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(range(k, len(requests), 4),)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for i, scores in enumerate(expected):
        if scores is None:
            assert got[i] is None
        else:
            np.testing.assert_allclose(got[i], scores, rtol=1e-5, atol=1e-6)
