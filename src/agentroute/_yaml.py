"""PyYAML, safe and bounded: the one place that calls the YAML loader.

Safe: only ``SafeLoader`` (the libyaml ``CSafeLoader`` when PyYAML was built
with it, for speed). Bounded: frontmatter never needs anchors and aliases, so
a block with more than :data:`MAX_ALIASES` aliases is refused before anything
is built. That stops "billion laughs" blocks, whose nested aliases are cheap
for the parser but explode for whoever walks or dumps the result. Nesting
deeper than :data:`MAX_DEPTH` is refused too: libyaml's composer recurses in C
and crashes the interpreter (a segfault, not an exception) on ``[[[[...``.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "TooDeep", "TooManyAliases", "construct", "load_node"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_ALIASES = 16
MAX_DEPTH = 64


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


class TooDeep(Refused):
    fix = "flatten the value; frontmatter fields are strings, lists and small mappings"

    def __init__(self, line: int) -> None:
        super().__init__(f"the frontmatter nests more than {MAX_DEPTH} levels deep; refused", line)


def _check(text: str) -> None:
    # Events come from libyaml's parser (a state machine, no recursion) one at
    # a time, so this stops at the first excess without building anything.
    count = depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise TooDeep(_line(event))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                count += 1
                if count > MAX_ALIASES:
                    raise TooManyAliases(count, _line(event))
    except yaml.YAMLError:
        return  # the composer below reports the syntax error with its mark


def _line(event: yaml.Event) -> int:
    return event.start_mark.line if event.start_mark is not None else 0


def load_node(text: str) -> yaml.Node | None:
    """Compose ``text`` into a node graph (None when empty).

    Raises :class:`Refused` (too many aliases, too deep) or
    :class:`yaml.YAMLError`.
    """
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
    """Build the Python value of one node (str, int, list, dict, date...)."""
    # A fresh constructor per value: it caches objects by node, and sharing
    # one would make it neither thread-safe nor free of memory growth.
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except RecursionError as exc:
        raise yaml.YAMLError(f"nesting too deep: {exc}") from None
