"""Tests of dcai_helpers.unlabelled_digits: the pool, the labelling oracle and the fixed model."""

import numpy as np
import pytest
from sklearn.base import clone

from dcai_helpers import unlabelled_digits
from dcai_helpers.unlabelled_digits import (
    N_COMPONENTS,
    N_POOL,
    N_TEST,
    LabellingOracle,
    load_unlabelled_digits,
    make_fixed_model,
)


@pytest.fixture(scope="module")
def digits():
    return load_unlabelled_digits(seed=0)


def test_load_splits_the_digits_into_pool_and_test_on_principal_components(digits):
    assert digits.X_pool.shape == (N_POOL, N_COMPONENTS)
    assert digits.X_test.shape == (N_TEST, N_COMPONENTS)
    assert digits.true_labels_pool.shape == (N_POOL,) and digits.y_test.shape == (N_TEST,)
    assert np.issubdtype(digits.true_labels_pool.dtype, np.integer)
    # Stratified: every digit is in both splits in about its share (about 180 images per digit in all).
    assert np.bincount(digits.true_labels_pool).min() >= 120 and np.bincount(digits.y_test).min() >= 50


def test_load_is_deterministic_and_the_seed_changes_the_split(digits):
    again = load_unlabelled_digits(seed=0)
    np.testing.assert_array_equal(again.X_pool, digits.X_pool)
    np.testing.assert_array_equal(again.true_labels_pool, digits.true_labels_pool)
    other = load_unlabelled_digits(seed=1)
    assert not np.array_equal(other.true_labels_pool, digits.true_labels_pool)


def test_a_smaller_pool_is_a_stratified_sample_in_the_same_feature_space(digits):
    small = load_unlabelled_digits(pool_size=130, seed=0)
    assert small.X_pool.shape == (130, N_COMPONENTS)
    assert np.bincount(small.true_labels_pool, minlength=10).min() >= 12
    np.testing.assert_array_equal(small.X_test, digits.X_test)
    # Every kept row is a row of the full pool (same principal components), with its label.
    for row, label in zip(small.X_pool[:10], small.true_labels_pool[:10], strict=True):
        match = np.flatnonzero(np.all(np.isclose(digits.X_pool, row), axis=1))
        assert match.size >= 1 and label in digits.true_labels_pool[match]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"pool_size": 10}, ValueError, "`pool_size` must lie between 20 and 1257; got 10"),
        ({"pool_size": 5000}, ValueError, "`pool_size` must lie between 20"),
        ({"pool_size": 100.0}, TypeError, "`pool_size` must be an int; got float"),
        ({"seed": "0"}, TypeError, "`seed` must be an int; got str"),
    ],
)
def test_load_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_unlabelled_digits(**kwargs)


def test_oracle_returns_the_true_labels_and_counts_them():
    oracle = LabellingOracle(np.array([3, 1, 4, 1, 5]))
    assert oracle.n_labels_given == 0
    np.testing.assert_array_equal(oracle.label(np.array([4, 0])), [5, 3])
    np.testing.assert_array_equal(oracle.label([]), np.array([], dtype=int))
    assert oracle.n_labels_given == 2
    np.testing.assert_array_equal(oracle.label([1]), [1])
    assert oracle.n_labels_given == 3


@pytest.mark.parametrize(
    ("indices", "message"),
    [
        ([0, 2], r"already labelled: \[0\]; query only unlabelled examples"),
        ([1, 1], r"asked twice in one request about examples \[1\]"),
        ([5], r"outside the pool 0..4: \[5\]"),
        ([-1], r"outside the pool 0..4: \[-1\]"),
        ([[1, 2]], "1-D integer array of pool indices; got shape"),
        ([1.0], "1-D integer array of pool indices"),
    ],
)
def test_oracle_refuses_bad_queries(indices, message):
    oracle = LabellingOracle(np.array([3, 1, 4, 1, 5]))
    oracle.label([0])
    with pytest.raises(ValueError, match=message):
        oracle.label(np.asarray(indices))
    assert oracle.n_labels_given == 1, "a refused query must not count as labels given"


def test_oracle_rejects_labels_that_are_not_integers():
    with pytest.raises(ValueError, match="`true_labels` must be a 1-D integer array"):
        LabellingOracle(np.array([0.5, 1.0]))


def test_each_dataset_gives_a_fresh_oracle(digits):
    first = digits.oracle()
    first.label([0, 1])
    assert digits.oracle().n_labels_given == 0


def test_fixed_model_is_fresh_and_learns_the_digits(digits):
    model = make_fixed_model()
    assert not hasattr(model, "classes_")
    fitted = clone(model).fit(digits.X_pool, digits.true_labels_pool)
    assert fitted.score(digits.X_test, digits.y_test) > 0.9


def test_datasheet_has_the_required_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}.**" in unlabelled_digits.DATASHEET
