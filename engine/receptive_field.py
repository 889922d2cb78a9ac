"""How many input pixels one unit of a CNN's last feature map sees, from the config alone.

Going from the input up, each layer of kernel k widens the field by (k - 1) times the
"jump" (the product of the strides below it, the input distance between two neighbouring
units of its input map): r = 1 + sum over layers of (k_l - 1) * s_1 * ... * s_(l-1).
A residual block's field is its main path's (two convolutions): the skip path's 1x1
projection sees less, and a sum sees the union of what its terms see.
"""

from engine.budget import cnn_stages
from engine.config import CnnConfig, DataConfig

POOL = (2, 2)  # max-pooling: 2x2 windows, stride 2


def layer_kernels_and_strides(model: CnnConfig, data: DataConfig) -> list[tuple[int, int]]:
    """(kernel side, stride) of every layer on the longest path, input to output."""
    layers = []
    for stage in cnn_stages(model, data):
        layers.append((model.kernel_size, stage.stride))
        if model.residual:
            layers.append((model.kernel_size, 1))
        if stage.pooled_side != stage.out_side:
            layers.append(POOL)
    return layers


def receptive_field(layers: list[tuple[int, int]]) -> int:
    """Side, in input pixels, of the square one output unit sees (ignoring the image's
    edges, where zero padding cuts it short)."""
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field
