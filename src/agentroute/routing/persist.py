"""Saved routers: a safe, versioned, checksummed file that loads without scikit-learn.

Layout (all of it read before anything is trusted)::

    agentroute-router\\n          magic line
    format 1\\n                    format version (2: a block is a word sum; 3: a block reads the
                                 related-word table; see FORMAT_VERSION)
    sha256 <64 hex digits>\\n     checksum of everything after this line
    <8 bytes: header length, little-endian><header JSON><.npz payload>

The header holds settings, agents and vocabularies as JSON; the payload holds
the numeric arrays and is read with ``np.load(..., allow_pickle=False)``, so
nothing in a file can run code. Writes go to a temporary file in the same
folder and are renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from agentroute.errors import RouterFileError
from agentroute.features.csr import entry_rows, indptr_of
from agentroute.features.space import FeatureSpace
from agentroute.routing.index import Index
from agentroute.model import Agent, Example
from agentroute.routing.scoring import DenseWeights, SparseWeights, Weights

MAGIC = b"agentroute-router\n"
#: The newest format written. 2: a feature block may be a word sum (``AnalyzerSpec.word_sum``), which
#: a reader of format 1 would score as a plain character block, silently wrong; so files without
#: one are still written as 1, and readers of 1 refuse the others. 3: a word block reads the related-word
#: table (``AnalyzerSpec.related_words``), which readers of 1 and 2 would ignore, folding no "k8s" and
#: firing no group feature: silently different scores, so they must refuse it.
FORMAT_VERSION = 3
READABLE_VERSIONS = ("1", "2", "3")


def agent_to_json(agent: Agent) -> dict[str, Any]:
    """``agent`` as JSON-ready data (what a saved router's header holds)."""
    data = asdict(agent)
    data["examples"] = [asdict(e) for e in agent.examples]
    data["tools"] = list(agent.tools) if agent.tools is not None else None
    data["metadata"] = dict(agent.metadata)
    return data


def agent_from_json(data: dict[str, Any]) -> Agent:
    """The agent :func:`agent_to_json` wrote."""
    examples = tuple(Example(**e) for e in data.get("examples", ()))
    tools = tuple(data["tools"]) if data.get("tools") is not None else None
    return Agent(
        name=data["name"],
        description=data.get("description", ""),
        examples=examples,
        prompt=data.get("prompt", ""),
        tools=tools,
        model=data.get("model"),
        source=data.get("source"),
        metadata=data.get("metadata") or {},
    )


def _weights_arrays(weights: Weights) -> dict[str, np.ndarray]:
    # A dense W is stored in its sparse form: it is mostly zeros, and a cold start reads and
    # checksums every byte of the file (11.7 MB -> 2.0 MB at 100 synthetic agents).
    if isinstance(weights, DenseWeights):
        rows, columns = np.nonzero(weights.rows)
        return {"indptr": indptr_of(rows, weights.rows.shape[0]), "indices": columns.astype(np.int32),
                "data": weights.rows[rows, columns], "dense": np.ones(1, dtype=np.int8)}
    assert isinstance(weights, SparseWeights)
    return {"indptr": weights.indptr, "indices": weights.indices, "data": weights.data}


def _weights_from_arrays(arrays: Any, n_agents: int) -> Weights:
    if "dense_rows" in arrays:  # files written before dense W was stored sparse
        return DenseWeights(arrays["dense_rows"])
    if "dense" in arrays:  # densified with numpy alone: importing scipy costs ~240 ms
        indptr = arrays["indptr"]
        rows = np.zeros((len(indptr) - 1, n_agents), dtype=np.float32)
        rows[entry_rows(indptr), arrays["indices"]] = arrays["data"]
        return DenseWeights(rows)
    return SparseWeights(arrays["indptr"], arrays["indices"], arrays["data"], n_agents)


def dump_bytes(index: Index, settings: dict[str, Any]) -> bytes:
    header = {
        "settings": settings,
        "strategy": index.strategy,
        "agents": [agent_to_json(a) for a in index.agents],
        "space": index.space.to_json(),
        "extra": index.extra,
    }
    # ASCII escapes: agent text may hold lone surrogates, which UTF-8 cannot encode.
    header_bytes = json.dumps(header, ensure_ascii=True, default=str).encode("ascii")
    arrays = {"idf": index.space.idf_array(), **_weights_arrays(index.weights)}
    if index.bias is not None:
        arrays["bias"] = index.bias
    payload = io.BytesIO()
    np.savez(payload, allow_pickle=False, **arrays)
    body = struct.pack("<Q", len(header_bytes)) + header_bytes + payload.getvalue()
    digest = hashlib.sha256(body).hexdigest().encode("ascii")
    specs = [b.spec for b in index.space.blocks]
    version = 3 if any(s.related_words and s.word_forms for s in specs) else 2 if any(s.word_sum for s in specs) else 1
    return MAGIC + f"format {version}\n".encode() + b"sha256 " + digest + b"\n" + body


def save(path: str | os.PathLike[str], index: Index, settings: dict[str, Any]) -> None:
    """Write atomically: a temporary file beside ``path``, then ``os.replace``."""
    target = Path(path)
    data = dump_bytes(index, settings)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot save the router to {target}: folder {target.parent} does not exist")
    # open(..., "xb") rather than mkstemp: the file gets the mode the umask gives any new
    # file (mkstemp's is always 0600, unreadable to a hook running as another user).
    temp_name = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
    stream = open(temp_name, "xb")  # noqa: SIM115 - closed by the with below; nothing to clean up if this fails
    try:
        with stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        temp_name.unlink(missing_ok=True)
        raise


def _refuse(path: str, reason: str, fix: str) -> RouterFileError:
    return RouterFileError(f"{path}: cannot load saved router: {reason} (fix: {fix})")


def load_bytes(data: bytes, path: str = "<bytes>") -> tuple[Index, dict[str, Any]]:
    rebuild = "rebuild it with `agentroute build --agents PATH -o FILE` or Router.save()"
    if not data.startswith(MAGIC):
        raise _refuse(path, "not an agentroute router file (bad magic line)", "pass a file written by Router.save()")
    rest = data[len(MAGIC) :]
    version_line, _, rest = rest.partition(b"\n")
    if not version_line.startswith(b"format "):
        raise _refuse(path, "missing format line", rebuild)
    version = version_line[len(b"format ") :].decode("ascii", "replace")
    if version not in READABLE_VERSIONS:
        raise _refuse(path, f"format version {version!r}, this agentroute reads {' and '.join(READABLE_VERSIONS)}",
                      rebuild)
    checksum_line, _, body = rest.partition(b"\n")
    if not checksum_line.startswith(b"sha256 ") or len(checksum_line) != 71:
        raise _refuse(path, "missing or malformed checksum line", rebuild)
    if hashlib.sha256(body).hexdigest().encode("ascii") != checksum_line[7:]:
        raise _refuse(path, "checksum mismatch: the file is truncated or was modified", rebuild)
    try:
        (header_length,) = struct.unpack("<Q", body[:8])
        header = json.loads(body[8 : 8 + header_length].decode("utf-8"))
        with np.load(io.BytesIO(body[8 + header_length :]), allow_pickle=False) as arrays:
            loaded = {name: arrays[name] for name in arrays.files}
        agents = tuple(agent_from_json(a) for a in header["agents"])
        space = FeatureSpace.from_json(header["space"], loaded["idf"])
        weights = _weights_from_arrays(loaded, len(agents))
        index = Index(agents, space, weights, header["strategy"], loaded.get("bias"), header.get("extra") or {})
    except RouterFileError:
        raise
    except Exception as error:  # a checksummed file that still fails was written by a bug or by hand
        raise _refuse(path, f"inconsistent contents ({type(error).__name__}: {error})", rebuild) from None
    return index, header["settings"]


def load(path: str | os.PathLike[str]) -> tuple[Index, dict[str, Any]]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise RouterFileError(f"{path}: cannot read saved router: {error.strerror or error}") from None
    return load_bytes(data, str(path))
