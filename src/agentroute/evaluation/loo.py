"""Leave-one-out on a registry's own examples: the check an agent author can run with no labelled data.

Each example request (and each trigger phrase a description quotes, such as
``Triggers on: 'GDPR', 'data subject request'``) is taken out of its agent,
a router is fitted on what is left, and the request is routed. An agent that
cannot win back its own examples will not win real requests either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from agentroute.model import Agent
from agentroute.sources.description import trigger_phrases

if TYPE_CHECKING:
    from agentroute.routing.router import Router

#: Builds a router (or anything with ``rank``) from agents; the default is
#: ``Router(agents, threshold=0.0, mentions=False)``, or a :func:`rebuild` of ``like``.
RouterFactory = Callable[[Sequence[Agent]], object]


@dataclass(frozen=True)
class LooCase:
    agent: str
    request: str
    kind: str  # "example" or "trigger"
    ranked: tuple[str, ...]  # the top agents, best first

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] == self.agent


@dataclass(frozen=True)
class LooReport:
    cases: tuple[LooCase, ...]
    k: int

    @property
    def n(self) -> int:
        return len(self.cases)

    @property
    def top1_accuracy(self) -> float | None:
        return sum(c.top1 for c in self.cases) / self.n if self.cases else None

    @property
    def top_k_accuracy(self) -> float | None:
        return sum(c.agent in c.ranked[: self.k] for c in self.cases) / self.n if self.cases else None


def held_out_variants(agent: Agent) -> Iterable[tuple[Agent, str, str]]:
    """``(agent without one example or trigger phrase, that request, kind)`` for each one."""
    for position, example in enumerate(agent.examples):
        if example.request.strip():
            kept = agent.examples[:position] + agent.examples[position + 1 :]
            yield replace(agent, examples=kept), example.request, "example"
    for phrase in trigger_phrases(agent.description):
        description = re.sub(re.escape(phrase), " ", agent.description, flags=re.IGNORECASE)
        yield replace(agent, description=description), phrase, "trigger"


def rebuild(params: Mapping[str, Any], agents: Sequence[Agent]) -> Router:
    """A router fitted on ``agents`` with ``params`` (``Router.get_params()``), except that it never
    abstains and reads no mentions: what leave-one-out and lint's refits rank with."""
    from agentroute.routing.router import Router

    return Router(agents, **{**params, "threshold": 0.0, "mentions": False})


def leave_one_out(
    agents: Sequence[Agent],
    *,
    k: int = 3,
    router_factory: RouterFactory | None = None,
    like: Router | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LooReport:
    """Route every example request with that example held out of its agent (one fit per case).

    Each fit uses ``router_factory``, else the parameters of the router ``like``
    (field weights, strategy, request cut; see :func:`rebuild`), else the defaults.
    """
    params = like.get_params() if like is not None else {}
    factory: RouterFactory = router_factory or (lambda fitted_on: rebuild(params, fitted_on))
    agents = list(agents)
    jobs = [(i, variant, request, kind) for i, agent in enumerate(agents) for variant, request, kind in held_out_variants(agent)]
    cases = []
    for done, (position, variant, request, kind) in enumerate(jobs, 1):
        router = factory(agents[:position] + [variant] + agents[position + 1 :])
        ranked = tuple(r.agent.name for r in router.rank(request, k=k))  # type: ignore[attr-defined]
        cases.append(LooCase(agents[position].name, request, kind, ranked))
        if progress is not None:
            progress(done, len(jobs))
    return LooReport(tuple(cases), k)
