"""Routing checks of :func:`agentroute.lint.checks.lint` (codes AR301-AR303).

* AR301: agents whose profile columns in the router's weight matrix ``W``
  (features x agents) have a cosine similarity at or above a threshold; the
  most shared words are named so the author sees why.
* AR302/AR303: example requests and quoted trigger phrases (see
  :func:`agentroute.evaluation.loo.held_out_variants`) that go to another agent, or that
  share no word with any agent, routed as ``mode`` says (``"held-out"``,
  ``"refit"`` or ``"in-place"``; see :mod:`agentroute.lint.checks`).

Ties go to the earlier agent, as :meth:`Router.rank` breaks them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from agentroute.lint.findings import Finding
from agentroute.routing.profile_index import profile_matrix
from agentroute.evaluation.loo import held_out_variants, rebuild
from agentroute.model import Agent

if TYPE_CHECKING:
    from agentroute.routing.router import Router

__all__ = ["ExampleMode", "confusable_pairs", "misrouted_examples"]

ExampleMode = Literal["held-out", "refit", "in-place"]


def confusable_pairs(router: Router, threshold: float, *, block: int = 256) -> list[Finding]:
    """Pairs of agents whose profiles (columns of W, features x agents) have cosine >= threshold."""
    from sklearn.preprocessing import normalize

    index = router.snapshot().index
    unit = normalize(index.weights.to_csr().T.tocsr().astype(np.float64))  # agents x features
    terms = _term_names(index.space)
    agents = index.agents
    findings = []
    for start in range(0, len(agents), block):  # block x n at a time: bounded memory at 10k agents
        sims = np.asarray((unit[start : start + block] @ unit.T).todense())
        for row, col in zip(*np.nonzero(sims >= threshold)):
            i, j = start + int(row), int(col)
            if j <= i:
                continue  # each pair once, and never an agent with itself
            a, b = agents[i], agents[j]
            shared = _shared_terms(unit, i, j, terms)
            findings.append(Finding(
                "warning", "AR301", f"agents {a.name!r} and {b.name!r} are hard to tell apart "
                f"(cosine similarity {sims[row, col]:.2f} of their profiles"
                + (f"; most shared words: {', '.join(shared)}" if shared else "") + ")",
                agent=a.name, path=a.source, related=b.name, value=f"{sims[row, col]:.3f}",
                fix="make each description say what the other agent does not, or merge them"))
    return findings


def _term_names(space: Any) -> dict[int, str]:
    names: dict[int, str] = {}
    for block in getattr(space, "blocks", ()):
        for term, position in block.vocabulary.items():
            if not term.startswith("~"):  # prefix features repeat the words they come from
                names[block.offset + position] = term
    return names


def _shared_terms(unit: Any, i: int, j: int, terms: Mapping[int, str], n: int = 5) -> list[str]:
    """The words that add most to the similarity of agents i and j (rows of ``unit``)."""
    product = unit[i].toarray().ravel() * unit[j].toarray().ravel()
    order = np.argsort(-product, kind="stable")
    return [terms[int(k)] for k in order[: 4 * n] if product[k] > 0 and int(k) in terms][:n]


def misrouted_examples(agents: Sequence[Agent], router: Router, mode: ExampleMode) -> list[Finding]:
    index = router.snapshot().index
    position = {agent.name: i for i, agent in enumerate(index.agents)}
    findings = []
    for agent in agents:
        if agent.name not in position:
            continue  # a router fitted on other agents cannot judge this one
        for variant, request, kind in held_out_variants(agent):
            scores = _scores(router, request, position[agent.name], variant, mode)
            held_out = mode != "in-place"
            best = int(np.argmax(scores))  # first of equal scores: registry order, as routing does
            what = "example request" if kind == "example" else "trigger phrase"
            where: dict[str, Any] = {"agent": agent.name, "path": agent.source,
                                     "field": "description", "value": request}
            if scores[best] <= 0.0:
                findings.append(Finding("info", "AR303", f"the {what} {_short(request)!r} "
                                        "shares no word with any "
                                        "agent" + (" once held out" if held_out else "")
                                        + ", so no score can route it",
                                        fix="use the words of the request in the description or "
                                            "prompt too", **where))
            elif best != position[agent.name]:
                other = index.agents[best].name
                findings.append(Finding(
                    "warning", "AR302", f"the {what} {_short(request)!r} routes to {other!r} (score "
                    f"{scores[best]:.2f}) instead of {agent.name!r} "
                    f"({scores[position[agent.name]]:.2f})" + (" when held out" if held_out else ""),
                    related=other, fix=f"make the description of {agent.name!r} say what this "
                    f"request is about, or narrow {other!r}", **where))
    return findings


def _scores(router: Router, request: str, own: int, variant: Agent, mode: ExampleMode) -> np.ndarray:
    """Scores of every agent for ``request`` with agent ``own`` replaced by ``variant``.

    ``"held-out"`` rebuilds only that agent's profile column (vocabulary and
    IDF stay the registry's); ``"refit"`` fits a new router with the same
    parameters, as :func:`agentroute.evaluation.loo.leave_one_out` does;
    ``"in-place"`` keeps the agent as it is.
    """
    state = router.snapshot()
    index = state.index
    text = state.prepare(request) or ""
    if mode == "in-place":
        return index.scores(text)[0]
    if mode == "refit" or index.strategy != "profile":
        agents = list(index.agents)
        agents[own] = variant
        return rebuild(router.get_params(), agents).snapshot().index.scores(text)[0]
    ids, values = index.space.vectorize(text)
    if len(ids) == 0:
        return np.zeros(len(index.agents))
    raw = np.asarray(index.weights.score(ids, values), dtype=np.float64)
    profile: Any = profile_matrix(index.space, [variant], state.field_weights)  # 1 x features, sparse
    column = profile.toarray().ravel()
    raw[own] = float(np.asarray(values, dtype=np.float64) @ column[ids])
    return index.normalize(raw)


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
