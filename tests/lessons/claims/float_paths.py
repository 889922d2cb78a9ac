"""Other CPUs' float arithmetic, reproduced on this one.

Some lesson runs amplify the last bit of a float (a too-large initialization, a high learning
rate, a GAN, fine-tuning at its edge): the same seed lands elsewhere on a CPU whose kernels
round a sum differently. On 2026-12-06 an AMD EPYC (AVX-512) ended twenty such lesson runs
somewhere other than the Intel Xeon that measured them. A learner's worker is another CPU (or a
GPU), so a claim about such a run must say what holds on any of them (a range over seeds, what
every seed does), not one run's digits.

This machine can round differently on demand, with the real kernels of other CPUs' code paths:
- `ATEN_CPU_CAPABILITY=default`: ATen's kernels without SIMD, as on a CPU without AVX2 (sums
  reduce in another order);
- `MKL_CBWR=COMPATIBLE`: MKL's conditional-numerical-reproducibility path, the code MKL runs
  on a CPU it does not recognize (matrix products block and round differently).
Each is read when torch loads, so it takes a new process: test_claims_float_path_*.py rerun
every claim marked `chaotic_run` under one path each (two files, so that the suite's two
processes can take one each), and check the paths do change the floats here.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

FLOAT_PATHS: dict[str, dict[str, str]] = {
    "generic-kernels": {"ATEN_CPU_CAPABILITY": "default"},
    "mkl-compatible": {"MKL_CBWR": "COMPATIBLE"},
}
CLAIMS = Path(__file__).parent


def fingerprint() -> list[float]:
    """The training losses of a run that amplifies rounding (the initialization lab at three
    times its scale, clipped at 1): equal on two float paths only if they round alike."""
    from tests.lessons.claims.support import epoch_metrics  # why: trains; only when asked

    changes = {"model.init_scale": 3, "optim.clip_grad_norm": 1}
    return [m["train_loss"] for m in epoch_metrics("deep-network-inits", changes)]


def run_on_path(path: str, *command: str) -> subprocess.CompletedProcess:
    """`python *command` in a new process that takes the float path `path`."""
    env = dict(os.environ, **FLOAT_PATHS[path])
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run([sys.executable, *command], env=env, cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=1200)


def fingerprint_on_path(path: str) -> list[float]:
    script = ("import json, os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
              "'dlplatform.settings'); django.setup(); "
              "from tests.lessons.claims.float_paths import fingerprint; "
              "print(json.dumps(fingerprint()))")
    done = run_on_path(path, "-c", script)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_chaotic_claims_hold_on(path: str) -> None:
    """Every claim marked `chaotic_run` passes on `path`; skipped where the path rounds as
    this process does (a CPU whose native kernels are that path: the suite's own run of the
    claims already is the check)."""
    if fingerprint_on_path(path) == fingerprint():
        pytest.skip(f"the {path} float path rounds as this process does on this CPU")
    done = run_on_path(path, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                       "-m", "chaotic_run", str(CLAIMS))
    tail = (done.stdout + done.stderr)[-4000:]
    assert done.returncode == 0, f"on the {path} float path ({FLOAT_PATHS[path]}):\n{tail}"
    assert " passed" in done.stdout, tail
