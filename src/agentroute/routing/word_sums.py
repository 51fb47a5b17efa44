"""Per-word sums of weights: how a word-sum block (``AnalyzerSpec.word_sum``) is served.

A word-sum block's vector for a text is the sum of its distinct words' vectors, scaled by
``weight / sqrt(T)``, where ``T`` (the sum of tf × idf²) also adds up word by word. So the
block's share of ``q · W`` is ``weight / sqrt(Σ_w T_w) × Σ_w S_w``, where ``S_w`` sums the
rows of ``W`` of word ``w``'s n-grams, times their IDF. Caching ``S_w`` and ``T_w`` per word
turns the gather of every character n-gram of a request (~120 on CLINC150) into a gather
of one row per word (~10). ``tests/test_word_sums.py`` proves the result equal to scoring the
block's vector.
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agentroute.features.block import FeatureBlock

#: Bytes of cached rows per block; past this the cache starts afresh (a new table, so a reader
#: still holding the old one reads consistent rows).
CACHE_BYTES = 32 * 1024 * 1024
#: Words cached at most, whatever the number of agents.
MAX_WORDS = 65_536


class _Full(Exception):
    """The table has no free row: start a new one."""


class _Table(dict):  # type: ignore[type-arg]
    """word -> row of ``sums``/``squares``, computed on first sight; row 0 is the word without features."""

    def __init__(self, owner: WordSums, capacity: int) -> None:
        super().__init__()
        self._owner = owner
        self.sums = np.zeros((capacity, owner.n_agents), dtype=np.float32)  # pages are touched only when written
        self.squares = np.zeros(capacity)
        self._next_row = 1

    def __missing__(self, word: str) -> int:
        ids = self._owner.block.word_ids(word)
        with self._owner.lock:  # one writer per row; readers see a row only once it is written
            if len(self) >= len(self.squares):  # words without features take no row, but count here
                raise _Full
            row = 0
            if ids:
                row = self._next_row
                if row >= len(self.squares):
                    raise _Full
                ids_array = np.array(ids, dtype=np.int64)
                idf = self._owner.idf[ids_array]
                self.sums[row] = idf.astype(np.float32) @ self._owner.rows.take(ids_array, axis=0)
                self.squares[row] = idf @ idf
                self._next_row = row + 1
            self[word] = row
        return row


class WordSums:
    """The cached per-word rows of one word-sum ``block`` against ``rows`` (its features × agents of ``W``)."""

    def __init__(self, block: FeatureBlock, rows: np.ndarray) -> None:
        if not block.spec.word_sum or len(block.generic):
            raise ValueError("per-word sums serve a word-sum block without generic features only")
        self.block = block
        self.rows = rows
        self.idf = block.idf
        self.n_agents = rows.shape[1]
        self.weight = block.spec.weight
        self.lock = threading.Lock()
        self.capacity = max(256, min(MAX_WORDS, CACHE_BYTES // (4 * max(1, self.n_agents))))
        self._table = _Table(self, self.capacity)

    def score(self, text: str) -> tuple[np.ndarray | None, int]:
        """The block's share of ``q · W`` for ``text`` (None: no known feature), and how many of
        its words have known features."""
        words = set(self.block.units(text))
        table = self._table
        try:
            found = list(map(table.__getitem__, words))
        except _Full:  # start a new table for the requests to come; this one is scored directly
            with self.lock:
                if self._table is table:
                    self._table = _Table(self, self.capacity)
            return self._direct(text)
        total = float(table.squares[found].sum())
        if not total:
            return None, 0
        sums = table.sums.take(found, axis=0).sum(axis=0)
        sums *= self.weight / math.sqrt(total)
        return sums, len(found) - found.count(0)

    def _direct(self, text: str) -> tuple[np.ndarray | None, int]:
        """:meth:`score` from the block's vector, without the cache."""
        ids, values = self.block.weighted(text)
        if not len(ids):
            return None, 0
        words = sum(1 for word in set(self.block.units(text)) if self.block.word_ids(word))
        return values.astype(np.float32) @ self.rows.take(ids - self.block.offset, axis=0), words
