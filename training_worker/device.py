"""Setting a worker process up for the device it trains on.

On a GPU, cuBLAS and cuDNN pick fast kernels that are not bitwise repeatable; a GPU worker
asks for repeatable ones (a little slower), so a seed gives the same run on the same GPU
model and software, in full float32 (no TF32). Across devices (CPU against GPU, or two GPU
models) runs agree only to floating-point tolerance: the order of additions differs. Set in
each worker child before it touches CUDA (tasks._set_up_child), never in the parent, which
forks.
"""

import logging
import os

import torch

log = logging.getLogger(__name__)


def configure(device: str, *, threads: int) -> None:
    torch.set_num_threads(threads)
    if not device.startswith("cuda"):
        return
    # Needed by cuBLAS for deterministic results; read when CUDA starts in this process.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    # Full float32: cuDNN convolutions may use TF32 by default on Ampere and later GPUs,
    # whose 10-bit mantissa moves a run far more than the order of additions does, and a
    # lesson's numbers are float32 runs.
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    # warn_only: an operation without a deterministic kernel still runs, and says so.
    torch.use_deterministic_algorithms(True, warn_only=True)


def log_peak_memory(device: str, job_id: int) -> None:
    """Log the job's peak GPU memory, then reset the peak for the next job."""
    if not device.startswith("cuda"):
        return
    peak = torch.cuda.max_memory_allocated(device)
    log.info("job %s: peak GPU memory %.1f MiB", job_id, peak / 2**20)
    torch.cuda.reset_peak_memory_stats(device)


# How CUDA reports an error that poisons the process's context: torch raises AcceleratorError
# (a RuntimeError) for it; older paths raise a plain RuntimeError whose message says so.
_POISONED_CONTEXT_MESSAGES = ("CUDA error", "device-side assert", "illegal memory access")


def poisons_the_process(exc: BaseException) -> bool:
    """Whether an error from training leaves this process's GPU unusable: after a CUDA error
    every later CUDA call in the process fails too, so its next jobs would all fail. A CUDA
    out-of-memory error is not one: the memory is freed with the job."""
    if isinstance(exc, torch.OutOfMemoryError):
        return False
    if isinstance(exc, torch.AcceleratorError):
        return True
    return isinstance(exc, RuntimeError) and any(
        marker in str(exc) for marker in _POISONED_CONTEXT_MESSAGES
    )
