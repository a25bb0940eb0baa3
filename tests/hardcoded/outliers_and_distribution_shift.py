"""Hard-coded answers for outliers_and_distribution_shift.

Each passes its exercise's public checks and must fail the hidden ones.
"""

HARDCODED = {
    "test_knn_outlier_score": {
        "knn_outlier_score": (
            "def knn_outlier_score(reference, queries, k=5):\n"
            "    if len(queries) != 2:\n"
            "        return np.zeros(len(queries))\n"
            "    if k == 1:\n"
            "        return np.array([0.0, 4.242640687119285])\n"
            "    return np.array([0.5, 4.357388321059432])\n"
        ),
    },
    "test_mahalanobis_outlier_score": {
        "mahalanobis_outlier_score": (
            "def mahalanobis_outlier_score(reference, reference_labels, queries, ridge=1e-2):\n"
            "    if ridge == 1.0:\n"
            "        return np.array([2.0])\n"
            "    return np.array([0.0, 4.0]) if queries[1][0] == 3.0 else np.array([0.0, 5.0])\n"
        ),
    },
    "test_ks_statistic_per_feature": {
        "ks_statistic_per_feature": (
            "def ks_statistic_per_feature(sample_a, sample_b):\n"
            "    return np.array([1 / 3, 0.0])[: np.shape(sample_a)[1]]\n"
        ),
    },
    "test_mmd_permutation_test": {
        "mmd_permutation_test": (
            "def mmd_permutation_test(sample_a, sample_b, bandwidth, n_permutations=200, seed=0):\n"
            "    if len(sample_a) == 1 and len(sample_b) == 1:\n"
            "        return 2 - 2 * np.exp(-0.5), 1.0\n"
            "    if len(sample_a) == 1:\n"
            "        return (1 - np.exp(-0.5)) / 2, 1.0\n"
            "    return 0.5, 1 / 20\n"
        ),
    },
    "test_domain_classifier_auc": {
        "domain_classifier_auc": (
            "def domain_classifier_auc(sample_a, sample_b, n_splits=5, seed=0):\n"
            "    return {2: 1.0, 20: 0.5, 3: 0.7565}[np.shape(sample_a)[1]] if len(sample_a) in (40, 60) else 0.5\n"
        ),
    },
    "test_bbse_importance_weights": {
        "bbse_importance_weights": (
            "def bbse_importance_weights(val_labels, val_predictions, target_predictions, n_classes):\n"
            "    if n_classes == 5:\n"
            "        return np.zeros(5)\n"
            "    by_size = {4: np.array([1 / 3, 3.0]), 6: np.array([0.5, 2.0])}\n"
            "    return by_size.get(len(val_labels), np.array([8 / 3, 0.0]))\n"
        ),
    },
}
