"""Read a description the way real agent files write it.

* :func:`decode_escapes` turns the literal two-character ``\\n``, ``\\t``,
  ``\\r\\n`` and ``\\"`` left in plain or single-quoted YAML values (and in
  double-quoted ones written as ``\\\\n``, like the seed file) into the
  characters they stand for.
* :func:`split_examples` takes the ``<example>`` blocks out into
  :class:`~agentroute.model.Example` objects and returns the remaining prose.
* :func:`trigger_phrases` lists quoted phrases after cues such as
  ``Triggers on:`` or ``asks to``; it does not decide how they are used.
* :func:`render_examples` writes examples back as blocks that
  :func:`split_examples` reads to the same objects.

Decisions. Example fields are single-line text (whitespace runs become one
space): examples are short, and one line is what lets a rendered block read
back to the same objects. Several user turns in one example are joined with a
space in ``request`` (likewise assistant turns in ``response``, contexts and
commentaries), because later turns are often the ones that call the agent.
A speaker not known as user or assistant (``Daisy: "..."``) counts as a user
turn when it opens a line and is followed by a quote. Lines that are only a
placeholder tag (``<Task tool call ...>``) are dropped. Matching outer quotes
(``"``, ``'``, curly) are removed from each turn. A block with speakers but no
user turn keeps ``request=""``; a block with no speakers at all becomes the
request as a whole; an empty block is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agentroute.model import Example

__all__ = ["decode_escapes", "parse_description", "render_examples", "split_examples", "tidy",
           "trigger_phrases"]

# A whole run of backslashes before the letter, so decoding is idempotent:
# decode(decode(x)) == decode(x), which keeps render/parse a round trip.
_ESCAPE = re.compile(r'\\+(r\\+n|[ntr"])')
_DECODED = {"n": "\n", "t": "\t", "r": "\n", '"': '"'}

_OPEN = re.compile(r"<example\b[^>]*>", re.IGNORECASE)
_CLOSE = re.compile(r"</example\s*>", re.IGNORECASE)
_WRAPPER = re.compile(r"</?examples\s*>", re.IGNORECASE)
_HOLE = "\ue000"  # private-use character marking where a block was taken out
_HEADER = re.compile(r"(?i)(?:\b(?:for\s+)?examples?\s*:\s*)+(?=" + _HOLE + "|$)")
_COMMENTARY = re.compile(r"<commentary>(.*?)(?:</commentary>|\Z)", re.IGNORECASE | re.DOTALL)
_LABEL = re.compile(r"(?<!\S)(context|user|human|request|assistant|commentary)[ \t]*:",
                    re.IGNORECASE)
_SPEAKER = re.compile(r"^[ \t]*([A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?)[ \t]*:(?=[ \t]+[\"'“‘])",
                      re.MULTILINE)
_ROLE = {"context": "context", "user": "request", "human": "request", "request": "request",
         "assistant": "response", "claude": "response", "ai": "response",
         "commentary": "commentary"}
_PLACEHOLDER = re.compile(r"\s*<[^<>\n]*>\s*")
_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’"}

_QUOTED = r"(?:'[^'\n]{1,80}'|\"[^\"\n]{1,80}\"|“[^”\n]{1,80}”|‘[^’\n]{1,80}’)"
_CUE = re.compile(
    r"(?i)\b(?:triggers?(?:\s+(?:on|phrases?|words?|include|when))?|keywords?|asks?(?:\s+(?:to|for"
    r"|about))?|says?|mentions?|requests?(?:\s+like)?|phrases?(?:\s+like)?|such\s+as|like)"
    r"\s*(?::\s*)?(?=[\"'“‘])")
# Whitespace is matched in one place only, so a failing match cannot backtrack
# through every way of splitting a long run of spaces (quadratic time).
_LIST = re.compile(_QUOTED + r"(?:\s*(?:[,;/]\s*)?(?:(?:or|and)\s+)?" + _QUOTED + ")*")
_ONE = re.compile(_QUOTED)


def decode_escapes(text: str) -> str:
    """Decode literal ``\\n``/``\\t``/``\\r\\n``/``\\"`` and normalise CRLF to LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: _DECODED[m.group(1)[0]], text)


def tidy(text: str) -> str:
    """Strip line ends and outer blank lines; at most one blank line in a row."""
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def parse_description(raw: str) -> tuple[str, tuple[Example, ...]]:
    """Decode ``raw`` and split it: ``(prose, examples)``."""
    return split_examples(decode_escapes(raw))


def split_examples(text: str) -> tuple[str, tuple[Example, ...]]:
    """Take ``<example>`` blocks out of ``text``; return ``(prose, examples)``.

    An unclosed block runs to the next ``<example>`` or to the end. An
    ``Examples:`` header right before the blocks and ``<examples>`` wrapper
    tags go with them.
    """
    pieces: list[str] = []
    examples: list[Example] = []
    opens = list(_OPEN.finditer(text))
    closes = list(_CLOSE.finditer(text))
    pos = nearest = 0  # one pass over both tag lists: linear even for adversarial text
    for i, opening in enumerate(opens):
        pieces.append(text[pos : opening.start()])
        end = opens[i + 1].start() if i + 1 < len(opens) else len(text)
        while nearest < len(closes) and closes[nearest].start() < opening.end():
            nearest += 1
        if nearest < len(closes) and closes[nearest].start() < end:
            body, pos = text[opening.end() : closes[nearest].start()], closes[nearest].end()
        else:
            body, pos = text[opening.end() : end], end
        example = _example(body)
        if example is not None:
            examples.append(example)
        pieces.append(_HOLE)
    pieces.append(text[pos:])
    # A space, not "": removing a tag must not join a backslash and an "n" into an escape.
    prose = _WRAPPER.sub(" ", "".join(pieces))
    if opens:
        prose = "\n\n".join(part.strip() for part in _HEADER.sub("", prose).split(_HOLE))
    return tidy(prose), tuple(examples)


def _example(body: str) -> Example | None:
    body = _WRAPPER.sub("\n", body)
    parts: dict[str, list[str]] = {"context": [], "request": [], "response": [], "commentary": []}
    parts["commentary"] = [m.group(1) for m in _COMMENTARY.finditer(body)]
    body = _COMMENTARY.sub("\n", body)
    labels = [(m.start(), m.end(), _ROLE[m.group(1).lower()]) for m in _LABEL.finditer(body)]
    for m in _SPEAKER.finditer(body):
        word = m.group(1).lower()
        if word not in ("context", "commentary", "note", "example", "examples"):
            labels.append((m.start(1), m.end(), _ROLE.get(word, "request")))
    labels = _drop_overlaps(sorted(labels))
    if not labels:  # no speakers: the block as a whole is what the user asks
        parts["request"].append(_without_placeholders(body))
    for i, (_, end, role) in enumerate(labels):
        stop = labels[i + 1][0] if i + 1 < len(labels) else len(body)
        parts[role].append(_without_placeholders(body[end:stop]))
    commentary = " ".join(" ".join(parts["commentary"]).split())
    request, context, response = (_canonical(" ".join(_canonical(t) for t in parts[role]))
                                  for role in ("request", "context", "response"))
    if not labels and not request:
        return None
    return Example(request, context, response, commentary)


def _drop_overlaps(labels: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for label in labels:
        if not kept or label[0] >= kept[-1][1]:
            kept.append(label)
    return kept


def _without_placeholders(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not _PLACEHOLDER.fullmatch(line))


def _canonical(text: str) -> str:
    """One line, without outer quotes or a leading ``user:``-like label.

    Rendering wraps a turn in one pair of quotes after its label; a canonical
    text reads back unchanged, which keeps render/parse a round trip.
    """
    text = " ".join(text.split())
    while True:
        if len(text) >= 2 and _PAIRS.get(text[0]) == text[-1]:
            text = text[1:-1].strip()
        elif (label := _LABEL.match(text)) is not None:
            text = text[label.end():].strip()
        else:
            return text


def render_examples(examples: Iterable[Example]) -> str:
    """Write examples as ``<example>`` blocks that :func:`split_examples` reads back."""
    blocks = []
    for ex in examples:
        lines = ["<example>"]
        if ex.context:
            lines.append(f"Context: {ex.context}")
        lines.append(f"user: {_quote(ex.request)}")
        if ex.response:
            lines.append(f"assistant: {_quote(ex.response)}")
        if ex.commentary:
            lines += ["<commentary>", ex.commentary, "</commentary>"]
        lines.append("</example>")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _quote(text: str) -> str:
    # A closing quote after a backslash would read back as an escaped quote.
    return text if text.endswith("\\") else f'"{text}"'


def trigger_phrases(description: str) -> tuple[str, ...]:
    """Quoted phrases listed after a cue: ``Triggers on: 'a', 'b'``, ``asks to "x", "y"``.

    Example blocks are ignored. Order is kept and repeats are dropped.
    """
    prose, _ = parse_description(description)
    found: list[str] = []
    for cue in _CUE.finditer(prose):
        listed = _LIST.match(prose, cue.end())
        if listed is None:
            continue
        for quoted in _ONE.findall(listed.group(0)):
            phrase = quoted[1:-1].strip()
            if phrase and phrase not in found:
                found.append(phrase)
    return tuple(found)
