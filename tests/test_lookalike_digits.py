"""Tests of dcai_helpers.lookalike_digits: the look-alike label errors and the data set."""

import numpy as np
import pytest

from dcai_helpers import lookalike_digits
from dcai_helpers.lookalike_digits import DIGITS, flip_to_lookalikes, load_lookalike_digits


def test_flip_to_lookalikes_flips_the_exact_count_to_the_lookalike_class():
    labels = np.tile(np.arange(4), 50)
    noisy, is_error = flip_to_lookalikes(labels, flip_rate=0.15, seed=3)
    assert is_error.sum() == 30
    np.testing.assert_array_equal(is_error, noisy != labels)
    lookalike = {DIGITS.index(a): DIGITS.index(b) for a, b in lookalike_digits.DIGIT_LOOKALIKES.items()}
    assert all(noisy[i] == lookalike[labels[i]] for i in np.flatnonzero(is_error))


def test_flip_to_lookalikes_is_reproducible_and_depends_on_the_seed():
    labels = np.tile(np.arange(4), 50)
    first, _ = flip_to_lookalikes(labels, flip_rate=0.2, seed=1)
    again, _ = flip_to_lookalikes(labels, flip_rate=0.2, seed=1)
    other, _ = flip_to_lookalikes(labels, flip_rate=0.2, seed=2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize(
    ("labels", "kwargs", "error", "message"),
    [
        (np.zeros((3, 4), dtype=int), {}, ValueError, "`labels` must be a 1-D integer array"),
        (np.array([0, 4]), {}, ValueError, r"`labels` must lie in 0\.\.3"),
        (np.array([0, 1]), {"flip_rate": 1.5}, ValueError, r"`flip_rate` must lie in \[0.0, 1.0\]"),
        (np.array([0, 1]), {"flip_rate": "0.1"}, TypeError, "`flip_rate` must be a number"),
        (np.array([0, 1]), {"seed": 1.0}, TypeError, "`seed` must be an int"),
    ],
)
def test_flip_to_lookalikes_rejects_bad_input(labels, kwargs, error, message):
    with pytest.raises(error, match=message):
        flip_to_lookalikes(labels, **{"flip_rate": 0.1, "seed": 0, **kwargs})


def test_load_lookalike_digits_splits_and_records_the_ground_truth():
    data = load_lookalike_digits(seed=0)
    assert data.X_train.shape == (300, 64) and data.X_val.shape == (150, 64) and data.X_test.shape == (272, 64)
    assert data.is_label_error.sum() == 45  # 15 % of 300, as the datasheet says
    np.testing.assert_array_equal(data.is_label_error, data.labels_train != data.true_labels_train)
    for labels in (data.labels_train, data.y_val, data.y_test):
        assert set(np.unique(labels)) == {0, 1, 2, 3}
    assert data.images_train.shape == (300, 8, 8)
    assert data.digits == (1, 4, 7, 9)


def test_load_lookalike_digits_is_reproducible():
    first, again = load_lookalike_digits(seed=5), load_lookalike_digits(seed=5)
    np.testing.assert_array_equal(first.X_train, again.X_train)
    np.testing.assert_array_equal(first.labels_train, again.labels_train)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_train": 4}, "`n_train` must be an int of at least 8"),
        ({"n_validation": 2.5}, "`n_validation` must be an int of at least 8"),
        ({"n_train": 500, "n_validation": 300}, "must leave at least 8 of the 722 images"),
        ({"flip_rate": -0.1}, r"`flip_rate` must lie in \[0.0, 1.0\]"),
    ],
)
def test_load_lookalike_digits_rejects_bad_sizes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_lookalike_digits(**kwargs)


def test_datasheet_has_the_contract_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}.**" in lookalike_digits.DATASHEET
