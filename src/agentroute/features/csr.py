"""The CSR bookkeeping several modules share: which row each stored entry is in, row totals, and
row pointers from row numbers. numpy alone, so the router loader need not import scipy."""

from __future__ import annotations

import numpy as np


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
