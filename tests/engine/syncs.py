"""Counting a training run's host-device synchronizations, on the CPU.

On a GPU the host waits for the device whenever it reads a value computed there
(.item(), float(t), int(t), bool(t), .tolist(), .numpy(), .cpu()) and whenever an op has
to read the data to size its result (nonzero, a boolean mask, bincount, unique); each copy
of host data to the device (x.to(device), torch.tensor(...)) is a transfer the host
issues and, from pageable memory, waits for. On the CPU none of these wait and a
.to("cpu") of a CPU tensor does nothing at all, so the counter watches the calls
themselves: with device "cpu" standing in for the GPU, every .to(device) counts as a copy
to the device and every read of a tensor as a read from it. With a real accelerator the
dispatcher sees the cross-device copies, and only those count.

`count_syncs` trains a config and gives each event the synchronizations made since the
previous one: the work that produced it. A step METRIC carries its steps (and the reads
of its loss), an epoch METRIC the epoch's evaluation.
"""

import sys
import sysconfig
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from unittest.mock import patch

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from engine import INFO, METRIC
from engine.events import CLASSIFICATION_REPORT, CONFUSION_MATRIX, FAIRNESS, Event
from engine.training import TASKS, train

READ, COPY = "read", "copy"  # device to host (the host waits), host to device
EPOCH_START = "epoch start"  # not an engine event: marks where an epoch's step loop begins

# Ops whose CUDA kernels read the data back to know how large their result is.
SIZED_BY_DATA = {
    torch.ops.aten.nonzero.default,
    torch.ops.aten.masked_select.default,
    torch.ops.aten.bincount.default,
    torch.ops.aten._unique2.default,
    torch.ops.aten.unique_dim.default,
    torch.ops.aten.unique_consecutive.default,
    torch.ops.aten.repeat_interleave.Tensor,
}
# Reading a tensor's values on the host: from the device, a copy the host waits for.
HOST_READS = {"tolist", "numpy", "cpu"}
# torch.optim keeps an optimizer's step count in a host tensor (unless capturable) and
# reads it with .item() at every step: that read does not wait for the device.
OPTIMIZER_DIR = str(Path(torch.optim.__file__).parent)
PROJECT_DIR = str(Path(__file__).resolve().parents[2])
# Installed packages are not the project's code even when the virtualenv lies inside the
# checkout (as `./dev` makes it: `.venv/`), so a frame of torch's own wrappers there
# (torch._dynamo's around the optimizer) is walked past, not taken for the call site.
INSTALLED_DIRS = tuple({sys.prefix, sys.base_prefix, *sysconfig.get_paths().values()})


@dataclass
class SyncCount:
    """The synchronizations counted, with where each came from (file:line, kind)."""

    sites: Counter = field(default_factory=Counter)

    def total(self) -> int:
        return sum(self.sites.values())

    def add(self, kind: str, *, stand_in: bool) -> None:
        site, in_optimizer = _calling_site()
        # On the stand-in, the optimizer's reads of its host step counts look like reads
        # of the device; on a real device they are reads of host tensors, not counted.
        if not (stand_in and in_optimizer):
            self.sites[(site, kind)] += 1

    def __add__(self, other: "SyncCount") -> "SyncCount":
        return SyncCount(self.sites + other.sites)

    def __str__(self) -> str:
        return ", ".join(f"{site} {kind} x{n}" for (site, kind), n in sorted(self.sites.items()))


def _calling_site() -> tuple[str, bool]:
    """The first frame of the project that led here (file:line), and whether the call
    came through torch.optim on its way."""
    frame = sys._getframe(3)
    in_optimizer = False
    while frame is not None:
        filename = frame.f_code.co_filename
        in_optimizer = in_optimizer or filename.startswith(OPTIMIZER_DIR)
        if (filename.startswith(PROJECT_DIR) and not filename.startswith(INSTALLED_DIRS)
                and filename != __file__):
            return f"{Path(filename).relative_to(PROJECT_DIR)}:{frame.f_lineno}", in_optimizer
        frame = frame.f_back
    return "?", in_optimizer


class _Calls(TorchFunctionMode):
    """The stand-in device's copies and reads, seen as calls (they do nothing on the CPU)."""

    def __init__(self, count: Callable[[], SyncCount]) -> None:
        super().__init__()
        self.count = count

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if name in HOST_READS:
            self.count().add(READ, stand_in=True)
        elif name in ("to", "cuda") and _names_a_device(args[1:], kwargs):
            self.count().add(COPY, stand_in=True)
        return func(*args, **kwargs)


def _names_a_device(args, kwargs) -> bool:
    return "device" in kwargs or any(
        isinstance(arg, str | torch.device | torch.Tensor) for arg in args
    )


class _Ops(TorchDispatchMode):
    """Reads the dispatcher sees: scalars, data-sized results; and real cross-device copies."""

    def __init__(self, count: Callable[[], SyncCount], stand_in: bool) -> None:
        super().__init__()
        self.count, self.stand_in = count, stand_in

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.ops.aten._local_scalar_dense.default:
            if self.stand_in or args[0].device.type != "cpu":
                self.count().add(READ, stand_in=self.stand_in)
        elif func in SIZED_BY_DATA or _indexes_with_a_mask(func, args):
            self.count().add(READ, stand_in=self.stand_in)
        elif func is torch.ops.aten.lift_fresh.default and self.stand_in:
            self.count().add(COPY, stand_in=True)  # torch.tensor(python data): built on the host
        elif func in (torch.ops.aten._to_copy.default, torch.ops.aten.copy_.default):
            copy_ = func is torch.ops.aten.copy_.default
            source = args[1] if copy_ else args[0]
            target = args[0].device if copy_ else kwargs.get("device") or source.device
            if torch.device(target).type != source.device.type:
                kind = READ if torch.device(target).type == "cpu" else COPY
                self.count().add(kind, stand_in=False)
        return func(*args, **kwargs)


def _indexes_with_a_mask(func, args) -> bool:
    if func not in (torch.ops.aten.index.Tensor, torch.ops.aten.index_put_.default):
        return False
    return any(index is not None and index.dtype == torch.bool for index in args[1])


def count_syncs(config, device: str = "cpu") -> list[tuple[Event, SyncCount]]:
    """Train `config` on `device`; each event with the synchronizations made since the
    previous event."""
    counted: list[tuple[Event, SyncCount]] = []
    current = SyncCount()

    def count() -> SyncCount:
        return current

    def on_event(event: Event) -> None:
        nonlocal current
        counted.append((event, current))
        current = SyncCount()

    def epoch_starts(start_epoch):
        # What ran before an epoch's start (a snapshot picture that made no event) is not
        # the step loop's: it ends here, and the loop's count starts.
        def wrapper(task):
            on_event(Event(EPOCH_START, {}))
            return start_epoch(task)
        return wrapper

    stand_in = torch.device(device).type == "cpu"
    with ExitStack() as modes:
        for task_class in set(TASKS.values()):
            modes.enter_context(patch.object(
                task_class, "start_epoch", epoch_starts(task_class.start_epoch)
            ))
        if stand_in:
            modes.enter_context(_Calls(count))
        modes.enter_context(_Ops(count, stand_in))
        train(config, on_event, device=device)
    return counted


def step_points(counted: list[tuple[Event, SyncCount]], epoch: int) -> list[SyncCount]:
    """What each of an epoch's step METRICs cost: its steps and the read of its loss (the
    first one also the epoch's start)."""
    return [count for event, count in counted if event.type == METRIC
            and event.payload["scope"] == "step" and event.payload["epoch"] == epoch]


def training_syncs(counted: list[tuple[Event, SyncCount]], epoch: int) -> SyncCount:
    """An epoch's step loop: what its step METRICs cost."""
    return _sum(step_points(counted, epoch))


def evaluation_syncs(counted: list[tuple[Event, SyncCount]], epoch: int) -> SyncCount:
    """An epoch's evaluation: its epoch METRIC and the kind's per-epoch reports."""
    return _sum(count for event, count in counted if event.payload.get("epoch") == epoch and (
        (event.type == METRIC and event.payload["scope"] == "epoch")
        or event.type in (CONFUSION_MATRIX, CLASSIFICATION_REPORT, FAIRNESS)
    ))


def steps_per_epoch(counted: list[tuple[Event, SyncCount]]) -> int:
    return next(event.payload["steps_per_epoch"] for event, _ in counted if event.type == INFO)


def _sum(counts) -> SyncCount:
    total = SyncCount()
    for count in counts:
        total = total + count
    return total
