"""Coverage-guided fuzzing of the agent-file parser with atheris (not part of the test run).

Each input is raw bytes, decoded the two ways a caller may decode them
(``surrogateescape``, which leaves lone surrogates in the text, and
``replace``), then parsed with :func:`agentroute.sources.claude_code.parse_agent` (lenient
and, when that succeeds, strict), and the description of every agent read goes
through :func:`agentroute.sources.description.trigger_phrases`. An
:class:`~agentroute.errors.AgentrouteError` is a correct refusal; any other
exception is a crash, and atheris stops and writes the input to ``crash-*``.

    pip install atheris
    python fuzz/fuzz_parser.py fuzz/corpus -max_len=4096 -atheris_runs=1000000

See fuzz/README.md for the seed corpus and the runs done so far.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from agentroute.sources.description import trigger_phrases
    from agentroute.errors import AgentrouteError
    from agentroute.sources.claude_code import parse_agent


def check(data: bytes) -> None:
    for errors in ("surrogateescape", "replace"):
        text = data.decode("utf-8", errors)
        try:
            parsed = parse_agent(text, source="fuzz/agent.md")
        except AgentrouteError:
            continue
        trigger_phrases(parsed.agent.description)
        try:
            parse_agent(text, source="fuzz/agent.md", strict=True)
        except AgentrouteError:
            pass
        if errors == "surrogateescape" and not any(0xDC80 <= ord(c) <= 0xDCFF for c in text):
            return  # valid UTF-8: both decodings give the same text


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
