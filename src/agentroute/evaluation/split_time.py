"""Agreement before and after learning: learn from the earlier part of a log, test on the later part.

Rows are labelled requests with a ``timestamp`` (what ``agentroute learn claude-code``
writes). They are sorted by time; the earliest ``train_fraction`` become learned
examples of the agents they name, and the rest are the test set. The same router
settings are measured twice on the test set: without those examples ("before
learning") and with them ("after learning"). A test request is never an example of
either router: examples the loaded agents already carry (say, from an adopted learned
file) that equal a test request are removed and counted. Rows sharing one timestamp (several
delegations after one prompt) stay on the same side of the cut, so one prompt is
never both learned and tested.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from agentroute.errors import DataFileError
from agentroute.evaluation.labelled import LabelledRequest, as_labelled
from agentroute.evaluation.metrics import EvalReport, evaluate
from agentroute.registry import Registry
from agentroute.sources.learned import LearnedExample, LearnedFile, merge_learned, resolve_labels

__all__ = ["SplitTimeReport", "TimedRequest", "format_split_time", "read_timed", "split_by_time", "split_time_report"]

DEFAULT_TRAIN_FRACTION = 0.7


@dataclass(frozen=True)
class TimedRequest:
    text: str
    label: str | None
    when: datetime.datetime
    timestamp: str
    line: int


@dataclass
class SplitTimeReport:
    train_fraction: float
    n_train: int
    n_test: int
    cut: str  # the last timestamp learned from
    learned: int  # training rows that became examples
    skipped: int  # training rows naming no loaded agent (or no agent)
    seen_in_test: int  # test rows whose text was also in the training part
    held_out: int  # examples the loaded agents had that were test requests, removed from both routers
    already_known: int  # learned rows the loaded agents already had as examples (e.g. an adopted learned file)
    before: EvalReport
    after: EvalReport

    def to_dict(self) -> dict[str, Any]:
        return {"split": "time", "train_fraction": self.train_fraction, "n_train": self.n_train, "n_test": self.n_test,
                "cut": self.cut, "learned": self.learned, "skipped": self.skipped, "seen_in_test": self.seen_in_test,
                "held_out": self.held_out, "already_known": self.already_known, "before": self.before.to_dict(), "after": self.after.to_dict()}


def _parse_time(value: str) -> datetime.datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def read_timed(path: str | os.PathLike[str]) -> list[TimedRequest]:
    """Read JSONL rows ``{"text", "label", "timestamp"}``; a row without a usable timestamp is an error."""
    from agentroute.evaluation.labelled import jsonl_records, label_of

    rows = []
    shape = '{"text": "...", "label": "agent-name", "timestamp": "2026-03-01T09:00:00Z"}'
    try:
        handle = open(path, encoding="utf-8-sig")
    except OSError as error:
        raise DataFileError(f"{path}: cannot read labelled requests: {error}") from None
    with handle:
        for number, record in jsonl_records(handle, str(path), shape):
            stamp = record.get("timestamp")
            try:
                when = _parse_time(stamp) if isinstance(stamp, str) else None
            except ValueError:
                when = None
            if when is None or not isinstance(stamp, str):
                raise DataFileError(f"{path}:{number}: field 'timestamp' is {stamp!r}, not an ISO 8601 time; --split time "
                                    f"orders rows by it (fix: {shape}, as `agentroute learn claude-code` writes)")
            rows.append(TimedRequest(record["text"], label_of(record.get("label")), when, stamp, number))
    if not rows:
        raise DataFileError(f"{path}: no labelled requests found")
    return rows


def split_by_time(rows: Sequence[TimedRequest], train_fraction: float) -> tuple[list[TimedRequest], list[TimedRequest]]:
    """(earlier, later): about ``train_fraction`` of the rows first, ties in time kept together."""
    if not 0 < train_fraction < 1:
        raise ValueError(f"the training fraction must be between 0 and 1 (exclusive), got {train_fraction}")
    ordered = sorted(rows, key=lambda r: (r.when, r.line))
    cut = max(1, int(len(ordered) * train_fraction))
    while cut < len(ordered) and ordered[cut].when == ordered[cut - 1].when:
        cut += 1
    if cut >= len(ordered):
        raise ValueError(f"splitting {len(ordered)} row(s) at {train_fraction:.0%} by time leaves nothing to test on; "
                         "give more rows, or a smaller training fraction")
    return ordered[:cut], ordered[cut:]


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def split_time_report(
    registry: Registry,
    rows: Sequence[TimedRequest],
    *,
    train_fraction: float = DEFAULT_TRAIN_FRACTION,
    k: int = 3,
    router_options: Mapping[str, Any] | None = None,
) -> SplitTimeReport:
    """Measure a router on the later rows without and with the earlier rows as learned examples."""
    from agentroute.routing.router import Router

    options = dict(router_options or {})
    train, test = split_by_time(rows, train_fraction)
    # A test request must not be an example of either router (a learned file loaded by default may
    # already hold these very rows): drop such examples, and say how many were dropped.
    tested = {_key(r.text) for r in test}
    known = {_key(e.request) for a in registry for e in a.examples}
    cleaned = [replace(a, examples=tuple(e for e in a.examples if _key(e.request) not in tested)) for a in registry]
    held_out = sum(len(a.examples) - len(c.examples) for a, c in zip(registry, cleaned))
    registry = Registry(cleaned)
    names = set(registry.names)
    train, test = resolve_labels(train, names), resolve_labels(test, names)
    usable = [r for r in train if r.label is not None and r.label in names]
    latest: dict[str, LearnedExample] = {}  # the later label of a repeated request wins, as in a learned file
    for r in usable:
        latest.pop(_key(r.text), None)
        latest[_key(r.text)] = LearnedExample(r.text, str(r.label), r.line)
    learned = LearnedFile("<earlier part>", tuple(latest.values()), ())
    agents, _ = merge_learned(list(registry), learned)
    test_rows: list[LabelledRequest] = as_labelled([r.text for r in test], [r.label for r in test])
    before = evaluate(Router(registry, **options), test_rows, k=k)
    after = evaluate(Router(Registry(agents), **options), test_rows, k=k)
    seen = {_key(r.text) for r in train}
    return SplitTimeReport(
        train_fraction=train_fraction, n_train=len(train), n_test=len(test), cut=train[-1].timestamp,
        learned=len(usable), skipped=len(train) - len(usable),
        seen_in_test=sum(_key(r.text) in seen for r in test), held_out=held_out,
        already_known=sum(_key(r.text) in known for r in usable), before=before, after=after)


def _pct(value: float | None) -> str:
    return "    n/a" if value is None else f"{100 * value:6.1f}%"


def format_split_time(report: SplitTimeReport) -> str:
    """The before/after table the CLI prints."""
    b, a = report.before, report.after
    metrics = [
        ("agreement (accuracy, none a class)", b.accuracy, a.accuracy),
        ("in-scope accuracy (abstain=wrong)", b.in_scope_accuracy, a.in_scope_accuracy),
        ("closed-set accuracy (no abstain)", b.closed_set_accuracy, a.closed_set_accuracy),
        (f"top-{b.top_k} accuracy", b.top_k_accuracy, a.top_k_accuracy),
        ("macro-F1", b.macro_f1, a.macro_f1),
        ("out-of-scope recall", b.out_of_scope_recall, a.out_of_scope_recall),
    ]
    lines = [
        f"split by time: learned from the earliest {report.n_train} rows (up to {report.cut}), "
        f"tested on the latest {report.n_test}",
        f"learned examples: {report.learned} ({report.skipped} earlier rows name no loaded agent and were not learned); "
        f"test requests also seen earlier: {report.seen_in_test}",
    ]
    if report.already_known or report.held_out:
        lines.append(f"note: the loaded agents already had {report.already_known} of the learned requests as examples "
                     f"(a learned file?), so 'before' has partly learned them; {report.held_out} example(s) equal to "
                     "a test request were removed from both routers")
    lines += [
        "",
        f"  {'':36}  before learning  after learning",
    ]
    for name, before, after in metrics:
        lines.append(f"  {name:<36}  {_pct(before):>15}  {_pct(after):>14}")
    lines.append(f"  {'threshold':<36}  {b.threshold:>15.4f}  {a.threshold:>14.4f}")
    return "\n".join(lines)
