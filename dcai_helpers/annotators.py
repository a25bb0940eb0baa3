"""Handwritten digits labelled by a crowd of simulated annotators, for the ``dataset_curation`` lab.

The images and their true classes are scikit-learn's digits. The crowd is simulated: each annotator
has a known kind (good, careless, biased toward one class, systematically confused) and labels a
random subset of the training images, so the true labels and the bad annotators are known. Exact and
near copies of some test images are also planted in the training split, so the leakage is known too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits

from dcai_helpers.validation import check_int

DATASHEET = """\
### Datasheet: crowd-labelled digits (`dcai_helpers.annotators`)

**Origin.** The images and true classes are scikit-learn's `load_digits` (UCI "Optical Recognition of
Handwritten Digits", E. Alpaydin and C. Kaynak, 1998): 8x8 grey-level images of the digits 0-9, pixel
values 0-16, shipped with scikit-learn. The annotations are simulated by `simulate_annotators`.

**Size.** 1,797 images, 64 features, 10 classes, split at random into 1,347 training and 450 test
images; the training split then grows to 1,437 rows (see Injected). 40 annotators; each
training image is labelled by 1 to 5 of them (mostly 3 or 4), so each annotator labels about 125 images.

**Licence.** The digits data set is licensed CC BY 4.0 (UCI Machine Learning Repository); the
simulated annotations are released with the course under the MIT licence.

**Injected.**
- *Annotators* (ground truth: `annotator_kind`, `is_bad_annotator`): 24 `good` annotators (correct
  75-95 % of the time, errors spread over the other classes), 7 `careless` ones (correct 20-40 % of the
  time, otherwise a random class), 5 `biased` ones (answer their favourite class 40-60 % of the time,
  whatever the image, otherwise like a good annotator) and 4 `confused` ones (map each class to another
  fixed class 60-80 % of the time, as if they had learnt the wrong key). All but `good` are bad.
- *Leakage* (ground truth: `leaked_test_index`): 45 exact copies and 45 near copies (a few pixels moved
  by one grey level) of 90 distinct test images are added to the training split, as happens when a
  data set is scraped twice or augmented before it is split. They are annotated like any other image.
"""


def datasheet_sections() -> tuple[str, str]:
    """The datasheet in two parts: what a user of the data is told, and what was injected.

    Finding the bad annotators and the leaked copies is the lab's work, so the notebook shows the first
    part at the top and reveals the second only after the exercises that find them.

    Returns
    -------
    (overview, injected) : tuple of str
        Markdown. ``overview + injected == DATASHEET``; ``injected`` starts with the ``**Injected.**``
        heading and holds the rest of the datasheet (the problems and where their ground truth is).
    """
    start = DATASHEET.index("**Injected.**")
    return DATASHEET[:start], DATASHEET[start:]


#: The kinds of simulated annotator.
ANNOTATOR_KINDS = ("good", "careless", "biased", "confused")
#: Number of annotators of each kind in the lab's crowd (40 in all).
DEFAULT_KIND_COUNTS = {"good": 24, "careless": 7, "biased": 5, "confused": 4}
#: Probability that an example gets 1, 2, 3, 4 or 5 labels: most get 3 or 4, a few only one.
LABELS_PER_EXAMPLE_PROBS = (0.05, 0.15, 0.3, 0.3, 0.2)
#: Pixel values of the digits images lie in [0, 16]; a near copy stays in that range.
_MAX_PIXEL = 16.0
#: Pixels a near copy changes by one grey level: it is then at most sqrt(6) ~ 2.4 away from its source,
#: while no two distinct digits images are closer than 5.
_NEAR_COPY_CHANGED_PIXELS = 6


@dataclass(frozen=True)
class SimulatedAnnotators:
    """The labels a simulated crowd gave, and the truth about each annotator.

    Attributes
    ----------
    labels_multiannotator : numpy.ndarray of float, shape (n_examples, n_annotators)
        ``labels_multiannotator[i, j]`` is the class annotator ``j`` gave example ``i``, or NaN when
        ``j`` did not label ``i`` (the format of ``cleanlab.multiannotator``).
    annotator_kind : numpy.ndarray of str, shape (n_annotators,)
        One of ``ANNOTATOR_KINDS`` for each annotator.
    is_bad_annotator : numpy.ndarray of bool, shape (n_annotators,)
        Ground truth: True for every annotator that is not ``good``.
    true_accuracy : numpy.ndarray of float, shape (n_annotators,)
        Fraction of each annotator's labels that equal the true label.
    """

    labels_multiannotator: np.ndarray
    annotator_kind: np.ndarray
    is_bad_annotator: np.ndarray
    true_accuracy: np.ndarray


@dataclass(frozen=True)
class CrowdLabelledDigits:
    """The lab's data: a train/test split of digits, the crowd's labels and the injected ground truth.

    Attributes
    ----------
    X_train : numpy.ndarray of float, shape (n_train, 64)
        Training images, flattened, including the planted copies of test images.
    true_labels : numpy.ndarray of int, shape (n_train,)
        Ground truth class of each training image (unknown in real life).
    labels_multiannotator : numpy.ndarray of float, shape (n_train, n_annotators)
        The crowd's labels of the training images, NaN where an annotator did not label an image.
    X_test : numpy.ndarray of float, shape (n_test, 64)
        Test images.
    y_test : numpy.ndarray of int, shape (n_test,)
        Their true classes.
    annotator_kind, is_bad_annotator, true_accuracy : numpy.ndarray, shape (n_annotators,)
        Ground truth about the annotators (see :class:`SimulatedAnnotators`).
    leaked_test_index : numpy.ndarray of int, shape (n_train,)
        Ground truth of the leakage: the test row a training row copies, or -1.
    is_exact_copy : numpy.ndarray of bool, shape (n_train,)
        True for the planted exact copies (False for near copies and original rows).
    """

    X_train: np.ndarray
    true_labels: np.ndarray
    labels_multiannotator: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    annotator_kind: np.ndarray
    is_bad_annotator: np.ndarray
    true_accuracy: np.ndarray
    leaked_test_index: np.ndarray
    is_exact_copy: np.ndarray


def _check_labels(labels: object, name: str, *, n_classes: int | None = None) -> np.ndarray:
    array = np.asarray(labels)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"`{name}` must be a non-empty 1-D integer array of length n_examples; "
            f"got shape {array.shape} and dtype {array.dtype}"
        )
    if array.min() < 0 or (n_classes is not None and array.max() >= n_classes):
        raise ValueError(
            f"`{name}` must hold classes 0 to n_classes - 1; got values from {array.min()} to {array.max()}"
        )
    return array


def simulate_annotators(
    true_labels: np.ndarray,
    *,
    n_classes: int | None = None,
    kind_counts: dict[str, int] | None = None,
    seed: int = 0,
) -> SimulatedAnnotators:
    """Simulate a crowd of annotators of known quality, each labelling a random subset of examples.

    Each example gets 1 to 5 labels (probabilities ``LABELS_PER_EXAMPLE_PROBS``) from distinct annotators,
    drawn with a per-annotator activity, so some annotators label far more than others.

    Parameters
    ----------
    true_labels : numpy.ndarray of int, shape (n_examples,)
        The true class of each example, in 0 .. n_classes - 1.
    n_classes : int, optional
        Number of classes, at least 2; defaults to ``true_labels.max() + 1``.
    kind_counts : dict of str to int, optional
        Number of annotators of each kind in ``ANNOTATOR_KINDS`` (missing kinds: 0); at least 5 annotators
        in all. Defaults to ``DEFAULT_KIND_COUNTS`` (40 annotators).
    seed : int
        Seed of the random generator; the same seed gives the same crowd.

    Returns
    -------
    SimulatedAnnotators
        ``labels_multiannotator`` of shape (n_examples, n_annotators) with NaN for missing labels, and
        the ground truth about each annotator.

    Examples
    --------
    >>> crowd = simulate_annotators(np.array([0, 1, 2, 1, 0] * 20), kind_counts={"good": 6}, seed=0)
    >>> crowd.labels_multiannotator.shape
    (100, 6)
    """
    true_labels = _check_labels(true_labels, "true_labels")
    if n_classes is None:
        n_classes = int(true_labels.max()) + 1
    n_classes = check_int("n_classes", n_classes, minimum=2)
    true_labels = _check_labels(true_labels, "true_labels", n_classes=n_classes)
    kind_counts = dict(DEFAULT_KIND_COUNTS if kind_counts is None else kind_counts)
    unknown = sorted(set(kind_counts) - set(ANNOTATOR_KINDS))
    if unknown:
        raise ValueError(f"`kind_counts` keys must be among {list(ANNOTATOR_KINDS)}; got {unknown}")
    counts = [check_int(f"kind_counts['{kind}']", kind_counts.get(kind, 0), minimum=0) for kind in ANNOTATOR_KINDS]
    n_annotators = sum(counts)
    if n_annotators < len(LABELS_PER_EXAMPLE_PROBS):
        raise ValueError(
            f"`kind_counts` must total at least {len(LABELS_PER_EXAMPLE_PROBS)} annotators "
            f"(an example can get that many labels); got {n_annotators}"
        )
    seed = check_int("seed", seed, minimum=0)

    rng = np.random.default_rng(seed)
    n_examples = len(true_labels)
    # Shuffled, so that an annotator's column index says nothing about their kind.
    kind = rng.permutation(np.repeat(np.array(ANNOTATOR_KINDS), counts))

    # Each annotator's labelling behaviour is a row-stochastic confusion matrix P(given | true).
    confusion = np.empty((n_annotators, n_classes, n_classes))
    off_diagonal = 1.0 - np.eye(n_classes)
    for j, annotator_kind in enumerate(kind):
        if annotator_kind == "good":
            accuracy = rng.uniform(0.75, 0.95)
            confusion[j] = accuracy * np.eye(n_classes) + (1 - accuracy) * off_diagonal / (n_classes - 1)
        elif annotator_kind == "careless":
            accuracy = rng.uniform(0.20, 0.40)
            # Correct with probability `accuracy`, otherwise a uniformly random class.
            confusion[j] = accuracy * np.eye(n_classes) + (1 - accuracy) / n_classes
        elif annotator_kind == "biased":
            favourite, bias = rng.integers(n_classes), rng.uniform(0.4, 0.6)
            good = 0.9 * np.eye(n_classes) + 0.1 * off_diagonal / (n_classes - 1)
            confusion[j] = (1 - bias) * good
            confusion[j][:, favourite] += bias
        else:  # confused: a fixed wrong key, a permutation of the classes with no fixed point
            wrong_key = np.roll(np.arange(n_classes), rng.integers(1, n_classes))
            strength = rng.uniform(0.6, 0.8)
            confusion[j] = (1 - strength) * np.eye(n_classes)
            confusion[j][np.arange(n_classes), wrong_key] += strength

    # Who labels what: a random number of distinct annotators per example, weighted by activity.
    activity = rng.lognormal(0.0, 0.5, n_annotators)
    labels_multiannotator = np.full((n_examples, n_annotators), np.nan)
    n_labels = rng.choice(np.arange(1, len(LABELS_PER_EXAMPLE_PROBS) + 1), size=n_examples, p=LABELS_PER_EXAMPLE_PROBS)
    for i in range(n_examples):
        chosen = rng.choice(n_annotators, size=n_labels[i], replace=False, p=activity / activity.sum())
        for j in chosen:
            labels_multiannotator[i, j] = rng.choice(n_classes, p=confusion[j, true_labels[i]])

    is_labelled = ~np.isnan(labels_multiannotator)
    correct = (labels_multiannotator == true_labels[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        true_accuracy = correct / is_labelled.sum(axis=0)
    return SimulatedAnnotators(
        labels_multiannotator=labels_multiannotator,
        annotator_kind=kind,
        is_bad_annotator=kind != "good",
        true_accuracy=true_accuracy,
    )


def plant_test_copies(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    *,
    n_exact: int,
    n_near: int,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Add exact and near copies of distinct test images to the training split (train/test leakage).

    A near copy moves a few pixels of its source by one grey level (staying in [0, 16]). The copies
    are appended to the training split and then the rows are shuffled.

    Parameters
    ----------
    X_train : numpy.ndarray of float, shape (n_train, n_features)
    y_train : numpy.ndarray of int, shape (n_train,)
    X_test : numpy.ndarray of float, shape (n_test, n_features)
    y_test : numpy.ndarray of int, shape (n_test,)
    n_exact, n_near : int
        Number of test images copied exactly and nearly; ``n_exact + n_near <= n_test``.
    seed : int
        Seed of the random generator.

    Returns
    -------
    X_train_leaky : numpy.ndarray of float, shape (n_train + n_exact + n_near, n_features)
    y_train_leaky : numpy.ndarray of int, shape (n_train + n_exact + n_near,)
    leaked_test_index : numpy.ndarray of int, shape (n_train + n_exact + n_near,)
        The test row each training row copies, or -1 for an original training row.
    is_exact_copy : numpy.ndarray of bool, shape (n_train + n_exact + n_near,)
    """
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    if X_train.ndim != 2 or X_test.ndim != 2 or X_train.shape[1] != X_test.shape[1]:
        raise ValueError(
            "`X_train` and `X_test` must be 2-D arrays with the same number of features; "
            f"got shapes {X_train.shape} and {X_test.shape}"
        )
    y_train, y_test = _check_labels(y_train, "y_train"), _check_labels(y_test, "y_test")
    if len(y_train) != len(X_train) or len(y_test) != len(X_test):
        raise ValueError(
            f"`y_train` and `y_test` must have one label per row of `X_train` and `X_test`; got lengths "
            f"{len(y_train)} and {len(y_test)} for {len(X_train)} and {len(X_test)} rows"
        )
    n_exact, n_near = check_int("n_exact", n_exact, minimum=0), check_int("n_near", n_near, minimum=0)
    if n_exact + n_near > len(X_test):
        raise ValueError(f"`n_exact + n_near` must be at most n_test = {len(X_test)}; got {n_exact + n_near}")
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))

    sources = rng.choice(len(X_test), size=n_exact + n_near, replace=False)
    copies = X_test[sources].copy()
    n_features = X_test.shape[1]
    for row in copies[n_exact:]:
        pixels = rng.choice(n_features, size=min(_NEAR_COPY_CHANGED_PIXELS, n_features), replace=False)
        # Move each pixel by one grey level, inward when it sits at the edge of the range.
        step = rng.choice([-1.0, 1.0], size=len(pixels))
        step[row[pixels] <= 0] = 1.0
        step[row[pixels] >= _MAX_PIXEL] = -1.0
        row[pixels] += step

    X_leaky = np.vstack([X_train, copies])
    y_leaky = np.concatenate([y_train, y_test[sources]])
    leaked = np.concatenate([np.full(len(X_train), -1), sources])
    exact = np.concatenate([np.zeros(len(X_train), bool), np.arange(len(sources)) < n_exact])
    order = rng.permutation(len(X_leaky))
    return X_leaky[order], y_leaky[order], leaked[order], exact[order]


def load_crowd_labelled_digits(*, seed: int = 0) -> CrowdLabelledDigits:
    """Load the lab's data: digits split 1,347/450, leaked test copies, and a simulated crowd's labels.

    Parameters
    ----------
    seed : int
        Seed of the split, the planted copies and the crowd; the lab uses 0.

    Returns
    -------
    CrowdLabelledDigits
        See its attributes; ``DATASHEET`` describes what was injected.
    """
    seed = check_int("seed", seed, minimum=0)
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    test_rows, train_rows = order[:450], order[450:]
    X_train, y_train, leaked, exact = plant_test_copies(
        X[train_rows], y[train_rows], X[test_rows], y[test_rows], n_exact=45, n_near=45, seed=seed + 1
    )
    crowd = simulate_annotators(y_train, n_classes=10, seed=seed + 2)
    return CrowdLabelledDigits(
        X_train=X_train,
        true_labels=y_train,
        labels_multiannotator=crowd.labels_multiannotator,
        X_test=X[test_rows].astype(float),
        y_test=y[test_rows],
        annotator_kind=crowd.annotator_kind,
        is_bad_annotator=crowd.is_bad_annotator,
        true_accuracy=crowd.true_accuracy,
        leaked_test_index=leaked,
        is_exact_copy=exact,
    )
