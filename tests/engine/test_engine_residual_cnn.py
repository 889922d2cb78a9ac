"""The residual CNN (model.residual) and strided convolutions (model.stride) on the digits:
shapes, the identity skip, the receptive field, determinism and clear refusals."""

import pytest
import torch
from torch import nn

from engine import ConfigError, budget, parse_config
from engine.config_rules import compatibility_errors
from engine.models import ConvNet, Projection, ResidualBlock, build_model, weight_layers
from engine.receptive_field import layer_kernels_and_strides, receptive_field
from tests.engine.support import epoch_metrics, make_config, run


def cnn(**model):
    return parse_config({"model": {"kind": "cnn", **model}, "data": {"name": "digits"},
                         "optim": {"name": "adam", "lr": 0.01, "epochs": 1}})


def test_residual_blocks_project_the_skip_only_where_the_shape_changes():
    cfg = cnn(channels=[8, 8, 16], residual=True, stride=2, pool=False, batch_norm=True)
    model = build_model(cfg.model, cfg.data)
    blocks = [stage[0] for stage in model.features]
    assert all(isinstance(block, ResidualBlock) for block in blocks)
    # 1 -> 8 channels at stride 2 (8x8 -> 4x4): projected; 8 -> 8 at stride 2 (4 -> 2):
    # projected; 8 -> 16 at stride 1 (2x2 stays, 1x1 would be too small): projected.
    assert [type(block.skip) for block in blocks] == [nn.Sequential] * 3
    assert [block.branch[0].stride for block in blocks] == [(2, 2), (2, 2), (1, 1)]
    same = build_model(cnn(channels=[8, 8], residual=True).model, cfg.data)
    assert isinstance(same.features[1][0].skip, nn.Identity)  # 8 -> 8, stride 1: identity
    output = model(torch.rand(5, 64))
    assert output.shape == (5, 10)
    assert model.head[-1].in_features == 16 * 2 * 2
    assert model.first_layer_maps(torch.rand(3, 64)).shape == (3, 8, 4, 4)
    assert model.first_conv is blocks[0].branch[0]


def test_weight_layers_name_the_projections_apart():
    cfg = cnn(channels=[8, 8], residual=True)
    names = [name for name, _ in weight_layers(build_model(cfg.model, cfg.data))]
    assert names == ["conv1", "conv2", "skip1", "conv3", "conv4", "linear1"]


@pytest.mark.parametrize("batch_norm", [True, False])
def test_a_block_whose_branch_is_zero_passes_its_input_through(batch_norm):
    torch.manual_seed(0)
    cfg = cnn(channels=[8], residual=True, batch_norm=batch_norm)
    block = ResidualBlock(cfg.model, 8, 8, stride=1).eval()
    last = block.branch[-1]  # the second convolution, or its batch norm
    x = torch.rand(4, 8, 8, 8)  # non-negative, as the maps after a ReLU are
    assert not torch.allclose(block(x), x)
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
    assert torch.equal(block(x), x)
    assert isinstance(block.skip, nn.Identity)


def test_a_projected_block_with_a_zero_branch_is_its_projection():
    torch.manual_seed(0)
    cfg = cnn(channels=[8], residual=True)
    block = ResidualBlock(cfg.model, 4, 8, stride=2).eval()
    with torch.no_grad():
        block.branch[-1].weight.zero_()
        block.branch[-1].bias.zero_()
    x = torch.rand(2, 4, 8, 8)
    projection = block.skip[0]
    assert isinstance(projection, Projection) and projection.kernel_size == (1, 1)
    assert torch.allclose(block(x), torch.relu(projection(x)))


def measured_receptive_field(model: ConvNet, side: int = 64) -> int:
    """Side of the square of input pixels with a nonzero gradient for the centre unit of
    the last feature map, over a few random images (max-pooling passes the gradient to one
    pixel of each window per image). In eval mode, so that batch norm does not mix pixels."""
    model.eval()
    touched = torch.zeros(side, side, dtype=torch.bool)
    generator = torch.Generator().manual_seed(0)
    for _ in range(12):
        image = torch.rand(1, 1, side, side, generator=generator, requires_grad=True)
        maps = model.features(image)
        centre = maps.shape[-1] // 2
        maps[0, :, centre, centre].sum().backward()
        touched |= image.grad[0, 0] != 0
    rows, cols = touched.any(dim=1).nonzero(), touched.any(dim=0).nonzero()
    height, width = int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)
    assert height == width and int(touched.sum()) == height * width  # a full square
    return height


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ({"channels": [4, 4, 4], "pool": False}, 7),  # 1 + 3 * 2
        ({"channels": [4, 4, 4], "pool": False, "kernel_size": 5}, 13),
        ({"channels": [4, 4, 4], "pool": False, "stride": 2}, 15),  # 1 + 2 + 4 + 8
        ({"channels": [4, 4], "pool": True}, 10),  # conv, pool, conv, pool: 1 + 2 + 1 + 4 + 2
        ({"channels": [4, 4, 4], "pool": False, "residual": True}, 13),  # six 3x3 convs
        # Strides 2, 2, then 1 (the 2x2 maps stay): 1 + 2 + 2 + 2*2 + 4*2 + 4*2 + 4*2.
        ({"channels": [4, 8, 8], "pool": False, "residual": True, "stride": 2}, 35),
        ({"channels": [4, 4, 4, 4, 4, 4, 4, 4], "pool": False}, 17),
    ],
)
def test_receptive_field_formula_matches_the_pixels_the_gradient_reaches(model, expected):
    cfg = cnn(activation="linear", batch_norm=True, **model)
    layers = layer_kernels_and_strides(cfg.model, cfg.data)
    torch.manual_seed(0)
    assert receptive_field(layers) == expected
    assert measured_receptive_field(build_model(cfg.model, cfg.data)) == expected


def test_residual_training_is_deterministic_for_a_seed():
    def losses(seed):
        cfg = make_config("cnn", "digits", model={"channels": [8, 8], "residual": True,
                                                  "batch_norm": True, "stride": 2},
                          data={"n_samples": 400, "seed": seed}, epochs=2, batch_size=64)
        result, events = run(cfg)
        return [m["val_loss"] for m in epoch_metrics(events)], result.model.state_dict()

    first, again, other = losses(0), losses(0), losses(1)
    assert first[0] == again[0]
    assert all(torch.equal(first[1][key], again[1][key]) for key in first[1])
    assert first[0] != other[0]


def test_budget_counts_a_residual_blocks_multiply_adds():
    cfg = cnn(channels=[8, 16], residual=True, pool=False, stride=2)
    # Block 1 (8x8 -> 4x4 maps): 3x3 1->8 and 8->8, 1x1 projection 1->8, all on 4x4 outputs.
    block1 = 16 * (1 * 8 * 9 + 8 * 8 * 9 + 1 * 8)
    # Block 2 (4x4 -> 2x2): 3x3 8->16 and 16->16, projection 8->16, on 2x2 outputs.
    block2 = 4 * (8 * 16 * 9 + 16 * 16 * 9 + 8 * 16)
    head = 16 * 2 * 2 * 10
    assert budget.forward_macs(cfg.model, cfg.data) == block1 + block2 + head


@pytest.mark.parametrize(
    ("model", "path", "words"),
    [
        ({"residual": "yes"}, "model.residual", "true or false"),
        ({"stride": 3}, "model.stride", "one of 1, 2 (got 3)"),
        ({"channels": [8] * 9}, "model.channels", "at most 8 items"),
    ],
)
def test_bad_residual_settings_are_refused_at_their_field(model, path, words):
    with pytest.raises(ConfigError) as caught:
        cnn(**model)
    assert list(caught.value.errors) == [path]
    assert words in caught.value.errors[path]


def test_residual_is_a_cnn_field_only():
    with pytest.raises(ConfigError) as caught:
        parse_config({"model": {"kind": "mlp", "residual": True}, "data": {"name": "moons"},
                      "optim": {"name": "adam", "lr": 0.01, "epochs": 1}})
    assert list(caught.value.errors) == ["model.residual"]


def test_a_plain_base_cannot_start_a_residual_model():
    base, ours = cnn(channels=[8, 16]), cnn(channels=[8, 16], residual=True)
    errors = compatibility_errors(ours, base, "transfer.base_job")
    assert list(errors) == ["model.residual"]
    assert compatibility_errors(cnn(channels=[8, 16], stride=2), base, "x") == {
        "model.stride": "must be the base's (1) to start from it (got 2)"
    }
