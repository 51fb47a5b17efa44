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
from itertools import chain
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from agentroute.features.analyzers import AnalyzerSpec
from agentroute.features.block import FeatureBlock, generic_features, l2_rows
from agentroute.features.csr import row_totals

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["FeatureBlock", "FeatureSpace", "generic_features", "l2_rows"]


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
        # Per block: (block, weight if every feature weighs the same (binary, no IDF) else 0, offset):
        # read once here, not per request.
        self._plan = tuple((b, b.spec.weight if b.spec.binary and not b.spec.use_idf else 0.0, b.offset)
                           for b in self.blocks)

    def count_informative(self, ids: np.ndarray) -> int:
        """How many of the feature ``ids`` (one text's known features) are informative."""
        if self.informative is None:
            return len(ids)
        return int(np.count_nonzero(self.informative[ids]))

    def count_informative_rows(self, matrix: csr_matrix) -> np.ndarray:
        """Informative known features per row of ``matrix`` (texts × features, as :meth:`transform` gives)."""
        if self.informative is None:
            return np.diff(matrix.indptr)
        return row_totals(matrix.indptr, self.informative[matrix.indices]).astype(np.int64)

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
            # A word-sum block's tf counts distinct words, not occurrences: vectorise as served.
            parts.append(block.transform(texts) if spec.word_sum else block.weigh(counts))
            offset += len(terms)
        space = cls(blocks, normalize=normalize)
        if not parts:
            return space, csr_matrix((len(texts), 0))
        matrix = parts[0] if len(parts) == 1 else hstack(parts, format="csr")
        if normalize and len(parts) > 1:
            matrix = l2_rows(matrix)
        return space, matrix

    def vectorize(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids (int64, grouped by block) and values (float64) of one text."""
        if len(self.blocks) == 1:
            return self.blocks[0].weighted(text)
        ids, values, _ = self.vectorize_groups(text)
        return ids, values

    def vectorize_groups(self, text: str) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """:meth:`vectorize`, and where each group of blocks ends in the ids (one entry per group).

        A binary block without IDF gives every feature the same value, so its distinct ids go
        straight into one array with the other blocks' ids: one allocation per request, not
        one per block and one more per concatenation.
        """
        id_parts: list[Any] = []
        value_parts: list[Any] = []
        counts: list[int] = []
        for block, weight, _ in self._plan:
            if weight:
                found = block.distinct_ids(text)  # local ids
                n = len(found)
                id_parts.append(found)
                value_parts.append(weight / math.sqrt(n) if n else 0.0)
            else:
                ids, values = block.weighted(text)  # global ids
                n = len(ids)
                id_parts.append(ids.tolist())
                value_parts.append(values)
            counts.append(n)
        total = sum(counts)
        ids = np.fromiter(chain.from_iterable(id_parts), dtype=np.int64, count=total)
        values = np.empty(total)
        start = 0
        for (_, weight, offset), count, part in zip(self._plan, counts, value_parts):
            if count:
                stop = start + count
                values[start:stop] = part
                if weight and offset:  # only these blocks gave local ids
                    ids[start:stop] += offset
                start = stop
        ends: list[int] = []
        start = 0
        for size, normalize in self.groups:
            stop = start + sum(counts[:size])
            if normalize and size > 1 and stop > start:
                values[start:stop] /= math.sqrt(values[start:stop] @ values[start:stop])
            ends.append(stop)
            start, counts = stop, counts[size:]
        return ids, values, ends

    def transform(self, texts: Sequence[str], *, word_sums: bool = True) -> csr_matrix:
        """Vectorise many texts into a CSR matrix (rows = texts), the same numbers as :meth:`vectorize`.

        Only the feature lookup runs per text in Python; counting, tf, IDF and
        normalisation are vectorised, as in ``TfidfVectorizer.transform``.
        ``word_sums=False`` leaves the word-sum blocks' columns empty (a batch scores them per word:
        :meth:`agentroute.routing.word_sums.WordSums.score_many`).
        """
        from scipy.sparse import csr_matrix

        if not self.blocks:
            return csr_matrix((len(texts), 0))
        parts = [block.transform(texts) if word_sums or not block.spec.word_sum else None for block in self.blocks]
        widths = [len(block) for block in self.blocks]
        grouped, group_widths = [], []
        for count, normalize in self.groups:
            matrix = _side_by_side(parts[:count], widths[:count], len(texts))
            grouped.append(l2_rows(matrix) if normalize and count > 1 else matrix)
            group_widths.append(sum(widths[:count]))
            parts, widths = parts[count:], widths[count:]
        return _side_by_side(grouped, group_widths, len(texts))

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


def _side_by_side(parts: Sequence[csr_matrix | None], widths: Sequence[int], rows: int) -> csr_matrix:
    """Matrices of ``rows`` rows side by side (None: no entries), as ``hstack(format="csr")``; when at
    most one holds entries (a batch without its word-sum block), its arrays with shifted columns."""
    from scipy.sparse import csr_matrix, hstack

    filled = [(sum(widths[:i]), part) for i, part in enumerate(parts) if part is not None and part.nnz]
    if len(filled) > 1:
        return hstack([csr_matrix((rows, w)) if p is None else p for p, w in zip(parts, widths)], format="csr")
    if not filled:
        return csr_matrix((rows, sum(widths)))
    offset, only = filled[0]
    if len(parts) == 1:
        return only
    return csr_matrix((only.data, only.indices + offset, only.indptr), shape=(rows, sum(widths)))
