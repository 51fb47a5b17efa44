"""Score a query vector against every agent: ``scores = q · W + b``.

``W`` (features × agents) is kept in whichever layout is fastest for its size:

* dense rows (``DenseWeights``) while ``features × agents`` floats fit a memory
  budget: one gather of the query's rows and one small product, ~2 µs at 100
  agents;
* an inverted index (``SparseWeights``, CSR by feature) beyond it: the
  postings of the query's features are gathered and summed per agent by
  scipy's compiled CSR kernels once scipy is loaded (:func:`compiled_kernels`),
  else in a few numpy passes ending in ``np.bincount``, with the same scores;
  memory stays proportional to the non-zeros (10,000 agents fit in a few MB).

Both return the same numbers; ``tests/test_features.py``
(``test_scores_equal_linear_kernel``) checks both against
``sklearn.metrics.pairwise.linear_kernel``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable, Literal, NamedTuple, Protocol

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix, spmatrix

#: Largest dense W (bytes) before the inverted index takes over.
DENSE_BUDGET_BYTES = 48 * 1024 * 1024
#: Largest dense slice of W (bytes) a batch builds from an inverted index (see SparseWeights.score_many).
BATCH_DENSE_BYTES = 32 * 1024 * 1024
#: A batch multiplies by the sparse W when its postings number less than 1/this of its
#: (non-zeros × agents) cells (see SparseWeights.score_many).
SPARSE_PRODUCT_RATIO = 16
#: Without the compiled kernels: mean postings per query feature above which a single request copies
#: whole postings slices rather than indexing each posting (the first pays per feature in Python, the
#: second per posting in numpy).
LONG_POSTINGS = 256


#: scipy's compiled sparse kernels (row gather, CSC product), once found; False: looked for, missing.
_KERNELS: tuple[Callable[..., Any], Callable[..., Any]] | Literal[False] | None = None


def compiled_kernels() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """``csr_row_index`` and ``csc_matvec`` of ``scipy.sparse._sparsetools`` (what ``csr_matrix[rows]``
    and a CSC matrix-vector product run) when scipy.sparse is already imported; else None.

    With them a pick copies its features' postings in one C call and sums them per agent in another,
    instead of ~10 numpy passes: at 1,000-10,000 agents about half the time (docs/benchmarks.md).
    Never imported just for this: importing scipy.sparse costs ~150 ms, most of a one-shot process's
    start (the hook); :meth:`SparseWeights.warm` imports it for long-running processes. Missing (they
    are private names of scipy, which may change): the numpy path, with the same scores bit for bit
    (tests/test_features.py).
    """
    global _KERNELS
    if _KERNELS is None:
        if "scipy.sparse" not in sys.modules:
            return None
        try:
            from scipy.sparse._sparsetools import csc_matvec, csr_row_index

            found = (csr_row_index, csc_matvec)
            _KERNELS = found if _kernels_work(*found) else False
        except Exception:  # private names: any change of name or signature means the numpy path
            _KERNELS = False
    return _KERNELS if _KERNELS is not False else None


def _kernels_work(gather: Callable[..., Any], product: Callable[..., Any]) -> bool:
    """Whether the kernels still do what :meth:`SparseWeights._gather` and ``_sum`` expect, on a 2 × 2 example."""
    indptr, indices = np.array([0, 2, 3], dtype=np.int32), np.array([0, 1, 1], dtype=np.int32)
    agents, weights = np.empty(3, dtype=np.int32), np.empty(3, dtype=np.float32)
    gather(2, np.array([1, 0], dtype=np.int32), indptr, indices, np.array([1, 2, 3], dtype=np.float32), agents, weights)
    scores = np.zeros(2)
    product(2, 2, np.array([0, 1, 3], dtype=np.int32), agents, weights.astype(np.float64), np.array([10.0, 1.0]), scores)
    return agents.tolist() == [1, 0, 1] and scores.tolist() == [1.0, 32.0]


class Gathered(NamedTuple):
    """A request's postings, copied by the compiled gather (:meth:`SparseWeights._gather`)."""

    bounds: np.ndarray  # where each feature's postings start (int32, one entry more than the features)
    agents: np.ndarray  # the agent of each posting (int32)
    weights: np.ndarray  # its weight (float64)
    product: Callable[..., Any]  # the compiled CSC product that sums them


class Weights(Protocol):
    n_agents: int

    def score(self, ids: np.ndarray, values: np.ndarray) -> np.ndarray: ...

    def score_parts(self, ids: np.ndarray, values: np.ndarray, split: int) -> tuple[np.ndarray, np.ndarray]: ...

    def score_many(self, queries: csr_matrix) -> np.ndarray: ...

    def to_csr(self) -> csr_matrix: ...


class DenseWeights:
    """W stored as a dense float32 array, one row per feature."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = np.ascontiguousarray(rows, dtype=np.float32)
        self.n_agents = self.rows.shape[1]

    def score(self, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        # float32 throughout: no up-cast copy of the gathered rows (~1 µs of a ~3 µs product).
        return values.astype(np.float32) @ self.rows.take(ids, axis=0)

    def score_parts(self, ids: np.ndarray, values: np.ndarray, split: int) -> tuple[np.ndarray, np.ndarray]:
        """``score`` of ``ids[:split]`` and of ``ids[split:]``, from one gather of W's rows."""
        rows = self.rows.take(ids, axis=0)
        weights = values.astype(np.float32)
        return weights[:split] @ rows[:split], weights[split:] @ rows[split:]

    def score_many(self, queries: csr_matrix) -> np.ndarray:
        # float32 queries, as in score(): float64 ones would make scipy copy all of W to float64.
        # The result is float64, so thresholds compare exactly as with single scores.
        return np.asarray(queries.astype(np.float32) @ self.rows, dtype=np.float64)

    def to_csr(self) -> csr_matrix:
        from scipy.sparse import csr_matrix

        return csr_matrix(self.rows)


class SparseWeights:
    """W stored as CSR by feature: ``indices``/``data`` of feature f live in ``indptr[f]:indptr[f+1]``."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, n_agents: int) -> None:
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int32)
        self.data = np.ascontiguousarray(data, dtype=np.float32)
        self.n_agents = int(n_agents)

    def warm(self) -> None:
        """Import scipy.sparse, so single requests take its compiled kernels (:func:`compiled_kernels`)."""
        import scipy.sparse  # noqa: F401

    def score(self, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        gathered = self._gather(ids)
        if gathered is not None:
            return self._sum(gathered, values, 0, len(ids))
        agents, weights, _ = self._postings(ids, values)
        if not len(agents):
            return np.zeros(self.n_agents)
        return np.bincount(agents, weights=weights, minlength=self.n_agents)

    def score_parts(self, ids: np.ndarray, values: np.ndarray, split: int) -> tuple[np.ndarray, np.ndarray]:
        """``score`` of ``ids[:split]`` and of ``ids[split:]`` from one gather of their postings (without
        the compiled kernels, the second part's postings count into agents ``n_agents ..`` of one ``bincount``)."""
        gathered = self._gather(ids)
        if gathered is not None:
            return self._sum(gathered, values, 0, split), self._sum(gathered, values, split, len(ids))
        agents, weights, ends = self._postings(ids, values)
        if not len(agents):
            return np.zeros(self.n_agents), np.zeros(self.n_agents)
        agents[int(ends[split - 1]) if split else 0 :] += self.n_agents
        both = np.bincount(agents, weights=weights, minlength=2 * self.n_agents)
        return both[: self.n_agents], both[self.n_agents :]

    def _gather(self, ids: np.ndarray) -> Gathered | None:
        """The query features' postings copied by scipy's compiled gather (None without the kernels)."""
        kernels = compiled_kernels()
        pointers = self._int32_pointers() if kernels is not None else None
        if kernels is None or pointers is None:
            return None
        indptr, lengths = pointers
        rows = ids.astype(np.int32)
        bounds = np.zeros(len(rows) + 1, dtype=np.int32)
        np.cumsum(lengths[rows], out=bounds[1:])  # bounds-checked here, before the C call reads the slices
        agents, weights = np.empty(int(bounds[-1]), dtype=np.int32), np.empty(int(bounds[-1]), dtype=np.float32)
        gather, product = kernels
        gather(len(rows), rows, indptr, self.indices, self.data, agents, weights)
        return Gathered(bounds, agents, weights.astype(np.float64), product)

    def _int32_pointers(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``indptr`` and each feature's postings count as int32, made on first use (None: too many postings).

        The compiled kernels take one integer type for every index array, int32 as the indices; the
        counts make one gather per request, not three. Not made at construction, so a one-shot load,
        which scores with numpy, pays nothing for them."""
        cached = self.__dict__.get("_pointers32", False)
        if cached is False:  # two threads may both make them: the same arrays, harmless
            fits = bool(len(self.indptr)) and int(self.indptr[-1]) < 2**31 and len(self.indptr) < 2**31
            cached = (self.indptr.astype(np.int32), np.diff(self.indptr).astype(np.int32)) if fits else None
            self.__dict__["_pointers32"] = cached
        return cached

    def _sum(self, gathered: Gathered, values: np.ndarray, first: int, last: int) -> np.ndarray:
        """Scores of features ``first:last`` of a :meth:`_gather`, by scipy's compiled CSC product. It sums
        in float64 in postings order, as ``bincount`` does: the same scores bit for bit."""
        bounds, agents, weights, product = gathered
        scores = np.zeros(self.n_agents)
        product(self.n_agents, last - first, bounds[first:], agents, weights, np.asarray(values[first:last], dtype=np.float64),
                scores)
        return scores

    def _postings(self, ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The query features' postings in numpy alone: agent of each (a new int32 array), its weight
        times the feature's value, and where each feature's postings end (empty arrays when there are none)."""
        starts = self.indptr[ids]
        lengths = self.indptr[ids + 1] - starts
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if len(ends) else 0
        if total > LONG_POSTINGS * len(ids):
            # Long postings (common words at thousands of agents): copy each feature's slice whole,
            # one C-level copy per feature, instead of indexing every posting; same arrays.
            cuts = [slice(a, b) for a, b in zip(starts.tolist(), (starts + lengths).tolist())]
            agents = np.concatenate([self.indices[cut] for cut in cuts])
            return agents, np.concatenate([self.data[cut] for cut in cuts]) * np.repeat(values, lengths), ends
        # Position of every posting of every query feature, without a Python loop:
        # arange(total) shifted, per feature, from its place in the output to its start.
        positions = np.arange(total) + np.repeat(starts - (ends - lengths), lengths)
        return self.indices[positions], self.data[positions] * np.repeat(values, lengths), ends

    def score_many(self, queries: csr_matrix) -> np.ndarray:
        from scipy.sparse import csr_matrix

        csr = self.__dict__.get("_csr")  # the CSR wrapper, built on the first batch
        if csr is None:
            csr = self._csr = self.to_csr()
        queries = queries.astype(np.float32)
        ids = queries.indices
        postings = int((self.indptr[ids + 1] - self.indptr[ids]).sum())
        # scipy's sparse product walks the query features' postings (~7 ns each); the dense slice
        # below costs ~0.3 ns per cell of (features + non-zeros) × agents. Where postings are short
        # (learned weights, many agents: 5% of the cells at 1,000 agents with examples) the sparse
        # product is 1.6-2x faster; where they are long (profiles), the slice is 2x faster.
        if SPARSE_PRODUCT_RATIO * postings < len(ids) * self.n_agents:
            return np.asarray((queries @ csr).toarray(), dtype=np.float64)
        columns, inverse = np.unique(ids, return_inverse=True)
        if len(columns) * self.n_agents * 4 > BATCH_DENSE_BYTES:
            return np.asarray((queries @ csr).toarray(), dtype=np.float64)
        # The rows of W that the batch uses, made dense: a sparse-times-dense product is ~4x
        # faster than scipy's sparse-times-sparse one, whose output is dense anyway.
        local = csr_matrix((queries.data, inverse.ravel(), queries.indptr), shape=(queries.shape[0], len(columns)))
        return np.asarray(local @ csr[columns].toarray(), dtype=np.float64)

    def to_csr(self) -> csr_matrix:
        from scipy.sparse import csr_matrix

        return csr_matrix((self.data, self.indices, self.indptr), shape=(len(self.indptr) - 1, self.n_agents))


def make_weights(matrix: spmatrix | np.ndarray, *, dense_budget_bytes: int = DENSE_BUDGET_BYTES) -> Weights:
    """Pick the layout for W (features × agents) by its dense size."""
    n_features, n_agents = matrix.shape
    if n_features * n_agents * 4 <= dense_budget_bytes:
        dense = matrix if isinstance(matrix, np.ndarray) else matrix.toarray()
        return DenseWeights(dense)
    from scipy.sparse import csr_matrix

    csr = csr_matrix(matrix, dtype=np.float32)
    csr.sort_indices()
    return SparseWeights(csr.indptr, csr.indices, csr.data, n_agents)
