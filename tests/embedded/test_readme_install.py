"""The README followed as written, on a fresh copy of the project: `./dev up` installs into a
new `.venv` (requirements/run.txt, torch, the project with --no-deps; no site packages of
this test run) and starts the embedded default; then the README's API examples (curl) and
its command-line examples (`dlp`, as that install provides it) run against that server, as
one bash script that stops at the first failing command.

Placeholders are filled from that server: its URL replaces http://127.0.0.1:8000 (DLP_URL
for dlp), the demo learner's password is typed to `dlp login`; the README's examples take
the token and the ids from the output of the commands before them. Slow: the install and
the base models take minutes.
"""

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures.live_platform import free_port

ROOT = Path(__file__).resolve().parents[2]
README_URL = "http://127.0.0.1:8000"
LEARNER_PASSWORD = "learn-deep-2024"
INSTALL_TIMEOUT_S = 1800

pytestmark = pytest.mark.integration


def readme_block(heading: str) -> str:
    """The first ```bash block after the README's `## heading`."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index(f"\n## {heading}\n"):]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def fresh_copy(target: Path) -> Path:
    """The project's files as a clone has them (tracked and new, not ignored ones)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def outside_env(**extra: str) -> dict[str, str]:
    """This environment without the test run's database, queue, settings or virtualenv."""
    venv_bin = str(Path(os.environ.get("VIRTUAL_ENV", "/nonexistent")) / "bin")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DLP_", "DJANGO_")) and key not in {
               "DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p != venv_bin)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def readme_platform(tmp_path_factory):
    clone = fresh_copy(tmp_path_factory.mktemp("clone"))
    port = free_port()
    log_path = clone / "dev-up.log"
    process = subprocess.Popen(
        ["./dev", "up", "--port", str(port)], cwd=clone, stdout=log_path.open("w"),
        stderr=subprocess.STDOUT, start_new_session=True,
        env=outside_env(PYTHON=shutil.which("python3", path="/usr/bin:/bin") or "python3"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + INSTALL_TIMEOUT_S
        while True:
            assert process.poll() is None, log_path.read_text()[-5000:]
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()[-5000:]
            time.sleep(1)
        yield url, clone
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_the_install_has_no_package_of_this_test_run(readme_platform):
    _, clone = readme_platform
    python = clone / ".venv" / "bin" / "python"
    config = (clone / ".venv" / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in config
    where = subprocess.run([python, "-c", "import django, httpx; print(django.__file__)"],
                           capture_output=True, text=True, env=outside_env())
    assert where.returncode == 0, where.stderr  # httpx too: dlp needs it at run time
    assert where.stdout.startswith(str(clone / ".venv")), where.stdout


def test_the_readmes_api_and_dlp_examples_run_as_written(readme_platform, tmp_path):
    url, clone = readme_platform
    script = "set -euo pipefail\n" + readme_block("The API") + readme_block("Command-line client")
    script = script.replace(README_URL, url)
    env = outside_env(DLP_URL=url, DLP_CONFIG_DIR=str(tmp_path / "dlp-config"),
                      PATH=f"{clone / '.venv' / 'bin'}{os.pathsep}{outside_env()['PATH']}")
    # No terminal (a new session): `dlp login` reads the password from standard input.
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, text=True,
                          input=LEARNER_PASSWORD + "\n", capture_output=True, timeout=900,
                          start_new_session=True)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]

    assert '"token":"dlp_' in output.replace(" ", "")
    assert "event: status" in done.stdout and re.search(r'"status": ?"succeeded"', done.stdout)
    assert '"predictions"' in done.stdout and '"explanations"' in done.stdout
    assert re.search(r"job \d+(?: cancelled|: cancel requested)", done.stdout), output[-3000:]
    assert "lower moon" in done.stdout  # dlp predict's answer
    saved = {path.name for path in tmp_path.iterdir()}
    assert "run.csv" in saved and any(name.endswith(".pt") for name in saved), saved
