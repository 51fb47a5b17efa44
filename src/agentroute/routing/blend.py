"""The *blended* strategy: authored text and learned examples score together, weighted by evidence.

An agent's score is a convex mix of two scores it already has::

    score(a) = (1 - λ_a) · cos(q, profile_a)  +  λ_a · σ(4 · d_a(q)),
    λ_a = n_a / (n_a + EVIDENCE · (1 + authored words_a / 10))

* ``cos(q, profile_a)`` is the profile strategy's cosine against the agent's
  name, description, examples and body (:func:`~agentroute.routing.profile_index.build_profile_index`);
* ``d_a`` is the decision value of the agent's one-vs-rest linear SVM trained on
  the example requests plus one name-and-description sample per agent, as
  the linear strategy trains (:mod:`agentroute.routing.ovr`), through the linear
  strategy's logistic (slope 4): an agent the SVM rejects (d ≈ -1) gets ~0.02,
  so a learned part that knows nothing about a request cannot outvote the
  profile's evidence, while one that recognises it (d ≥ 0) brings 0.5 or more;
* ``n_a`` is how many example requests agent ``a`` has, weighed against how
  much text its author wrote: an agent with no examples keeps exactly its
  profile score, the more examples the more its learned score counts, and a
  long body keeps counting until the examples outnumber it.

Both parts are sparse products over one feature space (the profile's
features next to the learned ones, :meth:`FeatureSpace.concat`) and one ``W``
whose rows split at ``learned_offset``: :meth:`Index.scores` computes the two
parts from the query's ids on each side and mixes them, so serving, batches,
``explain`` and saved files work as for the other strategies.

Learned examples (``Example.learned``: from a learned-examples file, not the author) count in
``n_a`` and train the SVMs like authored ones, but join the profile text only where they carry
most of the agent's score (λ_a ≥ :data:`LEARNED_PROFILE_SHARE`). Beside long bodies the profile is
the author's words: a few learned requests in its examples field reshaped which words weigh what
and moved right picks below the threshold, so learning lowered accuracy (issue 12, built-in dev
halves, docs/learning.md).

``EVIDENCE`` (:mod:`agentroute.routing.evidence`) was chosen on training/validation data only: CLINC150's
validation split at k = 1 … all examples per intent, a seeded carve-out of
BANKING77's training split, and the built-in agents' dev split (docs/routing.md).

Abstention (issue 12: learned examples must not make right picks abstain): the default
threshold is the blended score of a *borderline* request (:meth:`Index.default_threshold`),
``(1 - λ̄) · 0.065 + λ̄ · t``, where the learned part's borderline score ``t`` moves from its
*silent* score ``σ(4 · b)`` (what it gives a request it has no features for) to the linear
strategy's 0.13 as the registry's mean share λ̄ grows. With a few examples beside long bodies
the SVMs do not recognise unseen requests of their own agent (built-in dev halves: the right
agent's learned score has median 0.046, its silent score 0.042), so the former
``(1 - λ̄) · 0.065 + λ̄ · 0.13`` rose with every example while in-scope scores did not, and
right picks abstained; intent data (λ̄ ≈ 1) keeps ~0.13. And an agent's examples vouch for
generic words (``profile_index.EXAMPLES_VOUCH``) only when they carry most of its score
(λ_a ≥ :data:`VOUCH_SHARE`): a "tell me a joke" intent still picks, while five requests
learned by an agent with a long body no longer turn "make", "new" or "page" into evidence
and let chit-chat through. Both were chosen on halves of the built-in dev file (learn from
one half, validate on the other, 8 seeded splits) and checked on CLINC150 validation;
never on a test split.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np

from agentroute.features.space import FeatureSpace
from agentroute.model import Agent
from agentroute.routing import evidence as _evidence  # its parameter `evidence` would shadow the module's name
from agentroute.routing.index import Index
from agentroute.routing.profile_index import build_profile_index
from agentroute.routing.scoring import make_weights

#: Learned share from which an agent's examples may vouch for generic words (``profile_index.EXAMPLES_VOUCH``).
VOUCH_SHARE = 0.5
#: Mean learned share from which the learned part adds character n-grams to its word features.
#: Below it (agent files: a few examples beside long bodies) they changed nothing measurable on
#: the built-in dev halves (64.0/65.1/63.8/63.1 with, 64.0/64.6/64.5/62.8 without, k = 0/1/2/4)
#: or the realistic dev set (83.9% sensible both), and cost ~30% of each pick (32.6 -> 22.8 µs
#: for the built-in agents); intent data (λ̄ near 1) needs them (CLINC150 validation 94.1 vs 92.8).
CHAR_NGRAMS_SHARE = 0.5
#: Whether a learned part without character n-grams reads words in their singular forms, as profiles
#: do, so a learned "crashes" meets a request's "crash" (built-in dev halves, k = 0/1/2/4: 64.0 / 64.8 /
#: 64.6 / 64.6 without, 64.0 / 64.8 / 65.0 / 65.1 with; with the related-word table on, 68.0 / 67.9 /
#: 68.0 / 68.0 and 68.0 / 68.2 / 68.2 / 68.3). Costs ~3 µs of a ~23 µs built-in pick.
LEARNED_WORD_FORMS = True
#: Learned share λ_a from which an agent's learned requests (``Example.learned``) also join its profile
#: text. Below it the profile is the author's words and learned requests count through the SVMs only:
#: in the profile they reshaped which authored words weigh what and made right picks abstain (issue 12).
#: Intent data (λ_a ≥ 0.5 from the first example) keeps them there: CLINC150 validation at k = 1 per
#: intent, 58.6 with them, 55.4 without.
LEARNED_PROFILE_SHARE = 0.5


def authored_only(agents: Sequence[Agent], keep: Sequence[bool] | None = None) -> list[Agent]:
    """The agents as their authors wrote them: learned examples (``Example.learned``) left out,
    except for the agents ``keep`` marks."""
    return [a if (keep is not None and keep[i]) or not any(e.learned for e in a.examples)
            else replace(a, examples=tuple(e for e in a.examples if not e.learned)) for i, a in enumerate(agents)]


def build_blended_index(agents: Sequence[Agent], *, field_weights: Mapping[str, float], method: str = "full",
                        evidence: float | None = None) -> Index:
    """The profile index and the examples' one-vs-rest SVMs, mixed per agent by :func:`~agentroute.routing.evidence.evidence_weights`."""
    from scipy.sparse import csr_matrix, diags, vstack

    from agentroute.routing.linear import LOGISTIC_SCALE, fit_learned

    evidence = _evidence.EVIDENCE if evidence is None else evidence  # read at call time: benchmarks vary it

    lam = _evidence.evidence_weights(agents, evidence)
    # Examples vouch for generic words only where they carry most of the agent's score (see above).
    profile = build_profile_index(authored_only(agents, keep=list(lam >= LEARNED_PROFILE_SHARE)), field_weights=field_weights,
                                  may_vouch=list(lam >= VOUCH_SHARE))
    if np.count_nonzero(lam) == 0:  # nothing learned: the profile alone
        return Index(tuple(agents), profile.space, profile.weights, "blended", extra={"evidence": evidence,
                     "fit_method": "none", "learned_offset": profile.space.n_features, "learned_share": [0.0] * len(agents)})
    # Every agent is a class (its examples plus its name and description, as the linear strategy
    # trains), so agents without examples still serve as negatives; only λ > 0 columns are used.
    char_ngrams = method == "full" and bool(lam.mean() >= CHAR_NGRAMS_SHARE)
    # Word forms only for the full fit (agent-file registries); the sampled one's cost was measured without them.
    space, learned, bias = fit_learned(agents, method, char_ngrams=char_ngrams,
                                       word_forms=LEARNED_WORD_FORMS and method == "full")
    weights = vstack([profile.weights.to_csr(), csr_matrix(learned, dtype=np.float32)], format="csr")
    combined = FeatureSpace.concat([profile.space, space])
    return Index(tuple(agents), combined, make_weights(weights), "blended", bias=np.asarray(bias, dtype=np.float64),
                 extra={"evidence": evidence, "fit_method": method, "logistic_scale": LOGISTIC_SCALE,
                        "learned_features": "word+char" if char_ngrams else "words",
                        "learned_offset": profile.space.n_features, "learned_share": [round(float(x), 6) for x in lam]})

