"""Handwritten digits with injected outliers and shifted splits, for the ``outliers_and_distribution_shift`` lab.

Both loaders start from scikit-learn's copy of the UCI optical digits (8x8 images, shipped with
scikit-learn, so nothing is downloaded) and return the ground truth of what they changed: which test
images are outliers and of which kind, and the exact class priors of the source and target samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits

from dcai_helpers.validation import check_int, check_seed

DATASHEET = """\
### Datasheet: shifted digits (`dcai_helpers.shifted_digits`)

**Origin.** scikit-learn's copy of the UCI "Optical Recognition of Handwritten Digits" test set
(`sklearn.datasets.load_digits`): 1,797 grey-scale 8x8 images of the digits 0 to 9 written by 43 people,
pixel values 0 to 16, here divided by 16 so they lie in [0, 1]. Everything else is generated from
those images with an explicit `seed`.

**Size.** `load_outlier_split()`: 1,063 training images of the digits 0 to 7 and 460 test images
(300 inliers, 160 outliers). `load_shift_split()`: a source sample with class priors falling
geometrically from digit 0 to digit 9 (about 300 train, 300 validation and 90 test images by
default), a label-shifted target sample of about 690 images with the priors reversed, and a
covariate-shifted copy of the source test images. 64 pixel features per image.

**Licence.** The UCI data set is licensed CC BY 4.0 (Alpaydin and Kaynak, 1998); the generated
splits are released with the course under the MIT licence.

**Injected.**
- *Outliers* (`is_outlier`, `outlier_kind`): 40 images of the held-out digits 8 and 9 (`"unseen digit"`),
  40 inlier test digits rotated by 90 degrees (`"rotated"`), 40 with inverted ink (`"inverted"`) and
  40 images of uniform pixel noise (`"noise"`). The digits used for rotated and inverted outliers are
  not also test inliers.
- *Label shift*: the source priors are proportional to `prior_ratio ** digit`, the target priors to
  `prior_ratio ** (9 - digit)`; the images of each class are drawn without replacement from the same
  pool, so p(x | y) is unchanged. The exact priors of each sample are returned.
- *Covariate shift*: `covariate_shifted_images` are the source test images seen by a "faded scanner":
  `clip(contrast * x + brightness + noise, 0, 1)` with Gaussian pixel noise; their labels are unchanged.
"""

#: The digits of the data set.
N_CLASSES = 10
#: Side of the square images, in pixels.
IMAGE_SIDE = 8
#: The names of the outlier kinds, in the order they are stacked after the inliers.
OUTLIER_KINDS = ("unseen digit", "rotated", "inverted", "noise")


@dataclass(frozen=True)
class OutlierSplit:
    """Training images of some digits and a test set mixing inliers with known outliers.

    Attributes
    ----------
    train_images : ndarray of shape (n_train, 64), float in [0, 1]
        Flattened 8x8 images of the inlier digits.
    train_labels : ndarray of shape (n_train,), int
        Their digit.
    test_images : ndarray of shape (n_test, 64), float in [0, 1]
        Inlier test images followed by the outliers, in a shuffled order.
    is_outlier : ndarray of shape (n_test,), bool
        Ground truth: True for an injected outlier.
    outlier_kind : ndarray of shape (n_test,), str
        ``"inlier"`` or one of :data:`OUTLIER_KINDS`.
    inlier_classes : tuple of int
        The digits of the training set.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    is_outlier: np.ndarray
    outlier_kind: np.ndarray
    inlier_classes: tuple[int, ...]


@dataclass(frozen=True)
class ShiftSplit:
    """A labelled source sample and two shifted target samples with known priors.

    Attributes
    ----------
    source_train_images, source_val_images, source_test_images : ndarray of shape (n, 64)
        Three disjoint samples from the source distribution (priors ``source_priors``).
    source_train_labels, source_val_labels, source_test_labels : ndarray of shape (n,), int
        Their digits.
    target_images : ndarray of shape (n_target, 64)
        The label-shifted target sample (priors ``target_priors``, same p(x | y)).
    target_labels : ndarray of shape (n_target,), int
        Its digits: hidden from the methods, used only to measure accuracy.
    covariate_shifted_images : ndarray of shape (n_source_test, 64)
        The source test images through a faded, noisy scanner (covariate shift; labels are
        ``source_test_labels``).
    source_priors, target_priors : ndarray of shape (10,)
        The exact class frequencies of the source (all three parts together) and target samples.
    """

    source_train_images: np.ndarray
    source_train_labels: np.ndarray
    source_val_images: np.ndarray
    source_val_labels: np.ndarray
    source_test_images: np.ndarray
    source_test_labels: np.ndarray
    target_images: np.ndarray
    target_labels: np.ndarray
    covariate_shifted_images: np.ndarray
    source_priors: np.ndarray
    target_priors: np.ndarray


def _scaled_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 digits as (images in [0, 1] of shape (n, 64), labels)."""
    images, labels = load_digits(return_X_y=True)
    return images / 16.0, labels.astype(np.int64)


def load_outlier_split(
    *,
    seed: int = 0,
    held_out_classes: Sequence[int] = (8, 9),
    n_test_inliers: int = 300,
    n_per_kind: int = 40,
) -> OutlierSplit:
    """Split the digits into inlier training images and a test set with injected outliers.

    Parameters
    ----------
    seed : int
        Seed of every random choice.
    held_out_classes : sequence of int
        Digits left out of training; their images become ``"unseen digit"`` outliers.
    n_test_inliers : int
        Number of inlier test images.
    n_per_kind : int
        Number of outliers of each kind in :data:`OUTLIER_KINDS`.

    Returns
    -------
    OutlierSplit
    """
    check_seed(seed)
    check_int("n_test_inliers", n_test_inliers, minimum=1)
    check_int("n_per_kind", n_per_kind, minimum=1)
    held_out = np.asarray(held_out_classes)
    if (
        held_out.ndim != 1
        or held_out.size == 0
        or not np.issubdtype(held_out.dtype, np.integer)
        or np.any((held_out < 0) | (held_out >= N_CLASSES))
        or len(np.unique(held_out)) != held_out.size
        or held_out.size > N_CLASSES - 2
    ):
        raise ValueError(
            "`held_out_classes` must be 1 to 8 distinct digits between 0 and 9; "
            f"got {list(np.asarray(held_out_classes).ravel())}"
        )
    images, labels = _scaled_digits()
    rng = np.random.default_rng(seed)
    inlier_pool = rng.permutation(np.flatnonzero(~np.isin(labels, held_out)))
    unseen_pool = np.flatnonzero(np.isin(labels, held_out))
    # Rotated and inverted outliers are made from inlier digits kept out of both train and test.
    n_needed = n_test_inliers + 2 * n_per_kind
    if n_needed >= len(inlier_pool) - 10 or n_per_kind > len(unseen_pool):
        raise ValueError(
            f"`n_test_inliers` + 2 * `n_per_kind` must leave training images and `n_per_kind` must be at most "
            f"{len(unseen_pool)}; got n_test_inliers={n_test_inliers}, n_per_kind={n_per_kind}"
        )
    test_inliers = inlier_pool[:n_test_inliers]
    to_rotate = inlier_pool[n_test_inliers : n_test_inliers + n_per_kind]
    to_invert = inlier_pool[n_test_inliers + n_per_kind : n_needed]
    train = np.sort(inlier_pool[n_needed:])
    unseen = rng.choice(unseen_pool, n_per_kind, replace=False)
    square = images[to_rotate].reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
    rotated = np.rot90(square, k=1, axes=(1, 2)).reshape(n_per_kind, -1)
    inverted = 1.0 - images[to_invert]
    noise = rng.uniform(0.0, 1.0, size=(n_per_kind, images.shape[1]))
    test = np.vstack([images[test_inliers], images[unseen], rotated, inverted, noise])
    kind = np.array(["inlier"] * n_test_inliers + [k for k in OUTLIER_KINDS for _ in range(n_per_kind)])
    order = rng.permutation(len(test))
    return OutlierSplit(
        train_images=images[train],
        train_labels=labels[train],
        test_images=test[order],
        is_outlier=kind[order] != "inlier",
        outlier_kind=kind[order],
        inlier_classes=tuple(int(c) for c in np.setdiff1d(np.arange(N_CLASSES), held_out)),
    )


def fade_images(
    images: np.ndarray, *, contrast: float = 0.6, brightness: float = 0.15, noise_std: float = 0.1, seed: int = 0
) -> np.ndarray:
    """Simulate a faded, noisy scanner: ``clip(contrast * images + brightness + noise, 0, 1)``.

    Parameters
    ----------
    images : ndarray of shape (n_images, n_pixels)
        Pixel values in [0, 1].
    contrast : float
        Factor applied to every pixel, in (0, 1].
    brightness : float
        Value added to every pixel, in [0, 1).
    noise_std : float
        Standard deviation of the Gaussian noise added to every pixel, 0 or more.
    seed : int
        Seed of the noise.

    Returns
    -------
    ndarray of shape (n_images, n_pixels)
    """
    check_seed(seed)
    images = np.asarray(images)
    if images.ndim != 2 or not np.issubdtype(images.dtype, np.number):
        raise ValueError(
            f"`images` must be a 2-D numeric array of shape (n_images, n_pixels); got shape {images.shape}"
        )
    if not 0.0 < contrast <= 1.0:
        raise ValueError(f"`contrast` must be in (0, 1]; got {contrast!r}")
    if not 0.0 <= brightness < 1.0:
        raise ValueError(f"`brightness` must be in [0, 1); got {brightness!r}")
    if not noise_std >= 0.0:
        raise ValueError(f"`noise_std` must be 0 or more; got {noise_std!r}")
    rng = np.random.default_rng(seed)
    faded = contrast * images.astype(float) + brightness + rng.normal(0.0, noise_std, size=images.shape)
    return np.clip(faded, 0.0, 1.0)


def load_shift_split(
    *,
    seed: int = 0,
    prior_ratio: float = 0.8,
    n_source: Sequence[int] = (300, 300, 90),
    n_target: int = 690,
) -> ShiftSplit:
    """Draw a source sample with skewed class priors, a label-shifted and a covariate-shifted target.

    Parameters
    ----------
    seed : int
        Seed of every random choice.
    prior_ratio : float
        In (0, 1]: source priors are proportional to ``prior_ratio ** digit`` and target priors to
        ``prior_ratio ** (9 - digit)``; 1 gives no label shift.
    n_source : sequence of 3 int
        Sizes of the source train, validation and test samples (each drawn with the source priors,
        rounded per class).
    n_target : int
        Size of the label-shifted target sample.

    Returns
    -------
    ShiftSplit
    """
    check_seed(seed)
    if isinstance(prior_ratio, bool) or not isinstance(prior_ratio, float | int) or not 0.0 < prior_ratio <= 1.0:
        raise ValueError(f"`prior_ratio` must be a number in (0, 1]; got {prior_ratio!r}")
    sizes = list(n_source) if isinstance(n_source, Sequence) and not isinstance(n_source, str) else None
    if sizes is None or len(sizes) != 3:
        raise ValueError(
            f"`n_source` must be a sequence of 3 positive ints (train, validation, test); got {n_source!r}"
        )
    for name, value in zip(("n_source[0]", "n_source[1]", "n_source[2]"), sizes, strict=True):
        check_int(name, value, minimum=1)
    check_int("n_target", n_target, minimum=1)
    images, labels = _scaled_digits()
    weights = float(prior_ratio) ** np.arange(N_CLASSES)
    source_priors, target_priors = weights / weights.sum(), weights[::-1] / weights.sum()
    # At least 2 images per class and part, so every class can be learned and is seen in validation.
    counts = [np.maximum(2, np.round(size * source_priors)).astype(int) for size in sizes]
    counts.append(np.maximum(2, np.round(n_target * target_priors)).astype(int))
    needed = np.sum(counts, axis=0)
    available = np.bincount(labels, minlength=N_CLASSES)
    if np.any(needed > available):
        digit = int(np.argmax(needed - available))
        raise ValueError(
            f"`n_source` and `n_target` ask for {needed[digit]} images of digit {digit}, but only "
            f"{available[digit]} exist; got n_source={tuple(sizes)}, n_target={n_target}; use smaller sizes"
        )
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in counts]
    for digit in range(N_CLASSES):
        pool = rng.permutation(np.flatnonzero(labels == digit))
        start = 0
        for part, count in zip(parts, counts, strict=True):
            part.append(pool[start : start + count[digit]])
            start += count[digit]
    train, val, test, target = (rng.permutation(np.concatenate(part)) for part in parts)
    source_labels = labels[np.concatenate([train, val, test])]
    return ShiftSplit(
        source_train_images=images[train],
        source_train_labels=labels[train],
        source_val_images=images[val],
        source_val_labels=labels[val],
        source_test_images=images[test],
        source_test_labels=labels[test],
        target_images=images[target],
        target_labels=labels[target],
        covariate_shifted_images=fade_images(images[test], seed=seed + 1),
        source_priors=np.bincount(source_labels, minlength=N_CLASSES) / len(source_labels),
        target_priors=np.bincount(labels[target], minlength=N_CLASSES) / len(target),
    )
