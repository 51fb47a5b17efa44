"""Readable text for evaluation reports (the CLI prints what these functions return)."""

from __future__ import annotations

from agentroute.evaluation.metrics import EvalReport
from agentroute.evaluation.loo import LooReport


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:5.1f}%"


def format_eval(report: EvalReport, *, per_agent: int = 30) -> str:
    lines = [
        f"requests: {report.n} ({report.n_in_scope} for an agent, {report.n_out_of_scope} for none)   threshold: {report.threshold:.4f}",
        "",
        f"  accuracy (none counts as a class)  {_pct(report.accuracy)}",
        f"  macro-F1                           {_pct(report.macro_f1)}",
        f"  in-scope accuracy (abstain=wrong)  {_pct(report.in_scope_accuracy)}",
        f"  closed-set accuracy (no abstain)   {_pct(report.closed_set_accuracy)}",
        f"  top-{report.top_k} accuracy                     {_pct(report.top_k_accuracy)}",
        f"  out-of-scope recall                {_pct(report.out_of_scope_recall)}",
        f"  AUROC in-scope vs none             {'n/a' if report.auroc is None else f'{report.auroc:.3f}'}",
    ]
    rows = sorted(report.per_agent.items(), key=lambda item: (item[1]["f1"], item[0]))[:per_agent]
    if rows:
        width = max(len(name) for name, _ in rows)
        lines += ["", f"  {'agent (worst F1 first)':<{width}}  precision  recall     F1  support"]
        for name, m in rows:
            lines.append(f"  {name:<{width}}  {_pct(m['precision'])}  {_pct(m['recall'])} {_pct(m['f1'])}  {m['support']:>7}")
    if report.confused_pairs:
        lines += ["", "  most confused (expected -> picked): count, example requests"]
        for pair in report.confused_pairs:
            lines.append(f"    {pair.expected} -> {pair.predicted}: {pair.count}   e.g. {pair.examples[0]!r}")
    if report.coverage_curve:
        lines += ["", "  threshold  coverage  accuracy of answered"]
        for point in report.coverage_curve:
            lines.append(f"  {point['threshold']:9.4f}  {_pct(point['coverage'])}  {_pct(point['accuracy'])}")
    return "\n".join(lines)


def format_loo(report: LooReport, *, misses: int = 15) -> str:
    if report.n == 0:
        return "leave-one-out: no agent has example requests or quoted trigger phrases to hold out"
    lines = [
        f"leave-one-out over {report.n} example requests / trigger phrases",
        f"  top-1 accuracy  {_pct(report.top1_accuracy)}",
        f"  top-{report.k} accuracy  {_pct(report.top_k_accuracy)}",
    ]
    missed = [c for c in report.cases if not c.top1][:misses]
    if missed:
        lines += ["", "  missed (agent: request -> routed to)"]
        lines += [f"    {c.agent}: {c.request!r} -> {c.ranked[0] if c.ranked else 'none'}" for c in missed]
    return "\n".join(lines)
