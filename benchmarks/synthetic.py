"""Seeded synthetic agent registries and requests for the latency benchmarks.

The words follow a Zipfian law (frequency ∝ 1 / rank^1.07, as English text
does): the most frequent ranks are real English function words (which the
router's stop-word list removes, as it would in real agent files), the rest are
pronounceable pseudo-words of 4–12 letters. Each agent has a *topic*: a few
dozen mid-frequency words that it uses far more than other agents, so routing
has signal to find, as with real agents.

Lengths follow the 727 real agents of ../shared/corpora (measured there):
descriptions are log-normal around a median of 27 words (sigma 0.36) and
bodies (system prompts) around a median of 630 words (sigma 0.84, mean ~890).

Everything depends only on ``seed``: the same seed gives the same agents and
requests on every machine and in every process (no hash-order dependence).

    python benchmarks/synthetic.py 5   # print five sample agents
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from agentroute import Agent, Example

#: Most frequent words of English prose, in rough frequency order: the head of the Zipf law.
FUNCTION_WORDS = (
    "the of and to a in is that for it as with be on this are by or from at an not "
    "you your we can will if when all which but has have should use any each more "
    "these into also one other its do so how than them then there what they only new"
).split()

ZIPF_EXPONENT = 1.07
VOCABULARY_SIZE = 60_000
TOPIC_WORDS = 40
#: Share of an agent's words drawn from its topic (the rest from the common Zipf law).
TOPIC_SHARE = 0.18
DESCRIPTION_MEDIAN, DESCRIPTION_SIGMA = 27, 0.36
BODY_MEDIAN, BODY_SIGMA = 630, 0.84

_ONSETS = "b c d f g h j k l m n p r s t v w z br cl dr fl gr pl pr sk sl sp st str th tr".split()
_VOWELS = "a e i o u ai ea ee io ou".split()
_CODAS = ["", "", "n", "r", "s", "t", "l", "nd", "ng", "rk", "st", "x"]


def vocabulary(size: int = VOCABULARY_SIZE, seed: int = 0) -> list[str]:
    """``size`` distinct words, most frequent first: function words, then pseudo-words."""
    rng = np.random.default_rng(seed)
    syllables = [o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS]
    words = list(FUNCTION_WORDS)
    seen = set(words)
    while len(words) < size:
        batch = 2 * (size - len(words)) + 100
        counts = rng.integers(1, 5, size=batch).tolist()
        picks = rng.integers(len(syllables), size=(batch, 4)).tolist()
        for count, row in zip(counts, picks):
            word = "".join([syllables[j] for j in row[:count]])
            if 4 <= len(word) <= 12 and word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) == size:
                    break
    return words


def zipf_probabilities(size: int, exponent: float = ZIPF_EXPONENT) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1, dtype=np.float64) ** exponent
    return weights / weights.sum()


def _lognormal_length(rng: np.random.Generator, median: int, sigma: float, low: int) -> int:
    return max(low, round(median * float(np.exp(rng.normal(0.0, sigma)))))


def _sentences(words: list[str], rng: np.random.Generator) -> str:
    """Words cut into sentences of 8–20 words and paragraphs of 3–6 sentences (markdown-ish)."""
    out: list[str] = []
    position = 0
    sentence_count = 0
    while position < len(words):
        length = int(rng.integers(8, 21))
        sentence = words[position : position + length]
        position += length
        out.append(" ".join(sentence).capitalize() + ".")
        sentence_count += 1
        if sentence_count % int(rng.integers(3, 7)) == 0:
            out.append("\n\n")
    return " ".join(out).replace(" \n\n ", "\n\n").strip()


def make_agents(n: int, *, seed: int = 0, examples: int = 0) -> list[Agent]:
    """``n`` agents with unique names, Zipfian text and realistic lengths; seeded.

    With ``examples``, each agent also carries that many example requests: 5-20 word windows
    of its own description or body, as :func:`make_requests` draws test requests (from a
    separate seeded stream, so the agents' text is the same whatever ``examples`` is).
    """
    words = vocabulary(seed=seed)
    cdf = np.cumsum(zipf_probabilities(len(words)))
    topic_cdf = np.cumsum(zipf_probabilities(TOPIC_WORDS, 0.8))
    rng = np.random.default_rng(seed + 1)
    # Topic words come from ranks 300..30,000: frequent enough to recur, rare enough to discriminate.
    topic_pool = np.arange(300, min(30_000, len(words)))
    agents = []
    for i in range(n):
        topic = rng.choice(topic_pool, size=TOPIC_WORDS, replace=False)

        def draw(count: int, topic: np.ndarray = topic) -> list[str]:
            # Inverse-CDF sampling: rng.choice(p=...) would rebuild a 60k-entry CDF per call.
            ids = np.minimum(np.searchsorted(cdf, rng.random(count)), len(words) - 1)
            from_topic = rng.random(count) < TOPIC_SHARE
            picks = np.minimum(np.searchsorted(topic_cdf, rng.random(int(from_topic.sum()))), TOPIC_WORDS - 1)
            ids[from_topic] = topic[picks]
            return [words[j] for j in ids.tolist()]

        description = _sentences(draw(_lognormal_length(rng, DESCRIPTION_MEDIAN, DESCRIPTION_SIGMA, 5)), rng)
        body_words = draw(_lognormal_length(rng, BODY_MEDIAN, BODY_SIGMA, 30))
        heading = f"# {words[topic[0]].capitalize()} {words[topic[1]]}\n\n"
        body = heading + _sentences(body_words, rng)
        name = f"{words[topic[0]]}-{words[topic[1]]}-{i:05d}"
        agents.append(Agent(name=name, description=description, prompt=body))
    if examples:
        draw_rng = np.random.default_rng(seed + 3)
        agents = [Agent(name=a.name, description=a.description, prompt=a.prompt,
                        examples=tuple(Example(request=_window(a, draw_rng)) for _ in range(examples))) for a in agents]
    return agents


def _window(agent: Agent, rng: np.random.Generator) -> str:
    """A 5-20 word window of the agent's description (40%) or body (60%)."""
    length = int(rng.integers(5, 21))
    text = agent.description if rng.random() < 0.4 else agent.prompt
    tokens = text.split() or agent.name.split("-")
    start = int(rng.integers(max(1, len(tokens) - length + 1)))
    return " ".join(tokens[start : start + length])


def make_requests(agents: Sequence[Agent], n: int, *, seed: int = 0, noise_share: float = 0.1) -> list[str]:
    """``n`` requests: most a 5–20 word window of one agent's text, some pure common-word noise.

    Windows of the agents' own text stand in for user requests that use an
    agent's vocabulary (for synthetic and real registries alike); the noise
    share exercises the abstain path. Seeded; the result does not depend on the
    registry's order beyond the agents given.
    """
    if not agents:
        raise ValueError("make_requests needs at least one agent")
    rng = np.random.default_rng(seed + 2)
    common = FUNCTION_WORDS
    requests = []
    for _ in range(n):
        length = int(rng.integers(5, 21))
        if rng.random() < noise_share:
            requests.append(" ".join(common[j] for j in rng.integers(len(common), size=length)))
            continue
        agent = agents[int(rng.integers(len(agents)))]
        text = agent.description if rng.random() < 0.4 else agent.prompt
        tokens = text.split() or agent.name.split("-")
        start = int(rng.integers(max(1, len(tokens) - length + 1)))
        requests.append(" ".join(tokens[start : start + length]))
    return requests


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 3
    for agent in make_agents(count):
        print(f"--- {agent.name}\ndescription: {agent.description}\n{agent.prompt[:400]}...\n")
    for request in make_requests(make_agents(count), 5):
        print("request:", request)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
