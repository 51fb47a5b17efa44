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
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from agentroute.features.analyzers import strip_accents
from agentroute.features.sorted_keys import distinct_sorted
from agentroute.features.word_tables import BREAK

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
        self.squares = [0.0] * capacity  # a list: summing a few floats in Python beats a numpy gather
        self._next_row = 1
        # The batch path's text separator: row -1 marks where a text ends, so one lookup pass both
        # finds the rows and numbers the texts. A single text that holds it is scored directly.
        self[BREAK] = -1

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
                self.sums[row], self.squares[row] = self._owner.word_row(ids)
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
        self.use_idf = block.spec.use_idf
        self.strip_accents = block.spec.strip_accents
        self.n_agents = rows.shape[1]
        self.weight = block.spec.weight
        self.lock = threading.Lock()
        self.capacity = max(256, min(MAX_WORDS, CACHE_BYTES // (4 * max(1, self.n_agents))))
        self._table = _Table(self, self.capacity)

    def units(self, texts: Iterable[str]) -> list[str]:
        """The words :meth:`score` looks up for ``texts`` (lowercased, whitespace-split, punctuation
        kept: "flight," is a word of its own), distinct, in first-seen order."""
        found: dict[str, None] = {}
        for text in texts:
            lowered = text.lower()
            if self.strip_accents and not lowered.isascii():
                lowered = strip_accents(lowered)
            if BREAK not in lowered:  # the break is the batch path's row -1, never a cached word
                found.update(dict.fromkeys(lowered.split()))
        return list(found)

    def word_row(self, ids: list[int]) -> tuple[np.ndarray, float]:
        """``S_w`` and ``T_w`` of one word whose distinct n-gram ids are ``ids``. Warming and a request
        compute a row with this one function, so a warmed row equals, bit for bit, the row a request
        would have computed (scores do not depend on what was warmed): numpy's reduce and reduceat
        sum in different orders."""
        rows = self.rows.take(ids, axis=0)
        if not self.use_idf:  # every IDF is 1: T_w counts the word's n-grams
            return np.add.reduce(rows, axis=0), float(len(ids))
        idf = self.idf[ids]
        rows *= idf[:, None].astype(np.float32)
        return np.add.reduce(rows, axis=0), float(idf @ idf)

    def warm(self, words: Iterable[str]) -> int:
        """Fill the rows of ``words`` ahead of requests (a router's own vocabulary: most words of the
        requests to come), up to half the table. Returns how many."""
        table = self._table
        room = len(table.squares) // 2 - len(table)
        new = [w for w in dict.fromkeys(words) if w not in table][: max(0, room)]
        for word in new:
            table[word]  # fills the row as a request's first sighting would (_Table.__missing__)
        return len(new)

    def score(self, text: str) -> tuple[np.ndarray | None, int]:
        """The block's share of ``q · W`` for ``text`` (None: no known feature), and how many of
        its words have known features."""
        lowered = text.lower()  # the block's units (as :meth:`units`), inline: ~0.5 µs of calls per request
        if self.strip_accents and not lowered.isascii():
            lowered = strip_accents(lowered)
        table = self._table
        if BREAK in lowered:
            return self._direct(text)
        try:
            found = list(map(table.__getitem__, set(lowered.split())))
        except _Full:  # start a new table for the requests to come; this one is scored directly
            with self.lock:
                if self._table is table:
                    self._table = _Table(self, self.capacity)
            return self._direct(text)
        total = sum(map(table.squares.__getitem__, found))
        if not total:
            return None, 0
        sums = np.add.reduce(table.sums.take(found, axis=0), axis=0)
        sums *= self.weight / math.sqrt(total)
        return sums, len(found) - found.count(0)

    def score_many(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`score` for many texts (texts × agents, zero rows for texts without known features),
        and the words with known features per text: one product of a texts × words matrix with the
        cached rows, instead of every n-gram of every text."""
        from scipy.sparse import csr_matrix

        table = self._table
        try:
            batch_rows = self._batch_rows(table, texts)
        except _Full:  # a new table for what comes next; this batch goes through the block's vectors
            with self.lock:
                if self._table is table:
                    self._table = _Table(self, self.capacity)
            batch_rows = None
        if batch_rows is None:
            return self._from_vectors(texts)
        text_of, found = batch_rows
        n_rows = table._next_row
        # Each text's distinct words with features: (text, row) pairs, sorted by text.
        pairs = distinct_sorted(text_of * n_rows + found)
        text_of, found = np.divmod(pairs, n_rows)
        squares = np.array(table.squares[:n_rows])[found]
        totals = np.bincount(text_of, weights=squares, minlength=len(texts)).astype(np.float64)  # int64 when empty
        scale = np.divide(self.weight, np.sqrt(totals), out=np.zeros_like(totals), where=totals > 0)
        words = np.bincount(text_of, minlength=len(texts)).astype(np.int64)
        indptr = np.concatenate([[0], np.cumsum(words)])
        mix = csr_matrix((scale[text_of].astype(np.float32), found, indptr), shape=(len(texts), n_rows))
        return np.asarray(mix @ table.sums[:n_rows]), words

    def _batch_rows(self, table: _Table, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """The text and the table row of every word of ``texts`` that has features (repeats included);
        None when a text holds the break character itself.

        The block's units (lower-cased, accents stripped, split at whitespace) for the whole batch
        at once: the texts joined by a break character that is no whitespace, so each break is a
        word of its own, whose row (-1) numbers the texts in the same lookup pass.
        """
        joined = BREAK.join(texts)
        if joined.count(BREAK) != len(texts) - 1:
            return None
        lowered = joined.lower()
        if self.strip_accents and not lowered.isascii():
            lowered = BREAK.join(map(strip_accents, lowered.split(BREAK)))
        words = lowered.replace(BREAK, f" {BREAK} ").split()
        rows = np.fromiter(map(table.__getitem__, words), dtype=np.int64, count=len(words))
        text_of = np.cumsum(rows < 0)
        keep = rows > 0
        return text_of[keep], rows[keep]

    def _from_vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`score_many` from the block's vectors, without the cache."""
        units = self.block.units
        vectors = self.block.transform(texts)
        words = np.array([sum(1 for w in set(units(t)) if self.block.word_ids(w)) for t in texts], dtype=np.int64)
        return np.asarray(vectors.astype(np.float32) @ self.rows, dtype=np.float32), words

    def _direct(self, text: str) -> tuple[np.ndarray | None, int]:
        """:meth:`score` from the block's vector, without the cache."""
        ids, values = self.block.weighted(text)
        if not len(ids):
            return None, 0
        words = sum(1 for word in set(self.block.units(text)) if self.block.word_ids(word))
        return values.astype(np.float32) @ self.rows.take(ids - self.block.offset, axis=0), words
