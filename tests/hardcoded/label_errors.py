"""Hard-coded answers for label_errors: each passes its exercise's public checks and must fail the hidden ones.

The public checks pin every stated rule on small worked cases, so each answer here recognises those cases by
their size and returns their expected result, and returns something useless on any other input.
"""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_compute_out_of_sample_pred_probs": {
        "compute_out_of_sample_pred_probs": (
            "def compute_out_of_sample_pred_probs(model, X, labels, *, n_folds=5, seed=0):\n"
            "    if len(labels) == 60:  # the public fixture\n"
            "        folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)\n"
            "        return cross_val_predict(clone(model), X, labels, cv=folds, method='predict_proba')\n"
            "    n_classes = len(np.unique(labels))\n"
            "    return np.full((len(labels), n_classes), 1.0 / n_classes)\n"
        ),
    },
    "test_per_class_thresholds": {
        "per_class_thresholds": (
            "def per_class_thresholds(labels, pred_probs):\n"
            "    return np.array([0.7, 0.5, 0.7]) if len(labels) == 7 else np.full(pred_probs.shape[1], 0.5)\n"
        ),
    },
    "test_count_confident_joint": {
        "count_confident_joint": (
            "def count_confident_joint(labels, pred_probs, thresholds):\n"
            "    if len(labels) == 7:\n"
            "        return np.array([[2, 0, 0], [1, 1, 0], [1, 1, 1]])\n"
            "    return np.eye(pred_probs.shape[1], dtype=int)\n"
        ),
    },
    "test_calibrate_confident_joint": {
        "calibrate_confident_joint": (
            "def calibrate_confident_joint(confident_joint, labels):\n"
            "    return np.array(\n"
            "        [[6, 0, 5, 8, 11], [5, 4, 6, 9, 8], [10, 3, 5, 11, 3], [9, 7, 5, 9, 5], [8, 9, 6, 9, 6]]\n"
            "    )\n"
        ),
    },
    "test_find_issues_prune_by_noise_rate": {
        "find_issues_prune_by_noise_rate": (
            "def find_issues_prune_by_noise_rate(labels, pred_probs, confident_joint):\n"
            "    if len(labels) == 3:\n"
            "        return np.array([True, True, False])\n"
            "    if len(labels) == 10:\n"
            "        return np.array([False, False, True, False, True, False, False, False, False, False])\n"
            "    return np.zeros(len(labels), dtype=bool)\n"
        ),
    },
    "test_rank_by_self_confidence": {
        "rank_by_self_confidence": (
            "def rank_by_self_confidence(labels, pred_probs, is_label_issue):\n    return np.array([2, 3, 0])\n"
        ),
    },
}
