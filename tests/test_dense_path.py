"""The block-by-block path of learned indexes with dense weights scores what the general path scores."""

from dataclasses import replace

import numpy as np
import pytest

from agentroute import Agent, Example, Router
from agentroute.builtin import builtin_agents_dir
from agentroute.features.space import FeatureSpace
from agentroute.routing import dense_path
from agentroute.routing.scoring import make_weights

REQUESTS = [
    "book a table for two tonight", "will it rain in Lisbon tomorrow?", "transfer money to savings",
    "review my pull request for security issues", "the API is slow, profile it", "zzz qqq", "a", "",
    "Design a REST endpoint with JWT login", "tell me a joke", "freeze my card please, now!",
]
INTENTS = [
    Agent(name="restaurant", examples=tuple(Example(request=t) for t in [
        "book a table for two", "reserve dinner at eight", "table for four tonight", "cancel my dinner reservation",
        "find a sushi place"])),
    Agent(name="weather", examples=tuple(Example(request=t) for t in [
        "will it rain tomorrow", "weather in Lisbon", "how hot is it today", "forecast for the weekend",
        "is it snowing in Oslo"])),
    Agent(name="banking", examples=tuple(Example(request=t) for t in [
        "transfer money to savings", "what is my balance", "send 20 dollars to Ann", "pay my credit card bill",
        "freeze my debit card"])),
]


def general(index, text):
    """The index's scores without the dense path (as for sparse weights or other spaces)."""
    plain = replace(index)  # a copy with empty caches
    plain.__dict__["_dense_path"] = None
    plain.__dict__["_word_sums"] = None
    return plain.ranked_scores(text)


@pytest.mark.parametrize("which", ["linear-intents", "blended-intents", "blended-files"])
def test_dense_path_scores_what_the_general_path_scores(which):
    if which == "blended-files":
        router = Router.from_paths([builtin_agents_dir()])
    else:
        router = Router(INTENTS, strategy=which.split("-")[0])
    index = router.snapshot().index
    assert index.strategy == which.split("-")[0]
    assert index.dense_path is not None
    assert (index.word_sums is not None) == (which != "blended-files")  # char n-grams only for intent data
    for text in REQUESTS:
        fast, known = index.ranked_scores(text)
        slow, known_slow = general(index, text)
        if slow is None:
            assert fast is None and known == 0
            continue
        np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-6)
        assert (known == 0) == (known_slow == 0)
        if index.word_sums is None:  # without per-word counts, the counts are the same features
            assert known == known_slow


def test_the_dense_path_stays_out_of_what_it_cannot_serve():
    router = Router(INTENTS, strategy="linear")
    index = router.snapshot().index
    sparse = replace(index, weights=make_weights(index.weights.to_csr(), dense_budget_bytes=0))
    assert sparse.dense_path is None and sparse.word_sums is None
    np.testing.assert_allclose(sparse.ranked_scores("book a table")[0], index.ranked_scores("book a table")[0],
                               rtol=1e-5, atol=1e-6)
    assert Router(INTENTS, strategy="profile").snapshot().index.dense_path is None
    blended = Router(INTENTS, strategy="blended").snapshot().index
    blocks = blended.space.blocks
    two_profile_blocks = FeatureSpace(blocks, normalize=False, groups=((2, True), (len(blocks) - 2, False)))
    assert dense_path.plan(two_profile_blocks, blended.weights, blended.word_sums, blended=True) is None
