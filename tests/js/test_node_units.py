"""The browser code's unit tests (tests/js/*.test.mjs), run by Node's own test runner."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).resolve().parent
# The live view's modules are plain .js files with ES module syntax (the browser loads them
# as modules; no package.json tells Node so), hence the detection flag (Node 20.10 or later).
NODE_ARGS = ["--experimental-detect-module", "--no-warnings"]


def node() -> str:
    """Node's path; skips where it is missing, except in CI, which must run these."""
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing: the browser code's unit tests need Node.js 20.10+")
        pytest.skip("Node.js is not installed: the browser code's unit tests need `node`")
    return path


def test_the_browser_codes_unit_tests_pass():
    done = subprocess.run(
        [node(), *NODE_ARGS, "--test", str(JS_TESTS)], capture_output=True, text=True,
        timeout=120, cwd=JS_TESTS.parents[1],
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout
