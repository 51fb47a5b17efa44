"""Labelled requests for evaluation: JSONL or CSV rows with ``text`` and ``label``.

An empty label, ``none``, ``oos`` or ``null`` (any case), a JSON ``null``, or no
``label`` at all means "no agent should be picked"; it is read as ``None``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from agentroute.errors import DataFileError

NO_AGENT_LABELS = frozenset({"", "none", "oos", "null"})


@dataclass(frozen=True)
class LabelledRequest:
    text: str
    label: str | None  # None: no agent should be picked


def label_of(value: object) -> str | None:
    """A row's label as read: None for "no agent" (see the module docstring), else the stripped text."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in NO_AGENT_LABELS else text


def read_labelled(path: str | os.PathLike[str]) -> list[LabelledRequest]:
    """Read a ``.jsonl``/``.json`` (one object a line) or ``.csv`` file with ``text`` and ``label``."""
    source = Path(path)
    try:
        raw = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: cannot read labelled requests: {error}") from None
    if source.suffix.lower() == ".csv":
        return _from_csv(raw, str(path))
    return _from_jsonl(raw, str(path))


#: What a JSONL row looks like, for error messages.
ROW_SHAPE = '{"text": "...", "label": "agent-name"}'


def jsonl_records(lines: Iterable[str], path: str, shape: str = ROW_SHAPE) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of a JSONL file whose object has a string
    ``text``; any other line is a :class:`DataFileError` naming the line and the fix (``shape``)."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataFileError(f"{path}:{number}: not valid JSON ({error.msg}); fix: one JSON object per line "
                                f"like {shape}") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise DataFileError(f"{path}:{number}: each row needs a string 'text' field; fix: {shape}")
        yield number, record


def _from_jsonl(raw: str, path: str) -> list[LabelledRequest]:
    rows = [LabelledRequest(record["text"], label_of(record.get("label")))
            for _, record in jsonl_records(raw.splitlines(), path)]
    return _nonempty(rows, path)


def _from_csv(raw: str, path: str) -> list[LabelledRequest]:
    reader = csv.DictReader(io.StringIO(raw))
    if reader.fieldnames is None or "text" not in reader.fieldnames:
        raise DataFileError(f"{path}:1: CSV header must name a 'text' column (and 'label'); got {reader.fieldnames}")
    rows = []
    try:
        for record in reader:
            rows.append(_row(record, path, reader.line_num))
    except csv.Error as error:
        raise DataFileError(f"{path}:{reader.line_num + 1}: unreadable CSV ({error}); "
                            "fix: check the quoting there, or write long texts as JSONL") from None
    return _nonempty(rows, path)


def _row(record: object, path: str, number: int) -> LabelledRequest:
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise DataFileError(f"{path}:{number}: each row needs a string 'text' field; fix: {{\"text\": \"...\", \"label\": \"agent-name\"}}")
    return LabelledRequest(record["text"], label_of(record.get("label")))


def _nonempty(rows: list[LabelledRequest], path: str) -> list[LabelledRequest]:
    if not rows:
        raise DataFileError(f"{path}: no labelled requests found")
    return rows


def as_labelled(texts: Sequence[str], labels: Iterable[str | None]) -> list[LabelledRequest]:
    """Pair texts and labels given in memory (labels normalised as in files)."""
    labels = list(labels)
    if isinstance(texts, str) or len(texts) != len(labels):
        raise ValueError("texts must be a sequence of str with one label each")
    return [LabelledRequest(t, label_of(l)) for t, l in zip(texts, labels)]
