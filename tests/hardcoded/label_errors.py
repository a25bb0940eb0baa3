"""Hard-coded answers for label_errors: each passes its exercise's public checks and must fail the hidden ones."""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_compute_out_of_sample_pred_probs": {
        "compute_out_of_sample_pred_probs": (
            "def compute_out_of_sample_pred_probs(model, X, labels, *, n_folds=5, seed=0):\n"
            "    n_classes = len(np.unique(labels))\n"
            "    return np.full((len(labels), n_classes), 1.0 / n_classes)\n"
        ),
    },
    "test_per_class_thresholds": {
        "per_class_thresholds": (
            "def per_class_thresholds(labels, pred_probs):\n    return np.array([0.7, 0.6, 0.7])\n"
        ),
    },
    "test_count_confident_joint": {
        "count_confident_joint": (
            "def count_confident_joint(labels, pred_probs, thresholds):\n"
            "    return np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1]])\n"
        ),
    },
    "test_calibrate_confident_joint": {
        "calibrate_confident_joint": (
            "def calibrate_confident_joint(confident_joint, labels):\n"
            "    return np.array([[16, 4, 0], [1, 7, 4], [2, 2, 2]])\n"
        ),
    },
    "test_find_issues_prune_by_noise_rate": {
        "find_issues_prune_by_noise_rate": (
            "def find_issues_prune_by_noise_rate(labels, pred_probs, confident_joint):\n"
            "    return np.array([False, True, False, False, True, True, False, False])\n"
        ),
    },
    "test_rank_by_self_confidence": {
        "rank_by_self_confidence": (
            "def rank_by_self_confidence(labels, pred_probs, is_label_issue):\n    return np.array([2, 3, 0])\n"
        ),
    },
}
