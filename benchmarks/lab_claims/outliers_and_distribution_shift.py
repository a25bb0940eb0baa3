"""outliers_and_distribution_shift: BBSE importance weights, floored so that no class is dropped, raise the fixed
model's accuracy on a label-shifted target; the unfloored weights are the comparison that motivates the floor."""

from __future__ import annotations

import numpy as np
from claims import Claim, per_seed, reading
from sklearn.linear_model import LogisticRegression

from dcai_helpers import shifted_digits


@per_seed
def _gains(ns: dict, seed: int) -> dict[str, float]:
    """The notebook's recipe (Apply: correct a fixed model for label shift) on a new split, run once per seed: both
    gains, which the two claims share."""
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


CLAIMS = [
    Claim(
        "BBSE weights floored at 0.25 beat the unweighted model on the shifted target",
        reading(_gains, "floored"),
        n_seeds=50,
    ),
    Claim(
        "(comparison) BBSE weights with zeros kept: a zero drops a class",
        reading(_gains, "zeros kept"),
        n_seeds=50,
        sign=0,
    ),
]
