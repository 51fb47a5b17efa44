"""Always-fresh routers: a router cache keyed by a fingerprint of the agent files.

The hook and ``pick``/``explain``/``shortlist`` without ``--router`` call :func:`fresh_router`
on every run. It fingerprints the agent sources (every file under each folder: path, size and a
BLAKE2 hash of the content; plus the learned-examples file and agentroute's own code), and looks
for ``<cache>/<fingerprint>.agr``:

* found: :meth:`Router.load` (no scikit-learn, no agent file parsed, checksum verified);
* not found, or damaged: load the agent files, fit, and save under the fingerprint (written
  aside and renamed into place by :mod:`agentroute.routing.persist`, so concurrent processes
  never see half a file; two processes that miss together write the same bytes);
* cache folder unwritable: the router is built in memory and still answers.

Why hash every file rather than trust mtimes: an edit in the same clock tick as the previous
one, ``cp -p``, ``rsync -t`` or ``git checkout`` can leave size and mtime unchanged. Hashing the
files is cheap next to starting Python (3-7 ms for 100 agent files of 690 KiB; docs/integrations.md),
and leaving mtimes out of the key means a ``touch`` or a fresh checkout does not refit. A file
that changes while the router is being built makes the fingerprint taken after the build differ
from the one before; that router answers this once but is not cached.

The walk is a superset of the loader's (it also looks into hidden folders, except VCS metadata):
any change the loader could see changes the fingerprint; a change it could not see only costs a
needless refit.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CACHE_ENV", "CacheResult", "cache_folder", "fingerprint", "fresh_router"]

#: Environment variable naming the cache folder (``off`` disables the cache).
CACHE_ENV = "AGENTROUTE_CACHE_DIR"

#: Cached routers kept per cache folder; older ones are removed after a save.
KEEP = 32

#: Files larger than this are fingerprinted by size and mtime only (the loader refuses them anyway).
HASH_LIMIT = 1 << 20

_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__"})


def cache_folder(environ: Any = None) -> Path | None:
    """``$AGENTROUTE_CACHE_DIR`` (None when it is ``off``), else ``$XDG_CACHE_HOME/agentroute/routers``,
    else ``~/.cache/agentroute/routers``."""
    env = os.environ if environ is None else environ
    configured = env.get(CACHE_ENV)
    if configured:
        return None if configured.strip().lower() == "off" else Path(os.path.expanduser(configured))
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "agentroute" / "routers"


def _files(root: Path) -> list[tuple[str, Path]]:
    """``(path relative to root, path)`` of the files under ``root`` (or ``root`` itself), symlinks
    followed, loops cut. Relative paths by slicing: os.path.relpath costs more than the hashing."""
    if not root.is_dir():
        return [("", root)] if root.exists() else []
    found: list[tuple[str, Path]] = []
    seen: set[str] = set()
    top = os.fspath(root)
    for current, dirs, names in os.walk(top, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        prefix = current[len(top):].lstrip(os.sep)
        found += [(os.path.join(prefix, name), Path(current, name)) for name in sorted(names)]
    return found


def _file_digest(path: Path, update: Callable[[bytes], None]) -> None:
    try:
        info = os.stat(path)
    except OSError:  # vanished between listing and stat, or a dangling symlink
        update(b"missing")
        return
    update(f"{info.st_size}:".encode())
    if info.st_size > HASH_LIMIT or not os.path.isfile(path):
        update(f"{info.st_mtime_ns}:{info.st_mode}".encode())
        return
    try:
        with open(path, "rb") as handle:
            update(hashlib.blake2b(handle.read(HASH_LIMIT + 1), digest_size=16).digest())
    except OSError as error:
        update(f"unreadable:{error.errno}".encode())


def _code_stamp() -> bytes:
    """agentroute's own version and source files (size, mtime): new code never reads an old cache."""
    from agentroute._version import __version__

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = [__version__, sys.version.split()[0]]  # the saved-file format lives in persist.py, stamped below
    for current, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(current, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                parts.append(f"{path[len(package):]}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts).encode()


def fingerprint(paths: Sequence[str | os.PathLike[str]], *, learned: str | os.PathLike[str] | None = None,
                extra: str = "") -> str:
    """A hex key that changes whenever a file under ``paths`` (in that order), the ``learned``
    file or agentroute's code changes. ``extra`` is mixed in (loading options)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(_code_stamp())
    digest.update(f"\0extra:{extra}".encode())
    roots = [Path(os.path.abspath(os.path.expanduser(os.fspath(p)))) for p in paths]
    if learned is not None:
        roots.append(Path(os.path.abspath(os.path.expanduser(os.fspath(learned)))))
    for position, root in enumerate(roots):
        kind = "learned" if learned is not None and position == len(roots) - 1 else "root"
        digest.update(f"\0{kind}:{root}".encode("utf-8", "surrogateescape"))
        for relative, file in _files(root):
            digest.update(f"\0file:{relative}:".encode("utf-8", "surrogateescape"))
            _file_digest(file, digest.update)
    return digest.hexdigest()


@dataclass(frozen=True)
class CacheResult:
    """A router that reflects the agent files as they are now, and how it was obtained."""

    router: Any  # agentroute.routing.router.Router
    diagnostics: tuple[str, ...]
    key: str
    cached: bool  # loaded from the cache (nothing parsed or fitted)
    saved: bool  # built now and written to the cache
    note: str | None = None  # why the cache could not be used, when it could not


def _load_cached(target: Path, threshold: float | None) -> tuple[Any, tuple[str, ...]] | str:
    """The cached router and its loading notes, or why it cannot be used."""
    from agentroute.errors import RouterFileError
    from agentroute.routing.router import Router

    try:
        router = Router.load(target, threshold=threshold)
    except (RouterFileError, OSError) as error:  # damaged, or pruned by another process meanwhile
        return f"cached router unusable, rebuilt ({' '.join(str(error).split())})"
    try:
        notes = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))["diagnostics"]
        diagnostics = tuple(str(n) for n in notes)
    except (OSError, ValueError, KeyError, TypeError):
        diagnostics = ()
    try:
        os.utime(target)  # recently used: pruning keeps it
    except OSError:
        pass
    return router, diagnostics


def _write_sidecar(target: Path, diagnostics: Sequence[str]) -> None:
    import secrets  # only when writing: a warm hook never needs it

    temp = target.parent / f".{target.stem}.{secrets.token_hex(6)}.json.tmp"
    temp.write_text(json.dumps({"diagnostics": list(diagnostics)}), encoding="utf-8")
    os.replace(temp, target.with_suffix(".json"))


def _prune(folder: Path) -> None:
    try:
        entries = sorted(folder.glob("*.agr"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in entries[KEEP:]:
        for path in (old, old.with_suffix(".json")):
            try:
                path.unlink()
            except OSError:
                pass  # another process pruned it first, or it is in use on a system that forbids it


def fresh_router(paths: Sequence[str | os.PathLike[str]], build: Callable[[], tuple[Any, Sequence[str]]], *,
                 learned: str | os.PathLike[str] | None = None, threshold: float | None = None,
                 cache: Path | None | bool = True, extra: str = "") -> CacheResult:
    """A router for the agents under ``paths`` as they are now, from the cache when it is current.

    ``build()`` returns ``(router, diagnostics)`` fitted with default settings; it is called only
    on a cache miss. ``threshold`` is applied to the answer (cached routers are threshold-free).
    ``cache`` is a folder, True for :func:`cache_folder`, or False/None for no cache.
    """
    key = fingerprint(paths, learned=learned, extra=extra)
    folder = cache_folder() if cache is True else (cache or None)
    target = folder / f"{key}.agr" if folder is not None else None
    note = None
    if target is not None and target.is_file():
        hit = _load_cached(target, threshold)
        if not isinstance(hit, str):
            return CacheResult(hit[0], hit[1], key, cached=True, saved=False)
        note = hit
    router, diagnostics = build()
    diagnostics = tuple(str(d) for d in diagnostics)
    saved = False
    if target is not None:
        if fingerprint(paths, learned=learned, extra=extra) != key:
            note = "agent files changed while the router was built; not cached"
        else:
            try:
                if not target.parent.is_dir():
                    # Private: cached routers hold agent prompts and learned requests (the user's
                    # own prompts, which agentroute.sources.learned keeps 0600).
                    target.parent.parent.mkdir(parents=True, exist_ok=True)
                    target.parent.mkdir(mode=0o700, exist_ok=True)
                _write_sidecar(target, diagnostics)
                router.save(target)
                saved = True
                _prune(target.parent)
            except OSError as error:
                note = f"cannot write the router cache in {target.parent} ({error.strerror or error}); built in memory"
    if threshold is not None:
        router.threshold = threshold  # checked by the router's parameter table, as Router() checks it
    return CacheResult(router, diagnostics, key, cached=False, saved=saved, note=note)
