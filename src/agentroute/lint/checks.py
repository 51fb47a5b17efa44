"""Checks for agent authors: what makes a collection load badly or route badly.

:func:`lint` returns :class:`Finding` objects, worst first. Codes are stable
(docs/lint.md lists them); the severity says how much it hurts:

* **error**: the agent will not load, or Claude Code will not see it;
* **warning**: it loads, but is misread or routes badly;
* **info**: worth knowing (no examples, an example with no known word).

Sources of findings, in :data:`CODES` order: the registry's loading
diagnostics (AR1xx, each turned into a finding), the descriptions (AR2xx),
and routing itself (AR3xx): pairs of agents whose profile vectors are nearly
the same, and example requests or quoted trigger phrases that go to another
agent. An example routed with itself in place almost always comes home, so by
default (``examples="held-out"``) each one is routed with that example taken
out of its agent's profile, the vocabulary and IDF staying the registry's.
``"refit"`` fits a whole router per example instead, exactly as
:func:`agentroute.evaluation.loo.leave_one_out` does: on the 81 example requests and
trigger phrases of two public collections both gave the same verdicts, 150
times slower (29 s against 0.2 s for 158 agents); on the 22 of the built-in
agents they differed twice, the refit being the stricter. ``"in-place"``
routes with the example left in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from agentroute.errors import Diagnostic
from agentroute.lint.findings import (
    CODES,
    SEVERITIES,
    Finding,
    Severity,
    at_or_above,
    findings_to_json,
    format_findings,
    sort_key,
)
from agentroute.lint.routing_checks import ExampleMode, confusable_pairs, misrouted_examples
from agentroute.model import Agent
from agentroute.routing.profile import AGENT_STOP_WORDS, clean
from agentroute.registry import Registry

if TYPE_CHECKING:
    from agentroute.routing.router import Router

__all__ = ["CODES", "EXAMPLE_MODES", "SEVERITIES", "Finding", "Severity", "at_or_above",
           "findings_to_json", "format_findings", "lint"]

#: How :func:`lint` routes example requests (see the module docstring).
EXAMPLE_MODES: tuple[ExampleMode, ...] = ("held-out", "refit", "in-place")

_BLOCK_FIX = ("write it as a block, 'description: |' followed by lines indented by two spaces "
              "(no quoting or escaping needed inside)")
_WORD = re.compile(r"[a-z][a-z0-9+#]*(?:[.-][a-z0-9+#]+)*")


def lint(registry: Registry | Iterable[Agent], *, router: Router | None = None, similarity: float = 0.5,
         min_words: int = 6, examples: ExampleMode = "held-out") -> list[Finding]:
    """Every finding for ``registry``, worst first (see the module docstring).

    ``router`` is a fitted :class:`~agentroute.routing.router.Router` to check routing
    with (default: one fitted here with default settings). ``similarity`` is the
    cosine similarity above which two agents count as hard to tell apart;
    ``min_words`` the fewest content words a description should have.
    ``examples`` is how example requests are routed: ``"held-out"``,
    ``"refit"`` or ``"in-place"`` (see the module docstring).
    """
    if not 0 < similarity <= 1:
        raise ValueError(f"similarity must be in (0, 1], got {similarity!r}")
    if examples not in EXAMPLE_MODES:
        raise ValueError(f"examples must be one of {EXAMPLE_MODES}, got {examples!r}")
    registry = registry if isinstance(registry, Registry) else Registry(registry)
    findings = _from_diagnostics(registry)
    described = {f.path for f in findings if f.code == "AR104"}
    for agent in registry:
        findings += _description_findings(agent, min_words, agent.source in described)
    if not len(registry):
        findings.append(Finding("error", "AR001", "no agent definition loaded: nothing to route to",
                                fix="point lint at a folder of agent files (e.g. .claude/agents) or at the files"))
    else:
        if router is None:
            from agentroute.routing.router import Router

            router = Router(registry)
        findings += confusable_pairs(router, similarity)
        findings += misrouted_examples(list(registry), router, examples)
    return sorted(findings, key=sort_key)


# -- loading diagnostics (AR1xx) --------------------------------------------------------

def _code(d: Diagnostic) -> str:
    """The finding code of a loading diagnostic: the code it was created with (an error makes the
    file unusable, AR100, whatever went wrong; a diagnostic made without a code is AR109)."""
    if d.severity == "error":
        return "AR100"
    return d.code if d.code is not None and d.code in CODES else "AR109"


def _from_diagnostics(registry: Registry) -> list[Finding]:
    by_path = {agent.source: agent.name for agent in registry if agent.source}
    findings = []
    for d in registry.diagnostics:
        code = _code(d)
        severity, _ = CODES[code]
        message, fix, agent = d.message, d.fix, by_path.get(d.path or "")
        if code == "AR101" and d.field == "description" and "|" not in (fix or ""):
            fix = f"{fix}; or {_BLOCK_FIX}" if fix else _BLOCK_FIX
        if code == "AR110" and d.value is not None:
            agent = d.value
            kept = registry.get(d.value)
            first = kept.source if kept is not None else None
            if first:
                message = (f"agent name {d.value!r} is defined again here; {first} comes first "
                           "in the search path and wins, this file is ignored")
                if d.path and os.path.dirname(first) == os.path.dirname(d.path):
                    # Across folders Claude Code's precedence matches; inside one it is unspecified.
                    message += " (both are in one folder: which one Claude Code keeps is not documented)"
        findings.append(Finding(severity, code, message, agent, d.path, d.line, d.field, d.value,
                                fix))
    return findings


# -- descriptions (AR2xx) ---------------------------------------------------------------

def _content_words(text: str) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = ENGLISH_STOP_WORDS | AGENT_STOP_WORDS
    return [w for w in _WORD.findall(clean(text).lower()) if w not in stop and len(w) > 1]


#: Descriptions longer than this (characters, once <example> blocks are taken out) get AR204: the longest
#: of the 732 agents in the open collections we read has 760; past a few sentences each word of the
#: agent's topic weighs little in its profile, and an orchestrator's model reads it on every turn.
LONG_DESCRIPTION_CHARS = 2_000


def _description_findings(agent: Agent, min_words: int, reported_empty: bool) -> list[Finding]:
    findings = []
    where: dict[str, Any] = {"agent": agent.name, "path": agent.source, "field": "description"}
    words = _content_words(agent.description)
    plain = _WORD.findall(agent.description.lower())
    if not agent.description.strip():
        if not reported_empty:
            findings.append(Finding("warning", "AR201", "the description is empty; routing and "
                                    "delegation have only the name and prompt to go on",
                                    fix="add a description: what the agent does and the requests "
                                        "it should take", **where))
    elif not words:
        findings.append(Finding("warning", "AR202", "the description is only delegation "
                                "boilerplate ('use this agent', 'proactively'...): it says nothing "
                                "about which requests fit", value=agent.description,
                                fix="name the tasks, technologies and words users write", **where))
    elif len(set(words)) < min_words:
        findings.append(Finding("warning", "AR201", f"the description has {len(set(words))} "
                                f"content word(s) ({', '.join(sorted(set(words)))}) of "
                                f"{len(plain)}; fewer than {min_words} makes the agent hard to "
                                "pick", value=agent.description,
                                fix="say what the agent does and for which requests, with the "
                                    "words users write", **where))
    if len(agent.description) > LONG_DESCRIPTION_CHARS:
        findings.append(Finding("warning", "AR204", f"the description has {len(agent.description):,} characters "
                                f"({len(plain):,} words): the words that say what the agent does weigh little among "
                                "them, and an orchestrator reads all of it on every turn",
                                fix=f"keep the description to what the agent does and when to use it (under "
                                    f"{LONG_DESCRIPTION_CHARS:,} characters); move reference material to the prompt "
                                    "below the frontmatter", **where))
    if not agent.examples:
        findings.append(Finding("info", "AR203", "no <example> blocks: the description alone "
                                "tells an orchestrator when to delegate", agent=agent.name,
                                path=agent.source, field="description",
                                fix="add 2-4 <example> blocks with a real 'user:' request"))
    return findings
