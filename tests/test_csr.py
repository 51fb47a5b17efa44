"""The shared CSR bookkeeping equals what scipy.sparse computes for the same matrix."""

import numpy as np
from scipy.sparse import csr_matrix, random as sparse_random

from agentroute.features.csr import entry_rows, indptr_of, row_totals, split_columns


def _matrix() -> csr_matrix:
    dense = sparse_random(9, 7, density=0.3, random_state=np.random.default_rng(3)).toarray()
    dense[[4, 8]] = 0.0  # an empty row in the middle, and one at the end
    return csr_matrix(dense)


def test_entry_rows_are_the_coo_rows():
    matrix = _matrix()
    np.testing.assert_array_equal(entry_rows(matrix.indptr), matrix.tocoo().row)


def test_row_totals_are_the_row_sums_with_zero_for_empty_rows():
    matrix = _matrix()
    totals = row_totals(matrix.indptr, matrix.data)
    np.testing.assert_allclose(totals, np.asarray(matrix.sum(axis=1)).ravel())
    assert totals[4] == 0.0 and totals[8] == 0.0 and len(totals) == 9


def test_indptr_of_rebuilds_the_row_pointers():
    matrix = _matrix()
    indptr = indptr_of(matrix.tocoo().row, matrix.shape[0])
    assert indptr.dtype == np.int64
    np.testing.assert_array_equal(indptr, matrix.indptr)


def test_split_columns_keeps_each_entry_on_its_side_at_full_width():
    matrix = _matrix()
    left, right = split_columns(matrix, 3)
    assert left.shape == right.shape == matrix.shape
    dense = matrix.toarray()
    np.testing.assert_array_equal(left.toarray()[:, :3], dense[:, :3])
    np.testing.assert_array_equal(right.toarray()[:, 3:], dense[:, 3:])
    assert not left.toarray()[:, 3:].any() and not right.toarray()[:, :3].any()
