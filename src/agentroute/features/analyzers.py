"""Text analyzers that produce exactly the features scikit-learn's would.

The serving path must not import scikit-learn (a cold start cannot afford
~1 s of imports), yet its scores must equal those of the fitted
``TfidfVectorizer``. So this module re-states the few lines of
``sklearn.feature_extraction.text`` that turn a string into features: the
preprocessing (lowercase, then accents), the word tokenizer with stop words
and n-grams, and the ``char_wb`` n-grams. ``tests/test_analyzers.py`` proves
each one equal to ``TfidfVectorizer.build_analyzer()`` on awkward text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from agentroute.features import related_words
from agentroute.features.word_forms import fold
from agentroute.features.word_tables import BREAK, RUN_PATTERNS, UnitCache, ascii_runs

AnalyzerKind = Literal["word", "char_wb"]

#: scikit-learn's default ``token_pattern``: words of two or more word characters.
TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def strip_accents(text: str) -> str:
    """Same result as ``sklearn...strip_accents_unicode``; ASCII passes straight through."""
    if text.isascii():
        return text
    normalized = unicodedata.normalize("NFKD", text)
    return "".join([c for c in normalized if not unicodedata.combining(c)])


def char_wb_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The ``char_wb`` n-grams of one whitespace-free word, padded with spaces.

    scikit-learn computes ``char_wb`` features word by word, so a document's
    features are the concatenation of its words' features; that is what lets
    the serving path cache them per word.
    """
    padded = " " + word + " "
    size = len(padded)
    cuts = _kept_cuts(size, min_n, max_n) if size <= _KEPT_SIZES else _cuts(size, min_n, max_n)
    return list(map(padded.__getitem__, cuts))  # C-level slicing: ~1.5x a comprehension over offsets


def _cuts(size: int, min_n: int, max_n: int) -> tuple[slice, ...]:
    """Where :func:`char_wb_ngrams` cuts a padded word of ``size`` characters, in scikit-learn's order."""
    cuts: list[slice] = []
    for n in range(min_n, max_n + 1):
        if size <= n:  # a word no longer than n counts once, whole, as scikit-learn does
            cuts.append(slice(0, size))
            break
        cuts += [slice(i, i + n) for i in range(size - n + 1)]
    return tuple(cuts)


#: Padded word lengths whose cuts are kept (a few dozen small tuples; longer words are rare).
_KEPT_SIZES = 48
_kept_cuts = lru_cache(maxsize=None)(_cuts)


@dataclass(frozen=True)
class AnalyzerSpec:
    """How one block of features is cut from text (one ``TfidfVectorizer``'s settings).

    ``weight`` scales the block when several blocks are concatenated.
    """

    kind: AnalyzerKind = "word"
    ngram_range: tuple[int, int] = (1, 1)
    strip_accents: bool = True
    stop_words: frozenset[str] = field(default_factory=frozenset)
    sublinear_tf: bool = True
    min_df: int = 1
    weight: float = 1.0
    #: With ``kind="word"`` and a value P > 0, every token longer than P also yields the
    #: feature ``"~" + token[:P]``: a crude, language-blind stemmer ("optimize" and
    #: "optimization" share ``~optim``) at the cost of one dict lookup per word.
    prefix_len: int = 0
    #: Regular expression for word tokens (scikit-learn's default keeps 2+ character tokens).
    token_pattern: str = TOKEN_PATTERN
    #: Count every feature once per text (presence, not frequency).
    binary: bool = False
    #: Weight features by IDF (False: every feature weighs 1 before normalisation).
    use_idf: bool = True
    #: With ``kind="word"``, every token is replaced by its singular form (see
    #: :mod:`agentroute.features.word_forms`): "cves" and "cve" are one feature. Prefixes
    #: are then cut from the singular.
    word_forms: bool = False
    #: Prefix features only for (folded) words at least this long (0: longer than ``prefix_len``).
    prefix_min_len: int = 0
    #: Words that may support a pick but not make one alone (see :meth:`FeatureBlock.informative`).
    generic_words: frozenset[str] = field(default_factory=frozenset)
    #: Features found in more than this share of the fitted documents are generic too.
    max_coverage: float = 1.0
    #: With ``kind="char_wb"``: a text's vector is the sum of its distinct words' vectors (each
    #: word's distinct n-grams, times IDF), scaled by ``weight / sqrt(sum of tf * idf^2)``. A
    #: feature's tf is then the number of the text's distinct words that contain it, and both the
    #: vector and the squared scale add up word by word, so serving can cache each word's
    #: contribution to the scores (:mod:`agentroute.routing.word_sums`) instead of gathering
    #: every n-gram of every request. Needs ``binary`` and ``sublinear_tf`` off.
    word_sum: bool = False
    #: With ``word_forms`` (ignored without: the table lists folded words), abbreviations are folded
    #: into the words they stand for ("k8s" is "kubernetes") and each word of a related-word group
    #: also yields the group's feature (:mod:`agentroute.features.related_words`; "crash" -> ``"~=error"``).
    related_words: bool = False

    def __post_init__(self) -> None:
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"ngram_range must satisfy 1 <= min <= max, got {self.ngram_range}")
        if self.kind not in ("word", "char_wb"):
            raise ValueError(f"kind must be 'word' or 'char_wb', got {self.kind!r}")
        if not self.weight > 0:
            raise ValueError(f"weight must be > 0, got {self.weight!r}")
        if self.prefix_len < 0 or (self.prefix_len and self.kind != "word"):
            raise ValueError(f"prefix_len must be >= 0 and only set for word analyzers, got {self.prefix_len!r}")
        if self.word_forms and self.kind != "word":
            raise ValueError("word_forms is only for word analyzers")
        if self.prefix_min_len < 0:
            raise ValueError(f"prefix_min_len must be >= 0, got {self.prefix_min_len!r}")
        if not 0 < self.max_coverage <= 1:
            raise ValueError(f"max_coverage must be in (0, 1], got {self.max_coverage!r}")
        if self.word_sum and (self.kind != "char_wb" or self.binary or self.sublinear_tf):
            raise ValueError("word_sum is only for char_wb analyzers, with binary and sublinear_tf off")

    def sklearn_params(self) -> dict[str, Any]:
        """Keyword arguments for a ``TfidfVectorizer`` that analyzes text the same way."""
        params: dict[str, Any] = {
            "analyzer": self.kind,
            "ngram_range": tuple(self.ngram_range),
            "lowercase": True,
            "strip_accents": "unicode" if self.strip_accents else None,
            "sublinear_tf": self.sublinear_tf,
            "min_df": self.min_df,
            "binary": self.binary,
            "use_idf": self.use_idf,
            "dtype": __import__("numpy").float64,
        }
        if self.kind == "word" and (self.prefix_len or self.word_forms):
            # scikit-learn has no prefix or word-form features: it calls our analyzer, and fits as usual.
            params = {k: v for k, v in params.items() if k not in ("lowercase", "strip_accents", "ngram_range")}
            params["analyzer"] = Analyzer(self)
        elif self.kind == "word":
            params["token_pattern"] = self.token_pattern
            params["stop_words"] = sorted(self.stop_words) or None
        return params

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ngram_range": list(self.ngram_range),
            "strip_accents": self.strip_accents,
            "stop_words": sorted(self.stop_words),
            "sublinear_tf": self.sublinear_tf,
            "min_df": self.min_df,
            "weight": self.weight,
            "prefix_len": self.prefix_len,
            "token_pattern": self.token_pattern,
            "binary": self.binary,
            "use_idf": self.use_idf,
            "word_forms": self.word_forms,
            "prefix_min_len": self.prefix_min_len,
            "generic_words": sorted(self.generic_words),
            "max_coverage": self.max_coverage,
            "word_sum": self.word_sum,
            "related_words": self.related_words,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnalyzerSpec:
        return cls(
            kind=data["kind"],
            ngram_range=(int(data["ngram_range"][0]), int(data["ngram_range"][1])),
            strip_accents=bool(data["strip_accents"]),
            stop_words=frozenset(data["stop_words"]),
            sublinear_tf=bool(data["sublinear_tf"]),
            min_df=int(data["min_df"]),
            weight=float(data["weight"]),
            prefix_len=int(data.get("prefix_len", 0)),
            token_pattern=str(data.get("token_pattern", TOKEN_PATTERN)),
            binary=bool(data.get("binary", False)),
            use_idf=bool(data.get("use_idf", True)),
            word_forms=bool(data.get("word_forms", False)),
            prefix_min_len=int(data.get("prefix_min_len", 0)),
            generic_words=frozenset(data.get("generic_words", ())),
            max_coverage=float(data.get("max_coverage", 1.0)),
            word_sum=bool(data.get("word_sum", False)),
            related_words=bool(data.get("related_words", False)),
        )

    def form(self, token: str) -> str:
        """The form a raw token is indexed as: its singular, then (``related_words``) the word it abbreviates."""
        folded = fold(token)
        return related_words.expand(folded) if self.related_words and self.word_forms else folded

    def derived(self, token: str) -> tuple[str, ...]:
        """The prefix and related-word features one (already folded) token yields beside itself, if any."""
        prefix = ("~" + token[: self.prefix_len],) if self.prefix_len and len(token) >= max(
            self.prefix_min_len, self.prefix_len + 1) else ()
        return prefix + related_words.related(token) if self.related_words and self.word_forms else prefix

    @property
    def features_per_token(self) -> int:
        """The most features one word token can yield (itself, a prefix, related-word groups)."""
        return 1 + (self.prefix_len > 0) + (related_words.MAX_GROUPS if self.related_words and self.word_forms else 0)


class Analyzer:
    """Turns text into the feature strings of one :class:`AnalyzerSpec`."""

    def __init__(self, spec: AnalyzerSpec) -> None:
        self.spec = spec
        self._findall = re.compile(spec.token_pattern).findall
        # ASCII text splits ~4x faster without the regex engine, for the usual patterns.
        self._run_min_len = RUN_PATTERNS.get(spec.token_pattern, 0)
        # Each token's form, folded once: a fold per token per request cost ~3.6 of a blended
        # pick's ~29 µs (100 agents with examples, 12 tokens a request).
        self._forms = UnitCache(spec.form)

    def preprocess(self, text: str) -> str:
        text = text.lower()
        return strip_accents(text) if self.spec.strip_accents else text

    def tokens(self, text: str) -> list[str]:
        """Word tokens without stop words, not yet folded (whitespace-split words for char_wb)."""
        text = self.preprocess(text)
        if self.spec.kind == "char_wb":
            return text.split()
        stop = self.spec.stop_words
        if self._run_min_len and text.isascii() and BREAK not in text:
            tokens = ascii_runs(text)
            if self._run_min_len > 1:
                return [t for t in tokens if len(t) > 1 and t not in stop]
        else:
            tokens = self._findall(text)
        return [t for t in tokens if t not in stop] if stop else tokens

    def words(self, text: str) -> list[str]:
        """The units features are built from: tokens (word) or whitespace-split words (char_wb)."""
        if not self.spec.word_forms:
            return self.tokens(text)
        # Each token becomes its singular; a stop word stays out before and after folding.
        stop = self.spec.stop_words
        return [f for f in map(self._forms.__getitem__, self.tokens(text)) if f not in stop]

    def __call__(self, text: str) -> list[str]:
        """All features of ``text``, in scikit-learn's order."""
        low, high = self.spec.ngram_range
        units = self.words(text)
        if self.spec.kind == "char_wb":
            return [g for w in units for g in char_wb_ngrams(w, low, high)]
        return word_ngrams(units, low, high) + derived_features(self.spec, units)


def derived_features(spec: AnalyzerSpec, tokens: list[str]) -> list[str]:
    """The prefix features of the (already folded) tokens, in token order."""
    if not (spec.prefix_len or spec.word_forms):
        return []
    return [d for t in tokens for d in spec.derived(t)]


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """Word n-grams in scikit-learn's order: all n=low first, then n=low+1, ..."""
    if high == 1:
        return list(tokens)
    grams = list(tokens) if low == 1 else []
    count = len(tokens)
    for n in range(max(low, 2), min(high, count) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(count - n + 1))
    return grams
