"""Beginner mistakes in label_errors: each must fail its exercise's public test with a message naming the rule."""

from labrun import Mistake

_OOS = "def compute_out_of_sample_pred_probs(model, X, labels, *, n_folds=5, seed=0):\n"
_THRESHOLDS = "def per_class_thresholds(labels, pred_probs):\n"
_JOINT = "def count_confident_joint(labels, pred_probs, thresholds):\n"
_JOINT_BODY = (
    "    n_classes = pred_probs.shape[1]\n"
    "    is_confident = pred_probs >= thresholds - 1e-6\n"
    "    has_confident_class = is_confident.any(axis=1)\n"
    "    guess = np.where(is_confident, pred_probs, -np.inf).argmax(axis=1)\n"
)
_JOINT_COUNT = (
    "    joint = np.zeros((n_classes, n_classes), dtype=int)\n"
    "    np.add.at(joint, (labels[has_confident_class], guess[has_confident_class]), 1)\n"
)
_JOINT_DIAGONAL = "    np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))\n    return joint\n"
_CALIBRATE = (
    "def calibrate_confident_joint(confident_joint, labels):\n"
    "    n_classes = confident_joint.shape[0]\n"
    "    label_counts = np.bincount(labels, minlength=n_classes)\n"
    "    scaled = confident_joint / confident_joint.sum(axis=1, keepdims=True) * label_counts[:, None]\n"
    "    calibrated = np.round(scaled).astype(int)\n"
)
_PRUNE = "def find_issues_prune_by_noise_rate(labels, pred_probs, confident_joint):\n"


def _prune(
    margin="pred_probs[members, true] - pred_probs[members, given]",
    order="np.argsort(-margin)",
    members="np.flatnonzero(labels == given)",
    count="confident_joint[given, true]",
    unflag=True,
    nudge=True,
    exclusive=False,
):
    """A prune-by-noise-rate answer with one piece swapped."""
    source = (
        _PRUNE
        + "    n_classes = pred_probs.shape[1]\n"
        + "    is_issue = np.zeros(len(labels), dtype=bool)\n"
        + "    for given in range(n_classes):\n"
        + f"        members = {members}\n"
        + "        for true in range(n_classes):\n"
        + f"            n_to_prune = {count}\n"
        + "            if true == given or n_to_prune == 0:\n"
        + "                continue\n"
        + ("            members = members[~is_issue[members]]\n" if exclusive else "")
        + f"            margin = {margin}\n"
        + f"            is_issue[members[{order}[:n_to_prune]]] = True\n"
    )
    if not unflag:
        return source + "    return is_issue\n"
    return (
        source
        + "    nudged = pred_probs.copy()\n"
        + ("    nudged[np.arange(len(labels)), labels] += 1e-6\n" if nudge else "")
        + "    return is_issue & ~(nudged.argmax(axis=1) == labels)\n"
    )


_RANK = "def rank_by_self_confidence(labels, pred_probs, is_label_issue):\n"

MISTAKES = {
    "test_compute_out_of_sample_pred_probs": [
        Mistake(
            what="in-sample probabilities (fit on all rows, predict the same rows)",
            rule="out-of-sample",
            answers={
                "compute_out_of_sample_pred_probs": _OOS + "    return clone(model).fit(X, labels).predict_proba(X)\n"
            },
        ),
        Mistake(
            what="cv=n_folds: unshuffled folds",
            rule="StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)",
            answers={
                "compute_out_of_sample_pred_probs": _OOS
                + "    return cross_val_predict(clone(model), X, labels, cv=n_folds, method='predict_proba')\n"
            },
        ),
        Mistake(
            what="the seed is ignored (random_state=0)",
            rule="StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)",
            answers={
                "compute_out_of_sample_pred_probs": _OOS
                + "    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=0)\n"
                + "    return cross_val_predict(clone(model), X, labels, cv=folds, method='predict_proba')\n"
            },
        ),
        Mistake(
            what="n_folds is ignored (always 5 folds)",
            rule="StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)",
            answers={
                "compute_out_of_sample_pred_probs": _OOS
                + "    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)\n"
                + "    return cross_val_predict(clone(model), X, labels, cv=folds, method='predict_proba')\n"
            },
        ),
        Mistake(
            what="method='predict': one label per example instead of probabilities",
            rule="one column per class (method='predict_proba')",
            answers={
                "compute_out_of_sample_pred_probs": _OOS
                + "    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)\n"
                + "    return cross_val_predict(clone(model), X, labels, cv=folds, method='predict')\n"
            },
        ),
        Mistake(
            what="a hand-written fold loop that fits the model passed in",
            rule="must stay unfitted",
            answers={
                "compute_out_of_sample_pred_probs": _OOS
                + "    probs = np.zeros((len(labels), len(np.unique(labels))))\n"
                + "    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)\n"
                + "    for train, held_out in folds.split(X, labels):\n"
                + "        probs[held_out] = model.fit(X[train], labels[train]).predict_proba(X[held_out])\n"
                + "    return probs\n"
            },
        ),
    ],
    "test_per_class_thresholds": [
        Mistake(
            what="averages every example, not only those labelled k",
            rule="whose given label is k",
            answers={"per_class_thresholds": _THRESHOLDS + "    return pred_probs.mean(axis=0)\n"},
        ),
        Mistake(
            what="groups by the predicted class instead of the given label",
            rule="whose given label is k",
            answers={
                "per_class_thresholds": _THRESHOLDS
                + "    predicted = pred_probs.argmax(axis=1)\n"
                + "    return np.array([pred_probs[predicted == k, k].mean() for k in range(pred_probs.shape[1])])\n"
            },
        ),
        Mistake(
            what="wrong axis: the mean probability vector of each class's rows",
            rule="the mean of column k over the rows labelled k",
            answers={
                "per_class_thresholds": _THRESHOLDS
                + "    return np.array([pred_probs[labels == k].mean(axis=0) for k in range(pred_probs.shape[1])])\n"
            },
        ),
    ],
    "test_count_confident_joint": [
        Mistake(
            what="transposed: C[guessed true label, given label]",
            rule="Rows are the given labels",
            answers={
                "count_confident_joint": _JOINT
                + _JOINT_BODY
                + "    joint = np.zeros((n_classes, n_classes), dtype=int)\n"
                + "    np.add.at(joint, (guess[has_confident_class], labels[has_confident_class]), 1)\n"
                + _JOINT_DIAGONAL
            },
        ),
        Mistake(
            what="examples confident of no class are counted (as class 0)",
            rule="Skip the examples confident of no class",
            answers={
                "count_confident_joint": _JOINT
                + _JOINT_BODY
                + "    joint = np.zeros((n_classes, n_classes), dtype=int)\n"
                + "    np.add.at(joint, (labels, guess), 1)\n"
                + _JOINT_DIAGONAL
            },
        ),
        Mistake(
            what="the overall argmax, ignoring the thresholds, for every example",
            rule="Skip the examples confident of no class",
            answers={
                "count_confident_joint": _JOINT
                + "    n_classes = pred_probs.shape[1]\n"
                + "    joint = np.zeros((n_classes, n_classes), dtype=int)\n"
                + "    np.add.at(joint, (labels, pred_probs.argmax(axis=1)), 1)\n"
                + _JOINT_DIAGONAL
            },
        ),
        Mistake(
            what="no 1e-6 tolerance: an example on its threshold is not confident",
            rule="with the tolerance",
            answers={
                "count_confident_joint": _JOINT
                + _JOINT_BODY.replace("thresholds - 1e-6", "thresholds")
                + _JOINT_COUNT
                + _JOINT_DIAGONAL
            },
        ),
        Mistake(
            what="strictly above the threshold",
            rule="with the tolerance",
            answers={
                "count_confident_joint": _JOINT
                + _JOINT_BODY.replace(">= thresholds - 1e-6", "> thresholds")
                + _JOINT_COUNT
                + _JOINT_DIAGONAL
            },
        ),
        Mistake(
            what="the overall argmax as the guess, even when that class is not confident",
            rule="among the confident classes only",
            answers={
                "count_confident_joint": _JOINT
                + _JOINT_BODY.replace("np.where(is_confident, pred_probs, -np.inf)", "pred_probs")
                + _JOINT_COUNT
                + _JOINT_DIAGONAL
            },
        ),
        Mistake(
            what="the empty diagonal cell is not raised to 1",
            rule="Raise only the diagonal entries below 1 to 1",
            answers={"count_confident_joint": _JOINT + _JOINT_BODY + _JOINT_COUNT + "    return joint\n"},
        ),
        Mistake(
            what="every diagonal entry set to 1",
            rule="Raise only the diagonal entries below 1 to 1",
            answers={
                "count_confident_joint": _JOINT
                + _JOINT_BODY
                + _JOINT_COUNT
                + "    np.fill_diagonal(joint, 1)\n    return joint\n"
            },
        ),
        Mistake(
            what="float counts",
            rule="expected integer counts",
            answers={
                "count_confident_joint": _JOINT
                + _JOINT_BODY
                + _JOINT_COUNT
                + "    np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))\n    return joint.astype(float)\n"
            },
        ),
    ],
    "test_calibrate_confident_joint": [
        Mistake(
            what="plain np.round: the row totals drift",
            rule="row i sums to n_i",
            answers={"calibrate_confident_joint": _CALIBRATE + "    return calibrated\n"},
        ),
        Mistake(
            what="fixes only one unit per row (off by one when a row is 2 away)",
            rule="row i sums to n_i",
            answers={
                "calibrate_confident_joint": _CALIBRATE
                + "    for row in range(n_classes):\n"
                + "        shortfall = label_counts[row] - calibrated[row].sum()\n"
                + "        residuals = scaled[row] - calibrated[row]\n"
                + "        if shortfall > 0:\n"
                + "            calibrated[row, np.argmax(residuals)] += 1\n"
                + "        elif shortfall < 0:\n"
                + "            calibrated[row, np.argmin(residuals)] -= 1\n"
                + "    return calibrated\n"
            },
        ),
        Mistake(
            what="only the 'too many' case is fixed",
            rule="row i sums to n_i",
            answers={
                "calibrate_confident_joint": _CALIBRATE
                + "    for row in range(n_classes):\n"
                + "        extra = calibrated[row].sum() - label_counts[row]\n"
                + "        if extra > 0:\n"
                + "            calibrated[row, np.argsort(scaled[row] - calibrated[row])[:extra]] -= 1\n"
                + "    return calibrated\n"
            },
        ),
        Mistake(
            what="adjusts the wrong entries (largest residual when a row is too big)",
            rule="whose rounding went up the most",
            answers={
                "calibrate_confident_joint": _CALIBRATE
                + "    for row in range(n_classes):\n"
                + "        shortfall = label_counts[row] - calibrated[row].sum()\n"
                + "        residuals = scaled[row] - calibrated[row]\n"
                + "        if shortfall > 0:\n"
                + "            calibrated[row, np.argsort(residuals)[:shortfall]] += 1\n"
                + "        elif shortfall < 0:\n"
                + "            calibrated[row, np.argsort(residuals)[::-1][:-shortfall]] -= 1\n"
                + "    return calibrated\n"
            },
        ),
        Mistake(
            what="rescales the columns instead of the rows",
            rule="Rescale each row i to sum to n_i",
            answers={
                "calibrate_confident_joint": "def calibrate_confident_joint(confident_joint, labels):\n"
                "    label_counts = np.bincount(labels, minlength=confident_joint.shape[0])\n"
                "    scaled = confident_joint / confident_joint.sum(axis=0, keepdims=True) * label_counts[None, :]\n"
                "    return np.round(scaled).astype(int)\n"
            },
        ),
        Mistake(
            what="scales every row to the whole data set's size",
            rule="Rescale each row i to sum to n_i",
            answers={
                "calibrate_confident_joint": "def calibrate_confident_joint(confident_joint, labels):\n"
                "    scaled = confident_joint / confident_joint.sum(axis=1, keepdims=True) * len(labels)\n"
                "    return np.round(scaled).astype(int)\n"
            },
        ),
        Mistake(
            what="float result",
            rule="expected integer counts",
            answers={
                "calibrate_confident_joint": "def calibrate_confident_joint(confident_joint, labels):\n"
                "    label_counts = np.bincount(labels, minlength=confident_joint.shape[0])\n"
                "    return confident_joint / confident_joint.sum(axis=1, keepdims=True) * label_counts[:, None]\n"
            },
        ),
    ],
    "test_find_issues_prune_by_noise_rate": [
        Mistake(
            what="reads the joint transposed (Q[j, i] examples from cell (i, j))",
            rule="rows: given label",
            answers={"find_issues_prune_by_noise_rate": _prune(count="confident_joint[true, given]")},
        ),
        Mistake(
            what="ranks by pred_probs[:, j] alone instead of the margin",
            rule="largest margin pred_probs[:, j] - pred_probs[:, i]",
            answers={"find_issues_prune_by_noise_rate": _prune(margin="pred_probs[members, true]")},
        ),
        Mistake(
            what="takes the smallest margins",
            rule="largest margin pred_probs[:, j] - pred_probs[:, i]",
            answers={"find_issues_prune_by_noise_rate": _prune(order="np.argsort(margin)")},
        ),
        Mistake(
            what="ranks every example, not only those labelled i",
            rule="largest margin pred_probs[:, j] - pred_probs[:, i]",
            answers={"find_issues_prune_by_noise_rate": _prune(members="np.arange(len(labels))")},
        ),
        Mistake(
            what="never un-flags the examples the model agrees with",
            rule="Un-flag the examples whose largest probability is that of their given label",
            answers={"find_issues_prune_by_noise_rate": _prune(unflag=False)},
        ),
        Mistake(
            what="no 1e-6 nudge: a tie with another class is not agreement",
            rule="A tie counts as agreement",
            answers={"find_issues_prune_by_noise_rate": _prune(nudge=False)},
        ),
        Mistake(
            what="an example flagged by one cell is excluded from the next",
            rule="may be flagged from more than one cell",
            answers={"find_issues_prune_by_noise_rate": _prune(exclusive=True)},
        ),
    ],
    "test_rank_by_self_confidence": [
        Mistake(
            what="ranks every example, flagged or not",
            rule="Return only the flagged examples",
            answers={
                "rank_by_self_confidence": _RANK
                + "    return np.argsort(pred_probs[np.arange(len(labels)), labels], kind='stable')\n"
            },
        ),
        Mistake(
            what="positions among the flagged examples instead of data-set indices",
            rule="indices in the whole data set",
            answers={
                "rank_by_self_confidence": _RANK
                + "    issue_indices = np.flatnonzero(is_label_issue)\n"
                + "    return np.argsort(pred_probs[issue_indices, labels[issue_indices]], kind='stable')\n"
            },
        ),
        Mistake(
            what="highest self-confidence first",
            rule="lowest self-confidence first",
            answers={
                "rank_by_self_confidence": _RANK
                + "    issue_indices = np.flatnonzero(is_label_issue)\n"
                + "    return issue_indices[np.argsort(-pred_probs[issue_indices, labels[issue_indices]])]\n"
            },
        ),
        Mistake(
            what="the largest probability instead of the given label's",
            rule="pred_probs[n, labels[n]]",
            answers={
                "rank_by_self_confidence": _RANK
                + "    issue_indices = np.flatnonzero(is_label_issue)\n"
                + "    return issue_indices[np.argsort(pred_probs[issue_indices].max(axis=1))]\n"
            },
        ),
    ],
}
