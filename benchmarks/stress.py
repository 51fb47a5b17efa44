"""Stress: many threads pick while the agents folder is rewritten and reloaded.

Two versions of an agents folder (different agent names and texts) alternate.
Before the run, a fresh router for each version answers every request; those
answers (agent name, exact score, reason for ``pick``; the top three for
``rank``) are the only ones allowed. Then ``--threads`` threads each do
``--picks`` picks (plus a ``rank(k=3)`` every eighth pick) on ONE shared
router, while another thread rewrites the folder to the other version and
reloads, ``--reloads`` times, spread over the run (alternating
``router.reload()``, which re-reads the paths, and ``router.reload(agents)``).

Every answer must equal the old version's answer or the new version's answer
for that request: an answer that mixes two states (say one version's index
with the other's mention finder) matches neither and counts as a mismatch.

    python benchmarks/stress.py                       # 8 threads x 50,000 picks, 100 reloads
    python benchmarks/stress.py --threads 4 --picks 2000 --reloads 10

Prints the figures; exits 1 on any exception or mismatch. tests/test_concurrency.py
runs a small configuration of the same code.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from agentroute import Registry, Router

VERSIONS: dict[str, dict[str, str]] = {
    "v1": {
        "pg-tuner": "Tunes slow PostgreSQL queries, query plans and indexes.",
        "ui-builder": "Builds React components and CSS layouts for web pages.",
        "test-fixer": "Fixes flaky pytest suites and CI test failures.",
        "k8s-operator": "Deploys services to Kubernetes with Helm charts.",
    },
    "v2": {
        "db-doctor": "Diagnoses slow SQL queries, schema migrations and indexes in databases.",
        "web-stylist": "Styles web pages: CSS layouts, typography, responsive design.",
        "ci-medic": "Repairs broken CI pipelines, flaky tests and build caches.",
        "cloud-pilot": "Provisions Kubernetes clusters and AWS infrastructure with Terraform.",
        "docs-writer": "Writes READMEs, API references and tutorials.",
    },
}

REQUESTS = [
    "the orders query is slow, maybe an index is missing",
    "make the css layout responsive on phones",
    "pytest fails randomly in CI",
    "deploy this service to kubernetes",
    "write a README for the API",
    "use the pg-tuner agent to look at this",      # a mention in v1 only
    "@agent-db-doctor why is this so slow",          # a mention in v2 only
    "ask the ui-builder agent about the navbar",
    "have the cloud-pilot agent set up terraform",
    "what's for lunch",                               # abstains in both
    "",
    "   ",
    "zzqx blorf",
    "slow slow slow query query index",
    "react components kubernetes helm flaky tests",
    "\ud800 css \x00 layout 🔥",
]


def write_version(folder: Path, version: str) -> None:
    """Make ``folder`` hold exactly ``version``'s files (each written whole, then renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{name}.md" for name in VERSIONS[version]}
    for name, description in VERSIONS[version].items():
        temporary = folder / f".{name}.md.tmp"  # hidden: discovery skips it
        temporary.write_text(f"---\nname: {name}\ndescription: {description}\n---\n"
                             f"You are {name}. {description}\n", encoding="utf-8")
        os.replace(temporary, folder / f"{name}.md")
    for old in folder.glob("*.md"):
        if old.name not in wanted:
            old.unlink()


def pick_key(route: object) -> object:
    return None if route is None else (route.agent.name, route.score, route.reason)  # type: ignore[attr-defined]


def rank_key(routes: list) -> tuple:
    return tuple((r.agent.name, r.score, r.reason) for r in routes)


def expected_answers(root: Path) -> dict[str, dict[str, list]]:
    """Each version's answers from a fresh router: the only answers allowed."""
    answers = {}
    for version in VERSIONS:
        folder = root / f"expected-{version}"
        write_version(folder, version)
        router = Router.from_paths([folder])
        answers[version] = {"pick": [pick_key(router.pick(r)) for r in REQUESTS],
                            "rank": [rank_key(router.rank(r, k=3)) for r in REQUESTS]}
    v1, v2 = answers["v1"], answers["v2"]
    assert all(a != b for a, b in zip(v1["rank"], v2["rank"])), "rankings must tell the versions apart"
    assert sum(a != b for a, b in zip(v1["pick"], v2["pick"])) >= len(REQUESTS) // 2
    return answers


@dataclass
class Figures:
    threads: int
    picks_per_thread: int
    picks: int = 0
    ranks: int = 0
    reloads: int = 0
    exceptions: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    answered_by: dict[str, int] = field(default_factory=lambda: {"v1": 0, "v2": 0, "either": 0})
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.exceptions and not self.mismatches and self.reloads > 0

    def report(self) -> str:
        return "\n".join([
            f"threads x picks      {self.threads} x {self.picks_per_thread:,}",
            f"picks done           {self.picks:,}",
            f"ranks done           {self.ranks:,}",
            f"reloads              {self.reloads}",
            f"exceptions           {len(self.exceptions)}",
            f"mismatches           {len(self.mismatches)}",
            (f"answers from v1/v2   {self.answered_by['v1']:,} / {self.answered_by['v2']:,} "
             f"(same in both: {self.answered_by['either']:,})"),
            f"wall time            {self.seconds:.1f} s",
        ] + [f"  exception: {e}" for e in self.exceptions[:5]]
          + [f"  mismatch: {m}" for m in self.mismatches[:5]])


def run(threads: int = 8, picks: int = 50_000, reloads: int = 100, *,
        switch_interval: float = 1e-4, router_class: type[Router] = Router) -> Figures:
    """Run the stress test in a temporary folder and return its figures.

    ``router_class`` lets a test check that a router which does mix states is caught.
    """
    figures = Figures(threads, picks)
    old_interval = sys.getswitchinterval()
    with tempfile.TemporaryDirectory(prefix="agentroute-stress-") as tmp:
        root = Path(tmp)
        expected = expected_answers(root)
        folder = root / "agents"
        write_version(folder, "v1")
        router = router_class.from_paths([folder])
        progress = [0] * threads
        lock = threading.Lock()
        done = threading.Event()

        def check(kind: str, index: int, answer: object) -> None:
            in_v1 = answer == expected["v1"][kind][index]
            in_v2 = answer == expected["v2"][kind][index]
            with lock:
                if in_v1 and in_v2:
                    figures.answered_by["either"] += 1
                elif in_v1 or in_v2:
                    figures.answered_by["v1" if in_v1 else "v2"] += 1
                else:
                    figures.mismatches.append(f"{kind} {REQUESTS[index]!r} -> {answer!r}")

        reloading_over = threading.Event()

        def picker(slot: int) -> None:
            for i in range(picks):
                # Stay at most two reloads ahead, so that reloads land among the picks
                # instead of after them (picking is much faster than reloading).
                while (i >= picks * (figures.reloads + 2) / (reloads + 1)
                       and not reloading_over.is_set()):
                    time.sleep(0.0002)
                index = (i * 7 + slot) % len(REQUESTS)
                request = REQUESTS[index]
                try:
                    check("pick", index, pick_key(router.pick(request)))
                    if i % 8 == 0:
                        check("rank", index, rank_key(router.rank(request, k=3)))
                except Exception as error:  # noqa: BLE001 - counting them is the point
                    with lock:
                        figures.exceptions.append(f"{type(error).__name__}: {error}")
                progress[slot] = i + 1

        def reloader() -> None:
            total = threads * picks
            version = "v1"
            try:
                _reload_loop(total, version)
            finally:
                reloading_over.set()

        def _reload_loop(total: int, version: str) -> None:
            for r in range(reloads):
                # Reload r waits for its share of the picks.
                while sum(progress) < total * (r + 1) / (reloads + 1) and not done.is_set():
                    time.sleep(0.0005)
                version = "v2" if version == "v1" else "v1"
                try:
                    write_version(folder, version)
                    if r % 2:
                        router.reload(Registry.from_paths([folder]))
                    else:
                        router.reload()
                    figures.reloads += 1
                except Exception as error:  # noqa: BLE001
                    with lock:
                        figures.exceptions.append(f"reload {type(error).__name__}: {error}")

        sys.setswitchinterval(switch_interval)
        try:
            started = time.perf_counter()
            workers = [threading.Thread(target=picker, args=(slot,)) for slot in range(threads)]
            reloading = threading.Thread(target=reloader)
            for worker in workers:
                worker.start()
            reloading.start()
            for worker in workers:
                worker.join()
            done.set()
            reloading.join()
            figures.seconds = time.perf_counter() - started
        finally:
            sys.setswitchinterval(old_interval)
        figures.picks = sum(progress)
        figures.ranks = sum((n + 7) // 8 for n in progress)
        final = "v1" if figures.reloads % 2 == 0 else "v2"
        if set(router.registry.names) != set(VERSIONS[final]):
            figures.mismatches.append(f"after {figures.reloads} reloads the router holds "
                                      f"{router.registry.names}, expected {final}")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--picks", type=int, default=50_000, help="picks per thread")
    parser.add_argument("--reloads", type=int, default=100)
    parser.add_argument("--switch-interval", type=float, default=1e-4,
                        help="sys.setswitchinterval during the run (smaller: more interleaving)")
    args = parser.parse_args(argv)
    print(f"# agentroute stress on {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}")
    figures = run(args.threads, args.picks, args.reloads, switch_interval=args.switch_interval)
    print(figures.report())
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
