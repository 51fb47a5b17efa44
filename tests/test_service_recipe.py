"""The service recipe of docs/integrations.md: it runs as written, on 127.0.0.1 only, and stops itself."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "integrations.md"


def service_block() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    (block,) = [b for b in blocks if "ThreadingHTTPServer" in b]
    return block


def test_the_http_recipe_binds_loopback_and_stops_itself():
    block = service_block()
    assert '("127.0.0.1", 0)' in block and "0.0.0.0" not in block  # loopback, an ephemeral port
    assert "timeout=10" in block and "MAX_BODY" in block  # bounded client calls and request bodies
    before = {t.ident for t in threading.enumerate()}
    started = time.perf_counter()
    namespace: dict = {"__name__": "docs_service"}
    exec(compile(block, "docs/integrations.md", "exec"), namespace)  # noqa: S102 - its asserts are the test
    assert time.perf_counter() - started < 120
    for thread in threading.enumerate():
        if thread.ident not in before:
            thread.join(timeout=5)
    assert {t.ident for t in threading.enumerate() if t.is_alive()} <= before  # watcher and server ended
    assert namespace["server"].socket.fileno() == -1  # the listening socket is closed
