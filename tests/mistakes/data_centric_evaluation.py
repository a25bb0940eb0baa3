"""Beginner mistakes in data_centric_evaluation: each must fail its exercise's public checks, naming the rule."""

from labrun import Mistake

_BALANCED = "\n\ndef balanced_accuracy(y_true, y_pred):\n    return float(per_class_recall(y_true, y_pred).mean())\n"
_RECALL_HEAD = "def per_class_recall(y_true, y_pred):\n    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
_RECALL = (
    _RECALL_HEAD + "    classes = np.unique(y_true)\n"
    "    return pd.Series([np.mean(y_pred[y_true == c] == c) for c in classes],\n"
    "                     index=classes, dtype=float)\n"
)

_SLICE_HEAD = (
    "def slice_accuracy_table(X, y_true, y_pred, *, min_size=20):\n"
    "    is_correct = np.asarray(y_true) == np.asarray(y_pred)\n"
    "    rows = []\n"
)


def _slices(columns: str = 'X.select_dtypes(exclude="number").columns', keep: str = ">=", **changes: str) -> str:
    """The reference slice_accuracy_table with one part changed."""
    correct = changes.get("correct", "is_correct[in_slice]")
    ending = changes.get("ending", 'table.sort_values("accuracy", kind="stable").reset_index(drop=True)')
    return _SLICE_HEAD + (
        f"    for feature in {columns}:\n"
        "        values = X[feature].astype(str).to_numpy()\n"
        "        for value in np.unique(values):\n"
        "            in_slice = values == value\n"
        f"            if in_slice.sum() {keep} min_size:\n"
        "                rows.append({'feature': feature, 'value': value, 'n_examples': int(in_slice.sum()),\n"
        f"                             'accuracy': float(np.mean({correct}))}})\n"
        "    table = pd.DataFrame(rows, columns=['feature', 'value', 'n_examples', 'accuracy'])\n"
        f"    return {ending}\n"
    )


def _outliers(center: str = "np.median(numeric, axis=0)", scale: str = "1.4826 * mad", **changes: str) -> str:
    """The reference find_outliers with one part changed."""
    numeric = changes.get("numeric", 'X.select_dtypes(include="number").to_numpy(dtype=float)')
    mad = changes.get("mad", "np.median(np.abs(numeric - center), axis=0)")
    usable = changes.get("usable", "scale > 0")
    compare = changes.get("compare", "threshold")
    ending = changes.get("ending", "(z > {compare}).any(axis=1)").format(compare=compare)
    return (
        "def find_outliers(X, *, threshold=3.5):\n"
        f"    numeric = {numeric}\n"
        f"    center = {center}\n"
        f"    mad = {mad}\n"
        f"    scale = {scale}\n"
        f"    usable = {usable}\n"
        "    z = np.abs(numeric[:, usable] - center[usable]) / scale[usable]\n"
        f"    return {ending}\n"
    )


def _importance(fit: str = "make_model()", score_on: str = "X_val[columns], y_val", **changes: str) -> str:
    """The reference drop_column_importance with one part changed."""
    metric = changes.get("metric", "balanced_accuracy_score")
    difference = changes.get("difference", "full - score(others)")
    order = changes.get("order", "list(X_train.columns)")
    X_eval, y_eval = score_on.rsplit(", ", 1)
    return (
        "def drop_column_importance(X_train, y_train, X_val, y_val, *, make_model=loans.fixed_model):\n"
        "    def score(columns):\n"
        f"        model = {fit}.fit(X_train[columns], y_train)\n"
        f"        return {metric}({y_eval}, model.predict({X_eval}))\n"
        "\n"
        f"    all_columns = {order}\n"
        "    full = score(all_columns)\n"
        "    result = {}\n"
        "    for column in all_columns:\n"
        "        others = [c for c in all_columns if c != column]\n"
        f"        result[column] = {difference}\n"
        "    return pd.Series(result, dtype=float)\n"
    )


_FINAL_CURATED = (
    "rng = np.random.default_rng(0)\n"
    "keep = ~find_outliers(X_train, threshold=10.0)\n"
    "X_curated, y_curated = X_train.loc[keep].drop(columns='application_id'), y_train.loc[keep]\n"
    "labels = y_curated.to_numpy()\n"
    "n_largest = max(np.sum(labels == label) for label in loans.CLASSES)\n"
    "rows = np.concatenate([np.r_[np.flatnonzero(labels == label),\n"
    "                             rng.choice(np.flatnonzero(labels == label), n_largest - np.sum(labels == label))]\n"
    "                       for label in loans.CLASSES])\n"
)

MISTAKES = {
    "test_balanced_accuracy": [
        Mistake(
            what="divides by the predictions of each class (precision) instead of its examples",
            rule="by the number of examples of that class in y_true",
            answers={
                "balanced_accuracy": _RECALL_HEAD + "    classes = np.unique(y_true)\n"
                "    return pd.Series([np.mean(y_true[y_pred == c] == c) for c in classes],\n"
                "                     index=classes, dtype=float)\n" + _BALANCED
            },
        ),
        Mistake(
            what="balanced accuracy computed as plain accuracy",
            rule="one vote per class",
            answers={
                "balanced_accuracy": _RECALL + "\n\ndef balanced_accuracy(y_true, y_pred):\n"
                "    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))\n"
            },
        ),
        Mistake(
            what="takes the classes of y_true and y_pred together",
            rule="a label that only appears in y_pred ('d') is not a class",
            answers={
                "balanced_accuracy": _RECALL_HEAD + "    classes = np.union1d(y_true, y_pred)\n"
                "    recalls = [np.mean(y_pred[y_true == c] == c) if np.any(y_true == c) else 0.0 for c in classes]\n"
                "    return pd.Series(recalls, index=classes, dtype=float)\n" + _BALANCED
            },
        ),
        Mistake(
            what="balanced accuracy as recall_score(average='macro'), which counts a label only in y_pred as a class",
            rule="Average over the classes of y_true only",
            answers={
                "balanced_accuracy": _RECALL + "\n\ndef balanced_accuracy(y_true, y_pred):\n"
                "    with warnings.catch_warnings():\n"
                "        warnings.simplefilter('ignore')\n"
                "        return float(recall_score(y_true, y_pred, average='macro'))\n"
            },
        ),
        Mistake(
            what="balanced accuracy over the classes of y_true and y_pred together (a class only predicted scores 0)",
            rule="a label that only appears in y_pred ('d') is not a class",
            answers={
                "balanced_accuracy": _RECALL + "\n\ndef balanced_accuracy(y_true, y_pred):\n"
                "    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
                "    classes = np.union1d(y_true, y_pred)\n"
                "    return float(np.mean([np.mean(y_pred[y_true == c] == c) if np.any(y_true == c) else 0.0\n"
                "                          for c in classes]))\n"
            },
        ),
        Mistake(
            what="classes in order of appearance (pd.unique) instead of sorted",
            rule="sorted order",
            answers={
                "balanced_accuracy": _RECALL_HEAD + "    classes = pd.unique(y_true)\n"
                "    return pd.Series([np.mean(y_pred[y_true == c] == c) for c in classes],\n"
                "                     index=classes, dtype=float)\n" + _BALANCED
            },
        ),
        Mistake(
            what="compares pandas Series by index label",
            rule="Compare positions, not pandas index labels",
            answers={
                "balanced_accuracy": "def per_class_recall(y_true, y_pred):\n"
                "    y_true, y_pred = pd.Series(y_true), pd.Series(y_pred)\n"
                "    classes = np.unique(y_true)\n"
                "    return pd.Series([(y_pred[y_true == c] == c).mean() for c in classes],\n"
                "                     index=classes, dtype=float)\n" + _BALANCED
            },
        ),
        Mistake(
            what="returns a dict of recalls",
            rule="expected a pandas Series",
            answers={
                "balanced_accuracy": _RECALL_HEAD
                + "    return {c: float(np.mean(y_pred[y_true == c] == c)) for c in np.unique(y_true)}\n"
                "\n\ndef balanced_accuracy(y_true, y_pred):\n"
                "    return float(np.mean(list(per_class_recall(y_true, y_pred).values())))\n"
            },
        ),
    ],
    "test_slice_accuracy_table": [
        Mistake(
            what="keeps slices with more than min_size rows (> instead of >=)",
            rule="at least min_size rows",
            answers={"slice_accuracy_table": _slices(keep=">")},
        ),
        Mistake(
            what="slices only the object (string) columns, missing the category column",
            rule="every non-numeric column",
            answers={"slice_accuracy_table": _slices(columns='X.select_dtypes(include="object").columns')},
        ),
        Mistake(
            what="slices every column, the numeric ones too",
            rule="Slice only the non-numeric columns",
            answers={"slice_accuracy_table": _slices(columns="X.columns")},
        ),
        Mistake(
            what="aligns y_true with X by index label instead of by position",
            rule="by position, not by index label",
            answers={
                "slice_accuracy_table": _slices(
                    correct="pd.Series(y_true).reindex(X.index).to_numpy()[in_slice] == np.asarray(y_pred)[in_slice]"
                )
            },
        ),
        Mistake(
            what="sorts the slices best first",
            rule="sorted by accuracy, lowest first",
            answers={
                "slice_accuracy_table": _slices(
                    ending='table.sort_values("accuracy", ascending=False).reset_index(drop=True)'
                )
            },
        ),
        Mistake(
            what="forgets to reset the index after sorting",
            rule="a fresh 0..k-1 index",
            answers={"slice_accuracy_table": _slices(ending='table.sort_values("accuracy", kind="stable")')},
        ),
        Mistake(
            what="names the count column 'n'",
            rule="expected the columns ['feature', 'value', 'n_examples', 'accuracy']",
            answers={
                "slice_accuracy_table": _slices(
                    ending='table.sort_values("accuracy").reset_index(drop=True).rename(columns={"n_examples": "n"})'
                )
            },
        ),
    ],
    "test_find_outliers": [
        Mistake(
            what="the usual z-score (mean and std)",
            rule="Use the median and the MAD",
            answers={"find_outliers": _outliers(center="numeric.mean(axis=0)", mad="numeric.std(axis=0)", scale="mad")},
        ),
        Mistake(
            what="forgets the 1.4826 factor",
            rule="Scale the MAD by 1.4826",
            answers={"find_outliers": _outliers(scale="mad")},
        ),
        Mistake(
            what="divides by a MAD of 0 instead of skipping the column",
            rule="Skip the columns whose MAD is 0",
            answers={"find_outliers": _outliers(usable="np.ones(len(scale), dtype=bool)")},
        ),
        Mistake(
            what="ignores the threshold argument (a fixed 3.5)",
            rule="Use the threshold argument",
            answers={"find_outliers": _outliers(compare="3.5")},
        ),
        Mistake(
            what="converts every column to float, the string ones too",
            rule='Use only the numeric columns, X.select_dtypes(include="number")',
            answers={"find_outliers": _outliers(numeric="X.to_numpy(dtype=float)")},
        ),
        Mistake(
            what="median and MAD of each row (axis=1) instead of each column",
            rule="of each numeric column (axis=0)",
            answers={
                "find_outliers": "def find_outliers(X, *, threshold=3.5):\n"
                '    numeric = X.select_dtypes(include="number").to_numpy(dtype=float)\n'
                "    center = np.median(numeric, axis=1, keepdims=True)\n"
                "    scale = 1.4826 * np.median(np.abs(numeric - center), axis=1, keepdims=True)\n"
                "    with np.errstate(divide='ignore', invalid='ignore'):\n"
                "        return (np.abs(numeric - center) / scale > threshold).any(axis=1)\n"
            },
        ),
        Mistake(
            what="returns a pandas Series of flags",
            rule="expected a numpy array of bool",
            answers={"find_outliers": _outliers(ending="pd.Series((z > {compare}).any(axis=1), index=X.index)")},
        ),
    ],
    "test_drop_column_importance": [
        Mistake(
            what="scores on the training data (in-sample)",
            rule="score on X_val, y_val",
            answers={"drop_column_importance": _importance(score_on="X_train[columns], y_train")},
        ),
        Mistake(
            what="plain accuracy instead of balanced accuracy",
            rule="score with balanced_accuracy_score",
            answers={"drop_column_importance": _importance(metric="accuracy_score")},
        ),
        Mistake(
            what="reversed sign: score without the column minus score with all",
            rule="importance = score(all columns) - score(all but the column)",
            answers={"drop_column_importance": _importance(difference="score(others) - full")},
        ),
        Mistake(
            what="ignores make_model (always the fixed model)",
            rule="Build every model with make_model()",
            answers={"drop_column_importance": _importance(fit="loans.fixed_model()")},
        ),
        Mistake(
            what="columns in sorted order instead of the order of X_train",
            rule="the columns of X_train, in their order",
            answers={"drop_column_importance": _importance(order="sorted(X_train.columns)")},
        ),
    ],
    "test_final_training_set": [
        Mistake(
            what="hands in the raw training set unchanged",
            rule="must beat the raw training set",
            answers={"final_training_set": "X_train_final, y_train_final = X_train.copy(), y_train.copy()\n"},
        ),
        Mistake(
            what="re-samples every class to the largest, and nothing else (outliers and junk column kept)",
            rule="Re-sampling alone does not get there",
            answers={
                "final_training_set": "rng = np.random.default_rng(0)\n"
                "labels = y_train.to_numpy()\n"
                "n_largest = max(np.sum(labels == label) for label in loans.CLASSES)\n"
                "rows = []\n"
                "for label in loans.CLASSES:\n"
                "    of_label = np.flatnonzero(labels == label)\n"
                "    rows += [of_label, rng.choice(of_label, n_largest - len(of_label))]\n"
                "rows = np.concatenate(rows)\n"
                "X_train_final, y_train_final = X_train.iloc[rows], y_train.iloc[rows]\n"
            },
        ),
        Mistake(
            what="validation rows under training index labels",
            rule="Do not use the validation rows",
            answers={
                "final_training_set": "X_train_final = pd.concat([X_train, X_val]).set_axis(\n"
                "    np.r_[X_train.index, X_train.index[: len(X_val)]])\n"
                "y_train_final = pd.concat([y_train, y_val]).set_axis(X_train_final.index)\n"
            },
        ),
        Mistake(
            what="adds the validation rows with their own index",
            rule="do not use the validation rows",
            answers={
                "final_training_set": "X_train_final = pd.concat([X_train, X_val])\n"
                "y_train_final = pd.concat([y_train, y_val])\n"
            },
        ),
        Mistake(
            what="resets the index after re-sampling",
            rule="Do not reset the index",
            answers={
                "final_training_set": _FINAL_CURATED + "X_train_final = X_curated.iloc[rows].reset_index(drop=True)\n"
                "y_train_final = y_curated.iloc[rows].reset_index(drop=True)\n"
            },
        ),
        Mistake(
            what="adds a column (loan-to-income ratio)",
            rule="You may drop columns but not add them",
            answers={
                "final_training_set": _FINAL_CURATED
                + "X_train_final = X_curated.iloc[rows].assign(ratio=lambda t: t.loan_amount / t.annual_income)\n"
                "y_train_final = y_curated.iloc[rows]\n"
            },
        ),
        Mistake(
            what="re-samples the rows of X but not of y",
            rule="expected y_train_final aligned with X_train_final",
            answers={
                "final_training_set": _FINAL_CURATED
                + "X_train_final, y_train_final = X_curated.iloc[rows], y_curated\n"
            },
        ),
    ],
}
