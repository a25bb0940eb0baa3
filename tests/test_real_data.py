"""Tests for dcai_helpers.real_data: each real data set loads offline, has its datasheet, and rejects bad input."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest
from sklearn.datasets import load_digits

import dcai_helpers.real_data
from dcai_helpers.real_data import mnist_5k, ms_patients

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
