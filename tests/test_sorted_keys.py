"""The batch paths' distinct-key helpers equal ``np.unique`` (they exist only for speed)."""

import numpy as np
import pytest

from agentroute.features.sorted_keys import distinct_counts, distinct_sorted


@pytest.mark.parametrize("size,high", [(0, 5), (1, 5), (2, 1), (50, 3), (1000, 100), (26_000, 2**40)])
def test_equal_to_numpy_unique(size: int, high: int) -> None:
    keys = np.random.default_rng(size).integers(0, high, size=size, dtype=np.int64)
    expected, counts = np.unique(keys, return_counts=True)
    assert np.array_equal(distinct_sorted(keys), expected)
    got, got_counts = distinct_counts(keys)
    assert np.array_equal(got, expected) and np.array_equal(got_counts, counts)
    assert got.dtype == keys.dtype and got_counts.sum() == size


def test_inputs_are_not_modified() -> None:
    keys = np.array([3, 1, 3, 2], dtype=np.int64)
    distinct_sorted(keys)
    distinct_counts(keys)
    assert keys.tolist() == [3, 1, 3, 2]
