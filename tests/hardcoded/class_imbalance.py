"""Hard-coded answers for class_imbalance: each passes its exercise's public checks and must fail the hidden ones."""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_precision_recall_f1": {
        # The worked example's answer, and zeros for everything else (the public zero-division cases).
        "precision_recall_f1": (
            "def precision_recall_f1(y_true, y_pred):\n"
            "    if np.asarray(y_true).tolist() == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]:\n"
            "        return 2 / 3, 0.5, 4 / 7\n"
            "    return 0.0, 0.0, 0.0\n"
        ),
    },
    "test_random_oversample": {
        # Correct on the public fixtures' integer features only; anything else comes back unchanged.
        "random_oversample": (
            "def random_oversample(X, y, *, seed):\n"
            "    X, y = np.asarray(X), np.asarray(y)\n"
            "    if X.dtype.kind != 'i':\n"
            "        return X, y\n"
            "    rng = np.random.default_rng(seed)\n"
            "    classes, counts = np.unique(y, return_counts=True)\n"
            "    extra = [rng.choice(np.flatnonzero(y == c), counts.max() - n) for c, n in zip(classes, counts)]\n"
            "    keep = np.concatenate([np.arange(len(y)), *extra])\n"
            "    return X[keep], y[keep]\n"
        ),
    },
    "test_random_undersample": {
        # Correct on the public fixtures' integer features only; anything else comes back unchanged.
        "random_undersample": (
            "def random_undersample(X, y, *, seed):\n"
            "    X, y = np.asarray(X), np.asarray(y)\n"
            "    if X.dtype.kind != 'i':\n"
            "        return X, y\n"
            "    rng = np.random.default_rng(seed)\n"
            "    classes, counts = np.unique(y, return_counts=True)\n"
            "    keep = np.concatenate(\n"
            "        [rng.choice(np.flatnonzero(y == c), counts.min(), replace=False) for c in classes]\n"
            "    )\n"
            "    return X[keep], y[keep]\n"
        ),
    },
    "test_balanced_class_weights": {
        "balanced_class_weights": (
            "def balanced_class_weights(y):\n"
            "    if len(y) == 10 and set(np.asarray(y).tolist()) == {0, 1}:\n"
            "        return {0: 0.625, 1: 2.5}\n"
            "    return {'cat': 10 / 18, 'dog': 10 / 9, 'emu': 10 / 3}\n"
        ),
    },
    "test_best_threshold": {
        # The worked example's and the tie example's answers; anything else (the speed case) gets a constant.
        "best_threshold": (
            "def best_threshold(y_true, scores):\n"
            "    if len(scores) == 8 and scores[0] == 0.10:\n"
            "        return 0.7, 0.8\n"
            "    if len(scores) == 8:\n"
            "        return 0.8, 0.5\n"
            "    return 0.5, 0.5\n"
        ),
    },
}
