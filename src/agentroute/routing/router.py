"""The public router: ``pick`` one agent (or none), ``rank`` the top k, route batches.

A :class:`Router` owns one immutable :class:`~agentroute.routing.index.Index` at a
time. Every call reads that reference once, so sharing a router between
threads is safe and a :meth:`Router.reload` (which builds a new index aside,
then swaps the reference) never mixes two states in one answer.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, Literal, Mapping, Sequence

import numpy as np

from agentroute.routing.batch import PARALLEL_MIN_ROWS, decide_many, routes_from
from agentroute.errors import RouterFileError
from agentroute.routing.index import Index
from agentroute.routing.linear import fit_index
from agentroute.routing.mentions import MentionFinder
from agentroute.model import Agent
from agentroute.routing.profile import validate_field_weights
from agentroute.registry import Registry
from agentroute.routing.route import Route, check_k, clamp, top_k

if TYPE_CHECKING:
    from agentroute.routing.explain import Explanation

Strategy = Literal["auto", "profile", "linear"]

#: Requests longer than this many characters are cut before scoring (bounded time on 10 MB inputs).
DEFAULT_MAX_REQUEST_CHARS = 20_000


def _check_request(request: object) -> str:
    if not isinstance(request, str):
        raise TypeError(f"request must be a str, not {type(request).__name__}")
    return request


class Router:
    """Routes requests to the agents of a registry.

    ``Router(registry)`` or ``Router([Agent(...), ...])`` fits at once. Tuning
    parameters are keyword-only:

    * ``threshold`` — ``pick`` abstains when the best score is below it
      (``0.0`` is a real threshold: abstain only when no known term matched;
      ``None``, the default, takes the fitted strategy's documented default);
    * ``margin`` — ``pick`` also abstains when the best score leads the second
      by less than this;
    * ``field_weights`` — weight of each profile field (see :mod:`agentroute.routing.profile`);
    * ``max_request_chars`` — longer requests are cut to this length first;
    * ``mentions`` — honour requests that name their agent explicitly;
    * ``strategy`` — ``"auto"`` (default) looks at the registry: ``"linear"`` (a
      classifier on example requests) when agents carry a median of at least
      five examples, else ``"profile"`` (cosine against each agent's text).

    >>> from agentroute import Agent, Router
    >>> router = Router([Agent(name="sql-expert", description="Tunes slow SQL queries and indexes"),
    ...                  Agent(name="css-fixer", description="Fixes CSS layouts and styling")])
    >>> route = router.pick("the orders query is slow, maybe an index?")
    >>> route.agent.name, 0 < route.score <= 1
    ('sql-expert', True)
    >>> [r.agent.name for r in router.rank("css layout", k=2)]
    ['css-fixer', 'sql-expert']
    >>> router.pick("ask the css-fixer agent about this query").reason
    'mention'
    >>> router.pick("what's for dinner?") is None
    True
    """

    def __init__(
        self,
        agents: Registry | Iterable[Agent],
        *,
        threshold: float | None = None,
        margin: float = 0.0,
        field_weights: Mapping[str, float] | None = None,
        max_request_chars: int = DEFAULT_MAX_REQUEST_CHARS,
        mentions: bool = True,
        strategy: Strategy = "auto",
    ) -> None:
        self.threshold = threshold
        self.strategy = strategy
        # The paths, strictness and learned file a reload() re-reads; set by from_paths.
        self._source: tuple[list[str | os.PathLike[str]], bool, str | os.PathLike[str] | None] | None = None
        self.margin = margin
        self.field_weights = field_weights
        self.max_request_chars = max_request_chars
        self.mentions = mentions
        self._validate()
        self._fit(agents)

    def _validate(self) -> None:
        for name in ("threshold", "margin"):
            value = getattr(self, name)
            if name == "threshold" and value is None:
                continue  # the fitted strategy's default
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
        if self.strategy not in ("auto", "profile", "linear"):
            raise ValueError(f"strategy must be 'auto', 'profile' or 'linear', got {self.strategy!r}")
        if isinstance(self.max_request_chars, bool) or not isinstance(self.max_request_chars, int) or self.max_request_chars < 1:
            raise ValueError(f"max_request_chars must be an int >= 1, got {self.max_request_chars!r}")
        self._field_weights = validate_field_weights(self.field_weights or {})

    def _fit(self, agents: Registry | Iterable[Agent]) -> None:
        registry = agents if isinstance(agents, Registry) else Registry(agents)
        registry.require_nonempty()  # names the first loading problem, e.g. a mistyped path
        self._install(fit_index(list(registry), self.strategy, field_weights=self._field_weights), registry)

    def _install(self, index: Index, registry: Registry) -> None:
        # One attribute holds all state a call needs; assigning it is atomic, so a
        # concurrent call sees the old state or the new one, never a mix.
        self._state = (index, MentionFinder(a.name for a in index.agents), registry)

    @property
    def index(self) -> Index:
        """The fitted index answering calls now (immutable; replaced whole by :meth:`reload`)."""
        return self._state[0]

    @property
    def fitted_strategy(self) -> str:
        """The strategy the current index was fitted with (``strategy`` stays as given, e.g. ``"auto"``)."""
        return self._state[0].strategy

    @property
    def strategy_reason(self) -> str:
        """Why :attr:`fitted_strategy` was chosen, with the fit's estimated cost (docs/routing.md)."""
        return self._state[0].strategy_reason

    @property
    def registry(self) -> Registry:
        """The registry the current index was fitted on (with its loading diagnostics)."""
        return self._state[2]

    @classmethod
    def from_paths(
        cls,
        paths: Sequence[str | os.PathLike[str]],
        *,
        strict: bool = False,
        threshold: float | None = None,
        margin: float = 0.0,
        field_weights: Mapping[str, float] | None = None,
        max_request_chars: int = DEFAULT_MAX_REQUEST_CHARS,
        mentions: bool = True,
        strategy: Strategy = "auto",
        learned: str | os.PathLike[str] | None = None,
    ) -> Router:
        """Load agent files (and ``learned`` examples; see :meth:`Registry.from_paths`) and fit;
        :meth:`reload` re-reads them."""
        registry = Registry.from_paths(paths, strict=strict, learned=learned)
        router = cls(registry, threshold=threshold, margin=margin, field_weights=field_weights,
                     max_request_chars=max_request_chars, mentions=mentions, strategy=strategy)
        router._source = (list(paths), strict, learned)
        return router

    @property
    def agents(self) -> tuple[Agent, ...]:
        return self._state[0].agents

    @property
    def effective_threshold(self) -> float:
        """``threshold``, or the fitted strategy's default when it is None (see docs/routing.md)."""
        return self._threshold_for(self._state[0])

    def _threshold_for(self, index: Index) -> float:
        """The threshold that applies to ``index`` (one snapshot of the router's state)."""
        return self.threshold if self.threshold is not None else index.default_threshold

    def reload(self, agents: Registry | Iterable[Agent] | None = None) -> None:
        """Fit on new agents aside, then swap: concurrent calls see the old or the new index.

        Without ``agents``, a router made by :meth:`from_paths` re-reads its paths.
        If loading or fitting fails, the error propagates and the old index stays.
        """
        if agents is None:
            source = self._source
            if source is None:
                raise ValueError("reload() without agents needs a router made by Router.from_paths()")
            paths, strict, learned = source
            agents = Registry.from_paths(paths, strict=strict, learned=learned)
        self._fit(agents)

    # -- routing ----------------------------------------------------------------------

    def _prepare(self, request: object) -> str | None:
        text = _check_request(request)
        if len(text) > self.max_request_chars:
            text = text[: self.max_request_chars]
        return text if text.strip() else None

    def _decide(self, index: Index, scores: np.ndarray, known: int, named: int | None) -> Route | None:
        """The pick rule, shared by single and batch routing."""
        if named is not None:
            return Route(index.agents[named], 1.0, "mention")
        if known == 0:
            return None
        best = int(scores.argmax())
        score = clamp(float(scores[best]))
        threshold = self._threshold_for(index)
        if score < threshold or score <= 0.0:
            return None
        if self.margin > 0 and len(scores) > 1:
            second = float(np.partition(scores, -2)[-2])
            if score - second < self.margin:
                return None
        return Route(index.agents[best], score)

    def _ranking(self, index: Index, scores: np.ndarray, named: int | None, k: int) -> list[Route]:
        order = [int(i) for i in top_k(scores, k)]
        routes = [Route(index.agents[i], clamp(float(scores[i]))) for i in order]
        if named is not None:
            routes = [Route(index.agents[named], 1.0, "mention")] + [r for i, r in zip(order, routes) if i != named]
        return routes[:k]

    def _find_mention(self, finder: MentionFinder, text: str | None) -> int | None:
        return finder.find(text) if (self.mentions and text is not None) else None

    def pick(self, request: str) -> Route | None:
        """The best agent for ``request``, or None when no agent fits."""
        text = self._prepare(request)
        if text is None:
            return None
        index, finder, _ = self._state
        named = self._find_mention(finder, text)
        if named is not None:
            return Route(index.agents[named], 1.0, "mention")
        scores, known = index.scores(text)
        return self._decide(index, scores, known, None)

    def rank(self, request: str, k: int = 5) -> list[Route]:
        """The ``k`` best agents, best first; never abstains (empty requests score 0 for all)."""
        check_k(k)
        text = self._prepare(request)
        index, finder, _ = self._state
        if text is None:
            return self._ranking(index, np.zeros(len(index.agents)), None, k)
        scores, _ = index.scores(text)
        return self._ranking(index, scores, self._find_mention(finder, text), k)

    def explain(self, request: str, *, k: int = 3, terms: int = 8) -> Explanation:
        """The top ``k`` agents with the terms and fields behind each score, and why ``pick`` would
        or would not abstain."""
        from agentroute.routing.explain import explain

        return explain(self, request, k=k, terms=terms)

    # -- batches ----------------------------------------------------------------------

    def pick_many(self, requests: Sequence[str], *, n_jobs: int | None = None) -> list[Route | None]:
        """``pick`` for each request, vectorised; ``n_jobs`` spreads chunks over joblib workers."""
        return self._batch(requests, None, n_jobs)  # type: ignore[return-value]

    def rank_many(self, requests: Sequence[str], k: int = 5, *, n_jobs: int | None = None) -> list[list[Route]]:
        """``rank`` for each request, vectorised; ``n_jobs`` spreads chunks over joblib workers."""
        check_k(k)
        return self._batch(requests, k, n_jobs)  # type: ignore[return-value]

    def _batch(self, requests: Sequence[str], k: int | None, n_jobs: int | None) -> list[object]:
        if isinstance(requests, str):
            raise TypeError("batch routing takes a sequence of str, not a single str")
        texts = self._prepare_many(requests)
        index, finder, _ = self._state  # one snapshot for the whole batch
        threshold = self._threshold_for(index)
        rule = (threshold, self.margin, self.mentions)
        if n_jobs is None or n_jobs == 1 or len(texts) < PARALLEL_MIN_ROWS:
            return routes_from(index, decide_many(index, finder, texts, k, rule), k)
        from joblib import Parallel, delayed, effective_n_jobs

        # A few large tasks per worker: each task ships the index to its worker, and only
        # compact arrays come back; Route objects are made here.
        size = max(PARALLEL_MIN_ROWS // 2, -(-len(texts) // (4 * effective_n_jobs(n_jobs))))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        parts = Parallel(n_jobs=n_jobs)(delayed(decide_many)(index, finder, chunk, k, rule) for chunk in chunks)
        return [answer for part in parts for answer in routes_from(index, part, k)]

    def _prepare_many(self, requests: Sequence[str]) -> list[str]:
        """``_prepare`` for a batch, without a Python call per request: blank requests stay
        as they are, since they score nothing and name no agent, as None would."""
        texts = list(requests)
        if not set(map(type, texts)) <= {str}:
            for text in texts:
                _check_request(text)  # names the first type that is not a str
        if texts and max(map(len, texts)) > self.max_request_chars:
            texts = [text[: self.max_request_chars] for text in texts]
        return texts

    # -- persistence ------------------------------------------------------------------

    def _settings(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "margin": self.margin,
            "field_weights": dict(self.field_weights) if self.field_weights else None,
            "max_request_chars": self.max_request_chars,
            "mentions": self.mentions,
            "strategy": self.strategy,
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write this router to ``path`` (atomically; no pickle). Load it with :meth:`Router.load`."""
        from agentroute.routing import persist

        persist.save(path, self._state[0], self._settings())

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, threshold: float | None = None) -> Router:
        """A router saved by :meth:`save`; needs no scikit-learn and refuses damaged files.

        ``threshold``, when given, replaces the saved one (checked as ``Router(threshold=...)`` checks it).
        """
        from agentroute.routing import persist

        index, settings = persist.load(path)
        router = cls.__new__(cls)
        try:
            for name in ("threshold", "margin", "field_weights", "max_request_chars", "mentions", "strategy"):
                setattr(router, name, settings[name])
            router._validate()
        except (KeyError, ValueError, TypeError) as error:
            raise RouterFileError(f"{path}: cannot load saved router: bad settings ({error})") from None
        router._install(index, Registry(index.agents))
        router._source = None  # no paths to reload from
        if threshold is not None:
            router.threshold = threshold
            router._validate()
        return router

    def __repr__(self) -> str:
        index = self.index
        return (f"Router({len(index.agents)} agents, strategy={self.strategy!r}, fitted_strategy={index.strategy!r}, "
                f"threshold={self._threshold_for(index):.4g}, reason={index.strategy_reason!r})")
