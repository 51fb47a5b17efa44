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

So this hook never blocks and never fails the prompt: any problem (no router
file, a damaged one, bad JSON, an exception, running out of time) ends with
exit code 0 and no output. It reads a router saved by ``agentroute build``
(:meth:`Router.load`, no scikit-learn, no agent files parsed), from the
``--router`` option, else ``$AGENTROUTE_ROUTER``, else
``.claude/agentroute.agr``; a relative path is taken from
``$CLAUDE_PROJECT_DIR``, else the event's ``cwd``. Subagents are delegated to
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

__all__ = ["DEFAULT_ROUTER_PATH", "ENV_VAR", "default_router_path", "hint_text", "hook_response",
           "load_router_for", "run_hook"]

#: Where the router is looked for when neither ``--router`` nor ``$AGENTROUTE_ROUTER`` says.
DEFAULT_ROUTER_PATH = ".claude/agentroute.agr"

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
                                   "additionalContext": hint_text(route.agent.name, route.score)}}


def default_router_path(event: Mapping[str, Any], option: str | None = None,
                        environ: Mapping[str, str] | None = None) -> Path:
    """The router file for ``event``: option, else ``$AGENTROUTE_ROUTER``, else the default.

    A relative path is resolved against ``$CLAUDE_PROJECT_DIR`` (the project
    root, stable while the session's ``cwd`` moves), else the event's ``cwd``.
    """
    env = os.environ if environ is None else environ
    path = Path(os.path.expanduser(option or env.get(ENV_VAR) or DEFAULT_ROUTER_PATH))
    if path.is_absolute():
        return path
    cwd = event.get("cwd")
    base = env.get("CLAUDE_PROJECT_DIR") or (cwd if isinstance(cwd, str) and cwd else os.getcwd())
    return Path(base) / path


def load_router_for(option: str | None = None) -> RouterLoader:
    """A loader for :func:`run_hook`: the saved router of the event's project.

    A missing file raises ``FileNotFoundError`` naming the path and the command that
    builds it: :func:`run_hook` turns that into empty output and a note for stderr
    (which Claude Code keeps in its debug log), so a hook installed for every project
    stays quiet in projects without a router yet still says why.
    """

    def load(event: Mapping[str, Any]) -> Any:
        path = default_router_path(event, option)
        if not path.is_file():
            raise FileNotFoundError(f"no saved router at {path} (build one: agentroute build -o {path})")
        from agentroute.routing.router import Router

        return Router.load(path)

    return load


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
    event = json.loads(stdin_text)
    if not isinstance(event, dict):
        raise TypeError(f"the hook input is JSON {type(event).__name__}, not an object")
    router = router_loader(event)
    if router is None:
        return ""
    response = hook_response(event, router)
    return json.dumps(response) + "\n" if response else ""
