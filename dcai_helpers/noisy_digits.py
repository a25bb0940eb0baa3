"""Handwritten digits with asymmetric label noise injected at a fixed seed, and the noise injection itself.

The images are scikit-learn's copy of the UCI optical digits (8 x 8 pixels, shipped with the package, so
nothing is downloaded). Only the training labels are corrupted: the test split keeps its true labels, so
a model's test accuracy measures what it learned, not how well it copies the noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from dcai_helpers.validation import check_seed

#: Where a mislabelled digit's label goes (true digit -> given label): a digit is mistaken for one that
#: looks alike. Most pairs are one-way (2 -> 7 but never 7 -> 2), which is what makes the noise asymmetric.
DIGIT_LOOKALIKES: dict[int, int] = {0: 6, 1: 7, 2: 7, 3: 8, 4: 9, 5: 6, 6: 5, 7: 1, 8: 3, 9: 4}

#: Fraction of each true digit whose label is flipped to its look-alike. Uneven on purpose (30 % of the
#: 1s become 7s, only 10 % of the 7s become 1s); the mean is 0.2, so about one training label in five is wrong.
DIGIT_FLIP_RATES: tuple[float, ...] = (0.1, 0.3, 0.3, 0.3, 0.3, 0.3, 0.1, 0.1, 0.1, 0.1)

#: Tolerance for "each column of the noise matrix sums to 1".
_COLUMN_SUM_TOLERANCE = 1e-6

#: Origin, size and licence: shown before the exercises.
DATASHEET_OVERVIEW = """\
### Datasheet: noisy digits

**Origin.** The UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin and Kaynak, 1998),
as shipped with scikit-learn (`sklearn.datasets.load_digits`): 32 x 32 bitmaps of digits written by 43
people, downsampled to 8 x 8 images of 16 grey levels. Nothing is downloaded.

**Size.** 1,797 images, 64 pixel features each, 10 classes (digits 0 to 9, about 180 each), split
stratified at a fixed seed into 1,257 training and 540 test images.

**Licence.** Creative Commons Attribution 4.0 (CC BY 4.0), UCI Machine Learning Repository; scikit-learn
itself is BSD-3-Clause.
"""

#: What was injected: shown after the exercises that find it, as a reveal.
DATASHEET_INJECTED = """
**Injected.** Asymmetric label noise in the *training* split only (the test labels stay true): for each
digit a fixed fraction of its training images (10 % or 30 %, see `DIGIT_FLIP_RATES`) is relabelled as the
digit it looks like (`DIGIT_LOOKALIKES`: 1 -> 7, 2 -> 7, 3 -> 8, 4 -> 9, 5 -> 6, ...), chosen at random with
a fixed seed by `inject_label_noise`. About 20 % of the training labels are wrong. The ground truth is
returned: `true_labels_train` and the boolean mask `is_label_error`.
"""

#: The whole datasheet.
DATASHEET = DATASHEET_OVERVIEW + DATASHEET_INJECTED


@dataclass(frozen=True)
class NoisyDigits:
    """The noisy-digits data set, with the ground truth of the injected label errors.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, 64)
        Training images, flattened 8 x 8 pixels with grey levels 0 to 16.
    labels_train : ndarray of int, shape (n_train,)
        Given (noisy) training labels: what a model is trained on.
    true_labels_train : ndarray of int, shape (n_train,)
        True training labels (ground truth; a real data set would not have them).
    is_label_error : ndarray of bool, shape (n_train,)
        True where ``labels_train != true_labels_train``.
    X_test : ndarray of shape (n_test, 64)
        Test images.
    y_test : ndarray of int, shape (n_test,)
        True test labels (no noise is injected into the test split).
    noise_matrix : ndarray of shape (10, 10)
        The injected ``P(given label = i | true label = j)``, columns summing to 1.
    """

    X_train: np.ndarray
    labels_train: np.ndarray
    true_labels_train: np.ndarray
    is_label_error: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    noise_matrix: np.ndarray

    @property
    def images_train(self) -> np.ndarray:
        """Training images as an array of shape (n_train, 8, 8), for display."""
        return self.X_train.reshape(-1, 8, 8)


def lookalike_noise_matrix(flip_to: Mapping[int, int], flip_rates: Sequence[float]) -> np.ndarray:
    """Noise matrix that flips a fraction of each class to one other class.

    Parameters
    ----------
    flip_to : mapping of int to int
        True class -> the given label its flipped examples get. A class that is absent, or maps to
        itself, is never flipped.
    flip_rates : sequence of float, length n_classes
        Fraction of each true class that is flipped, each in [0, 1].

    Returns
    -------
    noise_matrix : ndarray of shape (n_classes, n_classes)
        ``noise_matrix[i, j] = P(given label = i | true label = j)`` (cleanlab's convention); each
        column sums to 1.

    Examples
    --------
    >>> lookalike_noise_matrix({0: 1}, [0.25, 0.0])
    array([[0.75, 0.  ],
           [0.25, 1.  ]])
    """
    rates = np.asarray(flip_rates, dtype=float)
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError(f"`flip_rates` must be a 1-D sequence with one rate per class; got shape {rates.shape}")
    if np.any(~np.isfinite(rates)) or np.any(rates < 0) or np.any(rates > 1):
        raise ValueError(f"`flip_rates` must lie in [0, 1]; got {rates.tolist()}")
    n_classes = rates.size
    for true_class, given_class in flip_to.items():
        if not (0 <= int(true_class) < n_classes and 0 <= int(given_class) < n_classes):
            raise ValueError(
                f"`flip_to` must map classes in 0..{n_classes - 1} to classes in 0..{n_classes - 1}; "
                f"got {true_class} -> {given_class}"
            )
    noise_matrix = np.eye(n_classes)
    for true_class, given_class in flip_to.items():
        if given_class != true_class:
            noise_matrix[true_class, true_class] = 1.0 - rates[true_class]
            noise_matrix[given_class, true_class] = rates[true_class]
    return noise_matrix


def inject_label_noise(
    labels: np.ndarray | Sequence[int], noise_matrix: np.ndarray, *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Corrupt labels with class-conditional noise, flipping exact counts of randomly chosen examples.

    For every true class ``j`` with ``n_j`` examples, ``round(n_j * noise_matrix[i, j])`` of them (rounded
    so the counts still add up to ``n_j``) get the label ``i``; which ones is drawn at random from ``seed``.
    Exact counts rather than independent coin flips make the injected noise rates the ones asked for.

    Parameters
    ----------
    labels : array-like of int, shape (n_examples,)
        True labels, in ``0 .. n_classes - 1``.
    noise_matrix : ndarray of shape (n_classes, n_classes)
        ``noise_matrix[i, j] = P(given label = i | true label = j)``; each column sums to 1 (cleanlab's
        convention, see :func:`lookalike_noise_matrix`).
    seed : int
        Seed of the random choice of the examples that are flipped.

    Returns
    -------
    noisy_labels : ndarray of int, shape (n_examples,)
        The corrupted labels.
    is_label_error : ndarray of bool, shape (n_examples,)
        Ground truth: True where ``noisy_labels != labels``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            "`labels` must be a 1-D integer array of length n_examples; "
            f"got shape {labels.shape} and dtype {labels.dtype}"
        )
    noise_matrix = np.asarray(noise_matrix, dtype=float)
    if noise_matrix.ndim != 2 or noise_matrix.shape[0] != noise_matrix.shape[1]:
        raise ValueError(
            f"`noise_matrix` must be a square 2-D array of shape (n_classes, n_classes); got shape {noise_matrix.shape}"
        )
    n_classes = noise_matrix.shape[0]
    if np.any(~np.isfinite(noise_matrix)) or np.any(noise_matrix < 0) or np.any(noise_matrix > 1):
        raise ValueError("`noise_matrix` must hold probabilities in [0, 1]")
    column_sums = noise_matrix.sum(axis=0)
    if np.any(np.abs(column_sums - 1) > _COLUMN_SUM_TOLERANCE):
        raise ValueError(
            "each column of `noise_matrix` must sum to 1 (noise_matrix[i, j] = P(given = i | true = j)); "
            f"got column sums {np.round(column_sums, 6).tolist()}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"`labels` must lie in 0..{n_classes - 1} to match a noise_matrix of shape {noise_matrix.shape}; "
            f"got values from {labels.min()} to {labels.max()}"
        )
    rng = np.random.default_rng(check_seed(seed))
    noisy_labels = labels.astype(np.int64, copy=True)
    for true_class in range(n_classes):
        members = np.flatnonzero(labels == true_class)
        counts = _round_preserving_total(members.size * noise_matrix[:, true_class])
        shuffled = rng.permutation(members)
        # The first counts[0] shuffled examples get label 0, the next counts[1] label 1, and so on.
        noisy_labels[shuffled] = np.repeat(np.arange(n_classes), counts)
    return noisy_labels, noisy_labels != labels


def load_noisy_digits(*, test_size: float = 0.3, seed: int = 0) -> NoisyDigits:
    """Load the digits, split them, and inject asymmetric label noise into the training labels.

    Parameters
    ----------
    test_size : float, default 0.3
        Fraction of the 1,797 images held out as the clean test split, in (0, 1).
    seed : int, default 0
        Seed of both the stratified split and the noise injection.

    Returns
    -------
    NoisyDigits
        Training images with noisy labels and their ground truth, and a clean test split. The noise
        follows ``lookalike_noise_matrix(DIGIT_LOOKALIKES, DIGIT_FLIP_RATES)``.
    """
    if not 0 < test_size < 1:
        raise ValueError(f"`test_size` must lie strictly between 0 and 1; got {test_size}")
    X, y = load_digits(return_X_y=True)
    X_train, X_test, true_labels_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    noise_matrix = lookalike_noise_matrix(DIGIT_LOOKALIKES, DIGIT_FLIP_RATES)
    labels_train, is_label_error = inject_label_noise(true_labels_train, noise_matrix, seed=seed)
    return NoisyDigits(
        X_train=X_train,
        labels_train=labels_train,
        true_labels_train=true_labels_train,
        is_label_error=is_label_error,
        X_test=X_test,
        y_test=y_test,
        noise_matrix=noise_matrix,
    )


def _round_preserving_total(values: np.ndarray) -> np.ndarray:
    """Round non-negative floats to ints that keep their (rounded) total: largest remainders round up."""
    floors = np.floor(values + _COLUMN_SUM_TOLERANCE).astype(int)
    shortfall = int(round(values.sum())) - floors.sum()
    if shortfall > 0:
        floors[np.argsort(-(values - floors), kind="stable")[:shortfall]] += 1
    return floors
