"""Tests of dcai_helpers.noisy_digits: the noise injection and the noisy-digits data set."""

import numpy as np
import pytest

from dcai_helpers import noisy_digits
from dcai_helpers.noisy_digits import (
    DIGIT_FLIP_RATES,
    DIGIT_LOOKALIKES,
    inject_label_noise,
    load_noisy_digits,
    lookalike_noise_matrix,
)


def test_lookalike_noise_matrix_puts_each_rate_in_its_cell_and_columns_sum_to_one():
    matrix = lookalike_noise_matrix({0: 2, 1: 0}, [0.25, 0.5, 0.0])
    expected = np.array([[0.75, 0.5, 0.0], [0.0, 0.5, 0.0], [0.25, 0.0, 1.0]])
    np.testing.assert_allclose(matrix, expected)
    np.testing.assert_allclose(matrix.sum(axis=0), 1.0)


@pytest.mark.parametrize(
    ("flip_to", "flip_rates", "message"),
    [
        ({0: 1}, [1.5, 0.0], r"`flip_rates` must lie in \[0, 1\]"),
        ({0: 5}, [0.2, 0.0], "`flip_to` must map classes in 0..1"),
        ({0: 1}, [[0.2, 0.0]], "`flip_rates` must be a 1-D sequence"),
    ],
)
def test_lookalike_noise_matrix_rejects_bad_input(flip_to, flip_rates, message):
    with pytest.raises(ValueError, match=message):
        lookalike_noise_matrix(flip_to, flip_rates)


def test_inject_label_noise_flips_exact_counts_to_the_requested_classes():
    labels = np.repeat([0, 1, 2], [100, 50, 10])
    noise_matrix = lookalike_noise_matrix({0: 1, 1: 2}, [0.3, 0.1, 0.0])
    noisy, is_error = inject_label_noise(labels, noise_matrix, seed=3)
    assert noisy.shape == labels.shape and is_error.dtype == bool
    np.testing.assert_array_equal(is_error, noisy != labels)
    # Exactly 30 of the 0s became 1s, exactly 5 of the 1s became 2s, no 2 changed.
    assert np.sum((labels == 0) & (noisy == 1)) == 30
    assert np.sum((labels == 1) & (noisy == 2)) == 5
    assert is_error.sum() == 35
    assert not is_error[labels == 2].any()


def test_inject_label_noise_is_reproducible_and_depends_on_the_seed():
    labels = np.repeat(np.arange(10), 50)
    noise_matrix = lookalike_noise_matrix(DIGIT_LOOKALIKES, DIGIT_FLIP_RATES)
    first, _ = inject_label_noise(labels, noise_matrix, seed=11)
    again, _ = inject_label_noise(labels, noise_matrix, seed=11)
    other, _ = inject_label_noise(labels, noise_matrix, seed=12)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_inject_label_noise_keeps_class_totals_when_rounding():
    labels = np.repeat([0, 1], [7, 7])
    noise_matrix = np.array([[0.5, 0.5], [0.5, 0.5]])  # 3.5 + 3.5 per class: rounding must still give 7
    noisy, _ = inject_label_noise(labels, noise_matrix, seed=0)
    for true_class in (0, 1):
        assert np.bincount(noisy[labels == true_class], minlength=2).sum() == 7
        assert sorted(np.bincount(noisy[labels == true_class], minlength=2)) == [3, 4]


@pytest.mark.parametrize(
    ("labels", "noise_matrix", "error", "message"),
    [
        (np.zeros((3, 4), dtype=int), np.eye(2), ValueError, r"1-D integer array .* got shape \(3, 4\)"),
        (np.array([0.0, 1.0]), np.eye(2), ValueError, "1-D integer array"),
        (np.array([0, 1]), np.ones((2, 3)) / 2, ValueError, r"square 2-D array .* got shape \(2, 3\)"),
        (
            np.array([0, 1]),
            np.array([[0.9, 0.0], [0.0, 1.0]]),
            ValueError,
            "each column of `noise_matrix` must sum to 1",
        ),
        (np.array([0, 2]), np.eye(2), ValueError, r"`labels` must lie in 0..1"),
        (np.array([0, 1]), np.array([[1.5, 0.0], [-0.5, 1.0]]), ValueError, r"probabilities in \[0, 1\]"),
    ],
)
def test_inject_label_noise_rejects_bad_input(labels, noise_matrix, error, message):
    with pytest.raises(error, match=message):
        inject_label_noise(labels, noise_matrix, seed=0)


def test_inject_label_noise_requires_an_int_seed():
    with pytest.raises(TypeError, match="`seed` must be an int"):
        inject_label_noise(np.array([0, 1]), np.eye(2), seed=0.5)


def test_load_noisy_digits_has_the_documented_shape_and_noise():
    data = load_noisy_digits(seed=0)
    assert data.X_train.shape == (1257, 64) and data.X_test.shape == (540, 64)
    assert data.images_train.shape == (1257, 8, 8)
    np.testing.assert_array_equal(data.is_label_error, data.labels_train != data.true_labels_train)
    assert 0.19 <= data.is_label_error.mean() <= 0.21
    # Every error goes to the look-alike of its true digit, and at that digit's rate (up to rounding).
    for true_digit, rate in enumerate(DIGIT_FLIP_RATES):
        of_digit = data.true_labels_train == true_digit
        flipped = data.labels_train[of_digit & data.is_label_error]
        assert set(flipped.tolist()) <= {DIGIT_LOOKALIKES[true_digit]}
        assert abs(flipped.size - rate * of_digit.sum()) <= 1
    np.testing.assert_allclose(data.noise_matrix.sum(axis=0), 1.0)


def test_load_noisy_digits_leaves_the_test_labels_clean_and_is_deterministic():
    first, again = load_noisy_digits(seed=0), load_noisy_digits(seed=0)
    np.testing.assert_array_equal(first.labels_train, again.labels_train)
    np.testing.assert_array_equal(first.X_test, again.X_test)
    # The test labels are the true digits: a 1-NN on the training images with true labels is ~98 % right on them.
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=1).fit(first.X_train, first.true_labels_train)
    assert knn.score(first.X_test, first.y_test) > 0.95


def test_load_noisy_digits_rejects_a_bad_test_size():
    with pytest.raises(ValueError, match="`test_size` must lie strictly between 0 and 1"):
        load_noisy_digits(test_size=1.5)


def test_datasheet_has_the_required_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}.**" in noisy_digits.DATASHEET


def test_datasheet_keeps_the_injected_noise_for_the_reveal():
    # The lab shows the overview before the exercises and the injected noise only after they estimate it.
    assert "**Injected.**" not in noisy_digits.DATASHEET_OVERVIEW
    assert "DIGIT_LOOKALIKES" not in noisy_digits.DATASHEET_OVERVIEW
    assert noisy_digits.DATASHEET_INJECTED.lstrip().startswith("**Injected.**")
    assert noisy_digits.DATASHEET == noisy_digits.DATASHEET_OVERVIEW + noisy_digits.DATASHEET_INJECTED
