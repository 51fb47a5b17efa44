"""The CSR bookkeeping several modules share: which row each stored entry is in, row totals, row
pointers from row numbers, and a split by columns. numpy alone (scipy only inside
:func:`split_columns`), so the router loader need not import scipy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix


def entry_rows(indptr: np.ndarray) -> np.ndarray:
    """The row of each stored entry of a CSR matrix whose row pointers are ``indptr``."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


def row_totals(indptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The sum of ``values`` (one per stored entry) in each row (0.0 for an empty row)."""
    return np.bincount(entry_rows(indptr), weights=values, minlength=len(indptr) - 1)


def indptr_of(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Row pointers (int64) of entries whose rows are ``rows``, stored grouped by row as CSR keeps them."""
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return indptr


def split_columns(matrix: csr_matrix, at: int) -> tuple[csr_matrix, csr_matrix]:
    """``matrix`` with only its columns before ``at``, and with only the others (both full width)."""
    from scipy.sparse import csr_matrix

    rows = entry_rows(matrix.indptr)
    left = matrix.indices < at
    parts = []
    for keep in (left, ~left):
        indptr = indptr_of(rows[keep], matrix.shape[0])
        parts.append(csr_matrix((matrix.data[keep], matrix.indices[keep], indptr), shape=matrix.shape))
    return parts[0], parts[1]
