"""Hard-coded answers for class_imbalance: each passes its exercise's public checks and must fail the hidden ones."""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_precision_recall_f1": {
        "precision_recall_f1": "def precision_recall_f1(y_true, y_pred):\n    return 2 / 3, 0.5, 4 / 7\n",
    },
    "test_random_oversample": {
        "random_oversample": (
            "def random_oversample(X, y, *, seed):\n"
            "    X_resampled = np.vstack([np.arange(20).reshape(10, 2), [[16, 17], [18, 19]] * 3])\n"
            "    y_resampled = np.array([0] * 8 + [1] * 8)\n"
            "    return X_resampled, y_resampled\n"
        ),
    },
    "test_random_undersample": {
        "random_undersample": (
            "def random_undersample(X, y, *, seed):\n"
            "    return np.array([[0, 1], [2, 3], [16, 17], [18, 19]]), np.array([0, 0, 1, 1])\n"
        ),
    },
    "test_balanced_class_weights": {
        "balanced_class_weights": "def balanced_class_weights(y):\n    return {0: 0.625, 1: 2.5}\n",
    },
    "test_best_threshold": {
        "best_threshold": "def best_threshold(y_true, scores):\n    return 0.7, 0.8\n",
    },
}
