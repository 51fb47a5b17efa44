"""The package type-checks with mypy (configured in pyproject.toml), in CI as locally."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # mypy takes seconds: `pytest -m 'not slow'` skips it

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_type_checks(tmp_path):
    api = pytest.importorskip("mypy.api", reason="mypy comes with the test extra: pip install -e '.[test]'")
    stdout, stderr, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "mypy-cache"), str(ROOT / "src" / "agentroute")]
    )
    assert status == 0, stdout + stderr
