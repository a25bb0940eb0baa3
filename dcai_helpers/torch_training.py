"""Small torch training plumbing shared by the labs: pick a device, train a classifier, embed, predict.

The labs teach what to do with a model's features or predictions, not how to write a training loop, so
the loop lives here. Everything runs on the CPU by default and on CUDA when it is present; results are
reproducible for a given ``seed`` on a given device (CUDA and CPU may differ in the last digits).

Torch is imported inside the functions, so importing :mod:`dcai_helpers` stays cheap and free of side
effects for the labs that do not use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dcai_helpers.validation import check_array

if TYPE_CHECKING:  # pragma: no cover - imported for type hints only
    import torch

#: Rows per forward pass in :func:`embed` and :func:`predict_proba` (bounds memory, not results).
INFERENCE_BATCH_SIZE = 4096


def pick_device(device: str | None = None) -> torch.device:
    """The device to run on: ``device`` if given, else CUDA when present, else the CPU.

    Parameters
    ----------
    device : str or None
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``...; ``None`` picks ``"cuda"`` when available, ``"cpu"`` otherwise.

    Returns
    -------
    torch.device
    """
    import torch

    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, str | torch.device):
        raise TypeError(f"`device` must be a string such as 'cpu' or 'cuda', or None; got {type(device).__name__}")
    return torch.device(device)


def _check_features(name: str, features: object) -> np.ndarray:
    array = check_array(name, features, shape="(n_examples, n_features)", ndim=2)
    return array.astype(np.float32, copy=False)


def _check_positive(name: str, value: object, kind: type) -> None:
    if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
        raise ValueError(f"`{name}` must be a positive {kind.__name__}; got {value!r}")


def train_classifier(
    model: torch.nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    weight_decay: float = 0.0,
    label_smoothing: float = 0.0,
    device: str | None = None,
    progress: bool = True,
) -> torch.nn.Module:
    """Train ``model`` (features -> class logits) with Adam and cross-entropy, in place; return it.

    The one training loop of the helpers for features -> logits (``clinic_records.train_mlp`` is this function);
    ``few_label_digits.train_cnn`` has its own, because augmenting and mixing each batch is what its lab teaches.

    Mini-batches are drawn by a shuffle seeded with ``seed``, and torch's global seed is set to ``seed``
    before training (dropout and the like), so two calls with the same arguments give the same model
    on the same device. Initialise ``model``'s weights under ``torch.manual_seed`` for a reproducible
    start.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a float tensor of shape (batch, n_features) to logits of shape (batch, n_classes).
    X : ndarray of shape (n_examples, n_features)
        Training features (converted to float32).
    y : ndarray of shape (n_examples,)
        Integer class indices in ``0 .. n_classes - 1``.
    epochs : int
        Passes over the data.
    batch_size : int
        Rows per gradient step (the last batch of an epoch may be smaller).
    lr : float
        Adam's learning rate.
    seed : int
        Seed of the batch order and of torch's global generator.
    weight_decay : float
        Adam's L2 penalty.
    label_smoothing : float
        In [0, 1): the targets become ``(1 - label_smoothing)`` on the label plus ``label_smoothing / n_classes``
        on every class (``torch.nn.functional.cross_entropy``'s ``label_smoothing``).
    device : str or None
        Where to train (see :func:`pick_device`); the model is moved there and stays there.
    progress : bool
        Show a tqdm progress bar over the epochs.

    Returns
    -------
    torch.nn.Module
        ``model`` itself, trained, in evaluation mode.
    """
    import torch
    from tqdm.auto import tqdm

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"`model` must be a torch.nn.Module; got {type(model).__name__}")
    features = _check_features("X", X)
    labels = check_array("y", y, shape="(n_examples,)", ndim=1, kind="label", length=len(features))
    _check_positive("epochs", epochs, int)
    _check_positive("batch_size", batch_size, int)
    _check_positive("lr", float(lr) if isinstance(lr, int | float) else lr, float)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer; got {seed!r}")
    if not 0.0 <= float(label_smoothing) < 1.0:
        raise ValueError(f"`label_smoothing` must be in [0, 1); got {label_smoothing!r}")

    target = pick_device(device)
    torch.manual_seed(int(seed))
    model.to(target).train()
    train_x = torch.as_tensor(features, device=target)
    train_y = torch.as_tensor(labels, dtype=torch.long, device=target)
    optimizer = torch.optim.Adam(model.parameters(), lr=float(lr), weight_decay=float(weight_decay))
    # A CPU generator of its own: the batch order does not depend on the device or on torch's global state.
    batch_order = torch.Generator().manual_seed(int(seed))
    for _epoch in tqdm(range(epochs), desc="training", disable=not progress):
        for batch in torch.randperm(len(train_x), generator=batch_order).split(batch_size):
            batch = batch.to(target)
            loss = torch.nn.functional.cross_entropy(
                model(train_x[batch]), train_y[batch], label_smoothing=float(label_smoothing)
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


def _forward(module: torch.nn.Module, X: np.ndarray, device: str | None) -> np.ndarray:
    import torch

    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"`model` must be a torch.nn.Module; got {type(module).__name__}")
    features = _check_features("X", X)
    target = pick_device(device)
    was_training = module.training
    module.to(target).eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(features), INFERENCE_BATCH_SIZE):
            batch = torch.as_tensor(features[start : start + INFERENCE_BATCH_SIZE], device=target)
            outputs.append(module(batch).cpu().numpy())
    module.train(was_training)
    if not outputs:
        # No rows: run one dummy row to learn the output width.
        with torch.no_grad():
            width = module(torch.zeros((1, features.shape[1]), device=target)).shape[1]
        return np.empty((0, width), dtype=np.float32)
    return np.concatenate(outputs)


def embed(model: torch.nn.Module, X: np.ndarray, *, device: str | None = None) -> np.ndarray:
    """The output of ``model`` (for example the hidden layers of a network) on every row of ``X``.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a float tensor of shape (batch, n_features) to one of shape (batch, n_outputs).
    X : ndarray of shape (n_examples, n_features)
    device : str or None
        Where to run (see :func:`pick_device`).

    Returns
    -------
    ndarray of float32, shape (n_examples, n_outputs)
    """
    return _forward(model, X, device)


def predict_proba(model: torch.nn.Module, X: np.ndarray, *, device: str | None = None) -> np.ndarray:
    """Softmax of ``model``'s logits on every row of ``X``.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a float tensor of shape (batch, n_features) to logits of shape (batch, n_classes).
    X : ndarray of shape (n_examples, n_features)
    device : str or None
        Where to run (see :func:`pick_device`).

    Returns
    -------
    ndarray of float32, shape (n_examples, n_classes); rows sum to 1.
    """
    logits = _forward(model, X, device)
    logits = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    return probabilities / probabilities.sum(axis=1, keepdims=True)
