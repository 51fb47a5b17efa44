"""The pure-Python analyzers produce exactly scikit-learn's features."""

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from agentroute.features.analyzers import Analyzer, AnalyzerSpec, strip_accents

AWKWARD = [
    "Optimize the SQL queries on the deals page",
    "Café naïve résumé — Ünïcödé ﬁle ligatures Ⅸ",
    "a I x  y\tz\n\nnew\r\nlines",
    "emoji 🚀 and CJK 数据库 查询 and RTL مرحبا بالعالم",
    "snake_case camelCase kebab-case 123 4567 v2.0 C++ C# .NET",
    "",
    "   ",
    "the and of to",  # only stop words
    "ab " * 5,
]

SPECS = [
    AnalyzerSpec(kind="word", ngram_range=(1, 1)),
    AnalyzerSpec(kind="word", ngram_range=(1, 2), stop_words=frozenset(ENGLISH_STOP_WORDS)),
    AnalyzerSpec(kind="word", ngram_range=(2, 3), strip_accents=False),
    AnalyzerSpec(kind="char_wb", ngram_range=(2, 5)),
    AnalyzerSpec(kind="char_wb", ngram_range=(1, 3), strip_accents=False),
    AnalyzerSpec(kind="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
    AnalyzerSpec(kind="word", ngram_range=(1, 1), stop_words=frozenset(ENGLISH_STOP_WORDS), word_forms=True),
    AnalyzerSpec(kind="word", ngram_range=(1, 2), word_forms=True),
]


def test_prefix_features_are_words_plus_truncated_words():
    from agentroute.features.analyzers import derived_features

    plain = AnalyzerSpec(kind="word", ngram_range=(1, 1), stop_words=frozenset(ENGLISH_STOP_WORDS))
    spec = AnalyzerSpec(kind="word", ngram_range=(1, 1), stop_words=frozenset(ENGLISH_STOP_WORDS), prefix_len=5)
    words = TfidfVectorizer(**plain.sklearn_params()).build_analyzer()
    text = "Optimizing the optimization of optimized SQL caching"
    assert Analyzer(spec)(text) == words(text) + derived_features(spec, words(text))
    assert derived_features(spec, ["optimizing", "sql", "cache", "caches"]) == ["~optim", "~cache"]


def test_word_forms_replace_each_word_by_its_singular():
    from agentroute.features.analyzers import derived_features
    from agentroute.features.word_forms import fold

    stop = frozenset(ENGLISH_STOP_WORDS)
    plain = AnalyzerSpec(kind="word", ngram_range=(1, 1), stop_words=stop)
    spec = AnalyzerSpec(kind="word", ngram_range=(1, 1), stop_words=stop, word_forms=True)
    words = TfidfVectorizer(**plain.sklearn_params()).build_analyzer()
    text = "Check CVEs in the APIs; cached PRs, queries and classes for production products"
    assert Analyzer(spec)(text) == [fold(w) for w in words(text)]
    assert Analyzer(spec)(text) == ["check", "cve", "api", "cached", "pr", "query", "class", "production", "product"]
    # the fitted vectorizer sees the same features through the analyzer callable
    assert TfidfVectorizer(**spec.sklearn_params()).build_analyzer()(text) == Analyzer(spec)(text)
    # prefixes are cut from singulars of 8+ letters only: "product" (from "products") gets none
    with_prefix = AnalyzerSpec(kind="word", word_forms=True, prefix_len=5, prefix_min_len=8)
    assert Analyzer(with_prefix)("optimizations products production checkout checks") == [
        "optimization", "product", "production", "checkout", "check", "~optim", "~produ", "~check"]
    assert derived_features(with_prefix, ["product", "production"]) == ["~produ"]


def test_a_word_that_folds_to_a_stop_word_is_dropped():
    spec = AnalyzerSpec(kind="word", word_forms=True, stop_words=frozenset({"use"}))
    assert Analyzer(spec)("uses use users") == ["user"]


def test_cached_word_forms_equal_folding_each_token_and_stay_bounded(monkeypatch):
    """Each token is folded once and cached; the cache never changes a result, even once it starts afresh."""
    from agentroute.features import word_tables

    spec = AnalyzerSpec(kind="word", ngram_range=(1, 2), word_forms=True, related_words=True,
                        stop_words=frozenset({"use", "the"}))
    analyzer = Analyzer(spec)
    texts = ["uses the k8s clusters", "queries on DBs use classes", "uses the k8s clusters again", "users"]
    folded = [[f for t in analyzer.tokens(x) if (f := spec.form(t)) not in spec.stop_words] for x in texts]
    assert folded[0] == [spec.form("kubernetes"), "cluster"] and folded[3] == ["user"]  # k8s: an abbreviation
    assert [analyzer.words(x) for x in texts] == folded  # cold
    assert [analyzer.words(x) for x in texts] == folded  # warm
    monkeypatch.setattr(word_tables, "UNIT_CACHE_LIMIT", 3)
    fresh = Analyzer(spec)
    assert [fresh.words(x) for x in texts * 2] == folded * 2
    assert len(fresh._forms) <= 3


def test_word_forms_only_for_words():
    with pytest.raises(ValueError, match="word_forms"):
        AnalyzerSpec(kind="char_wb", word_forms=True)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.kind}{s.ngram_range}")
@pytest.mark.parametrize("text", AWKWARD)
def test_features_equal_sklearn_analyzer(spec, text):
    reference = TfidfVectorizer(**spec.sklearn_params()).build_analyzer()
    assert Analyzer(spec)(text) == reference(text)


def test_strip_accents_matches_sklearn():
    from sklearn.feature_extraction.text import strip_accents_unicode

    for text in AWKWARD:
        assert strip_accents(text) == strip_accents_unicode(text)


def test_spec_round_trips_through_json():
    spec = SPECS[1]
    assert AnalyzerSpec.from_json(spec.to_json()) == spec


@pytest.mark.parametrize(
    "bad",
    [dict(ngram_range=(0, 1)), dict(ngram_range=(3, 2)), dict(kind="char"), dict(weight=0.0)],
)
def test_spec_rejects_bad_settings(bad):
    with pytest.raises(ValueError):
        AnalyzerSpec(**bad)
