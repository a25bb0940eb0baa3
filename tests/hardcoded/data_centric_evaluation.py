"""Hard-coded answers for data_centric_evaluation.

Each passes its exercise's public checks and must fail the hidden ones.
"""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_balanced_accuracy": {
        # The answers of the three public examples, looked up by y_true.
        "balanced_accuracy": (
            "def per_class_recall(y_true, y_pred):\n"
            "    y_true = list(y_true)\n"
            "    if y_true == ['a', 'a', 'b', 'b', 'b', 'c']:\n"
            "        return pd.Series([0.5, 2 / 3, 1.0], index=['a', 'b', 'c'], name='recall')\n"
            "    if y_true == ['b', 'a', 'a']:\n"
            "        return pd.Series([0.5, 0.0], index=['a', 'b'], name='recall')\n"
            "    return pd.Series([0.5, 1.0], index=['a', 'b'], name='recall')\n"
            "\n"
            "\n"
            "def balanced_accuracy(y_true, y_pred):\n"
            "    return 0.25 if list(y_true) == ['b', 'a', 'a'] else 13 / 18\n"
        ),
    },
    "test_slice_accuracy_table": {
        "slice_accuracy_table": (
            "def slice_accuracy_table(X, y_true, y_pred, *, min_size=20):\n"
            "    return pd.DataFrame(\n"
            "        {'feature': ['plan', 'color', 'color', 'plan'], 'value': ['pro', 'red', 'blue', 'basic'],\n"
            "         'n_examples': [5, 2, 4, 2], 'accuracy': [0.4, 0.5, 0.75, 1.0]}\n"
            "    )\n"
        ),
    },
    "test_find_outliers": {
        # The flags of the public examples: rows 3 and 4 (rows 0, 1, 3, 4 at threshold 1), nothing elsewhere.
        "find_outliers": (
            "def find_outliers(X, *, threshold=3.5):\n"
            "    if 'income' not in X.columns:\n"
            "        return np.zeros(len(X), dtype=bool)\n"
            "    if threshold < 2:\n"
            "        return np.array([True, True, False, True, True, False, False])\n"
            "    return np.array([False, False, False, True, True, False, False])\n"
        ),
    },
    "test_drop_column_importance": {
        # The public example's importances for the fixed model, zeros for any other model.
        "drop_column_importance": (
            "def drop_column_importance(X_train, y_train, X_val, y_val, *, make_model=loans.fixed_model):\n"
            "    if make_model is loans.fixed_model:\n"
            "        return pd.Series({'signal': 5 / 24, 'row_id': -15 / 24}, name='importance')\n"
            "    return pd.Series(0.0, index=X_train.columns, name='importance')\n"
        ),
    },
    # Half the work: the outlier rows removed, nothing else. It follows every rule and clears the public bar on
    # validation (0.563 against 0.5), but stays far from the 0.75 the hidden test asks on the test set (0.572).
    "test_final_training_set": {
        "final_training_set": (
            "keep = ~find_outliers(X_train, threshold=10.0)\n"
            "X_train_final, y_train_final = X_train.loc[keep], y_train.loc[keep]\n"
        ),
    },
}
