"""Learned examples: the file format, corrections, and merging into Registry/Router.from_paths."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from agentroute import Agent, Example, Registry, Router
from agentroute.sources.learned import (
    LEARNED_RELATIVE,
    UnknownAgentError,
    append_learned,
    merge_learned,
    read_learned,
)

AGENTS = {
    "sql-expert": "Tunes slow SQL queries and database indexes",
    "css-fixer": "Fixes CSS layouts, flexbox and styling",
    "docs-writer": "Writes documentation and READMEs",
}


def _agents_dir(tmp_path: Path) -> Path:
    folder = tmp_path / ".claude" / "agents"
    folder.mkdir(parents=True)
    for name, description in AGENTS.items():
        (folder / f"{name}.md").write_text(f"---\nname: {name}\ndescription: {description}\n---\nYou help.\n")
    return folder


def _write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_default_location_is_beside_the_agents() -> None:
    assert LEARNED_RELATIVE == Path(".claude/agentroute/learned.jsonl")


def test_missing_file_is_empty_not_an_error(tmp_path: Path) -> None:
    found = read_learned(tmp_path / "nope.jsonl")
    assert found.examples == () and found.diagnostics == ()


def test_corrupt_lines_are_named_and_good_rows_kept(tmp_path: Path) -> None:
    path = _write(tmp_path / "learned.jsonl", [
        json.dumps({"text": "the orders query is slow", "label": "sql-expert"}),
        '{"text": "truncated',
        json.dumps({"label": "css-fixer"}),
        json.dumps({"text": "no label here"}),
        "",
        json.dumps({"text": "center this div", "label": "css-fixer", "session": "s1"}),
    ])
    found = read_learned(path)
    assert [(e.text, e.label, e.line) for e in found.examples] == [
        ("the orders query is slow", "sql-expert", 1), ("center this div", "css-fixer", 6)]
    assert [(d.path, d.line, d.field) for d in found.diagnostics] == [
        (str(path), 2, None), (str(path), 3, "text"), (str(path), 4, "label")]
    assert all(d.severity == "warning" for d in found.diagnostics)


def test_later_row_for_the_same_request_wins(tmp_path: Path) -> None:
    path = _write(tmp_path / "learned.jsonl", [
        json.dumps({"text": "Fix the  page", "label": "css-fixer"}),
        json.dumps({"text": "other", "label": "docs-writer"}),
        json.dumps({"text": "fix the page", "label": "docs-writer"}),
    ])
    assert [(e.text, e.label) for e in read_learned(path).examples] == [
        ("other", "docs-writer"), ("fix the page", "docs-writer")]


def test_a_correction_is_not_undone_by_mined_rows_appended_later(tmp_path: Path) -> None:
    path = tmp_path / "learned.jsonl"
    _write(path, [json.dumps({"text": "fix the page", "label": "css-fixer", "source": "claude-code"})])
    append_learned(path, "Fix the page", "docs-writer", known_agents=list(AGENTS))
    with path.open("a") as handle:  # `learn claude-code -o learned.jsonl --append` again
        handle.write(json.dumps({"text": "fix the page", "label": "css-fixer", "source": "claude-code"}) + "\n")
    assert [(e.label, e.correction) for e in read_learned(path).examples] == [("docs-writer", True)]
    append_learned(path, "fix the page", "css-fixer", known_agents=list(AGENTS))  # a newer correction wins
    assert [e.label for e in read_learned(path).examples] == ["css-fixer"]


def test_append_refuses_unknown_agent_listing_close_names_first(tmp_path: Path) -> None:
    path = tmp_path / "p" / LEARNED_RELATIVE
    with pytest.raises(UnknownAgentError) as error:
        append_learned(path, "slow query", "sql-expret", known_agents=list(AGENTS))
    message = str(error.value)
    assert "did you mean sql-expert?" in message
    assert message.index("sql-expert") < message.index("css-fixer")
    assert not path.exists()
    with pytest.raises(ValueError):
        append_learned(path, "   ", "sql-expert", known_agents=list(AGENTS))


def test_append_writes_a_private_row_eval_can_read(tmp_path: Path) -> None:
    from agentroute.evaluation.labelled import read_labelled

    path = tmp_path / "p" / LEARNED_RELATIVE
    old = os.umask(0o022)
    try:
        row = append_learned(path, " slow query ", "sql-expert", known_agents=list(AGENTS))
        append_learned(path, "grid gap", "css-fixer", known_agents=list(AGENTS))
    finally:
        os.umask(old)
    assert row["text"] == "slow query" and row["label"] == "sql-expert" and row["source"] == "correction"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [(r.text, r.label) for r in read_labelled(path)] == [("slow query", "sql-expert"), ("grid gap", "css-fixer")]


def test_merge_adds_examples_dedupes_and_reports_unknown_labels(tmp_path: Path) -> None:
    path = _write(tmp_path / "learned.jsonl", [
        json.dumps({"text": "why is this query slow", "label": "sql-expert"}),
        json.dumps({"text": "an index on orders?", "label": "sql-expert"}),
        json.dumps({"text": "restart the pod", "label": "k8s-operator"}),
    ])
    agents = [Agent(name="sql-expert", examples=(Example("Why is this query  slow"),)), Agent(name="css-fixer")]
    merged, notes = merge_learned(agents, read_learned(path))
    assert [e.request for e in merged[0].examples] == ["Why is this query  slow", "an index on orders?"]
    # The file's rows are marked learned (the blended strategy scores them apart from authored text).
    assert [e.learned for e in merged[0].examples] == [False, True]
    assert merged[1] is agents[1]
    assert len(notes) == 1 and notes[0].line == 3 and notes[0].value == "k8s-operator"
    assert "known agents: " in notes[0].message


def test_registry_and_router_from_paths_take_learned(tmp_path: Path) -> None:
    folder = _agents_dir(tmp_path)
    learned = _write(tmp_path / LEARNED_RELATIVE, [
        json.dumps({"text": "the quarterly numbers look off", "label": "sql-expert"}),
        "not json",
        json.dumps({"text": "x", "label": "ghost"}),
    ])
    plain = Registry.from_paths([folder])
    registry = Registry.from_paths([folder], learned=learned)
    assert plain["sql-expert"].examples == ()
    assert [e.request for e in registry["sql-expert"].examples] == ["the quarterly numbers look off"]
    assert {(d.line, d.field) for d in registry.diagnostics} == {(2, None), (3, "label")}
    with pytest.raises(Exception):
        Registry.from_paths([folder], learned=learned, strict=True)

    request = "the quarterly numbers look off again"
    before = Router.from_paths([folder]).pick(request)
    router = Router.from_paths([folder], learned=learned)
    assert before is None or before.agent.name != "sql-expert"
    route = router.pick(request)
    assert route is not None and route.agent.name == "sql-expert"
    # reload() re-reads the learned file too: a new correction counts without rebuilding by hand
    append_learned(learned, "summarise the release for users", "docs-writer", known_agents=list(AGENTS))
    router.reload()
    assert [e.request for e in router.registry["docs-writer"].examples] == ["summarise the release for users"]


def test_default_learned_path_sits_beside_the_agents(tmp_path: Path) -> None:
    from agentroute.sources.learned import default_learned_path

    assert default_learned_path([tmp_path / "proj" / ".claude" / "agents"]) == tmp_path / "proj" / LEARNED_RELATIVE
    assert default_learned_path(["some/folder", tmp_path / ".claude" / "agents"]) == tmp_path / LEARNED_RELATIVE
    assert default_learned_path(["some/folder"], cwd=tmp_path) == tmp_path / LEARNED_RELATIVE


def test_cli_learn_add_writes_beside_the_agents_and_refuses_unknown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from agentroute.cli.main import main

    folder = _agents_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["learn", "add", "the quarterly numbers look off", "sql-expret", "--agents", str(folder)]) == 2
    assert "did you mean sql-expert?" in capsys.readouterr().err
    assert not (tmp_path / LEARNED_RELATIVE).exists()
    assert main(["learn", "add", "the quarterly numbers look off", "sql-expert", "--agents", str(folder)]) == 0
    rows = [json.loads(line) for line in (tmp_path / LEARNED_RELATIVE).read_text().splitlines()]
    assert [(r["text"], r["label"]) for r in rows] == [("the quarterly numbers look off", "sql-expert")]


def test_plugin_labels_resolve_to_the_agent_file_name(tmp_path: Path) -> None:
    from agentroute.sources.learned import resolve_label

    names = ["code-reviewer", "team:lead"]
    assert resolve_label("pr-review-toolkit:code-reviewer", names) == "code-reviewer"
    assert resolve_label("team:lead", names) == "team:lead"
    assert resolve_label("toolkit:ghost", names) is None and resolve_label("ghost", names) is None
    path = _write(tmp_path / "learned.jsonl", [json.dumps({"text": "review my diff", "label": "kit:code-reviewer"})])
    merged, notes = merge_learned([Agent(name="code-reviewer")], read_learned(path))
    assert [e.request for e in merged[0].examples] == ["review my diff"] and notes == []


def test_saved_router_keeps_which_examples_were_learned(tmp_path: Path) -> None:
    agents = [Agent(name="sql-expert", description="Tunes slow SQL queries",
                    examples=(Example("why is this query slow"), Example("the ledger report hangs", learned=True))),
              Agent(name="css-fixer", description="Fixes CSS layouts", examples=(Example("center this div"),))]
    router = Router(agents)
    router.save(tmp_path / "router.json")
    loaded = Router.load(tmp_path / "router.json")
    assert [e.learned for e in loaded.registry["sql-expert"].examples] == [False, True]
    assert loaded.rank("the ledger report hangs again")[0].score == pytest.approx(
        router.rank("the ledger report hangs again")[0].score)
