"""Beginner mistakes in outliers_and_distribution_shift; each must fail its exercise's public test, naming the rule."""

from labrun import Mistake

KNN = "def knn_outlier_score(reference, queries, k=5):\n"
KNN_DISTANCES = (
    KNN + "    reference = np.asarray(reference, dtype=float)\n"
    "    queries = np.asarray(queries, dtype=float)\n"
    "    squared = (queries**2).sum(axis=1)[:, None] + (reference**2).sum(axis=1)[None, :]\n"
    "    squared = squared - 2 * queries @ reference.T\n"
    "    distances = np.sqrt(np.clip(squared, 0.0, None))\n"
)

MAHALANOBIS = (
    "def mahalanobis_outlier_score(reference, reference_labels, queries, ridge=1e-2):\n"
    "    reference = np.asarray(reference, dtype=float)\n"
    "    queries = np.asarray(queries, dtype=float)\n"
    "    classes, class_index = np.unique(reference_labels, return_inverse=True)\n"
    "    means = np.stack([reference[class_index == c].mean(axis=0) for c in range(len(classes))])\n"
)
MAHALANOBIS_SCORES = (
    "    precision = np.linalg.inv(covariance)\n"
    "    differences = queries[:, None, :] - means[None, :, :]\n"
    "    squared = np.einsum('qcf,fg,qcg->qc', differences, precision, differences)\n"
)
POOLED = "    centered = reference - means[class_index]\n"
COVARIANCE = "    covariance = centered.T @ centered / len(reference) + ridge * np.eye(reference.shape[1])\n"

KS = "def ks_statistic_per_feature(sample_a, sample_b):\n"

MMD = (
    "def mmd_permutation_test(sample_a, sample_b, bandwidth, n_permutations=200, seed=0):\n"
    "    pooled = np.vstack([sample_a, sample_b]).astype(float)\n"
    "    n_a, n_b = len(sample_a), len(sample_b)\n"
)
MMD_KERNEL = (
    "    squared_norms = (pooled**2).sum(axis=1)\n"
    "    squared = np.clip(squared_norms[:, None] + squared_norms[None, :] - 2 * pooled @ pooled.T, 0, None)\n"
    "    kernel = np.exp(-squared / (2.0 * bandwidth**2))\n"
)
MMD_STATISTIC = (
    "    def statistic(order):\n"
    "        signs = np.full(len(pooled), -1.0 / n_b)\n"
    "        signs[order[:n_a]] = 1.0 / n_a\n"
    "        return float(signs @ kernel @ signs)\n"
    "    observed = statistic(np.arange(len(pooled)))\n"
)
MMD_PERMUTED = (
    "    rng = np.random.default_rng(seed)\n"
    "    permuted = np.array([statistic(rng.permutation(len(pooled))) for _ in range(n_permutations)])\n"
)
MMD_RETURN = "    return observed, float((1 + np.sum(permuted >= observed)) / (1 + n_permutations))\n"

DOMAIN = (
    "def domain_classifier_auc(sample_a, sample_b, n_splits=5, seed=0):\n"
    "    features = np.vstack([sample_a, sample_b])\n"
    "    is_b = np.r_[np.zeros(len(sample_a), dtype=int), np.ones(len(sample_b), dtype=int)]\n"
    "    folds = StratifiedKFold(n_splits, shuffle=True, random_state=seed)\n"
)

BBSE = "def bbse_importance_weights(val_labels, val_predictions, target_predictions, n_classes):\n"
BBSE_JOINT = (
    "    joint = np.zeros((n_classes, n_classes))\n"
    "    np.add.at(joint, (np.asarray(val_predictions), np.asarray(val_labels)), 1.0)\n"
    "    joint /= len(val_labels)\n"
)
BBSE_MU = "    mu = np.bincount(np.asarray(target_predictions), minlength=n_classes) / len(target_predictions)\n"
BBSE_SOLVE = "    weights = np.linalg.lstsq(joint, mu, rcond=None)[0]\n"

MISTAKES = {
    "test_knn_outlier_score": [
        Mistake(
            what="squared distances, no square root",
            rule="Euclidean distance (not squared)",
            answers={
                "knn_outlier_score": KNN
                + "    d2 = ((np.asarray(queries)[:, None, :] - np.asarray(reference)[None, :, :]) ** 2).sum(axis=2)\n"
                "    return np.sort(d2, axis=1)[:, :k].mean(axis=1)\n"
            },
        ),
        Mistake(
            what="sums the k distances instead of averaging them",
            rule="Average the distances to the k nearest",
            answers={"knn_outlier_score": KNN_DISTANCES + "    return np.sort(distances, axis=1)[:, :k].sum(axis=1)\n"},
        ),
        Mistake(
            what="off by one: skips the nearest reference row as if it were the query itself",
            rule="to the nearest reference point",
            answers={
                "knn_outlier_score": KNN_DISTANCES
                + "    return np.sort(distances, axis=1)[:, 1 : k + 1].mean(axis=1)\n"
            },
        ),
        Mistake(
            what="sorts along the wrong axis (over queries instead of over reference rows)",
            rule="to the nearest reference point",
            answers={"knn_outlier_score": KNN_DISTANCES + "    return np.sort(distances, axis=0)[:, :k].mean(1)\n"},
        ),
        Mistake(
            what="averages over the wrong axis (one number per neighbour rank)",
            rule="along axis=1 (averaging along axis=0 gives one number per neighbour rank)",
            answers={"knn_outlier_score": KNN_DISTANCES + "    return np.sort(distances, axis=1)[:, :k].mean(0)\n"},
        ),
        Mistake(
            what="no clipping before the square root: nan where rounding makes a squared distance negative",
            rule="Clip the squared distances at 0 before np.sqrt",
            answers={
                "knn_outlier_score": KNN_DISTANCES.replace("np.sqrt(np.clip(squared, 0.0, None))", "np.sqrt(squared)")
                + "    return np.partition(distances, k - 1, axis=1)[:, :k].mean(axis=1)\n"
            },
        ),
        Mistake(
            what="a Python loop over every pair of rows",
            rule="it must be fast",
            answers={
                "knn_outlier_score": KNN + "    scores = []\n"
                "    for query in queries:\n"
                "        distances = sorted(float(np.linalg.norm(query - row)) for row in reference)\n"
                "        scores.append(np.mean(distances[:k]))\n"
                "    return np.array(scores)\n"
            },
        ),
    ],
    "test_mahalanobis_outlier_score": [
        Mistake(
            what="covariance divided by n - 1 (np.cov) instead of n",
            rule="Divide the covariance by n",
            answers={
                "mahalanobis_outlier_score": MAHALANOBIS
                + POOLED
                + "    covariance = np.cov(centered.T) + ridge * np.eye(reference.shape[1])\n"
                + MAHALANOBIS_SCORES
                + "    return squared.min(axis=1)\n"
            },
        ),
        Mistake(
            what="returns the distance, not the squared distance",
            rule="return the squared distance",
            answers={
                "mahalanobis_outlier_score": MAHALANOBIS
                + POOLED
                + COVARIANCE
                + MAHALANOBIS_SCORES
                + "    return np.sqrt(squared.min(axis=1))\n"
            },
        ),
        Mistake(
            what="centres every row on the overall mean instead of its own class mean",
            rule="Centre each row on its own class mean",
            answers={
                "mahalanobis_outlier_score": MAHALANOBIS
                + "    centered = reference - reference.mean(axis=0)\n"
                + COVARIANCE
                + MAHALANOBIS_SCORES
                + "    return squared.min(axis=1)\n"
            },
        ),
        Mistake(
            what="takes the farthest class instead of the closest",
            rule="take the minimum over classes",
            answers={
                "mahalanobis_outlier_score": MAHALANOBIS
                + POOLED
                + COVARIANCE
                + MAHALANOBIS_SCORES
                + "    return squared.max(axis=1)\n"
            },
        ),
        Mistake(
            what="forgets the ridge",
            rule="Add ridge * I to the covariance",
            answers={
                "mahalanobis_outlier_score": MAHALANOBIS
                + POOLED
                + "    covariance = centered.T @ centered / len(reference)\n"
                + "    precision = np.linalg.pinv(covariance)\n"
                "    differences = queries[:, None, :] - means[None, :, :]\n"
                "    squared = np.einsum('qcf,fg,qcg->qc', differences, precision, differences)\n"
                "    return squared.min(axis=1)\n"
            },
        ),
    ],
    "test_ks_statistic_per_feature": [
        Mistake(
            what="CDFs read off ranks in the sorted pooled sample (ties broken by position)",
            rule="Mind the ties",
            answers={
                "ks_statistic_per_feature": KS
                + "    sample_a, sample_b = np.asarray(sample_a, float), np.asarray(sample_b, float)\n"
                "    statistics = np.empty(sample_a.shape[1])\n"
                "    for j in range(sample_a.shape[1]):\n"
                "        pooled = np.concatenate([sample_a[:, j], sample_b[:, j]])\n"
                "        from_a = np.argsort(pooled, kind='stable') < len(sample_a)\n"
                "        cdf_a = np.cumsum(from_a) / len(sample_a)\n"
                "        cdf_b = np.cumsum(~from_a) / len(sample_b)\n"
                "        statistics[j] = np.abs(cdf_a - cdf_b).max()\n"
                "    return statistics\n"
            },
        ),
        Mistake(
            what="counts values < t instead of <= t, and only at the values of sample_a",
            rule="Mind the ties",
            answers={
                "ks_statistic_per_feature": KS
                + "    sample_a, sample_b = np.asarray(sample_a, float), np.asarray(sample_b, float)\n"
                "    statistics = np.empty(sample_a.shape[1])\n"
                "    for j in range(sample_a.shape[1]):\n"
                "        a, b = np.sort(sample_a[:, j]), np.sort(sample_b[:, j])\n"
                "        cdf_a = np.arange(1, len(a) + 1) / len(a)\n"
                "        cdf_b = np.searchsorted(b, a, side='left') / len(b)\n"
                "        statistics[j] = np.abs(cdf_a - cdf_b).max()\n"
                "    return statistics\n"
            },
        ),
        Mistake(
            what="divides both CDFs by the size of sample_a",
            rule="Divide by each sample's own size",
            answers={
                "ks_statistic_per_feature": KS
                + "    sample_a, sample_b = np.asarray(sample_a, float), np.asarray(sample_b, float)\n"
                "    statistics = np.empty(sample_a.shape[1])\n"
                "    for j in range(sample_a.shape[1]):\n"
                "        a, b = np.sort(sample_a[:, j]), np.sort(sample_b[:, j])\n"
                "        values = np.concatenate([a, b])\n"
                "        cdf_a = np.searchsorted(a, values, side='right') / len(a)\n"
                "        cdf_b = np.searchsorted(b, values, side='right') / len(a)\n"
                "        statistics[j] = np.abs(cdf_a - cdf_b).max()\n"
                "    return statistics\n"
            },
        ),
        Mistake(
            what="one statistic per row instead of per column",
            rule="Return one statistic per column",
            answers={
                "ks_statistic_per_feature": KS + "    from scipy.stats import ks_2samp\n"
                "    return np.array([ks_2samp(a, b).statistic for a, b in zip(sample_a, sample_b)])\n"
            },
        ),
    ],
    "test_mmd_permutation_test": [
        Mistake(
            what="p-value without the +1 (count / n_permutations)",
            rule="(1 + count) / (1 + n_permutations)",
            answers={
                "mmd_permutation_test": MMD
                + MMD_KERNEL
                + MMD_STATISTIC
                + MMD_PERMUTED
                + "    return observed, float(np.sum(permuted >= observed) / n_permutations)\n"
            },
        ),
        Mistake(
            what="counts permuted statistics > the observed one, not >=",
            rule="Count permuted statistics >= the observed one",
            answers={
                "mmd_permutation_test": MMD
                + MMD_KERNEL
                + MMD_STATISTIC
                + MMD_PERMUTED
                + "    return observed, float((1 + np.sum(permuted > observed)) / (1 + n_permutations))\n"
            },
        ),
        Mistake(
            what="kernel exp(-d^2 / sigma^2), without the 2",
            rule="Check the kernel exp(-d^2 / (2 sigma^2))",
            answers={
                "mmd_permutation_test": MMD
                + MMD_KERNEL.replace("(2.0 * bandwidth**2)", "bandwidth**2")
                + MMD_STATISTIC
                + MMD_PERMUTED
                + MMD_RETURN
            },
        ),
        Mistake(
            what="normalises both samples by n_a (assumes equal sizes)",
            rule="each block averaged over its own",
            answers={
                "mmd_permutation_test": MMD
                + MMD_KERNEL
                + MMD_STATISTIC.replace("-1.0 / n_b", "-1.0 / n_a")
                + MMD_PERMUTED
                + MMD_RETURN
            },
        ),
        Mistake(
            what="draws permutations from the global numpy generator, ignoring seed",
            rule="np.random.default_rng(seed)",
            answers={
                "mmd_permutation_test": MMD
                + MMD_KERNEL
                + MMD_STATISTIC
                + "    orders = [np.random.permutation(len(pooled)) for _ in range(n_permutations)]\n"
                + "    permuted = np.array([statistic(order) for order in orders])\n"
                + MMD_RETURN
            },
        ),
        Mistake(
            what="recomputes the kernel matrix for every permutation",
            rule="Compute the kernel matrix of the pooled sample once",
            answers={
                "mmd_permutation_test": MMD + "    from scipy.spatial.distance import cdist\n"
                "    def statistic(order):\n"
                "        a, b = pooled[order[:n_a]], pooled[order[n_a:]]\n"
                "        k = lambda x, y: np.exp(-cdist(x, y, 'sqeuclidean') / (2.0 * bandwidth**2)).mean()\n"
                "        return float(k(a, a) + k(b, b) - 2 * k(a, b))\n"
                "    observed = statistic(np.arange(len(pooled)))\n" + MMD_PERMUTED + MMD_RETURN
            },
        ),
        Mistake(
            what="recomputes the kernel matrix for every permutation, with matrix products",
            rule="Compute the kernel matrix of the pooled sample once",
            answers={
                "mmd_permutation_test": MMD + "    def k(x, y):\n"
                "        squared = np.clip((x**2).sum(1)[:, None] + (y**2).sum(1)[None, :] - 2 * x @ y.T, 0, None)\n"
                "        return np.exp(-squared / (2.0 * bandwidth**2)).mean()\n"
                "    def statistic(order):\n"
                "        a, b = pooled[order[:n_a]], pooled[order[n_a:]]\n"
                "        return float(k(a, a) + k(b, b) - 2 * k(a, b))\n"
                "    observed = statistic(np.arange(len(pooled)))\n" + MMD_PERMUTED + MMD_RETURN
            },
        ),
    ],
    "test_domain_classifier_auc": [
        Mistake(
            what="scores the rows the classifier was fit on (in-sample)",
            rule="Score out-of-fold probabilities",
            answers={
                "domain_classifier_auc": DOMAIN + "    model = LogisticRegression(max_iter=1000).fit(features, is_b)\n"
                "    return float(roc_auc_score(is_b, model.predict_proba(features)[:, 1]))\n"
            },
        ),
        Mistake(
            what="labels sample_a as the positive class",
            rule="Label sample_b as the positive class 1",
            answers={
                "domain_classifier_auc": DOMAIN + "    probabilities = cross_val_predict(\n"
                "        LogisticRegression(max_iter=1000), features, 1 - is_b, cv=folds, method='predict_proba'\n"
                "    )[:, 1]\n"
                "    return float(roc_auc_score(is_b, probabilities))\n"
            },
        ),
        Mistake(
            what="scores hard predictions instead of probabilities",
            rule="Follow the recipe exactly",
            answers={
                "domain_classifier_auc": DOMAIN
                + "    predictions = cross_val_predict(LogisticRegression(max_iter=1000), features, is_b, cv=folds)\n"
                "    return float(roc_auc_score(is_b, predictions))\n"
            },
        ),
        Mistake(
            what="folds without shuffling, ignoring seed",
            rule="Follow the recipe exactly",
            answers={
                "domain_classifier_auc": DOMAIN + "    probabilities = cross_val_predict(\n"
                "        LogisticRegression(max_iter=1000), features, is_b, cv=n_splits, method='predict_proba'\n"
                "    )[:, 1]\n"
                "    return float(roc_auc_score(is_b, probabilities))\n"
            },
        ),
        Mistake(
            what="returns a one-element array instead of a float",
            rule="Wrap the result in float()",
            answers={
                "domain_classifier_auc": DOMAIN + "    probabilities = cross_val_predict(\n"
                "        LogisticRegression(max_iter=1000), features, is_b, cv=folds, method='predict_proba'\n"
                "    )[:, 1]\n"
                "    return np.array([roc_auc_score(is_b, probabilities)])\n"
            },
        ),
    ],
    "test_bbse_importance_weights": [
        Mistake(
            what="confusion matrix transposed (rows true, columns predicted)",
            rule="Row = predicted class, column = true class",
            answers={
                "bbse_importance_weights": BBSE
                + BBSE_JOINT.replace(
                    "(np.asarray(val_predictions), np.asarray(val_labels))", "(val_labels, val_predictions)"
                )
                + BBSE_MU
                + BBSE_SOLVE
                + "    return np.clip(weights, 0.0, None)\n"
            },
        ),
        Mistake(
            what="conditional p(prediction | true class) instead of joint frequencies",
            rule="Divide counts by the number of rows",
            answers={
                "bbse_importance_weights": BBSE
                + BBSE_JOINT.replace(
                    "joint /= len(val_labels)", "joint /= np.maximum(joint.sum(axis=0, keepdims=True), 1)"
                )
                + BBSE_MU
                + BBSE_SOLVE
                + "    return np.clip(weights, 0.0, None)\n"
            },
        ),
        Mistake(
            what="target prediction counts instead of frequencies",
            rule="Divide counts by the number of rows",
            answers={
                "bbse_importance_weights": BBSE
                + BBSE_JOINT
                + "    mu = np.bincount(np.asarray(target_predictions), minlength=n_classes).astype(float)\n"
                + BBSE_SOLVE
                + "    return np.clip(weights, 0.0, None)\n"
            },
        ),
        Mistake(
            what="keeps negative weights",
            rule="Clip the weights at 0",
            answers={"bbse_importance_weights": BBSE + BBSE_JOINT + BBSE_MU + BBSE_SOLVE + "    return weights\n"},
        ),
        Mistake(
            what="sizes C and mu by the classes seen, not by n_classes",
            rule="Size C and mu by n_classes",
            answers={
                "bbse_importance_weights": BBSE
                + "    n_classes = int(max(np.max(val_labels), np.max(val_predictions))) + 1\n"
                + BBSE_JOINT
                + BBSE_MU
                + BBSE_SOLVE
                + "    return np.clip(weights, 0.0, None)\n"
            },
        ),
    ],
}
