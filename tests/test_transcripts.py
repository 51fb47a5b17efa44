"""Mining Claude Code transcripts: fixtures written from the documented line format give exactly the expected pairs.

The fixture folder ``tests/fixtures/transcripts/-home-dev-shop`` is one project's transcript
folder: two sessions (``Task`` in 2.0.x, ``Agent`` in 2.1.70), a subagent file in the
current layout (``<session>/subagents/agent-*.jsonl``) and one in the older layout
(``agent-*.jsonl`` beside the sessions), slash commands, command output, meta lines,
tool results, an errored delegation, a repeated one (resume), a rewound branch, inline
sidechain lines, built-in agent types, a truncated last line and a corrupt line.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from agentroute.cli.main import main
from agentroute.sources.transcript_paths import find_project_folder, project_slug, transcript_files
from agentroute.sources.transcripts import MiningStats, mine_files, mine_lines

FIXTURE = Path(__file__).parent / "fixtures" / "transcripts" / "-home-dev-shop"
S1 = "0b6c1a2e-1111-4c1d-9e0a-000000000001"
S2 = "0b6c1a2e-2222-4c1d-9e0a-000000000002"

EXPECTED = [  # (text, label, session, timestamp of the user's prompt)
    ("The checkout page takes 4 seconds, find the N+1 queries in the orders code", "database-specialist", S1,
     "2026-03-01T09:00:00.000Z"),
    ("The checkout page takes 4 seconds, find the N+1 queries in the orders code", "performance-engineer", S1,
     "2026-03-01T09:00:00.000Z"),
    ("Audit the login endpoint for injection and session fixation issues", "security-auditor", S2,
     "2026-03-02T10:01:00.000Z"),
    ("Write a migration that adds an index on orders.customer_id", "database-specialist", S2,
     "2026-03-02T10:04:00.000Z"),
    ("Actually, document the orders table indexes in the README instead", "technical-writer", S2,
     "2026-03-02T10:05:00.000Z"),
]
BUILTIN = [
    ("Great. Where is the retry logic for payment webhooks?", "Explore", S1, "2026-03-01T09:03:00.000Z"),
    ("Now look around and tell me how the cache is structured", "general-purpose", S2, "2026-03-02T10:06:00.000Z"),
]


def _mine(include_builtin: bool = False) -> tuple[list[tuple[str, str, str, str | None]], MiningStats]:
    found = transcript_files([FIXTURE])
    stats = MiningStats()
    pairs = [(p.text, p.label, p.session, p.timestamp)
             for p in mine_files(found.sessions, include_builtin=include_builtin, stats=stats)]
    return pairs, stats


def test_subagent_files_are_set_aside_in_both_layouts() -> None:
    found = transcript_files([FIXTURE])
    assert [p.name for p in found.sessions] == [f"{S1}.jsonl", f"{S2}.jsonl"]
    assert sorted(p.name for p in found.subagent_files) == ["agent-5e6f7a8.jsonl", "agent-a1b2c3d.jsonl"]


def test_fixtures_give_exactly_the_expected_pairs() -> None:
    pairs, stats = _mine()
    assert pairs == EXPECTED
    assert stats.files == 2 and stats.corrupt_lines == 2  # S1's truncated last line, S2's corrupt line
    assert stats.prompts == 6  # commands, command output, meta, tool results, interruptions are not prompts
    assert stats.delegations == 10  # inline sidechain delegations are not counted at all
    assert dict(stats.skipped) == {"builtin": 2, "after_command": 1, "errored": 1, "repeated": 1}
    assert dict(stats.builtin) == {"Explore": 1, "general-purpose": 1}
    assert stats.pairs == 5 and dict(stats.agents) == {"database-specialist": 2, "performance-engineer": 1,
                                                       "security-auditor": 1, "technical-writer": 1}


def test_builtin_types_kept_when_asked() -> None:
    pairs, stats = _mine(include_builtin=True)
    assert sorted(pairs) == sorted(EXPECTED + BUILTIN)
    assert stats.skipped["builtin"] == 0


def test_context_keeps_the_models_prompt_to_the_subagent() -> None:
    found = transcript_files([FIXTURE])
    first = next(iter(mine_files(found.sessions)))
    assert first.context == {"tool": "Task", "description": "Find N+1 queries",
                             "prompt": "Inspect src/orders for N+1 query patterns and report them."}
    row = first.to_row()
    assert set(row) == {"text", "label", "session", "timestamp", "context", "source"}


def _line(**record: object) -> str:
    return json.dumps(record)


def _delegate(uuid: str, parent: str, agent: str) -> str:
    return _line(type="assistant", uuid=uuid, parentUuid=parent, message={"role": "assistant", "content": [
        {"type": "tool_use", "id": f"t-{uuid}", "name": "Agent", "input": {"subagent_type": agent, "prompt": "p"}}]})


def test_threading_follows_parent_links_not_file_order() -> None:
    lines = [
        _line(type="user", uuid="u1", parentUuid=None, message={"role": "user", "content": "first request"}),
        _line(type="user", uuid="u2", parentUuid=None, message={"role": "user", "content": "second request"}),
        _delegate("a1", "u1", "one"),
        _delegate("a2", "u2", "two"),
        _delegate("a3", "missing-parent", "three"),  # unknown parent: file order (the latest prompt)
    ]
    pairs = list(mine_lines(iter(lines), file="s.jsonl", stats=MiningStats()))
    assert [(p.text, p.label) for p in pairs] == [("first request", "one"), ("second request", "two"),
                                                  ("second request", "three")]
    assert pairs[0].session == "s"  # no sessionId on the line: the file's name


def test_delegation_before_any_prompt_is_counted_not_invented() -> None:
    stats = MiningStats()
    assert list(mine_lines(iter([_delegate("a1", "nowhere", "x"), "[1, 2]", ""]), file="f", stats=stats)) == []
    assert stats.skipped["no_prompt"] == 1 and stats.corrupt_lines == 1


def test_project_slug_replaces_every_non_alphanumeric_character() -> None:
    assert project_slug("/home/dev/shop") == "-home-dev-shop"
    assert project_slug("/Users/me/.agents/my_proj v2/") == "-Users-me--agents-my-proj-v2"
    assert project_slug("/srv/caf\u00e9/\U0001F600") == "-srv-caf--" + "--"


def test_project_folder_found_for_the_project_or_its_git_root(tmp_path: Path) -> None:
    root = tmp_path / "projects"
    repo = tmp_path / "my_repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    assert find_project_folder(repo / "pkg", root) is None
    (root / project_slug(repo)).mkdir(parents=True)
    assert find_project_folder(repo / "pkg", root) == root / project_slug(repo)
    (root / project_slug(repo / "pkg")).mkdir()
    assert find_project_folder(repo / "pkg", root) == root / project_slug(repo / "pkg")


def test_cli_mines_to_a_private_file_eval_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agentroute.evaluation.labelled import read_labelled

    out = tmp_path / "mined.jsonl"
    old = os.umask(0o022)
    try:
        assert main(["learn", "claude-code", str(FIXTURE), "-o", str(out), "--json"]) == 0
    finally:
        os.umask(old)
    summary = json.loads(capsys.readouterr().out)
    assert summary["pairs"] == 5 and summary["subagent_files"] == 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [(r.text, r.label) for r in read_labelled(out)] == [(t, label) for t, label, _, _ in EXPECTED]
    # an existing output is never silently replaced
    assert main(["learn", "claude-code", str(FIXTURE), "-o", str(out)]) == 2
    assert "--append" in capsys.readouterr().err
    assert main(["learn", "claude-code", str(FIXTURE), "-o", str(out), "--append"]) == 0
    assert len(out.read_text().splitlines()) == 10


def test_cli_defaults_to_this_projects_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    config = tmp_path / "claude-config"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config))
    monkeypatch.chdir(project)
    assert main(["learn", "claude-code", "-o", "m.jsonl"]) == 2
    assert project_slug(project) in capsys.readouterr().err
    target = config / "projects" / project_slug(project)
    target.mkdir(parents=True)
    (target / "s.jsonl").write_text((FIXTURE / f"{S2}.jsonl").read_text())
    assert main(["learn", "claude-code", "-o", "m.jsonl"]) == 0
    assert "3 pairs written" in capsys.readouterr().out


def test_prompt_queued_while_the_model_worked_is_a_prompt() -> None:
    queued = {"type": "queued_command", "commandMode": "prompt", "origin": {"kind": "human"},
              "prompt": "also check why the cache misses"}
    notification = {"type": "queued_command", "commandMode": "task-notification",
                    "prompt": "<task-notification><status>completed</status></task-notification>"}
    lines = [
        _line(type="user", uuid="u1", parentUuid=None, message={"role": "user", "content": "speed up the orders page"}),
        _line(type="assistant", uuid="a1", parentUuid="u1", message={"role": "assistant", "content": [
            {"type": "text", "text": "Looking."}]}),
        _line(type="attachment", uuid="q1", parentUuid="a1", attachment=queued),
        _delegate("a2", "q1", "cache-expert"),
        _line(type="attachment", uuid="q2", parentUuid="a2", attachment=notification),
        _delegate("a3", "q2", "db-expert"),
        _line(type="user", uuid="u2", parentUuid="a3", message={"role": "user", "content":
              "what does <command-name> mean in these logs?"}),
        _delegate("a4", "u2", "log-reader"),
    ]
    stats = MiningStats()
    pairs = [(p.text, p.label) for p in mine_lines(iter(lines), file="s.jsonl", stats=stats)]
    assert pairs == [("also check why the cache misses", "cache-expert"),
                     ("also check why the cache misses", "db-expert"),  # a notification is not a prompt
                     ("what does <command-name> mean in these logs?", "log-reader")]  # quoted, not a command
    assert stats.prompts == 3


def _json_values():  # any JSON value, nested a little
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "uuid", "parentUuid", "message", "role", "content", "text", "name", "input",
                         "subagent_type", "tool_use_id", "is_error", "isMeta", "isSidechain", "attachment",
                         "prompt", "id", "timestamp", "sessionId", "commandMode", "origin"]), inner, max_size=6),
        max_leaves=20)


@pytest.mark.slow  # a hypothesis run
def test_any_json_or_garbage_never_crashes_the_miner() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.lists(_json_values().map(json.dumps) | st.text(max_size=40), max_size=12))
    def check(lines: list[str]) -> None:
        stats = MiningStats()
        pairs = list(mine_lines(iter(lines), file="f.jsonl", stats=stats))
        assert all(isinstance(p.text, str) and p.text and isinstance(p.label, str) for p in pairs)
        assert stats.lines == len(lines)

    check()
