"""What a new user is told: the papercuts of a new-user pass over real collections, one test each."""

from __future__ import annotations

import json

import pytest

from agentroute import Agent, Registry, Router
from agentroute.cli.main import main
from agentroute.integrations.claude_code_hook import run_hook
from agentroute.lint.checks import LONG_DESCRIPTION_CHARS, lint
from agentroute.routing.rule import REASON_WORDS, REASONS


def test_pick_says_why_it_abstained_in_words(agents_dir, capsys):
    assert set(REASON_WORDS) == set(REASONS)
    assert main(["pick", "tell me a joke", "--agents", str(agents_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("none (no agent fits this request: ") and "only common words" in out and "no_terms" not in out
    assert main(["pick", "slow SQL queries", "--agents", str(agents_dir), "--threshold", "0.99"]) == 0
    assert "the best score is below the threshold" in capsys.readouterr().out
    # JSON keeps the rule's code, which scripts compare
    assert main(["pick", "tell me a joke", "--agents", str(agents_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reason"] == "no_terms"


def test_a_name_clash_within_one_folder_is_listed_with_the_file_that_won(agents_dir, capsys):
    (agents_dir / "zz-copy.md").write_text("---\nname: sql-expert\ndescription: Another SQL agent.\n---\nx\n")
    registry = Registry.from_paths([agents_dir])
    assert [(loser.source, winner.source) for loser, winner in registry.shadowed] == [
        (str(agents_dir / "zz-copy.md"), str(agents_dir / "sql.md"))]
    assert Registry(list(registry)).shadowed == ()
    assert main(["list", "--agents", str(agents_dir), "--json", "--all", "--quiet"]) == 0
    rows = json.loads(capsys.readouterr().out)
    lost = [r for r in rows if "shadowed_by" in r]
    assert [(r["name"], r["source"], r["shadowed_by_source"]) for r in lost] == [
        ("sql-expert", str(agents_dir / "zz-copy.md"), str(agents_dir / "sql.md"))]
    assert main(["list", "--agents", str(agents_dir), "--all", "--quiet"]) == 0
    assert f"(shadowed by {agents_dir / 'sql.md'})" in capsys.readouterr().out


def test_the_hook_names_the_fix_for_input_that_is_not_json():
    notes: list[str] = []
    output, code = run_hook("not json", lambda event: None, on_error=notes.append, timeout=None)
    assert (output, code) == ("", 0)
    assert len(notes) == 1 and "not JSON" in notes[0] and "fix:" in notes[0] and '"prompt"' in notes[0]


def test_a_missing_agents_path_names_the_fix(capsys):
    assert main(["pick", "x", "--agents", "/no/such/folder"]) == 2
    err = capsys.readouterr().err
    assert "agents path not found: /no/such/folder" in err and "fix:" in err


def test_strict_says_error_once_per_line(agents_dir, capsys):
    (agents_dir / "empty.md").write_text("")
    assert main(["pick", "slow SQL", "--agents", str(agents_dir), "--strict"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("agentroute: error: ") and "empty.md" in lines[0]
    assert lines[0].count("error:") == 1


def test_a_path_given_as_agents_points_at_from_paths(agents_dir):
    for given in (str(agents_dir), agents_dir):
        with pytest.raises(TypeError, match=r"Router\.from_paths"):
            Router(given)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"write \[agent\]"):
        Router(Agent(name="a", description="b"))  # type: ignore[arg-type]


def test_lint_warns_about_a_description_too_long_to_route_on():
    topic = "Handles kubernetes helm charts. "
    long = Agent(name="helm-pro", description=topic + "Lorem ipsum dolor sit amet. " * 80, source="helm.md")
    short = Agent(name="sql-expert", description="Tunes slow SQL queries and indexes for speed", source="sql.md")
    assert len(long.description) > LONG_DESCRIPTION_CHARS
    codes = {(f.agent, f.code) for f in lint([long, short])}
    assert ("helm-pro", "AR204") in codes and ("sql-expert", "AR204") not in codes


@pytest.mark.parametrize("command", ["pick", "shortlist", "explain"])
def test_a_blank_request_is_answered_with_a_warning(agents_dir, capsys, command):
    assert main([command, "  ", "--agents", str(agents_dir)]) == 0
    assert "the request is empty" in capsys.readouterr().err
    assert main([command, "slow SQL", "--agents", str(agents_dir)]) == 0
    assert "the request is empty" not in capsys.readouterr().err
