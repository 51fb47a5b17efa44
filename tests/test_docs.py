"""The docs cannot drift: the CLI reference is regenerated and compared, and doctests run."""

import doctest
import importlib
import runpy
import sys
from pathlib import Path

import pytest

import agentroute

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_cli_reference_is_current():
    expected = (DOCS / "cli.md").read_text(encoding="utf-8")
    rendered_with = next(line for line in expected.splitlines() if line.startswith("(Rendered with Python"))
    here = f"(Rendered with Python {sys.version_info.major}.{sys.version_info.minor}.)"
    if rendered_with != here:
        pytest.skip(f"docs/cli.md was {rendered_with[1:-2].lower()}; argparse layout differs across versions")
    render = runpy.run_path(str(DOCS / "gen_cli.py"))["render"]
    assert render() == expected, "docs/cli.md is stale: run `python docs/gen_cli.py`"


@pytest.mark.parametrize("module", ["agentroute", "agentroute.routing.router"])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_api_is_complete_and_sorted():
    import types

    assert agentroute.__all__ == sorted(agentroute.__all__)
    for name in agentroute.__all__:
        assert hasattr(agentroute, name), name
    public = {name for name in dir(agentroute) if not name.startswith("_") and name != "annotations"
              and not isinstance(getattr(agentroute, name), types.ModuleType)} | {"__version__"}
    assert set(agentroute.__all__) == public - {"TYPE_CHECKING", "Any"}


def test_every_exported_error_is_raised_somewhere():
    """An exception class in the public API that nothing raises only misleads callers."""
    import re

    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "agentroute").rglob("*.py"))
    for name in agentroute.__all__:
        value = getattr(agentroute, name)
        if isinstance(value, type) and issubclass(value, BaseException) and name != "AgentrouteError":
            assert re.search(rf"raise {name}\(", source), name
