"""Shared fixtures: a small registry written by us, and the optional ../shared data."""

from pathlib import Path

import pytest

from agentroute import Agent, Example

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that data is absent (fresh clones)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is optional for unit tests)")
    return path


@pytest.fixture(scope="session")
def small_agents():
    return [
        Agent(
            name="sql-expert",
            description="Tunes slow SQL queries, designs indexes and schema migrations.",
            examples=(Example(request="why is this query so slow"),),
            prompt="You are a database specialist. Read query plans, add indexes, rewrite joins.",
            tools=("Read", "Bash"),
            model="sonnet",
            metadata={"color": "blue"},
        ),
        Agent(name="frontend-dev", description="Builds React components, CSS layouts and accessible forms."),
        Agent(name="test-writer", description="Writes unit and integration tests; fixes flaky tests in CI."),
    ]


@pytest.fixture
def agents_dir(tmp_path):
    """A folder of two agent files (test modules with other files define their own)."""
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "sql.md").write_text("---\nname: sql-expert\ndescription: Tunes slow SQL queries and indexes.\n---\nYou tune databases.\n")
    (folder / "css.md").write_text("---\nname: css-fixer\ndescription: Fixes CSS layouts and styling.\n---\nYou fix CSS.\n")
    return folder


@pytest.fixture(autouse=True)
def _isolated_claude_env(tmp_path_factory, monkeypatch):
    """Every test gets its own router cache and never reads the machine's Claude Code setup."""
    monkeypatch.setenv("AGENTROUTE_CACHE_DIR", str(tmp_path_factory.mktemp("router-cache")))
    for name in ("CLAUDE_CONFIG_DIR", "CLAUDE_PROJECT_DIR", "AGENTROUTE_ROUTER"):
        monkeypatch.delenv(name, raising=False)
