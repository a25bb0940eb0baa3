"""Tests of the simulated fraud transactions of the class_imbalance lab."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from dcai_helpers.rare_events import DATASHEET, FEATURE_NAMES, FraudTransactions, make_fraud_transactions


@pytest.fixture(scope="module")
def data() -> FraudTransactions:
    return make_fraud_transactions(5_000, seed=3)


def test_shapes_and_types(data):
    assert isinstance(data.features, pd.DataFrame)
    assert list(data.features.columns) == list(FEATURE_NAMES)
    assert data.features.shape == (5_000, len(FEATURE_NAMES))
    assert data.is_fraud.shape == data.fraud_probability.shape == (5_000,)
    assert data.is_fraud.dtype.kind == "i"
    assert set(np.unique(data.is_fraud)) == {0, 1}
    assert np.isfinite(data.features.to_numpy()).all()


def test_expected_fraud_rate_is_solved_exactly():
    for rate in (0.01, 0.05):
        data = make_fraud_transactions(2_000, fraud_rate=rate, seed=1)
        assert data.fraud_probability.mean() == pytest.approx(rate, rel=1e-6)


def test_labels_follow_the_true_probabilities():
    data = make_fraud_transactions(seed=0)
    # About 2 % fraud, within a few binomial standard deviations.
    n = len(data.is_fraud)
    assert abs(data.is_fraud.sum() - 0.02 * n) < 5 * np.sqrt(0.02 * 0.98 * n)
    # The true probability ranks fraud far above chance: the injected signal is there.
    assert roc_auc_score(data.is_fraud, data.fraud_probability) > 0.85


def test_fraud_is_learnable_but_not_trivial(data):
    model = LogisticRegression(max_iter=1000).fit(data.features, data.is_fraud)
    auc = roc_auc_score(data.is_fraud, model.predict_proba(data.features)[:, 1])
    assert 0.75 < auc < 0.99


def test_seed_reproduces_and_changes_the_data():
    first, again, other = (make_fraud_transactions(500, seed=s) for s in (7, 7, 8))
    pd.testing.assert_frame_equal(first.features, again.features)
    np.testing.assert_array_equal(first.is_fraud, again.is_fraud)
    assert not np.allclose(first.features.to_numpy(), other.features.to_numpy())


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_transactions": 10}, ValueError, "`n_transactions` must be at least 100; got 10"),
        ({"n_transactions": 1000.0}, TypeError, "`n_transactions` must be an int; got float"),
        ({"fraud_rate": 0.7}, ValueError, "`fraud_rate` must be in (0, 0.5)"),
        ({"fraud_rate": "2%"}, TypeError, "`fraud_rate` must be a float; got str"),
        ({"seed": None}, TypeError, "`seed` must be an int; got NoneType"),
    ],
)
def test_invalid_arguments_are_rejected_with_a_clear_message(kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_fraud_transactions(**kwargs)


def test_datasheet_has_the_required_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}.**" in DATASHEET
    for name in FEATURE_NAMES:
        assert f"`{name}`" in DATASHEET
