"""Data augmentation of the digits (data.augment_shift, data.augment_rotation_deg): validated,
the transforms checked against pixels computed by hand, deterministic with the seed, fresh
on every batch, and never applied to what is measured (validation, test, training loss)."""

import pytest
import torch
import torch.nn.functional as F

from engine import ConfigError
from engine.augment import Augmenter, rotate_images, shift_images
from engine.budget import estimate_seconds
from engine.config_rules import split_sizes
from engine.datasets import load_dataset
from engine.models import build_model
from engine.packed import can_pack
from engine.supervised import SupervisedTask
from jobs.codegen import NotCovered, pytorch_script
from tests.engine.support import make_config, run

AUGMENTED = {"augment_shift": 1, "augment_rotation_deg": 15}


def digits_config(data=None, kind="mlp", **optim):
    return make_config(kind, "digits", data={"n_samples": 300, **(data or {})}, **optim)


# --- validation ---------------------------------------------------------------------------

def test_augmentation_is_off_by_default():
    data = digits_config().data
    assert (data.augment_shift, data.augment_rotation_deg) == (0, 0.0)


@pytest.mark.parametrize(("shift", "degrees"), [(0, 0), (1, 10), (2, 30), (0, 7.5)])
def test_augmentation_accepts_values_in_range(shift, degrees):
    data = digits_config({"augment_shift": shift, "augment_rotation_deg": degrees}).data
    assert (data.augment_shift, data.augment_rotation_deg) == (shift, degrees)


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("augment_shift", -1, "must be between 0 and 2 (got -1)"),
    ("augment_shift", 3, "must be between 0 and 2 (got 3)"),
    ("augment_shift", 1.5, "must be an integer (got 1.5)"),
    ("augment_rotation_deg", 31, "must be between 0 and 30 (got 31)"),
    ("augment_rotation_deg", -5, "must be between 0 and 30 (got -5)"),
    ("augment_rotation_deg", "a bit", 'must be a number (got "a bit")'),
])
def test_bad_augmentation_values_name_the_field_and_the_reason(field, value, reason):
    with pytest.raises(ConfigError) as error:
        digits_config({field: value})
    assert error.value.errors == {f"data.{field}": reason}


@pytest.mark.parametrize("field", ["augment_shift", "augment_rotation_deg"])
def test_augmentation_is_refused_on_data_that_is_not_digits(field):
    with pytest.raises(ConfigError) as error:
        make_config("mlp", "moons", data={field: 1})
    assert list(error.value.errors) == [f"data.{field}"]
    assert 'not of "moons"' in error.value.errors[f"data.{field}"]


def test_augmentation_is_refused_for_a_model_that_does_not_classify_digits():
    with pytest.raises(ConfigError) as error:
        make_config("autoencoder", "digits", data={"augment_shift": 1})
    assert list(error.value.errors) == ["data.augment_shift"]
    assert 'model.kind "autoencoder"' in error.value.errors["data.augment_shift"]


def test_augmentation_is_accepted_for_the_cnn_and_the_digit_subsets():
    assert make_config("cnn", "digits_0_4", data={"augment_shift": 1}).data.augment_shift == 1


# --- the transforms -----------------------------------------------------------------------

def test_a_shift_moves_every_pixel_by_the_shift_and_fills_with_zeros():
    images = torch.rand(3, 8, 8)
    dx, dy = torch.tensor([1, -1, 0]), torch.tensor([0, 1, -1])
    shifted = shift_images(images, dx, dy)
    expected = torch.zeros_like(images)
    for i in range(3):
        for row in range(8):
            for col in range(8):
                source_row, source_col = row - int(dy[i]), col - int(dx[i])
                if 0 <= source_row < 8 and 0 <= source_col < 8:
                    expected[i, row, col] = images[i, source_row, source_col]
    assert torch.equal(shifted, expected)


def test_a_shift_right_by_one_moves_a_lit_pixel_one_column_right():
    image = torch.zeros(1, 8, 8)
    image[0, 2, 3] = 1.0
    shifted = shift_images(image, torch.tensor([1]), torch.tensor([0]))
    assert shifted[0].nonzero().tolist() == [[2, 4]]


def test_a_rotation_by_zero_degrees_is_the_identity():
    images = torch.rand(5, 8, 8)
    assert torch.allclose(rotate_images(images, torch.zeros(5)), images, atol=1e-6)


def test_a_quarter_turn_is_rot90_counterclockwise_as_drawn():
    images = torch.rand(4, 8, 8)
    expected = torch.rot90(images, k=1, dims=(1, 2))
    assert torch.allclose(rotate_images(images, torch.full((4,), 90.0)), expected, atol=1e-5)


def test_a_small_rotation_keeps_the_ink_in_range_and_the_centre_of_mass_near_the_centre():
    data = load_dataset(digits_config().data)
    images = data.x_train[:50].reshape(-1, 8, 8)
    rotated = rotate_images(images, torch.full((50,), 15.0))
    assert rotated.min() >= 0 and rotated.max() <= 1 + 1e-6
    assert not torch.allclose(rotated, images, atol=1e-3)


# --- the augmenter ------------------------------------------------------------------------

def test_the_augmenter_is_deterministic_with_the_seed_and_differs_across_seeds():
    x = load_dataset(digits_config().data).x_train[:32]

    def two_batches(seed):
        augment = Augmenter(digits_config({**AUGMENTED, "seed": seed}).data, "cpu")
        return augment(x), augment(x)

    first, again, other = two_batches(0), two_batches(0), two_batches(1)
    assert torch.equal(first[0], again[0]) and torch.equal(first[1], again[1])
    assert not torch.equal(first[0], other[0])


def test_every_batch_gets_fresh_poses():
    x = load_dataset(digits_config().data).x_train[:32]
    augment = Augmenter(digits_config({"augment_shift": 1}).data, "cpu")
    assert not torch.equal(augment(x), augment(x))


def test_shifts_stay_within_the_configured_range():
    """Every augmented image equals the original moved by some (dx, dy) in [-1, 1]^2."""
    x = load_dataset(digits_config().data).x_train[:40]
    augmented = Augmenter(digits_config({"augment_shift": 1}).data, "cpu")(x)
    images = x.reshape(-1, 8, 8)
    for original, moved in zip(images, augmented.reshape(-1, 8, 8), strict=True):
        candidates = [
            shift_images(original[None], torch.tensor([dx]), torch.tensor([dy]))[0]
            for dx in (-1, 0, 1) for dy in (-1, 0, 1)
        ]
        assert any(torch.equal(moved, candidate) for candidate in candidates)


# --- training -----------------------------------------------------------------------------

def test_a_training_step_trains_on_augmented_images_not_the_originals():
    cfg = digits_config(AUGMENTED, batch_size=32)
    data = load_dataset(cfg.data)
    torch.manual_seed(0)
    model = build_model(cfg.model, cfg.data)
    task = SupervisedTask(cfg, data, model, "cpu")
    batch = torch.arange(32)
    with torch.no_grad():
        on_originals = F.cross_entropy(model(data.x_train[batch]), data.y_train[batch]).item()
    assert task.step(batch).item() != pytest.approx(on_originals, rel=1e-4)


def test_augmentation_never_touches_the_validation_test_or_measured_training_data():
    cfg = digits_config({**AUGMENTED, "test_fraction": 0.2}, epochs=2)
    clean = load_dataset(cfg.data)
    data = load_dataset(cfg.data)
    torch.manual_seed(0)
    task = SupervisedTask(cfg, data, build_model(cfg.model, cfg.data), "cpu")
    for start in range(0, len(data.y_train), 32):
        task.step(torch.arange(start, min(start + 32, len(data.y_train))))
    for name in ("x_train", "x_val", "x_test"):
        assert torch.equal(getattr(data, name), getattr(clean, name)), name
    measured = task.evaluate()
    with torch.no_grad():
        val_loss = F.cross_entropy(task.model(clean.x_val), clean.y_val).item()
        train_loss = F.cross_entropy(task.model(clean.x_train), clean.y_train).item()
    assert measured["val_loss"] == pytest.approx(val_loss, rel=1e-5)
    assert measured["train_loss"] == pytest.approx(train_loss, rel=1e-5)
    test = task.test_metrics()
    with torch.no_grad():
        test_loss = F.cross_entropy(task.model(clean.x_test), clean.y_test).item()
    assert test["loss"] == pytest.approx(test_loss, rel=1e-5)


def test_an_augmented_run_is_repeatable_and_differs_from_the_plain_one():
    cfg = digits_config(AUGMENTED, epochs=15)
    first, _ = run(cfg)
    again, _ = run(cfg)
    plain, _ = run(digits_config(epochs=15))
    assert first.summary["val_loss"] == again.summary["val_loss"]
    assert first.summary["val_loss"] != plain.summary["val_loss"]
    # Still learns the digits: well above the 10% of guessing among ten classes.
    assert first.summary["val_accuracy"] > 0.3


def test_augmentation_is_budgeted_and_trained_alone():
    cfg, plain = digits_config(AUGMENTED), digits_config()
    sizes = split_sizes(cfg.data)
    assert estimate_seconds(cfg, sizes.train, sizes.val) > estimate_seconds(
        plain, sizes.train, sizes.val)
    assert can_pack([cfg]) == "job 0: data augmentation is not packed"


def test_the_generated_script_refuses_augmentation_rather_than_train_without_it():
    with pytest.raises(NotCovered, match="augment"):
        pytorch_script(digits_config(AUGMENTED).to_dict())
