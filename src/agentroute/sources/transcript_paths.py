"""Where Claude Code keeps session transcripts, and which files in a folder are main-session logs.

Claude Code writes one JSONL file per session under
``$CLAUDE_CONFIG_DIR/projects/<slug>/`` (``~/.claude/projects/<slug>/`` by default), where
``<slug>`` is the project's absolute path with every character that is not an ASCII letter
or digit replaced by ``-`` (one dash per UTF-16 code unit, no squeezing, case kept), and a
slug longer than 200 characters is cut and suffixed with a hash. There is no official
specification; docs/learning.md cites the public reports this follows. Subagents' own
conversations are separate files (``<session>/subagents/agent-<id>.jsonl``, or
``agent-<id>.jsonl`` beside the sessions in older versions): they are the subagents talking,
not the user, so they are listed apart and never mined for prompts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

__all__ = ["SLUG_MAX", "TranscriptFiles", "claude_projects_root", "find_project_folder", "is_subagent_file",
           "project_slug", "transcript_files"]

#: Claude Code cuts longer project slugs and appends a hash we cannot recompute; we match the prefix.
SLUG_MAX = 200


def claude_projects_root() -> Path:
    """``$CLAUDE_CONFIG_DIR/projects``, else ``~/.claude/projects``."""
    base = os.environ.get("CLAUDE_CONFIG_DIR")
    return (Path(base).expanduser() if base else Path.home() / ".claude") / "projects"


def project_slug(path: str | os.PathLike[str]) -> str:
    """The folder name Claude Code gives a project at ``path`` (made absolute, not resolved)."""
    text = os.path.abspath(os.fspath(path))
    if len(text) > 1:
        text = text.rstrip("/\\")
    # One dash per UTF-16 code unit: a character outside the BMP is two units in JavaScript.
    return "".join(ch if ch.isascii() and ch.isalnum() else ("--" if ord(ch) > 0xFFFF else "-") for ch in text)


def find_project_folder(project: str | os.PathLike[str], root: Path | None = None) -> Path | None:
    """The transcript folder of ``project``, or of the git root above it; None when there is none.

    Claude Code names the folder after the directory it was started in, which for a
    subfolder of a repository is often the repository root, so both are tried.
    """
    root = claude_projects_root() if root is None else root
    start = Path(os.path.abspath(os.fspath(project)))
    candidates = [start] + [p for p in start.parents if (p / ".git").exists()]
    for candidate in candidates:
        slug = project_slug(candidate)
        if (root / slug).is_dir():
            return root / slug
        if len(slug) > SLUG_MAX and root.is_dir():
            matches = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(slug[:SLUG_MAX]))
            if matches:
                return matches[0]
    return None


@dataclass(frozen=True)
class TranscriptFiles:
    """Main-session files to mine (sorted, so runs are reproducible) and subagent files set aside."""

    sessions: tuple[Path, ...]
    subagent_files: tuple[Path, ...]
    missing: tuple[str, ...]  # given paths that do not exist

    @property
    def total_bytes(self) -> int:
        return sum(_size(p) for p in self.sessions)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def is_subagent_file(path: Path) -> bool:
    """A subagent's own transcript: ``agent-*.jsonl``, or any file in a ``subagents`` folder."""
    return path.name.startswith("agent-") or path.parent.name == "subagents"


def transcript_files(paths: Sequence[str | os.PathLike[str]]) -> TranscriptFiles:
    """Every ``*.jsonl`` under the given folders (recursively) and the given files, split by kind."""
    sessions: set[Path] = set()
    subagents: set[Path] = set()
    missing = []
    for given in paths:
        path = Path(os.path.expanduser(os.fspath(given)))
        if path.is_dir():
            found = [p for p in path.rglob("*.jsonl") if p.is_file()]
        elif path.is_file():
            found = [path]
        else:
            missing.append(os.fspath(given))
            continue
        for item in found:
            (subagents if is_subagent_file(item) else sessions).add(item)
    return TranscriptFiles(tuple(sorted(sessions)), tuple(sorted(subagents)), tuple(missing))
