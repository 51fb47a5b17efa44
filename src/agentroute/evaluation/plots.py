"""PNG charts for evaluation reports; needs the optional ``plot`` extra (matplotlib)."""

from __future__ import annotations

import os
from pathlib import Path

from agentroute.evaluation.metrics import EvalReport


def _pyplot():  # type: ignore[no-untyped-def]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'agentroute[plot]'") from None
    return plt


def write_plots(report: EvalReport, folder: str | os.PathLike[str], *, max_agents: int = 12) -> list[Path]:
    """Write ``confusion.png`` (the most confused agents) and ``coverage.png``; return their paths."""
    plt = _pyplot()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    names: list[str] = []
    for pair in report.confused_pairs:
        for name in (pair.expected, pair.predicted):
            if name not in names and len(names) < max_agents:
                names.append(name)
    if names:
        counts = [[0] * len(names) for _ in names]
        for pair in report.confused_pairs:
            if pair.expected in names and pair.predicted in names:
                counts[names.index(pair.expected)][names.index(pair.predicted)] = pair.count
        fig, ax = plt.subplots(figsize=(1 + 0.6 * len(names), 1 + 0.6 * len(names)))
        ax.imshow(counts, cmap="Reds")
        ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(names)), names, fontsize=8)
        ax.set_xlabel("picked")
        ax.set_ylabel("expected")
        ax.set_title("Most confused agents (errors only)")
        for i, row in enumerate(counts):
            for j, value in enumerate(row):
                if value:
                    ax.text(j, i, str(value), ha="center", va="center", fontsize=8)
        fig.tight_layout()
        written.append(out / "confusion.png")
        fig.savefig(written[-1], dpi=120)
        plt.close(fig)

    if report.coverage_curve:
        fig, ax = plt.subplots(figsize=(5, 4))
        ax.plot([p["coverage"] for p in report.coverage_curve], [p["accuracy"] for p in report.coverage_curve], marker="o")
        ax.set_xlabel("coverage (share of requests answered)")
        ax.set_ylabel("accuracy of answered requests")
        ax.set_title("Accuracy vs coverage")
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
        written.append(out / "coverage.png")
        fig.savefig(written[-1], dpi=120)
        plt.close(fig)
    return written
