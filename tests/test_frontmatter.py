"""Finding and reading frontmatter: the tolerated layouts and the lenient reader."""

from __future__ import annotations

import time

import pytest

from agentroute.sources.frontmatter import read_frontmatter, split_frontmatter


def read(block: str, first_line: int = 2):
    return read_frontmatter(block, source="agents/x.md", first_line=first_line)


# --- splitting ---------------------------------------------------------------------------


def test_split_plain_document():
    split = split_frontmatter("---\nname: a\ndescription: b\n---\n\nPrompt here.\n")
    assert split.frontmatter == "name: a\ndescription: b"
    assert split.frontmatter_line == 2
    assert split.body_line == 5
    assert split.body == "\nPrompt here.\n"
    assert split.diagnostics == ()


def test_split_bom_and_crlf():
    split = split_frontmatter("\ufeff---\r\nname: a\r\n---\r\nBody\r\n")
    assert split.frontmatter == "name: a"
    assert split.body == "Body\n"
    assert split.diagnostics == ()


def test_split_leading_blank_lines_warns_with_line():
    split = split_frontmatter("\n\n---\nname: a\n---\nBody", source="a.md")
    assert split.frontmatter == "name: a"
    assert split.frontmatter_line == 4
    (note,) = split.diagnostics
    assert note.severity == "warning" and note.line == 3 and "first line" in note.fix


def test_split_indented_block_is_dedented():
    text = "    ---\n    name: a\n    description: |\n      two\n      lines\n    ---\n    Body\n"
    split = split_frontmatter(text, source="a.md")
    assert split.frontmatter == "name: a\ndescription: |\n  two\n  lines"
    assert split.body.startswith("Body")
    assert "indented by 4" in split.diagnostics[0].message


def test_split_yaml_fence_under_title():
    text = "# My Agent\n\n```yaml\n---\nname: a\ndescription: b\n---\n```\n\nYou are helpful.\n"
    split = split_frontmatter(text, source="a.md")
    assert split.frontmatter == "name: a\ndescription: b"
    assert split.frontmatter_line == 5
    assert split.body.strip() == "You are helpful."
    (note,) = split.diagnostics
    assert note.line == 3 and "fence" in note.message and "delete the fence" in note.fix


def test_split_yml_fence_without_dashes():
    split = split_frontmatter("```yml\nname: a\ndescription: b\n```\nBody")
    assert split.frontmatter == "name: a\ndescription: b"


def test_yaml_fence_deeper_in_a_document_is_not_frontmatter():
    text = "# Guide\n\nSome prose first.\n\n```yaml\n---\nname: x\n---\n```\n"
    assert split_frontmatter(text).frontmatter is None


def test_fence_without_agent_keys_is_not_frontmatter():
    assert split_frontmatter("```yaml\nkey: value\n```\n").frontmatter is None


def test_long_closing_line_warns():
    split = split_frontmatter("---\n\nname: a\n-----------\nBody", source="a.md")
    assert split.frontmatter == "\nname: a"
    (note,) = split.diagnostics
    assert note.line == 4 and "11 dashes" in note.message and "exactly '---'" in note.fix


def test_unclosed_frontmatter_is_an_error():
    split = split_frontmatter("---\nname: a\ndescription: b\nBody text", source="a.md")
    assert split.frontmatter is None
    (note,) = split.diagnostics
    assert note.severity == "error" and note.line == 1 and "never closed" in note.message
    assert "add a line '---'" in note.fix


def test_no_frontmatter_at_all():
    split = split_frontmatter("# Just a README\n\nHello.\n")
    assert split.frontmatter is None and split.diagnostics == ()
    assert split_frontmatter("").frontmatter is None


# --- strict reading ----------------------------------------------------------------------


def test_strict_yaml_fields_lines_and_raw_text():
    fm = read("name: yes\ndescription: Does things\nmaxTurns: 5\n")
    assert fm.fields == {"name": True, "description": "Does things", "maxTurns": 5}
    assert fm.lines == {"name": 2, "description": 3, "maxTurns": 4}
    assert fm.raw["name"] == "yes"
    assert fm.diagnostics == () and fm.ok


def test_empty_block_has_no_fields():
    assert read("").fields == {}
    assert read("# only a comment\n").fields == {}


def test_duplicate_key_last_wins_and_warns():
    fm = read("name: first\ndescription: d\nname: second\n")
    assert fm.fields["name"] == "second"
    (note,) = fm.diagnostics
    assert note.line == 4 and note.field == "name" and "line 2" in note.message


def test_alias_bomb_is_refused_fast():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    started = time.perf_counter()
    fm = read("name: bomb\n" + "\n".join(lines))
    assert time.perf_counter() - started < 1.0
    (note,) = fm.diagnostics
    assert note.severity == "error" and "alias" in note.message
    assert "anchors" in note.fix and fm.fields == {}


def test_deep_nesting_is_refused_not_crashing():
    fm = read("name: deep\nx: " + "[" * 5000)
    assert not fm.ok and "levels deep" in fm.diagnostics[0].message


def test_a_few_aliases_are_fine():
    fm = read("base: &b [Read, Grep]\ntools: *b\nname: a\n")
    assert fm.fields["tools"] == ["Read", "Grep"]


def test_block_that_is_a_list_is_an_error():
    fm = read("- one\n- two\n")
    assert not fm.ok and "no 'key: value' fields" in fm.diagnostics[0].message


# --- lenient reading ---------------------------------------------------------------------


def test_unquoted_colon_in_description():
    fm = read("name: groomer\ndescription: Grooms backlogs. Triggers on: 'groom', 'refine'.\n"
              "tools: Read, Write\n")
    assert fm.fields == {"name": "groomer",
                         "description": "Grooms backlogs. Triggers on: 'groom', 'refine'.",
                         "tools": "Read, Write"}
    (note,) = fm.diagnostics
    assert note.path == "agents/x.md" and note.line == 3 and note.field == "description"
    assert "unquoted ': '" in note.message and note.value.startswith("Grooms")
    assert "description: |" in note.fix and "quote the value" in note.fix
    assert "agents/x.md:3" in str(note)


@pytest.mark.parametrize("start", ["*", "@", "`", "&"])
def test_value_starting_with_reserved_character(start):
    fm = read(f"name: a\ndescription: {start}{start}BOLD{start}{start} helper for things\n")
    assert fm.fields["description"] == f"{start}{start}BOLD{start}{start} helper for things"
    (note,) = fm.diagnostics
    assert note.field == "description" and f"starts with {start!r}" in note.message


def test_multiline_plain_value_at_column_zero():
    fm = read("name: a\ndescription: first line: with colon\nsecond line\n  third line\nmodel: opus\n")
    assert fm.fields["description"] == "first line: with colon\nsecond line\n  third line"
    assert fm.fields["model"] == "opus"


def test_dialogue_lines_do_not_become_fields():
    block = (
        "name: helper\n"
        "description: Use this agent for reports.\n"
        "Examples:\n"
        "<example>\n"
        "Context: The user has data.\n"
        "user: \"Summarise this\"\n"
        "assistant: I'll use the helper agent.\n"
        "note: still inside the example\n"
        "</example>\n"
        "Commentary: trailing words\n"
        "model: sonnet\n"
    )
    fm = read(block)
    assert list(fm.fields) == ["name", "description", "model"]
    description = fm.fields["description"]
    assert 'user: "Summarise this"' in description and "note: still inside" in description
    assert fm.fields["model"] == "sonnet"
    assert any(d.field == "description" and d.severity == "warning" for d in fm.diagnostics)


def test_dialogue_keys_yaml_accepts_are_still_folded_in():
    # Valid YAML, but 'user' and 'assistant' are dialogue, not fields.
    fm = read("name: a\ndescription: Use for SQL.\nuser: tune my query\nassistant: ok\ncolor: red\n")
    assert list(fm.fields) == ["name", "description", "color"]
    assert fm.fields["description"] == "Use for SQL.\nuser: tune my query\nassistant: ok"


def test_keys_after_an_unclosed_example_yaml_accepts_are_still_folded_in():
    fm = read("name: a\ndescription: Use it. <example>\nfoo: bar\nmodel: opus\n")
    assert list(fm.fields) == ["name", "description", "model"]
    assert fm.fields["description"] == "Use it. <example>\nfoo: bar"


def test_quoted_dialogue_key_is_a_deliberate_field():
    fm = read('name: a\ndescription: d\n"user": kept\n')
    assert fm.fields == {"name": "a", "description": "d", "user": "kept"} and fm.diagnostics == ()


def test_known_key_after_unclosed_example_is_a_field():
    fm = read("name: a\ndescription: text <example>user: hi\ntools: Read\n")
    assert fm.fields["tools"] == "Read"


def test_capitalised_word_is_prose_not_a_field():
    fm = read("name: a\ndescription: one: two\nNote: more prose\n")
    assert list(fm.fields) == ["name", "description"]


def test_lenient_keeps_valid_fields_as_yaml():
    block = ("name: a\ndescription: broken: here\ntools: [Read, Grep]\nhooks:\n  Stop:\n"
             "    - command: echo hi\nsummary: |\n  line one\n  line two\nquoted: 'it''s'\n")
    fm = read(block)
    assert fm.fields["tools"] == ["Read", "Grep"]
    assert fm.fields["hooks"] == {"Stop": [{"command": "echo hi"}]}
    assert fm.fields["summary"] == "line one\nline two\n"
    assert fm.fields["quoted"] == "it's"
    assert [d.field for d in fm.diagnostics] == ["description"]


def test_lenient_repairs_a_broken_flow_list_and_quotes():
    fm = read("name: a\ndescription: x: y\ntools: [Read, *Bash, 'Grep']\nmodel: \"opus \"x\" \"\n")
    assert fm.fields["tools"] == ["Read", "*Bash", "Grep"]
    assert fm.fields["model"] == 'opus "x" '
    assert {d.field for d in fm.diagnostics} == {"description", "tools", "model"}


def test_lenient_duplicate_keys_last_wins():
    fm = read("name: a\ndescription: x: y\nname: b\n")
    assert fm.fields["name"] == "b"
    assert any("duplicate key 'name'" in d.message and d.line == 4 for d in fm.diagnostics)


def test_lenient_reports_stray_lines_before_the_first_field():
    fm = read("  indented junk\nname: a\ndescription: x: y\n")
    assert fm.fields["name"] == "a"
    assert any(d.line == 2 and "not a 'key: value'" in d.message for d in fm.diagnostics)
