"""A worker child is set up for its device: threads on a CPU, repeatable kernels on a GPU."""

import pytest
import torch

from training_worker import device


@pytest.fixture(autouse=True)
def _restore_torch():
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)


def test_a_cpu_worker_sets_its_threads_and_nothing_else():
    device.configure("cpu", threads=1)
    assert torch.get_num_threads() == 1
    assert not torch.are_deterministic_algorithms_enabled()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_a_gpu_worker_asks_for_repeatable_kernels(monkeypatch):
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    device.configure("cuda:0", threads=1)
    import os

    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.is_deterministic_algorithms_warn_only_enabled()
