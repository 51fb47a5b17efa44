"""Bad input of every kind, one case per row of docs/reliability.md.

Cases already proven elsewhere (tests/test_loading.py, test_parsing.py,
test_frontmatter.py, test_registry.py, test_router.py, test_persist.py) are
cited in the table, not repeated here. What this file adds:

* requests: 10 MB, NUL and control characters, lone surrogates, emoji,
  right-to-left and CJK text, through every routing entry point;
* agent files: each bad file written BESIDE two good agents, to show that the
  good ones still load, that the problem names the bad file (and line), and
  that ``strict=True`` turns it into an error listing that file;
* alias bombs and oversized frontmatter: refused within time and memory bounds
  (safety bounds, not performance targets);
* the command line with such requests (a subprocess, so a traceback would show);
* every real agent file in ../shared/corpora, in one registry.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from agentroute import Agent, AgentFileError, Example, Registry, Router
from agentroute.sources import loading
from agentroute.cli.main import main
from agentroute.sources.frontmatter import split_frontmatter
from agentroute.sources.loading import DEFAULT_MAX_FILE_BYTES, load_file, load_paths
from agentroute.sources.claude_code import parse_agent
from agentroute.routing.router import DEFAULT_MAX_REQUEST_CHARS

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"

#: Safety bounds for the refusals below: far above what they take (milliseconds).
SECONDS = 2.0
PEAK_BYTES = 50 * 1024 * 1024

AGENTS = [
    Agent(name="sql-expert", description="Tunes slow SQL queries, designs indexes and schema migrations.",
          examples=(Example("why is this query so slow"),), prompt="Read query plans, add indexes."),
    Agent(name="frontend-dev", description="Builds React components, CSS layouts and accessible forms."),
    Agent(name="translator", description="翻訳 日本語 テキスト; traduction; ترجمة عربية"),
]


@pytest.fixture(scope="module")
def router():
    return Router(AGENTS)


def bounded(call):
    """Run ``call``; return its result, the seconds it took and its peak traced memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = call()
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, elapsed, peak


def every_entry_point(router: Router, request: str) -> list[object]:
    """Answers of pick, rank, pick_many, rank_many and explain; none may raise."""
    return [router.pick(request), router.rank(request, k=2), router.pick_many([request])[0],
            router.rank_many([request], k=2)[0], router.explain(request, k=2).picked]


def name_of(route):
    return None if route is None else route.agent.name


# --- requests ------------------------------------------------------------------------------


def test_default_request_cap_is_documented_and_configurable(router):
    assert DEFAULT_MAX_REQUEST_CHARS == 20_000 and router.max_request_chars == 20_000
    capped = Router(AGENTS, max_request_chars=40)
    request = "react css layout components" + " " * 20 + "slow sql query index " * 50
    assert name_of(capped.pick(request)) == "frontend-dev"  # only the first 40 characters count
    assert name_of(router.pick(request)) == "sql-expert"


@pytest.mark.parametrize("filler", ["x", "slow sql query ", "日本語 ", "\x00", " "])
def test_ten_megabytes_of_request_answer_in_bounded_time(router, filler):
    request = "react css layout " + filler * (10_000_000 // len(filler))
    started = time.perf_counter()
    answers = every_entry_point(router, request)
    assert time.perf_counter() - started < SECONDS * 5  # five entry points
    assert name_of(answers[0]) == name_of(answers[2]) == name_of(answers[4])
    assert answers[0] is None or answers[0].agent.name in ("frontend-dev", "sql-expert", "translator")


@pytest.mark.parametrize(("request_text", "expected"), [
    ("\x00", None),
    ("\x00\x00\x00", None),
    ("slow\x00sql\x00query", "sql-expert"),          # NUL separates words like a space
    ("\x1b[31mslow sql query\x1b[0m", "sql-expert"),  # terminal escapes
    ("\x07\x08\x7f\x0c\x0b", None),
    ("react\r\ncss\tlayout\x1c", "frontend-dev"),
])
def test_nul_and_control_characters(router, request_text, expected):
    for answer in every_entry_point(router, request_text)[::2]:
        assert name_of(answer) == expected


@pytest.mark.parametrize(("request_text", "expected"), [
    ("\ud800", None),
    ("\udcff\udcfe", None),                          # bytes decoded with surrogateescape
    ("\ud800 slow sql query \udfff", "sql-expert"),
    ("slow\ud800sql", "sql-expert"),
    ("use the \ud800 agent", None),
    ("@agent-\udc80", None),
])
def test_lone_surrogates(router, request_text, expected):
    for answer in every_entry_point(router, request_text)[::2]:
        assert name_of(answer) == expected


@pytest.mark.parametrize(("request_text", "expected"), [
    ("🔥🔥 slow sql query 🚀", "sql-expert"),
    ("🔥🚀🤖", None),
    ("👩‍💻 react css", "frontend-dev"),             # a ZWJ sequence
    ("\u202eslow sql query\u202c", "sql-expert"),   # right-to-left override around the words
    ("ترجمة عربية", "translator"),                   # Arabic, right to left
    ("مرحبا بالعالم", None),
    ("翻訳 日本語", "translator"),                    # CJK words separated by spaces
    # No CJK word segmentation: a run of ideographs is ONE token, unknown here, so abstain.
    ("日本語のテキストを翻訳して", None),
    ("Ｓｌｏｗ ＳＱＬ ｑｕｅｒｙ", "sql-expert"),     # full-width Latin: NFKD folds it
])
def test_emoji_right_to_left_and_cjk(router, request_text, expected):
    for answer in every_entry_point(router, request_text)[::2]:
        assert name_of(answer) == expected


# --- agent files beside good ones ------------------------------------------------------------

GOOD = "---\nname: {name}\ndescription: Helps with {name} work.\n---\nPrompt for {name}.\n"


def billion_laughs() -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "---\nname: laughs\ndescription: d\n" + "\n".join(lines) + "\n---\nBody\n"


def amplification(strict_yaml: bool = True) -> str:
    """Few aliases (within the alias count) multiplying one big anchored list 324 times.

    The list stays under the node cap, so only the alias-expansion guard can stop it.
    Without ``strict_yaml`` another line breaks strict YAML, so the lenient reader
    reads each field alone: the whole bomb then sits inside one field.
    """
    base = "[" + ",".join(["lolololololololol"] * 9_000) + "]"
    if strict_yaml:
        return ("---\nname: amplified\n" + f"x: &a {base}\n"
                "y: &b [*a,*a,*a]\nz: &c [*b,*b,*b]\nw: &d [*c,*c,*c]\ndescription: [*d,*d,*d,*d]\n---\n")
    return ("---\nname: amplified\nnote: this: line is not strict YAML\n"
            f"description: [&a {base}, &b [*a,*a,*a], &c [*b,*b,*b], &d [*c,*c,*c], [*d,*d,*d,*d]]\n---\n")


def amplified_scalar() -> str:
    """One long anchored string, each alias standing for all of it."""
    return ("---\nname: amplified\nx: &a \"" + "lol " * 100_000 + "\"\n"
            "description: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n---\n")


def oversized_frontmatter() -> str:
    return "---\nname: wide\ndescription: d\ntools: [" + ",".join(["Read"] * 150_000) + "]\n---\n"


#: (id, file name, content, expected severity or None, message fragment, line, name that loads)
FILE_CASES = [
    ("binary", "bin.md", b"---\nname: bin\ndescription: d\n---\n\x00\x01\x02", "error", "binary", 5, None),
    ("invalid-utf8", "latin1.md", b"---\nname: latin\ndescription: caf\xe9 cr\xe8me\n---\n", "warning",
     "not valid UTF-8", 3, "latin"),
    ("utf8-bom", "bom.md", codecs.BOM_UTF8 + GOOD.format(name="bom").encode(), None, "", None, "bom"),
    ("utf16-bom", "wide.md", GOOD.format(name="wide").encode("utf-16"), None, "", None, "wide"),
    ("empty", "empty.md", b"", "warning", "not an agent definition", 1, None),
    ("whitespace-only", "blank.md", b"\n  \n\t\n", "warning", "not an agent definition", 1, None),
    ("frontmatter-only", "fm.md", b"---\nname: fm-only\ndescription: Only frontmatter.\n---", None, "",
     None, "fm-only"),
    ("frontmatter-only-no-description", "bare.md", b"---\nname: bare\n---\n", "warning",
     "description is missing", 2, "bare"),
    ("body-only", "body.md", b"You are a helpful agent.\n\nAlways be kind.\n", "warning",
     "not an agent definition", 1, None),
    ("no-closing-dashes", "open.md", b"---\nname: open\ndescription: d\n\nBody text\n", "error",
     "never closed", 1, None),
    ("larger-than-cap", "huge.md", GOOD.format(name="huge").encode() + b"x" * DEFAULT_MAX_FILE_BYTES,
     "error", f"max_file_bytes={DEFAULT_MAX_FILE_BYTES}", None, None),
    ("billion-laughs", "laughs.md", billion_laughs().encode(), "error", "alias bomb", None, None),
    ("alias-amplification", "amp.md", amplification().encode(), "error", "alias bomb", None, None),
    ("alias-amplification-lenient", "amp2.md", amplification(False).encode(), "error", "alias bomb",
     None, None),
    ("alias-long-scalar", "amp3.md", amplified_scalar().encode(), "error", "alias bomb", None, None),
    ("too-many-nodes", "nodes.md", oversized_frontmatter().encode(), "error", "more than 10000", 4, None),
    ("too-deep", "deep.md", ("---\nname: deep\nx: " + "[" * 5000 + "\n---\n").encode(), "error",
     "levels deep", None, None),
    ("duplicate-keys", "dup.md", b"---\nname: first\ndescription: d\nname: dup\n---\n", "warning",
     "duplicate key 'name'", 4, "dup"),
    ("name-bool", "yes.md", b"---\nname: yes\ndescription: d\n---\n", "warning", "as a boolean", 2, "yes"),
    ("name-number", "num.md", b"---\nname: 1.50\ndescription: d\n---\n", "warning", "as a number", 2,
     "1.50"),
    ("name-null", "null.md", b"---\nname: null\ndescription: d\n---\n", "warning", "as null", 2, "null"),
    ("name-tilde", "tilde-name.md", b"---\nname: ~\ndescription: d\n---\n", "warning", "file name", 2,
     "tilde-name"),
    ("name-path-separator", "sep.md", b"---\nname: team/helper\ndescription: d\n---\n", "warning",
     "path separator", 2, "team/helper"),
    ("name-backslash", "bsl.md", b"---\nname: 'team\\\\helper'\ndescription: d\n---\n", "warning",
     "path separator", 2, "team\\\\helper"),
    ("name-spaces", "spaces.md", b"---\nname: Python Helper\ndescription: d\n---\n", "warning",
     "whitespace", 2, "Python Helper"),
    ("name-list", "list.md", b"---\nname: [a, b]\ndescription: d\n---\n", "error",
     "single line of text", 2, None),
    ("unquoted-colon", "colon.md", b"---\nname: colon\ndescription: Plans: things\n---\n", "warning",
     "unquoted ': '", 3, "colon"),
    # Found by fuzzing: PyYAML let datetime's ValueError out of a date the calendar refuses.
    ("impossible-date", "date.md", b"---\nname: date\ndescription: d\ncreated: 2024-02-30\n---\n", "error",
     "day is out of range", 4, None),
    ("impossible-date-lenient", "date2.md",
     b"---\nname: date2\ndescription: a: b\ncreated: 2024-13-01 25:00:00\n---\n", "warning", "unquoted", 3,
     "date2"),
    ("yaml-tag", "tag.md", b"---\nname: tag\ndescription: !!python/object:os.system x\n---\n", "error",
     "YAML could not build the value", 3, None),
]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def folder_with(tmp_path: Path, name: str, data: bytes) -> tuple[Path, Path]:
    folder = tmp_path / "agents"
    write(folder / "aa-alpha.md", GOOD.format(name="alpha").encode())
    bad = write(folder / name, data)
    write(folder / "zz-omega.md", GOOD.format(name="omega").encode())
    return folder, bad


@pytest.mark.parametrize(("case", "name", "data", "severity", "fragment", "line", "loads"), FILE_CASES,
                         ids=[c[0] for c in FILE_CASES])
def test_bad_file_beside_good_ones(tmp_path, case, name, data, severity, fragment, line, loads):
    folder, bad = folder_with(tmp_path, name, data)
    (registry, elapsed, peak) = bounded(lambda: Registry.from_paths([folder]))
    assert elapsed < SECONDS and peak < PEAK_BYTES, (elapsed, peak)
    expected = ["alpha", *([loads] if loads else []), "omega"]
    assert list(registry.names) == expected
    notes = [d for d in registry.diagnostics if d.path == str(bad)]
    assert len(notes) == len(registry.diagnostics)  # nothing is blamed on the good files
    if severity is None:
        assert notes == []
        assert Registry.from_paths([folder], strict=True).names == registry.names
        return
    assert notes and notes[0].severity == severity, notes
    assert fragment in notes[0].message and notes[0].fix
    if line is not None:
        assert notes[0].line == line
    assert str(bad) in str(notes[0])
    with pytest.raises(AgentFileError) as info:
        Registry.from_paths([folder], strict=True)
    assert {d.severity for d in info.value.diagnostics} == {"error"}
    assert {d.path for d in info.value.diagnostics} == {str(bad)}
    assert str(bad) in str(info.value)


@pytest.mark.parametrize("text", [billion_laughs(), amplification(), amplification(False),
                                  amplified_scalar()], ids=["laughs", "amplify", "amplify-lenient",
                                                            "long-scalar"])
def test_alias_bombs_are_refused_fast_with_bounded_memory(text):
    def parse():
        with pytest.raises(AgentFileError) as info:
            parse_agent(text, source="bomb.md")
        return info.value

    error, elapsed, peak = bounded(parse)
    assert elapsed < SECONDS and peak < PEAK_BYTES, (elapsed, peak)
    note = error.diagnostics[0]
    assert "alias bomb" in note.message and note.line and "anchors" in note.fix


def test_a_few_small_aliases_still_load():
    parsed = parse_agent("---\nname: a\ndescription: d\nbase: &b [Read, Grep]\ntools: *b\n"
                         "other: &o {x: 1}\nmore: [*o, *o, *o]\n---\n")
    assert parsed.agent.tools == ("Read", "Grep") and parsed.diagnostics == ()


def test_file_at_the_size_cap_with_a_long_description_still_loads_fast(tmp_path):
    header = b"---\nname: long\ndescription: "
    footer = b"\n---\nBody\n"
    data = header + b"word " * ((DEFAULT_MAX_FILE_BYTES - len(header) - len(footer)) // 5) + footer
    assert len(data) <= DEFAULT_MAX_FILE_BYTES
    file = write(tmp_path / "long.md", data)
    parsed, elapsed, _ = bounded(lambda: load_file(file))
    assert parsed.agent.name == "long" and elapsed < SECONDS


def test_lone_surrogates_in_text_become_replacement_characters():
    """Regression: libyaml raised UnicodeEncodeError (not an AgentFileError) on lone surrogates."""
    text = "---\nname: sur\udc80rogate\ndescription: caf\udce9: x\n---\nBody \ud800\n"
    parsed = parse_agent(text, source="s.md")
    assert parsed.agent.name == "sur\ufffdrogate" and parsed.agent.prompt == "Body \ufffd"
    note = parsed.diagnostics[0]
    assert (note.line, note.severity) == (2, "warning") and "surrogate" in note.message and note.fix
    with pytest.raises(AgentFileError, match="surrogate"):
        parse_agent(text, source="s.md", strict=True)
    from agentroute.sources.frontmatter import read_frontmatter

    assert read_frontmatter("name: a\udc80\ndescription: d").fields["description"] == "d"


def test_impossible_dates_are_refused_or_read_as_text_in_every_reader():
    """Regression (fuzzing): ``2024-02-30`` made PyYAML raise ValueError, not a YAML error."""
    from agentroute.sources.formats import read_agents
    from agentroute.sources.frontmatter import read_frontmatter

    fm = read_frontmatter("name: a\ncreated: 2024-02-30\n", first_line=2)
    assert not fm.ok and fm.diagnostics[0].line == 3 and fm.diagnostics[0].field == "created"
    assert "quote the value" in fm.diagnostics[0].fix
    lenient = read_frontmatter("name: a\ndescription: x: y\ncreated: [2024-01-00]\n")
    assert lenient.fields["created"] == ["2024-01-00"]
    crew = read_agents("agents.yaml", "researcher:\n  role: r\n  since: 2024-02-30\nwriter:\n  role: w\n")
    assert [p.agent.name for p in crew] == ["writer"]
    assert "day is out of range" in crew[0].diagnostics[0].message


def test_two_files_with_one_name_beside_good_ones(tmp_path):
    folder, bad = folder_with(tmp_path, "mm-alpha-again.md", GOOD.format(name="alpha").encode())
    registry = Registry.from_paths([folder])
    assert registry.names == ("alpha", "omega")
    (clash,) = registry.diagnostics
    assert clash.path == str(bad) and str(folder / "aa-alpha.md") in clash.message
    with pytest.raises(AgentFileError, match="mm-alpha-again.md"):
        Registry.from_paths([folder], strict=True)


def test_directory_symlink_loop_beside_good_ones(tmp_path):
    folder, _ = folder_with(tmp_path, "sub/mid.md", GOOD.format(name="mid").encode())
    os.symlink(folder, folder / "sub" / "loop")
    os.symlink(folder / "sub", folder / "sub" / "self")
    registry, elapsed, _ = bounded(lambda: Registry.from_paths([folder], strict=True))
    assert elapsed < SECONDS and registry.names == ("alpha", "mid", "omega")
    assert registry.diagnostics == ()  # a loop is walked once, not reported


@pytest.mark.parametrize("fault", ["unreadable", "deleted"])
def test_file_failing_while_loading_beside_good_ones(tmp_path, monkeypatch, fault):
    folder, bad = folder_with(tmp_path, "mm-flaky.md", GOOD.format(name="flaky").encode())
    real_open = open

    def failing_open(path, *args, **kwargs):
        if os.fspath(path) == str(bad):
            if fault == "deleted":
                bad.unlink(missing_ok=True)
                raise FileNotFoundError(2, "No such file or directory", str(bad))
            raise PermissionError(13, "Permission denied", str(bad))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(loading, "open", failing_open, raising=False)
    registry = Registry.from_paths([folder])
    assert registry.names == ("alpha", "omega")
    (note,) = registry.diagnostics
    assert note.path == str(bad) and note.severity == "error" and note.fix
    assert ("disappeared" if fault == "deleted" else "Permission denied") in note.message
    write(bad, GOOD.format(name="flaky").encode())
    with pytest.raises(AgentFileError, match="mm-flaky.md"):
        Registry.from_paths([folder], strict=True)


@pytest.mark.slow
def test_load_paths_never_lets_an_unexpected_exception_out(tmp_path):
    """Every FILE_CASES file in one folder: load_paths answers; no exception of another type."""
    folder = tmp_path / "all"
    for _, name, data, *_ in FILE_CASES:
        write(folder / name, data)
    result, elapsed, peak = bounded(lambda: load_paths([folder]))
    assert elapsed < SECONDS * 5 and peak < PEAK_BYTES * 2
    loaded = {c[6] for c in FILE_CASES if c[6]}
    assert {a.name for a in result.agents} == loaded
    with pytest.raises(AgentFileError):
        load_paths([folder], strict=True)


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def agents_dir(tmp_path):
    folder = tmp_path / "agents"
    write(folder / "sql.md", b"---\nname: sql-expert\ndescription: Tunes slow SQL queries and indexes.\n---\nSQL.\n")
    write(folder / "css.md", b"---\nname: css-fixer\ndescription: Fixes CSS layouts.\n---\nCSS.\n")
    return folder


def run_cli(*argv: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentroute", *argv], capture_output=True,
                          env=env, timeout=120, check=False)


def assert_answered_or_refused_in_one_line(done: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    if done.returncode == 2:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("agentroute: error:"), lines
    else:
        assert done.returncode == 0 and done.stdout


# Argument bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape).
@pytest.mark.parametrize(("request_bytes", "extra", "expected"), [
    (b"\xff\xfe slow sql query", ["--json"], "sql-expert"),
    (b"\xed\xa0\x80 slow sql", ["-k", "2"], "sql-expert"),    # an encoded surrogate: invalid UTF-8
    (b"\xed\xa0\x80", ["--json"], None),
    (b"\x1b[2J\x07 css layout", [], "css-fixer"),
    ("🔥 日本語 مرحبا slow sql".encode(), ["--json"], "sql-expert"),
])
@pytest.mark.slow
def test_cli_pick_with_odd_requests_answers(agents_dir, request_bytes, extra, expected):
    done = run_cli(b"pick", request_bytes, b"--agents", str(agents_dir).encode(), *extra)
    assert done.returncode == 0 and done.stderr == b"", done.stderr
    if extra == ["--json"]:
        assert json.loads(done.stdout)["agent"] == expected
    else:
        assert done.stdout.decode().splitlines()[0].startswith(expected or "none")


# explain --json writes the request back; a stdout that cannot encode it (a lone
# surrogate under a strict UTF-8 stdout, anything non-ASCII under ASCII) is refused in
# one line with exit 2, never a traceback.
@pytest.mark.parametrize(("command", "extra", "environment"), [
    ("pick", [], {"PYTHONIOENCODING": "ascii"}),
    ("pick", ["--json"], {"PYTHONIOENCODING": "utf-8"}),
    ("explain", [], {"PYTHONIOENCODING": "ascii"}),
    ("explain", ["--json"], {}),
    ("explain", ["--json"], {"PYTHONIOENCODING": "utf-8"}),
    ("explain", ["--json"], {"PYTHONIOENCODING": "ascii"}),
])
@pytest.mark.slow
def test_cli_never_shows_a_traceback_whatever_stdout_can_encode(agents_dir, command, extra, environment):
    done = run_cli(command, "\udced\udca0\udc80 🔥 slow sql".encode("utf-8", "surrogateescape"),
                   "--agents", str(agents_dir), *extra, env=dict(os.environ, **environment))
    assert_answered_or_refused_in_one_line(done)


def test_cli_nul_in_a_request(agents_dir, capsys):
    # An operating system argument cannot hold NUL at all (C strings), so the
    # request never reaches agentroute that way ...
    with pytest.raises(ValueError, match="null"):
        run_cli("pick", "slow\x00sql", "--agents", str(agents_dir))
    # ... but main() takes any str list: NUL there is one more separator.
    assert main(["pick", "slow\x00sql\x00query", "--agents", str(agents_dir)]) == 0
    assert capsys.readouterr().out.startswith("sql-expert\t")
    assert main(["pick", "\x00", "--agents", str(agents_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agent"] is None


@pytest.mark.parametrize("prompt", ["slow sql \u0000 query", "\ud800 slow sql query", "\udc80\u0000"])
@pytest.mark.slow
def test_cli_hook_takes_nul_and_surrogates_from_json(agents_dir, tmp_path, prompt):
    """The hook is where NUL really can arrive: JSON on stdin carries \\u0000 and \\ud800."""
    saved = tmp_path / "router.agr"
    Router.from_paths([agents_dir]).save(saved)
    event = json.dumps({"hook_event_name": "UserPromptSubmit", "prompt": prompt})
    done = subprocess.run([sys.executable, "-m", "agentroute", "hook", "claude-code", "--router", str(saved)],
                          input=event.encode(), capture_output=True, timeout=120, check=False)
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    if "sql" in prompt:
        assert "sql-expert" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    else:
        assert done.stdout == b""


@pytest.mark.slow
def test_cli_with_bad_agent_files_warns_or_refuses_in_one_line(agents_dir):
    write(agents_dir / "bomb.md", billion_laughs().encode())
    write(agents_dir / "latin1.md", b"---\nname: latin\ndescription: caf\xe9\n---\n")
    write(agents_dir / "open.md", b"---\nname: open\n")
    done = run_cli("pick", "slow sql", "--agents", str(agents_dir))
    assert done.returncode == 0 and done.stdout.startswith(b"sql-expert\t")
    warnings = done.stderr.decode().splitlines()
    assert len(warnings) == 3 and all(w.startswith("agentroute: ") for w in warnings)
    assert any("bomb.md" in w for w in warnings) and any("open.md:1" in w for w in warnings)
    strict = run_cli("pick", "slow sql", "--agents", str(agents_dir), "--strict")
    assert strict.returncode == 2 and strict.stdout == b""
    # Several problems: a count, then one line each (issue 14: not all on one line).
    errors = strict.stderr.decode().splitlines()
    assert errors[0] == "agentroute: error: 3 problems" and len(errors) == 4
    assert all(e.startswith("agentroute: error: ") for e in errors)
    assert sum("bomb.md" in e for e in errors) == 1 and sum("latin1.md" in e for e in errors) == 1


# --- every real agent file ---------------------------------------------------------------------


@pytest.mark.slow
def test_every_real_agent_file_loads_in_one_registry():
    if not CORPORA.is_dir():
        pytest.skip(f"{CORPORA} is absent: the real corpora live in ../shared, which fresh clones lack")
    from agentroute.sources.loading import discover

    files = discover([CORPORA])
    registry = Registry.from_paths([CORPORA])  # any exception fails the test
    clashes = [d for d in registry.diagnostics if "already defined" in d.message]
    loaded = {a.source for a in registry} | {d.path for d in clashes}
    missed = sorted(str(f.relative_to(CORPORA)) for f in files if str(f) not in loaded)
    assert missed == [("_near_misses/supatest-ai__awesome-claude-code-sub-agents/"
                       "how-to-write-good-subagents.md")]
    with_frontmatter = [f for f in files
                        if split_frontmatter(f.read_text(encoding="utf-8", errors="replace")).frontmatter]
    assert all(str(f) in loaded for f in with_frontmatter)
    assert not [d for d in registry.diagnostics if d.severity == "error"]
    assert clashes
    for clash in clashes:  # each clash names both files: the ignored one and the one kept
        kept = registry[clash.value].source
        assert clash.path != kept and Path(clash.path).is_file()
        assert kept in clash.message and kept in str(clash) and clash.path in str(clash)


# --- saved routers and other readers ------------------------------------------------------------
# Truncated, flipped-byte, other-version and pickled files: tests/test_persist.py.


def test_a_router_over_agents_with_lone_surrogates_saves_and_loads(tmp_path):
    agents = [Agent(name="odd", description="sql \ud800 queries"), AGENTS[1]]
    router = Router(agents)
    router.save(tmp_path / "r.agr")
    loaded = Router.load(tmp_path / "r.agr")
    assert loaded.agents == router.agents
    assert loaded.pick("sql queries") == router.pick("sql queries")


def test_agents_json_with_surrogate_escapes_gives_valid_unicode():
    from agentroute.sources.formats import read_agents

    (parsed,) = read_agents("agents.json", json.dumps({"odd": {"description": "sql \ud800",
                                                                "prompt": "x\udc00"}}))
    for text in (parsed.agent.name, parsed.agent.description, parsed.agent.prompt):
        text.encode("utf-8")


# --- the document ---------------------------------------------------------------------------------


def test_documented_tests_exist():
    """Every test docs/reliability.md cites exists, so the table cannot point at nothing."""
    import re

    tests = Path(__file__).resolve().parent
    doc = (tests.parent / "docs" / "reliability.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"\b(test_\w+\.py)::(test_\w+)", doc))
    assert len(cited) > 40
    for file, name in sorted(cited):
        assert f"def {name}(" in (tests / file).read_text(encoding="utf-8"), f"{file}::{name}"
    ids = {case[0] for case in FILE_CASES}
    for case in re.findall(r"beside\[([\w-]+)\]", doc):
        assert case in ids, case
