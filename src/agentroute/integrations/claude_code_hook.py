"""A Claude Code ``UserPromptSubmit`` hook that suggests the subagent for each prompt.

Claude Code runs a command hook with the event as JSON on stdin. Per the hooks
reference (https://code.claude.com/docs/en/hooks, "UserPromptSubmit"), the
event carries the common fields ``session_id``, ``transcript_path``, ``cwd``,
``permission_mode`` and ``hook_event_name`` (``"UserPromptSubmit"``) plus
``prompt``, the text the user submitted. On exit code 0 a hook adds context
either as plain stdout or as JSON::

    {"hookSpecificOutput": {"hookEventName": "UserPromptSubmit",
                            "additionalContext": "..."}}

Both reach Claude as a system reminder, not as a visible transcript entry.
Hooks run with ``CLAUDE_PROJECT_DIR`` set to the project root. The reference
also warns that this hook blocks every prompt until it ends (default timeout
30 s) and that ``decision: "block"`` or exit code 2 would stop the prompt.

So this hook never blocks and never fails the prompt: any problem (no agents, a
damaged router file, bad JSON, an exception, running out of time) ends with
exit code 0 and no output, and a one-line note on stderr.

Which router answers: by default one over the agent files as they are now, in
Claude Code's precedence (the project's ``.claude/agents``, then the user's,
then enabled plugins'; see :mod:`agentroute.integrations.claude_code_agents`),
plus the project's learned examples, taken from a cache keyed by a fingerprint
of those files (:mod:`agentroute.integrations.fresh`): an added, edited or
removed agent counts from the next prompt on. A saved router is used instead
when ``--router`` or ``$AGENTROUTE_ROUTER`` names one (it is then never
refreshed). The project is ``$CLAUDE_PROJECT_DIR``, else the event's ``cwd``,
and a relative router path is taken from it. Subagents are delegated to
with the Agent tool (named Task before Claude Code 2.1.63, per
https://code.claude.com/docs/en/sub-agents), whose ``subagent_type`` is the
agent's name; the hint says so.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from agentroute.integrations.claude_code_agents import PLUGIN_KEY, project_root

__all__ = ["ENV_VAR", "fresh_project_router", "hint_text", "hook_response", "load_router_for", "run_hook",
           "saved_router_path", "subagent_type"]

#: agentroute.sources.learned.LEARNED_RELATIVE, restated: importing that module costs a warm hook
#: ~10 ms it does not otherwise need (tests/test_fresh.py checks they agree).
LEARNED_RELATIVE = Path(".claude/agentroute/learned.jsonl")

#: The environment variable naming the saved router file.
ENV_VAR = "AGENTROUTE_ROUTER"

#: Hook input longer than this is not parsed (no answer); the router reads far less of a prompt.
MAX_INPUT_CHARS = 1 << 20

#: Seconds :func:`run_hook` waits for an answer before giving up silently.
DEFAULT_TIMEOUT = 5.0

RouterLoader = Callable[[Mapping[str, Any]], Any]


def hint_text(name: str, score: float) -> str:
    """The context added to the prompt when agent ``name`` fits with ``score``."""
    return (f"agentroute suggests the `{name}` subagent for this request (score {score:.2f} of 1). "
            f"If it fits, delegate with the Agent tool (subagent_type: \"{name}\"); "
            "otherwise ignore this hint.")


def subagent_type(agent: Any) -> str:
    """The name Claude Code delegates to: ``plugin:agent`` for an agent a plugin brought (the
    plugin's agents are namespaced so, as its transcripts show), else the agent's name."""
    plugin = agent.metadata.get(PLUGIN_KEY) if isinstance(agent.metadata, Mapping) else None
    return f"{plugin}:{agent.name}" if isinstance(plugin, str) and plugin else agent.name


def hook_response(event: Mapping[str, Any], router: Any) -> dict[str, Any] | None:
    """The hook's JSON output for ``event``, or None when nothing should be added.

    None when the event is not a ``UserPromptSubmit``, the prompt is empty or a
    slash command (``/deploy staging`` arrives unexpanded), the user already
    named an agent (Claude Code honours ``@agent-NAME`` itself), or no agent
    clears the router's threshold.
    """
    if event.get("hook_event_name", "UserPromptSubmit") != "UserPromptSubmit":
        return None
    prompt = event.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip() or prompt.lstrip().startswith("/"):
        return None
    route = router.pick(prompt)
    if route is None or route.reason == "mention":
        return None
    return {"hookSpecificOutput": {"hookEventName": "UserPromptSubmit",
                                   "additionalContext": hint_text(subagent_type(route.agent), route.score)}}


def saved_router_path(event: Mapping[str, Any], option: str | None = None,
                      environ: Mapping[str, str] | None = None) -> Path | None:
    """The saved router named by ``option``, else ``$AGENTROUTE_ROUTER``; None when neither does.

    A relative path is resolved against the project (``$CLAUDE_PROJECT_DIR``, else the event's ``cwd``).
    """
    env = os.environ if environ is None else environ
    named = option or env.get(ENV_VAR)
    if not named:
        return None
    path = Path(os.path.expanduser(named))
    return path if path.is_absolute() else project_root(event.get("cwd"), env) / path


def load_router_for(option: str | None = None, *, on_note: Callable[[str], None] | None = None,
                    cache: Path | None | bool = True) -> RouterLoader:
    """A loader for :func:`run_hook`: the router for the event's project.

    A saved router when ``option`` or ``$AGENTROUTE_ROUTER`` names one; a missing file raises
    ``FileNotFoundError`` naming the path and the ``build`` command that makes it. Otherwise a
    router over the project's, the user's and enabled plugins' agents as they are now (cached by
    fingerprint; ``cache`` as for :func:`~agentroute.integrations.fresh.fresh_router`). No agents
    at all raises ``LookupError``. :func:`run_hook` turns either into empty output and a note for
    stderr (which Claude Code keeps in its debug log). ``on_note`` receives loading warnings,
    such as a name defined both by the project and the user.
    """

    def load(event: Mapping[str, Any]) -> Any:
        project = project_root(event.get("cwd"))
        path = saved_router_path(event, option)
        if path is not None:
            if not path.is_file():
                raise FileNotFoundError(f"no saved router at {path} (build one: agentroute build "
                                        f"--agents {project / '.claude' / 'agents'} -o {path})")
            from agentroute.routing.router import Router

            return Router.load(path)
        return fresh_project_router(project, on_note=on_note, cache=cache)

    return load


def fresh_project_router(project: Path, *, on_note: Callable[[str], None] | None = None,
                         cache: Path | None | bool = True) -> Any:
    """The router over ``project``'s agents in Claude Code's precedence, from the cache when current."""
    from agentroute.integrations.claude_code_agents import claude_code_sources, load_layered
    from agentroute.integrations.fresh import fresh_router

    notes: list[str] = []
    sources = claude_code_sources(project, notes=notes)
    if not sources:
        raise LookupError(f"no agents in {project / '.claude' / 'agents'}, the user's agents folder or "
                          "an enabled plugin; nothing to suggest")
    learned_path = project / LEARNED_RELATIVE
    learned = learned_path if learned_path.is_file() else None

    def build() -> tuple[Any, list[Any]]:
        from agentroute.routing.router import Router

        registry = load_layered(sources, learned=learned).registry
        return Router(registry), list(registry.diagnostics)

    result = fresh_router([s.path for s in sources], build, learned=learned, cache=cache)
    if on_note is not None:
        for note in [*notes, *result.diagnostics, *([result.note] if result.note else [])]:
            on_note(f"agentroute hook: {' '.join(note.split())}")
    return result.router


def run_hook(stdin_text: str, router_loader: RouterLoader, *, timeout: float | None = DEFAULT_TIMEOUT,
             on_error: Callable[[str], None] | None = None) -> tuple[str, int]:
    """Answer one hook event: ``(stdout_text, exit_code)``; the exit code is always 0.

    ``router_loader(event)`` returns a router, or None when there is none (then
    the output is empty). Any exception, and any answer slower than
    ``timeout`` seconds, gives empty output; ``on_error`` receives a one-line
    note for stderr.
    """
    result: list[str] = []

    def work() -> None:
        try:
            result.append(_answer(stdin_text, router_loader))
        except Exception as error:  # noqa: BLE001 - the hook must never fail the prompt
            if on_error is not None:
                on_error(f"agentroute hook: {type(error).__name__}: {' '.join(str(error).split())}")

    if timeout is None:
        work()
    else:
        # A daemon thread: if it overruns, the answer is abandoned and the process may exit.
        worker = threading.Thread(target=work, name="agentroute-hook", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            if on_error is not None:
                on_error(f"agentroute hook: no answer within {timeout:g} s; nothing added")
            return "", 0
    return (result[0] if result else ""), 0


def _answer(stdin_text: str, router_loader: RouterLoader) -> str:
    if not stdin_text.strip():
        return ""
    if len(stdin_text) > MAX_INPUT_CHARS:
        raise ValueError(f"the hook input is longer than {MAX_INPUT_CHARS} characters")
    try:
        event = json.loads(stdin_text)
    except json.JSONDecodeError as error:
        raise ValueError(f"the hook input is not JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
                         f"Claude Code sends one JSON object (fix: to try the hook by hand, pipe "
                         f"'{{\"prompt\": \"your request\"}}')") from None
    if not isinstance(event, dict):
        raise TypeError(f"the hook input is JSON {type(event).__name__}, not an object (fix: send one JSON object "
                        f"with a \"prompt\" field)")
    router = router_loader(event)
    if router is None:
        return ""
    response = hook_response(event, router)
    return json.dumps(response) + "\n" if response else ""
