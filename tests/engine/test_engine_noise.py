"""An epoch's training noise: drawn once, then taken by the steps in order."""

import pytest
import torch

from engine.noise import EpochNoise


def test_steps_take_the_epochs_noise_in_order_and_each_epoch_draws_new_noise():
    noise = EpochNoise(torch.Generator().manual_seed(3), (2,), "cpu")
    noise.draw(5, scale=0.5)
    first_epoch = torch.cat([noise.take(2), noise.take(3)])
    expected = torch.randn((5, 2), generator=torch.Generator().manual_seed(3)) * 0.5
    assert torch.equal(first_epoch, expected)
    with pytest.raises(RuntimeError, match="used up"):
        noise.take(1)
    noise.draw(5, scale=0.5)
    second_epoch = noise.take(5)
    assert second_epoch.shape == (5, 2) and not torch.equal(second_epoch, first_epoch)
