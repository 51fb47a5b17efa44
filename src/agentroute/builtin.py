"""The example agents shipped with agentroute, used when no agents folder is found."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def builtin_agents_dir() -> Path:
    """Folder of the bundled example agent files (Claude Code format)."""
    resource = files("agentroute") / "builtin_agents"
    with as_file(resource) as path:  # a real folder for normal installs
        return Path(path)


def builtin_data_file(name: str) -> Path:
    """A bundled labelled-requests file (``builtin_dev.jsonl`` or ``builtin_test.jsonl``)."""
    with as_file(files("agentroute") / "data" / name) as path:
        return Path(path)
