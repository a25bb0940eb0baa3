"""Hard-coded answers for dataset_curation: each passes its exercise's public checks and must fail the hidden ones."""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_majority_vote": {
        "majority_vote": (
            "def majority_vote(labels_multiannotator, n_classes):\n"
            "    return np.resize(np.array([0, 2, 0, 1]), len(labels_multiannotator))\n"
        ),
    },
    "test_annotator_agreement": {
        "annotator_agreement": (
            "def annotator_agreement(labels_multiannotator, consensus_labels):\n"
            "    return np.resize(np.array([0.75, 1.0, 0.75, np.nan]), labels_multiannotator.shape[1])\n"
        ),
    },
    "test_m_step": {
        "m_step": (
            "def m_step(labels_multiannotator, posteriors, smoothing=0.01):\n"
            "    if smoothing == 1.0:\n"
            "        smoothed = [[[3 / 4, 1 / 4], [1 / 3, 2 / 3]], [[1 / 3, 2 / 3]] * 2]\n"
            "        return posteriors.mean(axis=0), np.array(smoothed)\n"
            "    n_annotators, n_classes = labels_multiannotator.shape[1], posteriors.shape[1]\n"
            "    confusion = np.tile(np.eye(n_classes), (n_annotators, 1, 1))\n"
            "    confusion[1] = [[0.0, 1.0], [0.0, 1.0]] if n_classes == 2 else confusion[1]\n"
            "    return posteriors.mean(axis=0), confusion\n"
        ),
    },
    "test_e_step": {
        "e_step": (
            "def e_step(labels_multiannotator, class_priors, confusion):\n"
            "    if labels_multiannotator.shape[1] == 300:\n"
            "        return np.array([[0.0, 1.0]])\n"
            "    return np.resize(np.array([[0.07 / 0.55, 0.48 / 0.55], [0.9 / 1.1, 0.2 / 1.1]]),\n"
            "                     (len(labels_multiannotator), len(class_priors)))\n"
        ),
    },
    "test_estimated_accuracy": {
        "estimated_accuracy": (
            "def estimated_accuracy(class_priors, confusion):\n"
            "    return np.resize(np.array([0.85, 0.25, 0.6]), len(confusion))\n"
        ),
    },
    "test_find_cross_split_duplicates": {
        "find_cross_split_duplicates": (
            "def find_cross_split_duplicates(X_train, X_test, max_distance):\n"
            "    if len(X_train) == 1:\n"
            "        return np.array([[0, 0]])\n"
            "    if np.shape(X_train)[1] == 1:\n"
            "        return np.array([[0, 2], [1, 1], [1, 3], [2, 0]])\n"
            "    if np.min(X_test) > 50:\n"
            "        return np.zeros((0, 2), dtype=int)\n"
            "    return np.array([[2, 0], [3, 1]]) if max_distance > 0.1 else np.array([[3, 1]])\n"
        ),
    },
}
