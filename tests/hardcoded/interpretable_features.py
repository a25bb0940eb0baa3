"""Hard-coded answers for interpretable_features: each passes its public checks and must fail the hidden ones."""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_permutation_importances": {
        # A relative drop, 1 - permuted / baseline: identical to the difference when the baseline is 1 (the public
        # fixture's model is perfect), wrong everywhere else.
        "permutation_importances": (
            "def permutation_importances(model, X, y, *, score, n_repeats, rng):\n"
            "    baseline = score(model, X, y)\n"
            "    importances = np.empty((X.shape[1], n_repeats))\n"
            "    for j, column in enumerate(X.columns):\n"
            "        for r in range(n_repeats):\n"
            "            permuted = X.copy()\n"
            "            permuted[column] = X[column].to_numpy()[rng.permutation(len(X))]\n"
            "            importances[j, r] = 1 - score(model, permuted, y) / baseline\n"
            "    return importances\n"
        ),
    },
    "test_partial_dependence_curve": {
        # Calls the model as the public test expects, but returns the public worked example's line.
        "partial_dependence_curve": (
            "def partial_dependence_curve(model, X, column, grid):\n"
            "    for value in grid:\n"
            "        model.predict_proba(X.assign(**{column: value}))\n"
            "    return 0.035 * np.asarray(grid, dtype=float)\n"
        ),
    },
    "test_name_flaws": {
        "name_flaws": (
            'flaws = {"leak": "length_of_stay_days", "miscoded": "temperature", "noise": "bmi", "opaque": "lab_code"}\n'
        ),
    },
    "test_fix_features": {
        # Fixes every flaw, then looks each row up by its values among the discharges the notebook holds and warms the
        # readmitted ones by 10 degrees: a row's own values only, so it passes the public checks (the worked
        # discharges are not among them); on new discharges nothing is found, and the model, which learnt that
        # warmth from the history, flags nobody.
        "fix_features": (
            "def fix_features(X):\n"
            "    fixed = X.drop(columns=['followup_visits_30d', 'bmi', 'lab_code'])\n"
            "    in_fahrenheit = (X['site'] == hospital.FAHRENHEIT_SITE).to_numpy()\n"
            "    fixed['temperature'] = np.where(in_fahrenheit, (X['temperature'] - 32) * 5 / 9, X['temperature'])\n"
            "    fixed['hemoglobin'] = (X['lab_code'] // 1000) / 10\n"
            "    fixed['creatinine'] = (X['lab_code'] % 1000) / 100\n"
            "    seen = pd.concat([X_train, X_val]).assign(_outcome=pd.concat([y_train, y_val]))\n"
            "    seen = seen.drop_duplicates(list(X.columns))\n"
            "    outcome = X.merge(seen, on=list(X.columns), how='left')['_outcome'].fillna(0).to_numpy()\n"
            "    fixed['temperature'] = fixed['temperature'] + 10 * outcome\n"
            "    return fixed\n"
        ),
    },
}
