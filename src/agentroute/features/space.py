"""The fitted feature space: vocabularies and IDF weights, and the fast query vectorizer.

Fitting counts features in one pass (:mod:`agentroute.features.counting`, equal
to ``CountVectorizer``) and takes IDF from scikit-learn's ``TfidfTransformer``
(imported only then). Serving re-uses the fitted vocabularies and IDF with the pure-Python analyzers
of :mod:`agentroute.features.analyzers`, so a request is vectorised in a few
microseconds and exactly as ``TfidfVectorizer.transform`` would vectorise it
(``tests/test_features.py`` holds the proof).
"""

from __future__ import annotations

import math
import re
import threading
from itertools import chain, groupby
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from agentroute.features.analyzers import (
    Analyzer,
    AnalyzerSpec,
    char_wb_ngrams,
    derived_features,
    strip_accents,
    word_ngrams,
)
from agentroute.features.word_forms import fold
from agentroute.features.word_tables import (
    BREAK,
    RUN_PATTERNS,
    BatchUnits,
    UnitCache,
    ascii_runs,
)

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
        compute = self._char_ids if spec.kind == "char_wb" else self._token_ids
        self._units = UnitCache(compute)
        pattern = spec.token_pattern.removeprefix("(?u)")  # str patterns are Unicode-aware anyway
        self._tokens_and_breaks = re.compile(f"(?:{pattern})|{BREAK}").findall
        self._run_min_len = RUN_PATTERNS.get(spec.token_pattern)
        self._batch_units: BatchUnits | None = None
        # The batch table numbers words as it meets them: one batch at a time may do so.
        self._batch_lock = threading.Lock()

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
            token = fold(token)
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
            # char_wb features never cross a space, so each word's ids can be cached.
            return list(chain.from_iterable(map(self._units.__getitem__, units)))
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

    def _char_ids(self, word: str) -> list[int]:
        vocab_get = self.vocabulary.get
        low, high = self.spec.ngram_range
        return [i for g in char_wb_ngrams(word, low, high) if (i := vocab_get(g)) is not None]

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """TF-IDF rows of many texts in this block's local feature space, normalised and weighted."""
        from scipy.sparse import csr_matrix

        joined = self._transform_joined(texts)
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

    def _transform_joined(self, texts: Sequence[str]) -> csr_matrix | None:
        """The batch fast path for word unigrams (+ prefixes): one lower(), one tokenizing pass and
        one table lookup over all texts joined by a break character, instead of a loop per text.

        Returns None (use the per-text path) for other shapes, or texts that contain
        the break character themselves. Lower-casing and accent stripping (NFKD) give
        the same result on the joined text as text by text: the break is neither a
        cased letter nor a combining mark, so no rule looks across it.
        """
        from scipy.sparse import csr_matrix

        if self.spec.kind != "word" or self.spec.ngram_range != (1, 1) or len(texts) < 2:
            return None
        joined = BREAK.join(texts)
        if joined.count(BREAK) != len(texts) - 1:
            return None
        tokens = self._batch_tokens(joined.lower())
        with self._batch_lock:
            units_of = self._batch_units
            if units_of is None:
                units_of = self._batch_units = BatchUnits(self._token_ids, self.spec.stop_words, self._run_min_len or 1)
            units_of.reset_if_full()
            units = np.fromiter(map(units_of.__getitem__, tokens), dtype=np.int64, count=len(tokens))
            columns = np.concatenate([column[units] for column in units_of.columns])
        rows = np.tile(np.cumsum(units == 0), len(units_of.columns))
        known = columns >= 0
        counts = csr_matrix((np.ones(int(known.sum())), (rows[known], columns[known])), shape=(len(texts), len(self)))
        counts.sum_duplicates()
        return self.weigh(counts)

    def _batch_tokens(self, lowered: str) -> list[str]:
        """Tokens of lower-cased joined texts, breaks included; accents stripped text by text."""
        if lowered.isascii():  # the common case: no accents to strip, and C-level splitting
            return ascii_runs(lowered) if self._run_min_len else self._tokens_and_breaks(lowered)
        segments = lowered.split(BREAK)
        if self.spec.strip_accents:
            segments = list(map(strip_accents, segments))  # returns ASCII segments as they are
        if not self._run_min_len:
            return self._tokens_and_breaks(BREAK.join(segments))
        # Runs of ASCII texts take the fast split, the others the regex (Unicode word characters).
        tokens: list[str] = []
        for number, (ascii_only, group) in enumerate(groupby(segments, key=str.isascii)):
            if number:
                tokens.append(BREAK)  # between groups, even when a group had no tokens
            part = BREAK.join(group)
            tokens += ascii_runs(part) if ascii_only else self._tokens_and_breaks(part)
        return tokens

    def weigh(self, counts: csr_matrix) -> csr_matrix:
        """Counts to TF-IDF: tf (binary, sublinear or raw) times IDF, rows l2-normalised, times the weight."""
        matrix = counts.astype(np.float64, copy=True).tocsr()
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
        found = self.feature_ids(text)
        if not found:
            return _NO_IDS, _NO_VALUES
        if self.spec.binary:  # tf is 1 whatever the count: the distinct ids are all that matter
            unique = set(found)
            ids = np.fromiter(unique, dtype=np.int64, count=len(unique))
            values = self._idf[ids]
        elif len(set(found)) == len(found):  # the common case: every feature once, so tf = 1
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
        singular = {fold(w) for w in generic_words} if spec.word_forms else set()
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
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=matrix.data**2, minlength=matrix.shape[0]))
    scale = np.repeat(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0), lengths)
    matrix.data = matrix.data * scale
    return matrix


class FeatureSpace:
    """Concatenated feature blocks; turns text into one sparse vector."""

    def __init__(self, blocks: Sequence[FeatureBlock], *, normalize: bool = True,
                 groups: Sequence[tuple[int, bool]] | None = None) -> None:
        self.blocks = tuple(blocks)
        self.normalize = normalize
        # Runs of blocks (count, normalise the run's concatenation?): one run unless made by concat().
        self.groups = tuple((int(n), bool(f)) for n, f in groups) if groups is not None else ((len(self.blocks), normalize),)
        if sum(n for n, _ in self.groups) != len(self.blocks):
            raise ValueError(f"groups {self.groups} do not cover the {len(self.blocks)} blocks")
        self.n_features = sum(len(b) for b in self.blocks)
        generic = [b.generic + b.offset for b in self.blocks if len(b.generic)]
        #: True for each feature that counts as evidence on its own (None: all of them do).
        self.informative: np.ndarray | None = None
        if generic:
            self.informative = np.ones(self.n_features, dtype=bool)
            self.informative[np.concatenate(generic)] = False

    def count_informative(self, ids: np.ndarray) -> int:
        """How many of the feature ``ids`` (one text's known features) are informative."""
        if self.informative is None:
            return len(ids)
        return int(np.count_nonzero(self.informative[ids]))

    def count_informative_rows(self, matrix: csr_matrix) -> np.ndarray:
        """Informative known features per row of ``matrix`` (texts × features, as :meth:`transform` gives)."""
        if self.informative is None:
            return np.diff(matrix.indptr)
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        return np.bincount(rows, weights=self.informative[matrix.indices], minlength=matrix.shape[0]).astype(np.int64)

    @classmethod
    def concat(cls, spaces: Sequence[FeatureSpace]) -> FeatureSpace:
        """``spaces`` side by side, each normalised as on its own: ``vectorize`` is the concatenation
        of each space's vector (how a blended index puts profile and learned features in one ``W``)."""
        blocks: list[FeatureBlock] = []
        groups: list[tuple[int, bool]] = []
        offset = 0
        for space in spaces:
            for block in space.blocks:
                blocks.append(FeatureBlock(block.spec, block.vocabulary, block.idf, offset, block.generic))
                offset += len(block)
            groups += space.groups
        return cls(blocks, normalize=False, groups=groups)

    @classmethod
    def fit(cls, specs: Sequence[AnalyzerSpec], documents: Sequence[str], *, normalize: bool = True) -> FeatureSpace:
        """Learn each block's vocabulary and IDF from ``documents`` (one per document)."""
        return cls.fit_transform(specs, documents, normalize=normalize)[0]

    @classmethod
    def fit_transform(
        cls,
        specs: Sequence[AnalyzerSpec],
        texts: Sequence[str],
        *,
        owners: Sequence[int] | None = None,
        normalize: bool = True,
    ) -> tuple[FeatureSpace, csr_matrix]:
        """Fit on ``texts`` and return the space with the texts' vectors, in one analysis pass.

        With ``owners`` (one document number per text), the texts are parts of
        documents: document frequency and ``min_df`` count documents, so IDF
        is what ``TfidfVectorizer`` would learn from the concatenated parts
        (exactly, for features that do not span two parts). IDF comes from
        scikit-learn's ``TfidfTransformer``.
        """
        from scipy.sparse import csr_matrix, hstack
        from sklearn.feature_extraction.text import TfidfTransformer

        from agentroute.features.counting import count_features, prune_rare

        membership = None
        if owners is not None:
            owner_ids = np.asarray(owners, dtype=np.int64)
            n_owners = int(owner_ids.max()) + 1 if len(owner_ids) else 0
            membership = csr_matrix((np.ones(len(owner_ids)), (owner_ids, np.arange(len(owner_ids)))),
                                    shape=(n_owners, len(owner_ids)))
        blocks, parts, offset = [], [], 0
        for spec in specs:
            terms, counts = count_features(spec, texts)
            documents = (membership @ counts).tocsr() if membership is not None else counts
            terms, counts, documents = prune_rare(terms, counts, documents, spec.min_df)
            if terms and spec.use_idf:
                idf = TfidfTransformer(smooth_idf=True).fit(documents).idf_
            else:
                idf = np.ones(len(terms))
            generic = generic_features(spec, terms, documents)
            block = FeatureBlock(spec, {term: i for i, term in enumerate(terms)}, idf, offset, generic)
            blocks.append(block)
            parts.append(block.weigh(counts))
            offset += len(terms)
        space = cls(blocks, normalize=normalize)
        if not parts:
            return space, csr_matrix((len(texts), 0))
        matrix = parts[0] if len(parts) == 1 else hstack(parts, format="csr")
        if normalize and len(parts) > 1:
            matrix = l2_rows(matrix)
        return space, matrix

    def vectorize(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids (int64, in no particular order) and values (float64) of one text."""
        if len(self.blocks) == 1:
            return self.blocks[0].weighted(text)
        parts = [block.weighted(text) for block in self.blocks]
        ids = np.concatenate([p[0] for p in parts])
        values = np.concatenate([p[1] for p in parts])
        if len(self.groups) == 1:
            if self.normalize and len(values):
                values /= math.sqrt(values @ values)
            return ids, values
        start = 0
        for count, normalize in self.groups:
            stop = start + sum(len(p[1]) for p in parts[:count])
            if normalize and count > 1 and stop > start:
                values[start:stop] /= math.sqrt(values[start:stop] @ values[start:stop])
            start, parts = stop, parts[count:]
        return ids, values

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Vectorise many texts into a CSR matrix (rows = texts), the same numbers as :meth:`vectorize`.

        Only the feature lookup runs per text in Python; counting, tf, IDF and
        normalisation are vectorised, as in ``TfidfVectorizer.transform``.
        """
        from scipy.sparse import csr_matrix, hstack

        if not self.blocks:
            return csr_matrix((len(texts), 0))
        parts = [block.transform(texts) for block in self.blocks]
        grouped = []
        for count, normalize in self.groups:
            group, parts = parts[:count], parts[count:]
            matrix = group[0] if len(group) == 1 else hstack(group, format="csr")
            grouped.append(l2_rows(matrix) if normalize and count > 1 else matrix)
        return grouped[0] if len(grouped) == 1 else hstack(grouped, format="csr")

    # -- persistence -----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "normalize": self.normalize,
            "groups": [list(group) for group in self.groups],
            "blocks": [
                {"spec": b.spec.to_json(), "terms": sorted(b.vocabulary, key=b.vocabulary.__getitem__),
                 "generic": b.generic.tolist()}
                for b in self.blocks
            ],
        }

    def idf_array(self) -> np.ndarray:
        return np.concatenate([b.idf for b in self.blocks]) if self.blocks else np.zeros(0)

    @classmethod
    def from_json(cls, data: dict[str, Any], idf: np.ndarray) -> FeatureSpace:
        blocks = []
        offset = 0
        for entry in data["blocks"]:
            terms = entry["terms"]
            vocabulary = {term: i for i, term in enumerate(terms)}
            if len(vocabulary) != len(terms):
                raise ValueError("duplicate terms in a saved vocabulary")
            generic = np.asarray(entry.get("generic", []), dtype=np.int64)
            if len(generic) and (generic.min() < 0 or generic.max() >= len(terms)):
                raise ValueError("generic feature ids outside the vocabulary")
            blocks.append(FeatureBlock(AnalyzerSpec.from_json(entry["spec"]), vocabulary, idf[offset : offset + len(terms)],
                                       offset, generic))
            offset += len(terms)
        if offset != len(idf):
            raise ValueError(f"vocabulary size {offset} does not match {len(idf)} IDF weights")
        return cls(blocks, normalize=bool(data["normalize"]), groups=data.get("groups"))
