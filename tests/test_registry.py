"""Registry: ordered, name-unique, built directly or from files."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentroute.errors import AgentFileError, RegistryError
from agentroute.model import Agent
from agentroute.registry import Registry

A = Agent(name="alpha", description="first", source="one.md")
B = Agent(name="beta", description="second", source="two.md")
C = Agent(name="gamma", description="third")


def write_agent(path: Path, name: str, description: str = "Helps.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\nname: {name}\ndescription: {description}\n---\nPrompt.\n")
    return path


def test_basic_protocol():
    registry = Registry([A, B, C])
    assert len(registry) == 3
    assert list(registry) == [A, B, C]
    assert registry.names == ("alpha", "beta", "gamma")
    assert "beta" in registry and "delta" not in registry and 3 not in registry
    assert registry["beta"] is B and registry[0] is A and registry[-1] is C
    assert registry.get("beta") is B and registry.get("nope") is None
    assert registry.diagnostics == ()
    assert repr(registry) == "Registry(3 agents: alpha, beta, gamma)"
    assert Registry(a for a in [A, B]) == Registry([A, B])


def test_lookup_errors():
    registry = Registry([A, B])
    with pytest.raises(KeyError, match="did you mean 'alpha'"):
        registry["alpah"]
    with pytest.raises(IndexError):
        registry[5]
    with pytest.raises(TypeError, match="bool"):
        registry[True]


@pytest.mark.parametrize("bad", ["alpha", A, b"x"])
def test_single_item_instead_of_iterable_is_a_type_error(bad):
    with pytest.raises(TypeError, match="not a single"):
        Registry(bad)


def test_non_agent_items_are_a_type_error():
    with pytest.raises(TypeError, match="dict"):
        Registry([A, {"name": "x"}])
    with pytest.raises(TypeError, match="int"):
        Registry(5)  # type: ignore[arg-type]


def test_duplicate_names_given_directly():
    twin = Agent(name="alpha", source="three.md")
    with pytest.raises(RegistryError) as info:
        Registry([A, B, twin])
    assert "one.md" in str(info.value) and "three.md" in str(info.value)


def test_empty_registry_is_allowed_until_required():
    registry = Registry([])
    assert len(registry) == 0 and not registry and repr(registry) == "Registry(0 agents)"
    with pytest.raises(RegistryError, match="no agents"):
        registry.require_nonempty()
    assert Registry([A]).require_nonempty().names == ("alpha",)


def test_derived_registries():
    registry = Registry([A, B, C])
    assert registry.without("beta").names == ("alpha", "gamma")
    with pytest.raises(KeyError):
        registry.without("delta")
    delta = Agent(name="delta")
    assert registry.with_agents(delta).names == ("alpha", "beta", "gamma", "delta")
    with pytest.raises(RegistryError):
        registry.with_agents(Agent(name="beta"))
    new_beta = Agent(name="beta", description="changed")
    replaced = registry.replace(new_beta)
    assert replaced.names == registry.names and replaced["beta"] is new_beta
    with pytest.raises(KeyError):
        registry.replace(delta)
    assert registry.names == ("alpha", "beta", "gamma")  # unchanged


def test_from_paths_bare_string_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="str"):
        Registry.from_paths(str(tmp_path))  # type: ignore[arg-type]


def test_from_paths_name_clash_earlier_path_wins(tmp_path):
    first = write_agent(tmp_path / "team" / "reviewer.md", "reviewer", "Team reviewer.")
    second = write_agent(tmp_path / "user" / "reviewer.md", "reviewer", "User reviewer.")
    write_agent(tmp_path / "user" / "other.md", "other")
    registry = Registry.from_paths([tmp_path / "user", tmp_path / "team"])
    assert registry.names == ("other", "reviewer")
    assert registry["reviewer"].description == "User reviewer."
    (clash,) = registry.diagnostics
    assert clash.severity == "warning" and clash.path == str(first)
    assert str(second) in clash.message and clash.field == "name"


def test_from_paths_accepts_any_iterable_of_paths(tmp_path):
    write_agent(tmp_path / "a.md", "a")
    assert Registry.from_paths(p for p in [tmp_path]).names == ("a",)


def test_from_paths_collects_diagnostics_and_strict_lists_them_all(tmp_path):
    write_agent(tmp_path / "a.md", "a")
    write_agent(tmp_path / "b.md", "Bad Name")
    (tmp_path / "c.md").write_text("---\nname: c\n")
    registry = Registry.from_paths([tmp_path])
    assert registry.names == ("a", "Bad Name")
    assert len(registry.diagnostics) == 2
    assert registry.without("a").diagnostics == registry.diagnostics
    with pytest.raises(AgentFileError) as info:
        Registry.from_paths([tmp_path], strict=True)
    message = str(info.value)
    assert "b.md:2" in message and "c.md:1" in message


def test_from_paths_size_cap_is_passed_on(tmp_path):
    write_agent(tmp_path / "a.md", "a", "x" * 500)
    registry = Registry.from_paths([tmp_path], max_file_bytes=100)
    assert len(registry) == 0 and "max_file_bytes=100" in registry.diagnostics[0].message


def test_agent_tools_given_as_a_comma_string_are_split_like_frontmatter():
    assert Agent(name="x", tools="Read, Edit,, Bash").tools == ("Read", "Edit", "Bash")
    assert Agent(name="x", tools="Bash(git add, git commit), Read").tools == ("Bash(git add, git commit)", "Read")
    assert Agent(name="x", tools=["Read"]).tools == ("Read",)


@pytest.mark.parametrize("field", ["description", "prompt"])
def test_agent_text_fields_must_be_str(field):
    with pytest.raises(TypeError, match=f"Agent.{field} must be a str, not NoneType"):
        Agent(name="x", **{field: None})
