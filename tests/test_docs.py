"""The docs cannot drift: the CLI reference is regenerated and compared, and doctests run."""

import doctest
import importlib
import runpy
import sys
from pathlib import Path

import pytest

import agentroute

DOCS = Path(__file__).resolve().parents[1] / "docs"


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
    assert agentroute.__all__ == sorted(agentroute.__all__)
    for name in agentroute.__all__:
        assert hasattr(agentroute, name), name
