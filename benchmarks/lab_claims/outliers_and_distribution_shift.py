"""outliers_and_distribution_shift: BBSE importance weights, floored so that no class is dropped, raise the fixed
model's accuracy on a label-shifted target; the unfloored weights are the comparison that motivates the floor."""

from __future__ import annotations

import numpy as np
from claims import Claim
from sklearn.linear_model import LogisticRegression

from dcai_helpers import shifted_digits

#: Seed -> both gains: the two claims share one run of the recipe per seed.
_GAINS: dict[int, dict[str, float]] = {}


def _gains(ns: dict, seed: int) -> dict[str, float]:
    """The notebook's recipe (Apply: correct a fixed model for label shift) on a new split, run once per seed."""
    if seed not in _GAINS:
        _GAINS[seed] = _run_recipe(ns, seed)
    return _GAINS[seed]


def _run_recipe(ns: dict, seed: int) -> dict[str, float]:
    split = shifted_digits.load_shift_split(seed=seed)
    labels = split.source_train_labels

    def target_accuracy(sample_weight=None) -> float:
        if sample_weight is not None:
            sample_weight = sample_weight / sample_weight.mean()
        model = LogisticRegression(max_iter=2000).fit(split.source_train_images, labels, sample_weight=sample_weight)
        return float((model.predict(split.target_images) == split.target_labels).mean())

    model = LogisticRegression(max_iter=2000).fit(split.source_train_images, labels)
    weights = ns["bbse_importance_weights"](
        split.source_val_labels,
        model.predict(split.source_val_images),
        model.predict(split.target_images),
        shifted_digits.N_CLASSES,
    )
    unweighted = target_accuracy()
    return {
        "floored": target_accuracy(np.maximum(weights, ns["WEIGHT_FLOOR"])[labels]) - unweighted,
        "zeros kept": target_accuracy(weights[labels]) - unweighted,
    }


def floored_gain(ns: dict, seed: int) -> float:
    return _gains(ns, seed)["floored"]


def zeros_kept_gain(ns: dict, seed: int) -> float:
    return _gains(ns, seed)["zeros kept"]


CLAIMS = [
    Claim("BBSE weights floored at 0.25 beat the unweighted model on the shifted target", floored_gain, n_seeds=50),
    Claim("(comparison) BBSE weights with zeros kept: a zero drops a class", zeros_kept_gain, n_seeds=50, sign=0),
]
