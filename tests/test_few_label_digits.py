"""Tests for dcai_helpers.few_label_digits: the data, the CNN and the augmented training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dcai_helpers import few_label_digits
from dcai_helpers.few_label_digits import (
    DATASHEET,
    MNIST_DATASHEET,
    MNIST_IMAGE_SIZE,
    MNIST_N_TEST,
    N_CLASSES,
    N_TEST,
    accuracy,
    load_few_label_digits,
    load_mnist_few_labels,
    make_small_cnn,
    predict_proba_images,
    train_cnn,
)


@pytest.mark.parametrize("datasheet", [DATASHEET, MNIST_DATASHEET])
def test_datasheets_have_the_required_headings(datasheet):
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}.**" in datasheet


def test_load_keeps_n_per_class_and_scales_to_unit_range():
    data = load_few_label_digits(n_per_class=7, seed=0)
    assert data.train_images.shape == (7 * N_CLASSES, 1, 8, 8)
    assert data.test_images.shape == (N_TEST, 1, 8, 8)
    assert data.train_images.dtype == np.float32
    assert np.bincount(data.train_labels, minlength=N_CLASSES).tolist() == [7] * N_CLASSES
    assert 0.0 <= data.train_images.min() and data.train_images.max() <= 1.0
    assert data.test_images.max() == 1.0


def test_smaller_labelled_sets_are_nested_and_disjoint_from_the_test_split():
    small, large = load_few_label_digits(n_per_class=2, seed=3), load_few_label_digits(n_per_class=10, seed=3)
    large_rows = {image.tobytes() for image in large.train_images}
    assert all(image.tobytes() in large_rows for image in small.train_images)
    np.testing.assert_array_equal(small.test_images, large.test_images)
    test_rows = {image.tobytes() for image in large.test_images}
    # Some digits repeat pixel for pixel in the source; nearly all training images are unseen in the test split.
    assert sum(image.tobytes() in test_rows for image in large.train_images) <= 2


def test_load_is_reproducible_and_depends_on_the_seed():
    first, again = load_few_label_digits(seed=1), load_few_label_digits(seed=1)
    np.testing.assert_array_equal(first.train_images, again.train_images)
    assert not np.array_equal(first.train_images, load_few_label_digits(seed=2).train_images)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n_per_class": 0}, ValueError),
        ({"n_per_class": 101}, ValueError),
        ({"n_per_class": 2.5}, TypeError),
        ({"seed": -1}, ValueError),
    ],
)
def test_load_validates_its_arguments(kwargs, error):
    with pytest.raises(error, match="must be"):
        load_few_label_digits(**kwargs)


def test_mnist_keeps_n_per_class_28_by_28_in_unit_range_and_a_balanced_test_split():
    data = load_mnist_few_labels(n_per_class=3, seed=0)
    assert data.train_images.shape == (3 * N_CLASSES, 1, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE)
    assert data.test_images.shape == (MNIST_N_TEST, 1, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE)
    assert data.train_images.dtype == np.float32 and data.train_labels.dtype == np.int64
    assert np.bincount(data.train_labels, minlength=N_CLASSES).tolist() == [3] * N_CLASSES
    assert np.bincount(data.test_labels, minlength=N_CLASSES).tolist() == [MNIST_N_TEST // N_CLASSES] * N_CLASSES
    assert 0.0 <= data.train_images.min() and data.test_images.max() == 1.0
    # MNIST digits sit in the central 20 x 20 of the frame: the 4-pixel border is nearly blank.
    border = data.test_images.copy()
    border[:, :, 4:-4, 4:-4] = 0.0
    assert border.mean() < 0.01 < data.test_images.mean()


def test_mnist_smaller_sets_are_nested_disjoint_from_the_test_split_and_seeded():
    small, large = load_mnist_few_labels(n_per_class=2, seed=3), load_mnist_few_labels(n_per_class=10, seed=3)
    large_rows = {image.tobytes() for image in large.train_images}
    assert all(image.tobytes() in large_rows for image in small.train_images)
    np.testing.assert_array_equal(small.test_images, large.test_images)
    test_rows = {image.tobytes() for image in large.test_images}
    assert not any(image.tobytes() in test_rows for image in large.train_images)
    np.testing.assert_array_equal(small.train_images, load_mnist_few_labels(n_per_class=2, seed=3).train_images)
    assert not np.array_equal(small.train_images, load_mnist_few_labels(n_per_class=2, seed=4).train_images)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n_per_class": 0}, ValueError),
        ({"n_per_class": 301}, ValueError),
        ({"n_per_class": 2.5}, TypeError),
        ({"n_per_class": True}, TypeError),
        ({"seed": -1}, ValueError),
    ],
)
def test_mnist_load_validates_its_arguments(kwargs, error):
    with pytest.raises(error, match="must be"):
        load_mnist_few_labels(**kwargs)


@pytest.mark.parametrize("image_size", [8, MNIST_IMAGE_SIZE])
def test_make_small_cnn_maps_images_to_logits_and_is_seeded(image_size):
    images = torch.rand(4, 1, image_size, image_size)
    assert make_small_cnn(seed=0, image_size=image_size)(images).shape == (4, N_CLASSES)
    torch.testing.assert_close(
        make_small_cnn(seed=0, image_size=image_size)(images), make_small_cnn(seed=0, image_size=image_size)(images)
    )


def test_make_small_cnn_rejects_other_image_sizes():
    with pytest.raises(ValueError, match="`image_size` must be 8 or 28; got 16"):
        make_small_cnn(seed=0, image_size=16)


def test_train_cnn_learns_and_is_reproducible():
    data = load_few_label_digits(n_per_class=10, seed=0)
    model = train_cnn(data.train_images, data.train_labels, seed=0, steps=60, device="cpu")
    again = train_cnn(data.train_images, data.train_labels, seed=0, steps=60, device="cpu")
    assert accuracy(model, data.test_images, data.test_labels, device="cpu") > 0.5
    torch.testing.assert_close(
        predict_proba_images(model, data.test_images[:20], device="cpu"),
        predict_proba_images(again, data.test_images[:20], device="cpu"),
    )


def test_train_cnn_learns_on_28_by_28_mnist():
    data = load_mnist_few_labels(n_per_class=20, seed=0)
    model = train_cnn(data.train_images, data.train_labels, seed=0, steps=60, batch_size=32, lr=5e-3, device="cpu")
    # Chance is 0.1; 200 labelled images and 60 steps reach about 0.8.
    assert accuracy(model, data.test_images, data.test_labels, device="cpu") > 0.6


def test_train_cnn_passes_each_batch_through_augment_and_mix():
    data = load_few_label_digits(n_per_class=3, seed=0)
    seen = {"augment": [], "mix": []}

    def augment(images, generator):
        assert isinstance(generator, torch.Generator)
        seen["augment"].append(tuple(images.shape))
        return images

    def mix(images, targets, rng):
        assert isinstance(rng, np.random.Generator)
        assert torch.allclose(targets.sum(dim=1), torch.ones(len(targets)))
        seen["mix"].append(tuple(targets.shape))
        return images, targets

    train_cnn(
        data.train_images, data.train_labels, seed=0, steps=3, batch_size=16, augment=augment, mix=mix, device="cpu"
    )
    assert seen["augment"] == [(16, 1, 8, 8), (14, 1, 8, 8), (16, 1, 8, 8)]
    assert seen["mix"] == [(16, N_CLASSES), (14, N_CLASSES), (16, N_CLASSES)]


def test_train_cnn_validates_its_inputs():
    data = load_few_label_digits(n_per_class=2, seed=0)
    with pytest.raises(ValueError, match="`images` must be a 4-D numeric array of shape"):
        train_cnn(data.train_images[:, 0], data.train_labels, seed=0)
    with pytest.raises(ValueError, match="`labels` must be a 1-D integer array"):
        train_cnn(data.train_images, data.train_labels[:-1], seed=0)
    with pytest.raises(TypeError, match="`augment` must be a callable"):
        train_cnn(data.train_images, data.train_labels, seed=0, augment="flip")
    with pytest.raises(ValueError, match="`steps` must be a positive integer"):
        train_cnn(data.train_images, data.train_labels, seed=0, steps=0)


def test_predict_proba_rows_sum_to_one():
    probabilities = predict_proba_images(make_small_cnn(seed=0), np.random.default_rng(0).random((5, 1, 8, 8)))
    assert probabilities.shape == (5, N_CLASSES)
    torch.testing.assert_close(probabilities.sum(dim=1), torch.ones(5))


def test_module_does_not_import_torch_at_import_time():
    assert "torch" not in vars(few_label_digits)
