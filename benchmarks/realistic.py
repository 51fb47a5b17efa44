"""The hand-written realistic evaluation: requests as a user would type them, over real registries.

``benchmarks/data/realistic_registries.json`` defines each registry exactly (folders of
../shared, with name exclusions); ``realistic_dev.jsonl`` and ``realistic_test.jsonl`` hold
the requests, one JSON object a line: ``text``, ``registry`` and ``acceptable`` (the agents
judged sensible after reading the agent files; an empty list means the request is out of
scope and must abstain). The rows were split once by a hash of registry and text:
parameters are chosen on the dev half only; the test half is the held-out figure.

Also the seed check: the seed backend-engineer among the lst97 agents whose name lacks
"backend", each of its examples held out in turn.

Each split also reports the closed-set rate (the top-ranked agent is sensible, whatever its
score: below the pick rate, misses are rankings; above it, abstentions) and the figures of
each registry. ``--field-weights`` and ``--threshold`` (the Router's own parameters) measure
another setting on the same requests, and ``--loo`` adds leave-one-out on the built-in agents
and the shared collections with that setting, so a candidate is judged on dev and LOO by one
command (never choose on ``--split test``).

``--loo`` also prints the accuracy of the default router on the built-in agents' bundled dev file
(``builtin_dev.jsonl``), the other dev set parameters are chosen on. ``--no-related-words`` turns
the related-word table (``profile_index.RELATED_WORDS``, on by default) off for the run.

    python benchmarks/realistic.py [--shared PATH] [--split dev|test|both] [--show-misses]
                                   [--field-weights name=0.75,prompt=4.5] [--threshold 0.065] [--loo]
                                   [--no-related-words]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from functools import partial
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
    """In-scope: share picked sensibly (at the router's threshold), top-1 sensible whatever the score
    (closed set), top-3 sensible; out of scope: share abstained. ``by_registry`` holds the counts
    of each registry."""
    routers = {name: make_router(agents) for name, agents in registries.items()}
    counts = {name: dict.fromkeys(("in_scope", "sensible", "closed_set", "top3", "out_of_scope", "abstained"), 0)
              for name in sorted({case.registry for case in cases})}
    misses: list[str] = []
    for case in cases:
        router = routers[case.registry]
        tally = counts[case.registry]
        route = router.pick(case.text)
        picked = None if route is None else route.agent.name
        score = "" if route is None else f" {route.score:.3f}"
        if case.acceptable:
            tally["in_scope"] += 1
            ok = picked in case.acceptable
            tally["sensible"] += ok
            ranked = [r.agent.name for r in router.rank(case.text, k=3)]
            # rank() keeps agents below the threshold: its first agent is what pick would name without one.
            tally["closed_set"] += bool(ranked) and ranked[0] in case.acceptable
            tally["top3"] += any(n in case.acceptable for n in ranked)
            if not ok:
                misses.append(f"IN  {case.text!r} -> {picked}{score} (want {', '.join(case.acceptable)}; top3 {ranked})")
        else:
            tally["out_of_scope"] += 1
            tally["abstained"] += picked is None
            if picked is not None:
                misses.append(f"OOS {case.text!r} -> {picked}{score}")
    total = {key: sum(tally[key] for tally in counts.values()) for key in next(iter(counts.values()), {})}
    in_scope, out_scope = max(1, total.get("in_scope", 0)), max(1, total.get("out_of_scope", 0))
    return {"cases": len(cases), "in_scope": total.get("in_scope", 0), "out_of_scope": total.get("out_of_scope", 0),
            "sensible_pick": total.get("sensible", 0) / in_scope, "closed_set": total.get("closed_set", 0) / in_scope,
            "sensible_top3": total.get("top3", 0) / in_scope, "oos_abstained": total.get("abstained", 0) / out_scope,
            "by_registry": counts, "misses": misses}


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


def parse_field_weights(text: str) -> dict[str, float]:
    """``"name=1,prompt=3"`` as a mapping; the Router checks the field names and values."""
    weights: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            weights[name.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected FIELD=WEIGHT pairs separated by commas, got {item!r}") from None
    return weights


def router_factory(field_weights: dict[str, float] | None = None, threshold: float | None = None) -> RouterFactory:
    """Router with these parameters (None: the defaults); checked now, so a bad table fails before any fit."""
    Router([Agent(name="check", description="check")], field_weights=field_weights, threshold=threshold)
    return partial(Router, field_weights=field_weights, threshold=threshold)


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
    parser.add_argument("--field-weights", type=parse_field_weights, default=None, metavar="FIELD=W,...",
                        help="profile field weights to measure instead of the defaults (unnamed fields keep theirs)")
    parser.add_argument("--threshold", type=float, default=None, help="abstention threshold (default: the router's)")
    parser.add_argument("--loo", action="store_true",
                        help="also leave-one-out on the built-in agents and the shared collections, same parameters")
    parser.add_argument("--related-words", action=argparse.BooleanOptionalAction, default=True,
                        help="profiles read the related-word table (features/related_words.py; on by default)")
    args = parser.parse_args(argv)
    from agentroute.routing import profile_index

    profile_index.RELATED_WORDS = args.related_words
    try:
        make_router = router_factory(args.field_weights, args.threshold)
    except ValueError as error:
        parser.error(str(error))
    if not args.shared.exists():
        print(f"realistic: {args.shared} is absent; the registries live there, nothing measured", file=sys.stderr)
        return 0
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    record = run(args.shared, splits, make_router)
    for split in splits:
        r = record[split]
        print(f"{split}: {r['cases']} requests; in-scope sensible pick {100 * r['sensible_pick']:.1f}% "
              f"(closed set {100 * r['closed_set']:.1f}%, top-3 {100 * r['sensible_top3']:.1f}%) of {r['in_scope']}; "
              f"out-of-scope abstained {100 * r['oos_abstained']:.1f}% of {r['out_of_scope']}")
        for name, t in r["by_registry"].items():
            print(f"  {name}: sensible {t['sensible']}/{t['in_scope']} (closed set {t['closed_set']}, top-3 {t['top3']}), "
                  f"abstained {t['abstained']}/{t['out_of_scope']}")
        if args.show_misses:
            print("\n".join("  " + m for m in r["misses"]))
    s = record["seed"]
    print(f"seed: backend-engineer in top 3 for {s['in_top3']}/{s['examples']} held-out examples, picked {s['picked']}")
    for row in s["rows"]:
        print(f"  {row['request']!r}: rank {row['rank']}, top3 {row['top3']}")
    if args.loo:
        for line in loo_lines(args.shared, args.field_weights):
            print(line)
    return 0


def loo_lines(shared: Path, field_weights: dict[str, float] | None) -> list[str]:
    """Leave-one-out (top-1 / top-3) of agentroute on the collections ``benchmarks/accuracy.py`` measures."""
    import accuracy  # the sibling benchmark; imported here, since it imports this module

    def loo_router(agents: list[Agent]) -> Router:
        return Router(agents, threshold=0.0, mentions=False, field_weights=field_weights)

    from agentroute import evaluate, read_labelled
    from agentroute.builtin import builtin_agents_dir, builtin_data_file

    dev = read_labelled(builtin_data_file("builtin_dev.jsonl"))
    report = evaluate(router_factory(field_weights)(list(Registry.from_paths([builtin_agents_dir()]))), dev)
    lines = [f"built-in dev file: {len(dev)} requests, accuracy {100 * report.accuracy:.1f}%"]
    for label, agents in accuracy.loo_collections(shared):
        result = accuracy.run_loo(label, agents, loo_router, baseline=False)
        if result is not None:
            ours = result["systems"]["agentroute"]
            lines.append(f"loo {label}: {result['cases']} cases, top-1 {100 * ours['top1']:.1f}%, top-3 {100 * ours['top3']:.1f}%")
    return lines


if __name__ == "__main__":
    sys.exit(main())
