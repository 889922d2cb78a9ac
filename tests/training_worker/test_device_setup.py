"""A worker child is set up for its device: threads on a CPU, repeatable kernels on a GPU."""

import os

import pytest
import torch

from training_worker import device


@pytest.fixture(autouse=True)
def _restore_torch():
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    cudnn = torch.backends.cudnn
    flags = (cudnn.deterministic, cudnn.benchmark, cudnn.allow_tf32,
             torch.backends.cuda.matmul.allow_tf32)
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)
    (cudnn.deterministic, cudnn.benchmark, cudnn.allow_tf32,
     torch.backends.cuda.matmul.allow_tf32) = flags


def test_a_cpu_worker_sets_its_threads_and_nothing_else():
    device.configure("cpu", threads=1)
    assert torch.get_num_threads() == 1
    assert not torch.are_deterministic_algorithms_enabled()


def test_a_gpu_worker_asks_for_repeatable_full_float32_kernels(monkeypatch):
    # configure() sets flags and the environment only: no GPU is needed to check them.
    torch.backends.cudnn.allow_tf32 = True  # torch's default for convolutions
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    device.configure("cuda:0", threads=1)
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.is_deterministic_algorithms_warn_only_enabled()
    assert not torch.backends.cudnn.allow_tf32 and not torch.backends.cuda.matmul.allow_tf32
