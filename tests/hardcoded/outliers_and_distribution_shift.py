"""Hard-coded answers for outliers_and_distribution_shift.

Each passes its exercise's public checks and must fail the hidden ones.
"""

HARDCODED = {
    "test_knn_outlier_score": {
        "knn_outlier_score": (
            "def knn_outlier_score(reference, queries, k=5):\n"
            "    if k == 1:\n"
            "        return np.array([0.0, 4.242640687119285])\n"
            "    return np.array([0.5, 4.357388321059432])\n"
        ),
    },
    "test_mahalanobis_outlier_score": {
        "mahalanobis_outlier_score": (
            "def mahalanobis_outlier_score(reference, reference_labels, queries, ridge=1e-2):\n"
            "    return np.array([0.0, 4.0])\n"
        ),
    },
    "test_ks_statistic_per_feature": {
        "ks_statistic_per_feature": (
            "def ks_statistic_per_feature(sample_a, sample_b):\n    return np.array([1 / 3, 0.0])\n"
        ),
    },
    "test_mmd_permutation_test": {
        "mmd_permutation_test": (
            "def mmd_permutation_test(sample_a, sample_b, bandwidth, n_permutations=200, seed=0):\n"
            "    return 2 - 2 * np.exp(-0.5), 1.0\n"
        ),
    },
    "test_domain_classifier_auc": {
        "domain_classifier_auc": "def domain_classifier_auc(sample_a, sample_b, n_splits=5, seed=0):\n    return 1.0\n",
    },
    "test_bbse_importance_weights": {
        "bbse_importance_weights": (
            "def bbse_importance_weights(val_labels, val_predictions, target_predictions, n_classes):\n"
            "    return np.array([1 / 3, 3.0])\n"
        ),
    },
}
