"""Which strategy a router fits, why, and what it will cost: decided before anything is fitted.

A fit that would not fit in memory must never start: scikit-learn's
``LinearSVC`` holds a dense agents × features coefficient matrix, which at
10,000 agents is tens of gigabytes (liblinear then dies with a segmentation
fault rather than raising). So :func:`plan_fit` estimates, from counts that
cost no more than reading the examples once (agents, examples, characters,
distinct words), the peak memory and time of the learned path, and:

* ``strategy="auto"`` falls back to the profile strategy, recording why;
* an explicit ``strategy="linear"`` or ``"blended"`` raises :class:`FitBudgetError`
  naming the numbers and the fix.

The estimates are deliberately pessimistic upper bounds (they assume every
distinct feature can appear in every agent's weights unless the fit prunes
them); ``benchmarks/learned_scale.py`` prints them beside measured figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from agentroute.errors import AgentrouteError
from agentroute.model import Agent
from agentroute.routing.evidence import evidence_weights

#: Largest estimated peak memory (bytes) of a learned fit; above it the fit is not started.
MEMORY_BUDGET_BYTES = 2 * 1024**3

#: The median agent needs this many examples for ``auto`` to learn from them (see docs/routing.md).
MIN_MEDIAN_EXAMPLES = 1
#: Largest share of any agent's blended score left to its authored text (``1 - λ_a``,
#: :func:`agentroute.routing.evidence.evidence_weights`) at which ``auto`` fits the linear strategy instead of
#: the blend: intent-style registries (a name, many examples) whose profile part would change scores
#: by at most 5% while costing ~45% of every pick (CLINC150: 31 -> 17 µs). Chosen on validation data
#: only: blended vs linear closed-set accuracy, CLINC150 validation at 20 / 50 / all examples per
#: intent (1 - λ ≤ 0.036) 87.70 / 92.03 / 94.03 vs 87.63 / 92.03 / 94.00, out-of-scope recall at the
#: default thresholds 71 / 67 / 64 vs 73 / 67 / 64; BANKING77 carve-out 90.81 vs 90.71; SNIPS
#: validation 98.57 both. At 10 per intent (1 - λ = 0.07) the blend led by 0.9 in-scope points.
LINEAR_PROFILE_SHARE = 0.05

# Cost model constants, measured on 2 vCPU (benchmarks/learned_scale.py prints estimate vs measured).
#: Non-zeros per example character (char_wb 2-5 grams ~4 per character, word 1-2 grams); the
#: full method's 2-4 grams make ~3: kept as a bound from above.
_NNZ_PER_CHAR = 4.5
#: Non-zeros per example character with words, word pairs and 5-letter prefixes (the sampled method).
_NNZ_PER_CHAR_WORDS = 0.5
#: Resident memory of one joblib worker process (Python, numpy, scipy, scikit-learn imported).
_WORKER_BYTES = 150 * 1024**2
#: Bytes per training non-zero across the copies a fit holds (CSR float64 + liblinear's nodes).
_BYTES_PER_NNZ = 48
#: Distinct char_wb 2-5 grams per distinct word (upper bound of the char vocabulary).
_CHAR_FEATURES_PER_WORD = 12
#: Bytes per vocabulary entry (a short str key and an int in a dict, and its sorted copy).
_BYTES_PER_TERM = 160
#: Seconds per (training non-zero × agent) of a full one-vs-rest liblinear fit.
_SECONDS_PER_NNZ_AGENT = 2.5e-8


class FitBudgetError(AgentrouteError, ValueError):
    """A strategy was asked for whose fit would exceed the memory budget; nothing was allocated."""


@dataclass(frozen=True)
class RegistryStats:
    """What the cost of a fit depends on, counted without vectorising anything."""

    agents: int
    examples: int
    example_chars: int
    distinct_words: int
    median_examples: int

    @classmethod
    def of(cls, agents: Sequence[Agent]) -> RegistryStats:
        counts = sorted(len(agent.examples) for agent in agents)
        words: set[str] = set()
        chars = 0
        for agent in agents:
            for example in agent.examples:
                chars += len(example.request)
                words.update(example.request.lower().split())
        return cls(len(agents), sum(counts), chars, len(words), counts[len(counts) // 2] if counts else 0)


@dataclass(frozen=True)
class FitCost:
    """Estimated peak memory and time of fitting the learned weights (an upper bound)."""

    peak_bytes: int
    seconds: float
    features: int
    method: str  # "full" (one liblinear fit over all examples) or "sampled" (see routing/ovr.py)

    def describe(self) -> str:
        return (f"~{self.peak_bytes / 1024**2:,.0f} MB peak and ~{self.seconds:,.0f} s "
                f"({self.method} one-vs-rest, up to {self.features:,} features)")


@dataclass(frozen=True)
class Plan:
    """The strategy a router fits and the reason, in words a user can act on."""

    strategy: str
    reason: str
    cost: FitCost | None = None


def learned_cost(stats: RegistryStats) -> FitCost:
    """Peak memory and time of the learned fit for a registry of this size (upper bounds)."""
    from agentroute.routing import ovr  # the fit's own parameters decide between its two methods

    nnz = int(stats.example_chars * _NNZ_PER_CHAR) + stats.agents * 40  # plus one name sample per agent
    # Word unigrams + bigrams are bounded by the tokens, char grams by the distinct words.
    features = stats.distinct_words * (1 + _CHAR_FEATURES_PER_WORD) + stats.example_chars // 5
    full_seconds = nnz * stats.agents * _SECONDS_PER_NNZ_AGENT
    if full_seconds <= ovr.FULL_MAX_SECONDS:
        # liblinear's w (features × agents, float64) plus scikit-learn's coef_ copy and ours (float32).
        coef = features * stats.agents * (8 + 8 + 4)
        return FitCost(nnz * _BYTES_PER_NNZ + features * _BYTES_PER_TERM + coef, full_seconds, features, "full")
    # Sampled: words, pairs and prefixes only (about 3 features per 6 characters); each agent's
    # problem has its own examples and a bounded sample of negatives over only the columns those
    # rows use; kept weights are capped per agent; each worker process holds its problems.
    nnz = int(stats.example_chars * _NNZ_PER_CHAR_WORDS) + stats.agents * 20
    features = stats.distinct_words * 2 + stats.example_chars // 5
    kept = stats.agents * ovr.MAX_WEIGHTS_PER_AGENT * (8 + 8 + 4)
    workers = ovr.workers()
    peak = nnz * _BYTES_PER_NNZ + features * _BYTES_PER_TERM + kept + workers * _WORKER_BYTES
    return FitCost(peak, stats.agents * ovr.SECONDS_PER_PROBLEM / workers, features, "sampled")


def plan_fit(agents: Sequence[Agent], strategy: str, *, budget_bytes: int | None = None) -> Plan:
    """Decide the strategy to fit (``strategy`` is what the user asked for) before fitting anything.

    Raises :class:`FitBudgetError` when a learned strategy was asked for explicitly
    and its estimated peak memory exceeds the budget.
    """
    budget = MEMORY_BUDGET_BYTES if budget_bytes is None else budget_bytes
    if strategy == "profile":
        return Plan("profile", "strategy='profile' was asked for")
    stats = RegistryStats.of(agents)
    if strategy == "auto":
        if stats.agents < 2:
            return Plan("profile", "auto: one agent, nothing to learn to tell apart")
        if stats.median_examples < MIN_MEDIAN_EXAMPLES:
            return Plan("profile", f"auto: the median agent has {stats.median_examples} example requests "
                                   f"(< {MIN_MEDIAN_EXAMPLES}), so only the authored text is scored")
    elif stats.agents < 2:
        raise FitBudgetError(f"strategy={strategy!r} needs at least two agents to tell apart; "
                             "use strategy='profile' or 'auto'")
    cost = learned_cost(stats)
    wanted, profile_share = strategy, 1.0
    if strategy == "auto":  # decided before the budget check, so its message names what would have been fitted
        profile_share = largest_profile_share(agents)
        wanted = "linear" if profile_share <= LINEAR_PROFILE_SHARE else "blended"
    size = f"{stats.agents:,} agents, {stats.examples:,} examples"
    if cost.peak_bytes > budget:
        message = (f"the {wanted} fit of {size} would need {cost.describe()}, over the "
                   f"{budget / 1024**2:,.0f} MB budget (agentroute.routing.plan.MEMORY_BUDGET_BYTES)")
        if strategy == "auto":
            return Plan("profile", f"auto: {message}; fell back to the profile strategy", cost)
        raise FitBudgetError(f"refusing to start: {message}. Fix: use strategy='profile' (or 'auto', which "
                             "falls back to it), fit fewer examples, or raise the budget if the memory exists")
    if strategy != "auto":
        return Plan(wanted, f"strategy={strategy!r} was asked for; fit {cost.describe()} for {size}", cost)
    examples = f"the median agent has {stats.median_examples} example requests (>= {MIN_MEDIAN_EXAMPLES})"
    if wanted == "linear":
        return Plan("linear", f"auto: {examples}, and authored text would carry at most {profile_share:.1%} of any "
                              f"agent's blended score (<= {LINEAR_PROFILE_SHARE:.0%}), so the examples are scored "
                              f"alone; fit {cost.describe()} for {size}", cost)
    return Plan(wanted, f"auto: {examples}, so authored text and examples are blended; fit {cost.describe()} "
                        f"for {size}", cost)


def largest_profile_share(agents: Sequence[Agent]) -> float:
    """The largest share of an agent's blended score its authored text would carry (``1 - λ_a``)."""
    return float(1.0 - evidence_weights(agents).min()) if agents else 1.0
