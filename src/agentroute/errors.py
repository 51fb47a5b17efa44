"""Every error and warning agentroute raises, and the diagnostics it collects.

::

    AgentrouteError                    base of everything raised on purpose
    ├── AgentFileError(ValueError)     an agent file cannot be used (or strict mode refused a warning)
    │   └── NotAnAgentError            the text has no frontmatter at all (loaders skip it with a warning)
    ├── RegistryError(ValueError)      an empty registry, duplicate names given directly
    ├── RouterFileError(ValueError)    a saved router is truncated, tampered with or of another version
    └── DataFileError(ValueError)      a labelled-requests file for evaluation cannot be read

Problems that do not stop loading are not Python warnings: they are collected as
:class:`Diagnostic` records (``Registry.diagnostics``), each with a stable code.
(A router is fitted by its constructor, so there is no "not fitted" error.)

Messages follow one shape: where (path:line), which field and value, what is
wrong, and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem found while loading: enough to find it and fix it."""

    severity: Severity
    path: str | None
    message: str
    line: int | None = None
    field: str | None = None
    value: str | None = None
    fix: str | None = None
    #: What kind of problem, set where it is found: the stable lint code (docs/lint.md), e.g.
    #: "AR105" for a key written twice. An error makes the file unusable whatever its code.
    code: str | None = None

    def __str__(self) -> str:
        return self.text()

    def text(self, *, severity: bool = True) -> str:
        """``path:line: severity: message; field; value (fix: ...)``; ``severity=False`` leaves the
        severity out, for a caller whose line already says it (the CLI's ``agentroute: error:``)."""
        where = self.path or "<text>"
        if self.line is not None:
            where += f":{self.line}"
        parts = [f"{where}: {self.severity}: {self.message}" if severity else f"{where}: {self.message}"]
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            parts.append(f"value {shown!r}")
        text = "; ".join(parts)
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


class AgentrouteError(Exception):
    """Base class of the errors agentroute raises on purpose."""


class AgentFileError(AgentrouteError, ValueError):
    """An agent file that cannot be used; carries the diagnostics that say why."""

    def __init__(self, diagnostics: Diagnostic | list[Diagnostic] | tuple[Diagnostic, ...]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        self.path = first.path if first else None
        self.line = first.line if first else None
        text = "\n".join(str(d) for d in self.diagnostics) or "agent file error"
        super().__init__(text)


class NotAnAgentError(AgentFileError):
    """Text with no frontmatter at all: a README or notes, not an agent definition.

    A subclass so that loaders can skip such files with a warning while still
    treating every other :class:`AgentFileError` as a broken agent file.
    """


class RegistryError(AgentrouteError, ValueError):
    """A registry that cannot be built (empty, or duplicate names given directly)."""


class RouterFileError(AgentrouteError, ValueError):
    """A saved router that must not be loaded: truncated, tampered with, wrong version."""


class DataFileError(AgentrouteError, ValueError):
    """A labelled-requests file (JSONL or CSV) that cannot be read."""

