"""How scores are computed: the fitted index behind a router.

An :class:`Index` is immutable once built: the agents, the feature space and
the weight matrix ``W`` (features × agents). ``scores(q) = q · W`` is a cosine
similarity in [0, 1] for the *profile* strategy (built by
:func:`agentroute.routing.profile_index.build_profile_index`); the learned strategies
add a bias and a logistic (:mod:`agentroute.routing.linear`, :mod:`agentroute.routing.blend`).

A router swaps whole indexes on reload, so a reader that took one reference
sees one consistent state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from agentroute.features.csr import split_columns
from agentroute.features.space import FeatureSpace
from agentroute.model import Agent
from agentroute.routing.scoring import DenseWeights, SparseWeights, Weights
from agentroute.routing import dense_path
from agentroute.routing.dense_path import DensePath
from agentroute.routing.word_sums import WordSums

#: Default abstention threshold per strategy (see docs/routing.md for how each was chosen); the
#: blended strategy's is computed from these two and its fit (:meth:`Index.default_threshold`).
DEFAULT_THRESHOLDS = {"profile": 0.065, "linear": 0.13}


@dataclass(frozen=True)
class Index:
    """Everything needed to score a request; built by :func:`build_profile_index` or loaded."""

    agents: tuple[Agent, ...]
    space: FeatureSpace
    weights: Weights
    strategy: str
    bias: np.ndarray | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.weights.n_agents != len(self.agents):
            raise ValueError(f"weights cover {self.weights.n_agents} agents, the index has {len(self.agents)}")
        if self.bias is not None and self.bias.shape != (len(self.agents),):
            raise ValueError(f"bias has shape {self.bias.shape}, expected ({len(self.agents)},)")

    @property
    def strategy_reason(self) -> str:
        """Why this strategy was fitted (recorded by :func:`agentroute.routing.fit.fit_index`)."""
        return str(self.extra.get("strategy_reason") or "not recorded (a router file saved before reasons were kept)")

    @property
    def default_threshold(self) -> float:
        """The abstention threshold used when the router sets none (chosen on data: docs/routing.md)."""
        if self.strategy == "blended":
            return self._blended_threshold()
        return DEFAULT_THRESHOLDS[self.strategy]

    def _blended_threshold(self) -> float:
        """The blended score of a borderline request (see :mod:`agentroute.routing.blend`).

        Mixed as scores are, by the registry's mean learned share λ̄: the profile's threshold
        weighted ``1 - λ̄``, and ``λ̄`` times what the learned part gives a borderline request.
        That moves from its *silent* score ``σ(scale · b)`` (what it gives a request it has no
        features for, ~0.02-0.05) to the linear strategy's threshold as λ̄ grows: with a few
        examples beside long bodies the one-vs-rest SVMs give unseen in-scope requests about
        their silent score (built-in dev halves: median 0.046 for the right agent, silent 0.042), so
        counting them at the linear threshold made right picks abstain as examples were added;
        intent data (λ̄ ~ 1) keeps the linear threshold CLINC150 validation chose.
        """
        share, _, _ = self._blend_state()
        mean = float(share.mean()) if share.size else 0.0
        if self.bias is None or mean == 0.0:
            return DEFAULT_THRESHOLDS["profile"]
        each = 1.0 / (1.0 + np.exp(-float(self.extra["logistic_scale"]) * self.bias))
        # As the agents that learn weigh it; capped at the linear threshold (with a handful of
        # agents the biases can exceed it), so the result never exceeds the linear mix.
        silent = min(float(np.dot(share, each) / share.sum()), DEFAULT_THRESHOLDS["linear"])
        learned = silent + mean * (DEFAULT_THRESHOLDS["linear"] - silent)
        return (1 - mean) * DEFAULT_THRESHOLDS["profile"] + mean * learned

    def scores(self, text: str) -> tuple[np.ndarray, int]:
        """Scores in [0, 1] of every agent for ``text`` and how many *informative* known features it had.

        Generic features (common words: :func:`agentroute.features.block.generic_features`) add
        to the scores but not to the count, so a request known only through them counts 0
        and the pick rule abstains ("no_terms").
        """
        ranked, known = self.ranked_scores(text)
        if ranked is None:
            return np.zeros(len(self.agents)), 0
        return (ranked if self.score_of is None else self._logistic(ranked.astype(np.float64, copy=False))), known

    def ranked_scores(self, text: str) -> tuple[np.ndarray | None, int]:
        """What agents are ranked by for ``text`` (None: no known feature, every score 0), and the
        informative known-feature count: :meth:`scores` before the linear strategy's logistic,
        which is monotone, so ``pick`` applies it (:attr:`score_of`) to the top agent only."""
        path = self.dense_path
        if path is not None:  # learned weights in a dense W: block by block (routing/dense_path.py)
            parts = path.parts(text)
            if parts.profile is None and parts.learned is None:
                return None, 0
            n_agents = len(self.agents)
            learned = parts.learned if parts.learned is not None else np.zeros(n_agents, dtype=np.float32)
            if self.strategy == "blended":
                profile = parts.profile if parts.profile is not None else np.zeros(n_agents, dtype=np.float32)
                known = parts.profile_known + (parts.learned_known if self._learned_evidence else 0)
                return self.blend(profile, learned), known
            learned += self._bias32  # in place, in float32 like the rows: ranking needs no more precision
            return learned, parts.learned_known
        if self.strategy == "blended":
            # The profile's group of blocks comes first, the learned one second (FeatureSpace.concat).
            ids, values, ends = self.space.vectorize_groups(text)
            profile_end = ends[0]  # the only group when nothing was learned
            if len(ids) == 0:
                return None, 0
            return (self.blend(*self.weights.score_parts(ids, values, profile_end)),
                    self.space.count_informative(ids if self._learned_evidence else ids[:profile_end]))
        ids, values = self.space.vectorize(text)
        if len(ids) == 0:
            return None, 0
        raw = self.weights.score(ids, values)
        return (raw if self.bias is None else raw + self.bias), self.space.count_informative(ids)

    @property
    def dense_path(self) -> DensePath | None:
        """How a learned index with dense weights scores one request block by block (None: the general path)."""
        cached = self.__dict__.get("_dense_path", False)
        if cached is False:  # a frozen dataclass: cache through __dict__
            cached = None
            if self.bias is not None and self.strategy in ("linear", "blended"):
                cached = dense_path.plan(self.space, self.weights, self.word_sums, blended=self.strategy == "blended")
            self.__dict__["_dense_path"] = cached
        return cached

    @property
    def _bias32(self) -> np.ndarray:
        cached = self.__dict__.get("_bias32_cache")
        if cached is None:  # a frozen dataclass: cache through __dict__
            cached = self.__dict__["_bias32_cache"] = np.asarray(self.bias, dtype=np.float32)
        return cached

    @property
    def word_sums(self) -> WordSums | None:
        """The per-word cache of the space's word-sum block, when the weights are dense (else None:
        the block's vector is scored like any other)."""
        cached = self.__dict__.get("_word_sums", False)
        if cached is False:  # a frozen dataclass: cache through __dict__
            blocks = [b for b in self.space.blocks if b.spec.word_sum and not len(b.generic)]
            cached = None
            if len(blocks) == 1 and isinstance(self.weights, DenseWeights):
                block = blocks[0]
                cached = WordSums(block, self.weights.rows[block.offset : block.offset + len(block)])
            self.__dict__["_word_sums"] = cached
        return cached

    def warm(self) -> None:
        """Fill the per-word caches with the words the index was fitted on (most of the words requests
        will use), so first sightings cost the requests little, and key the word pairs of the batch
        tables (:class:`agentroute.features.joined_batch.JoinedBatch`): ~0.1 s for CLINC150's 5,000
        words. A router calls it after a fit, and after a load only when asked
        (``Router.load(path, warm=True)``): one-shot processes such as the hook would pay it for one
        request."""
        if isinstance(self.weights, SparseWeights):
            self.weights.warm()  # scipy's compiled kernels for single picks (~150 ms of imports, once)
        words = [term for block in self.space.blocks if block.spec.kind == "word"
                 for term in block.vocabulary if " " not in term and not term.startswith("~")]
        if self.word_sums is not None:
            # Then the words of the agents' own examples as the block splits them ("you're",
            # "flight,"), which the word vocabulary splits apart: from a cold start, CLINC150's test
            # requests meeting a word never seen 42% -> 30%.
            texts = [text for agent in self.agents for text in (agent.name, agent.description, *(e.request for e in agent.examples))]
            self.word_sums.warm(words + self.word_sums.units(texts))
        for block in self.space.blocks:
            if block.spec.kind == "word":
                block.warm(words)
                block.joined.warm_pairs()

    def __getstate__(self) -> dict[str, Any]:
        # The per-word cache holds a lock and a table; another process builds its own.
        return {k: v for k, v in self.__dict__.items() if k not in ("_word_sums", "_dense_path")}

    @property
    def score_of(self) -> Callable[[float], float] | None:
        """Maps one of :meth:`ranked_scores`' values to its score (None: they are scores already)."""
        cached = self.__dict__.get("_score_of", False)
        if cached is False:  # a frozen dataclass: cache through __dict__
            scale = self.extra.get("logistic_scale")
            cached = None
            if scale is not None and self.strategy != "blended":  # blended mixes its logistic in itself
                cached = partial(_logistic_score, -float(scale))  # a partial pickles; a lambda would not
            self.__dict__["_score_of"] = cached
        return cached

    def score_many(self, texts: Sequence[str], *, ranked: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Scores (texts × agents) and informative known-feature counts for many texts, in one product.

        ``ranked=True``: the values agents are ranked by instead (:meth:`ranked_scores`), to be mapped
        by :meth:`scores_from_ranked` for the few a caller reads (saves the logistic of every cell)."""
        word_sums = self.word_sums
        queries = self.space.transform(texts, word_sums=word_sums is None)
        extra, words = word_sums.score_many(texts) if word_sums is not None else (None, np.zeros(len(texts), dtype=np.int64))
        empty = (np.diff(queries.indptr) == 0) & (words == 0)  # no known feature at all: every score 0, as in scores()
        if self.strategy == "blended":
            profile, learned = split_columns(queries, int(self.extra["learned_offset"]))
            learned_scores = self.weights.score_many(learned)
            if extra is not None:
                learned_scores += extra
            scores = self.blend(self.weights.score_many(profile), learned_scores)
            if not self._learned_evidence:
                queries, words = profile, np.zeros(len(texts), dtype=np.int64)
        else:
            raw = self.weights.score_many(queries)
            if extra is not None:
                raw += extra
            if ranked and self.score_of is not None:
                scores = raw if self.bias is None else np.add(raw, self.bias, out=raw)
            else:
                scores = self.normalize(raw)
        scores[empty] = 0.0
        return scores, self.space.count_informative_rows(queries) + words

    def scores_from_ranked(self, values: np.ndarray) -> np.ndarray:
        """:attr:`score_of` for an array of :meth:`ranked_scores` values (a new array)."""
        if self.score_of is None:
            return np.array(values, dtype=np.float64)
        return self._logistic(np.array(values, dtype=np.float64))

    def _blend_state(self) -> tuple[np.ndarray, np.ndarray, bool]:
        """λ per agent, 1 - λ, and whether evidence includes the learned side (cached once)."""
        cached = self.__dict__.get("_blend_cache")
        if cached is None:  # a frozen dataclass: cache through __dict__
            share = np.asarray(self.extra.get("learned_share") or np.zeros(len(self.agents)), dtype=np.float64)
            # Evidence (known informative terms) includes the learned side when the learned part
            # carries most of the registry's weight (intent-style data, mean λ >= 0.5), as for the
            # linear strategy; otherwise only the profile's terms count, so the generic-words gate
            # works as for profiles (char n-grams of common words are no evidence of anything).
            cached = self.__dict__["_blend_cache"] = (share, 1.0 - share, bool(share.mean() >= 0.5))
        return cached

    @property
    def _learned_evidence(self) -> bool:
        return self._blend_state()[2]

    def blend(self, profile: np.ndarray, learned: np.ndarray) -> np.ndarray:
        """The blended strategy's mix (see :mod:`agentroute.routing.blend`): per agent, the cosine
        weighted by ``1 - λ`` plus the learned SVM's logistic score weighted by ``λ``."""
        share, keep, _ = self._blend_state()
        if self.bias is None or not share.any():
            return profile * keep
        half, keep32, slope, scaled_bias = self._blend_float32()
        # λ σ(s x) = λ/2 (1 + tanh(s x / 2)), in float32 and in place on one array: at 10,000
        # agents this is ~3x faster than float64 exp and divide, and scores need no more precision.
        # The bias comes pre-scaled (s/2 · b), so the first product also casts to float32: one pass fewer.
        mixed = np.multiply(learned, slope, dtype=np.float32)
        mixed += scaled_bias
        np.tanh(mixed, out=mixed)
        mixed *= half
        mixed += half
        mixed += np.multiply(profile, keep32, dtype=np.float32)
        return mixed

    def _blend_float32(self) -> tuple[np.ndarray, np.ndarray, np.float32, np.ndarray]:
        """λ / 2, 1 - λ, the logistic's half slope s / 2 and the biases times it, as float32 (cached once)."""
        cached = self.__dict__.get("_blend32")
        if cached is None:  # a frozen dataclass: cache through __dict__
            share, keep, _ = self._blend_state()
            slope = np.float32(0.5 * float(self.extra["logistic_scale"]))
            cached = self.__dict__["_blend32"] = (np.asarray(share / 2, dtype=np.float32), np.asarray(keep, dtype=np.float32),
                                                  slope, np.asarray(slope * self._bias32, dtype=np.float32))
        return cached

    def normalize(self, raw: np.ndarray) -> np.ndarray:
        """Raw scores (one row, or texts × agents) to [0, 1].

        Cosine scores are returned as they are (a route clamps its own score to
        [0, 1] against float rounding: cheaper than clipping every agent's). A linear model's
        decision values (plus bias) go through a logistic function with a fixed
        scale: monotone, so the argmax never changes, and the top score is what
        the abstention threshold is compared with.
        """
        decision = raw if self.bias is None else raw + self.bias
        if self.extra.get("logistic_scale") is None:
            return decision  # a cosine; routes clamp their one score against rounding
        return self._logistic(decision if decision is not raw else np.array(raw, dtype=np.float64))

    def _logistic(self, decision: np.ndarray) -> np.ndarray:
        """The logistic of decision values, in place (``decision`` must be a new float64 array).

        A logistic of each agent's own decision value: monotone, so the ranking is the
        classifier's, and the top score rises with the raw margin, which separated
        out-of-scope requests better on CLINC150 validation than a softmax over agents.
        """
        decision *= -float(self.extra["logistic_scale"])
        np.exp(decision, out=decision)
        decision += 1.0
        np.reciprocal(decision, out=decision)
        return decision


def _logistic_score(slope: float, value: float) -> float:
    """``σ(-slope · value)`` for one decision value (``slope`` is minus the logistic scale)."""
    return 1.0 / (1.0 + math.exp(min(slope * value, 700.0)))

