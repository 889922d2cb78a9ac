"""Every Dataset carries the normalization its loader applied (issue 12), and a trained
result carries the one of the data its model was trained on: what a deployment serves the
model behind, with no second draw of the data."""

import numpy as np
import pytest

from engine import datasets
from engine.config_rules import split_sizes
from engine.dataset import Normalization
from engine.datasets import load_dataset, load_folds
from engine.sequences import make_series
from tests.engine.support import make_config, run

POINTS = ["moons", "circles", "spiral", "xor", "gaussians"]


def raw_validation_set(cfg, monkeypatch) -> tuple[np.ndarray, object]:
    """The validation points before standardization (caught on their way into
    `datasets._finish`), and the Dataset built from them."""
    seen = {}
    finish = datasets._finish

    def spy(cfg, x_train, y_train, x_val, *rest):
        seen["x_val"] = np.array(x_val, dtype=np.float64)
        return finish(cfg, x_train, y_train, x_val, *rest)

    monkeypatch.setattr(datasets, "_finish", spy)
    data = load_dataset(cfg)
    monkeypatch.undo()
    return seen["x_val"], data


@pytest.mark.parametrize("name", POINTS)
def test_a_point_cloud_carries_its_training_sets_mean_and_std(name, monkeypatch):
    cfg = make_config(dataset=name, data={"n_samples": 300, "train_size": 150, "seed": 4}).data
    raw_val, data = raw_validation_set(cfg, monkeypatch)
    norm = data.normalization
    assert len(norm.shift) == len(norm.scale) == 2
    # The model's training set, taken back to raw units, has exactly that mean and std...
    raw_train = data.x_train.double().numpy() * norm.scale + norm.shift
    np.testing.assert_allclose(raw_train.mean(axis=0), norm.shift, atol=1e-6)
    np.testing.assert_allclose(raw_train.std(axis=0), norm.scale, rtol=1e-6)
    # ...and the raw validation points, normalized with it, are what the model validates on.
    np.testing.assert_allclose((raw_val - norm.shift) / norm.scale, data.x_val.numpy(),
                               atol=1e-5)


def test_digits_are_pixels_0_to_16_divided_by_16():
    data = load_dataset(make_config(dataset="digits", data={"n_samples": 200}).data)
    assert data.normalization.as_dict() == {"shift": [0.0], "scale": [16.0]}
    pixels = data.x_train.double().numpy() * 16.0
    np.testing.assert_allclose(pixels, pixels.round(), atol=1e-5)
    assert pixels.max() == 16.0


def test_a_series_carries_its_training_stretchs_mean_and_std():
    cfg = make_config(kind="rnn", dataset="series", data={"seed": 2}).data
    sizes = split_sizes(cfg)
    values = make_series(sizes.train + sizes.val + 2 * cfg.window, cfg.noise, cfg.seed)
    train_part = values[: sizes.train + cfg.window]
    norm = load_dataset(cfg).normalization
    assert norm == Normalization.of([train_part.mean()], [train_part.std()])


def test_data_read_as_drawn_carries_no_normalization():
    for name in ("shapes", "logic"):
        kind = "cnn" if name == "shapes" else "mlp"
        data = load_dataset(make_config(kind=kind, dataset=name, data={"n_samples": 120}).data)
        assert data.normalization.as_dict() == {}, name


def test_hirings_group_column_is_left_as_it_is():
    cfg = make_config(dataset="hiring", data={"use_group_feature": True}).data
    data = load_dataset(cfg)
    norm = data.normalization
    assert (norm.shift[-1], norm.scale[-1]) == (0.0, 1.0)
    assert len(norm.shift) == data.n_features
    raw = data.x_train.double().numpy() * norm.scale + norm.shift
    np.testing.assert_allclose(raw[:, :-1].mean(axis=0), norm.shift[:-1], atol=1e-6)


def test_a_trained_result_carries_its_datas_normalization():
    cfg = make_config(data={"n_samples": 200, "seed": 1}, epochs=1)
    result, _ = run(cfg)
    assert result.normalization == load_dataset(cfg.data).normalization


def test_with_cross_validation_it_is_the_kept_folds():
    cfg = make_config(data={"n_samples": 200, "seed": 1}, eval={"cv_folds": 3}, epochs=2)
    result, _ = run(cfg)
    folds = result.summary["cv"]["folds"]
    kept = max(folds, key=lambda fold: fold["val_accuracy"])["fold"]
    by_fold = [data.normalization for data in load_folds(cfg.data, 3)]
    assert len(set(by_fold)) == 3  # the folds' statistics differ: the choice matters
    assert result.normalization == by_fold[kept - 1]
