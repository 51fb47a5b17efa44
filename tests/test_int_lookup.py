"""The batch path's integer hash table answers what a dict answers."""

import numpy as np
import pytest

from agentroute.features.int_lookup import IntLookup


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1000, 30_000])
def test_lookups_equal_a_dict(n: int) -> None:
    rng = np.random.default_rng(n)
    # Word-pair keys as the batch table makes them (first << 32 | second), and clustered keys
    # that share their low bits, which a weak hash would pile into few slots.
    keys = np.unique(np.concatenate([rng.integers(0, 5000, n) << 32 | rng.integers(0, 5000, n),
                                     np.arange(n // 3, dtype=np.int64) << 20]))[:n]
    values = rng.integers(0, 10**6, len(keys))
    table = IntLookup(keys, values)
    as_dict = dict(zip(keys.tolist(), values.tolist()))
    wanted = np.concatenate([keys, rng.integers(0, 2**40, 500), [0, 2**62]])
    rng.shuffle(wanted)
    assert table.get(wanted).tolist() == [as_dict.get(k, -1) for k in wanted.tolist()]
    assert table.get(wanted, default=-7).tolist() == [as_dict.get(k, -7) for k in wanted.tolist()]
    assert len(table) == len(keys) and table.get(np.zeros(0, dtype=np.int64)).shape == (0,)


@pytest.mark.parametrize("keys,values", [([1, 1], [0, 1]), ([-1], [0]), ([1, 2], [0])])
def test_bad_tables_are_refused(keys, values) -> None:
    with pytest.raises(ValueError, match="distinct keys"):
        IntLookup(np.array(keys), np.array(values))


def test_probes_wrap_from_the_last_slot_to_the_first() -> None:
    """Keys whose home is the table's last slot: all but one must wrap round to its start."""
    probe = IntLookup(np.arange(3), np.arange(3))  # 3 keys: a table of 8 slots
    candidates = np.arange(10_000, dtype=np.int64)
    last = candidates[probe._home(candidates) == probe._mask][:3]
    assert len(last) == 3
    table = IntLookup(last, np.array([10, 20, 30]))
    assert table._mask == probe._mask
    assert table.get(last).tolist() == [10, 20, 30]
    assert table.get(np.array([last[0] + 10**6, 5])).tolist() == [-1, -1]
