"""The command line: exact output shapes, JSON, defaults, and one-line errors with exit code 2."""

import json

import pytest

from agentroute.cli.main import main


@pytest.fixture
def agents_dir(tmp_path):
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "sql.md").write_text(
        "---\nname: sql-expert\ndescription: Tunes slow SQL queries and indexes.\ntools: Read, Bash\n---\nYou tune databases.\n"
    )
    (folder / "css.md").write_text("---\nname: css-fixer\ndescription: Fixes CSS layouts and styling.\n---\nYou fix CSS.\n")
    return folder


@pytest.fixture
def no_default_dirs(tmp_path, monkeypatch):
    """Run from an empty folder with an empty HOME, so the built-in agents are the default."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)


def test_pick_prints_agent_and_score(agents_dir, capsys):
    assert main(["pick", "my sql query is slow", "--agents", str(agents_dir)]) == 0
    name, score = capsys.readouterr().out.strip().split("\t")
    assert name == "sql-expert" and 0 < float(score) <= 1


def test_pick_json_has_agent_score_and_ranking(agents_dir, capsys):
    assert main(["pick", "fix the css layout", "--agents", str(agents_dir), "-k", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agent"] == "css-fixer"
    assert 0 < data["score"] <= 1
    assert [r["agent"] for r in data["ranking"]] == ["css-fixer", "sql-expert"]
    assert data["ranking"][0]["score"] >= data["ranking"][1]["score"]


def test_pick_json_abstains_with_null(agents_dir, capsys):
    assert main(["pick", "what is the weather in Lisbon", "--agents", str(agents_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agent"] is None and data["score"] is None and len(data["ranking"]) == 1


def test_pick_uses_builtin_agents_when_no_folder_is_found(no_default_dirs, capsys):
    assert main(["pick", "add Redis caching to our API endpoints", "--json"]) == 0
    captured = capsys.readouterr()
    assert "built-in example agents" in captured.err
    assert json.loads(captured.out)["agent"] == "backend-engineer"


def test_project_agents_folder_is_preferred(no_default_dirs, tmp_path, capsys):
    project = tmp_path / ".claude" / "agents"
    project.mkdir(parents=True)
    (project / "only.md").write_text("---\nname: only-agent\ndescription: Kafka streams.\n---\n")
    assert main(["list", "--json"]) == 0
    captured = capsys.readouterr()
    assert [a["name"] for a in json.loads(captured.out)] == ["only-agent"]
    assert "built-in" not in captured.err


def test_list_shows_names_and_sources(agents_dir, capsys):
    assert main(["list", "--agents", str(agents_dir), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["css-fixer", "sql-expert"]
    assert rows[1]["tools"] == ["Read", "Bash"] and rows[1]["source"].endswith("sql.md")


def test_build_then_pick_with_saved_router(agents_dir, tmp_path, capsys):
    out = tmp_path / "router.agr"
    assert main(["build", "--agents", str(agents_dir), "-o", str(out)]) == 0
    assert main(["pick", "--router", str(out), "slow sql index", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agent"] == "sql-expert"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["pick", "x", "--agents", "/no/such/folder"], "agents path not found"),
        (["pick", "x", "--router", "/no/such/router.agr"], "cannot read saved router"),
        (["pick", "x", "-k", "0"], "-k must be at least 1"),
        (["pick"], "the following arguments are required: request"),
        (["pick", "x", "-k", "abc"], "invalid int value"),
        (["no-such-command"], "invalid choice"),
        (["pick", "x", "--router", "r.agr", "--agents", "."], "not both"),
        (["bench", "--requests", "0"], "--requests must be at least 1"),
        (["eval", "-o", "tuned.agr"], "only apply with --tune"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(argv, message, capsys, no_default_dirs):
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors exit from inside parse_args
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and err[0].startswith("agentroute: error:")


def test_empty_agents_folder_is_an_error(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["pick", "x", "--agents", str(empty)]) == 2
    assert "no agent definitions found" in capsys.readouterr().err


def test_module_entry_point_runs():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "agentroute", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("agentroute ")


@pytest.mark.parametrize("command", [["explain", "--json"], ["list", "--json"], ["pick", "--json"]])
@pytest.mark.slow
def test_json_outputs_survive_an_ascii_stdout(command, tmp_path):
    """Non-ASCII agent text must not turn a JSON answer into an encoding error on a narrow stdout."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "cafe.md").write_text(
        "---\nname: café-helper\ndescription: Aide pour le café et la crème brûlée.\n---\nTu aides. ☕\n",
        encoding="utf-8",
    )
    request = ["café crème brûlée ☕"] if command[0] != "list" else []
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [sys.executable, "-m", "agentroute", *command, "--agents", str(folder), *request],
        capture_output=True, env=env,
    )
    assert done.returncode == 0, done.stderr
    text = json.dumps(json.loads(done.stdout.decode("ascii")))
    assert "caf\\u00e9-helper" in text


def test_threshold_applies_to_a_saved_router(agents_dir, tmp_path, capsys):
    out = tmp_path / "router.agr"
    assert main(["build", "--agents", str(agents_dir), "-o", str(out)]) == 0
    assert main(["pick", "--router", str(out), "slow sql index", "--json"]) == 0
    score = json.loads(capsys.readouterr().out)["score"]
    assert main(["pick", "--router", str(out), "slow sql index", "--json", "--threshold", str(min(1.0, score + 0.01))]) == 0
    assert json.loads(capsys.readouterr().out)["agent"] is None


def test_eval_warns_about_labels_that_name_no_agent_and_reads_bad_csv_as_one_line(agents_dir, tmp_path, capsys):
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "slow sql", "label": "sql-expert"}\n{"text": "x", "label": "nosuch"}\n')
    assert main(["eval", "--agents", str(agents_dir), "--data", str(data)]) == 0
    assert "name no loaded agent" in capsys.readouterr().err
    big = tmp_path / "big.csv"
    big.write_text("text,label\n" + "a" * 200_000 + ",sql-expert\n")
    assert main(["eval", "--agents", str(agents_dir), "--data", str(big)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "big.csv:2: unreadable CSV" in err[0]


def test_eval_reads_a_plugin_agents_transcript_label_as_its_loaded_name(agents_dir, tmp_path, capsys):
    """Mined pairs name a plugin's agent "plugin:agent"; eval (without --split) scores them against
    the loaded "agent", as --split time and learn add already do."""
    data = tmp_path / "mined.jsonl"
    data.write_text('{"text": "tune the slow sql queries and indexes", "label": "db-tools:sql-expert"}\n'
                    '{"text": "fix the css layout", "label": "ui:css-fixer"}\n')
    assert main(["eval", "--agents", str(agents_dir), "--data", str(data), "--json", "--threshold", "0"]) == 0
    captured = capsys.readouterr()
    assert "name no loaded agent" not in captured.err
    assert json.loads(captured.out)["accuracy"] == 1.0


def test_list_says_which_strategy_and_share_auto_would_fit(tmp_path, capsys):
    """Intent-style files (only example requests): auto scores the examples alone, so they carry it all."""
    for i in range(3):
        blocks = "".join(f"<example>user: topic{i} request number {j}</example>" for j in range(25))
        (tmp_path / f"intent{i}.md").write_text(f'---\nname: intent{i}\ndescription: "{blocks}"\n---\n')
    assert main(["list", "--agents", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["strategy"], r["learned_share"]) for r in rows] == [("linear", 1.0)] * 3
