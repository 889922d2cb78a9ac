import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from engine import datasets, parse_config
from engine.catalog import (
    DATASET_CLASSES,
    DIGIT_DATASETS,
    KIND_DATASETS,
    SEQUENCE_DATASETS,
)
from engine.config_rules import split_sizes
from engine.datasets import GENERATORS, POINT_CLOUDS, load_dataset

# Datasets split at random, stratified by class (the sequences are split in time order).
STRATIFIED = [name for name in DATASET_CLASSES if name not in SEQUENCE_DATASETS]


def data_config(name: str, **fields):
    kind = next(kind for kind, names in KIND_DATASETS.items() if name in names)
    raw = {
        "model": {"kind": kind},
        "data": {"name": name, **fields},
        "optim": {"name": "sgd", "lr": 0.1, "epochs": 1},
    }
    return parse_config(raw).data


def test_every_catalogued_dataset_has_a_loader():
    assert set(GENERATORS) | set(DIGIT_DATASETS) | set(SEQUENCE_DATASETS) == set(DATASET_CLASSES)
    assert {name for names in KIND_DATASETS.values() for name in names} == set(DATASET_CLASSES)


@pytest.mark.parametrize("name", STRATIFIED)
@pytest.mark.parametrize(("n_samples", "val_fraction"), [(500, 0.2), (61, 0.33)])
def test_split_has_the_announced_sizes_types_and_every_class_on_both_sides(
    name, n_samples, val_fraction
):
    cfg = data_config(name, n_samples=n_samples, val_fraction=val_fraction, seed=3)
    data = load_dataset(cfg)

    assert (len(data.y_train), len(data.y_val), 0) == split_sizes(cfg)
    assert data.x_train.shape == (len(data.y_train), data.n_features)
    assert data.x_val.shape == (len(data.y_val), data.n_features)
    assert data.x_train.dtype == data.x_val.dtype == torch.float32
    assert data.y_train.dtype == data.y_val.dtype == torch.int64
    assert data.classes == list(DATASET_CLASSES[name])
    every_class = set(range(data.n_classes))
    assert set(data.y_train.tolist()) == every_class
    assert set(data.y_val.tolist()) == every_class


@pytest.mark.parametrize("name", STRATIFIED)
def test_split_keeps_the_class_proportions(name):
    data = load_dataset(data_config(name, n_samples=1000, val_fraction=0.3, seed=2))
    labels = torch.cat([data.y_train, data.y_val])
    share = torch.bincount(labels, minlength=data.n_classes) / len(labels)
    for y in (data.y_train, data.y_val):
        counts = torch.bincount(y, minlength=data.n_classes)
        assert torch.all((counts - share * len(y)).abs() <= 1), counts


@pytest.mark.parametrize("name", [name for name in POINT_CLOUDS if name != "mixture"])
def test_point_clouds_are_standardized_with_training_statistics_only(name):
    data = load_dataset(data_config(name, seed=5))
    assert data.n_features == 2
    assert torch.allclose(data.x_train.mean(dim=0), torch.zeros(2), atol=1e-5)
    assert torch.allclose(data.x_train.std(dim=0, unbiased=False), torch.ones(2), atol=1e-5)
    # The validation set went through the same transform, not its own.
    assert not torch.allclose(data.x_val.mean(dim=0), torch.zeros(2), atol=1e-5)


# The text is the corpus whatever the seed; the seed still shuffles its training order.
@pytest.mark.parametrize("name", [name for name in DATASET_CLASSES if name != "text"])
def test_same_seed_gives_the_same_data_and_another_seed_does_not(name):
    first = load_dataset(data_config(name, seed=11))
    again = load_dataset(data_config(name, seed=11))
    other = load_dataset(data_config(name, seed=12))
    for field in ("x_train", "y_train", "x_val", "y_val"):
        assert torch.equal(getattr(first, field), getattr(again, field))
    assert not torch.equal(first.x_train, other.x_train)


def test_xor_labels_are_the_sign_of_the_product_and_balanced():
    points, labels = POINT_CLOUDS["xor"](400, 0.0, np.random.default_rng(0))
    assert np.all(np.abs(points) <= 1)
    assert np.array_equal(labels, (points[:, 0] * points[:, 1] > 0).astype(int))
    assert np.bincount(labels).tolist() == [200, 200]


def test_gaussians_are_four_blobs_with_noise_as_their_spread():
    points, labels = POINT_CLOUDS["gaussians"](4000, 0.3, np.random.default_rng(0))
    assert np.bincount(labels).tolist() == [1000] * 4
    for label in range(4):
        blob = points[labels == label]
        assert np.allclose(blob.std(axis=0), 0.3, atol=0.03)
    centres = np.array([points[labels == label].mean(axis=0) for label in range(4)])
    assert len({tuple(np.sign(centre)) for centre in centres}) == 4


def test_spiral_has_three_balanced_arms_inside_the_unit_disc():
    points, labels = POINT_CLOUDS["spiral"](301, 0.2, np.random.default_rng(0))
    assert np.bincount(labels).tolist() == [101, 100, 100]
    assert np.all(np.linalg.norm(points, axis=1) <= 1)


def test_circles_inner_circle_has_half_the_radius():
    points, labels = POINT_CLOUDS["circles"](200, 0.0, np.random.default_rng(0))
    radius = np.linalg.norm(points, axis=1)
    assert np.allclose(radius[labels == 0], 1.0)
    assert np.allclose(radius[labels == 1], 0.5)


def test_digits_are_scaled_pixels_and_a_stratified_subset():
    data = load_dataset(data_config("digits", n_samples=300, seed=1))
    pixels = torch.cat([data.x_train, data.x_val])
    assert data.n_features == 64
    assert pixels.min() == 0 and pixels.max() == 1
    counts = torch.bincount(torch.cat([data.y_train, data.y_val]), minlength=10)
    assert counts.sum() == 300
    assert counts.min() >= 29 and counts.max() <= 31


def test_digits_n_samples_above_the_set_size_uses_all_images():
    data = load_dataset(data_config("digits", n_samples=5000))
    assert len(data.y_train) + len(data.y_val) == len(load_digits().target) == 1797


def test_digits_are_read_once_per_process_and_cannot_be_modified(monkeypatch):
    calls = []

    def counting_load_digits():
        calls.append(1)
        return load_digits()

    datasets._digits_arrays.cache_clear()
    monkeypatch.setattr(datasets, "load_digits", counting_load_digits)
    try:
        datasets.warm_up()
        load_dataset(data_config("digits"))
        load_dataset(data_config("digits", n_samples=2000))
        assert len(calls) == 1
        pixels, labels = datasets._digits_arrays()
        with pytest.raises(ValueError, match="read-only"):
            pixels[0, 0] = 5
    finally:
        datasets._digits_arrays.cache_clear()


def test_shapes_are_three_balanced_shapes_of_equal_area_inside_the_image():
    images, labels = GENERATORS["shapes"](300, 0.0, np.random.default_rng(0))
    assert images.shape == (300, 784) and images.dtype == np.float32
    assert np.bincount(labels).tolist() == [100, 100, 100]
    pictures = images.reshape(300, 28, 28)
    # Without noise, a pixel is the shape's brightness or background.
    assert images.min() == 0 and images.max() <= 1
    assert np.all(pictures[:, 0, :] == 0) and np.all(pictures[:, -1, :] == 0)
    assert np.all(pictures[:, :, 0] == 0) and np.all(pictures[:, :, -1] == 0)
    areas = (pictures > 0).sum(axis=(1, 2))
    radii = np.sqrt(areas / np.pi)  # the circle's radius the area corresponds to
    assert radii.min() > 2.5 and radii.max() < 7.5
    mean_area = [areas[labels == shape].mean() for shape in range(3)]
    assert max(mean_area) / min(mean_area) < 1.15


def test_shapes_noise_is_pixel_noise_clipped_to_the_unit_range():
    images, _ = GENERATORS["shapes"](50, 0.3, np.random.default_rng(1))
    assert images.min() == 0 and images.max() == 1
    assert 0.1 < images[images < 1].std() < 0.4


def test_mixture_is_eight_balanced_modes_on_a_ring():
    points, labels = GENERATORS["mixture"](8000, 0.05, np.random.default_rng(0))
    assert np.bincount(labels).tolist() == [1000] * 8
    assert np.allclose(np.linalg.norm(points, axis=1), 2.0, atol=0.3)
    centres = np.array([points[labels == mode].mean(axis=0) for mode in range(8)])
    assert np.allclose(np.linalg.norm(centres, axis=1), 2.0, atol=0.01)
    data = load_dataset(data_config("mixture"))
    assert np.allclose(np.linalg.norm(data.x_train.numpy(), axis=1).mean(), 2.0, atol=0.05)


def test_series_windows_predict_the_next_value_and_validation_comes_later():
    from engine.sequences import make_series

    cfg = data_config("series", n_samples=300, window=10, noise=0.1, seed=2)
    data = load_dataset(cfg)
    assert data.x_train.shape == (240, 10, 1) and data.x_val.shape == (60, 10, 1)
    assert data.y_train.dtype == torch.float32 and data.classes == []
    values = make_series(300 + 2 * 10, 0.1, 2)
    train_part = values[: 240 + 10]
    standardized = (values - train_part.mean()) / train_part.std()
    # Training windows come first, validation windows after them, sharing no value.
    assert np.allclose(data.x_train[0, :, 0].numpy(), standardized[:10], atol=1e-6)
    assert np.allclose(data.y_train.numpy(), standardized[10:250], atol=1e-6)
    assert np.allclose(data.x_val[0, :, 0].numpy(), standardized[250:260], atol=1e-6)
    assert np.allclose(data.y_val.numpy(), standardized[260:320], atol=1e-6)
    assert torch.equal(data.x_train[1:, -1, 0], data.y_train[:-1])


def test_text_windows_are_the_corpus_in_order():
    from engine.catalog import TEXT_ALPHABET
    from engine.corpus import corpus_text
    from engine.sequences import decode_text

    text = corpus_text()
    assert set(text) <= set(TEXT_ALPHABET) and 4000 < len(text) < 8000
    cfg = data_config("text", n_samples=1000, window=12)
    data = load_dataset(cfg)
    assert (len(data.y_train), len(data.y_val)) == (800, 200)
    assert data.classes[0] == "␣" and len(data.classes) == len(TEXT_ALPHABET)
    assert decode_text(data.x_train[0]) == text[:12]
    assert decode_text(data.y_train) == text[12:812]
    assert decode_text(data.x_val[0]) == text[812:824]
    assert decode_text(data.y_val) == text[824:1024]


def test_a_test_set_is_stratified_and_disjoint_from_training_and_validation():
    cfg = data_config("gaussians", n_samples=400, test_fraction=0.25, val_fraction=0.25)
    data = load_dataset(cfg)
    assert (len(data.y_train), len(data.y_val), len(data.y_test)) == split_sizes(cfg)
    assert torch.bincount(data.y_test).tolist() == [25] * 4
    points = {tuple(p) for p in torch.cat([data.x_train, data.x_val]).tolist()}
    assert not points & {tuple(p) for p in data.x_test.tolist()}
