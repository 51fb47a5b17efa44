"""The learning round trip, end to end through the CLI, in a temporary project (deleted after).

1. A project with five agents in ``.claude/agents`` and 60 days of synthetic Claude Code
   transcripts (documented line format) under ``$CLAUDE_CONFIG_DIR/projects/<slug>/``: the
   user's prompts use the team's own names for things ("the ledger report", "the canary"),
   which no agent description mentions, and the main model delegated each to the agent
   that owns it (one prompt in ten it picked an agent at random instead: still what the
   model did, and what agreement is measured against).
2. ``agentroute learn claude-code -o mined.jsonl`` (default folder: this project's).
3. ``agentroute eval --data mined.jsonl --split time``: agreement before / after learning.
4. The mined pairs are adopted as the project's learned examples (``learn claude-code -o
   .claude/agentroute/learned.jsonl``); a request naming something the transcripts never
   mentioned goes elsewhere; ``agentroute learn add REQUEST AGENT`` corrects it, and the
   next ``agentroute pick`` (no rebuild, no flag) follows the correction.

    python benchmarks/learning_roundtrip.py          # prints each command and its output
    python benchmarks/learning_roundtrip.py --keep DIR
    AGENTROUTE_SRC=/path/to/src python benchmarks/learning_roundtrip.py   # run another checkout's code

Step 4 relies on the CLI reading ``<project>/.claude/agentroute/learned.jsonl`` by default;
when this checkout does not (older main), the script says so and shows the same with
``--agents`` and ``--learned`` instead.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from agentroute.sources.transcript_paths import project_slug  # noqa: E402

AGENTS = {
    "db-tuner": "Tunes slow PostgreSQL queries, indexes and schema migrations.",
    "ui-dev": "Builds React components, CSS layouts and accessibility fixes for the web app.",
    "release-writer": "Writes changelogs, release notes and user-facing documentation.",
    "infra-ops": "Deploys services with Kubernetes, Helm and Terraform, and fixes CI pipelines.",
    "sec-review": "Reviews code for security vulnerabilities: authentication, injection, leaked secrets.",
}
JARGON = {  # the team's names for things: no agent text has them
    "db-tuner": ["ledger report", "nightly rollup", "orders archive", "recon job", "billing export"],
    "ui-dev": ["storybook", "checkout drawer", "dark mode toggle", "design tokens", "onboarding carousel"],
    "release-writer": ["what's new page", "customer bulletin", "upgrade guide", "changelog for 4.2", "partner newsletter"],
    "infra-ops": ["staging box", "canary", "blue cluster", "argo sync", "nightly runner"],
    "sec-review": ["pentest findings", "SSO callback", "keys in the logs", "admin impersonation", "webhook signature"],
}
#: A new name the transcripts never used: the correction teaches it.
REQUEST, TARGET = "the loyalty widget overlaps the cart icon", "ui-dev"
PARAPHRASE = "the loyalty widget is misaligned on small screens"
OPENERS = ["the {j} is broken again, can you look", "something is off with the {j}", "please sort out the {j} today",
           "the {j} needs attention before the release", "why does the {j} keep failing", "help with the {j}"]


def _line(**record: object) -> str:
    return json.dumps(record)


def write_transcripts(folder: Path, days: int = 60, seed: int = 7) -> int:
    rng = random.Random(seed)
    names = list(AGENTS)
    prompts = 0
    for day in range(days):
        session = f"5e55{day:04d}-0000-4000-8000-000000000000"
        version = "2.0.61" if day < days // 2 else "2.1.70"
        tool = "Task" if version.startswith("2.0") else "Agent"
        lines = []
        parent = None
        for turn in range(rng.randint(2, 4)):
            owner = rng.choice(names)
            chosen = owner if rng.random() < 0.9 else rng.choice(names)  # what the main model did
            text = rng.choice(OPENERS).format(j=rng.choice(JARGON[owner]))
            stamp = f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}T{9 + turn:02d}:00:00.000Z"
            u, a, r = f"{session}-u{turn}", f"{session}-a{turn}", f"{session}-r{turn}"
            common = {"isSidechain": False, "sessionId": session, "version": version, "timestamp": stamp, "cwd": "/p"}
            lines.append(_line(type="user", uuid=u, parentUuid=parent, message={"role": "user", "content": text}, **common))
            lines.append(_line(type="assistant", uuid=a, parentUuid=u, message={"role": "assistant", "content": [
                {"type": "text", "text": f"I'll use the {chosen} agent."},
                {"type": "tool_use", "id": f"toolu_{day}_{turn}", "name": tool,
                 "input": {"subagent_type": chosen, "description": "handle it", "prompt": f"Handle: {text}"}}]}, **common))
            lines.append(_line(type="user", uuid=r, parentUuid=a, message={"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": f"toolu_{day}_{turn}", "content": "done"}]}, **common))
            parent = r
            prompts += 1
        (folder / f"{session}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return prompts


def run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    print(f"\n$ agentroute {' '.join(shlex.quote(a) for a in args)}")
    done = subprocess.run([sys.executable, "-m", "agentroute", *args], cwd=cwd, env=env, capture_output=True, text=True)
    out = (done.stdout + done.stderr).rstrip()
    print(out)
    if done.returncode != 0:
        raise SystemExit(f"exit code {done.returncode}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", metavar="DIR", help="build the project here and keep it")
    options = parser.parse_args()
    base = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="agentroute-roundtrip-"))
    try:
        project = base / "shop"
        agents = project / ".claude" / "agents"
        agents.mkdir(parents=True, exist_ok=True)
        for name, description in AGENTS.items():
            (agents / f"{name}.md").write_text(f"---\nname: {name}\ndescription: {json.dumps(description)}\n---\n"
                                               f"You are the {name} of this team. {description}\n", encoding="utf-8")
        config = base / "claude-config"
        transcripts = config / "projects" / project_slug(project)
        transcripts.mkdir(parents=True, exist_ok=True)
        prompts = write_transcripts(transcripts)
        print(f"project {project}: {len(AGENTS)} agents; {prompts} prompts over 60 days of transcripts in {transcripts}")
        env = os.environ | {"CLAUDE_CONFIG_DIR": str(config), "PYTHONPATH": os.environ.get("AGENTROUTE_SRC", str(ROOT / "src")), "COLUMNS": "120"}

        run(["learn", "claude-code", "-o", "mined.jsonl"], project, env)
        run(["eval", "--data", "mined.jsonl", "--split", "time"], project, env)

        learned = project / ".claude" / "agentroute" / "learned.jsonl"
        run(["learn", "claude-code", "-o", str(learned.relative_to(project))], project, env)
        reads_default = _uses_learned(project, env)
        pick = ["pick", REQUEST, "--json"]
        if not reads_default:
            print("\nnote: this checkout's `pick` does not read the project's learned file by default; "
                  "the same is shown with --agents and --learned")
            pick += ["--agents", str(agents), "--learned", str(learned)]
        first = json.loads(run(pick, project, env))
        run(["learn", "add", REQUEST, TARGET], project, env)
        after = json.loads(run(pick, project, env))
        paraphrase = json.loads(run([PARAPHRASE if a == REQUEST else a for a in pick], project, env))
        how = "default loading, no rebuild, no flag" if reads_default else "--agents and --learned"
        print(f"\nround trip: {REQUEST!r}: {first['agent']} -> learn add {TARGET} -> {after['agent']} ({how}); "
              f"a paraphrase, {PARAPHRASE!r}: {paraphrase['agent']} (not asserted)")
        return 0 if after["agent"] == TARGET and first["agent"] != TARGET else 1
    finally:
        if not options.keep:
            shutil.rmtree(base, ignore_errors=True)


def _uses_learned(project: Path, env: dict[str, str]) -> bool:
    """Whether default loading merges the project's learned file (its examples show in `list --json`)."""
    done = subprocess.run([sys.executable, "-m", "agentroute", "list", "--json"], cwd=project, env=env,
                          capture_output=True, text=True)
    try:
        return any(row["examples"] > 0 for row in json.loads(done.stdout))
    except (ValueError, KeyError, TypeError):
        return False


if __name__ == "__main__":
    sys.exit(main())
