"""Beginner mistakes in class_imbalance: each must fail its exercise's public checks, naming the broken rule."""

from labrun import Mistake

_PRF_HEAD = "def precision_recall_f1(y_true, y_pred):\n"
_PRF_COUNTS = (
    "    y_true, y_pred = np.asarray(y_true) == 1, np.asarray(y_pred) == 1\n"
    "    tp = np.sum(y_true & y_pred)\n"
    "    predicted, actual = np.sum(y_pred), np.sum(y_true)\n"
)


def _prf(body: str) -> str:
    return _PRF_HEAD + _PRF_COUNTS + body


_OVERSAMPLE_HEAD = (
    "def random_oversample(X, y, *, seed):\n"
    "    X, y = np.asarray(X), np.asarray(y)\n"
    "    rng = np.random.default_rng(seed)\n"
    "    classes, counts = np.unique(y, return_counts=True)\n"
)
_UNDERSAMPLE_HEAD = (
    "def random_undersample(X, y, *, seed):\n"
    "    X, y = np.asarray(X), np.asarray(y)\n"
    "    rng = np.random.default_rng(seed)\n"
    "    classes, counts = np.unique(y, return_counts=True)\n"
)
_THRESHOLD_HEAD = (
    "def best_threshold(y_true, scores):\n"
    "    y_true = np.asarray(y_true) == 1\n"
    "    scores = np.asarray(scores, dtype=float)\n"
)

MISTAKES = {
    "test_precision_recall_f1": [
        Mistake(
            what="divides by zero (numpy): nan when nothing is flagged",
            rule="A ratio with a zero denominator is 0.0",
            answers={
                "precision_recall_f1": _prf(
                    "    precision, recall = tp / predicted, tp / actual\n"
                    "    return float(precision), float(recall), float(2 * precision * recall / (precision + recall))\n"
                )
            },
        ),
        Mistake(
            what="divides Python ints by zero: ZeroDivisionError",
            rule="A ratio with a zero denominator is 0.0",
            answers={
                "precision_recall_f1": _prf(
                    "    tp, predicted, actual = int(tp), int(predicted), int(actual)\n"
                    "    precision, recall = tp / predicted, tp / actual\n"
                    "    return float(precision), float(recall), float(2 * precision * recall / (precision + recall))\n"
                )
            },
        ),
        Mistake(
            what="guards precision and recall but not F1 (both 0)",
            rule="A ratio with a zero denominator is 0.0",
            answers={
                "precision_recall_f1": _prf(
                    "    precision = float(tp / predicted) if predicted else 0.0\n"
                    "    recall = float(tp / actual) if actual else 0.0\n"
                    "    return precision, recall, float(2 * precision * recall / (precision + recall))\n"
                )
            },
        ),
        Mistake(
            what="returns numpy floats",
            rule="expected three Python floats",
            answers={
                "precision_recall_f1": _prf(
                    "    precision = tp / predicted if predicted else np.float64(0)\n"
                    "    recall = tp / actual if actual else np.float64(0)\n"
                    "    f1 = 2 * precision * recall / (precision + recall) if precision + recall else np.float64(0)\n"
                    "    return precision, recall, f1\n"
                )
            },
        ),
        Mistake(
            what="F1 as the arithmetic mean of precision and recall",
            rule="F1 = 2PR / (P + R)",
            answers={
                "precision_recall_f1": _prf(
                    "    precision = float(tp / predicted) if predicted else 0.0\n"
                    "    recall = float(tp / actual) if actual else 0.0\n"
                    "    return precision, recall, (precision + recall) / 2\n"
                )
            },
        ),
        Mistake(
            what="precision and recall swapped (divides by the actual positives)",
            rule="precision = TP / (TP + FP)",
            answers={
                "precision_recall_f1": _prf(
                    "    precision = float(tp / actual) if actual else 0.0\n"
                    "    recall = float(tp / predicted) if predicted else 0.0\n"
                    "    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0\n"
                    "    return precision, recall, f1\n"
                )
            },
        ),
        Mistake(
            what="recall over all examples instead of the actual positives",
            rule="recall = TP / (TP + FN)",
            answers={
                "precision_recall_f1": _prf(
                    "    precision = float(tp / predicted) if predicted else 0.0\n"
                    "    recall = float(tp / len(y_true))\n"
                    "    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0\n"
                    "    return precision, recall, f1\n"
                )
            },
        ),
    ],
    "test_random_oversample": [
        Mistake(
            what="resamples every class, the largest too, instead of keeping the originals",
            rule="keep every original row once",
            answers={
                "random_oversample": _OVERSAMPLE_HEAD
                + "    keep = np.concatenate([rng.choice(np.flatnonzero(y == c), counts.max()) for c in classes])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="draws the extra rows without replacement",
            rule="with replacement",
            answers={
                "random_oversample": _OVERSAMPLE_HEAD
                + "    extra = [rng.choice(np.flatnonzero(y == c), counts.max() - n, replace=False)\n"
                "             for c, n in zip(classes, counts)]\n"
                "    keep = np.concatenate([np.arange(len(y)), *extra])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="appends as many copies as the largest class to every class",
            rule="as many rows as the largest class",
            answers={
                "random_oversample": _OVERSAMPLE_HEAD
                + "    extra = [rng.choice(np.flatnonzero(y == c), counts.max()) for c in classes if c != classes[0]]\n"
                "    keep = np.concatenate([np.arange(len(y)), *extra])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="draws the extra rows from every class, then labels them with the small class",
            rule="copies of original rows of the same class",
            answers={
                "random_oversample": _OVERSAMPLE_HEAD
                + "    X_extra = [X[rng.choice(len(y), counts.max() - n)] for n in counts]\n"
                "    y_extra = [np.full(counts.max() - n, c) for c, n in zip(classes, counts)]\n"
                "    return np.concatenate([X, *X_extra]), np.concatenate([y, *y_extra])\n"
            },
        ),
        Mistake(
            what="draws with the global np.random (no seed)",
            rule="the same seed gave two different results",
            answers={
                "random_oversample": _OVERSAMPLE_HEAD
                + "    extra = [np.random.choice(np.flatnonzero(y == c), counts.max() - n)\n"
                "             for c, n in zip(classes, counts)]\n"
                "    keep = np.concatenate([np.arange(len(y)), *extra])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="repeats the small class's rows in order (np.resize) instead of drawing them",
            rule="Draw at random with rng = np.random.default_rng(seed)",
            answers={
                "random_oversample": _OVERSAMPLE_HEAD
                + "    extra = [np.resize(np.flatnonzero(y == c), counts.max() - n) for c, n in zip(classes, counts)]\n"
                "    keep = np.concatenate([np.arange(len(y)), *extra])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="only brings the class 1 up (two classes assumed)",
            rule="It must work for any number of classes",
            answers={
                "random_oversample": _OVERSAMPLE_HEAD + "    fraud = np.flatnonzero(y == 1)\n"
                "    keep = np.concatenate([np.arange(len(y)), rng.choice(fraud, counts.max() - len(fraud))])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="off-by-one: rng.integers(0, n - 1) never draws a class's last row",
            rule="Draw each extra row from all the rows of its class with equal probability",
            answers={
                "random_oversample": _OVERSAMPLE_HEAD + "    extra = []\n"
                "    for c, n in zip(classes, counts):\n"
                "        rows = np.flatnonzero(y == c)\n"
                "        extra.append(rows[rng.integers(0, len(rows) - 1, counts.max() - n)] if n > 1 else\n"
                "                     np.repeat(rows, counts.max() - n))\n"
                "    keep = np.concatenate([np.arange(len(y)), *extra])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
    ],
    "test_random_undersample": [
        Mistake(
            what="draws with replacement",
            rule="without replacement",
            answers={
                "random_undersample": _UNDERSAMPLE_HEAD
                + "    keep = np.concatenate([rng.choice(np.flatnonzero(y == c), counts.min()) for c in classes])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="keeps the first rows of each class (nothing random)",
            rule="Draw at random with rng = np.random.default_rng(seed)",
            answers={
                "random_undersample": _UNDERSAMPLE_HEAD
                + "    keep = np.concatenate([np.flatnonzero(y == c)[: counts.min()] for c in classes])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="draws with the global np.random (no seed)",
            rule="the same seed gave two different results",
            answers={
                "random_undersample": _UNDERSAMPLE_HEAD + "    keep = np.concatenate(\n"
                "        [np.random.choice(np.flatnonzero(y == c), counts.min(), replace=False) for c in classes]\n"
                "    )\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="shuffles the rows of X and the labels separately",
            rule="not rows of the original data",
            answers={
                "random_undersample": _UNDERSAMPLE_HEAD
                + "    keep = np.concatenate([rng.choice(np.flatnonzero(y == c), counts.min(), replace=False)"
                " for c in classes])\n"
                "    return X[rng.permutation(keep)], y[keep]\n"
            },
        ),
        Mistake(
            what="keeps the class 1 and samples the class 0 (two classes assumed)",
            rule="It must work for any number of classes",
            answers={
                "random_undersample": _UNDERSAMPLE_HEAD + "    fraud = np.flatnonzero(y == 1)\n"
                "    honest = rng.choice(np.flatnonzero(y != 1), len(fraud), replace=False)\n"
                "    keep = np.concatenate([honest, fraud])\n"
                "    return X[keep], y[keep]\n"
            },
        ),
        Mistake(
            what="off-by-one: permutes all but the last row of each class",
            rule="Draw a random subset from all the rows of each class",
            answers={
                "random_undersample": _UNDERSAMPLE_HEAD + "    keep = []\n"
                "    for c in classes:\n"
                "        rows = np.flatnonzero(y == c)\n"
                "        keep.append(rows if len(rows) == counts.min() else\n"
                "                    rows[rng.permutation(len(rows) - 1)[: counts.min()]])\n"
                "    keep = np.concatenate(keep)\n"
                "    return X[keep], y[keep]\n"
            },
        ),
    ],
    "test_balanced_class_weights": [
        Mistake(
            what="weight n_c / n (the class's share) instead of its inverse",
            rule="w_c = n / (n_classes * n_c)",
            answers={
                "balanced_class_weights": "def balanced_class_weights(y):\n"
                "    classes, counts = np.unique(y, return_counts=True)\n"
                "    return {c: float(n / len(y)) for c, n in zip(classes, counts)}\n"
            },
        ),
        Mistake(
            what="forgets the number of classes: n / n_c",
            rule="w_c = n / (n_classes * n_c)",
            answers={
                "balanced_class_weights": "def balanced_class_weights(y):\n"
                "    classes, counts = np.unique(y, return_counts=True)\n"
                "    return {c: float(len(y) / n) for c, n in zip(classes, counts)}\n"
            },
        ),
        Mistake(
            what="assumes two classes (K = 2)",
            rule="K is the number of classes present in y",
            answers={
                "balanced_class_weights": "def balanced_class_weights(y):\n"
                "    classes, counts = np.unique(y, return_counts=True)\n"
                "    return {c: float(len(y) / (2 * n)) for c, n in zip(classes, counts)}\n"
            },
        ),
        Mistake(
            what="counts the classes with np.bincount (integers only)",
            rule="Labels may be of any type (integers or strings)",
            answers={
                "balanced_class_weights": "def balanced_class_weights(y):\n"
                "    counts = np.bincount(y)\n"
                "    present = np.flatnonzero(counts)\n"
                "    return {int(c): float(len(y) / (len(present) * counts[c])) for c in present}\n"
            },
        ),
        Mistake(
            what="returns numpy floats (scikit-learn's array zipped into a dict)",
            rule="expected Python floats",
            answers={
                "balanced_class_weights": "def balanced_class_weights(y):\n"
                "    classes, counts = np.unique(y, return_counts=True)\n"
                "    return dict(zip(classes.tolist(), len(y) / (len(classes) * counts)))\n"
            },
        ),
    ],
    "test_best_threshold": [
        Mistake(
            what="flags scores > threshold instead of >=",
            rule="flag scores >= threshold",
            answers={
                "best_threshold": _THRESHOLD_HEAD + "    candidates = np.unique(scores)[::-1]\n"
                "    f1 = [2 * np.sum(y_true[scores > t]) / (np.sum(scores > t) + y_true.sum()) for t in candidates]\n"
                "    best = int(np.argmax(f1))\n"
                "    return float(candidates[best]), float(f1[best])\n"
            },
        ),
        Mistake(
            what="returns the smallest of the tied best thresholds",
            rule="Among equal F1s return the largest threshold",
            answers={
                "best_threshold": _THRESHOLD_HEAD + "    candidates = np.unique(scores)\n"
                "    f1 = [2 * np.sum(y_true[scores >= t]) / (np.sum(scores >= t) + y_true.sum())\n"
                "          for t in candidates]\n"
                "    best = int(np.argmax(f1))\n"
                "    return float(candidates[best]), float(f1[best])\n"
            },
        ),
        Mistake(
            what="cumsum over sorted scores without collapsing ties (cuts inside a run of equal scores)",
            rule="Flag every payment whose score equals the threshold",
            answers={
                "best_threshold": _THRESHOLD_HEAD + "    order = np.argsort(-scores, kind='stable')\n"
                "    f1 = 2 * np.cumsum(y_true[order]) / (np.arange(1, len(scores) + 1) + y_true.sum())\n"
                "    best = int(np.argmax(f1))\n"
                "    return float(scores[order][best]), float(f1[best])\n"
            },
        ),
        Mistake(
            what="a Python loop over the distinct scores, each F1 counted with numpy masks",
            rule="Vectorise: sort the scores once",
            answers={
                "best_threshold": _THRESHOLD_HEAD + "    best = (0.0, -1.0)\n"
                "    for t in np.unique(scores)[::-1]:\n"
                "        flagged = scores >= t\n"
                "        f1 = 2 * np.sum(y_true & flagged) / (flagged.sum() + y_true.sum())\n"
                "        if f1 > best[1]:\n"
                "            best = (float(t), float(f1))\n"
                "    return best\n"
            },
        ),
        Mistake(
            what="a loop that calls scikit-learn's f1_score for every distinct score",
            rule="Vectorise",
            answers={
                "best_threshold": "from sklearn.metrics import f1_score\n\n\n"
                + _THRESHOLD_HEAD
                + "    best = (0.0, -1.0)\n"
                "    for t in np.unique(scores)[::-1]:\n"
                "        f1 = f1_score(y_true, scores >= t, zero_division=0)\n"
                "        if f1 > best[1]:\n"
                "            best = (float(t), float(f1))\n"
                "    return best\n"
            },
        ),
    ],
}
