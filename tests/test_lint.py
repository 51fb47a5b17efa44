"""lint: each finding code on a file written to trigger it, the output shapes, and the CLI handler."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from agentroute import Agent, Example, Registry, Router
from agentroute.cli.main import UsageError
from agentroute.cli.authoring import cmd_lint, cmd_shortlist
from agentroute.lint.checks import (
    CODES,
    SEVERITIES,
    Finding,
    at_or_above,
    findings_to_json,
    format_findings,
    lint,
)
from agentroute.evaluation.loo import leave_one_out

REPO = Path(__file__).resolve().parents[1]

SQL = Agent("sql-tuner", "Tunes slow SQL queries: reads query plans, adds indexes, rewrites joins.",
            prompt="You are a database performance specialist for PostgreSQL and MySQL.")
CSS = Agent("css-fixer", "Fixes CSS layouts, flexbox and grid alignment, responsive breakpoints.",
            prompt="You fix stylesheets and visual bugs in web pages.")
DOCS = Agent("docs-writer", "Writes READMEs, API reference pages, tutorials and changelogs.",
             prompt="You write clear technical documentation for developers.")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def codes(findings):
    return [f.code for f in findings]


def only(findings, code):
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, (code, findings)
    return found[0]


# --- the Finding record and its output ------------------------------------------------------


def test_finding_text_names_path_line_field_value_and_fix():
    f = Finding("warning", "AR101", "bad value", agent="a", path="x/a.md", line=3, field="description",
                value="Use when: x", fix="quote it")
    assert str(f) == "x/a.md:3: warning AR101: bad value; field 'description'; value 'Use when: x' (fix: quote it)"
    assert str(Finding("info", "AR203", "no examples", agent="a")) == "<agent a>: info AR203: no examples"


def test_finding_dict_has_a_fixed_shape():
    keys = list(Finding("info", "AR203", "m").to_dict())
    assert keys == ["severity", "code", "message", "agent", "path", "line", "field", "value", "fix", "related"]
    json.dumps(findings_to_json([Finding("info", "AR203", "m")]))


def test_at_or_above():
    warning = [Finding("warning", "AR201", "m")]
    assert at_or_above(warning, "warning") and at_or_above(warning, "info")
    assert not at_or_above(warning, "error") and not at_or_above(warning, "never")
    assert not at_or_above([], "info")
    with pytest.raises(ValueError):
        at_or_above(warning, "fatal")


def test_format_findings_orders_worst_first_and_counts():
    findings = [Finding("info", "AR203", "i"), Finding("error", "AR100", "e"), Finding("warning", "AR201", "w")]
    lines = format_findings(findings).splitlines()
    assert [line.split(": ")[1].split()[0] for line in lines[:3]] == ["error", "warning", "info"]
    assert lines[-1] == "1 error, 1 warning, 1 info"
    assert format_findings([]) == "no findings"


def test_format_findings_groups_a_flood_of_one_info_code():
    many = [Finding("info", "AR203", "no examples", agent=f"a{i:02}") for i in range(12)]
    text = format_findings(many)
    assert text.splitlines()[0].startswith("info AR203:") and "12 findings" in text and "and 7 more" in text
    assert len(format_findings(many, group_info=None).splitlines()) == 13


def test_every_code_is_documented_with_its_severity():
    table = (REPO / "docs" / "lint.md").read_text(encoding="utf-8")
    for code, (severity, _) in CODES.items():
        assert re.search(rf"\|\s*`?{code}`?\s*\|\s*{severity}\s*\|", table), code
    used = set(re.findall(r'"(AR\d{3})"', (REPO / "src/agentroute/lint/checks.py").read_text()
                          + (REPO / "src/agentroute/lint/routing_checks.py").read_text()))
    assert used <= set(CODES)


# --- loading diagnostics become findings (AR1xx) -------------------------------------------


def test_unquoted_colon_in_description_suggests_a_block(tmp_path):
    write(tmp_path, "a.md", "---\nname: a\ndescription: Use when: the user asks about SQL\n---\nBody\n")
    f = only(lint(Registry.from_paths([tmp_path])), "AR101")
    assert f.severity == "warning" and f.line == 3 and f.field == "description" and f.agent == "a"
    assert "description: |" in f.fix


def test_frontmatter_not_at_the_start_is_an_error(tmp_path):
    write(tmp_path, "a.md", "\n\n---\nname: a\ndescription: Tunes SQL queries and indexes.\n---\nBody\n")
    f = only(lint(Registry.from_paths([tmp_path])), "AR102")
    assert f.severity == "error" and f.line == 3


def test_missing_name_is_an_error_and_an_empty_description_is_reported_once(tmp_path):
    write(tmp_path, "nameless.md", "---\ndescription: Tunes SQL queries, indexes and query plans.\n---\nBody\n")
    write(tmp_path, "empty.md", "---\nname: empty\ndescription: ''\n---\nBody\n")
    findings = lint(Registry.from_paths([tmp_path]))
    assert only(findings, "AR103").severity == "error"
    empty = only(findings, "AR104")
    assert empty.agent == "empty" and empty.line == 3
    assert "AR201" not in codes(findings)


def test_duplicate_key_and_unreadable_file(tmp_path):
    write(tmp_path, "dup.md", "---\nname: dup\ndescription: Tunes SQL.\ndescription: Tunes SQL queries.\n---\n")
    write(tmp_path, "broken.md", "---\nname: broken\ndescription: never closed\n")
    write(tmp_path, "README.md", "# Our agents\n")
    findings = lint(Registry.from_paths([tmp_path]))
    assert only(findings, "AR105").line == 4
    broken = only(findings, "AR100")
    assert broken.severity == "error" and broken.path.endswith("broken.md")
    assert only(findings, "AR107").severity == "info"


def test_name_clash_says_which_file_wins(tmp_path):
    project = write(tmp_path / "project", "sql.md", "---\nname: sql\ndescription: Tunes SQL queries.\n---\n")
    user = write(tmp_path / "user", "sql.md", "---\nname: sql\ndescription: Writes SQL reports.\n---\n")
    f = only(lint(Registry.from_paths([tmp_path / "project", tmp_path / "user"])), "AR110")
    assert f.path == str(user) and str(project) in f.message and "wins" in f.message
    assert f.agent == "sql" and f.severity == "warning"


def test_an_empty_registry_still_reports_its_files(tmp_path):
    write(tmp_path, "broken.md", "---\nname: [a, b]\ndescription: x\n---\n")
    findings = lint(Registry.from_paths([tmp_path]))
    assert codes(findings) == ["AR001", "AR100"]


def test_an_empty_folder_is_an_error_not_a_clean_bill(tmp_path):
    (f,) = lint(Registry.from_paths([tmp_path]))
    assert (f.code, f.severity) == ("AR001", "error") and f.fix


# --- descriptions (AR2xx) ------------------------------------------------------------------


def test_thin_and_boilerplate_descriptions():
    thin = Agent("thin", "Helps with code.", prompt="You help.")
    boiler = Agent("boiler", "Use this agent proactively. MUST BE USED.", prompt="You help.")
    findings = lint([SQL, CSS, thin, boiler], examples="in-place")
    assert only(findings, "AR201").agent == "thin"
    assert only(findings, "AR202").agent == "boiler"
    assert {f.agent for f in findings if f.code == "AR203"} == {"sql-tuner", "css-fixer", "thin", "boiler"}
    assert all(f.severity == "info" for f in findings if f.code == "AR203")


def test_min_words_is_a_parameter():
    assert "AR201" in codes(lint([SQL, CSS], min_words=50))
    assert "AR201" not in codes(lint([SQL, CSS]))


# --- routing (AR3xx) -----------------------------------------------------------------------


def test_near_duplicate_agents_are_reported_once_with_shared_words():
    twin = Agent("sql-optimizer", "Optimizes slow SQL queries: reads query plans, adds indexes, rewrites joins.",
                 prompt="You are a database performance specialist for PostgreSQL and MySQL.")
    findings = lint([SQL, CSS, twin, DOCS])
    pair = only(findings, "AR301")
    assert (pair.agent, pair.related) == ("sql-tuner", "sql-optimizer")
    assert float(pair.value) > 0.8 and "sql" in pair.message
    assert "AR301" not in codes(lint([SQL, CSS, DOCS]))
    loose = [(f.agent, f.related) for f in lint([SQL, CSS, twin, DOCS], similarity=0.01) if f.code == "AR301"]
    assert loose == [("css-fixer", "docs-writer"), ("sql-tuner", "sql-optimizer")]  # pairs sharing a word


def test_similarity_must_be_in_range():
    for bad in (0, 1.5, -1):
        with pytest.raises(ValueError):
            lint([SQL, CSS], similarity=bad)
    with pytest.raises(ValueError):
        lint([SQL, CSS], examples="sometimes")


# An example request whose words belong to another agent: it loses when held out.
STRAY = Agent("api-designer", "Designs REST endpoints, versioning and pagination for HTTP APIs.",
              examples=(Example("the SQL query behind the orders page needs an index"),
                        Example("design the pagination for the orders endpoint")),
              prompt="You design HTTP APIs.")


def test_an_example_that_routes_elsewhere_when_held_out():
    findings = lint([SQL, CSS, STRAY])
    f = only(findings, "AR302")
    assert (f.agent, f.related) == ("api-designer", "sql-tuner")
    assert f.value == "the SQL query behind the orders page needs an index" and "held out" in f.message


def test_an_example_with_no_known_word_is_info():
    lonely = Agent("lonely", "Writes SQL migrations for schemas.", examples=(Example("zyzzyva quux"),))
    f = only(lint([SQL, CSS, lonely]), "AR303")
    assert f.severity == "info" and f.value == "zyzzyva quux"


def test_refit_mode_matches_leave_one_out():
    agents = [SQL, CSS, DOCS, STRAY, Agent("frontend", "Builds React components and forms.",
                                           examples=(Example("the grid layout breaks on mobile"),
                                                     Example("add a login form in React")))]
    report = leave_one_out(agents, k=1)
    lost = {(c.agent, c.request) for c in report.cases if not c.top1}
    for mode in ("refit", "held-out"):
        found = {(f.agent, f.value) for f in lint(agents, examples=mode) if f.code in ("AR302", "AR303")}
        assert found == lost, mode


def test_in_place_mode_uses_the_given_router():
    # A router that weighs examples double keeps the stray example home; refitting would not.
    router = Router([SQL, CSS, STRAY], field_weights={"examples": 2.0})
    assert "AR302" not in codes(lint([SQL, CSS, STRAY], router=router, examples="in-place"))
    assert "AR302" in codes(lint([SQL, CSS, STRAY], examples="held-out"))


def test_lint_is_deterministic_and_sorted():
    agents = [SQL, CSS, DOCS, STRAY, Agent("thin", "Helps.")]
    first = lint(agents)
    assert first == lint(list(agents))
    ranks = [SEVERITIES.index(f.severity) for f in first]
    assert ranks == sorted(ranks)


# --- CLI handlers --------------------------------------------------------------------------


def lint_args(*paths, **options):
    values = {"paths": [str(p) for p in paths], "json": False, "fail_on": "error", "similarity": 0.5,
              "examples": "held-out"}
    return argparse.Namespace(**(values | options))


def test_cmd_lint_exit_codes_follow_fail_on(tmp_path, capsys):
    write(tmp_path, "a.md", "---\nname: a\ndescription: Use when: slow SQL queries need indexes, "
                            "query plans or rewritten joins\n---\nYou tune databases.\n")
    write(tmp_path, "b.md", "---\nname: b\ndescription: Fixes CSS layouts, grid, flexbox and "
                            "responsive breakpoint issues.\n---\nYou fix stylesheets.\n")
    assert cmd_lint(lint_args(tmp_path)) == 0
    assert "AR101" in capsys.readouterr().out
    assert cmd_lint(lint_args(tmp_path, fail_on="warning")) == 1
    assert cmd_lint(lint_args(tmp_path, fail_on="never")) == 0
    capsys.readouterr()
    assert cmd_lint(lint_args(tmp_path, json=True)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agents"] == 2 and data["counts"]["warning"] == 1
    assert data["findings"][0]["code"] == "AR101" and data["findings"][0]["line"] == 3


def test_cmd_lint_errors_exit_1_by_default(tmp_path, capsys):
    write(tmp_path, "a.md", "\n---\nname: a\ndescription: Tunes SQL queries and indexes.\n---\n")
    assert cmd_lint(lint_args(tmp_path)) == 1


def test_cmd_lint_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not found"):
        cmd_lint(lint_args(tmp_path / "nope"))


def test_cmd_shortlist(tmp_path, capsys):
    write(tmp_path, "sql.md", "---\nname: sql\ndescription: Tunes slow SQL queries and indexes.\n---\n")
    write(tmp_path, "css.md", "---\nname: css\ndescription: Fixes CSS layouts.\n---\n")
    args = argparse.Namespace(request="my SQL query is slow", k=2, agents=[str(tmp_path)], router=None,
                              json=False, strict=False, quiet=True)
    assert cmd_shortlist(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["sql", "css"]
    assert cmd_shortlist(argparse.Namespace(**(vars(args) | {"json": True, "k": 1}))) == 0
    assert [r["agent"] for r in json.loads(capsys.readouterr().out)["ranking"]] == ["sql"]
    with pytest.raises(UsageError):
        cmd_shortlist(argparse.Namespace(**(vars(args) | {"k": 0})))


def test_cli_example_modes_match_lint():
    from agentroute.cli import authoring as cli_authoring
    from agentroute.lint import checks as lint

    assert cli_authoring.EXAMPLE_MODES == lint.EXAMPLE_MODES
