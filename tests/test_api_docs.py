"""docs/api.md is generated from the code and cannot drift from it."""

import runpy
from pathlib import Path

import agentroute

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_api_reference_is_current():
    render = runpy.run_path(str(DOCS / "gen_api.py"))["render"]
    assert render() == (DOCS / "api.md").read_text(encoding="utf-8"), "docs/api.md is stale: run `python docs/gen_api.py`"


def test_api_reference_names_every_public_name_and_router_option():
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    for name in agentroute.__all__:
        assert f"### `{name}`" in text, name
    router = text[text.index("### `Router`"):text.index("### `RouterFileError`")]
    for option in ("threshold: float | None = None", "margin: float = 0.0", "field_weights:", "mentions: bool = True",
                   "max_request_chars: int = 20000", "strategy: Strategy = 'auto'"):
        assert option in router, option
