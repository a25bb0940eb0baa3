"""Tests of dcai_helpers.annotators: the simulated crowd, the planted test copies and the lab's loader."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from dcai_helpers import annotators

TRUE_LABELS = np.random.default_rng(123).integers(0, 5, 2000)


@pytest.fixture(scope="module")
def crowd() -> annotators.SimulatedAnnotators:
    return annotators.simulate_annotators(TRUE_LABELS, n_classes=5, seed=0)


@pytest.fixture(scope="module")
def data() -> annotators.CrowdLabelledDigits:
    return annotators.load_crowd_labelled_digits(seed=0)


def test_datasheet_has_the_required_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}.**" in annotators.DATASHEET


def test_datasheet_sections_split_off_the_injected_part():
    overview, injected = annotators.datasheet_sections()
    assert overview + injected == annotators.DATASHEET
    assert injected.startswith("**Injected.**")
    for heading in ("Origin", "Size", "Licence"):
        assert f"**{heading}.**" in overview
    assert "careless" not in overview and "copies of 90" not in overview


def test_every_example_gets_one_to_five_labels_from_distinct_annotators(crowd):
    labels = crowd.labels_multiannotator
    n_labels = (~np.isnan(labels)).sum(axis=1)
    assert labels.shape == (2000, sum(annotators.DEFAULT_KIND_COUNTS.values()))
    assert n_labels.min() == 1 and n_labels.max() == 5
    observed = np.bincount(n_labels, minlength=6)[1:] / len(n_labels)
    assert np.allclose(observed, annotators.LABELS_PER_EXAMPLE_PROBS, atol=0.03)
    given = labels[~np.isnan(labels)]
    assert np.all(given == np.round(given)) and given.min() >= 0 and given.max() <= 4


def test_annotator_kinds_behave_as_documented(crowd):
    kinds = crowd.annotator_kind
    assert [int(np.sum(kinds == kind)) for kind in annotators.ANNOTATOR_KINDS] == list(
        annotators.DEFAULT_KIND_COUNTS.values()
    )
    assert np.array_equal(crowd.is_bad_annotator, kinds != "good")
    # Pooled accuracies are close to the middle of each kind's documented range.
    is_labelled = ~np.isnan(crowd.labels_multiannotator)
    correct = crowd.labels_multiannotator == TRUE_LABELS[:, None]
    pooled = {kind: correct[:, kinds == kind].sum() / is_labelled[:, kinds == kind].sum() for kind in set(kinds)}
    assert 0.78 < pooled["good"] < 0.92
    assert 0.3 < pooled["careless"] < 0.6  # 20-40 % right plus a 1-in-5 lucky guess
    assert pooled["confused"] < 0.4
    assert min(crowd.true_accuracy[kinds == "good"]) > max(crowd.true_accuracy[kinds == "confused"])


def test_biased_annotator_overuses_one_class(crowd):
    biased = np.flatnonzero(crowd.annotator_kind == "biased")[0]
    given = crowd.labels_multiannotator[:, biased]
    given = given[~np.isnan(given)].astype(int)
    assert np.bincount(given, minlength=5).max() / len(given) > 0.45  # 20 % true share + a 40-60 % bias


def test_true_accuracy_matches_the_labels(crowd):
    labels = crowd.labels_multiannotator
    for j in (0, 10, 39):
        labelled = ~np.isnan(labels[:, j])
        assert crowd.true_accuracy[j] == pytest.approx(np.mean(labels[labelled, j] == TRUE_LABELS[labelled]))


def test_same_seed_same_crowd_other_seed_other_crowd(crowd):
    again = annotators.simulate_annotators(TRUE_LABELS, n_classes=5, seed=0)
    other = annotators.simulate_annotators(TRUE_LABELS, n_classes=5, seed=1)
    assert np.array_equal(crowd.labels_multiannotator, again.labels_multiannotator, equal_nan=True)
    assert not np.array_equal(crowd.labels_multiannotator, other.labels_multiannotator, equal_nan=True)


def test_custom_kind_counts():
    crowd = annotators.simulate_annotators(TRUE_LABELS[:100], kind_counts={"good": 5, "careless": 1}, seed=3)
    assert crowd.labels_multiannotator.shape == (100, 6)
    assert sorted(crowd.annotator_kind.tolist()) == ["careless"] + ["good"] * 5


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"true_labels": np.zeros((3, 4), int)}, ValueError, r"`true_labels` must be a non-empty 1-D integer array"),
        ({"true_labels": np.array([0.0, 1.0])}, ValueError, r"integer array of length n_examples; got shape \(2,\)"),
        ({"true_labels": np.array([0, 7]), "n_classes": 5}, ValueError, r"classes 0 to n_classes - 1"),
        ({"n_classes": 1}, ValueError, r"`n_classes` must be at least 2"),
        ({"kind_counts": {"lazy": 3}}, ValueError, r"`kind_counts` keys must be among"),
        ({"kind_counts": {"good": 3}}, ValueError, r"must total at least 5 annotators"),
        ({"seed": 1.5}, TypeError, r"`seed` must be an int; got float"),
    ],
)
def test_simulate_annotators_validates_input(kwargs, error, message):
    arguments = {"true_labels": np.array([0, 1, 2, 1]), **kwargs}
    true_labels = arguments.pop("true_labels")
    with pytest.raises(error, match=message):
        annotators.simulate_annotators(true_labels, **arguments)


def test_plant_test_copies_records_the_leakage():
    rng = np.random.default_rng(5)
    X_train, X_test = rng.integers(0, 17, (50, 64)).astype(float), rng.integers(0, 17, (30, 64)).astype(float)
    y_train, y_test = rng.integers(0, 3, 50), rng.integers(0, 3, 30)
    X, y, leaked, exact = annotators.plant_test_copies(X_train, y_train, X_test, y_test, n_exact=4, n_near=6, seed=0)
    assert X.shape == (60, 64) and y.shape == leaked.shape == exact.shape == (60,)
    copies = np.flatnonzero(leaked >= 0)
    assert len(copies) == 10 and len(set(leaked[copies])) == 10 and exact.sum() == 4
    assert np.array_equal(y[copies], y_test[leaked[copies]])
    distance = np.linalg.norm(X[copies] - X_test[leaked[copies]], axis=1)
    assert np.all(distance[exact[copies]] == 0)
    near = distance[~exact[copies]]
    assert np.all((near > 0) & (near <= np.sqrt(6) + 1e-9))
    assert X.min() >= 0 and X.max() <= 16
    originals = X[leaked < 0]
    assert sorted(map(tuple, originals)) == sorted(map(tuple, X_train))


def test_plant_test_copies_validates_input():
    X, y = np.zeros((5, 2)), np.zeros(5, int)
    with pytest.raises(ValueError, match=r"`n_exact \+ n_near` must be at most n_test = 5; got 6"):
        annotators.plant_test_copies(X, y, X, y, n_exact=3, n_near=3)
    with pytest.raises(ValueError, match=r"same number of features; got shapes \(5, 2\) and \(5, 3\)"):
        annotators.plant_test_copies(X, y, np.zeros((5, 3)), y, n_exact=1, n_near=1)
    with pytest.raises(ValueError, match=r"one label per row"):
        annotators.plant_test_copies(X, y[:4], X, y, n_exact=1, n_near=1)


def test_lab_data_is_as_the_datasheet_says(data):
    assert data.X_train.shape == (1437, 64) and data.X_test.shape == (450, 64)
    assert data.labels_multiannotator.shape == (1437, 40)
    assert data.true_labels.shape == (1437,) and set(np.unique(data.y_test)) == set(range(10))
    assert (data.leaked_test_index >= 0).sum() == 90 and data.is_exact_copy.sum() == 45
    assert data.is_bad_annotator.sum() == 16


def test_planted_copies_are_the_only_close_cross_split_pairs(data):
    # The lab's threshold of 3 must find exactly the planted pairs.
    close = np.argwhere(cdist(data.X_train, data.X_test) <= 3.0)
    planted = np.flatnonzero(data.leaked_test_index >= 0)
    assert np.array_equal(close[:, 0], planted)
    assert np.array_equal(close[:, 1], data.leaked_test_index[planted])


def test_majority_vote_is_worse_than_the_truth_but_beats_a_single_label(data):
    # The lab's premise: the crowd is noisy, and aggregating votes helps.
    labels = data.labels_multiannotator
    votes = np.stack([(labels == k).sum(axis=1) for k in range(10)], axis=1)
    majority_accuracy = np.mean(votes.argmax(axis=1) == data.true_labels)
    rng = np.random.default_rng(0)
    single_label = np.array([rng.choice(row[~np.isnan(row)]) for row in labels]).astype(int)
    assert 0.75 < majority_accuracy < 0.92
    assert np.mean(single_label == data.true_labels) < majority_accuracy - 0.1
