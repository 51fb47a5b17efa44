"""Always-fresh routers: the fingerprint, the cache, Claude Code's precedence, and no stale answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentroute import Agent, Router
from agentroute.integrations import claude_code_hook
from agentroute.integrations.claude_code_agents import (
    AgentSource,
    claude_code_sources,
    load_layered,
    plugin_sources,
)
from agentroute.integrations.fresh import CACHE_ENV, cache_folder, fingerprint, fresh_router
from agentroute.sources import learned

SRC = Path(__file__).resolve().parents[1] / "src"


def write_agent(folder: Path, name: str, description: str, file: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (file or f"{name}.md")
    path.write_text(f"---\nname: {name}\ndescription: {description}\n---\nYou are {name}.\n", encoding="utf-8")
    return path


def build_for(paths):
    def build():
        layered = load_layered([AgentSource("path", Path(p), str(p)) for p in paths])
        return Router(layered.registry), layered.registry.diagnostics
    return build


# --- fingerprint -----------------------------------------------------------------------------


def test_fingerprint_sees_an_edit_that_keeps_size_and_mtime(tmp_path):
    path = write_agent(tmp_path / "agents", "sql-expert", "Tunes slow SQL queries.")
    before = fingerprint([tmp_path / "agents"])
    info = path.stat()
    path.write_text(path.read_text().replace("slow", "fast"), encoding="utf-8")  # same length
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # mtime put back, as cp -p or rsync -t do
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    assert fingerprint([tmp_path / "agents"]) != before


def test_fingerprint_ignores_a_touch_but_not_add_remove_rename_or_order(tmp_path):
    agents, other = tmp_path / "agents", tmp_path / "other"
    path = write_agent(agents, "sql-expert", "Tunes slow SQL queries.")
    write_agent(other, "css-fixer", "Fixes CSS.")
    key = fingerprint([agents, other])
    os.utime(path, None)
    assert fingerprint([agents, other]) == key  # content unchanged: no refit
    assert fingerprint([other, agents]) != key  # precedence order is part of the key
    added = write_agent(agents / "nested", "api-designer", "Designs APIs.")
    with_added = fingerprint([agents, other])
    assert with_added != key
    added.rename(agents / "nested" / "renamed.md")
    assert fingerprint([agents, other]) not in (key, with_added)
    (agents / "nested" / "renamed.md").unlink()
    (agents / "nested").rmdir()
    assert fingerprint([agents, other]) == key


def test_fingerprint_includes_the_learned_file(tmp_path):
    write_agent(tmp_path / "agents", "sql-expert", "Tunes slow SQL queries.")
    file = tmp_path / "learned.jsonl"
    absent = fingerprint([tmp_path / "agents"], learned=file)
    file.write_text('{"text": "index tuning", "label": "sql-expert"}\n', encoding="utf-8")
    present = fingerprint([tmp_path / "agents"], learned=file)
    file.write_text('{"text": "index tuning please", "label": "sql-expert"}\n', encoding="utf-8")
    assert len({absent, present, fingerprint([tmp_path / "agents"], learned=file)}) == 3


def test_the_hook_restates_the_learned_path_correctly():
    assert claude_code_hook.LEARNED_RELATIVE == learned.LEARNED_RELATIVE


def test_cache_folder_follows_the_environment(tmp_path):
    assert cache_folder({CACHE_ENV: str(tmp_path)}) == tmp_path
    assert cache_folder({CACHE_ENV: "off"}) is None
    assert cache_folder({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "agentroute" / "routers"


# --- the cache -------------------------------------------------------------------------------


def test_second_call_answers_from_the_cache_without_building(tmp_path):
    agents = tmp_path / "agents"
    write_agent(agents, "sql-expert", "Tunes slow SQL queries and indexes.")
    write_agent(agents, "css-fixer", "Fixes CSS layouts.")
    first = fresh_router([agents], build_for([agents]), cache=tmp_path / "cache")
    assert (first.cached, first.saved) == (False, True)

    def fail():
        raise AssertionError("built although the agents did not change")

    second = fresh_router([agents], fail, cache=tmp_path / "cache")
    assert second.cached and second.key == first.key
    assert second.router.pick("slow SQL query").agent.name == "sql-expert"
    assert [a.name for a in second.router.agents] == [a.name for a in first.router.agents]


def test_added_edited_and_removed_agents_count_at_once(tmp_path):
    agents, cache = tmp_path / "agents", tmp_path / "cache"
    write_agent(agents, "backend-architect", "Designs backend services, APIs and schemas.")
    debugger = write_agent(agents, "debugger", "Finds the cause of crashes and stack traces.")

    def answer(request):
        return fresh_router([agents], build_for([agents]), cache=cache).router.pick(request)

    assert answer("use the graphql-architect agent to design the schema") is None or \
        answer("use the graphql-architect agent to design the schema").agent.name != "graphql-architect"
    write_agent(agents, "graphql-architect", "Designs GraphQL schemas and resolvers.")
    route = answer("use the graphql-architect agent to design the schema")
    assert route.agent.name == "graphql-architect" and route.reason == "mention"
    assert answer("this crash has a stack trace").agent.name == "debugger"
    debugger.unlink()
    for request in ("this crash has a stack trace", "use the debugger agent", "debugger"):
        route = answer(request)
        assert route is None or route.agent.name != "debugger"
    write_agent(agents, "graphql-architect", "Tunes slow SQL queries.")  # edited in place
    assert answer("tune this slow SQL").agent.name == "graphql-architect"


def test_a_damaged_cache_file_is_rebuilt(tmp_path):
    agents, cache = tmp_path / "agents", tmp_path / "cache"
    write_agent(agents, "sql-expert", "Tunes slow SQL queries.")
    first = fresh_router([agents], build_for([agents]), cache=cache)
    target = cache / f"{first.key}.agr"
    target.write_bytes(target.read_bytes()[:200])
    again = fresh_router([agents], build_for([agents]), cache=cache)
    assert not again.cached and again.saved and "unusable, rebuilt" in again.note
    assert fresh_router([agents], build_for([agents]), cache=cache).cached


def test_an_unwritable_cache_still_answers(tmp_path):
    agents = tmp_path / "agents"
    write_agent(agents, "sql-expert", "Tunes slow SQL queries.")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    result = fresh_router([agents], build_for([agents]), cache=blocker / "cache")
    assert not result.saved and "built in memory" in result.note
    assert result.router.pick("slow SQL").agent.name == "sql-expert"


def test_threshold_applies_to_cached_and_built_routers_alike(tmp_path):
    agents, cache = tmp_path / "agents", tmp_path / "cache"
    write_agent(agents, "sql-expert", "Tunes slow SQL queries.")
    built = fresh_router([agents], build_for([agents]), cache=cache, threshold=0.99)
    cached = fresh_router([agents], build_for([agents]), cache=cache, threshold=0.99)
    plain = fresh_router([agents], build_for([agents]), cache=cache)
    assert cached.cached and built.router.threshold == cached.router.threshold == 0.99
    assert plain.router.threshold is None  # the cached file itself is threshold-free
    with pytest.raises(ValueError, match="threshold"):
        fresh_router([agents], build_for([agents]), cache=None, threshold=2)


def test_diagnostics_are_reported_from_the_cache_too(tmp_path):
    agents, cache = tmp_path / "agents", tmp_path / "cache"
    write_agent(agents, "sql-expert", "Tunes slow SQL queries.")
    (agents / "broken.md").write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    built = fresh_router([agents], build_for([agents]), cache=cache)
    cached = fresh_router([agents], build_for([agents]), cache=cache)
    assert cached.cached and built.diagnostics == cached.diagnostics and "broken.md" in built.diagnostics[0]


CONCURRENT = """
import sys
from agentroute.integrations.claude_code_hook import fresh_project_router
from pathlib import Path
router = fresh_project_router(Path(sys.argv[1]))
print(router.pick("slow SQL query, add an index").agent.name)
"""


@pytest.mark.slow
def test_concurrent_processes_never_corrupt_the_cache(tmp_path):
    project, home, cache = tmp_path / "project", tmp_path / "home", tmp_path / "cache"
    for i in range(30):
        write_agent(project / ".claude" / "agents", f"agent-{i}", f"Handles topic {i} and widgets {i}.")
    write_agent(project / ".claude" / "agents", "sql-expert", "Tunes slow SQL queries and indexes.")
    env = dict(os.environ, HOME=str(home), PYTHONPATH=str(SRC), **{CACHE_ENV: str(cache)})
    processes = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(project)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, [err for _, err in outputs]
    assert {out.strip() for out, _ in outputs} == {"sql-expert"}
    files = sorted(cache.iterdir())
    assert [f.suffix for f in files] == [".agr", ".json"]  # one entry, no temporary file left
    assert Router.load(files[0]).pick("slow SQL query").agent.name == "sql-expert"


@pytest.mark.slow
def test_warm_path_imports_no_scikit_learn(tmp_path):
    project = tmp_path / "project"
    write_agent(project / ".claude" / "agents", "sql-expert", "Tunes slow SQL queries.")
    env = dict(os.environ, HOME=str(tmp_path / "home"), PYTHONPATH=str(SRC), **{CACHE_ENV: str(tmp_path / "c")})
    subprocess.run([sys.executable, "-c", CONCURRENT, str(project)], env=env, check=True, capture_output=True, timeout=300)
    probe = CONCURRENT + "\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'yaml')))\n"
    done = subprocess.run([sys.executable, "-c", probe, str(project)], env=env, check=True, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.splitlines() == ["sql-expert", "[]"]


# --- Claude Code's precedence ----------------------------------------------------------------


def plugin_setup(home: Path, tmp_path: Path, project: Path) -> dict[str, Path]:
    roots = {}
    for key in ("tools@market", "off@market", "elsewhere@market"):
        root = tmp_path / "plugins" / key.split("@")[0]
        write_agent(root / "agents", f"{key.split('@')[0]}-agent", "Plugin agent for release notes.")
        roots[key] = root
    write_agent(roots["tools@market"] / "extra", "manifest-agent", "Listed in the plugin manifest.")
    (roots["tools@market"] / ".claude-plugin").mkdir()
    (roots["tools@market"] / ".claude-plugin" / "plugin.json").write_text(
        json.dumps({"name": "tools", "agents": ["./extra"]}), encoding="utf-8")
    (home / "plugins").mkdir(parents=True, exist_ok=True)
    (home / "plugins" / "installed_plugins.json").write_text(json.dumps({"version": 2, "plugins": {
        "tools@market": [{"scope": "user", "installPath": str(roots["tools@market"])}],
        "off@market": [{"scope": "user", "installPath": str(roots["off@market"])}],
        "elsewhere@market": [{"scope": "project", "projectPath": str(tmp_path / "other"),
                              "installPath": str(roots["elsewhere@market"])}],
    }}), encoding="utf-8")
    (home / "settings.json").write_text(json.dumps({"enabledPlugins": {
        "tools@market": True, "off@market": False, "elsewhere@market": True}}), encoding="utf-8")
    return roots


def test_sources_follow_claude_codes_order(tmp_path):
    project, home = tmp_path / "project", tmp_path / "home"
    write_agent(project / ".claude" / "agents", "a", "x")
    write_agent(home / "agents", "b", "y")
    roots = plugin_setup(home, tmp_path, project)
    sources = claude_code_sources(project, home)
    assert [(s.scope, s.path) for s in sources] == [
        ("project", project / ".claude" / "agents"), ("user", home / "agents"),
        ("plugin", roots["tools@market"] / "agents"), ("plugin", (roots["tools@market"] / "extra").resolve())]
    assert sources[2].label == "plugin tools@market"
    # A project that enables the project-scoped plugin of another folder still does not get it.
    assert all("elsewhere" not in str(s.path) for s in plugin_sources(project, home))


def test_plugin_lists_that_cannot_be_read_are_skipped_with_a_note(tmp_path):
    home = tmp_path / "home"
    (home / "plugins").mkdir(parents=True)
    (home / "plugins" / "installed_plugins.json").write_text("{not json", encoding="utf-8")
    notes: list[str] = []
    assert plugin_sources(tmp_path, home, notes) == []
    assert len(notes) == 1 and "installed_plugins.json" in notes[0]


def test_project_beats_user_beats_plugin_and_each_clash_is_reported(tmp_path):
    project, home = tmp_path / "project", tmp_path / "home"
    write_agent(project / ".claude" / "agents", "reviewer", "Project reviewer for our conventions.")
    write_agent(home / "agents", "reviewer", "User reviewer.")
    write_agent(home / "agents", "haiku-poet", "Writes haiku poems.")
    roots = plugin_setup(home, tmp_path, project)
    write_agent(roots["tools@market"] / "agents", "haiku-poet", "Plugin poet.", file="poet.md")
    layered = load_layered(claude_code_sources(project, home))
    assert layered.registry["reviewer"].description == "Project reviewer for our conventions."
    assert layered.registry["haiku-poet"].description == "Writes haiku poems."
    assert {n: s.scope for n, s in layered.origins.items()} == {
        "reviewer": "project", "haiku-poet": "user", "tools-agent": "plugin", "manifest-agent": "plugin"}
    assert sorted((a.name, lost.scope, won.scope) for a, lost, won in layered.shadowed) == [
        ("haiku-poet", "plugin", "user"), ("reviewer", "user", "project")]
    clashes = [str(d) for d in layered.registry.diagnostics if "takes precedence" in d.message]
    assert len(clashes) == 2 and any("(project), which takes precedence" in c for c in clashes)


def test_list_shows_origins_and_the_losing_copies(tmp_path, monkeypatch, capsys):
    from agentroute.cli.main import main

    project, home = tmp_path / "project", tmp_path / "home"
    write_agent(project / ".claude" / "agents", "reviewer", "Project reviewer.")
    write_agent(home / ".claude" / "agents", "reviewer", "User reviewer.")
    write_agent(home / ".claude" / "agents", "haiku-poet", "Writes haiku poems.")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    assert main(["list", "--json", "--all"]) == 0
    captured = capsys.readouterr()
    rows = {(r["name"], r["scope"]): r for r in json.loads(captured.out)}
    assert set(rows) == {("reviewer", "project"), ("haiku-poet", "user"), ("reviewer", "user")}
    assert rows[("reviewer", "user")]["shadowed_by"] == "project" and "shadowed_by" not in rows[("reviewer", "project")]
    assert "takes precedence" in captured.err
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert "(shadowed by the project copy)  [user:" in text and "[project:" in text


def test_a_user_agent_is_routed_to_beside_project_agents(tmp_path, monkeypatch, capsys):
    from agentroute.cli.main import main

    project, home = tmp_path / "project", tmp_path / "home"
    write_agent(project / ".claude" / "agents", "sql-expert", "Tunes slow SQL queries.")
    write_agent(home / ".claude" / "agents", "haiku-poet", "Writes haiku poems about nature and seasons.")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    assert main(["pick", "write a haiku poem about autumn seasons", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agent"] == "haiku-poet"


def test_learned_examples_join_the_default_router(tmp_path, monkeypatch, capsys):
    from agentroute.cli.main import main

    project = tmp_path / "project"
    write_agent(project / ".claude" / "agents", "sql-expert", "Tunes slow SQL queries.")
    write_agent(project / ".claude" / "agents", "css-fixer", "Fixes CSS layouts.")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(project)
    request = "the quarterly zorblax report"
    assert main(["pick", request, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agent"] is None
    file = project / learned.LEARNED_RELATIVE
    file.parent.mkdir(parents=True)
    file.write_text(json.dumps({"text": request, "label": "css-fixer"}) + "\n", encoding="utf-8")
    assert main(["pick", request, "--json"]) == 0  # no build: the learned file is in the fingerprint
    assert json.loads(capsys.readouterr().out)["agent"] == "css-fixer"


def test_agent_repr_is_short(small_agents):
    agent = Agent("big", "Does things.", prompt="word " * 50_000)
    assert len(repr(agent)) < 200 and "<250000 chars>" in repr(agent)


def test_build_with_a_claude_agents_folder_includes_its_learned_file_and_eval_does_not(tmp_path, monkeypatch, capsys):
    from agentroute.cli.main import main

    project = tmp_path / "project"
    agents = project / ".claude" / "agents"
    write_agent(agents, "sql-expert", "Tunes slow SQL queries.")
    write_agent(agents, "css-fixer", "Fixes CSS layouts.")
    file = project / learned.LEARNED_RELATIVE
    file.parent.mkdir(parents=True)
    file.write_text(json.dumps({"text": "the quarterly zorblax report", "label": "css-fixer"}) + "\n")
    monkeypatch.chdir(tmp_path)  # elsewhere: the learned file is found beside the agents folder
    assert main(["build", "--agents", str(agents), "-o", str(tmp_path / "r.agr")]) == 0
    assert Router.load(tmp_path / "r.agr").pick("the quarterly zorblax report").agent.name == "css-fixer"
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"text": "the quarterly zorblax report", "label": "css-fixer"}) + "\n")
    capsys.readouterr()
    assert main(["eval", "--agents", str(agents), "--data", str(data), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 0.0  # learned rows are not test rows


def test_a_plugin_agent_is_suggested_under_its_namespaced_name(tmp_path, monkeypatch):
    from agentroute.integrations.claude_code_hook import hook_response, subagent_type

    project, home = tmp_path / "project", tmp_path / "home"
    write_agent(project / ".claude" / "agents", "sql-expert", "Tunes slow SQL queries.")
    plugin_setup(home, tmp_path, project)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home))
    router = claude_code_hook.fresh_project_router(project)
    assert subagent_type(router.registry["tools-agent"]) == "tools:tools-agent"
    assert subagent_type(router.registry["sql-expert"]) == "sql-expert"
    event = {"hook_event_name": "UserPromptSubmit", "prompt": "write the plugin agent release notes"}
    assert 'subagent_type: "tools:tools-agent"' in hook_response(event, router)["hookSpecificOutput"]["additionalContext"]


def test_the_cache_folder_it_creates_is_private(tmp_path):
    agents = tmp_path / "agents"
    write_agent(agents, "sql-expert", "Tunes slow SQL queries.")
    cache = tmp_path / "xdg" / "agentroute" / "routers"
    assert fresh_router([agents], build_for([agents]), cache=cache).saved
    assert cache.stat().st_mode & 0o777 == 0o700  # learned requests are the user's own prompts
