"""The fitted feature space: vocabularies and IDF weights, and the fast query vectorizer.

Fitting goes through scikit-learn's ``TfidfVectorizer`` (imported only then).
Serving re-uses the fitted vocabularies and IDF with the pure-Python analyzers
of :mod:`agentroute.analyzers`, so a request is vectorised in a few
microseconds and exactly as ``TfidfVectorizer.transform`` would vectorise it
(``tests/test_features.py`` holds the proof).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from agentroute.analyzers import Analyzer, AnalyzerSpec, char_wb_ngrams, prefixes, word_ngrams

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

#: Words whose char_wb feature ids are cached; past this the cache starts afresh.
_WORD_CACHE_LIMIT = 100_000


class FeatureBlock:
    """One analyzer's vocabulary and IDF, placed at ``offset`` in the global feature space."""

    def __init__(self, spec: AnalyzerSpec, vocabulary: dict[str, int], idf: np.ndarray, offset: int):
        self.spec = spec
        self.vocabulary = vocabulary
        self.idf = [float(x) for x in idf]  # plain floats: faster than numpy for a few terms
        self.offset = offset
        self.analyzer = Analyzer(spec)
        self._word_cache: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.vocabulary)

    def feature_ids(self, text: str) -> list[int]:
        """Local ids of the known features of ``text``, one per occurrence."""
        vocab_get = self.vocabulary.get
        low, high = self.spec.ngram_range
        units = self.analyzer.words(text)
        if self.spec.kind == "word":
            if low == 1 and high <= 2:  # the default: unigrams and bigrams without the generic loop
                ids = [i for g in units if (i := vocab_get(g)) is not None]
                if high == 2:
                    ids += [i for a, b in zip(units, units[1:]) if (i := vocab_get(a + " " + b)) is not None]
            else:
                ids = [i for g in word_ngrams(units, low, high) if (i := vocab_get(g)) is not None]
            if self.spec.prefix_len:
                ids += [i for g in prefixes(units, self.spec.prefix_len) if (i := vocab_get(g)) is not None]
            return ids
        cache = self._word_cache
        ids = []
        for word in units:
            word_ids = cache.get(word)
            if word_ids is None:
                word_ids = [i for g in char_wb_ngrams(word, low, high) if (i := vocab_get(g)) is not None]
                if len(cache) >= _WORD_CACHE_LIMIT:
                    cache.clear()  # bounded memory; readers still see a consistent dict
                cache[word] = word_ids
            ids += word_ids
        return ids

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """TF-IDF rows of many texts in this block's local feature space, normalised and weighted."""
        from scipy.sparse import csr_matrix

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
        if self.spec.binary:
            counts.data[:] = 1.0
        elif self.spec.sublinear_tf:
            counts.data = 1.0 + np.log(counts.data)
        counts.data *= np.asarray(self.idf, dtype=np.float64)[counts.indices]
        matrix = _l2_rows(counts)
        matrix.data *= self.spec.weight
        return matrix

    def weighted(self, text: str) -> tuple[list[int], list[float]]:
        """Global ids and TF-IDF values of ``text``, l2-normalised and scaled by the block weight."""
        ids = self.feature_ids(text)
        if not ids:
            return [], []
        idf = self.idf
        if len(set(ids)) == len(ids):  # the common case: every term once, tf = 1
            values = [idf[i] for i in ids]
        elif self.spec.binary:
            ids = list(dict.fromkeys(ids))
            values = [idf[i] for i in ids]
        else:
            counts: dict[int, int] = {}
            for i in ids:
                counts[i] = counts.get(i, 0) + 1
            ids = list(counts)
            if self.spec.sublinear_tf:
                values = [(1.0 + math.log(c)) * idf[i] for i, c in counts.items()]
            else:
                values = [c * idf[i] for i, c in counts.items()]
        scale = self.spec.weight / math.sqrt(sum([v * v for v in values]))
        offset = self.offset
        if offset:
            ids = [i + offset for i in ids]
        return ids, [v * scale for v in values]


def _l2_rows(matrix: csr_matrix) -> csr_matrix:
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

    def __init__(self, blocks: Sequence[FeatureBlock], *, normalize: bool = True) -> None:
        self.blocks = tuple(blocks)
        self.normalize = normalize
        self.n_features = sum(len(b) for b in self.blocks)

    @classmethod
    def fit(cls, specs: Sequence[AnalyzerSpec], documents: Sequence[str], *, normalize: bool = True) -> FeatureSpace:
        """Learn each block's vocabulary and IDF from ``documents`` with scikit-learn."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        blocks = []
        offset = 0
        for spec in specs:
            vectorizer = TfidfVectorizer(**spec.sklearn_params())
            try:
                vectorizer.fit(documents)
                vocabulary = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
                idf = vectorizer.idf_ if spec.use_idf else np.ones(len(vocabulary))
            except ValueError:  # every document empty or only stop words: an empty block
                vocabulary, idf = {}, np.zeros(0)
            blocks.append(FeatureBlock(spec, vocabulary, idf, offset))
            offset += len(vocabulary)
        return cls(blocks, normalize=normalize)

    def vectorize(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids (int64, in no particular order) and values (float64) of one text."""
        ids: list[int] = []
        values: list[float] = []
        for block in self.blocks:
            block_ids, block_values = block.weighted(text)
            ids += block_ids
            values += block_values
        if self.normalize and len(self.blocks) > 1 and values:
            norm = math.sqrt(sum(v * v for v in values))
            values = [v / norm for v in values]
        return np.array(ids, dtype=np.int64), np.array(values, dtype=np.float64)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Vectorise many texts into a CSR matrix (rows = texts), the same numbers as :meth:`vectorize`.

        Only the feature lookup runs per text in Python; counting, tf, IDF and
        normalisation are vectorised, as in ``TfidfVectorizer.transform``.
        """
        from scipy.sparse import csr_matrix, hstack

        if not self.blocks:
            return csr_matrix((len(texts), 0))
        parts = [block.transform(texts) for block in self.blocks]
        matrix = parts[0] if len(parts) == 1 else hstack(parts, format="csr")
        if self.normalize and len(self.blocks) > 1:
            matrix = _l2_rows(matrix)
        return matrix

    # -- persistence -----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "normalize": self.normalize,
            "blocks": [
                {"spec": b.spec.to_json(), "terms": sorted(b.vocabulary, key=b.vocabulary.__getitem__)}
                for b in self.blocks
            ],
        }

    def idf_array(self) -> np.ndarray:
        return np.concatenate([np.asarray(b.idf, dtype=np.float64) for b in self.blocks]) if self.blocks else np.zeros(0)

    @classmethod
    def from_json(cls, data: dict[str, Any], idf: np.ndarray) -> FeatureSpace:
        blocks = []
        offset = 0
        for entry in data["blocks"]:
            terms = entry["terms"]
            vocabulary = {term: i for i, term in enumerate(terms)}
            if len(vocabulary) != len(terms):
                raise ValueError("duplicate terms in a saved vocabulary")
            blocks.append(FeatureBlock(AnalyzerSpec.from_json(entry["spec"]), vocabulary, idf[offset : offset + len(terms)], offset))
            offset += len(terms)
        if offset != len(idf):
            raise ValueError(f"vocabulary size {offset} does not match {len(idf)} IDF weights")
        return cls(blocks, normalize=bool(data["normalize"]))
