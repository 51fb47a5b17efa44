"""OpenAI Codex custom agents: one TOML file per agent in ``.codex/agents/`` (project) or
``~/.codex/agents/`` (user).

Fields, from the Codex subagent documentation (developers.openai.com/codex,
"Subagents": ``name``, ``description`` and ``developer_instructions`` are
required; ``nickname_candidates``, ``model``, ``model_reasoning_effort``,
``sandbox_mode``, ``mcp_servers``, ``skills`` are optional):

* ``name`` -> ``Agent.name`` (the spawn identifier; the file name is cosmetic);
  without it the file name is used, with a warning;
* ``description`` -> ``Agent.description``;
* ``developer_instructions`` (or ``instructions``, an older spelling) -> ``Agent.prompt``;
* ``model`` -> ``Agent.model``; everything else -> ``metadata``.

TOML is read with :mod:`tomllib` (Python 3.11+) or, on 3.10, the ``tomli``
package when installed; without either the file is refused with a diagnostic
saying what to install.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from agentroute.sources.claude_code import ParsedAgent

from agentroute.sources.formats.common import build, error, key_line, stem, text_field, warning

__all__ = ["read_codex"]

_FIX = "add description = \"Use for ...\" (what this agent does and when to pick it)"


def _toml_module() -> ModuleType | None:
    try:
        import tomllib

        return tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli  # type: ignore[import-not-found]

            return tomli  # type: ignore[no-any-return]
        except ModuleNotFoundError:
            return None


def _loads(text: str, path: str | None) -> dict[str, Any]:
    module = _toml_module()
    if module is None:
        raise error(path, "reading a Codex TOML agent needs Python 3.11+ (tomllib) or the tomli "
                    "package", fix="pip install tomli (or use Python 3.11 or later)")
    try:
        data: dict[str, Any] = module.loads(text)
        return data
    except module.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise error(path, f"invalid TOML: {exc}", line=int(found.group(1)) if found else None,
                    fix="check the quoting: multi-line text goes between triple quotes "
                        "(developer_instructions = \"\"\" ... \"\"\")") from None


def read_codex(text: str, path: str | None) -> list[ParsedAgent]:
    data = _loads(text, path)
    notes = []
    raw_name = data.get("name")
    if isinstance(raw_name, str) and raw_name.strip():
        name = raw_name.strip()
    elif raw_name is None and stem(path):
        name = stem(path)
        notes.append(warning(path, f"no name; using the file name {name!r}", line=1, field="name",
                             fix=f"add name = \"{name}\" (Codex requires a name)", code="AR103"))
    else:
        raise error(path, "name must be non-empty text", line=key_line(text, "name", style="toml"),
                    field="name", value=raw_name, fix="write name = \"my-agent\"")
    prompt_key = "developer_instructions" if "developer_instructions" in data else "instructions"
    if prompt_key not in data:
        notes.append(warning(path, "no developer_instructions; the agent has no prompt", line=1,
                             field="developer_instructions",
                             fix="add developer_instructions = \"\"\" ... \"\"\" (required by Codex)", code="AR109"))
    skip = {"name", "description", "model", prompt_key}
    parsed = build("codex", path, name=name, line=key_line(text, "description", style="toml") or 1,
                   description=text_field(data.get("description")),
                   prompt=text_field(data.get(prompt_key)), tools=None,
                   model=text_field(data.get("model")) or None,
                   metadata={k: v for k, v in data.items() if k not in skip}, description_fix=_FIX)
    return [ParsedAgent(parsed.agent, (*notes, *parsed.diagnostics))]
