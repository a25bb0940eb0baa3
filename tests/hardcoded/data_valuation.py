"""Hard-coded answers for data_valuation: each passes its exercise's public checks and must fail the hidden ones.

The public checks pin every stated rule on small worked cases, so each answer here recognises those cases by
their size and returns their expected result, and returns something useless on any other input.
"""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_leave_one_out_values": {
        "leave_one_out_values": (
            "def leave_one_out_values(utility, n_points):\n"
            "    if n_points == 4:  # the public twins fixture\n"
            "        return np.array([0.0, 0.0, 0.25, 0.0])\n"
            "    return np.zeros(n_points)\n"
        ),
    },
    "test_knn_shapley_values": {
        "knn_shapley_values": (
            "def knn_shapley_values(X_train, y_train, X_val, y_val, *, n_neighbors):\n"
            "    if len(y_train) == 6:  # the public worked case\n"
            "        return np.array([2, 22, -14, 2, 16, 32]) / 360\n"
            "    return np.zeros(len(y_train))\n"
        ),
    },
    "test_tmc_shapley_values": {
        "tmc_shapley_values": (
            "def tmc_shapley_values(utility, n_points, *, n_permutations, tolerance, rng):\n"
            "    if n_points == 5:  # the additive fixture\n"
            "        return np.array([0.1, 0.4, 0.0, 0.2, 0.3])\n"
            "    if tolerance == 0.0:  # the first-point fixture: count which point comes first\n"
            "        firsts = [rng.permutation(n_points)[0] for _ in range(n_permutations)]\n"
            "        return np.bincount(firsts, minlength=n_points) / n_permutations\n"
            "    if n_points == 4:  # the counting fixture: every permutation runs to its end\n"
            "        for _ in range(2 + 4 * n_permutations):\n"
            "            utility(np.arange(4))\n"
            "        return np.full(4, 0.25)\n"
            "    for _ in range(2 + 2 * n_permutations):  # the saturating fixture counts the calls\n"
            "        utility(np.arange(2))\n"
            "    return np.full(n_points, 1.0 / n_points)\n"
        ),
    },
    "test_precision_at_k": {
        "precision_at_k": (
            "def precision_at_k(values, is_label_error, k):\n    return {2: 0.5, 3: 1 / 3, 4: 0.5}.get(k, 0.0)\n"
        ),
    },
    "test_removal_curve": {
        "removal_curve": (
            "def removal_curve(ranking, fractions, score_subset):\n"
            "    kept = [[0, 1, 2, 3, 4], [1, 2, 3], [0, 1, 2, 3], [1, 2, 3]]\n"
            "    return np.array([score_subset(np.array(k)) for k in kept[: len(fractions)]])\n"
        ),
    },
}
