"""PyYAML, safe and bounded: the one place that calls the YAML loader.

Safe: only ``SafeLoader`` (the libyaml ``CSafeLoader`` when PyYAML was built
with it, for speed). Bounded: frontmatter never needs anchors and aliases, so
a block with more than :data:`MAX_ALIASES` aliases is refused before anything
is built. That stops "billion laughs" blocks, whose nested aliases are cheap
for the parser but explode for whoever walks or dumps the result.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_ALIASES", "TooManyAliases", "construct", "load_node"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_ALIASES = 16


class TooManyAliases(ValueError):
    """A block refused for its aliases; ``line`` is 0-based within the block."""

    def __init__(self, count: int, line: int) -> None:
        super().__init__(
            f"the frontmatter uses more than {MAX_ALIASES} YAML aliases ({count} seen); "
            "refused as a possible alias bomb ('billion laughs')")
        self.line = line


def _check_aliases(text: str) -> None:
    # Events come from the parser one at a time, so this stops at the first
    # alias over the cap without composing or expanding anything.
    count = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count > MAX_ALIASES:
                    raise TooManyAliases(count, event.start_mark.line)
    except yaml.YAMLError:
        return  # the composer below reports the syntax error with its mark


def load_node(text: str) -> yaml.Node | None:
    """Compose ``text`` into a node graph (None when empty).

    Raises :class:`TooManyAliases` or :class:`yaml.YAMLError`; a nesting too
    deep for the composer comes out as a :class:`yaml.YAMLError` too.
    """
    _check_aliases(text)
    loader = _Loader(text)
    try:
        return loader.get_single_node()
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
