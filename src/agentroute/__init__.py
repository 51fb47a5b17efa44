"""agentroute: deterministic, offline subagent routing with TF-IDF.

>>> from agentroute import Agent, Router
>>> router = Router([Agent(name="sql-expert", description="Tunes slow SQL queries"),
...                  Agent(name="css-fixer", description="Fixes CSS layouts")])
>>> router.pick("this SQL query is slow").agent.name
'sql-expert'
>>> router.pick("what's the weather tomorrow") is None
True
"""

from typing import TYPE_CHECKING, Any

from agentroute._version import __version__
from agentroute.errors import (
    AgentFileError,
    AgentrouteError,
    DataFileError,
    Diagnostic,
    RegistryError,
    RouterFileError,
)
from agentroute.model import Agent, Example

if TYPE_CHECKING:
    from agentroute.evaluation.metrics import EvalReport, evaluate, tune_threshold
    from agentroute.evaluation.labelled import LabelledRequest, read_labelled
    from agentroute.registry import Registry
    from agentroute.routing.explain import Explanation
    from agentroute.routing.router import Route, Router
    from agentroute.routing.rule import Decision

# Imported on first use (PEP 562): a cold start (`agentroute pick --router FILE`) pays for
# every import, and serving needs neither the evaluation nor the labelled-data code.
_LAZY = {
    "EvalReport": "agentroute.evaluation.metrics",
    "evaluate": "agentroute.evaluation.metrics",
    "tune_threshold": "agentroute.evaluation.metrics",
    "LabelledRequest": "agentroute.evaluation.labelled",
    "read_labelled": "agentroute.evaluation.labelled",
    "Registry": "agentroute.registry",
    "Decision": "agentroute.routing.rule",
    "Explanation": "agentroute.routing.explain",
    "Route": "agentroute.routing.router",
    "Router": "agentroute.routing.router",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agentroute' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "Agent",
    "AgentFileError",
    "AgentrouteError",
    "DataFileError",
    "Decision",
    "Diagnostic",
    "EvalReport",
    "Example",
    "Explanation",
    "LabelledRequest",
    "Registry",
    "RegistryError",
    "Route",
    "Router",
    "RouterFileError",
    "__version__",
    "evaluate",
    "read_labelled",
    "tune_threshold",
]
