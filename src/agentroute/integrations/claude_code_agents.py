"""Where Claude Code keeps subagents, in its order of precedence, and which copy of a name wins.

Claude Code's subagent documentation (https://code.claude.com/docs/en/sub-agents, "Choose the
subagent scope") ranks the places an agent can come from; on a name clash the higher one wins:
managed settings > the ``--agents`` flag > the project's ``.claude/agents`` > the user's
``~/.claude/agents`` > the agents of installed plugins (lowest). agentroute reads the last three,
in that order; a session's ``--agents`` JSON and managed settings are not visible to a hook.

Plugins: what this module relies on (from Claude Code's plugin reference and its issue tracker,
not from a published schema, so it is read leniently and a file it cannot understand is skipped
with a note):

* ``<claude home>/plugins/installed_plugins.json`` lists installed plugins. Version 2 is
  ``{"version": 2, "plugins": {"NAME@MARKETPLACE": [{"scope", "installPath", "projectPath"?, ...}]}}``;
  version 1 maps each key to a single object with ``installPath``.
* A plugin is active only when ``enabledPlugins["NAME@MARKETPLACE"]`` is true in the user's
  ``settings.json`` or the project's ``.claude/settings.json`` / ``.claude/settings.local.json``
  (later files override earlier ones). Entries of scope ``project`` or ``local`` count only for
  the project in their ``projectPath``.
* A plugin's agents are the ``.md`` files of ``<installPath>/agents/``, plus the paths its
  manifest ``<installPath>/.claude-plugin/plugin.json`` lists under ``"agents"`` (a string or a
  list, relative to the plugin root; they supplement the default folder).

The Claude home is ``$CLAUDE_CONFIG_DIR`` when set, else ``~/.claude``. Everything here only
reads small JSON files and checks folders: no agent file is parsed and nothing heavy is imported,
so a hook can call it on every prompt.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["PLUGIN_KEY", "AgentSource", "Layered", "claude_home", "claude_code_sources", "load_layered",
           "plugin_sources", "project_root"]

Scope = Literal["project", "user", "plugin", "path", "builtin"]

#: Metadata key naming the plugin an agent came from (Claude Code calls it ``plugin:agent``).
PLUGIN_KEY = "_plugin"


@dataclass(frozen=True)
class AgentSource:
    """One place agents are read from: its scope, its folder or file, and a label for people."""

    scope: Scope
    path: Path
    label: str
    plugin: str | None = None  # the plugin's name, for scope "plugin"

    def __str__(self) -> str:
        return f"{self.label} ({self.path})"


def claude_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$CLAUDE_CONFIG_DIR``, else ``~/.claude``."""
    env = os.environ if environ is None else environ
    configured = env.get("CLAUDE_CONFIG_DIR")
    return Path(os.path.expanduser(configured)) if configured else Path(os.path.expanduser("~")) / ".claude"


def project_root(event_cwd: object = None, environ: Mapping[str, str] | None = None) -> Path:
    """The project a hook runs for: ``$CLAUDE_PROJECT_DIR``, else the event's ``cwd``, else the cwd."""
    env = os.environ if environ is None else environ
    if env.get("CLAUDE_PROJECT_DIR"):
        return Path(env["CLAUDE_PROJECT_DIR"])
    if isinstance(event_cwd, str) and event_cwd:
        return Path(event_cwd)
    return Path.cwd()


def _read_json(path: Path, notes: list[str]) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        notes.append(f"{path}: skipped, cannot read it as JSON ({' '.join(str(error).split())})")
        return None


def _enabled_plugins(project: Path | None, home: Path, notes: list[str]) -> dict[str, bool]:
    enabled: dict[str, bool] = {}
    files = [home / "settings.json"]
    if project is not None:
        files += [project / ".claude" / "settings.json", project / ".claude" / "settings.local.json"]
    for file in files:  # later files override earlier ones, as Claude Code's settings do
        data = _read_json(file, notes)
        plugins = data.get("enabledPlugins") if isinstance(data, dict) else None
        if isinstance(plugins, dict):
            enabled.update({str(k): v is True for k, v in plugins.items()})
    return enabled


def _same_folder(a: object, b: Path | None) -> bool:
    if not isinstance(a, str) or b is None:
        return False
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def _install_paths(entry: object, project: Path | None) -> list[str]:
    """The install folders of one installed_plugins.json entry that apply to ``project``."""
    installs = entry if isinstance(entry, list) else [entry]
    found = []
    for install in installs:
        if not isinstance(install, dict) or not isinstance(install.get("installPath"), str):
            continue
        if install.get("scope") in ("project", "local") and not _same_folder(install.get("projectPath"), project):
            continue
        found.append(install["installPath"])
    return found


def _plugin_agent_paths(root: Path, notes: list[str]) -> list[Path]:
    paths = [root / "agents"]
    manifest = _read_json(root / ".claude-plugin" / "plugin.json", notes)
    listed = manifest.get("agents") if isinstance(manifest, dict) else None
    for item in [listed] if isinstance(listed, str) else listed if isinstance(listed, list) else []:
        if isinstance(item, str) and item.strip():
            paths.append((root / item).resolve())
    unique: list[Path] = []
    for path in paths:
        if path.exists() and path not in unique:
            unique.append(path)
    return unique


def plugin_sources(project: Path | None = None, home: Path | None = None,
                   notes: list[str] | None = None) -> list[AgentSource]:
    """Agent folders of the installed, enabled plugins, sorted by plugin key (see the module doc)."""
    home = claude_home() if home is None else home
    notes = [] if notes is None else notes
    registry = _read_json(home / "plugins" / "installed_plugins.json", notes)
    plugins = registry.get("plugins") if isinstance(registry, dict) else None
    if not isinstance(plugins, dict):
        return []
    enabled = _enabled_plugins(project, home, notes)
    sources = []
    for key in sorted(plugins):
        if not enabled.get(key, False):
            continue
        for install in _install_paths(plugins[key], project):
            for path in _plugin_agent_paths(Path(os.path.expanduser(install)), notes):
                sources.append(AgentSource("plugin", path, f"plugin {key}", key.split("@")[0]))
    return sources


def claude_code_sources(project: Path | None, home: Path | None = None,
                        notes: list[str] | None = None) -> list[AgentSource]:
    """The agent folders Claude Code reads for ``project``, highest precedence first; only those
    that exist. ``project`` None leaves out the project folder (and project-scoped plugins)."""
    home = claude_home() if home is None else home
    candidates = []
    if project is not None:
        candidates.append(AgentSource("project", project / ".claude" / "agents", "project"))
    candidates.append(AgentSource("user", home / "agents", "user"))
    found = [c for c in candidates if c.path.is_dir()]
    # The user folder may be the project folder (a session started in the home directory).
    unique = [c for i, c in enumerate(found) if all(not _same_folder(str(c.path), f.path) for f in found[:i])]
    return unique + plugin_sources(project, home, notes)


@dataclass(frozen=True)
class Layered:
    """Agents merged across sources: the registry that routes, where each winner came from, and
    each copy that lost a name clash with the source that beat it."""

    registry: Any  # agentroute.registry.Registry
    origins: Mapping[str, AgentSource]
    shadowed: Sequence[tuple[Any, AgentSource, AgentSource]] = field(default_factory=tuple)


def load_layered(sources: Iterable[AgentSource], *, strict: bool = False,
                 learned: str | os.PathLike[str] | None = None) -> Layered:
    """Load each source on its own and merge them, an earlier source winning a name clash.

    The merged registry holds the same agents as ``Registry.from_paths`` over the same paths; this
    also says which source each agent came from and which copies were shadowed (``list`` shows
    both). Each clash is one warning naming both files. ``learned`` names a learned-examples
    file whose requests join their agents' examples (see :mod:`agentroute.sources.learned`).
    """
    import dataclasses

    from agentroute.errors import AgentFileError, Diagnostic
    from agentroute.registry import Registry

    winners: dict[str, Any] = {}
    origins: dict[str, AgentSource] = {}
    shadowed: list[tuple[Any, AgentSource, AgentSource]] = []
    notes: list[Diagnostic] = []
    for source in sources:
        registry = Registry.from_paths([source.path])
        notes += registry.diagnostics
        shadowed += [(loser, source, source) for loser, _ in registry.shadowed]  # a clash within the source
        for agent in registry:
            if source.plugin:
                agent = dataclasses.replace(agent, metadata={**agent.metadata, PLUGIN_KEY: source.plugin})
            if agent.name in winners:
                winner = origins[agent.name]
                shadowed.append((agent, source, winner))
                notes.append(Diagnostic(
                    "warning", agent.source, f"agent name {agent.name!r} is also defined by "
                    f"{winners[agent.name].source} ({winner.label}), which takes precedence; this "
                    f"{source.label} copy is ignored", field="name", value=agent.name,
                    fix="rename one of them if both should be usable", code="AR110"))
                continue
            winners[agent.name] = agent
            origins[agent.name] = source
    agents = list(winners.values())
    if learned is not None:
        from agentroute.sources.learned import merge_learned, read_learned

        agents, learned_notes = merge_learned(agents, read_learned(learned))
        notes += learned_notes
    if strict and notes:
        raise AgentFileError([dataclasses.replace(d, severity="error") for d in notes])
    return Layered(Registry(agents, diagnostics=notes), origins, tuple(shadowed))
