"""The batch fast path of a word block: a batch's texts joined by a break character, lower-cased,
tokenised and looked up at once, instead of a loop per text (``FeatureBlock.transform`` uses it
when it applies; ``tests/test_features.py`` proves it equal to the per-text path)."""
from __future__ import annotations

import re
import threading
from itertools import groupby, repeat
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from agentroute.features.analyzers import strip_accents
from agentroute.features.csr import indptr_of
from agentroute.features.int_lookup import IntLookup
from agentroute.features.sorted_keys import distinct_counts
from agentroute.features.word_tables import BREAK, RUN_PATTERNS, UNIT_CACHE_LIMIT, BatchUnits, ascii_runs

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from agentroute.features.analyzers import AnalyzerSpec


class JoinedBatch:
    """One word block's batch table and the joined-texts pass over it (the block's spec, vocabulary,
    per-token lookup and weighing are all it reads)."""

    def __init__(self, spec: AnalyzerSpec, vocabulary: dict[str, int], token_ids: Callable[[str], list[int]],
                 weigh: Callable[[csr_matrix], csr_matrix]) -> None:
        self.spec = spec
        self.vocabulary = vocabulary
        self._token_ids = token_ids  # a token's unigram (and prefix) ids: the block's per-token lookup
        self._weigh = weigh  # counts to the block's weighted rows
        pattern = spec.token_pattern.removeprefix("(?u)")  # str patterns are Unicode-aware anyway
        self._tokens_and_breaks = re.compile(f"(?:{pattern})|{BREAK}").findall
        self._run_min_len = RUN_PATTERNS.get(spec.token_pattern)
        #: The batch word table: token -> unit number and its feature ids (created on first use).
        self.units: BatchUnits | None = None
        # The batch table numbers words as it meets them: one batch at a time may do so.
        self._lock = threading.Lock()

    def transform(self, texts: Sequence[str]) -> csr_matrix | None:
        """The batch fast path for word unigrams (+ prefixes, + word pairs): one lower(), one
        tokenizing pass and one table lookup over all texts joined by a break character, instead
        of a loop per text.

        Returns None (use the per-text path) for other shapes, or texts that contain
        the break character themselves. Lower-casing and accent stripping (NFKD) give
        the same result on the joined text as text by text: the break is neither a
        cased letter nor a combining mark, so no rule looks across it. Word pairs are
        looked up for neighbouring tokens; a pair with the break is never a feature. So pairs
        need every token to be a unit: no stop words, no token the pattern's runs would drop.
        With word forms a pair is a pair of forms, looked up by the forms' numbers.
        """
        from scipy.sparse import csr_matrix

        spec = self.spec
        if spec.kind != "word" or spec.ngram_range not in ((1, 1), (1, 2)) or len(texts) < 2:
            return None
        pairs = spec.ngram_range == (1, 2)
        if pairs and (spec.stop_words or self._run_min_len not in (None, 1)):
            return None
        joined = BREAK.join(texts)
        if joined.count(BREAK) != len(texts) - 1:
            return None
        tokens = self._tokens(joined.lower())
        with self._lock:
            units_of = self._table()
            units = np.fromiter(map(units_of.__getitem__, tokens), dtype=np.int64, count=len(tokens))
            columns = np.concatenate([column[units] for column in units_of.columns])
            pair_table = units_of.pairs
            words = units if units_of.form_of is None else units_of.form_of[units]  # what pairs are made of
        text_of = np.cumsum(units == 0)
        rows = np.tile(text_of, len(units_of.columns))
        if pairs and len(tokens) > 1:
            if pair_table is not None:  # the vocabulary's pairs by word numbers: one vectorised lookup
                pair_ids = pair_table.get((words[:-1] << 32) | words[1:])
            else:
                forms = list(map(spec.form, tokens)) if spec.word_forms else tokens
                pair_ids = np.fromiter(map(self.vocabulary.get, map(" ".join, zip(forms, forms[1:])), repeat(-1)),
                                       dtype=np.int64, count=len(tokens) - 1)
            columns = np.concatenate([columns, pair_ids])
            rows = np.concatenate([rows, text_of[:-1]])
        known = columns >= 0
        width = len(self.vocabulary)
        # Counts per (text, feature), sorted: the canonical CSR without scipy's COO round trip.
        keys, tf = distinct_counts(rows[known] * width + columns[known])
        text_of, ids = np.divmod(keys, width)
        indptr = indptr_of(text_of, len(texts))
        return self._weigh(csr_matrix((tf.astype(np.float64), ids, indptr), shape=(len(texts), width)))

    def _table(self) -> BatchUnits:
        """The batch word table (call with the batch lock held), reset when full."""
        units_of = self.units
        if units_of is None:
            pairs_of_forms = self.spec.word_forms and self.spec.ngram_range == (1, 2)
            units_of = self.units = BatchUnits(self._token_ids, self.spec.stop_words, self._run_min_len or 1,
                                                  self.spec.features_per_token,
                                                  form=self.spec.form if pairs_of_forms else None)
        units_of.reset_if_full()
        return units_of

    def warm_pairs(self) -> None:
        """Number the vocabulary's words in the batch table and key its word pairs by those numbers,
        so a batch looks its pairs up in one vectorised hash lookup (:class:`IntLookup`) instead of
        joining and hashing a string per pair (~30 ms per 20,000 CLINC150 requests; the lookup takes
        ~5). Building costs about that once (a fit calls it), and stays out of tables whose words
        would fill half of them."""
        if self.spec.kind != "word" or self.spec.ngram_range != (1, 2):
            return
        words = [term for term in self.vocabulary if " " not in term]
        if len(words) > UNIT_CACHE_LIMIT // 2:
            return
        with self._lock:
            units_of = self._table()
            if units_of.pairs is not None:
                return
            if units_of.form_of is None:
                for word in words:
                    units_of[word]
                number = units_of.__getitem__  # a pair's words by their unit numbers
            else:
                number = units_of.form_number  # word forms: the vocabulary's words are forms, numbered as such
            keys, ids = [], []
            for term, feature in self.vocabulary.items():
                first, space, second = term.partition(" ")
                if space:
                    keys.append((number(first) << 32) | number(second))
                    ids.append(feature)
            units_of.pairs = IntLookup(np.array(keys, dtype=np.int64), np.array(ids, dtype=np.int64))

    def _tokens(self, lowered: str) -> list[str]:
        """Tokens of lower-cased joined texts, breaks included; accents stripped text by text."""
        if lowered.isascii():  # the common case: no accents to strip, and C-level splitting
            return ascii_runs(lowered) if self._run_min_len else self._tokens_and_breaks(lowered)
        segments = lowered.split(BREAK)
        if self.spec.strip_accents:
            segments = list(map(strip_accents, segments))  # returns ASCII segments as they are
        if not self._run_min_len:
            return self._tokens_and_breaks(BREAK.join(segments))
        # Runs of ASCII texts take the fast split, the others the regex (Unicode word characters).
        tokens: list[str] = []
        for number, (ascii_only, group) in enumerate(groupby(segments, key=str.isascii)):
            if number:
                tokens.append(BREAK)  # between groups, even when a group had no tokens
            part = BREAK.join(group)
            tokens += ascii_runs(part) if ascii_only else self._tokens_and_breaks(part)
        return tokens
