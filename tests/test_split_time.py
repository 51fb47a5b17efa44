"""``eval --split time``: learn from the earlier part of a log, test on the later part, before vs after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentroute import Agent, Registry
from agentroute.cli.main import main
from agentroute.errors import DataFileError
from agentroute.evaluation.split_time import format_split_time, read_timed, split_by_time, split_time_report

AGENTS = {
    "sql-expert": "Tunes slow SQL queries and database indexes",
    "css-fixer": "Fixes CSS layouts, flexbox and styling",
    "docs-writer": "Writes documentation and READMEs",
}
# Requests in the team's own jargon: no agent text mentions "ledger", "storybook" or "changelog".
JARGON = [("the ledger report hangs again", "sql-expert"), ("storybook card overlaps the ledger", "css-fixer"),
          ("update the changelog for the ledger release", "docs-writer")]


def _rows(n_days: int = 10) -> list[dict[str, str]]:
    rows = []
    for day in range(n_days):
        for hour, (text, label) in enumerate(JARGON):
            rows.append({"text": f"{text} ({['mon', 'tue', 'wed', 'thu', 'fri'][day % 5]})", "label": label,
                         "timestamp": f"2026-03-{day + 1:02d}T0{hour}:00:00Z"})
    return rows


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _agents(tmp_path: Path) -> Path:
    folder = tmp_path / "agents"
    folder.mkdir()
    for name, description in AGENTS.items():
        (folder / f"{name}.md").write_text(f"---\nname: {name}\ndescription: {description}\n---\n")
    return folder


def test_split_keeps_time_order_and_ties_together(tmp_path: Path) -> None:
    rows = [{"text": "b", "label": "x", "timestamp": "2026-03-02T00:00:00Z"},
            {"text": "a", "label": "x", "timestamp": "2026-03-01T00:00:00.000Z"},
            {"text": "c", "label": "y", "timestamp": "2026-03-02T00:00:00+00:00"},  # same moment as "b"
            {"text": "d", "label": None, "timestamp": "2026-03-03T00:00:00Z"}]
    train, test = split_by_time(read_timed(_write(tmp_path / "d.jsonl", rows)), 0.5)
    assert [r.text for r in train] == ["a", "b", "c"] and [r.text for r in test] == ["d"]
    with pytest.raises(ValueError, match="nothing to test"):
        split_by_time(read_timed(_write(tmp_path / "e.jsonl", [rows[0], rows[2]])), 0.5)


def test_missing_timestamp_names_file_line_and_fix(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", [{"text": "a", "label": "x", "timestamp": "2026-03-01T00:00:00Z"},
                                         {"text": "b", "label": "x"}])
    with pytest.raises(DataFileError, match=r"d\.jsonl:2: field 'timestamp' is None.*fix"):
        read_timed(path)


def test_learning_the_earlier_part_raises_agreement_on_the_later_part(tmp_path: Path) -> None:
    registry = Registry([Agent(name=n, description=d) for n, d in AGENTS.items()])
    rows = read_timed(_write(tmp_path / "mined.jsonl", _rows() + [
        {"text": "early row for an agent that is gone", "label": "ghost", "timestamp": "2026-02-01T00:00:00Z"}]))
    report = split_time_report(registry, rows, train_fraction=0.7)
    assert report.n_train + report.n_test == 31 and report.skipped == 1
    assert report.before.accuracy < 0.5 < report.after.accuracy
    assert report.seen_in_test == report.n_test  # the same jargon recurs: said, not hidden


def test_cli_prints_before_and_after(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _agents(tmp_path)
    data = _write(tmp_path / "mined.jsonl", _rows())
    assert main(["eval", "--agents", str(folder), "--data", str(data), "--split", "time", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "before learning" in text and "after learning" in text
    assert main(["eval", "--agents", str(folder), "--data", str(data), "--split", "time", "--train-fraction", "0.5",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["split"] == "time" and report["n_train"] == 15
    assert report["after"]["accuracy"] > report["before"]["accuracy"]
    assert main(["eval", "--agents", str(folder), "--data", str(data), "--train-fraction", "0.5"]) == 2
    assert main(["eval", "--agents", str(folder), "--data", str(data), "--split", "time", "--tune"]) == 2


def test_examples_equal_to_test_requests_are_held_out_of_both_routers(tmp_path: Path) -> None:
    from agentroute import Example

    rows = read_timed(_write(tmp_path / "mined.jsonl", _rows()))
    train, test = split_by_time(rows, 0.7)
    adopted = tuple(Example(r.text) for r in rows if r.label == "sql-expert")  # as if the mined file was adopted
    registry = Registry([Agent(name=n, description=d, examples=adopted if n == "sql-expert" else ())
                         for n, d in AGENTS.items()])
    report = split_time_report(registry, rows, train_fraction=0.7)
    tested = {r.text for r in test}
    assert report.held_out == sum(e.request in tested for e in adopted) > 0
    assert report.already_known == sum(r.label == "sql-expert" for r in train) > 0
    assert "already had" in format_split_time(report)
