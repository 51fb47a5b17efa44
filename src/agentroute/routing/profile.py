"""What text is indexed for an agent, field by field, with shared boilerplate taken out.

Every agent file repeats the same delegation phrases ("Use this agent when",
"Use PROACTIVELY", "MUST BE USED", the assistant's "I'll use the X agent").
They say nothing about *which* agent fits, yet with few agents IDF cannot
push them down far enough, so they are cut before vectorising.
"""

from __future__ import annotations

import math

import re
from typing import Mapping

from agentroute.model import Agent

#: The fields an agent's profile is built from, in order.
FIELDS = ("name", "description", "examples", "context", "prompt")

#: Default weight of each field in the agent's profile vector (chosen on the
#: leave-one-out and dev data described in docs/routing.md).
DEFAULT_FIELD_WEIGHTS: Mapping[str, float] = {
    "name": 0.75,
    "description": 1.0,
    "examples": 1.0,
    "context": 1.0,
    "prompt": 4.5,
}

_BOILERPLATE = re.compile(
    r"""
    \b(?:use|used|invoke|invoked|call|engage|launch|delegate\ to)\s+(?:this|the|a)?\s*(?:sub-?)?agent\b
    | \buse\s+(?:it\s+)?proactively\b | \bproactively\b
    | \bmust\s+be\s+used\b
    | \buse\s+(?:this|it)?\s*(?:when|whenever|for|to|if|after|before)\b
    | \bexamples?\s*:
    | </?(?:example|examples|commentary)>
    | <[^<>\n]{0,80}tool\s+call[^<>\n]{0,80}>
    | \b(?:i'?ll|i\ will|let\ me|let's|now\ let\ me)\s+(?:use|launch|engage|invoke|call)\s+the\s+[\w-]+\s+(?:sub-?)?agent\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Every branch above begins at a word starting with one of these letters, or at "<". Testing
# that first lets the engine skip most positions: same matches, 4-5x faster on agent bodies
# (fitting 10,000 agents spent ~10 s of ~30 s in this substitution).
_BOILERPLATE = re.compile(r"(?:(?<!\w)(?=[uicedlpmn])|(?=<))(?:" + _BOILERPLATE.pattern + ")", _BOILERPLATE.flags)

#: Words every agent file uses about itself; stop words for routing. "agent" itself is
#: not one: the boilerplate phrases that use it are cut above, and meta-agents
#: ("agent-creator", "agent-organizer") need it to be found at all.
AGENT_STOP_WORDS = frozenset(
    """proactively invoke invoked invoking delegate
    delegated delegating assistant assistants use used uses using
    whenever specialist specialists expert experts expertise specializing specializes
    specialized specialize master masters mastery comprehensive ensure ensures ensuring
    help helps helping need needs needed want wants like please can could would should
    example examples context commentary""".split()
)


#: Words of scikit-learn's English stop list that carry meaning in software requests and agent
#: files: "production is down", "front-end", "back-end", "full-stack", "server-side", "an API
#: call", "the cloud bill", "a CLI in Go". They are kept as words (the rest of that list stays out);
#: "go" is also a generic request word, so "go ahead" alone still picks nothing. "system"
#: and "up" were measured and left out: "design system" then met "system prompt", and "set up"
#: is in nearly every request (docs/evaluation.md).
KEPT_ENGLISH_STOP_WORDS = frozenset("back bill bottom call down empty fire front full go side top".split())


#: Words of everyday requests and chit-chat: they may support a pick but not make one alone
#: (a request known only through them abstains). Instruction verbs ("add", "make", "tell"),
#: requests for opinions ("recommend", "suggest"), and nouns and adjectives of any topic
#: ("page", "thing", "good"). Words that name a technical topic are not listed, however
#: common: coverage (the share of agents using a word) catches those per registry.
GENERIC_REQUEST_WORDS = frozenset(
    """add adds added adding make makes made making get gets got getting give gives gave
    show shows showed tell tells told telling say says said ask asks asked read reads reading
    write writes wrote writing recommend recommends recommended recommendation recommendations
    suggest suggests suggestion suggestions find finds found look looks looking see sees
    know knows think thinks try tries let lets go goes going come comes put puts take takes
    keep keeps start starts stop stops do does did done doing find want like love
    page pages thing things something anything everything stuff way ways time times day days
    today tomorrow tonight yesterday week weekend morning evening night year years
    good great best better nice bad new old big small little fun funny favourite favorite
    interesting cool easy quick quickly really just maybe also lot lots bit kind sort
    hi hello hey thanks thank ok okay yes sure me my mine you your we our us
    people person someone somebody friend friends family mom dad kids home""".split()
)


def clean(text: str) -> str:
    """``text`` with the shared delegation boilerplate removed."""
    return _BOILERPLATE.sub(" ", text)


def field_texts(agent: Agent) -> dict[str, str]:
    """The text of each profile field of ``agent`` (boilerplate removed)."""
    requests = [example.request for example in agent.examples]
    contexts = [part for ex in agent.examples for part in (ex.context, ex.commentary) if part]
    return {
        "name": agent.name.replace("-", " ").replace("_", " "),
        "description": clean(agent.description),
        "examples": clean("\n".join(requests)),
        "context": clean("\n".join(contexts)),
        # The body is ~90% of the text and almost never holds delegation phrases; the
        # regular expression costs ~200 µs per 7 KB of text, so it is spent where they are.
        "prompt": agent.prompt,
    }


def validate_field_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """A complete weight table: unknown fields and negative or infinite weights are errors."""
    unknown = sorted(set(weights) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) in field_weights: {unknown}; known fields: {list(FIELDS)}")
    merged = dict(DEFAULT_FIELD_WEIGHTS)
    for name, value in weights.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < math.inf:
            raise ValueError(f"field_weights[{name!r}] must be a finite number >= 0, got {value!r}")
        merged[name] = float(value)
    if not any(merged.values()):
        raise ValueError("field_weights must give at least one field a weight > 0")
    return merged
