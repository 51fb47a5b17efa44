"""Issue 2's acceptance check on the real seed file (skipped when ../shared is absent).

The seed backend-engineer plus the built-in agents (less their own backend
engineer) form one registry. Each of the seed's four example requests, asked
with that example held out, must rank backend-engineer in the top 3, and at
least three of them must pick it.
"""

from dataclasses import replace

from agentroute import Registry, Router
from agentroute.builtin import builtin_agents_dir

from conftest import shared_path


def test_seed_examples_route_to_backend_engineer_when_held_out():
    seed = Registry.from_paths([shared_path("seed", "backend-engineer.md")])["backend-engineer"]
    assert len(seed.examples) == 4
    others = [a for a in Registry.from_paths([builtin_agents_dir()]) if a.name != "backend-engineer"]
    picked = 0
    for held_out, example in enumerate(seed.examples):
        kept = tuple(e for i, e in enumerate(seed.examples) if i != held_out)
        router = Router([replace(seed, examples=kept)] + others)
        top3 = [r.agent.name for r in router.rank(example.request, k=3)]
        assert "backend-engineer" in top3, (example.request, top3)
        route = router.pick(example.request)
        picked += route is not None and route.agent.name == "backend-engineer"
    assert picked >= 3


def test_seed_among_lst97_agents_keeps_backend_engineer_in_the_top_3():
    """Issue 13's check: the seed with the lst97 agents whose name lacks "backend", each of its
    examples held out in turn: backend-engineer in the top 3 for all four."""
    seed = Registry.from_paths([shared_path("seed", "backend-engineer.md")])["backend-engineer"]
    others = [a for a in Registry.from_paths([shared_path("corpora", "lst97__claude-code-sub-agents")])
              if "backend" not in a.name]
    assert len(others) == 36
    for held_out, example in enumerate(seed.examples):
        kept = tuple(e for i, e in enumerate(seed.examples) if i != held_out)
        router = Router([replace(seed, examples=kept)] + others)
        top3 = [r.agent.name for r in router.rank(example.request, k=3)]
        assert "backend-engineer" in top3, (example.request, top3)
