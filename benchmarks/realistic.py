"""The hand-written realistic evaluation: requests as a user would type them, over real registries.

``benchmarks/data/realistic_registries.json`` defines each registry exactly (folders of
../shared, with name exclusions); ``realistic_dev.jsonl`` and ``realistic_test.jsonl`` hold
the requests, one JSON object a line: ``text``, ``registry`` and ``acceptable`` (the agents
judged sensible after reading the agent files; an empty list means the request is out of
scope and must abstain). The rows were split once by a hash of registry and text:
parameters are chosen on the dev half only; the test half is the held-out figure.

Also the seed check: the seed backend-engineer among the lst97 agents whose name lacks
"backend", each of its examples held out in turn.

    python benchmarks/realistic.py [--shared PATH] [--split dev|test] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from agentroute import Agent, Registry, Router

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DEFAULT_SHARED = HERE.parent.parent / "shared"


@dataclass(frozen=True)
class Case:
    text: str
    registry: str
    acceptable: tuple[str, ...]


def read_cases(split: str) -> list[Case]:
    path = DATA / f"realistic_{split}.jsonl"
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            cases.append(Case(row["text"], row["registry"], tuple(row["acceptable"])))
    return cases


def load_registries(shared: Path) -> dict[str, list[Agent]]:
    """Every registry of realistic_registries.json, loaded from ``shared``."""
    spec = json.loads((DATA / "realistic_registries.json").read_text(encoding="utf-8"))
    registries = {}
    for name, entry in spec.items():
        agents: list[Agent] = []
        for source in entry["sources"]:
            drop = source.get("exclude_name_contains")
            agents += [a for a in Registry.from_paths([shared / source["path"]]) if not (drop and drop in a.name)]
        registries[name] = agents
    return registries


def check_names(cases: Sequence[Case], registries: dict[str, list[Agent]]) -> None:
    for case in cases:
        names = {a.name for a in registries[case.registry]}
        unknown = [a for a in case.acceptable if a not in names]
        if unknown:
            raise ValueError(f"{case.text!r}: unknown agent(s) {unknown} in registry {case.registry}")


RouterFactory = Callable[[list[Agent]], Router]


def evaluate_cases(cases: Sequence[Case], registries: dict[str, list[Agent]],
                   make_router: RouterFactory = Router) -> dict[str, Any]:
    """In-scope: share picked sensibly (at the default threshold), top-3 sensible; out of scope: share abstained."""
    routers = {name: make_router(agents) for name, agents in registries.items()}
    sensible = top3 = in_scope = abstained = out_scope = 0
    misses: list[str] = []
    for case in cases:
        router = routers[case.registry]
        route = router.pick(case.text)
        picked = None if route is None else route.agent.name
        score = "" if route is None else f" {route.score:.3f}"
        if case.acceptable:
            in_scope += 1
            ok = picked in case.acceptable
            sensible += ok
            ranked = [r.agent.name for r in router.rank(case.text, k=3)]
            top3 += any(n in case.acceptable for n in ranked)
            if not ok:
                misses.append(f"IN  {case.text!r} -> {picked}{score} (want {', '.join(case.acceptable)}; top3 {ranked})")
        else:
            out_scope += 1
            abstained += picked is None
            if picked is not None:
                misses.append(f"OOS {case.text!r} -> {picked}{score}")
    return {"cases": len(cases), "in_scope": in_scope, "out_of_scope": out_scope,
            "sensible_pick": sensible / max(1, in_scope), "sensible_top3": top3 / max(1, in_scope),
            "oos_abstained": abstained / max(1, out_scope), "misses": misses}


def seed_check(shared: Path, make_router: RouterFactory = Router) -> dict[str, Any]:
    """Seed backend-engineer + lst97 agents without "backend" in the name; each seed example held out."""
    seed = Registry.from_paths([shared / "seed" / "backend-engineer.md"])["backend-engineer"]
    others = [a for a in Registry.from_paths([shared / "corpora" / "lst97__claude-code-sub-agents"])
              if "backend" not in a.name]
    rows = []
    for held_out, example in enumerate(seed.examples):
        kept = tuple(e for i, e in enumerate(seed.examples) if i != held_out)
        router = make_router([replace(seed, examples=kept)] + others)
        ranked = [r.agent.name for r in router.rank(example.request, k=3)]
        route = router.pick(example.request)
        rows.append({"request": example.request, "top3": ranked,
                     "rank": ranked.index("backend-engineer") + 1 if "backend-engineer" in ranked else None,
                     "picked": None if route is None else route.agent.name})
    return {"in_top3": sum(r["rank"] is not None for r in rows), "picked": sum(r["picked"] == "backend-engineer" for r in rows),
            "examples": len(rows), "rows": rows}


def run(shared: Path, splits: Sequence[str] = ("dev", "test"), make_router: RouterFactory = Router) -> dict[str, Any]:
    registries = load_registries(shared)
    record: dict[str, Any] = {"registries": {k: len(v) for k, v in registries.items()}}
    for split in splits:
        cases = read_cases(split)
        check_names(cases, registries)
        record[split] = evaluate_cases(cases, registries, make_router)
    record["seed"] = seed_check(shared, make_router)
    return record


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--split", choices=("dev", "test", "both"), default="dev")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    if not args.shared.exists():
        print(f"realistic: {args.shared} is absent; the registries live there, nothing measured", file=sys.stderr)
        return 0
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    record = run(args.shared, splits)
    for split in splits:
        r = record[split]
        print(f"{split}: {r['cases']} requests; in-scope sensible pick {100 * r['sensible_pick']:.1f}% "
              f"(top-3 {100 * r['sensible_top3']:.1f}%) of {r['in_scope']}; out-of-scope abstained "
              f"{100 * r['oos_abstained']:.1f}% of {r['out_of_scope']}")
        if args.show_misses:
            print("\n".join("  " + m for m in r["misses"]))
    s = record["seed"]
    print(f"seed: backend-engineer in top 3 for {s['in_top3']}/{s['examples']} held-out examples, picked {s['picked']}")
    for row in s["rows"]:
        print(f"  {row['request']!r}: rank {row['rank']}, top3 {row['top3']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
