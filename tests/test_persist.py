"""Saved routers: identical scores after a round trip; damaged files are refused, never unpickled."""

import subprocess
import sys

import numpy as np
import pytest

from agentroute import Router, RouterFileError
from agentroute.routing import persist

QUERIES = ["slow sql query", "react css form", "flaky ci tests", "zzqx", "", "@agent-test-writer css"]


@pytest.fixture
def saved(tmp_path, small_agents):
    router = Router(small_agents, threshold=0.02, margin=0.01)
    path = tmp_path / "router.agr"
    router.save(path)
    return router, path


def test_round_trip_gives_identical_answers_and_scores(saved):
    router, path = saved
    loaded = Router.load(path)
    assert loaded.agents == router.agents
    assert (loaded.threshold, loaded.margin) == (router.threshold, router.margin)
    for q in QUERIES:
        assert loaded.pick(q) == router.pick(q)
        assert loaded.rank(q, k=3) == router.rank(q, k=3)


@pytest.mark.parametrize("budget", [0, 10**12], ids=["inverted", "dense"])
def test_round_trip_in_both_weight_layouts(small_agents, budget):
    from dataclasses import replace

    from agentroute.routing.scoring import make_weights

    router = Router(small_agents)
    index = router.snapshot().index
    index = replace(index, weights=make_weights(index.weights.to_csr(), dense_budget_bytes=budget))
    loaded, settings = persist.load_bytes(persist.dump_bytes(index, router.get_params()))
    assert type(loaded.weights) is type(index.weights)
    assert settings == router.get_params()
    for q in QUERIES:
        np.testing.assert_array_equal(loaded.scores(q)[0], index.scores(q)[0])


def test_loading_needs_no_scikit_learn(saved):
    _, path = saved
    code = (
        "import sys\n"
        "from agentroute import Router\n"
        f"r = Router.load({str(path)!r})\n"
        "print(r.pick('slow sql query').agent.name)\n"
        "print(any(m == 'sklearn' or m.startswith('sklearn.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["sql-expert", "False"]


def test_truncated_files_are_refused(saved):
    _, path = saved
    data = path.read_bytes()
    for cut in (0, 10, len(persist.MAGIC) + 3, len(data) // 2, len(data) - 1):
        path.write_bytes(data[:cut])
        with pytest.raises(RouterFileError, match="cannot load saved router"):
            Router.load(path)


def test_flipped_bytes_are_refused(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    header_end = data.index(b"\n", data.index(b"sha256 ")) + 1
    for position in range(header_end, len(data), max(1, (len(data) - header_end) // 40)):
        damaged = bytearray(data)
        damaged[position] ^= 0x01
        path.write_bytes(bytes(damaged))
        with pytest.raises(RouterFileError, match="checksum"):
            Router.load(path)


def test_other_format_versions_are_refused(saved):
    _, path = saved
    data = path.read_bytes().replace(b"format 3\n", b"format 9\n", 1)
    path.write_bytes(data)
    with pytest.raises(RouterFileError, match="format version '9'"):
        Router.load(path)


def test_word_sum_blocks_are_written_as_format_2_which_format_1_readers_refuse(tmp_path, monkeypatch):
    """A format-1 reader would score a word-sum block as a plain character block: files that hold
    one say format 2 (which such readers refuse); files without one stay format 1. (Without the
    related-word table, whose files are format 3: tests/test_quality_bound.py.)"""
    from agentroute import Agent, Example
    from agentroute.routing import profile_index

    monkeypatch.setattr(profile_index, "RELATED_WORDS", False)

    intents = [Agent(name=n, examples=tuple(Example(request=f"{n} request number {i}") for i in range(6)))
               for n in ("alpha", "beta", "gamma")]
    linear, profile = tmp_path / "linear.agr", tmp_path / "profile.agr"
    Router(intents, strategy="linear").save(linear)
    Router(intents, strategy="profile").save(profile)
    assert b"\nformat 2\n" in linear.read_bytes()[:40] and b"\nformat 1\n" in profile.read_bytes()[:40]
    assert Router.load(linear).pick("alpha request") is not None  # this version reads both
    assert Router.load(profile).pick("alpha request") is not None


def test_not_a_router_file(tmp_path):
    path = tmp_path / "x.agr"
    path.write_bytes(b"\x80\x04\x95pickle-looking bytes")
    with pytest.raises(RouterFileError, match="magic"):
        Router.load(path)
    with pytest.raises(RouterFileError, match="cannot read"):
        Router.load(tmp_path / "missing.agr")


def test_a_pickle_inside_the_payload_is_never_loaded(tmp_path, small_agents):
    """Even a correctly checksummed file whose payload holds an object array is refused."""
    import hashlib
    import io
    import json
    import struct

    router = Router(small_agents)
    good = persist.dump_bytes(router.snapshot().index, router.get_params())
    body = good[good.index(b"\n", good.index(b"sha256 ")) + 1 :]
    (length,) = struct.unpack("<Q", body[:8])
    header = body[8 : 8 + length]
    payload = io.BytesIO()
    np.savez(payload, idf=np.array([object()], dtype=object))
    new_body = struct.pack("<Q", len(header)) + header + payload.getvalue()
    evil = persist.MAGIC + b"format 1\nsha256 " + hashlib.sha256(new_body).hexdigest().encode() + b"\n" + new_body
    path = tmp_path / "evil.agr"
    path.write_bytes(evil)
    with pytest.raises(RouterFileError, match="inconsistent"):
        Router.load(path)
    assert json.loads(header)["strategy"] == router.index.strategy


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, small_agents):
    path = tmp_path / "r.agr"
    Router(small_agents).save(path)
    Router(small_agents[:2]).save(path)  # overwrite in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.agr"]
    assert len(Router.load(path).agents) == 2


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_saved_file_gets_the_mode_the_umask_gives_new_files(tmp_path, small_agents, umask):
    """Not mkstemp's private 0600: a hook running as another user must be able to read the router."""
    import os
    import stat

    previous = os.umask(umask)
    try:
        Router(small_agents).save(tmp_path / "r.agr")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "r.agr").stat().st_mode) == 0o666 & ~umask


def test_saving_into_a_missing_folder_names_the_folder(tmp_path, small_agents):
    with pytest.raises(FileNotFoundError, match="does not exist") as caught:
        Router(small_agents).save(tmp_path / "nope" / "r.agr")
    assert ".tmp" not in str(caught.value)


def test_load_can_replace_the_saved_threshold_and_checks_it(saved):
    router, path = saved
    assert Router.load(path, threshold=0.9).threshold == 0.9
    assert Router.load(path).threshold == router.threshold
    with pytest.raises(ValueError, match="threshold must be a number in"):
        Router.load(path, threshold=2.0)
    with pytest.raises(ValueError, match="from_paths"):
        Router.load(path).reload()
