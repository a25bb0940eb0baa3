"""A pool of unlabelled handwritten digits behind a simulated labelling oracle, for active learning.

The images are scikit-learn's copy of the UCI optical digits (8 x 8 pixels, shipped with the package, so nothing
is downloaded). The pool's labels are known to this module but handed out only through a :class:`LabellingOracle`,
which counts every label it gives, as a paid annotator would. The test split keeps its labels in the open: it
measures the model, it is never queried.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from dcai_helpers.validation import check_seed

#: Number of principal components the images are projected on: enough for ~90 % of the pixel variance, few enough
#: that the fixed model trains in milliseconds, which the many rounds of an active-learning loop need.
N_COMPONENTS = 20

#: Number of the 1,797 images held out as the labelled test split.
N_TEST = 540

#: Size of the full pool: the images that are not in the test split.
N_POOL = 1257

DATASHEET = """\
### Datasheet: unlabelled digits

**Origin.** The UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin and Kaynak, 1998), as shipped
with scikit-learn (`sklearn.datasets.load_digits`): 8 x 8 images of 16 grey levels, written by 43 people. Nothing
is downloaded.

**Size.** 1,797 images, 10 classes (about 180 each), split stratified at a fixed seed into a pool of 1,257 images
and a test split of 540. Each image is projected on the first 20 principal components of the full pool (fitted
without labels, as a real pool allows). `load_unlabelled_digits(pool_size=...)` keeps a stratified sample of the
pool, for the scaling experiment.

**Licence.** Creative Commons Attribution 4.0 (CC BY 4.0), UCI Machine Learning Repository; scikit-learn itself is
BSD-3-Clause.

**Injected.** No label is wrong and no image is altered. What is simulated is the cost of labels: the pool's labels
(`true_labels_pool`, the ground truth) are handed out only by a `LabellingOracle`, which counts each label it gives
and refuses to label an example twice, as a project would refuse to pay twice.
"""


@dataclass(frozen=True)
class UnlabelledDigits:
    """A pool of digits whose labels sit behind an oracle, and a labelled test split.

    Attributes
    ----------
    X_pool : ndarray of shape (n_pool, N_COMPONENTS)
        Pool images, projected on the principal components of the full pool.
    true_labels_pool : ndarray of int, shape (n_pool,)
        The pool's labels (ground truth): ask a :class:`LabellingOracle` for them, as a project would pay for them.
    X_test : ndarray of shape (n_test, N_COMPONENTS)
        Test images, projected on the same components.
    y_test : ndarray of int, shape (n_test,)
        Test labels.
    """

    X_pool: np.ndarray
    true_labels_pool: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def oracle(self) -> LabellingOracle:
        """A fresh oracle for this pool, with no label given yet."""
        return LabellingOracle(self.true_labels_pool)


class LabellingOracle:
    """A simulated annotator: returns the true label of the pool examples it is asked about, and counts them.

    Parameters
    ----------
    true_labels : array-like of int, shape (n_pool,)
        The labels the oracle knows.

    Raises
    ------
    ValueError
        From :meth:`label`, when asked about an index outside the pool, about the same example twice in one
        request, or about an example it has already labelled (a project would pay twice for it).

    At grading, the oracle stays in the grader's process, with the truth: a student's code gets a stand-in
    whose :meth:`label` and :attr:`n_labels_given` call back to it (see ``dcai_helpers.verdicts.proxy``).
    """

    __grading_lends__ = ("label", "n_labels_given")

    def __init__(self, true_labels: np.ndarray | Sequence[int]) -> None:
        true_labels = np.asarray(true_labels)
        if true_labels.ndim != 1 or not np.issubdtype(true_labels.dtype, np.integer):
            raise ValueError(
                "`true_labels` must be a 1-D integer array of length n_pool; "
                f"got shape {true_labels.shape} and dtype {true_labels.dtype}"
            )
        self._true_labels = true_labels.copy()
        self._is_labelled = np.zeros(true_labels.size, dtype=bool)

    @property
    def n_labels_given(self) -> int:
        """Number of labels handed out so far: the labelling cost."""
        return int(self._is_labelled.sum())

    def label(self, indices: np.ndarray | Sequence[int]) -> np.ndarray:
        """The true labels of the pool examples ``indices``, in the same order.

        Parameters
        ----------
        indices : array-like of int, shape (n_queried,)
            Positions in the pool, each not yet labelled.

        Returns
        -------
        labels : ndarray of int, shape (n_queried,)
        """
        indices = np.asarray(indices)
        if indices.size == 0:
            indices = indices.astype(np.int64)  # an empty list arrives as floats
        if indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer):
            raise ValueError(
                "the oracle needs a 1-D integer array of pool indices; "
                f"got shape {indices.shape} and dtype {indices.dtype}"
            )
        n_pool = self._true_labels.size
        outside = indices[(indices < 0) | (indices >= n_pool)]
        if outside.size:
            raise ValueError(
                f"the oracle was asked about indices outside the pool 0..{n_pool - 1}: {outside[:5].tolist()}"
            )
        unique, counts = np.unique(indices, return_counts=True)
        if np.any(counts > 1):
            raise ValueError(
                f"the oracle was asked twice in one request about examples {unique[counts > 1][:5].tolist()}: "
                "query each example once"
            )
        again = indices[self._is_labelled[indices]]
        if again.size:
            raise ValueError(
                f"the oracle was asked again about examples it already labelled: {again[:5].tolist()}; "
                "query only unlabelled examples"
            )
        self._is_labelled[indices] = True
        return self._true_labels[indices].copy()


def make_fixed_model() -> Pipeline:
    """The lab's fixed model: standardised features and a multinomial logistic regression. Only the data changes."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))


def load_unlabelled_digits(*, pool_size: int = N_POOL, seed: int = 0) -> UnlabelledDigits:
    """Split the digits into a pool (labels behind an oracle) and a test split, projected on principal components.

    Parameters
    ----------
    pool_size : int, default N_POOL (1,257)
        Number of pool images kept, from 20 to ``N_POOL``: a stratified sample of the full pool (the same for a
        given seed). The test split and the principal components do not depend on it.
    seed : int, default 0
        Seed of the split and of the sample of the pool.

    Returns
    -------
    UnlabelledDigits
    """
    if isinstance(pool_size, bool) or not isinstance(pool_size, int | np.integer):
        raise TypeError(f"`pool_size` must be an int; got {type(pool_size).__name__}")
    if not 20 <= pool_size <= N_POOL:
        raise ValueError(f"`pool_size` must lie between 20 and {N_POOL}; got {pool_size}")
    check_seed(seed)
    images, labels = load_digits(return_X_y=True)
    images_pool, images_test, labels_pool, y_test = train_test_split(
        images, labels, test_size=N_TEST, random_state=seed, stratify=labels
    )
    # Fitted on the whole pool's pixels, never on labels, so every pool size shares one feature space.
    pca = PCA(n_components=N_COMPONENTS, random_state=seed).fit(images_pool)
    if pool_size < N_POOL:
        images_pool, _, labels_pool, _ = train_test_split(
            images_pool, labels_pool, train_size=pool_size, random_state=seed, stratify=labels_pool
        )
    return UnlabelledDigits(
        X_pool=pca.transform(images_pool),
        true_labels_pool=labels_pool.astype(np.int64),
        X_test=pca.transform(images_test),
        y_test=y_test.astype(np.int64),
    )
