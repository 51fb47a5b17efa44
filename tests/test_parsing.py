"""parse_agent / render_agent: fields, decisions, errors and the round trip."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentroute.errors import AgentFileError, NotAnAgentError
from agentroute.model import Agent, Example
from agentroute.sources.claude_code import ParsedAgent, parse_agent, render_agent

SIMPLE = """---
name: sql-tuner
description: Tunes slow SQL queries and explains query plans.
tools: Read, Grep, Bash(psql:*), Agent(helper, other)
model: sonnet
color: blue
permissionMode: plan
disallowedTools: [Write, Edit]
skills: sql-style, explain-plans
hooks:
  Stop:
    - command: echo done
category: data
---

You are a database expert.

Be precise.
"""

# Double-quoted YAML whose \\n escapes leave a literal backslash-n, like real seed files.
SEED_STYLE = (
    '---\nname: api-builder\ndescription: "Builds HTTP APIs.\\\\n\\\\nExamples:\\\\n\\\\n<example>'
    '\\\\nContext: New service.\\\\nuser: \\"Add a health endpoint\\"\\\\nassistant: \\"I\'ll use the '
    'api-builder agent.\\"\\\\n<Task tool call to launch api-builder>\\\\n</example>"\n'
    "model: inherit\n---\nBody.\n"
)

BLOCK_STYLE = """---
name: doc-writer
description: |
  Writes docs. Examples:

  <example>
  Context: A module has no docs.
  user: "Document the parser"
  assistant: "Using the doc-writer agent."
  <commentary>
  Docs were asked for.
  </commentary>
  </example>
tools:
  - Read
  - Write
---
Write clearly.
"""


def parse(text: str, **kwargs) -> ParsedAgent:
    return parse_agent(text, source="agents/sample.md", **kwargs)


def test_fields_and_metadata():
    parsed = parse(SIMPLE)
    agent = parsed.agent
    assert parsed.diagnostics == ()
    assert agent.name == "sql-tuner"
    assert agent.description == "Tunes slow SQL queries and explains query plans."
    assert agent.tools == ("Read", "Grep", "Bash(psql:*)", "Agent(helper, other)")
    assert agent.model == "sonnet"
    assert agent.prompt == "You are a database expert.\n\nBe precise."
    assert agent.source == "agents/sample.md"
    assert dict(agent.metadata) == {
        "color": "blue",
        "permissionMode": "plan",
        "disallowedTools": ("Write", "Edit"),
        "skills": ("sql-style", "explain-plans"),
        "hooks": {"Stop": [{"command": "echo done"}]},
        "category": "data",
    }
    assert list(agent.metadata) == ["color", "permissionMode", "disallowedTools", "skills",
                                    "hooks", "category"]


def test_seed_style_double_quoted_description():
    agent = parse(SEED_STYLE).agent
    assert agent.description == "Builds HTTP APIs."
    assert agent.examples == (Example("Add a health endpoint", "New service.",
                                      "I'll use the api-builder agent."),)
    assert agent.model == "inherit"


def test_block_description_and_yaml_list_tools():
    agent = parse(BLOCK_STYLE).agent
    assert agent.description == "Writes docs."
    assert agent.examples == (Example("Document the parser", "A module has no docs.",
                                      "Using the doc-writer agent.", "Docs were asked for."),)
    assert agent.tools == ("Read", "Write")


@pytest.mark.parametrize(("line", "tools"), [("", None), ("tools:\n", None), ("tools: []\n", ()),
                                             ("tools: Read,, Grep ,\n", ("Read", "Grep"))])
def test_tools_shapes(line, tools):
    assert parse(f"---\nname: a\ndescription: d\n{line}---\n").agent.tools == tools


def test_tool_with_space_warns():
    parsed = parse("---\nname: a\ndescription: d\ntools: Read Grep\n---\n")
    (note,) = parsed.diagnostics
    assert note.field == "tools" and "separate tools with commas" in note.fix


def test_unquoted_colon_description_loads_with_warning_and_strict_refuses():
    text = "---\nname: a\ndescription: Plans work. Triggers on: 'plan', 'roadmap'.\n---\nBody"
    parsed = parse(text)
    assert parsed.agent.description == "Plans work. Triggers on: 'plan', 'roadmap'."
    (note,) = parsed.diagnostics
    assert (note.path, note.line, note.field) == ("agents/sample.md", 3, "description")
    with pytest.raises(AgentFileError) as info:
        parse(text, strict=True)
    assert info.value.diagnostics[0].severity == "error"
    assert "agents/sample.md:3" in str(info.value) and "description: |" in str(info.value)


@pytest.mark.parametrize(("written", "name"), [("yes", "yes"), ("off", "off"), ("123", "123"),
                                               ("1.50", "1.50"), ("null", "null"),
                                               ("2024-01-01", "2024-01-01")])
def test_names_yaml_reads_as_other_types_keep_their_text(written, name):
    parsed = parse(f"---\nname: {written}\ndescription: d\n---\n")
    assert parsed.agent.name == name
    (note,) = parsed.diagnostics
    assert note.line == 2 and note.field == "name" and f'name: "{name}"' in note.fix


def test_missing_name_falls_back_to_file_stem():
    parsed = parse_agent("---\ndescription: d\n---\n", source="x/code-helper.md")
    assert parsed.agent.name == "code-helper"
    (note,) = parsed.diagnostics
    assert "file name" in note.message and "name: code-helper" in note.fix


def test_missing_name_without_source_is_an_error():
    with pytest.raises(AgentFileError) as info:
        parse_agent("---\ndescription: d\n---\n")
    assert "no name" in str(info.value) and "add 'name: my-agent'" in str(info.value)


def test_name_that_is_a_list_is_an_error():
    with pytest.raises(AgentFileError, match="single line of text"):
        parse("---\nname: [a, b]\ndescription: d\n---\n")


@pytest.mark.parametrize(("written", "what"), [("team/helper", "path separator"),
                                               ("Python Helper", "whitespace")])
def test_odd_names_load_with_warning(written, what):
    parsed = parse(f"---\nname: {written}\ndescription: d\n---\n")
    assert parsed.agent.name == written
    assert what in parsed.diagnostics[0].message


@pytest.mark.parametrize(("line", "said"), [("", "missing"), ("description: ''\n", "empty"),
                                            ("description:\n", "empty")])
def test_missing_or_empty_description_warns(line, said):
    parsed = parse(f"---\nname: a\n{line}---\nPrompt")
    assert parsed.agent.description == ""
    assert said in parsed.diagnostics[0].message


def test_frontmatter_only_has_empty_prompt():
    agent = parse("---\nname: a\ndescription: d\n---").agent
    assert agent.prompt == ""


@pytest.mark.parametrize("text", ["Just a body.\n\nNo fields.", "", "\n\n"])
def test_body_only_is_not_an_agent(text):
    with pytest.raises(NotAnAgentError) as info:
        parse(text)
    note = info.value.diagnostics[0]
    assert note.path == "agents/sample.md" and note.line == 1 and "'---'" in note.fix


def test_unclosed_frontmatter_is_an_error():
    with pytest.raises(AgentFileError) as info:
        parse("---\nname: a\ndescription: d\n")
    assert not isinstance(info.value, NotAnAgentError)
    assert "agents/sample.md:1" in str(info.value) and "never closed" in str(info.value)


def test_alias_bomb_is_an_error():
    bomb = "a: &a [x, x]\n" + "\n".join(f"b{i}: [*a, *a, *a]" for i in range(10))
    with pytest.raises(AgentFileError, match="alias"):
        parse(f"---\nname: a\n{bomb}\n---\n")


def test_miscased_known_key_warns():
    parsed = parse("---\nname: a\ndescription: d\nTools: Read\n---\n")
    assert parsed.agent.tools is None and parsed.agent.metadata["Tools"] == "Read"
    assert "rename it to 'tools'" in parsed.diagnostics[0].fix


def test_crlf_bom_and_leading_blank_body_lines():
    agent = parse("\ufeff---\r\nname: a\r\ndescription: d\r\n---\r\n\r\n\r\n  Indented start\r\n").agent
    assert agent.prompt == "  Indented start"


def test_strict_turns_every_warning_into_an_error():
    with pytest.raises(AgentFileError) as info:
        parse("---\nname: Bad Name\n---\n", strict=True)
    assert {d.severity for d in info.value.diagnostics} == {"error"}
    assert len(info.value.diagnostics) == 2  # whitespace in name, missing description


# --- render ------------------------------------------------------------------------------

ROUND_TRIP = [SIMPLE, SEED_STYLE, BLOCK_STYLE,
              '---\nname: a\ntools: ["Bash(a, b)", "x,y", " Read "]\n"user": kept\n---\n',
              "---\nname: yes\ndescription: 'x: y'\nmodel: 3\ntools: []\n---\n",
              "---\nname: a\ndescription: Fixes CSS. Triggers on: 'css', 'layout'.\n---\n\nBody\n",
              "---\ndescription: \"*Bold* start\\\\nsecond line\"\nextra: 2024-05-01\n---\nP\n"]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_render_parse_round_trip(text):
    first = parse(text).agent
    again = parse(render_agent(first)).agent
    assert again == first
    assert dict(again.metadata) == dict(first.metadata)


def test_render_shape():
    agent = Agent(name="yes", description="Line one.\nLine two.",
                  examples=(Example("do it", response="ok"),), prompt="Prompt.",
                  tools=("Read", "Grep"), model="opus", metadata={"color": "red"})
    text = render_agent(agent)
    assert text.startswith("---\nname: 'yes'\ndescription: |")
    assert "  <example>\n  user: \"do it\"" in text
    assert "tools: Read, Grep\nmodel: opus\ncolor: red\n---\n\nPrompt.\n" in text
    assert parse(text).agent == Agent(**{**agent.__dict__, "source": "agents/sample.md"})


def test_render_refuses_metadata_yaml_cannot_write():
    with pytest.raises(TypeError, match="metadata"):
        render_agent(Agent(name="a", metadata={"x": object()}))


# Fragments real files mix: quotes, escapes, colons, dialogue, tags, YAML syntax.
FRAGMENTS = st.sampled_from([
    "a", "b c", ":", ": ", "\n", "\\n", "\\", '"', "'", "<example>", "</example>", "user:",
    "assistant:", "Context:", "<commentary>", "Examples:", " ", "*", "&x", "#", "-", "---",
    "name: ", "description: ", "tools: ", "[", "]", "{", "}", "|", ">", "```yaml", "# T",
    "\ufeff", "\r\n", "yes", "~", "1.5", "@", "`", "\t", "é",
])


TEXTS = st.lists(FRAGMENTS, max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXTS, TEXTS, st.sampled_from(["", "---\n", "---\nname: n\n"]), st.booleans())
@pytest.mark.slow
def test_any_text_parses_or_raises_agent_file_error_and_round_trips(head, body, start, strict):
    text = f"{start}{head}\n---\n{body}" if start else head + body
    try:
        agent = parse(text, strict=strict).agent
    except AgentFileError:
        return
    assert parse(render_agent(agent)).agent == agent
