"""The Dataset every loader returns: train, validation and (optionally) test tensors.

Its own module so that the loaders of `datasets`, `hiring` and `sequences` all build it
without importing each other (`datasets` picks the loader by name).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import torch


@dataclass(frozen=True)
class Normalization:
    """What the loader did to raw inputs before the model saw them, fixed by the training
    set: x_model = (x_raw - shift) / scale per feature (one value for every feature when
    there is one of each). Empty for data the model reads as drawn (images in [0, 1], the
    logic corners, characters): nothing to undo.

    Computed once, where the split is made; stored with the trained model, so serving it
    never has to draw the data again.
    """

    shift: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()

    @classmethod
    def of(cls, shift: Iterable[float], scale: Iterable[float]) -> "Normalization":
        return cls(tuple(float(v) for v in shift), tuple(float(v) for v in scale))

    def as_dict(self) -> dict[str, list[float]]:
        """{"shift": [...], "scale": [...]}, or {} when nothing was done (JSON-able)."""
        if not self.shift:
            return {}
        return {"shift": list(self.shift), "scale": list(self.scale)}


@dataclass(frozen=True)
class Dataset:
    x_train: torch.Tensor  # float32 (n, features) or (n, window, 1); int64 (n, window) for text
    y_train: torch.Tensor  # int64 class indices, or float32 targets for series
    x_val: torch.Tensor
    y_val: torch.Tensor
    classes: list[str]  # empty when the targets are numbers
    x_test: torch.Tensor | None = None
    y_test: torch.Tensor | None = None
    # Datasets with groups (hiring): the group names and each sample's group index.
    groups: list[str] = field(default_factory=list)
    g_train: torch.Tensor | None = None
    g_val: torch.Tensor | None = None
    g_test: torch.Tensor | None = None
    normalization: Normalization = Normalization()

    @property
    def n_features(self) -> int:
        """Numbers per sample, or for sequences per time step (a character is one)."""
        if self.x_train.dtype == torch.int64:
            return 1
        return self.x_train.shape[-1]

    @property
    def n_classes(self) -> int:
        return len(self.classes)
