"""Tests of the synthetic loan applications and the fixed model of the data_centric_evaluation lab."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import balanced_accuracy_score

from dcai_helpers.loan_applications import (
    CLASSES,
    DATASHEET,
    FEATURES,
    MISSING_CREDIT_SCORE,
    LoanApplications,
    datasheet_sections,
    evaluate_fixed_model,
    fixed_model,
    load_hidden_test_set,
    load_loan_applications,
)


@pytest.fixture(scope="module")
def data() -> LoanApplications:
    return load_loan_applications(seed=0)


def test_shapes_columns_and_labels(data):
    assert data.X_train.shape == (1500, len(FEATURES)) and data.X_val.shape == (1000, len(FEATURES))
    assert list(data.X_train.columns) == list(FEATURES) == list(data.X_val.columns)
    assert data.y_train.shape == (1500,) and data.y_val.shape == (1000,)
    assert set(data.y_train) == set(data.y_val) == set(CLASSES)
    assert data.X_train.index.equals(data.y_train.index) and data.X_val.index.equals(data.y_val.index)
    # Validation rows have index labels of their own, so a training set built from them is detectable.
    assert not data.X_train.index.intersection(data.X_val.index).size
    assert not data.X_train.isna().any().any() and not data.X_val.isna().any().any()


def test_same_seed_same_data_and_other_seed_other_data():
    first, again, other = (load_loan_applications(seed=s) for s in (3, 3, 4))
    pd.testing.assert_frame_equal(first.X_train, again.X_train)
    pd.testing.assert_series_equal(first.y_val, again.y_val)
    assert not first.X_train.equals(other.X_train)


def test_outlier_ground_truth_matches_the_values(data):
    kinds = data.outlier_kind
    assert np.array_equal(data.is_outlier, (kinds != "").to_numpy())
    assert (kinds == "income in dollars").sum() == 8 and (kinds == "missing credit score").sum() == 15
    assert (data.X_train.loc[kinds == "missing credit score", "credit_score"] == MISSING_CREDIT_SCORE).all()
    assert (data.X_train.loc[kinds == "income in dollars", "annual_income"] > 1000).all()
    clean = data.X_train.loc[~data.is_outlier]
    assert clean["credit_score"].between(300, 850).all() and clean["annual_income"].lt(1000).all()
    # Validation data is clean.
    assert data.X_val["credit_score"].between(300, 850).all() and data.X_val["annual_income"].lt(1000).all()


def test_slice_is_under_represented_in_training_only(data):
    column, value = data.underrepresented_slice
    assert (data.X_train[column] == value).mean() < 0.04
    assert 0.15 < (data.X_val[column] == value).mean() < 0.25


def test_junk_feature_leaks_in_training_only(data):
    junk = data.X_train[data.junk_feature]
    escalated = data.y_train != "repaid"
    assert junk[escalated].median() - junk[~escalated].median() > 200_000
    val_junk, val_escalated = data.X_val[data.junk_feature], data.y_val != "repaid"
    assert abs(val_junk[val_escalated].median() - val_junk[~val_escalated].median()) < 60_000


def test_hidden_test_set_is_clean_and_differs_from_validation(data):
    X_test, y_test = load_hidden_test_set()
    assert X_test.shape == (2000, len(FEATURES)) and y_test.shape == (2000,)
    assert set(y_test) == set(CLASSES)
    assert X_test["credit_score"].between(300, 850).all()
    assert not np.isin(X_test["application_id"].to_numpy(), data.X_val["application_id"].to_numpy()).all()


def test_each_injected_problem_costs_the_fixed_model(data):
    """The lab's story: removing outliers, then the junk column, raise validation balanced accuracy."""
    X, y, X_val, y_val = data.X_train, data.y_train, data.X_val, data.y_val
    raw = evaluate_fixed_model(X, y, X_val, y_val)
    keep = ~data.is_outlier
    no_outliers = evaluate_fixed_model(X[keep], y[keep], X_val, y_val)
    no_junk = evaluate_fixed_model(X[keep].drop(columns=data.junk_feature), y[keep], X_val, y_val)
    assert raw < 0.45 < no_outliers + 0.05 < no_junk


def test_evaluate_fixed_model_matches_a_manual_fit(data):
    columns = ["age", "credit_score", "region"]
    model = fixed_model().fit(data.X_train[columns], data.y_train)
    expected = balanced_accuracy_score(data.y_val, model.predict(data.X_val[columns]))
    got = evaluate_fixed_model(data.X_train[columns], data.y_train, data.X_val, data.y_val)
    assert isinstance(got, float) and got == pytest.approx(expected)


def test_fixed_model_is_unfitted_and_fresh():
    first, second = fixed_model(), fixed_model()
    assert first is not second
    assert not hasattr(first, "classes_")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"seed": -1}, ValueError, "`seed` must be at least 0; got -1"),
        ({"seed": 1.5}, TypeError, "`seed` must be an int; got float"),
        ({"n_train": 10}, ValueError, "`n_train` must be at least 200; got 10"),
        ({"n_val": "100"}, TypeError, "`n_val` must be an int; got str"),
    ],
)
def test_load_validates_its_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_loan_applications(**kwargs)


def test_hidden_test_set_validates_its_arguments():
    with pytest.raises(ValueError, match="`n_examples` must be at least 100; got 5"):
        load_hidden_test_set(n_examples=5)


def test_evaluate_fixed_model_validates_its_arguments(data):
    X, y = data.X_train, data.y_train
    with pytest.raises(TypeError, match="`X_train` must be a pandas DataFrame; got ndarray"):
        evaluate_fixed_model(X.to_numpy(), y, data.X_val, data.y_val)
    with pytest.raises(ValueError, match=r"`y_train` must be a 1-D array of length 1500 .*got shape \(10,\)"):
        evaluate_fixed_model(X, y[:10], data.X_val, data.y_val)
    with pytest.raises(ValueError, match=r"these are not in `X_eval`: \['income_squared'\]"):
        evaluate_fixed_model(X.assign(income_squared=1.0), y, data.X_val, data.y_val)


def test_datasheet_has_the_required_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}" in DATASHEET


def test_datasheet_sections_split_off_the_injected_part():
    overview, injected = datasheet_sections()
    assert overview + injected == DATASHEET
    assert injected.startswith("**Injected**") and "Injected" not in overview
    # Nothing that gives the detective work away is in the part shown first.
    for giveaway in ("application_id", "-999", "self-employed applicants are"):
        assert giveaway not in overview and giveaway in injected
