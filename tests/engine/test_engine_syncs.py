"""How often a training run makes the host wait for the device, per model kind.

On a GPU every read of a device value (.item(), .tolist()) and every copy of host data to
the device is a synchronization: the host stops queueing work until the device catches
up. A step that syncs costs far more than its arithmetic on the small models here. The
counter (tests/engine/syncs.py) runs the real training on the CPU standing in for the
device and counts those calls; each kind is held to a budget per epoch, for its step loop
and for its evaluation. The step loop's budget is a constant plus one read per reported
step point (the live chart's); an .item() or a .to(device) added inside a step exceeds it.
"""

import pytest
import torch

from engine.training import MAX_STEP_EVENTS_PER_EPOCH
from tests.engine.support import make_config
from tests.engine.syncs import (
    count_syncs,
    evaluation_syncs,
    step_points,
    steps_per_epoch,
    training_syncs,
)

# Per epoch, whatever the kind: one copy of the shuffled order to the device
# (training.py). Then one read per step point, its mean training loss: a point is read
# before the next step runs, so that a STOP answered to it (a cancelled job) ends training
# right there (test_engine_train.py). A short epoch reports every step; a long one at most
# MAX_STEP_EVENTS_PER_EPOCH + 1 points, so its steps mostly run without a read.
LOOP = 1
PER_POINT = 1
# A kind that draws fresh noise at each step draws the epoch's at its start and copies it
# to the device once (engine/noise.py).
NOISE = 1
# An epoch's evaluation: one read for all its numbers (losses, accuracies and the
# confusion matrix, from which the report is derived; the GAN's losses, D's outputs and
# the modes covered; the VAE's six terms).
EVALUATION = 1

# name: (kind, dataset, model, data, optim); each at least 4 steps per epoch, so that a
# read per step could not hide in the budget.
KINDS = {
    "mlp": ("mlp", "moons", {"hidden": [8]}, {"n_samples": 200}, {}),
    "mlp-groups": ("mlp", "hiring", {"hidden": [8]}, {"n_samples": 300}, {}),
    "cnn": ("cnn", "digits", {"channels": [4]}, {"n_samples": 300}, {}),
    "rnn-series": ("rnn", "series", {"hidden_size": 8}, {"n_samples": 200}, {}),
    "rnn-text": ("rnn", "text", {"hidden_size": 8}, {"n_samples": 300}, {}),
    "transformer": ("transformer", "text", {"d_model": 16, "heads": 2, "num_layers": 1},
                    {"n_samples": 300}, {}),
    "autoencoder": ("autoencoder", "digits", {"denoise_noise": 0.0}, {"n_samples": 300}, {}),
    "autoencoder-denoising": ("autoencoder", "digits", {"denoise_noise": 0.3},
                              {"n_samples": 300}, {}),
    "gan": ("gan", "mixture", {"hidden": [16]}, {"n_samples": 300}, {}),
    "vae": ("vae", "digits", {"hidden": [16]}, {"n_samples": 300}, {}),
}
DRAWS_NOISE = {"autoencoder-denoising", "gan", "vae"}
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def _config(name, **optim):
    kind, dataset, model, data, extra = KINDS[name]
    return make_config(kind, dataset, model=model, data=data,
                       **{"epochs": 2, "batch_size": 32, **extra, **optim})


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(KINDS))
def test_each_kind_syncs_a_fixed_number_of_times_per_epoch(name, device):
    counted = count_syncs(_config(name), device=device)
    assert steps_per_epoch(counted) >= 4
    for epoch in (1, 2):
        points = len(step_points(counted, epoch))
        loop_budget = LOOP + PER_POINT * points + (NOISE if name in DRAWS_NOISE else 0)
        training = training_syncs(counted, epoch)
        assert training.total() <= loop_budget, f"epoch {epoch} step loop: {training}"
        evaluation = evaluation_syncs(counted, epoch)
        assert evaluation.total() <= EVALUATION, f"epoch {epoch} evaluation: {evaluation}"


@pytest.mark.parametrize("device", DEVICES)
def test_a_long_epoch_reads_only_its_step_points(device):
    # 80 steps of 2 samples: 20 points of 4 steps each, one read per point, not per step.
    counted = count_syncs(_config("mlp", batch_size=2, epochs=1), device=device)
    steps = steps_per_epoch(counted)
    assert steps > 2 * MAX_STEP_EVENTS_PER_EPOCH
    points = len(step_points(counted, 1))
    assert points <= MAX_STEP_EVENTS_PER_EPOCH + 1
    training = training_syncs(counted, 1)
    assert training.total() <= LOOP + PER_POINT * points, str(training)
