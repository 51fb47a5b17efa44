"""One analyzer's fitted features: vocabulary, IDF and which features are generic, with the
fast per-request and per-batch vectorising that equals ``TfidfVectorizer.transform``
(``tests/test_features.py`` holds the proof)."""
from __future__ import annotations

import math
from itertools import chain
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from agentroute.features.analyzers import Analyzer, AnalyzerSpec, char_wb_ngrams, derived_features, word_ngrams
from agentroute.features.csr import row_totals
from agentroute.features.joined_batch import JoinedBatch
from agentroute.features.word_tables import UNIT_CACHE_LIMIT, UnitCache

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_VALUES = np.zeros(0, dtype=np.float64)


class FeatureBlock:
    """One analyzer's vocabulary and IDF, placed at ``offset`` in the global feature space."""

    def __init__(self, spec: AnalyzerSpec, vocabulary: dict[str, int], idf: np.ndarray, offset: int,
                 generic: np.ndarray | None = None):
        self.spec = spec
        self.vocabulary = vocabulary
        self._idf = np.asarray(idf, dtype=np.float64)
        self.offset = offset
        #: Local ids of the generic features: they may support a pick but not make one alone.
        self.generic = np.zeros(0, dtype=np.int64) if generic is None else np.asarray(generic, dtype=np.int64)
        self.analyzer = Analyzer(spec)
        compute = (self._distinct_char_ids if spec.word_sum else self._char_ids) if spec.kind == "char_wb" else self._token_ids
        self._units = UnitCache(compute)
        low, high = spec.ngram_range
        #: Whether features come from cached per-unit ids (:meth:`units`), plus word pairs for 1-2 grams
        #: (fixed by the spec, so an attribute, not worked out on every request).
        self.by_units = spec.kind == "char_wb" or (low == 1 and high <= 2)
        self._pairs = spec.kind == "word" and low == 1 and high == 2
        self._units_are_tokens = spec.word_forms and high == 1  # the cached lookup folds each raw token once
        #: The batch fast path of word blocks (all texts of a batch joined and looked up at once).
        self.joined = JoinedBatch(spec, vocabulary, self._token_ids, self.weigh)

    def __getstate__(self) -> dict[str, Any]:
        # Worker processes get the fitted vocabulary and IDF, not this process's caches or lock.
        return {"spec": self.spec, "vocabulary": self.vocabulary, "idf": self._idf, "offset": self.offset,
                "generic": self.generic}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["spec"], state["vocabulary"], state["idf"], state["offset"], state.get("generic"))  # type: ignore[misc]

    @property
    def idf(self) -> np.ndarray:
        return self._idf

    def __len__(self) -> int:
        return len(self.vocabulary)

    def _token_ids(self, token: str) -> list[int]:
        """Known unigram and prefix features of one token (what the token cache holds).

        With word forms the token is folded first (a no-op for the single-request path,
        whose words are folded already; the batch path passes raw tokens).
        """
        if self.spec.word_forms:
            token = self.spec.form(token)
            if token in self.spec.stop_words:
                return []
        vocab_get = self.vocabulary.get
        found = []
        if (i := vocab_get(token)) is not None:
            found.append(i)
        found += [i for d in self.spec.derived(token) if (i := vocab_get(d)) is not None]
        return found

    def feature_ids(self, text: str) -> list[int]:
        """Local ids of the known features of ``text``, one per occurrence (in no particular order)."""
        low, high = self.spec.ngram_range
        if low == 1 and high == 1 and self.spec.word_forms:
            # Raw tokens: the cached per-token lookup folds each word once, not once per request.
            return list(chain.from_iterable(map(self._units.__getitem__, self.analyzer.tokens(text))))
        units = self.analyzer.words(text)
        ids: list[int] = []
        if self.spec.kind == "char_wb":
            # char_wb features never cross a space, so each word's ids can be cached. A word-sum
            # block counts each distinct word once (its cached ids are distinct too).
            return list(chain.from_iterable(map(self._units.__getitem__, dict.fromkeys(units) if self.spec.word_sum else units)))
        if low == 1 and high <= 2:  # the default shapes: unigrams (+ prefixes) per token, cached
            ids = list(chain.from_iterable(map(self._units.__getitem__, units)))
            if high == 2:
                vocab_get = self.vocabulary.get
                ids += [i for a, b in zip(units, units[1:]) if (i := vocab_get(a + " " + b)) is not None]
            return ids
        vocab_get = self.vocabulary.get
        ids = [i for g in word_ngrams(units, low, high) if (i := vocab_get(g)) is not None]
        ids += [i for g in derived_features(self.spec, units) if (i := vocab_get(g)) is not None]
        return ids

    def units(self, text: str) -> list[str]:
        """The units whose features are cached: whitespace-split words (char_wb) or word tokens
        (requires :attr:`by_units`)."""
        return self.analyzer.tokens(text) if self._units_are_tokens else self.analyzer.words(text)

    def distinct_ids(self, text: str) -> set[int]:
        """Local ids of the distinct known features of ``text``: all a binary block's vector needs.

        The same features as :meth:`feature_ids`, without building the list of every
        occurrence: the union of each unit's cached ids, and the word pairs' ids, all in
        C-level calls (no Python loop per word).
        """
        if not self.by_units:
            return set(self.feature_ids(text))
        units = self.units(text)
        found = set().union(*map(self._units.__getitem__, units))
        if self._pairs and len(units) > 1:
            found.update(map(self.vocabulary.get, map(" ".join, zip(units, units[1:]))))
            found.discard(None)  # type: ignore[arg-type]
        return found

    def warm(self, units: Sequence[str]) -> None:
        """Cache the ids of ``units`` ahead of requests (up to half the cache), when features come by unit."""
        if not self.by_units:
            return
        cache = self._units
        for unit in units[: max(0, UNIT_CACHE_LIMIT // 2 - len(cache))]:
            cache[unit]

    def word_ids(self, word: str) -> list[int]:
        """Local ids of one whitespace-free word's known features (cached; a char_wb block only)."""
        return self._units[word]

    def _distinct_char_ids(self, word: str) -> list[int]:
        # In first-seen order, as _char_ids lists them: one C-level pass, no Python test per n-gram.
        found = dict.fromkeys(map(self.vocabulary.get, char_wb_ngrams(word, *self.spec.ngram_range)))
        found.pop(None, None)  # type: ignore[call-overload]
        return list(found)  # type: ignore[arg-type]

    def _char_ids(self, word: str) -> list[int]:
        vocab_get = self.vocabulary.get
        low, high = self.spec.ngram_range
        return [i for g in char_wb_ngrams(word, low, high) if (i := vocab_get(g)) is not None]

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """TF-IDF rows of many texts in this block's local feature space, normalised and weighted."""
        from scipy.sparse import csr_matrix

        joined = self.joined.transform(texts)
        if joined is not None:
            return joined
        indptr = [0]
        indices: list[int] = []
        for text in texts:
            indices += self.feature_ids(text)
            indptr.append(len(indices))
        counts = csr_matrix(
            (np.ones(len(indices)), np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
            shape=(len(texts), len(self)),
        )
        counts.sum_duplicates()  # repeated features become counts, indices sorted
        return self.weigh(counts)

    def weigh(self, counts: csr_matrix) -> csr_matrix:
        """Counts to TF-IDF: tf (binary, sublinear or raw) times IDF, rows l2-normalised, times the weight."""
        matrix = counts.astype(np.float64, copy=True).tocsr()
        if self.spec.word_sum:  # tf: distinct words per feature, scaled by weight / sqrt(sum tf * idf^2)
            if not len(matrix.data):
                return matrix
            lengths = np.diff(matrix.indptr)
            idf = self._idf[matrix.indices]
            totals = row_totals(matrix.indptr, matrix.data * idf**2)
            scale = np.divide(self.spec.weight, np.sqrt(totals), out=np.zeros_like(totals), where=totals > 0)
            matrix.data *= idf * np.repeat(scale, lengths)
            return matrix
        if self.spec.binary:
            matrix.data[:] = 1.0
        elif self.spec.sublinear_tf:
            matrix.data = 1.0 + np.log(matrix.data)
        matrix.data *= self._idf[matrix.indices]
        matrix = l2_rows(matrix)
        matrix.data *= self.spec.weight
        return matrix

    def weighted(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Global ids and TF-IDF values of ``text``, l2-normalised and scaled by the block weight."""
        if self.spec.binary:  # tf is 1 whatever the count: the distinct ids are all that matter
            unique = self.distinct_ids(text)
            if not unique:
                return _NO_IDS, _NO_VALUES
            ids = np.fromiter(unique, dtype=np.int64, count=len(unique))
            if not self.spec.use_idf:  # every value is the same: weight / sqrt(n)
                values = np.full(len(ids), self.spec.weight / math.sqrt(len(ids)))
            else:
                values = self._idf[ids]
                values *= self.spec.weight / math.sqrt(values @ values)
            if self.offset:
                ids += self.offset
            return ids, values
        found = self.feature_ids(text)
        if not found:
            return _NO_IDS, _NO_VALUES
        if self.spec.word_sum:
            distinct, in_words = np.unique(np.array(found, dtype=np.int64), return_counts=True)
            scaled = in_words * self._idf[distinct]
            scaled *= self.spec.weight / math.sqrt(scaled @ self._idf[distinct])  # sum of tf * idf^2
            return distinct + self.offset, scaled
        if len(set(found)) == len(found):  # the common case: every feature once, so tf = 1
            ids = np.array(found, dtype=np.int64)
            values = self._idf[ids]
        else:
            counts: dict[int, int] = {}
            for i in found:
                counts[i] = counts.get(i, 0) + 1
            ids = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if self.spec.sublinear_tf:
                tf = 1.0 + np.log(tf)
            values = tf * self._idf[ids]
        values *= self.spec.weight / math.sqrt(values @ values)
        if self.offset:
            ids += self.offset
        return ids, values


#: Coverage (``AnalyzerSpec.max_coverage``) marks features generic only in spaces fitted on at
#: least this many documents: with fewer, a share says little (1 of 2 agents is already 50%).
COVERAGE_MIN_DOCUMENTS = 10


def generic_features(spec: AnalyzerSpec, terms: Sequence[str], documents: csr_matrix) -> np.ndarray:
    """Local ids of the features that count as generic evidence (sorted).

    A feature is generic when it comes only from ``spec.generic_words`` (a word of the
    list, its folded form or prefix, an n-gram of listed words), or when it occurs in more
    than ``spec.max_coverage`` of the documents (``documents``: documents × terms counts).
    """
    generic_words = spec.generic_words
    flags = np.zeros(len(terms), dtype=bool)
    if generic_words:
        # Only what the generic words themselves yield (their singular and its prefix): a
        # prefix "~readm" shared with "readme" is not generic, since no listed word made it.
        singular = {spec.form(w) for w in generic_words} if spec.word_forms else set()
        bases = generic_words | singular
        listed = bases | {d for w in bases for d in spec.derived(w)}
        flags = np.fromiter((all(w in listed for w in t.split(" ")) for t in terms), dtype=bool, count=len(terms))
    n_documents = documents.shape[0]
    if spec.max_coverage < 1 and n_documents >= COVERAGE_MIN_DOCUMENTS and len(terms):
        present = documents.tocsr()
        present.eliminate_zeros()
        df = np.bincount(present.indices, minlength=len(terms))
        flags |= df > spec.max_coverage * n_documents
    return np.flatnonzero(flags)


def l2_rows(matrix: csr_matrix) -> csr_matrix:
    """Scale each row to unit length (empty rows stay empty)."""
    matrix = matrix.tocsr()
    lengths = np.diff(matrix.indptr)
    norms = np.sqrt(row_totals(matrix.indptr, matrix.data**2))
    scale = np.repeat(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0), lengths)
    matrix.data = matrix.data * scale
    return matrix
