"""Commands for agent authors and real setups: ``lint``, ``hook claude-code``, ``shortlist``.

:func:`register` adds them to the ``agentroute`` parser; like the rest of the
CLI, only the handlers here print. Exit codes follow :mod:`agentroute.cli.main`:
0 success, 1 ``lint`` found something at or above ``--fail-on``, 2 usage or
input errors. ``hook claude-code`` always exits 0: a hook must never fail the
prompt it was given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from agentroute.cli.common import (
    UsageError,
    add_agents_option,
    load_layered_registry,
    load_router,
    read_request,
)

__all__ = ["cmd_hook", "cmd_hook_install", "cmd_hook_uninstall", "cmd_lint", "cmd_shortlist", "register"]

FAIL_ON = ("error", "warning", "info", "never")
#: lint.EXAMPLE_MODES, restated so that building the parser does not import lint (and
#: everything it needs) on every `agentroute pick`; tests/test_lint.py checks they agree.
EXAMPLE_MODES = ("held-out", "refit", "in-place")


def _lint_registry(args: argparse.Namespace) -> Any:
    """The registry to lint; unlike ``load_registry`` it may be empty (its findings say why)."""
    paths = [*(getattr(args, "paths", None) or []), *(getattr(args, "agents", None) or [])]
    return load_layered_registry(argparse.Namespace(agents=paths or None, strict=False, quiet=True),
                                 allow_empty=True).registry


def cmd_lint(args: argparse.Namespace) -> int:
    from agentroute.lint.checks import (
        SEVERITIES,
        at_or_above,
        findings_to_json,
        format_findings,
        lint,
    )

    registry = _lint_registry(args)
    findings = lint(registry, similarity=args.similarity, examples=args.examples)
    if args.json:
        counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
        print(json.dumps({"agents": len(registry), "counts": counts,
                          "findings": findings_to_json(findings)}))
    else:
        print(format_findings(findings))
    return 1 if at_or_above(findings, args.fail_on) else 0


def cmd_hook(args: argparse.Namespace) -> int:
    from agentroute.integrations.claude_code_hook import MAX_INPUT_CHARS, load_router_for, run_hook

    def note(text: str) -> None:
        print(text, file=sys.stderr)

    try:
        stdin_text = sys.stdin.read(MAX_INPUT_CHARS + 1) if sys.stdin is not None else ""
        output, _ = run_hook(stdin_text, load_router_for(args.router, on_note=note), on_error=note)
        if output:
            sys.stdout.write(output)
            sys.stdout.flush()
    except BaseException as error:  # noqa: BLE001 - never fail or block the prompt, whatever happens
        note(f"agentroute hook: {type(error).__name__}: {error}")
    return 0


def _settings_path(args: argparse.Namespace) -> Path:
    from agentroute.integrations.hook_install import settings_file

    if args.settings:
        return Path(os.path.expanduser(args.settings))
    return settings_file("user" if args.user else "project")


def cmd_hook_install(args: argparse.Namespace) -> int:
    from agentroute.integrations.hook_install import SettingsFileError, hook_command, install_hook

    path = _settings_path(args)
    try:
        result = install_hook(path, command=hook_command(), dry_run=args.dry_run)
    except SettingsFileError as error:
        raise UsageError(str(error)) from None
    if args.dry_run:
        print(result.text(), end="")
        print(f"agentroute: dry run: {path} would be {'changed' if result.changed else 'left as it is'}",
              file=sys.stderr)
        return 0
    print(f"agentroute: {'installed the hook in' if result.changed else 'the hook is already in'} {path}: "
          f"{hook_command()}", file=sys.stderr)
    return 0


def cmd_hook_uninstall(args: argparse.Namespace) -> int:
    from agentroute.integrations.hook_install import SettingsFileError, uninstall_hook

    path = _settings_path(args)
    try:
        result = uninstall_hook(path, dry_run=args.dry_run)
    except SettingsFileError as error:
        raise UsageError(str(error)) from None
    if args.dry_run:
        print(result.text(), end="")
    verb = ("would remove" if args.dry_run else "removed") if result.changed else "found no agentroute hook in"
    print(f"agentroute: {verb} {path if not result.changed else 'the hook from ' + str(path)}", file=sys.stderr)
    return 0


def cmd_shortlist(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise UsageError(f"-k must be at least 1, got {args.k}")
    router = load_router(args)
    ranking = router.rank(read_request(args.request), k=args.k)
    if args.json:
        print(json.dumps({"ranking": [{"agent": r.agent.name, "score": round(r.score, 6),
                                       "reason": r.reason} for r in ranking]}))
        return 0
    for route in ranking:
        print(f"{route.agent.name}\t{route.score:.3f}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``lint``, ``hook`` and ``shortlist`` to the ``agentroute`` subcommands."""
    lint = commands.add_parser("lint", help="check agent files for problems that hurt loading or routing")
    lint.add_argument("paths", nargs="*", metavar="PATH",
                      help="agent folders or files (default: ./.claude/agents, then ~/.claude/agents, "
                           "then enabled plugins' agents, else the built-in examples)")
    lint.add_argument("--agents", action="append", metavar="PATH",
                      help="the same as a PATH argument (as every other command takes it); repeatable")
    lint.add_argument("--json", action="store_true", help="print one JSON object")
    lint.add_argument("--fail-on", choices=FAIL_ON, default="error",
                      help="exit 1 when a finding at or above this severity exists (default error)")
    lint.add_argument("--similarity", type=float, default=0.5, metavar="X",
                      help="report agent pairs whose profiles have cosine similarity >= X (default 0.5)")
    lint.add_argument("--examples", choices=EXAMPLE_MODES, default="held-out",
                      help="route example requests held out of their agent (default), with a "
                           "full refit per example (slow, exact), or in place")
    lint.set_defaults(handler=cmd_lint)

    hook = commands.add_parser("hook", help="run as a hook of an agentic tool")
    targets = hook.add_subparsers(dest="target", metavar="TARGET", required=True)
    claude = targets.add_parser("claude-code", help="Claude Code UserPromptSubmit hook: reads the "
                                "event on stdin, suggests a subagent on stdout, always exits 0")
    claude.add_argument("--router", metavar="FILE",
                        help="a saved router to answer from, never refreshed (default: $AGENTROUTE_ROUTER, "
                             "else the agent files as they are now: the project's, the user's, then "
                             "enabled plugins', from a cache keyed by their fingerprint)")
    claude.set_defaults(handler=cmd_hook)
    for name, handler, text in (
        ("install", cmd_hook_install, "add the Claude Code UserPromptSubmit hook to a settings file "
                                      "(idempotent; other hooks and keys kept)"),
        ("uninstall", cmd_hook_uninstall, "remove agentroute's hook from a settings file (only its own entry)"),
    ):
        command = targets.add_parser(name, help=text)
        where = command.add_mutually_exclusive_group()
        where.add_argument("--project", action="store_true",
                           help="this project's .claude/settings.local.json (the default; the command "
                                "names this machine's Python, so not the shared settings.json)")
        where.add_argument("--user", action="store_true", help="~/.claude/settings.json (every project)")
        where.add_argument("--settings", metavar="FILE", help="this settings file")
        command.add_argument("--dry-run", action="store_true",
                             help="print the settings as they would be written; change nothing")
        command.set_defaults(handler=handler)

    shortlist = commands.add_parser("shortlist", help="print the top N agents for a request")
    shortlist.add_argument("request", help="the user's request")
    shortlist.add_argument("-k", type=int, default=5, help="how many agents (default 5)")
    add_agents_option(shortlist)
    shortlist.add_argument("--router", metavar="FILE", help="a saved router instead of --agents")
    shortlist.add_argument("--json", action="store_true", help="print one JSON object")
    shortlist.set_defaults(handler=cmd_shortlist)
