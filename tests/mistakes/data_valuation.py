"""Beginner mistakes in data_valuation: each must fail its exercise's public test with a message naming the rule."""

from labrun import Mistake

_LOO = (
    "def leave_one_out_values(utility, n_points):\n    everyone = np.arange(n_points)\n    full = utility(everyone)\n"
)


def _loo(value):
    """A leave-one-out answer whose value of point i is ``value``."""
    return _LOO + f"    return np.array([{value} for i in range(n_points)], dtype=float)\n"


def _knn_shapley(
    order="np.argsort(squared_distances, axis=1, kind='stable')",
    step="np.minimum(n_neighbors, rank) / rank",
    rank="np.arange(1, n_points)",
    last="is_match[:, -1] / n_points",
    put_back=True,
    average="values.mean(axis=0)",
):
    """A KNN-Shapley answer with one piece swapped."""
    source = (
        "def knn_shapley_values(X_train, y_train, X_val, y_val, *, n_neighbors):\n"
        "    n_points = len(y_train)\n"
        "    squared_distances = ((X_val[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=2)\n"
        f"    by_distance = {order}\n"
        "    is_match = (y_train[by_distance] == y_val[:, None]).astype(float)\n"
        f"    rank = {rank}\n"
        f"    steps = (is_match[:, :-1] - is_match[:, 1:]) / n_neighbors * {step}\n"
        "    sorted_values = np.empty_like(is_match)\n"
        f"    sorted_values[:, -1] = {last}\n"
        "    sorted_values[:, :-1] = sorted_values[:, -1:] + np.cumsum(steps[:, ::-1], axis=1)[:, ::-1]\n"
    )
    if put_back:
        source += (
            "    values = np.empty_like(sorted_values)\n"
            "    np.put_along_axis(values, by_distance, sorted_values, axis=1)\n"
        )
    else:
        source += "    values = sorted_values\n"
    return source + f"    return {average}\n"


def _tmc(
    permutation="rng.permutation(n_points)",
    truncate="abs(full - before) < tolerance * abs(full)",
    marginal="after - before",
    divide="n_permutations",
    full_each_time=False,
):
    """A truncated Monte Carlo answer with one piece swapped."""
    return (
        "def tmc_shapley_values(utility, n_points, *, n_permutations, tolerance, rng):\n"
        "    full = utility(np.arange(n_points))\n"
        "    empty = utility(np.array([], dtype=int))\n"
        "    total = np.zeros(n_points)\n"
        "    for _ in range(n_permutations):\n"
        f"        permutation = {permutation}\n"
        + ("        full = utility(np.arange(n_points))\n" if full_each_time else "")
        + "        before = empty\n"
        "        for position, point in enumerate(permutation):\n"
        f"            if {truncate}:\n"
        "                break\n"
        "            after = utility(permutation[: position + 1])\n"
        f"            total[point] += {marginal}\n"
        "            before = after\n"
        f"    return total / {divide}\n"
    )


def _precision(ranking="np.argsort(values, kind='stable')[:k]", divide="k"):
    """A precision-at-k answer with one piece swapped."""
    return (
        "def precision_at_k(values, is_label_error, k):\n"
        f"    lowest = {ranking}\n"
        f"    return float(np.sum(np.asarray(is_label_error)[lowest]) / {divide})\n"
    )


def _removal(kept="np.sort(ranking[int(round(fraction * len(ranking))) :])"):
    """A removal-curve answer that passes ``kept`` to score_subset."""
    return (
        "def removal_curve(ranking, fractions, score_subset):\n"
        "    ranking = np.asarray(ranking)\n"
        f"    return np.array([score_subset({kept}) for fraction in fractions], dtype=float)\n"
    )


MISTAKES = {
    "test_leave_one_out_values": [
        Mistake(
            what="sign reversed: U(D without i) - U(D)",
            rule="The sign rule",
            answers={"leave_one_out_values": _loo("utility(np.delete(everyone, i)) - full")},
        ),
        Mistake(
            what="leaves out point i + 1 (off by one)",
            rule="Leave out exactly point i",
            answers={"leave_one_out_values": _loo("full - utility(np.delete(everyone, (i + 1) % n_points))")},
        ),
        Mistake(
            what="the utility of point i alone instead of leaving it out",
            rule="Leave out exactly point i",
            answers={"leave_one_out_values": _loo("utility(np.array([i])) - utility(np.array([], dtype=int))")},
        ),
    ],
    "test_knn_shapley_values": [
        Mistake(
            what="sorted farthest first",
            rule="sort nearest first",
            answers={"knn_shapley_values": _knn_shapley(order="np.argsort(-squared_distances, axis=1, kind='stable')")},
        ),
        Mistake(
            what="K / j instead of min(K, j) / j",
            rule="min(K, j) / j",
            answers={"knn_shapley_values": _knn_shapley(step="n_neighbors / rank")},
        ),
        Mistake(
            what="j counted from 0 (min(K, j + 1) / (j + 1) shifted by one)",
            rule="j counting from 1",
            answers={"knn_shapley_values": _knn_shapley(rank="np.arange(2, n_points + 1)")},
        ),
        Mistake(
            what="s_N = m_N / K instead of m_N / N",
            rule="s_N = m_N / N",
            answers={"knn_shapley_values": _knn_shapley(last="is_match[:, -1] / n_neighbors")},
        ),
        Mistake(
            what="values left in distance order, not put back at their training points",
            rule="in the order of X_train",
            answers={"knn_shapley_values": _knn_shapley(put_back=False)},
        ),
        Mistake(
            what="sum over validation points instead of the mean",
            rule="The mean rule",
            answers={"knn_shapley_values": _knn_shapley(average="values.sum(axis=0)")},
        ),
        Mistake(
            what="distance ties broken by the higher index",
            rule="The tie rule",
            answers={
                "knn_shapley_values": _knn_shapley(
                    order="(n_points - 1 - np.argsort(squared_distances[:, ::-1], axis=1, kind='stable'))"
                )
            },
        ),
        Mistake(
            what="NumPy's default sort, which is not stable beyond 16 elements",
            rule="The tie rule",
            answers={"knn_shapley_values": _knn_shapley(order="np.argsort(squared_distances, axis=1)")},
        ),
    ],
    "test_tmc_shapley_values": [
        Mistake(
            what="permutations from NumPy's global generator, not the rng passed in",
            rule="The reproducibility rule",
            answers={"tmc_shapley_values": _tmc(permutation="np.random.permutation(n_points)")},
        ),
        Mistake(
            what="no truncation",
            rule="The truncation rule",
            answers={"tmc_shapley_values": _tmc(truncate="False")},
        ),
        Mistake(
            what="truncation with <= instead of <",
            rule="strictly less (<)",
            answers={"tmc_shapley_values": _tmc(truncate="abs(full - before) <= tolerance * abs(full)")},
        ),
        Mistake(
            what="utility of the whole set recomputed in every permutation",
            rule="call utility on D and on the empty set once",
            answers={"tmc_shapley_values": _tmc(full_each_time=True)},
        ),
        Mistake(
            what="marginal contribution against the empty set instead of the utility just before",
            rule="minus the utility just before",
            answers={"tmc_shapley_values": _tmc(marginal="after - empty")},
        ),
        Mistake(
            what="divided by the number of points instead of the number of permutations",
            rule="mean over the permutations",
            answers={"tmc_shapley_values": _tmc(divide="n_points")},
        ),
    ],
    "test_precision_at_k": [
        Mistake(
            what="highest values first",
            rule="k lowest values",
            answers={"precision_at_k": _precision(ranking="np.argsort(-values, kind='stable')[:k]")},
        ),
        Mistake(
            what="k + 1 points (off by one)",
            rule="exactly the k lowest values",
            answers={"precision_at_k": _precision(ranking="np.argsort(values, kind='stable')[: k + 1]")},
        ),
        Mistake(
            what="divided by the number of errors (recall) instead of k",
            rule="divide by k",
            answers={"precision_at_k": _precision(divide="np.sum(is_label_error)")},
        ),
        Mistake(
            what="ties broken by the higher index",
            rule="The tie rule",
            answers={"precision_at_k": _precision(ranking="np.argsort(-values, kind='stable')[::-1][:k]")},
        ),
        Mistake(
            what="NumPy's default sort, which is not stable beyond 16 elements",
            rule="The tie rule",
            answers={"precision_at_k": _precision(ranking="np.argsort(values)[:k]")},
        ),
    ],
    "test_removal_curve": [
        Mistake(
            what="passes the removed points instead of the kept ones",
            rule="pass the points kept",
            answers={"removal_curve": _removal(kept="np.sort(ranking[: int(round(fraction * len(ranking)))])")},
        ),
        Mistake(
            what="removes from the end of the ranking (highest value first)",
            rule="Remove the first round(f * n) points",
            answers={
                "removal_curve": _removal(kept="np.sort(ranking[: len(ranking) - int(round(fraction * len(ranking)))])")
            },
        ),
        Mistake(
            what="kept points passed in ranking order, not sorted",
            rule="The sorted-kept rule",
            answers={"removal_curve": _removal(kept="ranking[int(round(fraction * len(ranking))) :]")},
        ),
        Mistake(
            what="number removed rounded down with int()",
            rule="round(f * n)",
            answers={"removal_curve": _removal(kept="np.sort(ranking[int(fraction * len(ranking)) :])")},
        ),
    ],
}
