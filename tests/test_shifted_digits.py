"""Tests of dcai_helpers.shifted_digits: the injected outliers and shifts are what the datasheet says."""

from __future__ import annotations

import numpy as np
import pytest

from dcai_helpers import shifted_digits
from dcai_helpers.shifted_digits import OUTLIER_KINDS, fade_images, load_outlier_split, load_shift_split


def test_datasheet_has_the_required_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}.**" in shifted_digits.DATASHEET


def test_outlier_split_shapes_and_ground_truth():
    split = load_outlier_split()
    assert split.train_images.shape == (1063, 64)
    assert split.test_images.shape == (460, 64)
    assert split.is_outlier.sum() == 4 * 40
    assert np.array_equal(split.is_outlier, split.outlier_kind != "inlier")
    for kind in OUTLIER_KINDS:
        assert (split.outlier_kind == kind).sum() == 40
    assert set(np.unique(split.train_labels)) == set(split.inlier_classes) == set(range(8))
    assert split.train_images.min() >= 0.0 and split.train_images.max() <= 1.0
    assert split.test_images.min() >= 0.0 and split.test_images.max() <= 1.0


def test_outlier_split_inliers_are_unseen_digits_of_the_inlier_classes():
    split = load_outlier_split()
    inliers = split.test_images[~split.is_outlier]
    # No test inlier is a copy of a training image.
    distances = ((inliers[:, None, :] - split.train_images[None, :, :]) ** 2).sum(axis=2)
    assert distances.min() > 0.0


def test_outlier_kinds_are_what_they_claim():
    split = load_outlier_split()
    inverted = split.test_images[split.outlier_kind == "inverted"]
    inliers = split.test_images[split.outlier_kind == "inlier"]
    # Digits are mostly blank background; inverted digits are mostly ink.
    assert inverted.mean() > 0.5 > inliers.mean()
    noise = split.test_images[split.outlier_kind == "noise"]
    assert abs(noise.mean() - 0.5) < 0.05


def test_outlier_split_is_deterministic_and_depends_on_the_seed():
    first, second, other = load_outlier_split(seed=3), load_outlier_split(seed=3), load_outlier_split(seed=4)
    assert np.array_equal(first.test_images, second.test_images)
    assert np.array_equal(first.outlier_kind, second.outlier_kind)
    assert not np.array_equal(first.test_images, other.test_images)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"held_out_classes": (10,)}, "`held_out_classes` must be"),
        ({"held_out_classes": ()}, "`held_out_classes` must be"),
        ({"held_out_classes": (1, 1)}, "`held_out_classes` must be"),
        ({"n_test_inliers": 0}, "`n_test_inliers` must be at least 1"),
        ({"n_per_kind": 1000}, "must be at most 354"),
    ],
)
def test_outlier_split_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_outlier_split(**kwargs)


def test_outlier_split_rejects_a_non_integer_seed():
    with pytest.raises(TypeError, match="`seed` must be an int; got float"):
        load_outlier_split(seed=1.5)


def test_shift_split_priors_are_reversed_and_exact():
    split = load_shift_split()
    source_labels = np.concatenate([split.source_train_labels, split.source_val_labels, split.source_test_labels])
    assert np.allclose(split.source_priors, np.bincount(source_labels, minlength=10) / len(source_labels))
    assert np.allclose(split.target_priors, np.bincount(split.target_labels, minlength=10) / len(split.target_labels))
    # Priors fall from digit 0 to 9 in the source and rise in the target.
    assert np.all(np.diff(split.source_priors) < 0) and np.all(np.diff(split.target_priors) > 0)
    assert split.target_priors[9] / split.source_priors[9] > 5


def test_shift_split_samples_are_disjoint_images():
    split = load_shift_split()
    parts = [split.source_train_images, split.source_val_images, split.source_test_images, split.target_images]
    rows = [tuple(row) for part in parts for row in part]
    # scikit-learn's digits hold a few exact duplicates; disjoint draws leave at most a handful.
    assert len(rows) - len(set(rows)) <= 5
    assert split.covariate_shifted_images.shape == split.source_test_images.shape


def test_no_label_shift_when_prior_ratio_is_one():
    split = load_shift_split(prior_ratio=1.0, n_source=(200, 200, 100), n_target=300)
    assert np.allclose(split.source_priors, split.target_priors, atol=0.01)


def test_shift_split_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`prior_ratio` must be a number in"):
        load_shift_split(prior_ratio=0.0)
    with pytest.raises(ValueError, match="`n_source` must be a sequence of 3"):
        load_shift_split(n_source=(100, 100))
    with pytest.raises(ValueError, match="only"):
        load_shift_split(n_target=5000)


def test_fade_images_lowers_contrast_and_stays_in_range():
    images = np.array([[0.0, 1.0, 0.5]])
    faded = fade_images(images, contrast=0.5, brightness=0.1, noise_std=0.0)
    assert np.allclose(faded, [[0.1, 0.6, 0.35]])
    noisy = fade_images(np.zeros((50, 64)), noise_std=0.5, seed=1)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0


def test_fade_images_rejects_bad_input():
    with pytest.raises(ValueError, match=r"`images` must be a 2-D numeric array .*got shape \(3,\)"):
        fade_images(np.zeros(3))
    with pytest.raises(ValueError, match="`contrast` must be in"):
        fade_images(np.zeros((2, 2)), contrast=0.0)
