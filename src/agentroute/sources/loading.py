"""File IO for agent definitions: find files, read them safely, collect problems.

No OSError or UnicodeError ever escapes: :func:`load_file` raises
:class:`AgentFileError` carrying a :class:`Diagnostic`, and :func:`load_paths`
collects those so one bad file never stops the others (``strict=True`` raises
at the end, listing every problem). Decisions:

* A folder is searched recursively for ``*.md`` (any case), following
  symlinks but never entering a directory twice (so symlink loops end).
  Hidden directories and files (``.git``, ``.obsidian``, ``.#draft.md``) are
  skipped. Files are sorted by their path parts, so order never depends on
  the file system. A file given by name is read whatever its suffix.
* A file with no frontmatter at all (a README, notes) is skipped with a
  warning "not an agent definition"; files are never skipped by name.
* Files over ``max_file_bytes`` (default 1 MiB) are refused unread beyond the
  cap; FIFOs and devices are refused (reading them could block);
  files with NUL bytes are refused as binary; invalid UTF-8 is decoded
  with U+FFFD replacements and a warning naming the first bad line. A UTF-8
  BOM is dropped; a UTF-16 BOM is honoured.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Union

from agentroute.errors import AgentFileError, Diagnostic, NotAnAgentError
from agentroute.model import Agent
from agentroute.sources.formats import is_candidate, read_agents
from agentroute.sources.claude_code import ParsedAgent

__all__ = ["DEFAULT_MAX_FILE_BYTES", "LoadResult", "check_paths", "discover",
           "discover_with_diagnostics", "load_agents", "load_file", "load_paths"]

PathLike = Union[str, "os.PathLike[str]"]
DEFAULT_MAX_FILE_BYTES = 1 << 20


@dataclasses.dataclass(frozen=True)
class LoadResult:
    """The agents that loaded, in discovery order, and every problem met."""

    agents: tuple[Agent, ...]
    diagnostics: tuple[Diagnostic, ...]


def check_paths(paths: object) -> list[Path]:
    """``paths`` as a list of expanded Paths; a bare str or Path is a TypeError."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise TypeError(
            f"paths must be a list of paths, not a single {type(paths).__name__}; "
            f"write [{paths!r}]")
    items = list(paths)  # type: ignore[call-overload]
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"each path must be a str or os.PathLike, not {type(item).__name__}")
    return [Path(os.path.expanduser(os.fspath(item))) for item in items]


def discover(paths: Sequence[PathLike]) -> list[Path]:
    """The agent files under ``paths`` (see the module docstring for the rules)."""
    return discover_with_diagnostics(paths)[0]


def discover_with_diagnostics(paths: Sequence[PathLike]) -> tuple[list[Path], list[Diagnostic]]:
    """Like :func:`discover`, plus errors for missing or unreadable paths."""
    found: list[Path] = []
    notes: list[Diagnostic] = []
    seen: set[str] = set()
    for root in check_paths(paths):
        try:
            is_dir, exists = root.is_dir(), root.exists()
        except OSError as exc:  # e.g. inside a folder we may not enter
            notes.append(Diagnostic("error", str(root), f"cannot access: {exc.strerror or exc}",
                                    fix="check the permissions", code="AR100"))
            continue
        if is_dir:
            files = _walk(root, notes)
        elif exists:
            files = [root]
        else:
            notes.append(Diagnostic("error", str(root), "no such file or directory",
                                    fix="check the path (a '~' is expanded, globs are not)", code="AR100"))
            continue
        for file in files:
            real = os.path.realpath(file)
            if real not in seen:  # the same file reached twice through symlinks
                seen.add(real)
                found.append(file)
    return found, notes


#: Hidden folders a walk still enters (only their ``agent``/``agents`` folders): where the
#: supported tools keep project agents. Other hidden folders (.git, .venv, ...) are skipped.
TOOL_HOMES = frozenset({".claude", ".opencode", ".github", ".copilot", ".gemini", ".cursor", ".codex"})


def _walk(root: Path, notes: list[Diagnostic]) -> list[Path]:
    visited: set[str] = set()
    files: list[Path] = []

    def report(error: OSError) -> None:
        notes.append(Diagnostic("error", str(error.filename or root), f"cannot list: "
                                f"{error.strerror or error}", fix="check the permissions", code="AR100"))

    for current, dirs, names in os.walk(root, onerror=report, followlinks=True):
        real = os.path.realpath(current)
        if real in visited:
            dirs[:] = []  # a symlink back to a directory already walked: a loop
            continue
        visited.add(real)
        if current != os.fspath(root) and os.path.basename(current) in TOOL_HOMES:
            # Inside a tool's hidden folder only its agents folder holds agents; the rest is
            # settings, issue templates and the like.
            dirs[:] = [d for d in dirs if d in ("agent", "agents")]
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".") or d in TOOL_HOMES]
        for name in names:
            if is_candidate(name) and not name.startswith("."):
                files.append(Path(current) / name)
    return sorted(files, key=lambda p: p.relative_to(root).parts)


def load_file(path: PathLike, *, strict: bool = False,
              max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ParsedAgent:
    """Read and parse one file.

    Raises :class:`AgentFileError` (never OSError or UnicodeError) when the
    file cannot be used; :class:`NotAnAgentError` when it has no frontmatter.
    """
    parsed = load_agents(path, strict=strict, max_file_bytes=max_file_bytes)
    if len(parsed) != 1:
        raise AgentFileError(Diagnostic(
            "error", os.fspath(path), f"the file defines {len(parsed)} agents, not one",
            fix="read it with load_agents, which returns every agent of a file", code="AR100"))
    return parsed[0]


def load_agents(path: PathLike, *, strict: bool = False,
                max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[ParsedAgent]:
    """Read one file and return every agent it defines (in any supported format), in file order."""
    source = os.fspath(path)
    text, notes = _read_text(Path(source), source, max_file_bytes)
    if strict and notes:
        raise AgentFileError([dataclasses.replace(d, severity="error") for d in notes])
    parsed = read_agents(source, text)
    if strict and any(p.diagnostics for p in parsed):
        raise AgentFileError([dataclasses.replace(d, severity="error")
                              for p in parsed for d in p.diagnostics])
    parsed[0] = dataclasses.replace(parsed[0], diagnostics=(*notes, *parsed[0].diagnostics))
    return parsed


def _binary_fix(path: Path) -> str:
    """What to do about a binary file: "point at the .md file" is no help when it IS the .md file."""
    if path.suffix.lower() in (".md", ".toml", ".json", ".yaml", ".yml"):
        return (f"agent definitions are UTF-8 text; this {path.suffix} file holds binary data (a "
                "wrong download, an encrypted or corrupted file?): restore its text, or remove it")
    return "agent definitions are UTF-8 text; point at the agent's .md file instead"


def _read_text(path: Path, source: str, max_file_bytes: int) -> tuple[str, list[Diagnostic]]:
    try:
        # A FIFO or device named *.md would block or never end: regular files only.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise AgentFileError(Diagnostic(
                "error", source, "not a regular file (a FIFO, socket or device?)",
                fix="point at the agent's .md file", code="AR100"))
        with open(path, "rb") as handle:
            data = handle.read(max_file_bytes + 1)  # never more than the cap into memory
    except FileNotFoundError:
        raise AgentFileError(Diagnostic(
            "error", source, "the file disappeared before it could be read",
            fix="load again once the files stop changing", code="AR100")) from None
    except OSError as exc:
        raise AgentFileError(Diagnostic(
            "error", source, f"cannot read the file: {exc.strerror or exc}",
            fix="check that the file is readable (permissions) and is a regular file", code="AR100")) from None
    if len(data) > max_file_bytes:
        raise AgentFileError(Diagnostic(
            "error", source, f"the file is larger than max_file_bytes={max_file_bytes} bytes",
            fix="if this really is an agent definition, move long reference material out of it (the "
                f"CLI reads agent files up to {DEFAULT_MAX_FILE_BYTES >> 20} MiB), or pass a larger max_file_bytes "
                "to Registry.from_paths or load_paths", code="AR100"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), []
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise AgentFileError(Diagnostic(
            "error", source, "the file is binary (it contains NUL bytes)", line=line,
            fix=_binary_fix(path), code="AR100"))
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        note = Diagnostic("warning", source, f"the file is not valid UTF-8 (byte "
                          f"{data[exc.start]:#04x}); bad bytes were replaced by U+FFFD", line=line,
                          fix="save the file as UTF-8", code="AR108")
        return data.decode("utf-8", errors="replace"), [note]


def load_paths(paths: Sequence[PathLike], *, strict: bool = False,
               max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> LoadResult:
    """Load every agent file under ``paths``; one bad file never stops the others.

    With ``strict=True``, raises :class:`AgentFileError` after loading
    everything when there was any diagnostic, listing all of them.
    """
    files, notes = discover_with_diagnostics(paths)
    named = set(check_paths(paths))
    agents: list[Agent] = []
    for file in files:
        try:
            parsed = load_agents(file, max_file_bytes=max_file_bytes)
        except NotAnAgentError as exc:
            if file.suffix.lower() != ".md" and file not in named:
                continue  # a pyproject.toml or package.json beside the agents is not news
            notes += [dataclasses.replace(d, severity="warning", message=f"{d.message}; skipped")
                      for d in exc.diagnostics]
        except AgentFileError as exc:
            notes += exc.diagnostics
        else:
            for one in parsed:
                agents.append(one.agent)
                notes += one.diagnostics
    if strict and notes:
        raise AgentFileError([dataclasses.replace(d, severity="error") for d in notes])
    return LoadResult(tuple(agents), tuple(notes))

