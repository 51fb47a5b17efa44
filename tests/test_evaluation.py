"""Evaluation, threshold tuning, labelled-data reading and leave-one-out."""

import json

import pytest
from sklearn.metrics import accuracy_score

from agentroute import Agent, DataFileError, Example, Router, evaluate, read_labelled, tune_threshold
from agentroute.evaluation.labelled import as_labelled
from agentroute.evaluation.loo import held_out_variants, leave_one_out
from agentroute.evaluation.reports import format_eval, format_loo


@pytest.fixture
def rows():
    return as_labelled(
        ["slow sql query index", "react css layout", "flaky ci tests", "sql join plan", "weather tomorrow", "pizza recipe"],
        ["sql-expert", "frontend-dev", "test-writer", "sql-expert", "none", ""],
    )


def test_labels_none_oos_and_empty_mean_no_agent(rows):
    assert [r.label for r in rows][-2:] == [None, None]
    assert as_labelled(["x"], ["OOS"])[0].label is None


def test_evaluate_reports_sklearn_metrics(small_agents, rows):
    router = Router(small_agents)
    report = evaluate(router, rows, k=2)
    picks = [(p.agent.name if p else "none") for p in router.pick_many([r.text for r in rows])]
    labels = [r.label or "none" for r in rows]
    assert report.accuracy == pytest.approx(accuracy_score(labels, picks))
    assert (report.n, report.n_in_scope, report.n_out_of_scope) == (6, 4, 2)
    assert report.out_of_scope_recall == 1.0 and report.in_scope_accuracy == 1.0
    assert report.auroc == 1.0
    assert set(report.per_agent) >= {"sql-expert", "none"}
    json.dumps(report.to_dict())  # machine-readable as it is
    assert "accuracy" in format_eval(report)


def test_confused_pairs_name_expected_picked_and_examples(small_agents):
    rows = as_labelled(["react css layout", "react css buttons"], ["test-writer", "test-writer"])
    report = evaluate(Router(small_agents), rows)
    pair = report.confused_pairs[0]
    assert (pair.expected, pair.predicted, pair.count) == ("test-writer", "frontend-dev", 2)
    assert pair.examples == ("react css layout", "react css buttons")


def test_tune_threshold_separates_in_scope_from_none(small_agents):
    rows = as_labelled(["slow sql query", "react css", "css weather", "sql pizza"], ["sql-expert", "frontend-dev", "none", "none"])
    router = Router(small_agents, threshold=0.0)
    top = {r.text: router.rank(r.text, k=1)[0].score for r in rows}
    threshold = tune_threshold(router, rows)
    assert max(top["css weather"], top["sql pizza"]) < threshold <= min(top["slow sql query"], top["react css"])
    tuned = Router(small_agents, threshold=threshold)
    assert evaluate(tuned, rows).accuracy == 1.0


def test_tune_threshold_with_an_accuracy_floor_that_cannot_be_met(small_agents):
    rows = as_labelled(["react css"], ["sql-expert"])
    with pytest.raises(ValueError, match="no threshold"):
        tune_threshold(Router(small_agents), rows, min_in_scope_accuracy=0.5)


def test_read_labelled_jsonl_and_csv(tmp_path):
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text('{"text": "a b", "label": "x"}\n\n{"text": "c", "label": null}\n')
    assert [(r.text, r.label) for r in read_labelled(jsonl)] == [("a b", "x"), ("c", None)]
    csv = tmp_path / "d.csv"
    csv.write_text('text,label\n"a, b",x\nc,none\n')
    assert [(r.text, r.label) for r in read_labelled(csv)] == [("a, b", "x"), ("c", None)]


@pytest.mark.parametrize(
    "content, message",
    [('{"text": "a"}\nnot json\n', ":2: not valid JSON"), ('{"label": "x"}\n', ":1: each row needs a string 'text'"), ("", "no labelled requests")],
)
def test_read_labelled_errors_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DataFileError, match=message):
        read_labelled(path)


def test_leave_one_out_holds_out_examples_and_trigger_phrases():
    agent = Agent(
        name="gdpr",
        description="Privacy law help. Triggers on: 'GDPR', 'data subject request'.",
        examples=(Example(request="do we need a DPO"), Example(request="cookie banner rules")),
    )
    variants = list(held_out_variants(agent))
    assert [(request, kind) for _, request, kind in variants] == [
        ("do we need a DPO", "example"), ("cookie banner rules", "example"),
        ("GDPR", "trigger"), ("data subject request", "trigger"),
    ]
    assert "do we need a DPO" not in [e.request for e in variants[0][0].examples]
    assert "data subject request" not in variants[3][0].description


def test_leave_one_out_report(small_agents):
    agents = [
        Agent(name="sql", description="databases", examples=(Example(request="slow sql query"), Example(request="sql index tuning"))),
        Agent(name="css", description="styles", examples=(Example(request="css grid layout"), Example(request="css flexbox centering"))),
    ]
    report = leave_one_out(agents, k=1)
    assert report.n == 4 and report.top1_accuracy == 1.0 and report.top_k_accuracy == 1.0
    assert "top-1 accuracy" in format_loo(report)
    assert leave_one_out(small_agents[1:]).n == 0
