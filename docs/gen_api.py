"""Write docs/api.md from the code itself: every public name, its parameters and defaults.

Run ``python docs/gen_api.py`` after changing the public API; ``tests/test_docs.py`` fails when
the checked-in file differs from what this prints. Covered: ``agentroute.__all__`` and the
``__all__`` of the integration modules that docs/integrations.md uses.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

MODULES = (
    ("agentroute", "The package: routing, agents, registries, evaluation, errors."),
    ("agentroute.integrations.claude_code_hook", "The Claude Code `UserPromptSubmit` hook."),
    ("agentroute.integrations.claude_code_agents", "Where Claude Code keeps agents, and which copy wins."),
    ("agentroute.integrations.fresh", "Always-fresh routers: the fingerprint-keyed router cache."),
    ("agentroute.integrations.hook_install", "`agentroute hook install`/`uninstall` as functions."),
)


def _annotation(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return ""
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _default(value: Any) -> str:
    if value is dataclasses.MISSING:
        return ""
    text = repr(value)
    return "<factory>" if text.startswith("<factory>") or "_HAS_DEFAULT_FACTORY" in text else text


def signature(obj: Any, *, skip_self: bool = False) -> str:
    """``(a: int, *, b: str = 'x') -> bool`` with annotations as written in the source (no quotes)."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    parts: list[str] = []
    star_done = False
    params = list(sig.parameters.values())
    if skip_self and params and params[0].name in ("self", "cls"):
        params = params[1:]
    for position, param in enumerate(params):
        if param.kind is param.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        if param.kind is param.VAR_POSITIONAL:
            star_done = True
            name = f"*{param.name}"
        elif param.kind is param.VAR_KEYWORD:
            name = f"**{param.name}"
        else:
            name = param.name
        annotation = _annotation(param.annotation)
        text = f"{name}: {annotation}" if annotation else name
        if param.default is not param.empty:
            text += f" = {_default(param.default)}" if annotation else f"={_default(param.default)}"
        parts.append(text)
        if param.kind is param.POSITIONAL_ONLY and (position + 1 == len(params)
                                                    or params[position + 1].kind is not param.POSITIONAL_ONLY):
            parts.append("/")
    returned = _annotation(sig.return_annotation)
    return f"({', '.join(parts)})" + (f" -> {returned}" if returned else "")


def _summary(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    paragraph = doc.split("\n\n")[0]
    return " ".join(paragraph.split())


def _description(cls: type) -> str:
    """A class's whole docstring up to its examples: options such as Router's are listed there."""
    kept = []
    for paragraph in (inspect.getdoc(cls) or "").split("\n\n"):
        if paragraph.lstrip().startswith(">>>"):
            break
        kept.append(paragraph)
    return "\n\n".join(kept).strip()


def _members(cls: type) -> list[tuple[str, Any]]:
    """Public attributes defined by ``cls`` or its own bases (not object's or Exception's)."""
    seen: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__ == "builtins":
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_"):
                seen[name] = value
    return sorted(seen.items())


def _render_class(name: str, cls: type) -> list[str]:
    bases = [b.__name__ for b in cls.__bases__ if b is not object]
    lines = [f"### `{name}`", ""]
    header = f"class {name}" + (f"({', '.join(bases)})" if bases else "")
    if not issubclass(cls, BaseException):
        header += signature(cls)
    lines += ["```python", header, "```", ""]
    if _description(cls):
        lines += [_description(cls), ""]
    rows = []
    for member, value in _members(cls):
        if isinstance(value, property):
            rows.append(f"- `{member}` (property): {_summary(value.fget) or '—'}")
        elif isinstance(value, (classmethod, staticmethod)):
            function = value.__func__
            kind = "classmethod" if isinstance(value, classmethod) else "staticmethod"
            rows.append(f"- `{member}{signature(function, skip_self=kind == 'classmethod')}` ({kind}): "
                        f"{_summary(function) or '—'}")
        elif inspect.isfunction(value):
            rows.append(f"- `{member}{signature(value, skip_self=True)}`: {_summary(value) or '—'}")
    return lines + rows + ([""] if rows else [])


def _render(module_name: str, name: str, value: Any) -> list[str]:
    if inspect.isclass(value):
        return _render_class(name, value)
    if callable(value):
        lines = [f"### `{name}`", "", "```python", f"def {name}{signature(value)}", "```", ""]
        return lines + ([_summary(value), ""] if _summary(value) else [])
    return [f"### `{name}`", "", "```python", f"{name} = {value!r}", "```", ""]


def render() -> str:
    parts = ["# API reference", "",
             "Generated by `python docs/gen_api.py` from the code (signatures, defaults and the first "
             "paragraph of each docstring); `tests/test_docs.py` checks it is current. Guides: "
             "[routing](routing.md), [integrations](integrations.md), [learning](learning.md).", ""]
    for module_name, blurb in MODULES:
        module = importlib.import_module(module_name)
        parts += [f"## `{module_name}`", "", blurb, ""]
        for name in module.__all__:
            parts += _render(module_name, name, getattr(module, name))
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    (HERE / "api.md").write_text(render(), encoding="utf-8")
    print(f"wrote {HERE / 'api.md'}")
