"""A few hundred handwritten digits of four look-alike classes, with label errors injected at a fixed seed.

Small on purpose: data valuation gives every training point a value, and the exact methods cost a model fit
(or a utility evaluation) per point and per permutation. The images are scikit-learn's copy of the UCI optical
digits (shipped with the package, nothing is downloaded), restricted to the digits 1, 4, 7 and 9, which come in
look-alike pairs (1 and 7, 4 and 9). Only training labels are corrupted: the validation split (which the values
are computed on) and the test split (which the data fix is judged on) keep their true labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from dcai_helpers.validation import check_fraction, check_seed

#: The digits kept, in class order: class ``k`` is the digit ``DIGITS[k]``.
DIGITS: tuple[int, ...] = (1, 4, 7, 9)

#: Where a mislabelled digit's label goes (true digit -> given digit): each digit is mistaken for its look-alike.
DIGIT_LOOKALIKES: dict[int, int] = {1: 7, 7: 1, 4: 9, 9: 4}

#: Default numbers of training and validation images; the rest of the 722 images are the test split.
N_TRAIN = 300
N_VALIDATION = 150

#: Default fraction of the training images whose label is replaced by the look-alike digit's.
FLIP_RATE = 0.15

#: Origin, size and licence: shown before the exercises.
DATASHEET_OVERVIEW = """\
### Datasheet: look-alike digits

**Origin.** The UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin and Kaynak, 1998), as shipped
with scikit-learn (`sklearn.datasets.load_digits`): 8 x 8 images of 16 grey levels. Only the digits 1, 4, 7 and 9
are kept, relabelled as classes 0 to 3. Nothing is downloaded.

**Size.** 722 images, 64 pixel features each, 4 classes (179 to 182 each), split stratified at a fixed seed into
300 training, 150 validation and 272 test images.

**Licence.** Creative Commons Attribution 4.0 (CC BY 4.0), UCI Machine Learning Repository; scikit-learn itself
is BSD-3-Clause.
"""

#: What was injected: shown after the exercises that find it, as a reveal.
DATASHEET_INJECTED = """
**Injected.** Label errors in the *training* split only (validation and test labels stay true): 15 % of the
training images, 45 of 300, chosen at random with a fixed seed, carry the label of their look-alike digit
(1 <-> 7, 4 <-> 9). The ground truth is returned: `true_labels_train` and the boolean mask `is_label_error`.
"""

#: The whole datasheet.
DATASHEET = DATASHEET_OVERVIEW + DATASHEET_INJECTED


@dataclass(frozen=True)
class LookalikeDigits:
    """The look-alike digits, with the ground truth of the injected label errors.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, 64)
        Training images, flattened 8 x 8 pixels with grey levels 0 to 16.
    labels_train : ndarray of int, shape (n_train,)
        Given (noisy) training labels, classes 0 to 3: what a model is trained on.
    true_labels_train : ndarray of int, shape (n_train,)
        True training labels (ground truth; a real data set would not have them).
    is_label_error : ndarray of bool, shape (n_train,)
        True where ``labels_train != true_labels_train``.
    X_val, y_val : ndarray of shape (n_validation, 64) and (n_validation,)
        Validation images and their true labels: the data values are computed on them.
    X_test, y_test : ndarray of shape (n_test, 64) and (n_test,)
        Test images and their true labels: the data fix is judged on them.
    digits : tuple of int
        The digit each class stands for (``DIGITS``).
    """

    X_train: np.ndarray
    labels_train: np.ndarray
    true_labels_train: np.ndarray
    is_label_error: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    digits: tuple[int, ...] = DIGITS

    @property
    def images_train(self) -> np.ndarray:
        """Training images as an array of shape (n_train, 8, 8), for display."""
        return self.X_train.reshape(-1, 8, 8)


def flip_to_lookalikes(labels: np.ndarray, *, flip_rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Give a fixed fraction of the examples, chosen at random, the label of their look-alike class.

    Parameters
    ----------
    labels : ndarray of int, shape (n_examples,)
        True labels, classes ``0 .. len(DIGITS) - 1``.
    flip_rate : float
        Fraction of the examples flipped, in [0, 1]; ``round(flip_rate * n_examples)`` of them exactly.
    seed : int
        Seed of the random choice of the flipped examples.

    Returns
    -------
    noisy_labels : ndarray of int, shape (n_examples,)
    is_label_error : ndarray of bool, shape (n_examples,)
        Ground truth: True where ``noisy_labels != labels``.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            "`labels` must be a 1-D integer array of length n_examples; "
            f"got shape {labels.shape} and dtype {labels.dtype}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= len(DIGITS)):
        raise ValueError(f"`labels` must lie in 0..{len(DIGITS) - 1}; got values from {labels.min()} to {labels.max()}")
    check_fraction("flip_rate", flip_rate)
    check_seed(seed)
    lookalike_class = np.array([DIGITS.index(DIGIT_LOOKALIKES[digit]) for digit in DIGITS])
    rng = np.random.default_rng(seed)
    flipped = rng.choice(labels.size, size=int(round(flip_rate * labels.size)), replace=False)
    noisy_labels = labels.astype(np.int64, copy=True)
    noisy_labels[flipped] = lookalike_class[labels[flipped]]
    return noisy_labels, noisy_labels != labels


def load_lookalike_digits(
    *, n_train: int = N_TRAIN, n_validation: int = N_VALIDATION, flip_rate: float = FLIP_RATE, seed: int = 0
) -> LookalikeDigits:
    """Load the digits 1, 4, 7 and 9, split them, and inject look-alike label errors into the training labels.

    Parameters
    ----------
    n_train, n_validation : int
        Numbers of training and validation images, each at least 8; the rest (of 722) is the test split,
        which must keep at least 8.
    flip_rate : float, default 0.15
        Fraction of the training labels replaced by the look-alike digit's, in [0, 1].
    seed : int, default 0
        Seed of the stratified splits and of the label errors.

    Returns
    -------
    LookalikeDigits
    """
    X, digit = load_digits(return_X_y=True)
    keep = np.isin(digit, DIGITS)
    X, y = X[keep], np.searchsorted(DIGITS, digit[keep])
    for name, value in {"n_train": n_train, "n_validation": n_validation}.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 8:
            raise ValueError(f"`{name}` must be an int of at least 8; got {value!r}")
    if n_train + n_validation > len(y) - 8:
        raise ValueError(
            f"`n_train + n_validation` must leave at least 8 of the {len(y)} images for the test split; "
            f"got {n_train} + {n_validation}"
        )
    check_fraction("flip_rate", flip_rate)
    check_seed(seed)
    X_train, X_rest, true_labels_train, y_rest = train_test_split(
        X, y, train_size=n_train, random_state=seed, stratify=y
    )
    X_val, X_test, y_val, y_test = train_test_split(
        X_rest, y_rest, train_size=n_validation, random_state=seed, stratify=y_rest
    )
    labels_train, is_label_error = flip_to_lookalikes(true_labels_train, flip_rate=flip_rate, seed=seed)
    return LookalikeDigits(
        X_train=X_train,
        labels_train=labels_train,
        true_labels_train=true_labels_train,
        is_label_error=is_label_error,
        X_val=X_val,
        y_val=y_val,
        X_test=X_test,
        y_test=y_test,
    )
