"""The papercuts a new user hit (issue 14), one test each."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentroute import Agent, Router
from agentroute.cli.main import main
from agentroute.errors import AgentFileError
from agentroute.registry import Registry
from agentroute.routing.rule import REASON_WORDS

SRC = Path(__file__).resolve().parents[1] / "src"


def run_cli(args, *, stdin=None, close_stdout=False, cwd=None, env_extra=None):
    env = dict(os.environ, PYTHONPATH=str(SRC), **(env_extra or {}))
    process = subprocess.Popen([sys.executable, "-m", "agentroute", *args], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    if close_stdout:
        process.stdout.close()  # the reader leaves before the first line, as `| head -0` would
        _, err = process.communicate(stdin, timeout=300)
        return process.returncode, b"", err.decode()
    out, err = process.communicate(stdin, timeout=300)
    return process.returncode, out, err.decode()


@pytest.mark.parametrize("command", [["list"], ["explain", "slow SQL query"], ["shortlist", "-k", "2", "slow SQL"]])
@pytest.mark.slow
def test_a_closed_pipe_is_not_an_error(command, agents_dir):
    code, _, err = run_cli([*command, "--agents", str(agents_dir)], close_stdout=True)
    assert (code, err) == (0, "")


@pytest.mark.slow
def test_list_piped_into_head_prints_one_line_and_no_error(agents_dir):
    done = subprocess.run(f"{sys.executable} -m agentroute list --agents {agents_dir} | head -1", shell=True,
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(SRC)), timeout=300)
    assert len(done.stdout.splitlines()) == 1 and done.stderr == ""


def test_lint_accepts_agents_like_every_other_command(agents_dir, capsys):
    assert main(["lint", "--agents", str(agents_dir), "--json"]) in (0, 1)
    assert json.loads(capsys.readouterr().out)["agents"] == 2
    assert main(["lint", str(agents_dir), "--agents", str(agents_dir / "sql.md"), "--json"]) in (0, 1)
    assert json.loads(capsys.readouterr().out)["agents"] == 2  # the same file twice is one agent


@pytest.mark.slow
def test_dash_reads_a_one_megabyte_request_from_stdin(agents_dir):
    request = ("my slow SQL query needs an index " + "lorem ipsum " * 90_000).encode()
    assert len(request) > 1_000_000  # as an argument: "Argument list too long"
    for command in (["pick", "-", "--json"], ["explain", "-", "--json"], ["shortlist", "-", "--json"]):
        code, out, err = run_cli([*command, "--agents", str(agents_dir)], stdin=request)
        assert code == 0, err
        data = json.loads(out)
        assert data.get("agent", data["ranking"][0]["agent"]) == "sql-expert"


def test_dash_reads_the_request_in_process(agents_dir, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"fix the CSS layout\n")))
    assert main(["pick", "-", "--agents", str(agents_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agent"] == "css-fixer"


@pytest.mark.parametrize(("request_text", "options", "reason"), [
    ("what is the weather in Lisbon", [], "no_terms"),
    ("slow SQL query", ["--threshold", "0.99"], "below_threshold"),
])
def test_pick_json_says_why_it_abstains(agents_dir, capsys, request_text, options, reason):
    assert main(["pick", request_text, "--agents", str(agents_dir), "--json", *options]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agent"] is None and data["reason"] == reason
    assert main(["pick", request_text, "--agents", str(agents_dir), *options]) == 0
    assert REASON_WORDS[reason] in capsys.readouterr().out  # in words; the JSON keeps the code


def test_printing_a_route_does_not_dump_the_system_prompt():
    router = Router([Agent("sql-expert", "Tunes slow SQL queries.", prompt="SECRET " * 20_000),
                     Agent("css-fixer", "Fixes CSS.")])
    route = router.pick("slow SQL query")
    assert str(route) == repr(route) == f"Route(agent='sql-expert', score={route.score:.4f}, reason='score')"
    assert "SECRET" not in repr(route.agent) and len(repr(route.agent)) < 200


def test_a_binary_md_file_gets_a_hint_that_fits(tmp_path):
    (tmp_path / "x.md").write_bytes(b"---\nname: x\n\x00\x01binary")
    (tmp_path / "x.bin").write_bytes(b"\x00\x01")
    hints = {Path(d.path).name: d.fix for d in Registry.from_paths([tmp_path, tmp_path / "x.bin"]).diagnostics}
    assert "point at" not in hints["x.md"] and "binary data" in hints["x.md"]
    assert "point at the agent's .md file" in hints["x.bin"]


def test_strict_with_two_bad_files_puts_each_error_on_its_own_line(agents_dir, capsys):
    (agents_dir / "bad1.md").write_text("---\nname: [oops\n---\n")
    (agents_dir / "bad2.md").write_text("---\nname: [also\n---\n")
    with pytest.raises(AgentFileError):
        Registry.from_paths([agents_dir], strict=True)
    assert main(["pick", "slow SQL", "--agents", str(agents_dir), "--strict"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert all(line.startswith("agentroute: error: ") for line in lines)
    assert any("bad1.md" in line for line in lines) and any("bad2.md" in line for line in lines)
    assert not any("bad1.md" in line and "bad2.md" in line for line in lines)


def test_a_mention_after_the_cut_is_still_honoured():
    router = Router([Agent("sql-expert", "Tunes slow SQL queries."), Agent("css-fixer", "Fixes CSS layouts.")])
    paste = "slow SQL query log line\n" * 2_000  # ~48,000 characters, far past the 20,000 cut
    request = paste + "please use the css-fixer agent for this"
    assert len(request) > 2 * router.max_request_chars
    route = router.pick(request)
    assert route is not None and (route.agent.name, route.reason) == ("css-fixer", "mention")
    assert router.decide(request).reason == "mention"
    assert router.rank(request, k=1)[0].agent.name == "css-fixer"
    assert [r.agent.name if r else None for r in router.pick_many([request, paste])] == ["css-fixer", "sql-expert"]
    # Bounded work: only the first and the last max_request_chars characters are searched.
    middle = paste + "use the css-fixer agent" + paste
    assert router.pick(middle).agent.name == "sql-expert"
