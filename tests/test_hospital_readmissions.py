"""Tests of dcai_helpers.hospital_readmissions: the planted flaws, their ground truth and the fixed model."""

import numpy as np
import pandas as pd
import pytest

from dcai_helpers import hospital_readmissions as hospital
from dcai_helpers.hospital_readmissions import (
    FAHRENHEIT_SITE,
    FEATURES,
    FLAWS,
    evaluate_fixed_model,
    load_hidden_deployment_set,
    load_hospital_readmissions,
    simulate_discharges,
)


@pytest.fixture(scope="module")
def data():
    return load_hospital_readmissions(seed=0)


def test_tables_have_the_documented_shape_and_columns(data):
    assert data.X_train.shape == (3000, len(FEATURES)) and data.X_val.shape == (2000, len(FEATURES))
    assert list(data.X_train.columns) == list(FEATURES) == list(data.X_val.columns)
    assert data.y_train.name == hospital.TARGET and set(data.y_train.unique()) == {0, 1}
    assert 0.25 < data.y_train.mean() < 0.45
    assert not data.X_val.index.isin(data.X_train.index).any(), "validation rows need index labels of their own"
    assert data.X_val.index.equals(data.y_val.index) and data.X_val.index.equals(data.truth_val.index)
    assert not data.X_train.isna().any().any() and not data.X_val.isna().any().any()


def test_every_flaw_names_a_column():
    assert set(FLAWS) == {"leak", "miscoded", "noise", "opaque"}
    assert set(FLAWS.values()) <= set(FEATURES) and len(set(FLAWS.values())) == 4


def test_the_leak_is_filled_in_the_history_only(data):
    leak = FLAWS["leak"]
    assert (data.X_train.loc[data.y_train == 1, leak] >= 1).all(), "readmitted patients always have a follow-up"
    assert (data.X_val[leak] == 0).all()
    X_hidden, _ = load_hidden_deployment_set()
    assert (X_hidden[leak] == 0).all()


def test_temperature_is_fahrenheit_at_one_site_only(data):
    in_fahrenheit = data.X_train["site"] == FAHRENHEIT_SITE
    celsius = data.truth_train["temperature_celsius"]
    np.testing.assert_allclose(
        data.X_train.loc[in_fahrenheit, "temperature"], celsius[in_fahrenheit] * 9 / 5 + 32, atol=0.05 + 1e-9
    )
    np.testing.assert_array_equal(data.X_train.loc[~in_fahrenheit, "temperature"], celsius[~in_fahrenheit])


def test_lab_code_decodes_to_the_true_blood_values(data):
    code = data.X_val["lab_code"]
    np.testing.assert_allclose(code // hospital.LAB_CODE_HEMOGLOBIN_FACTOR / 10, data.truth_val["hemoglobin"])
    np.testing.assert_allclose(code % hospital.LAB_CODE_HEMOGLOBIN_FACTOR / 100, data.truth_val["creatinine"])


def test_noise_is_unrelated_to_the_outcome(data):
    correlation = np.corrcoef(data.X_train[FLAWS["noise"]], data.y_train)[0, 1]
    assert abs(correlation) < 0.05


def test_simulation_is_reproducible_and_depends_on_the_seed():
    first, y_first, _ = simulate_discharges(50, seed=4, at_discharge=False)
    again, y_again, _ = simulate_discharges(50, seed=4, at_discharge=False)
    other, _, _ = simulate_discharges(50, seed=5, at_discharge=False)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_series_equal(y_first, y_again)
    assert not first.equals(other)


def test_hidden_deployment_set_differs_from_the_public_sets(data):
    X_hidden, y_hidden = load_hidden_deployment_set()
    assert X_hidden.shape == (3000, len(FEATURES)) and len(y_hidden) == 3000
    assert not np.array_equal(X_hidden["age"].to_numpy()[:2000], data.X_val["age"].to_numpy())


def test_fixing_the_flaws_raises_the_fixed_model_at_discharge(data):
    def fix(X):
        fixed = X.drop(columns=[FLAWS["leak"], FLAWS["noise"], FLAWS["opaque"]])
        in_fahrenheit = (X["site"] == FAHRENHEIT_SITE).to_numpy()
        fixed["temperature"] = np.where(in_fahrenheit, (X["temperature"] - 32) * 5 / 9, X["temperature"])
        fixed["hemoglobin"] = X["lab_code"] // 1000 / 10
        fixed["creatinine"] = X["lab_code"] % 1000 / 100
        return fixed

    raw = evaluate_fixed_model(data.X_train, data.y_train, data.X_val, data.y_val)
    fixed = evaluate_fixed_model(fix(data.X_train), data.y_train, fix(data.X_val), data.y_val)
    assert raw == pytest.approx(0.5, abs=0.02), "the leaky model must flag (almost) nobody at discharge"
    assert fixed >= 0.68


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"seed": 1.5}, TypeError, "`seed` must be an int"),
        ({"n_train": 3}, ValueError, "`n_train` must be at least 10; got 3"),
        ({"n_val": True}, TypeError, "`n_val` must be an int; got bool"),
    ],
)
def test_load_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_hospital_readmissions(**kwargs)


def test_evaluate_fixed_model_rejects_mismatched_tables(data):
    with pytest.raises(ValueError, match="`X_eval` must have the columns of `X_train`"):
        evaluate_fixed_model(data.X_train, data.y_train, data.X_val.drop(columns="bmi"), data.y_val)
    with pytest.raises(ValueError, match="one target per row"):
        evaluate_fixed_model(data.X_train, data.y_train[:10], data.X_val, data.y_val)
    with pytest.raises(TypeError, match="must be DataFrames"):
        evaluate_fixed_model(data.X_train.to_numpy(), data.y_train, data.X_val, data.y_val)


def test_datasheet_reveals_the_flaws_only_in_its_injected_part():
    assert hospital.DATASHEET == hospital.DATASHEET_OVERVIEW + hospital.DATASHEET_INJECTED
    assert "**Injected**" in hospital.DATASHEET_INJECTED and "Injected" not in hospital.DATASHEET_OVERVIEW
    assert "Fahrenheit" not in hospital.DATASHEET_OVERVIEW and "leak" not in hospital.DATASHEET_OVERVIEW
