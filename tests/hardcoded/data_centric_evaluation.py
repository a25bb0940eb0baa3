"""Hard-coded answers for data_centric_evaluation.

Each passes its exercise's public checks and must fail the hidden ones.
"""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_balanced_accuracy": {
        "balanced_accuracy": (
            "def per_class_recall(y_true, y_pred):\n"
            "    return pd.Series([0.5, 2 / 3, 1.0], index=['a', 'b', 'c'], name='recall')\n"
            "\n"
            "\n"
            "def balanced_accuracy(y_true, y_pred):\n"
            "    return 13 / 18\n"
        ),
    },
    "test_slice_accuracy_table": {
        "slice_accuracy_table": (
            "def slice_accuracy_table(X, y_true, y_pred, *, min_size=20):\n"
            "    return pd.DataFrame(\n"
            "        {'feature': ['color', 'color'], 'value': ['red', 'blue'],\n"
            "         'n_examples': [2, 3], 'accuracy': [0.5, 1.0]}\n"
            "    )\n"
        ),
    },
    "test_find_outliers": {
        "find_outliers": (
            "def find_outliers(X, *, threshold=3.5):\n"
            "    return np.array([False, False, False, True, True, False, False])\n"
        ),
    },
    "test_drop_column_importance": {
        "drop_column_importance": (
            "def drop_column_importance(X_train, y_train, X_val, y_val, *, make_model=loans.fixed_model):\n"
            "    return pd.Series({'signal': 0.5, 'constant': 0.0}, name='importance')\n"
        ),
    },
    # Handing in the raw export unchanged: it follows every rule, and the fixed model stays near chance.
    "test_final_training_set": {
        "final_training_set": "X_train_final, y_train_final = X_train.copy(), y_train.copy()\n",
    },
}
