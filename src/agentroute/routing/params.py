"""A router's parameters: named, defaulted and checked in one place.

:class:`RouterParams` is what ``Router(...)``, ``Router.from_paths``, saving,
loading, ``reload`` and every rebuild (leave-one-out, lint's refits) read, so
they cannot drift apart. It is frozen and checks itself when made: a router
never fits or answers with a value that was not checked.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Mapping

from agentroute.routing.profile import validate_field_weights
from agentroute.routing.rule import PickRule

__all__ = ["DEFAULT_MAX_REQUEST_CHARS", "PARAM_NAMES", "Param", "RouterParams", "Strategy"]

Strategy = Literal["auto", "profile", "linear", "blended"]
STRATEGIES: tuple[Strategy, ...] = ("auto", "profile", "linear", "blended")

#: Requests longer than this many characters are cut before scoring (bounded time on 10 MB inputs).
DEFAULT_MAX_REQUEST_CHARS = 20_000


def _unit(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")


@dataclass(frozen=True)
class RouterParams:
    """Every tuning parameter of a :class:`~agentroute.routing.router.Router` (see its docstring)."""

    threshold: float | None = None
    margin: float = 0.0
    field_weights: Mapping[str, float] | None = None
    max_request_chars: int = DEFAULT_MAX_REQUEST_CHARS
    mentions: bool = True
    strategy: Strategy = "auto"
    #: ``field_weights`` completed with the defaults (what a profile fit uses); derived, not a parameter.
    fitted_field_weights: Mapping[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.threshold is not None:  # None: the fitted strategy's default
            _unit("threshold", self.threshold)
        _unit("margin", self.margin)
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be 'auto', 'profile', 'linear' or 'blended', got {self.strategy!r}")
        chars = self.max_request_chars
        if isinstance(chars, bool) or not isinstance(chars, int) or chars < 1:
            raise ValueError(f"max_request_chars must be an int >= 1, got {chars!r}")
        if not isinstance(self.mentions, bool):
            raise ValueError(f"mentions must be True or False, got {self.mentions!r}")
        if self.field_weights is not None and not isinstance(self.field_weights, Mapping):
            raise ValueError(f"field_weights must be a mapping of field name to weight, got {self.field_weights!r}")
        weights = dict(self.field_weights) if self.field_weights else None
        # Copies: a caller mutating the dict it passed cannot change a checked, fitted router.
        object.__setattr__(self, "field_weights", MappingProxyType(weights) if weights else None)
        object.__setattr__(self, "fitted_field_weights", MappingProxyType(validate_field_weights(weights or {})))

    def to_dict(self) -> dict[str, Any]:
        """The parameters as plain values (JSON-ready; ``Router(agents, **params.to_dict())`` rebuilds)."""
        data = {name: getattr(self, name) for name in PARAM_NAMES}
        data["field_weights"] = dict(self.field_weights) if self.field_weights else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RouterParams:
        """Parameters from :meth:`to_dict` output; a missing name is a KeyError, a bad value a ValueError."""
        return cls(**{name: data[name] for name in PARAM_NAMES})

    def changed(self, **changes: Any) -> RouterParams:
        """A checked copy with ``changes``; an unknown name is a TypeError naming the known ones."""
        unknown = sorted(set(changes) - set(PARAM_NAMES))
        if unknown:
            raise TypeError(f"unknown router parameter(s) {unknown}; known: {list(PARAM_NAMES)}")
        return dataclasses.replace(self, **changes)

    def rule(self, default_threshold: float) -> PickRule:
        """The pick rule these parameters give an index whose strategy defaults to ``default_threshold``."""
        threshold = self.threshold if self.threshold is not None else default_threshold
        return PickRule(float(threshold), float(self.margin), self.mentions)


#: The parameter names, in signature order.
PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(RouterParams) if f.init)


class Param:
    """A router attribute for one parameter: read from ``router.params``, written through
    ``router.set_params`` (so an assignment is checked, and refused whole if bad)."""

    name: str

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, router: Any, owner: type | None = None) -> Any:
        if router is None:
            return self
        return getattr(router.params, self.name)

    def __set__(self, router: Any, value: Any) -> None:
        router.set_params(**{self.name: value})
