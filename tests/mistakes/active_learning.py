"""Beginner mistakes in active_learning: each must fail its exercise's public test with a message naming the rule."""

from labrun import Mistake

_UNCERTAINTY = """
def uncertainty_scores(pred_probs, method):
    pred_probs = np.asarray(pred_probs, dtype=float)
    if method == "least_confident":
        return 1.0 - pred_probs.max(axis=1)
    if method == "margin":
        two_largest = np.sort(pred_probs, axis=1)[:, -2:]
        return 1.0 - (two_largest[:, 1] - two_largest[:, 0])
    if method == "entropy":
        return -np.sum(pred_probs * np.log(np.where(pred_probs > 0, pred_probs, 1.0)), axis=1)
    raise ValueError(f"unknown method {method!r}")


def select_top_k(scores, k):
    return np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
"""

_COMMITTEE = """
def committee_votes(model, X_labelled, y_labelled, X_candidates, *, n_members, rng):
    n_labelled = len(y_labelled)
    votes = np.empty((len(X_candidates), n_members), dtype=np.int64)
    for member in range(n_members):
        resample = rng.integers(0, n_labelled, size=n_labelled)
        fitted = clone(model).fit(X_labelled[resample], y_labelled[resample])
        votes[:, member] = fitted.predict(X_candidates)
    return votes


def vote_entropy(votes, n_classes):
    votes = np.asarray(votes)
    shares = (votes[:, :, None] == np.arange(n_classes)).mean(axis=1)
    return -np.sum(shares * np.log(np.where(shares > 0, shares, 1.0)), axis=1)
"""

_K_CENTER = """
def k_center_greedy(X, labelled_indices, k):
    X = np.asarray(X, dtype=float)
    labelled_indices = np.asarray(labelled_indices, dtype=int)
    distance_to_centres = np.full(len(X), np.inf)
    for centre in labelled_indices:
        distance_to_centres = np.minimum(distance_to_centres, np.linalg.norm(X - X[centre], axis=1))
    distance_to_centres[labelled_indices] = -np.inf
    picked = np.empty(k, dtype=np.int64)
    for step in range(k):
        picked[step] = np.argmax(distance_to_centres)
        distance_to_centres = np.minimum(distance_to_centres, np.linalg.norm(X - X[picked[step]], axis=1))
        distance_to_centres[picked[step]] = -np.inf
    return picked
"""

_LOOP = """
def run_active_learning(
    select_batch, X_pool, oracle, X_test, y_test, *, model, initial_indices, batch_size, n_rounds, rng
):
    labelled_indices = np.asarray(initial_indices, dtype=np.int64)
    labels = oracle.label(labelled_indices)
    n_labels, accuracies = [], []
    for round_number in range(n_rounds + 1):
        fitted = clone(model).fit(X_pool[labelled_indices], labels)
        n_labels.append(len(labelled_indices))
        accuracies.append(accuracy_score(y_test, fitted.predict(X_test)))
        if round_number == n_rounds:
            break
        batch = np.asarray(select_batch(fitted, X_pool, labelled_indices, labels, batch_size, rng), dtype=np.int64)
        labels = np.concatenate([labels, oracle.label(batch)])
        labelled_indices = np.concatenate([labelled_indices, batch])
    return np.array(n_labels), np.array(accuracies), labelled_indices


def labels_to_reach(n_labels, accuracies, target):
    reached = np.flatnonzero(np.asarray(accuracies) >= target)
    return int(n_labels[reached[0]]) if reached.size else None
"""


def _changed(source: str, old: str, new: str) -> str:
    """``source`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert source.count(old) == 1, f"mistake template out of date: {old!r}"
    return source.replace(old, new)


MISTAKES = {
    "test_uncertainty_scores": [
        Mistake(
            what="least confidence as the confidence itself (higher = more certain)",
            rule="higher for a more uncertain example",
            answers={
                "uncertainty_scores": _changed(_UNCERTAINTY, "1.0 - pred_probs.max(axis=1)", "pred_probs.max(axis=1)")
            },
        ),
        Mistake(
            what="margin between the largest and the smallest probability",
            rule="margin = 1 - (largest - second largest probability)",
            answers={
                "uncertainty_scores": _changed(
                    _UNCERTAINTY,
                    "return 1.0 - (two_largest[:, 1] - two_largest[:, 0])",
                    "return 1.0 - (pred_probs.max(axis=1) - pred_probs.min(axis=1))",
                )
            },
        ),
        Mistake(
            what="entropy without the 0 ln 0 = 0 case",
            rule="0 ln 0 = 0",
            answers={
                "uncertainty_scores": _changed(
                    _UNCERTAINTY, "np.log(np.where(pred_probs > 0, pred_probs, 1.0))", "np.log(pred_probs)"
                )
            },
        ),
        Mistake(
            what="entropy in bits (log base 2)",
            rule="natural log",
            answers={
                "uncertainty_scores": _changed(
                    _UNCERTAINTY,
                    "np.log(np.where(pred_probs > 0, pred_probs, 1.0))",
                    "np.log2(np.where(pred_probs > 0, pred_probs, 1.0))",
                )
            },
        ),
        Mistake(
            what="an unknown method returns None instead of raising",
            rule="Raise one for any method",
            answers={
                "uncertainty_scores": _changed(
                    _UNCERTAINTY, 'raise ValueError(f"unknown method {method!r}")', "return None"
                )
            },
        ),
        Mistake(
            what="scores computed with a Python loop over the examples",
            rule="no Python loop over examples",
            answers={
                "uncertainty_scores": """
def uncertainty_scores(pred_probs, method):
    if method not in ("least_confident", "margin", "entropy"):
        raise ValueError(method)
    scores = np.empty(len(pred_probs))
    for i, row in enumerate(np.asarray(pred_probs, dtype=float)):
        if method == "least_confident":
            scores[i] = 1.0 - row.max()
        elif method == "margin":
            two_largest = np.sort(row)[-2:]
            scores[i] = 1.0 - (two_largest[1] - two_largest[0])
        else:
            scores[i] = -np.sum(row[row > 0] * np.log(row[row > 0]))
    return scores


def select_top_k(scores, k):
    return np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
"""
            },
        ),
        Mistake(
            what="top-k returned smallest score first",
            rule="largest score first",
            answers={
                "uncertainty_scores": _changed(
                    _UNCERTAINTY,
                    'return np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]',
                    'return np.argsort(np.asarray(scores, dtype=float), kind="stable")[-k:]',
                )
            },
        ),
        Mistake(
            what="ties broken by the larger index (reversed ascending sort)",
            rule="Ties are broken by the smaller index",
            answers={
                "uncertainty_scores": _changed(
                    _UNCERTAINTY,
                    'return np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]',
                    'return np.argsort(np.asarray(scores, dtype=float), kind="stable")[::-1][:k]',
                )
            },
        ),
    ],
    "test_committee_votes": [
        Mistake(
            what="votes transposed: one row per member",
            rule="one row per candidate, one column per member",
            answers={"committee_votes": _changed(_COMMITTEE, "    return votes\n", "    return votes.T\n")},
        ),
        Mistake(
            what="fits the model passed in instead of a clone",
            rule="Fit a clone(model)",
            answers={"committee_votes": _changed(_COMMITTEE, "fitted = clone(model).fit(", "fitted = model.fit(")},
        ),
        Mistake(
            what="fits the model, then predicts with an unfitted clone of it",
            rule="clone(model) is a new, unfitted copy",
            answers={
                "committee_votes": _changed(
                    _COMMITTEE,
                    "fitted = clone(model).fit(X_labelled[resample], y_labelled[resample])",
                    "fitted = clone(model.fit(X_labelled[resample], y_labelled[resample]))",
                )
            },
        ),
        Mistake(
            what="resamples without replacement (a permutation)",
            rule="bootstrap resample (with replacement)",
            answers={
                "committee_votes": _changed(
                    _COMMITTEE,
                    "resample = rng.integers(0, n_labelled, size=n_labelled)",
                    "resample = rng.permutation(n_labelled)",
                )
            },
        ),
        Mistake(
            what="a generator of its own instead of the rng passed in",
            rule="from the rng passed in",
            answers={
                "committee_votes": _changed(
                    _COMMITTEE,
                    "resample = rng.integers(0, n_labelled, size=n_labelled)",
                    "resample = np.random.default_rng(member).integers(0, n_labelled, size=n_labelled)",
                )
            },
        ),
        Mistake(
            what="vote entropy normalised by ln(n_classes)",
            rule="not normalised",
            answers={
                "committee_votes": _changed(
                    _COMMITTEE,
                    "    return -np.sum(shares * np.log(np.where(shares > 0, shares, 1.0)), axis=1)",
                    "    return -np.sum(shares * np.log(np.where(shares > 0, shares, 1.0)), axis=1)"
                    " / np.log(n_classes)",
                )
            },
        ),
        Mistake(
            what="vote shares divided by n_classes instead of n_members",
            rule="not / n_classes",
            answers={
                "committee_votes": _changed(
                    _COMMITTEE,
                    "shares = (votes[:, :, None] == np.arange(n_classes)).mean(axis=1)",
                    "shares = (votes[:, :, None] == np.arange(n_classes)).sum(axis=1) / n_classes",
                )
            },
        ),
        Mistake(
            what="vote entropy of the counts instead of the shares",
            rule="V_c = votes for c / n_members",
            answers={
                "committee_votes": _changed(
                    _COMMITTEE,
                    "shares = (votes[:, :, None] == np.arange(n_classes)).mean(axis=1)",
                    "shares = (votes[:, :, None] == np.arange(n_classes)).sum(axis=1)",
                )
            },
        ),
        Mistake(
            what="vote entropy without the 0 ln 0 = 0 case",
            rule="0 ln 0 = 0",
            answers={
                "committee_votes": _changed(_COMMITTEE, "np.log(np.where(shares > 0, shares, 1.0))", "np.log(shares)")
            },
        ),
    ],
    "test_k_center_greedy": [
        Mistake(
            what="top-k by distance to the labelled set, distances never updated",
            rule="update the distances after every pick",
            answers={
                "k_center_greedy": _changed(
                    _K_CENTER,
                    "        distance_to_centres = np.minimum("
                    "distance_to_centres, np.linalg.norm(X - X[picked[step]], axis=1))\n",
                    "",
                )
            },
        ),
        Mistake(
            what="distance to the latest centre only, not to the nearest one",
            rule="nearest centre",
            answers={
                "k_center_greedy": _changed(
                    _K_CENTER,
                    "distance_to_centres = np.minimum(distance_to_centres, "
                    "np.linalg.norm(X - X[picked[step]], axis=1))",
                    "distance_to_centres = np.where(np.isinf(distance_to_centres), -np.inf, "
                    "np.linalg.norm(X - X[picked[step]], axis=1))",
                )
            },
        ),
        Mistake(
            what="distances measured to the first labelled point only",
            rule="the minimum over all labelled points",
            answers={
                "k_center_greedy": _changed(
                    _K_CENTER, "    for centre in labelled_indices:", "    for centre in labelled_indices[:1]:"
                )
            },
        ),
        Mistake(
            what="every point measured against every centre again at each pick",
            rule="update it with the distances to the new centre only",
            answers={
                "k_center_greedy": """
from scipy.spatial.distance import cdist


def k_center_greedy(X, labelled_indices, k):
    X = np.asarray(X, dtype=float)
    centres = [int(i) for i in labelled_indices]
    picked = []
    for _ in range(k):
        distance = cdist(X, X[centres]).min(axis=1)
        distance[centres] = -np.inf
        picked.append(int(np.argmax(distance)))
        centres.append(picked[-1])
    return np.array(picked)
"""
            },
        ),
        Mistake(
            what="ties broken by the larger index",
            rule="Ties are broken by the smaller index",
            answers={
                "k_center_greedy": _changed(
                    _K_CENTER,
                    "picked[step] = np.argmax(distance_to_centres)",
                    "picked[step] = len(X) - 1 - np.argmax(distance_to_centres[::-1])",
                )
            },
        ),
        Mistake(
            what="labelled and picked points not excluded (picks a labelled duplicate)",
            rule="Never pick a labelled or an already picked point",
            answers={
                "k_center_greedy": _changed(
                    _changed(_K_CENTER, "    distance_to_centres[labelled_indices] = -np.inf\n", ""),
                    "        distance_to_centres[picked[step]] = -np.inf\n",
                    "",
                )
            },
        ),
    ],
    "test_run_active_learning": [
        Mistake(
            what="n_rounds evaluations instead of n_rounds + 1",
            rule="n_rounds + 1 = 6 evaluations",
            answers={
                "run_active_learning": _changed(
                    _LOOP, "for round_number in range(n_rounds + 1):", "for round_number in range(n_rounds):"
                )
            },
        ),
        Mistake(
            what="asks the oracle again for every labelled example each round",
            rule="query only unlabelled examples",
            answers={
                "run_active_learning": _changed(
                    _LOOP,
                    "        labels = np.concatenate([labels, oracle.label(batch)])\n"
                    "        labelled_indices = np.concatenate([labelled_indices, batch])\n",
                    "        labelled_indices = np.concatenate([labelled_indices, batch])\n"
                    "        labels = oracle.label(labelled_indices)\n",
                )
            },
        ),
        Mistake(
            what="buys a batch after the last evaluation",
            rule="not for a batch after the last evaluation",
            answers={
                "run_active_learning": _changed(
                    _LOOP, "        if round_number == n_rounds:\n            break\n", ""
                ).replace(
                    "    return np.array(n_labels)",
                    "    labelled_indices = labelled_indices[: n_labels[-1]]\n    return np.array(n_labels)",
                )
            },
        ),
        Mistake(
            what="fits the model passed in instead of a clone",
            rule="Fit a clone(model) each round",
            answers={"run_active_learning": _changed(_LOOP, "fitted = clone(model).fit(", "fitted = model.fit(")},
        ),
        Mistake(
            what="fits the model, then uses an unfitted clone of it",
            rule="clone(model) is a new, unfitted copy",
            answers={
                "run_active_learning": _changed(
                    _LOOP,
                    "fitted = clone(model).fit(X_pool[labelled_indices], labels)",
                    "fitted = clone(model.fit(X_pool[labelled_indices], labels))",
                )
            },
        ),
        Mistake(
            what="never retrains after the first fit",
            rule="Refit a clone(model) on all labelled examples every round",
            answers={
                "run_active_learning": _changed(
                    _LOOP,
                    "        fitted = clone(model).fit(X_pool[labelled_indices], labels)\n",
                    "        if round_number == 0:\n"
                    "            fitted = clone(model).fit(X_pool[labelled_indices], labels)\n",
                )
            },
        ),
        Mistake(
            what="records the previous round's accuracy",
            rule="record the accuracy of that round's model",
            answers={
                "run_active_learning": _changed(
                    _LOOP,
                    "        accuracies.append(accuracy_score(y_test, fitted.predict(X_test)))\n",
                    "        shown = fitted if round_number == 0 else previous\n"
                    "        accuracies.append(accuracy_score(y_test, shown.predict(X_test)))\n"
                    "        previous = fitted\n",
                )
            },
        ),
        Mistake(
            what="passes its own default_rng(0) to the strategy",
            rule="Pass the rng given to run_active_learning on to select_batch",
            answers={
                "run_active_learning": _changed(
                    _LOOP,
                    "select_batch(fitted, X_pool, labelled_indices, labels, batch_size, rng)",
                    "select_batch(fitted, X_pool, labelled_indices, labels, batch_size, np.random.default_rng(0))",
                )
            },
        ),
        Mistake(
            what="hands the strategy the unfitted model",
            rule="Pass it the model fitted on the labelled examples",
            answers={
                "run_active_learning": _changed(
                    _LOOP, "np.asarray(select_batch(fitted,", "np.asarray(select_batch(clone(model),"
                )
            },
        ),
        Mistake(
            what="accuracy measured on the labelled training examples",
            rule="accuracy on (X_test, y_test)",
            answers={
                "run_active_learning": _changed(
                    _LOOP,
                    "accuracies.append(accuracy_score(y_test, fitted.predict(X_test)))",
                    "accuracies.append(accuracy_score(labels, fitted.predict(X_pool[labelled_indices])))",
                )
            },
        ),
        Mistake(
            what="labelled indices returned sorted, not in the order labelled",
            rule="the initial ones first",
            answers={
                "run_active_learning": _changed(
                    _LOOP,
                    "return np.array(n_labels), np.array(accuracies), labelled_indices",
                    "return np.array(n_labels), np.array(accuracies), np.sort(labelled_indices)",
                )
            },
        ),
        Mistake(
            what="target reached only when strictly above (> instead of >=)",
            rule="at least (>=)",
            answers={
                "run_active_learning": _changed(
                    _LOOP, "np.asarray(accuracies) >= target", "np.asarray(accuracies) > target"
                )
            },
        ),
        Mistake(
            what="returns the position on the curve, not the number of labels",
            rule="not a position",
            answers={"run_active_learning": _changed(_LOOP, "int(n_labels[reached[0]])", "int(reached[0])")},
        ),
        Mistake(
            what="a curve that never reaches the target gives the last number of labels",
            rule="must give None",
            answers={
                "run_active_learning": _changed(
                    _LOOP, "if reached.size else None", "if reached.size else int(n_labels[-1])"
                )
            },
        ),
    ],
}
