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
Each is read when torch loads, so it takes a new process: test_claims_float_paths.py reruns
every claim marked `chaotic_run` under each, and checks the paths do change the floats here.
"""

FLOAT_PATHS: dict[str, dict[str, str]] = {
    "generic-kernels": {"ATEN_CPU_CAPABILITY": "default"},
    "mkl-compatible": {"MKL_CBWR": "COMPATIBLE"},
}


def fingerprint() -> list[float]:
    """The training losses of a run that amplifies rounding (the initialization lab at three
    times its scale, clipped at 1): equal on two float paths only if they round alike."""
    from tests.lessons.claims.support import epoch_metrics  # why: trains; only when asked

    changes = {"model.init_scale": 3, "optim.clip_grad_norm": 1}
    return [m["train_loss"] for m in epoch_metrics("deep-network-inits", changes)]
