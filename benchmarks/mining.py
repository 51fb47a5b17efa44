"""Mining benchmark: ``agentroute learn claude-code`` over 10,000 sessions / ~1 GB of JSONL.

Writes synthetic session transcripts in the documented line format (see
docs/learning.md) into a temporary folder, deleted afterwards: user prompts, assistant
text, ``Read``/``Bash`` tool calls with large tool results (the bulk of real
transcripts), ``Task`` (older sessions) and ``Agent`` (newer) delegations, slash
commands, meta lines, built-in agent types, one subagent file per 20 sessions and a
truncated last line in one session in 100. The expected number of pairs is known
from the generator and checked.

Each measurement is a new process running ``agentroute learn claude-code DIR -o FILE --json``
(the CLI's ``main``) that reports its own peak RSS (``ru_maxrss``). Side by side in the same run:

* the same command on a tenth of the sessions: with streaming, peak memory must not
  grow with the folder (the ratio is printed);
* a baseline that only reads every line and ``json.loads`` it (the floor for a
  Python JSONL reader), in a new process too.

    python benchmarks/mining.py                      # 10,000 sessions, ~1 GB (target: <= 60 s)
    python benchmarks/mining.py --sessions 1000 --session-kb 50 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENTS = ["database-specialist", "frontend-engineer", "security-auditor", "technical-writer", "devops-engineer",
          "test-engineer", "debugger", "performance-engineer", "api-designer", "code-reviewer"]
BUILTINS = ["general-purpose", "Explore", "Plan"]
WORDS = ("the orders query checkout page login endpoint flaky test deploy pipeline docs readme cache index "
         "migration webhook retry payment layout button accessibility latency profile memory leak api schema "
         "review refactor bug crash error logs kubernetes helm terraform").split()

READ_BASELINE = """
import json
n = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                json.loads(line)
            except ValueError:
                pass
            n += 1
print(n)
"""


def _filler_pool(rng: random.Random, count: int, size: int) -> list[str]:
    """Pre-encoded tool-result payloads (file contents, command output) of about ``size`` characters."""
    pool = []
    for i in range(count):
        lines = []
        total = 0
        number = 1
        while total < size:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
            line = f"{number:6d}\u2192    {text}"
            lines.append(line)
            total += len(line) + 1
            number += 1
        pool.append(json.dumps("\n".join(lines))[1:-1])  # JSON-escaped, without the quotes
    return pool


def _common(session: str, uuid: str, parent: str | None, stamp: str, version: str) -> str:
    parent_json = "null" if parent is None else f'"{parent}"'
    return (f'"parentUuid":{parent_json},"isSidechain":false,"userType":"external","cwd":"/home/dev/shop",'
            f'"sessionId":"{session}","version":"{version}","gitBranch":"main","uuid":"{uuid}","timestamp":"{stamp}"')


def write_sessions(folder: Path, sessions: int, session_kb: int, seed: int = 0) -> dict[str, int]:
    """Write the synthetic transcripts; return what a correct miner must find."""
    rng = random.Random(seed)
    pool = _filler_pool(rng, 64, 6000)
    expected = {"pairs": 0, "builtin": 0, "after_command": 0, "bytes": 0, "corrupt": 0}
    target = session_kb * 1024
    for s in range(sessions):
        session = f"{s:08d}-0000-4000-8000-{rng.getrandbits(48):012x}"
        version = "2.0.61" if s % 2 == 0 else "2.1.70"
        tool = "Task" if version.startswith("2.0") else "Agent"
        lines = ['{"type":"summary","summary":"a session","leafUuid":"x"}']
        parent: str | None = None
        n = 0
        size = 0
        minute = 0

        def stamp() -> str:
            return f"2026-03-{1 + s % 28:02d}T{(s // 28) % 24:02d}:{minute % 60:02d}:{n % 60:02d}.000Z"

        while size < target:
            n += 1
            minute += 1
            uuid = f"{session[:8]}-{n:06d}"
            if rng.random() < 0.08:  # a slash command, its expanded text as a meta line, then a delegation
                lines.append("{" + _common(session, uuid, parent, stamp(), version) + ',"type":"user","message":{"role":"user",'
                             '"content":"<command-name>/review</command-name>\\n<command-args>payments</command-args>"}}')
                meta = uuid + "m"
                lines.append("{" + _common(session, meta, uuid, stamp(), version) + ',"type":"user","isMeta":true,'
                             '"message":{"role":"user","content":[{"type":"text","text":"Review the payments module."}]}}')
                parent = meta
                delegations = [(rng.choice(AGENTS), "after_command")]
            else:
                prompt = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 25)))
                lines.append("{" + _common(session, uuid, parent, stamp(), version) + ',"type":"user","message":'
                             f'{{"role":"user","content":"{prompt}"}}}}')
                parent = uuid
                delegations = []
                for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
                    if rng.random() < 0.25:
                        delegations.append((rng.choice(BUILTINS), "builtin"))
                    else:
                        delegations.append((rng.choice(AGENTS), "pairs"))
            for d, (agent, kind) in enumerate(delegations):
                a = f"{uuid}-d{d}"
                tool_id = f"toolu_{s}_{n}_{d}"
                block = {"type": "tool_use", "id": tool_id, "name": tool,
                         "input": {"subagent_type": agent, "description": "do it", "prompt": "Please handle: " + agent}}
                lines.append("{" + _common(session, a, parent, stamp(), version) + ',"type":"assistant","message":'
                             '{"role":"assistant","content":[' + json.dumps(block) + "]}}")
                r = a + "r"
                lines.append("{" + _common(session, r, a, stamp(), version) + ',"type":"user","message":{"role":"user",'
                             f'"content":[{{"tool_use_id":"{tool_id}","type":"tool_result","content":"done"}}]}}}}')
                parent = r
                expected[kind] += 1
            for t in range(rng.randint(1, 4)):  # the bulk: tool calls with file contents
                a = f"{uuid}-t{t}"
                lines.append("{" + _common(session, a, parent, stamp(), version) + ',"type":"assistant","message":{"role":'
                             f'"assistant","content":[{{"type":"tool_use","id":"toolu_r{s}_{n}_{t}","name":"Read",'
                             '"input":{"file_path":"/home/dev/shop/src/app.py"}}]}}')
                r = a + "r"
                payload = rng.choice(pool)
                lines.append("{" + _common(session, r, a, stamp(), version) + ',"type":"user","message":{"role":"user",'
                             f'"content":[{{"tool_use_id":"toolu_r{s}_{n}_{t}","type":"tool_result","content":"{payload}"}}]}}}}')
                parent = r
                size += len(payload) + 600
            size += 900 * (1 + 2 * len(delegations))
        text = "\n".join(lines) + "\n"
        if s % 100 == 99:  # a session cut mid-write
            text += lines[-1][: len(lines[-1]) // 2]
            expected["corrupt"] += 1
        path = folder / f"{session}.jsonl"
        path.write_text(text, encoding="utf-8")
        expected["bytes"] += path.stat().st_size
        if s % 20 == 0:
            sub = folder / session / "subagents"
            sub.mkdir(parents=True)
            (sub / "agent-a1b2c3d.jsonl").write_text(lines[1] + "\n", encoding="utf-8")
    return expected


MEASURED = """
import resource, sys
{body}
print("peak_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(globals().get("rc", 0))
"""
LEARN = "from agentroute.cli.main import main\nrc = main(sys.argv[1:])"


def _run(body: str, args: list[str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of ``body`` run in a new process that reports its own ru_maxrss."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED.format(body=body), *args], capture_output=True, text=True,
                          env=os.environ | {"PYTHONPATH": str(ROOT / "src")})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} ... failed: {done.stderr.strip()}")
    peak_kb = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("peak_rss_kb"))
    return seconds, peak_kb / 1024, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--session-kb", type=int, default=100, help="approximate size of one session (default 100 KB)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of the full mining (best and all shown)")
    parser.add_argument("--keep", metavar="DIR", help="write the sessions here and keep them (default: a temp dir)")
    parser.add_argument("--results", default=str(ROOT / "benchmarks" / "results"),
                        help="folder for the JSON record mining-<UTC time>.json ('' for none)")
    args = parser.parse_args()

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="agentroute-mining-"))
    try:
        small, full = base / "tenth", base / "full"
        small.mkdir(parents=True, exist_ok=True)
        full.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        expected = write_sessions(full, args.sessions, args.session_kb)
        expected_small = write_sessions(small, max(1, args.sessions // 10), args.session_kb, seed=1)
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"wrote {args.sessions:,} sessions, {expected['bytes'] / 1e9:.2f} GB (+ a tenth: "
              f"{expected_small['bytes'] / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s")

        learn = ["learn", "claude-code"]
        t_small, rss_small, out = _run(LEARN, learn + [str(small), "-o", str(base / "small.jsonl"), "--json"])
        small_stats = json.loads(out)
        files = sorted(str(p) for p in full.glob("*.jsonl"))
        t_base, rss_base, _ = _run(READ_BASELINE, files)
        runs, peaks = [], []
        for i in range(args.repeat):
            seconds, rss, out = _run(LEARN, learn + [str(full), "-o", str(base / f"full{i}.jsonl"), "--json"])
            runs.append(seconds)
            peaks.append(rss)
        rss = max(peaks)
        stats = json.loads(out)
        ok = (stats["pairs"] == expected["pairs"] and stats["skipped"].get("builtin", 0) == expected["builtin"]
              and stats["skipped"].get("after_command", 0) == expected["after_command"]
              and stats["corrupt_lines"] == expected["corrupt"] and small_stats["pairs"] == expected_small["pairs"])
        best = min(runs)
        print(f"mined: {stats['files']:,} files ({stats['subagent_files']} subagent files not read), "
              f"{stats['lines']:,} lines, {stats['delegations']:,} delegations -> {stats['pairs']:,} pairs "
              f"(expected {expected['pairs']:,}; built-in {expected['builtin']:,}, after a command "
              f"{expected['after_command']:,}, corrupt lines {expected['corrupt']}): {'OK' if ok else 'MISMATCH'}")
        print(f"learn claude-code, {expected['bytes'] / 1e9:.2f} GB: best {best:.1f} s of {len(runs)} "
              f"({', '.join(f'{r:.1f}' for r in runs)} s), {expected['bytes'] / 1e6 / best:.0f} MB/s; "
              f"target <= 60 s: {'met' if best <= 60 else 'MISSED'}")
        print(f"baseline (read + json.loads every line, same files, new process): {t_base:.1f} s "
              f"-> mining costs {best / t_base:.2f}x the bare parse")
        print(f"peak RSS (ru_maxrss of each process): a tenth of the sessions {rss_small:.0f} MB ({t_small:.1f} s); "
              f"all sessions {rss:.0f} MB (ratio {rss / rss_small:.2f} for 10x the data); bare reader {rss_base:.0f} MB")
        if args.results:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
            record = {"benchmark": "mining", "git": commit, "python": platform.python_version(), "cpus": os.cpu_count(),
                      "load_average": os.getloadavg()[0], "sessions": args.sessions, "bytes": expected["bytes"],
                      "expected": expected, "stats": stats, "ok": ok, "seconds": runs, "best_seconds": best,
                      "baseline_parse_seconds": t_base, "peak_rss_mb": {"tenth": rss_small, "full": rss, "baseline": rss_base}}
            Path(args.results).mkdir(parents=True, exist_ok=True)
            out_path = Path(args.results) / f"mining-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
            out_path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
            print(f"record: {out_path.relative_to(ROOT) if out_path.is_relative_to(ROOT) else out_path}")
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
