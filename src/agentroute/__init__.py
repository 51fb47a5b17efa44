"""agentroute: deterministic, offline subagent routing with TF-IDF.

>>> from agentroute import Agent, Router
>>> router = Router([Agent(name="sql-expert", description="Tunes slow SQL queries"),
...                  Agent(name="css-fixer", description="Fixes CSS layouts")])
>>> router.pick("this SQL query is slow").agent.name
'sql-expert'
>>> router.pick("what's the weather tomorrow") is None
True
"""

from agentroute._version import __version__
from agentroute.errors import (
    AgentFileError,
    AgentFileWarning,
    AgentrouteError,
    AgentrouteWarning,
    DataFileError,
    Diagnostic,
    NotFittedError,
    RegistryError,
    RouterFileError,
)
from agentroute.evaluation import EvalReport, evaluate, tune_threshold
from agentroute.labelled import LabelledRequest, read_labelled
from agentroute.model import Agent, Example
from agentroute.registry import Registry
from agentroute.router import Route, Router

__all__ = [
    "Agent",
    "AgentFileError",
    "AgentFileWarning",
    "AgentrouteError",
    "AgentrouteWarning",
    "DataFileError",
    "Diagnostic",
    "EvalReport",
    "Example",
    "LabelledRequest",
    "NotFittedError",
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
