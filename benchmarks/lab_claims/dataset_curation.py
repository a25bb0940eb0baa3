"""dataset_curation: Dawid-Skene beats majority vote in label accuracy, and so does the model trained on its labels."""

from __future__ import annotations

import numpy as np
from claims import Claim
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dcai_helpers import annotators

N_CLASSES = 10


def _consensus(ns: dict, seed: int):
    """A new crowd (data seed ``seed``): the data, majority vote's and Dawid-Skene's labels."""
    data = annotators.load_crowd_labelled_digits(seed=seed)
    majority = ns["majority_vote"](data.labels_multiannotator, N_CLASSES)
    posteriors, _, _ = ns["dawid_skene"](data.labels_multiannotator, N_CLASSES)
    return data, majority, posteriors.argmax(axis=1)


def label_accuracy_gain(ns: dict, seed: int) -> float:
    data, majority, dawid_skene = _consensus(ns, seed)
    return float(np.mean(dawid_skene == data.true_labels) - np.mean(majority == data.true_labels))


def model_accuracy_gain(ns: dict, seed: int) -> float:
    """The notebook's fixed model trained on each consensus, scored on the test images."""
    data, majority, dawid_skene = _consensus(ns, seed)

    def test_accuracy(labels):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)).fit(data.X_train, labels)
        return float(np.mean(model.predict(data.X_test) == data.y_test))

    return test_accuracy(dawid_skene) - test_accuracy(majority)


CLAIMS = [
    Claim("Dawid-Skene's labels are more accurate than majority vote's (+0.066 on seed 0)", label_accuracy_gain, 10),
    Claim("the fixed model trained on Dawid-Skene's labels beats majority vote's on test", model_accuracy_gain, 10),
]
