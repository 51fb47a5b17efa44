"""The public router: ``pick`` one agent (or none), ``rank`` the top k, route batches.

A :class:`Router` owns one immutable :class:`~agentroute.routing.index.Index` at a
time. Every call reads that reference once, so sharing a router between
threads is safe and a :meth:`Router.reload` (which builds a new index aside,
then swaps the reference) never mixes two states in one answer.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from agentroute.errors import RouterFileError
from agentroute.model import Agent
from agentroute.registry import Registry
from agentroute.routing.explain import Explanation, explain
from agentroute.routing.index import Index
from agentroute.routing.fit import fit_index
from agentroute.routing.mentions import MentionFinder
from agentroute.routing.params import DEFAULT_MAX_REQUEST_CHARS, Param, RouterParams, Strategy
from agentroute.routing.route import Route, check_k
from agentroute.routing.rule import Decision
from agentroute.routing.state import RouterState

#: What pick passes the rule for a request that names its agent (the rule does not read it).
_NO_SCORES = np.zeros(0)

__all__ = ["DEFAULT_MAX_REQUEST_CHARS", "Decision", "Route", "Router", "RouterState", "Strategy"]


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
    * ``max_request_chars`` — longer requests are cut to this length first (a mention of an
      agent in their last ``max_request_chars`` characters still counts);
    * ``mentions`` — honour requests that name their agent explicitly;
    * ``strategy`` — ``"auto"`` (default) looks at the registry: ``"profile"`` (cosine
      against each agent's text) when the median agent has no example request;
      else ``"blended"`` (the profile mixed per agent with a classifier on the example
      requests, weighted by how many each agent has against its authored text), or
      ``"linear"`` (the classifier alone) when authored text would carry at most 5% of
      every agent's score. ``fitted_strategy`` and ``strategy_reason`` say what was fitted and why.

    Parameters live in one checked, frozen :class:`~agentroute.routing.params.RouterParams`
    (``router.params``, ``get_params()``). Assigning one (``router.threshold = 0.2``) or
    ``set_params(...)`` checks it first and refuses a bad value whole; ``field_weights`` and
    ``strategy`` refit the current agents at once. ``decide(request)`` says why ``pick``
    answered as it did; ``snapshot()`` is the read-only state every call answers from.

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

    threshold = Param()
    margin = Param()
    field_weights = Param()
    max_request_chars = Param()
    mentions = Param()
    strategy = Param()

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
        self._params = RouterParams(threshold=threshold, margin=margin, field_weights=field_weights,
                                    max_request_chars=max_request_chars, mentions=mentions, strategy=strategy)
        # The paths, strictness and learned file a reload() re-reads; set by from_paths.
        self._source: tuple[list[str | os.PathLike[str]], bool, str | os.PathLike[str] | None] | None = None
        self._lock = threading.RLock()  # writers only (fits, parameter changes); calls never wait
        self._fit(agents)

    # -- parameters -------------------------------------------------------------------

    @property
    def params(self) -> RouterParams:
        """The parameters, checked and frozen (change them with :meth:`set_params` or by assignment)."""
        return self._params

    def get_params(self) -> dict[str, Any]:
        """Every parameter by name: ``Router(agents, **router.get_params())`` fits an equal router."""
        return self._params.to_dict()

    def set_params(self, **params: Any) -> Router:
        """Change parameters; also what assigning one does (``router.threshold = 0.2``).

        Values are checked first: a bad one raises ValueError and changes nothing.
        ``threshold``, ``margin``, ``mentions`` and ``max_request_chars`` apply from the
        next call; ``field_weights`` and ``strategy`` refit the current agents at once.
        """
        with self._lock:
            new = self._params.changed(**params)
            old, self._params = self._params, new
            try:
                if (new.fitted_field_weights, new.strategy) != (old.fitted_field_weights, old.strategy):
                    self._fit(self._state.registry)
                else:
                    self._install(self._state.index, self._state.registry, self._state.finder, self._state.field_weights)
            except BaseException:
                self._params = old
                raise
        return self

    # -- fitting ----------------------------------------------------------------------

    def _fit(self, agents: Registry | Iterable[Agent]) -> None:
        params = self._params
        registry = agents if isinstance(agents, Registry) else Registry(agents)
        registry.require_nonempty()  # names the first loading problem, e.g. a mistyped path
        index = fit_index(list(registry), params.strategy, field_weights=params.fitted_field_weights)
        index.warm()  # a fit takes seconds; the first requests then find their known words' rows ready
        self._install(index, registry, MentionFinder(a.name for a in index.agents), params.fitted_field_weights)

    def _install(self, index: Index, registry: Registry, finder: MentionFinder, field_weights: Mapping[str, float]) -> None:
        # One attribute holds all state a call needs; assigning it is atomic, so a
        # concurrent call sees the old state or the new one, never a mix.
        with self._lock:
            params = self._params
            self._state = RouterState(index, params.rule(index.default_threshold), finder, registry,
                                      params.max_request_chars, field_weights)

    def snapshot(self) -> RouterState:
        """The state answering now (read-only): index, pick rule, mention finder and registry.

        Code that makes several calls against one router state (explain, lint,
        evaluation) takes one snapshot, so a concurrent :meth:`reload` cannot mix two.
        """
        return self._state

    @property
    def index(self) -> Index:
        """The fitted index answering calls now (immutable; replaced whole by :meth:`reload`)."""
        return self._state.index

    @property
    def fitted_strategy(self) -> str:
        """The strategy the current index was fitted with (``strategy`` stays as given, e.g. ``"auto"``)."""
        return self._state.index.strategy

    @property
    def strategy_reason(self) -> str:
        """Why :attr:`fitted_strategy` was chosen, with the fit's estimated cost (docs/routing.md)."""
        return self._state.index.strategy_reason

    @property
    def registry(self) -> Registry:
        """The registry the current index was fitted on (with its loading diagnostics)."""
        return self._state.registry

    @property
    def agents(self) -> tuple[Agent, ...]:
        return self._state.index.agents

    @property
    def effective_threshold(self) -> float:
        """``threshold``, or the fitted strategy's default when it is None (see docs/routing.md)."""
        return self._state.rule.threshold

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
        params = RouterParams(threshold=threshold, margin=margin, field_weights=field_weights,
                              max_request_chars=max_request_chars, mentions=mentions, strategy=strategy)
        router = cls(Registry.from_paths(paths, strict=strict, learned=learned), **params.to_dict())
        router._source = (list(paths), strict, learned)
        return router

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

    def pick(self, request: str) -> Route | None:
        """The best agent for ``request``, or None when no agent fits."""
        state = self._state
        text = state.prepare(request)
        if text is None:
            return None
        index, rule, finder = state.index, state.rule, state.finder  # each read once: the µs hot path
        named = finder.find(text) if rule.mentions else None
        # The rule answers a mention before reading scores: no need to compute them.
        scores, known = index.ranked_scores(text) if named is None else (_NO_SCORES, 0)
        agent, score, reason = rule.decide(_NO_SCORES if scores is None else scores, known, named, index.score_of)
        if agent is None:
            return None
        return Route(index.agents[agent], score) if reason == "picked" else Route(index.agents[agent], score, "mention")

    def decide(self, request: str) -> Decision:
        """What :meth:`pick` answers for ``request`` and why (a reason of :mod:`agentroute.routing.rule`)."""
        return self._state.decide(request)

    def rank(self, request: str, k: int = 5) -> list[Route]:
        """The ``k`` best agents, best first; never abstains (empty requests score 0 for all)."""
        return self._state.rank(request, k)

    def explain(self, request: str, *, k: int = 3, terms: int = 8) -> Explanation:
        """The top ``k`` agents with the terms and fields behind each score, and why ``pick`` would
        or would not abstain."""
        return explain(self._state, request, k=k, terms=terms)

    # -- batches ----------------------------------------------------------------------

    def pick_many(self, requests: Sequence[str], *, n_jobs: int | None = None) -> list[Route | None]:
        """``pick`` for each request, vectorised; ``n_jobs`` spreads chunks over joblib workers."""
        return self._batch(requests, None, n_jobs)  # type: ignore[return-value]

    def rank_many(self, requests: Sequence[str], k: int = 5, *, n_jobs: int | None = None) -> list[list[Route]]:
        """``rank`` for each request, vectorised; ``n_jobs`` spreads chunks over joblib workers."""
        check_k(k)
        return self._batch(requests, k, n_jobs)  # type: ignore[return-value]

    def _batch(self, requests: Sequence[str], k: int | None, n_jobs: int | None) -> list[object]:
        return self._state.route_many(requests, k, n_jobs)

    # -- persistence ------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write this router to ``path`` (atomically; no pickle). Load it with :meth:`Router.load`."""
        from agentroute.routing import persist

        persist.save(path, self._state.index, self.get_params())

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, threshold: float | None = None, warm: bool = False) -> Router:
        """A router saved by :meth:`save`; needs no scikit-learn and refuses damaged files.

        ``threshold``, when given, replaces the saved one (checked as ``Router(threshold=...)`` checks it).
        ``warm=True`` fills the learned per-word caches at once, as a fit does (for a long-running
        process: ~0.1 s for 150 intents × 100 examples, nothing for agent files), and for an inverted
        index (large registries) imports scipy.sparse, whose compiled kernels score each pick in
        0.6-0.8x the time (~150 ms, once); by default caches fill as requests come and numpy scores
        until scipy is loaded, so a one-shot process pays only for what it uses.
        """
        from agentroute.routing import persist

        index, settings = persist.load(path)
        try:
            params = RouterParams.from_dict(settings)
        except (KeyError, ValueError, TypeError) as error:
            raise RouterFileError(f"{path}: cannot load saved router: bad settings ({error})") from None
        if threshold is not None:
            params = params.changed(threshold=threshold)
        router = cls.__new__(cls)
        router._params = params
        router._source = None  # no paths to reload from
        router._lock = threading.RLock()
        if warm:
            index.warm()
        router._install(index, Registry(index.agents), MentionFinder(a.name for a in index.agents),
                        params.fitted_field_weights)
        return router

    def __repr__(self) -> str:
        state = self._state
        return (f"Router({len(state.index.agents)} agents, strategy={self.strategy!r}, fitted_strategy={state.index.strategy!r}, "
                f"threshold={state.rule.threshold:.4g}, reason={state.index.strategy_reason!r})")
