"""Tests of dcai_helpers.torch_training: the device choice, a reproducible training loop, embed and predict_proba."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from dcai_helpers.torch_training import embed, pick_device, predict_proba, train_classifier  # noqa: E402


def blobs(seed: int = 0, n_per_class: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated Gaussian blobs in 4 dimensions."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0, 0, 0], [4.0, 0, 0, 0], [0.0, 4.0, 0, 0]])
    labels = np.repeat(np.arange(3), n_per_class)
    return centres[labels] + rng.normal(size=(len(labels), 4)), labels


def small_network(seed: int = 0) -> tuple[torch.nn.Module, torch.nn.Module]:
    torch.manual_seed(seed)
    body = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU())
    return body, torch.nn.Sequential(body, torch.nn.Linear(16, 3))


def test_pick_device_defaults_to_cuda_when_present_else_cpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert pick_device().type == expected
    assert pick_device("cpu") == torch.device("cpu")
    with pytest.raises(TypeError, match="`device` must be a string"):
        pick_device(3)


def test_train_classifier_learns_separable_blobs():
    X, y = blobs()
    _, model = small_network()
    trained = train_classifier(model, X, y, epochs=30, batch_size=32, lr=1e-2, seed=0, device="cpu", progress=False)
    assert trained is model and not model.training
    probabilities = predict_proba(model, X, device="cpu")
    assert probabilities.shape == (len(X), 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities.argmax(axis=1) == y).mean() > 0.95


def test_train_classifier_is_reproducible_for_a_seed_and_differs_across_seeds():
    X, y = blobs()
    runs = {}
    for name, seed in [("first", 3), ("again", 3), ("other", 4)]:
        _, model = small_network()
        train_classifier(model, X, y, epochs=3, batch_size=16, lr=1e-2, seed=seed, device="cpu", progress=False)
        runs[name] = predict_proba(model, X, device="cpu")
    assert np.array_equal(runs["first"], runs["again"])
    assert not np.allclose(runs["first"], runs["other"])


def test_embed_returns_the_module_output_in_batches():
    X, _ = blobs(n_per_class=10)
    body, _ = small_network()
    features = embed(body, X, device="cpu")
    with torch.no_grad():
        expected = body(torch.as_tensor(X, dtype=torch.float32)).numpy()
    assert features.shape == (30, 16) and features.dtype == np.float32
    assert np.allclose(features, expected)
    assert embed(body, X[:0], device="cpu").shape == (0, 16)


def test_embed_keeps_the_module_training_mode():
    body, _ = small_network()
    body.train()
    embed(body, np.zeros((2, 4)), device="cpu")
    assert body.training


@pytest.mark.parametrize(
    ("X", "y", "options", "message"),
    [
        (np.zeros(5), np.zeros(5, int), {}, "`X` must be a 2-D numeric array"),
        (
            np.zeros((5, 4)),
            np.zeros(4, int),
            {},
            r"`y` must be a 1-D integer \(class indices >= 0\) array of shape \(n_examples,\) with 5 rows",
        ),
        (np.zeros((5, 4)), np.zeros(5), {}, r"`y` must be a 1-D integer \(class indices >= 0\) array"),
        (np.zeros((5, 4)), -np.ones(5, int), {}, "class indices >= 0"),
        (np.zeros((5, 4)), np.zeros(5, int), {"epochs": 0}, "`epochs` must be a positive int"),
        (np.zeros((5, 4)), np.zeros(5, int), {"batch_size": 2.5}, "`batch_size` must be a positive int"),
        (np.zeros((5, 4)), np.zeros(5, int), {"lr": -1.0}, "`lr` must be a positive float"),
        (np.zeros((5, 4)), np.zeros(5, int), {"seed": -1}, "`seed` must be a non-negative integer"),
    ],
)
def test_train_classifier_validates_its_input(X, y, options, message):
    _, model = small_network()
    arguments = {"epochs": 1, "batch_size": 2, "lr": 1e-2, "seed": 0, **options}
    with pytest.raises(ValueError, match=message):
        train_classifier(model, X, y, device="cpu", progress=False, **arguments)


def test_train_classifier_rejects_what_is_not_a_module():
    with pytest.raises(TypeError, match="`model` must be a torch.nn.Module"):
        train_classifier(lambda x: x, np.zeros((2, 4)), np.zeros(2, int), epochs=1, batch_size=1, lr=0.1, seed=0)


def test_predict_proba_rejects_features_that_are_not_2d():
    _, model = small_network()
    with pytest.raises(ValueError, match="`X` must be a 2-D numeric array"):
        predict_proba(model, np.zeros((2, 4, 1)))
