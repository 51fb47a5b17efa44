"""Descriptions as real files write them: escapes, example blocks, trigger phrases."""

from __future__ import annotations

import pytest

from agentroute.sources.description import (
    decode_escapes,
    parse_description,
    render_examples,
    split_examples,
    tidy,
    trigger_phrases,
)
from agentroute.model import Example

# --- escapes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("a\\nb", "a\nb"),
        ("a\\n\\nb", "a\n\nb"),
        ("col\\tcol", "col\tcol"),
        ('say \\"hi\\"', 'say "hi"'),
        ("win\\r\\nline", "win\nline"),
        ("double \\\\n escaped", "double \n escaped"),
        ("crlf\r\nand\rcr", "crlf\nand\ncr"),
        ("a regex \\d+ stays", "a regex \\d+ stays"),
    ],
)
def test_decode_escapes(raw, decoded):
    assert decode_escapes(raw) == decoded


@pytest.mark.parametrize("raw", ["\\\\n", '\\\\"', "x\\\\\\\\ty", "\\q\\n"])
def test_decode_is_idempotent(raw):
    once = decode_escapes(raw)
    assert decode_escapes(once) == once


def test_tidy():
    assert tidy("  a  \n\n\n\nb \n") == "a\n\nb"
    assert tidy(tidy(" x\n\n\n y ")) == tidy(" x\n\n\n y ")


# --- example blocks ----------------------------------------------------------------------

BLOCK_STYLE = """Use this agent when a report is needed. Examples:

<example>
Context: The team finished a sprint.
user: "Write the sprint report"
assistant: "I'll use the report-writer agent to draft it."
<commentary>
A report was requested, so the report-writer applies.
</commentary>
</example>

<example>
Context: Numbers changed.
user: "Refresh the quarterly figures"
assistant: "Let me use the report-writer agent."
</example>"""


def test_block_style_examples():
    prose, examples = split_examples(BLOCK_STYLE)
    assert prose == "Use this agent when a report is needed."
    assert examples == (
        Example("Write the sprint report", "The team finished a sprint.",
                "I'll use the report-writer agent to draft it.",
                "A report was requested, so the report-writer applies."),
        Example("Refresh the quarterly figures", "Numbers changed.",
                "Let me use the report-writer agent."),
    )


def test_literal_backslash_n_line():
    raw = ("Handles invoices.\\n\\nExamples:\\n<example>\\nContext: Month end.\\nuser: \\\"Close "
           "the books\\\"\\nassistant: \\\"I'll use the ledger agent.\\\"\\n<Task tool call>\\n"
           "</example>")
    prose, examples = parse_description(raw)
    assert prose == "Handles invoices."
    assert examples == (Example("Close the books", "Month end.", "I'll use the ledger agent."),)


def test_single_quoted_and_curly_turns():
    text = ("<example>user: 'Plot the churn'\nassistant: 'Using the charts agent.'</example>"
            "<example>user: “Plot revenue”\nassistant: ‘On it’</example>")
    _, examples = split_examples(text)
    assert [e.request for e in examples] == ["Plot the churn", "Plot revenue"]
    assert [e.response for e in examples] == ["Using the charts agent.", "On it"]


@pytest.mark.parametrize("speaker", ["User", "Human", "human", "Request", "request"])
def test_other_user_speakers(speaker):
    _, (example,) = split_examples(f"<example>\n{speaker}: \"Fix the build\"\nAssistant: ok\n</example>")
    assert example.request == "Fix the build" and example.response == "ok"


def test_named_speaker_opening_a_line_is_the_user():
    text = '<example>\nContext: Priya is reviewing a PR.\nPriya: "Check the retries"\nAssistant: "Sure."\n</example>'
    _, (example,) = split_examples(text)
    assert example == Example("Check the retries", "Priya is reviewing a PR.", "Sure.")


def test_unquoted_turns_and_several_user_turns_are_joined():
    text = ("<example>\nuser: add a cache\nassistant: done\nuser: now make it expire\n"
            "assistant: Using the cache agent.\n</example>")
    _, (example,) = split_examples(text)
    assert example.request == "add a cache now make it expire"
    assert example.response == "done Using the cache agent."


def test_inline_examples_on_one_line():
    text = ('Builds APIs. Examples: <example>Context: New service user: "Add an endpoint" '
            'assistant: "I\'ll use the api agent" <commentary>Endpoint work</commentary></example> '
            '<example>Context: Old service user: "Version the API" assistant: "Using api agent"'
            "</example> Delegations: hand off to docs.")
    prose, examples = split_examples(text)
    assert prose == "Builds APIs.\n\nDelegations: hand off to docs."
    assert examples[0] == Example("Add an endpoint", "New service", "I'll use the api agent",
                                  "Endpoint work")
    assert examples[1].request == "Version the API"


def test_unclosed_last_block_and_examples_wrapper():
    text = ("Reviews code.\n<examples>\n<example>\nuser: \"Review my diff\"\n</example>\n"
            "<example>\nuser: \"Review the PR\"\nassistant: \"Reviewing\"\n</examples>")
    prose, examples = split_examples(text)
    assert prose == "Reviews code."
    assert [e.request for e in examples] == ["Review my diff", "Review the PR"]


def test_block_without_speakers_is_the_request_and_empty_block_is_skipped():
    prose, examples = split_examples("Intro.\n<example>migrate the schema</example><example> </example>")
    assert prose == "Intro."
    assert examples == (Example("migrate the schema"),)


def test_no_examples_leaves_prose_untouched():
    text = "Use for X. For example: Y.\n\nMore."
    assert split_examples(text) == (text, ())


def test_example_fields_are_one_line_without_outer_quotes_or_labels():
    text = ('<example>\nContext: A long\n   context.\nuser: "user: \'nested\'"\n'
            "<commentary>\n  Two\n  lines.\n</commentary>\n</example>")
    _, (example,) = split_examples(text)
    assert example == Example("nested", "A long context.", "", "Two lines.")


def test_placeholder_lines_are_dropped_from_turns():
    text = ("<example>\nuser: \"Deploy it\"\nassistant: \"Deploying now.\"\n"
            "<function call omitted for brevity>\n</example>")
    assert split_examples(text)[1][0].response == "Deploying now."


def test_render_examples_reads_back_the_same():
    examples = (
        Example("Write the report", "Sprint ended.", "Using report agent.", "Report asked."),
        Example('Say "hi" then stop'),
        Example("ends with a backslash\\", response='say "user: hi" now'),
        Example("", "only context", "only response"),
    )
    prose, again = split_examples("Prose.\n\n" + render_examples(examples))
    assert prose == "Prose." and again == examples


# --- trigger phrases ---------------------------------------------------------------------


def test_trigger_phrases_single_quoted_list():
    text = "Use when grooming. Triggers on: 'groom backlog', 'backlog refinement', 'refine stories'."
    assert trigger_phrases(text) == ("groom backlog", "backlog refinement", "refine stories")


def test_trigger_phrases_after_asks_to():
    text = ('Use this agent when the user asks to "check my config", "lint the config", or '
            '"validate settings". Also "not this one".')
    assert trigger_phrases(text) == ("check my config", "lint the config", "validate settings")


def test_trigger_phrases_ignore_example_blocks_and_repeats():
    text = ("Triggers: \"ship it\", 'ship it'\n<example>user asks to \"deploy\"</example>")
    assert trigger_phrases(text) == ("ship it",)


def test_no_trigger_phrases():
    assert trigger_phrases("A plain description with 'quoted' words.") == ()
