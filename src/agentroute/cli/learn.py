"""``agentroute learn``: mine Claude Code transcripts for routing decisions, and record corrections.

* ``learn claude-code [PATH ...] -o FILE`` reads session JSONL files (default: this
  project's folder under ``~/.claude/projects/``) and writes one labelled pair per
  delegation, ``{text, label, session, timestamp, context}``: the rows ``eval --data``
  reads. Everything is read and written locally; the output is created readable by
  the user only (0600), since it holds the user's own prompts.
* ``learn add "REQUEST" AGENT`` appends a correction to the learned-examples file
  beside the agents (docs/learning.md), refusing a name no agent has.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from agentroute.cli.common import UsageError, add_agents_option, load_registry

__all__ = ["cmd_learn_add", "cmd_learn_claude_code", "register"]


def _progress(total_files: int, total_bytes: int) -> Any:
    """A stderr progress line every half second, only on a terminal and only for folders worth it."""
    if not sys.stderr.isatty() or total_bytes < 20_000_000:
        return None
    last = [0.0]

    def report(stats: Any) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and stats.files != total_files:
            return
        last[0] = now
        end = "\n" if stats.files == total_files else ""
        print(f"\ragentroute: mined {stats.files}/{total_files} files, {stats.bytes / 1e6:,.0f}/{total_bytes / 1e6:,.0f} MB, "
              f"{stats.pairs} pairs", end=end, file=sys.stderr, flush=True)

    return report


def _default_transcripts() -> list[str]:
    from agentroute.sources.transcript_paths import claude_projects_root, find_project_folder, project_slug

    folder = find_project_folder(Path.cwd())
    if folder is None:
        raise UsageError(f"no Claude Code transcripts for this project: {claude_projects_root() / project_slug(Path.cwd())} "
                         "does not exist; run from the project folder, or give the transcript folder or files")
    return [str(folder)]


def cmd_learn_claude_code(args: argparse.Namespace) -> int:
    from agentroute.sources.learned import open_private
    from agentroute.sources.transcript_paths import transcript_files
    from agentroute.sources.transcripts import MiningStats, mine_files

    if args.append and args.force:
        raise UsageError("give --append or --force, not both")
    output = Path(args.output)
    if output.exists() and not (args.append or args.force):
        raise UsageError(f"{output} exists; add --append to add the pairs to it, or --force to replace it")
    found = transcript_files(args.paths or _default_transcripts())
    for path in found.missing:
        raise UsageError(f"transcript path not found: {path}")
    if not found.sessions:
        raise UsageError(f"no session transcripts (*.jsonl) in {', '.join(args.paths or ['the project folder'])}")
    stats = MiningStats(subagent_files=len(found.subagent_files))
    started = time.perf_counter()
    with open_private(output, "a" if args.append else "w") as handle:
        for pair in mine_files(found.sessions, include_builtin=args.include_builtin, stats=stats,
                               progress=_progress(len(found.sessions), found.total_bytes)):
            handle.write(json.dumps(pair.to_row(), ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps(stats.to_dict() | {"output": str(output), "seconds": round(seconds, 3)}))
        return 0
    skipped = ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in sorted(stats.skipped.items())) or "none"
    print(f"mined {stats.files} session files ({stats.bytes / 1e6:,.1f} MB, {stats.subagent_files} subagent files "
          f"not read) in {seconds:.1f} s: {stats.prompts} prompts, {stats.delegations} delegations, "
          f"{stats.pairs} pairs written to {output}")
    print(f"skipped delegations: {skipped}; corrupt lines: {stats.corrupt_lines}")
    if stats.builtin:
        verb = "included" if args.include_builtin else "left out (--include-builtin keeps them)"
        print("built-in agent types " + verb + ": " + ", ".join(f"{k} {v}" for k, v in stats.builtin.most_common()))
    if stats.agents:
        print("pairs by agent: " + ", ".join(f"{k} {v}" for k, v in stats.agents.most_common(15))
              + (" ..." if len(stats.agents) > 15 else ""))
        print(f"next: agentroute eval --data {output} --split time   (would learning them help? see docs/learning.md)")
    return 0


def cmd_learn_add(args: argparse.Namespace) -> int:
    from agentroute.sources.learned import UnknownAgentError, append_learned, default_learned_path

    registry = load_registry(args)
    # Without --agents the file is the current project's, the one pick, the hook and build read by default.
    target = Path(args.learned) if args.learned else default_learned_path(args.agents or [])
    try:
        row = append_learned(target, args.request, args.agent, known_agents=registry.names)
    except UnknownAgentError as error:
        raise UsageError(str(error)) from None
    if args.json:
        print(json.dumps(row | {"file": os.fspath(target)}))
    else:
        print(f"learned: {row['text']!r} -> {row['label']}  ({target})")
    return 0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``learn claude-code`` and ``learn add`` to the ``agentroute`` subcommands."""
    learn = commands.add_parser("learn", help="learn routing from Claude Code transcripts and your corrections")
    targets = learn.add_subparsers(dest="learn_command", metavar="SOURCE", required=True)

    mine = targets.add_parser("claude-code", help="mine Claude Code session transcripts for (prompt, agent) pairs; "
                              "local only, output created 0600")
    mine.add_argument("paths", nargs="*", metavar="PATH",
                      help="transcript folders (walked recursively) or .jsonl files; default: this project's folder "
                           "under ~/.claude/projects/ (or $CLAUDE_CONFIG_DIR/projects/)")
    mine.add_argument("-o", "--output", required=True, metavar="FILE",
                      help="where to write the pairs (JSONL that eval --data reads)")
    mine.add_argument("--append", action="store_true", help="add to FILE if it exists")
    mine.add_argument("--force", action="store_true", help="replace FILE if it exists")
    mine.add_argument("--include-builtin", action="store_true",
                      help="keep delegations to Claude Code's own agent types (general-purpose, Explore, Plan, ...)")
    mine.add_argument("--json", action="store_true", help="print the mining summary as JSON")
    mine.set_defaults(handler=cmd_learn_claude_code)

    add = targets.add_parser("add", help="record that REQUEST should go to AGENT (a correction)")
    add.add_argument("request", help="the request as the user typed it")
    add.add_argument("agent", help="the name of the agent that should take it")
    add_agents_option(add)
    add.add_argument("--learned", metavar="FILE",
                     help="learned-examples file (default: ./.claude/agentroute/learned.jsonl, or beside a "
                          "<project>/.claude/agents folder given with --agents)")
    add.add_argument("--json", action="store_true", help="print the row written as JSON")
    add.set_defaults(handler=cmd_learn_add)
