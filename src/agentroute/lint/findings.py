"""Lint findings: the record, the code table, and how findings are shown.

A :class:`Finding` is what :func:`agentroute.lint.checks.lint` reports; codes are
stable (docs/lint.md lists them with :data:`CODES`). Severities, worst first:

* **error**: the agent will not load, or Claude Code will not see it;
* **warning**: it loads, but is misread or routes badly;
* **info**: worth knowing (no examples, an example with no known word).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["CODES", "SEVERITIES", "Finding", "Severity", "at_or_above", "findings_to_json",
           "format_findings", "sort_key"]

Severity = Literal["error", "warning", "info"]

#: Severities, worst first.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

#: Every finding code: its usual severity and what it means.
CODES: Mapping[str, tuple[Severity, str]] = {
    "AR001": ("error", "no agent definition loaded: nothing to route to"),
    "AR100": ("error", "the file cannot be used as an agent"),
    "AR101": ("warning", "strict YAML cannot read the frontmatter as written (repaired)"),
    "AR102": ("error", ("the frontmatter is not a '---' block opening the file and closed by "
                        "'---': Claude Code may not see the agent")),
    "AR103": ("error", ("the name is missing: Claude Code skips the agent (agentroute used the "
                        "file name)")),
    "AR104": ("warning", "the description is missing or empty"),
    "AR105": ("warning", "a frontmatter key is written twice (the last one wins)"),
    "AR106": ("warning", "an unknown key that differs from a known one only by case"),
    "AR107": ("info", "a file without frontmatter in an agents folder (skipped)"),
    "AR108": ("warning", "the file is not valid UTF-8"),
    "AR109": ("warning", "another loading problem"),
    "AR110": ("warning", "two files define the same agent name; the first one wins"),
    "AR111": ("warning", "the name is read as another type, or is not a lowercase-hyphen slug"),
    "AR201": ("warning", "the description has few words that say what the agent does"),
    "AR202": ("warning", "the description is only delegation boilerplate"),
    "AR203": ("info", "the agent has no <example> blocks"),
    "AR204": ("warning", "the description is very long: its topic words weigh little among the rest"),
    "AR301": ("warning", "two agents are hard to tell apart (similar profiles)"),
    "AR302": ("warning", "an example or trigger phrase routes to another agent"),
    "AR303": ("info", "an example shares no word with any agent once held out"),
}

_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding:
    """One problem, with enough to find it (path:line, field, value) and to fix it."""

    severity: Severity
    code: str
    message: str
    agent: str | None = None
    path: str | None = None
    line: int | None = None
    field: str | None = None
    value: str | None = None
    fix: str | None = None
    related: str | None = None  # the other agent of a pair, or where an example went

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (every field, None included, so the shape never varies)."""
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        where = self.path or (f"<agent {self.agent}>" if self.agent else "<registry>")
        if self.path and self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.severity} {self.code}: {self.message}"
        if self.field is not None:
            text += f"; field {self.field!r}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text += f"; value {shown!r}"
        return text + (f" (fix: {self.fix})" if self.fix else "")


def sort_key(f: Finding) -> tuple[Any, ...]:
    """Worst first, then by code, path, line and agent: the same order on every run."""
    return (_RANK[f.severity], f.code, f.path or "", f.line or 0, f.agent or "", f.message)


def at_or_above(findings: Sequence[Finding], severity: str) -> bool:
    """Whether any finding is at least as bad as ``severity`` (``"never"``: always False)."""
    if severity == "never":
        return False
    if severity not in _RANK:
        raise ValueError(f"severity must be one of {SEVERITIES + ('never',)}, got {severity!r}")
    return any(_RANK[f.severity] <= _RANK[severity] for f in findings)


def findings_to_json(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Every finding as a JSON-ready dict, in the order given."""
    return [f.to_dict() for f in findings]


def format_findings(findings: Sequence[Finding], *, group_info: int | None = 10) -> str:
    """One line per finding, worst first, then a count by severity.

    An info code found more than ``group_info`` times is shown as one line
    naming the first five agents: most collections have no
    examples at all, and 150 lines saying so would bury the warnings. None
    shows every line; :func:`findings_to_json` always has them all.
    """
    ordered = sorted(findings, key=sort_key)
    by_code: dict[str, list[Finding]] = {}
    for f in ordered:
        by_code.setdefault(f.code, []).append(f)
    lines: list[str] = []
    for f in ordered:
        group = by_code[f.code]
        if f.severity == "info" and group_info is not None and len(group) > group_info:
            if f is group[0]:
                names = sorted({g.agent or g.path or "?" for g in group})
                more = f" and {len(names) - 5} more" if len(names) > 5 else ""
                lines.append(f"info {f.code}: {CODES[f.code][1]}: {len(group)} findings "
                             f"({', '.join(names[:5])}{more})")
            continue
        lines.append(str(f))
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}"
                        for s, n in counts.items())
    return "\n".join([*lines, summary if findings else "no findings"])
