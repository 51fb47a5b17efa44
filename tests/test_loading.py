"""File IO: discovery, safe reading, and collecting every problem."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from agentroute.sources import loading
from agentroute.errors import AgentFileError
from agentroute.sources.loading import (
    discover,
    discover_with_diagnostics,
    load_file,
    load_paths,
)

AGENT = "---\nname: {name}\ndescription: Helps with {name}.\n---\nPrompt for {name}.\n"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def agent_file(folder: Path, name: str, rel: str | None = None) -> Path:
    return write(folder / (rel or f"{name}.md"), AGENT.format(name=name))


# --- discover ----------------------------------------------------------------------------


def test_discover_folder_recursive_sorted_and_filtered(tmp_path):
    agent_file(tmp_path, "b")
    agent_file(tmp_path, "a", "sub/a.md")
    agent_file(tmp_path, "c", "A.MD")
    agent_file(tmp_path, "hidden", ".git/hidden.md")
    agent_file(tmp_path, "dot", ".dot.md")
    write(tmp_path / "notes.txt", "not markdown")
    found = discover([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["A.MD", "b.md", "sub/a.md"]


def test_discover_file_is_itself_whatever_the_suffix(tmp_path):
    file = agent_file(tmp_path, "x", "x.agent")
    assert discover([file]) == [file]


def test_discover_expands_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    agent_file(tmp_path, "home", "agents/home.md")
    assert discover(["~/agents"]) == [tmp_path / "agents" / "home.md"]


def test_discover_bare_string_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match=r"not a single str"):
        discover(str(tmp_path))  # type: ignore[arg-type]


def test_discover_missing_path_is_reported(tmp_path):
    files, notes = discover_with_diagnostics([tmp_path / "nope"])
    assert files == [] and notes[0].severity == "error" and "nope" in notes[0].path


def test_symlink_loop_does_not_hang(tmp_path):
    agent_file(tmp_path, "a", "top/a.md")
    os.symlink(tmp_path / "top", tmp_path / "top" / "loop")
    os.symlink(tmp_path / "top" / "a.md", tmp_path / "top" / "alias.md")
    started = time.perf_counter()
    found = discover([tmp_path])
    assert time.perf_counter() - started < 2
    assert found == [tmp_path / "top" / "a.md"]  # the alias is the same file


# --- load_file ---------------------------------------------------------------------------


def test_load_file_strips_bom(tmp_path):
    file = write(tmp_path / "a.md", b"\xef\xbb\xbf" + AGENT.format(name="a").encode())
    parsed = load_file(file)
    assert parsed.agent.name == "a" and parsed.diagnostics == ()


def test_load_file_utf16(tmp_path):
    file = write(tmp_path / "a.md", AGENT.format(name="wide").encode("utf-16"))
    assert load_file(file).agent.name == "wide"


def test_binary_file_is_an_error(tmp_path):
    file = write(tmp_path / "bin.md", b"---\nname: a\n---\n\x00\x01")
    with pytest.raises(AgentFileError) as info:
        load_file(file)
    note = info.value.diagnostics[0]
    assert note.path == str(file) and note.line == 4 and "binary" in note.message


def test_invalid_utf8_is_replaced_with_a_warning(tmp_path):
    file = write(tmp_path / "bad.md", b"---\nname: a\ndescription: caf\xe9\n---\nBody")
    parsed = load_file(file)
    assert parsed.agent.description == "caf\ufffd"
    (note,) = parsed.diagnostics
    assert note.line == 3 and "UTF-8" in note.message and note.fix == "save the file as UTF-8"
    with pytest.raises(AgentFileError):
        load_file(file, strict=True)


def test_size_cap(tmp_path):
    file = write(tmp_path / "big.md", AGENT.format(name="big") + "x" * 2000)
    with pytest.raises(AgentFileError) as info:
        load_file(file, max_file_bytes=1000)
    assert "max_file_bytes=1000" in str(info.value) and "larger max_file_bytes" in str(info.value)
    assert load_file(file, max_file_bytes=10_000).agent.name == "big"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path):
    file = agent_file(tmp_path, "locked")
    file.chmod(0)
    try:
        with pytest.raises(AgentFileError, match="cannot read"):
            load_file(file)
    finally:
        file.chmod(0o644)


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    file = agent_file(tmp_path, "locked")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(loading, "open", deny, raising=False)
    with pytest.raises(AgentFileError) as info:
        load_file(file)
    assert "Permission denied" in str(info.value) and "permissions" in str(info.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path):
    agent_file(tmp_path, "a")
    os.mkfifo(tmp_path / "pipe.md")
    result = load_paths([tmp_path])
    assert [a.name for a in result.agents] == ["a"]
    assert "not a regular file" in result.diagnostics[0].message


def test_file_deleted_between_discover_and_read(tmp_path, monkeypatch):
    agent_file(tmp_path, "a")
    doomed = agent_file(tmp_path, "b")
    real = loading.discover_with_diagnostics

    def discover_then_delete(paths):
        found = real(paths)
        doomed.unlink()
        return found

    monkeypatch.setattr(loading, "discover_with_diagnostics", discover_then_delete)
    result = load_paths([tmp_path])
    assert [a.name for a in result.agents] == ["a"]
    (note,) = result.diagnostics
    assert note.path == str(doomed) and "disappeared" in note.message


# --- load_paths --------------------------------------------------------------------------


def test_one_bad_file_never_stops_the_others(tmp_path):
    agent_file(tmp_path, "a")
    write(tmp_path / "b.md", "---\nname: b\n")  # never closed
    agent_file(tmp_path, "c")
    write(tmp_path / "README.md", "# Agents\n\nRead me.\n")
    write(tmp_path / "empty.md", "")
    result = load_paths([tmp_path])
    assert [a.name for a in result.agents] == ["a", "c"]
    by_path = {Path(d.path).name: d for d in result.diagnostics}
    assert by_path["b.md"].severity == "error" and by_path["b.md"].line == 1
    assert by_path["README.md"].severity == "warning"
    assert "not an agent definition" in by_path["README.md"].message
    assert by_path["empty.md"].severity == "warning"


def test_load_paths_strict_lists_every_problem_after_loading_everything(tmp_path):
    write(tmp_path / "a.md", "---\nname: a\n---\n")  # no description
    write(tmp_path / "b.md", "---\nname: b\ndescription: x: y\n---\n")  # unquoted ': '
    agent_file(tmp_path, "c")
    with pytest.raises(AgentFileError) as info:
        load_paths([tmp_path], strict=True)
    paths = {Path(d.path).name for d in info.value.diagnostics}
    assert paths == {"a.md", "b.md"}
    assert {d.severity for d in info.value.diagnostics} == {"error"}
    assert "a.md" in str(info.value) and "b.md" in str(info.value)


def test_load_paths_keeps_order_of_paths(tmp_path):
    a = agent_file(tmp_path, "a")
    b = agent_file(tmp_path, "b")
    assert [x.name for x in load_paths([b, a]).agents] == ["b", "a"]


def test_a_project_walk_enters_only_the_agents_folders_of_tool_homes(tmp_path):
    agent = "---\nname: {}\ndescription: Does {}.\n---\nBody.\n"
    files = {
        ".claude/agents/a.md": agent.format("from-claude", "a"),
        ".opencode/agent/b.md": agent.format("from-opencode", "b"),
        ".github/agents/c.agent.md": agent.format("from-copilot", "c"),
        ".github/ISSUE_TEMPLATE/bug.md": "---\nname: Bug report\nabout: Report a bug\n---\nSteps.\n",
        ".claude/settings.md": agent.format("not-an-agent-folder", "x"),
        ".git/hooks/x.md": agent.format("inside-git", "x"),
        "docs/agents/d.md": agent.format("plain-folder", "d"),
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    from agentroute import Registry

    names = Registry.from_paths([tmp_path]).names
    assert sorted(names) == ["b", "from-claude", "from-copilot", "plain-folder"]  # OpenCode names agents by file
    # Naming a tool's folder itself reads it whole, as before.
    assert "not-an-agent-folder" in Registry.from_paths([tmp_path / ".claude"]).names
