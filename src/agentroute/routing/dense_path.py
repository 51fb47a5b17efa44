"""The serving shortcut of learned indexes whose weights are dense: each block scored on its own.

The general path (:meth:`FeatureSpace.vectorize_groups`, then ``Weights.score_parts``) joins
every block's ids and values into one pair of arrays and splits the product again: ~6 µs of
assembly per request, as much as scoring a block. The usual learned spaces need none of it:

* the blended profile part is one block, normalised on its own: its values times its rows;
* a binary, IDF-free learned block weighs every distinct feature ``weight / sqrt(n)``: the sum
  of its rows, times one number;
* a word-sum block comes from its per-word cache (:mod:`agentroute.routing.word_sums`).

The scores equal the general path's up to float32 rounding (``tests/test_dense_path.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple
import numpy as np

from agentroute.features.block import FeatureBlock
from agentroute.features.space import FeatureSpace
from agentroute.routing.scoring import DenseWeights, Weights
from agentroute.routing.word_sums import WordSums


class Parts(NamedTuple):  # a tuple: a frozen dataclass's __init__ costs ~1 µs per request
    """One request's scores by part (None: no known feature in that part) and informative known features."""

    profile: np.ndarray | None
    learned: np.ndarray | None
    profile_known: int
    learned_known: int


@dataclass(frozen=True)
class DensePath:
    """How an index with dense weights scores one request block by block (see :func:`plan`)."""

    rows: np.ndarray
    profile: FeatureBlock | None
    learned: tuple[FeatureBlock, ...]
    word_sums: WordSums | None
    informative: np.ndarray | None

    def parts(self, text: str) -> Parts:
        rows = self.rows
        profile = None
        profile_known = 0
        if self.profile is not None:
            ids, values = self.profile.weighted(text)
            if len(ids):
                profile = values.astype(np.float32) @ rows.take(ids, axis=0)
                profile_known = self._informative(ids)
        learned = None
        learned_known = 0
        for block in self.learned:
            found = block.distinct_ids(text)
            n = len(found)
            if not n:
                continue
            ids = np.fromiter(found, dtype=np.int64, count=n)
            if block.offset:
                ids += block.offset
            part = np.add.reduce(rows.take(ids, axis=0), axis=0)
            part *= block.spec.weight / math.sqrt(n)
            learned = part if learned is None else np.add(learned, part, out=learned)
            # Learned blocks mark nothing generic (linear_analyzers): every feature is informative.
            learned_known += self._informative(ids) if len(block.generic) else n
        if self.word_sums is not None:
            extra, words = self.word_sums.score(text)
            if extra is not None:
                learned = extra if learned is None else np.add(learned, extra, out=learned)
                learned_known += words
        return Parts(profile, learned, profile_known, learned_known)

    def _informative(self, ids: np.ndarray) -> int:
        return len(ids) if self.informative is None else int(np.count_nonzero(self.informative[ids]))


def plan(space: FeatureSpace, weights: Weights, word_sums: WordSums | None, *, blended: bool) -> DensePath | None:
    """The block-by-block path for a learned index (``blended``: profile part first), or None when it
    does not apply (sparse weights, a profile part of several blocks, a learned block with IDF or tf)."""
    if not isinstance(weights, DenseWeights):
        return None
    blocks = space.blocks
    profile = None
    if blended:
        groups = space.groups
        if len(groups) != 2 or groups[0][0] != 1 or groups[1][1]:
            return None  # the profile part must be one block; the learned part not normalised as a whole
        profile, learned_blocks = blocks[0], blocks[1:]
    else:
        if space.normalize and len(blocks) > 1:
            return None
        learned_blocks = blocks
    learned = []
    for block in learned_blocks:
        if block.spec.word_sum:
            if word_sums is None or word_sums.block is not block:
                return None
        elif block.spec.binary and not block.spec.use_idf:
            learned.append(block)
        else:
            return None
    return DensePath(weights.rows, profile, tuple(learned), word_sums, space.informative)
