"""PyYAML, safe and bounded: the one place that calls the YAML loader.

Safe: only ``SafeLoader`` (the libyaml ``CSafeLoader`` when PyYAML was built
with it, for speed). Bounded: frontmatter never needs anchors and aliases, so
a block with more than :data:`MAX_ALIASES` aliases is refused before anything
is built. That stops "billion laughs" blocks, whose nested aliases are cheap
for the parser but explode for whoever walks or dumps the result. A few
aliases can still multiply a large anchored value (``&a`` on a 500 KB list,
then ``[*a, *a, *a]`` nested four deep is 324 copies), so what the aliases
stand for is counted too, and a block whose aliases stand for more than
:data:`MAX_ALIAS_EXPANSION` characters is refused. Nesting deeper than
:data:`MAX_DEPTH` is refused: libyaml's composer recurses in C and crashes the
interpreter (a segfault, not an exception) on ``[[[[...``. So is a block of
more than :data:`MAX_NODES` keys, values and items: real frontmatter has a few
dozen, and a 1 MB list of half a million items takes seconds to build. Text
that UTF-8 cannot encode (lone surrogates, which libyaml cannot take) is a
:class:`yaml.YAMLError` like any unreadable character.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_ALIASES", "MAX_ALIAS_EXPANSION", "MAX_DEPTH", "MAX_NODES", "TooDeep",
           "TooManyAliases", "TooManyNodes", "construct", "load_node"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_ALIASES = 16
MAX_DEPTH = 64
#: Characters (plus one per node) that all aliases of a block may stand for together.
MAX_ALIAS_EXPANSION = 100_000
#: Keys, values and list items a block may hold.
MAX_NODES = 10_000


class Refused(ValueError):
    """A block refused before composing; ``line`` is 0-based within the block."""

    fix = ""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class TooManyAliases(Refused):
    fix = "remove the YAML anchors (&name) and aliases (*name); frontmatter never needs them"

    def __init__(self, count: int, line: int) -> None:
        super().__init__(
            f"the frontmatter uses more than {MAX_ALIASES} YAML aliases ({count} seen); "
            "refused as a possible alias bomb ('billion laughs')", line)


class AliasesTooLarge(Refused):
    fix = TooManyAliases.fix

    def __init__(self, size: int, line: int) -> None:
        super().__init__(
            f"the frontmatter's YAML aliases stand for more than {MAX_ALIAS_EXPANSION} "
            f"characters ({size} so far); refused as a possible alias bomb ('billion laughs')",
            line)


class TooManyNodes(Refused):
    fix = "keep the frontmatter to a few fields; long lists and text belong in the prompt"

    def __init__(self, line: int) -> None:
        super().__init__(f"the frontmatter holds more than {MAX_NODES} YAML keys, values and "
                         "items; refused", line)


class TooDeep(Refused):
    fix = "flatten the value; frontmatter fields are strings, lists and small mappings"

    def __init__(self, line: int) -> None:
        super().__init__(f"the frontmatter nests more than {MAX_DEPTH} levels deep; refused", line)


def _check(text: str) -> None:
    # Events come from libyaml's parser (a state machine, no recursion) one at
    # a time, so this stops at the first excess without building anything.
    # ``size`` counts what a full walk of the result would meet (one per node
    # plus the characters of each scalar, aliases counted as what they stand
    # for); ``sizes`` keeps that figure for every anchor.
    count = depth = size = expanded = nodes = 0
    sizes: dict[str, int] = {}
    starts: list[tuple[str | None, int]] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise TooManyNodes(_line(event))
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count > MAX_ALIASES:
                    raise TooManyAliases(count, _line(event))
                stands_for = sizes.get(event.anchor or "", 1)
                size += stands_for
                expanded += stands_for
                if expanded > MAX_ALIAS_EXPANSION:
                    raise AliasesTooLarge(expanded, _line(event))
            elif isinstance(event, yaml.ScalarEvent):
                size += 1 + len(event.value)
                if event.anchor:
                    sizes[event.anchor] = 1 + len(event.value)
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise TooDeep(_line(event))
                size += 1
                starts.append((event.anchor, size))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                anchor, start = starts.pop()
                if anchor:
                    sizes[anchor] = size - start + 1
    except yaml.YAMLError as error:
        # libyaml as bundled with PyYAML 6.0.4 stops at 1,000 flow levels in its
        # scanner, before the events above reach MAX_DEPTH: the same refusal, said the same way.
        if "nesting depth" in str(error):
            mark = getattr(error, "problem_mark", None)
            raise TooDeep(mark.line if mark is not None else 0) from None
        return  # the composer below reports the syntax error with its mark


def _line(event: yaml.Event) -> int:
    return event.start_mark.line if event.start_mark is not None else 0


def load_node(text: str) -> yaml.Node | None:
    """Compose ``text`` into a node graph (None when empty).

    Raises :class:`Refused` (too many aliases, aliases that stand for too much,
    too many nodes, too deep) or :class:`yaml.YAMLError`.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start)
        raise yaml.YAMLError(f"unacceptable character {text[exc.start]!r} (a lone surrogate, "
                             f"not valid Unicode) at line {line + 1}") from None
    _check(text)
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    except RecursionError as exc:
        raise yaml.YAMLError(f"nesting too deep: {exc}") from None
    finally:
        loader.dispose()


def construct(node: yaml.Node) -> Any:
    """Build the Python value of one node (str, int, list, dict, date...).

    Raises :class:`yaml.YAMLError` and nothing else for a value that cannot be built.
    """
    # A fresh constructor per value: it caches objects by node, and sharing
    # one would make it neither thread-safe nor free of memory growth.
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except RecursionError as exc:
        raise yaml.YAMLError(f"nesting too deep: {exc}") from None
    except (ValueError, OverflowError) as exc:
        # A plain scalar YAML's patterns take for a date that the calendar refuses
        # (2024-02-30, 2024-01-01 25:00:00): PyYAML lets datetime's error out.
        raise yaml.YAMLError(f"{exc} (in {node.value!r})" if isinstance(node, yaml.ScalarNode)
                             else str(exc)) from None
