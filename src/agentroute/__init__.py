"""agentroute: deterministic, offline subagent routing with TF-IDF."""

from agentroute._version import __version__
from agentroute.model import Agent, Example

__all__ = ["Agent", "Example", "__version__"]
