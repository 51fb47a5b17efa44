"""explain(): contributions add up to the score, and the verdict says why pick answered as it did."""

import pytest

from agentroute import Router
from agentroute.cli.main import main


def test_term_and_field_contributions_sum_to_the_score(small_agents):
    router = Router(small_agents, threshold=0.0)
    explanation = router.explain("slow sql query index", k=2)
    top = explanation.agents[0]
    assert top.route.agent.name == "sql-expert"
    assert sum(top.fields.values()) == pytest.approx(top.route.score, rel=1e-6)
    assert sum(t.contribution for t in top.terms) == pytest.approx(top.route.score, rel=1e-6)
    for term in top.terms:
        assert sum(term.fields.values()) == pytest.approx(term.contribution, rel=1e-6)
    assert explanation.verdict.startswith("picks sql-expert")
    assert explanation.picked == router.pick("slow sql query index")


@pytest.mark.parametrize(
    "request_text, kwargs, expected",
    [
        ("zzqx blorf", {}, "no term"),
        ("slow sql query", {"threshold": 0.99}, "below the threshold"),
        ("@agent-test-writer anything", {}, "named explicitly: test-writer"),
    ],
)
def test_verdicts(small_agents, request_text, kwargs, expected):
    assert expected in Router(small_agents, **kwargs).explain(request_text).verdict


def test_margin_verdict():
    from agentroute import Agent

    twins = [Agent(name="a", description="kafka streams"), Agent(name="b", description="kafka streams")]
    assert "margin" in Router(twins, margin=0.1).explain("kafka").verdict


def test_explain_cli_text_and_json(tmp_path, capsys):
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "a.md").write_text("---\nname: sql-expert\ndescription: Tunes slow SQL queries.\n---\nIndexes.\n")
    (folder / "b.md").write_text("---\nname: css-fixer\ndescription: Fixes CSS layouts.\n---\n")
    assert main(["explain", "slow sql", "--agents", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("verdict: picks sql-expert") and "1. sql-expert" in out
    assert main(["explain", "slow sql", "--agents", str(folder), "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["agent"] == "sql-expert" and data["ranking"][0]["terms"]
