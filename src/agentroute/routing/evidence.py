"""How much each agent's examples count against its authored text: the blend's share λ per agent.

The blended strategy (:mod:`agentroute.routing.blend`) mixes each agent's profile cosine and its
learned score by λ, and the plan (:mod:`agentroute.routing.plan`) reads λ to decide whether the
profile part is worth fitting at all; both take it from here.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from agentroute.model import Agent

#: Examples at which an agent's learned score and its profile score weigh the same, per unit of authored text.
EVIDENCE = 0.5
#: Authored words that count as one example's worth of evidence (an example request is ~10 words).
WORDS_PER_EXAMPLE = 10.0


def evidence_weights(agents: Sequence[Agent], evidence: float | None = None) -> np.ndarray:
    """λ per agent: the share of its score that comes from what was learned from its examples.

    ``n / (n + evidence · (1 + authored / WORDS_PER_EXAMPLE))``: ``n`` examples against the
    authored text (name, description, body) counted in example-sized units of words, so an
    agent with a long body needs many examples before they outweigh it, and an intent
    with only a name learns from its first example.
    """
    evidence = EVIDENCE if evidence is None else evidence
    counts = np.array([sum(1 for e in a.examples if e.request.strip()) for a in agents], dtype=np.float64)
    authored = np.array([len(a.name.replace("-", " ").replace("_", " ").split()) + len(a.description.split())
                         + len(a.prompt.split()) for a in agents], dtype=np.float64)
    return counts / (counts + evidence * (1.0 + authored / WORDS_PER_EXAMPLE))
