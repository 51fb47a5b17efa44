"""Load every real agent collection in ../shared/corpora and report how it went.

Per collection: files found, loaded, loaded with warnings, failed (with each
failure's reason). Then every collection into ONE registry, and the number of
name clashes it reports. Exits 0 with a message when the corpora are absent
(a fresh clone has no ../shared); exits 1 when loading crashed.

    python benchmarks/load_corpora.py [--corpora PATH] [--warnings]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from agentroute.errors import AgentFileError, NotAnAgentError
from agentroute.sources.loading import discover, load_file
from agentroute.registry import Registry

DEFAULT_CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help=f"folder of collections (default: {DEFAULT_CORPORA})")
    parser.add_argument("--warnings", action="store_true", help="list every warning too")
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"corpora not found at {args.corpora}; nothing to load (pass --corpora PATH)")
        return 0
    collections = sorted(p for p in args.corpora.iterdir() if p.is_dir())
    header = f"{'collection':48} {'found':>6} {'loaded':>7} {'warned':>7} {'failed':>7}"
    print(header + "\n" + "-" * len(header))
    totals: Counter[str] = Counter()
    failures: list[str] = []
    warnings: list[str] = []
    crashes = 0
    started = time.perf_counter()
    for collection in collections:
        row: Counter[str] = Counter()
        for file in discover([collection]):
            row["found"] += 1
            try:
                parsed = load_file(file)
            except NotAnAgentError as exc:
                row["failed"] += 1
                failures.append(f"not an agent: {exc}")
                continue
            except AgentFileError as exc:
                row["failed"] += 1
                failures.append(str(exc))
                continue
            except Exception:  # noqa: BLE001 - a crash is what this benchmark exists to catch
                crashes += 1
                row["failed"] += 1
                failures.append(f"CRASH {file}\n{traceback.format_exc()}")
                continue
            row["loaded"] += 1
            if parsed.diagnostics:
                row["warned"] += 1
                warnings += [str(d) for d in parsed.diagnostics]
        totals.update(row)
        print(f"{collection.name:48} {row['found']:6} {row['loaded']:7} {row['warned']:7} "
              f"{row['failed']:7}")
    seconds = time.perf_counter() - started
    print("-" * len(header))
    print(f"{'total':48} {totals['found']:6} {totals['loaded']:7} {totals['warned']:7} "
          f"{totals['failed']:7}")
    print(f"\nparsed {totals['found']} files in {seconds:.2f} s; crashes: {crashes}")
    print(f"\nfailures ({len(failures)}):")
    for failure in failures:
        print(f"  {failure}")
    if args.warnings:
        print(f"\nwarnings ({len(warnings)}):")
        for warning in warnings:
            print(f"  {warning}")
    registry = Registry.from_paths(collections)
    clashes = [d for d in registry.diagnostics if "is already defined by" in d.message]
    print(f"\none registry of all collections: {len(registry)} agents, {len(clashes)} name "
          f"clashes reported (the earlier collection wins; {totals['loaded'] - len(registry)} "
          "agents dropped)")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
