"""Beginner mistakes in interpretable_features: each must fail its exercise's public test, naming the broken rule."""

from labrun import Mistake


def _permutation_importances(body: str) -> str:
    return "def permutation_importances(model, X, y, *, score, n_repeats, rng):\n" + body


def _partial_dependence_curve(body: str) -> str:
    return "def partial_dependence_curve(model, X, column, grid):\n" + body


def _fix_features(body: str) -> str:
    return "def fix_features(X):\n" + body


#: The parts of the solution's fix that the mistakes below keep.
_FIX_TEMPERATURE = (
    "    in_fahrenheit = (X['site'] == hospital.FAHRENHEIT_SITE).to_numpy()\n"
    "    fixed['temperature'] = np.where(in_fahrenheit, (X['temperature'] - 32) * 5 / 9, X['temperature'])\n"
)
_CELSIUS_FIX = "    fixed = X.drop(columns=['followup_visits_30d', 'bmi', 'lab_code'])\n" + _FIX_TEMPERATURE
_DECODE_LAB_CODE = (
    "    fixed['hemoglobin'] = (X['lab_code'] // 1000) / 10\n    fixed['creatinine'] = (X['lab_code'] % 1000) / 100\n"
)

MISTAKES = {
    "test_permutation_importances": [
        Mistake(
            what="shuffles with Series.sample(frac=1), which pandas puts back in index order",
            rule="a shuffled pandas Series",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X.copy()\n"
                    "            permuted[column] = X[column].sample(frac=1, random_state=int(rng.integers(1 << 30)))\n"
                    "            importances[j, r] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="permutes the notebook's global X_train instead of the X passed in",
            rule="never a global frame of the notebook's",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X_train, y)\n"
                    "    importances = np.empty((X_train.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X_train.columns):\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X_train.copy()\n"
                    "            permuted[column] = X_train[column].to_numpy()[rng.permutation(len(X_train))]\n"
                    "            importances[j, r] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="refits the model on each permuted copy",
            rule="do not refit",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X.copy()\n"
                    "            permuted[column] = X[column].to_numpy()[rng.permutation(len(X))]\n"
                    "            model.fit(permuted, y)\n"
                    "            importances[j, r] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="shuffles the columns of X in place",
            rule="leave X unchanged",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        original = X[column].copy()\n"
                    "        for r in range(n_repeats):\n"
                    "            X[column] = original.to_numpy()[rng.permutation(len(X))]\n"
                    "            importances[j, r] = baseline - score(model, X, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="draws the shuffled rows with replacement",
            rule="not a draw with replacement",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X.copy()\n"
                    "            permuted[column] = X[column].to_numpy()[rng.integers(0, len(X), len(X))]\n"
                    "            importances[j, r] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="one permutation per column, reused for every repeat",
            rule="fresh permutation for each repeat",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        order = rng.permutation(len(X))\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X.copy()\n"
                    "            permuted[column] = X[column].to_numpy()[order]\n"
                    "            importances[j, r] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="ignores the rng passed in and makes a generator of its own",
            rule="draw every permutation from `rng`",
            answers={
                "permutation_importances": _permutation_importances(
                    "    own_rng = np.random.default_rng(42)\n"
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X.copy()\n"
                    "            permuted[column] = X[column].to_numpy()[own_rng.permutation(len(X))]\n"
                    "            importances[j, r] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="permuted score minus baseline (sign flipped)",
            rule="baseline minus the permuted score",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X.copy()\n"
                    "            permuted[column] = X[column].to_numpy()[rng.permutation(len(X))]\n"
                    "            importances[j, r] = score(model, permuted, y) - baseline\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="scores the baseline again for every column",
            rule="compute the baseline once",
            answers={
                "permutation_importances": _permutation_importances(
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        baseline = score(model, X, y)\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X.copy()\n"
                    "            permuted[column] = X[column].to_numpy()[rng.permutation(len(X))]\n"
                    "            importances[j, r] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="returns one row per repeat instead of one per column",
            rule="(n_columns, n_repeats)",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((n_repeats, X.shape[1]))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        for r in range(n_repeats):\n"
                    "            permuted = X.copy()\n"
                    "            permuted[column] = X[column].to_numpy()[rng.permutation(len(X))]\n"
                    "            importances[r, j] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
        Mistake(
            what="permutes a column row by row, one .iloc assignment per row",
            rule="no Python loop over the rows",
            answers={
                "permutation_importances": _permutation_importances(
                    "    baseline = score(model, X, y)\n"
                    "    importances = np.empty((X.shape[1], n_repeats))\n"
                    "    for j, column in enumerate(X.columns):\n"
                    "        for r in range(n_repeats):\n"
                    "            order = rng.permutation(len(X))\n"
                    "            permuted = X.copy()\n"
                    "            for i in range(len(X)):\n"
                    "                permuted.iloc[i, j] = X.iloc[order[i], j]\n"
                    "            importances[j, r] = baseline - score(model, permuted, y)\n"
                    "    return importances\n"
                )
            },
        ),
    ],
    "test_partial_dependence_curve": [
        Mistake(
            what="predicts for the average row instead of averaging the predictions",
            rule="all rows",
            answers={
                "partial_dependence_curve": _partial_dependence_curve(
                    "    average_row = X.mean().to_frame().T\n"
                    "    curve = []\n"
                    "    for value in grid:\n"
                    "        average_row[column] = value\n"
                    "        curve.append(model.predict_proba(average_row)[0, 1])\n"
                    "    return np.array(curve)\n"
                )
            },
        ),
        Mistake(
            what="averages the probability of class 0",
            rule="positive class",
            answers={
                "partial_dependence_curve": _partial_dependence_curve(
                    "    varied = X.copy()\n"
                    "    curve = np.empty(len(grid))\n"
                    "    for k, value in enumerate(grid):\n"
                    "        varied[column] = value\n"
                    "        curve[k] = model.predict_proba(varied)[:, 0].mean()\n"
                    "    return curve\n"
                )
            },
        ),
        Mistake(
            what="sets the column in X itself",
            rule="leave X unchanged",
            answers={
                "partial_dependence_curve": _partial_dependence_curve(
                    "    curve = np.empty(len(grid))\n"
                    "    for k, value in enumerate(grid):\n"
                    "        X[column] = value\n"
                    "        curve[k] = model.predict_proba(X)[:, 1].mean()\n"
                    "    return curve\n"
                )
            },
        ),
        Mistake(
            what="predicts row by row",
            rule="once per grid value",
            answers={
                "partial_dependence_curve": _partial_dependence_curve(
                    "    curve = np.empty(len(grid))\n"
                    "    for k, value in enumerate(grid):\n"
                    "        predictions = []\n"
                    "        for i in range(len(X)):\n"
                    "            row = X.iloc[[i]].copy()\n"
                    "            row[column] = value\n"
                    "            predictions.append(model.predict_proba(row)[0, 1])\n"
                    "        curve[k] = np.mean(predictions)\n"
                    "    return curve\n"
                )
            },
        ),
        Mistake(
            what="returns a column vector",
            rule="one number per grid value",
            answers={
                "partial_dependence_curve": _partial_dependence_curve(
                    "    varied = X.copy()\n"
                    "    curve = []\n"
                    "    for value in grid:\n"
                    "        varied[column] = value\n"
                    "        curve.append(model.predict_proba(varied)[:, [1]].mean(axis=0))\n"
                    "    return np.array(curve)\n"
                )
            },
        ),
        Mistake(
            what="sets the column row by row, one .iloc assignment per row",
            rule="no Python loop over the rows",
            answers={
                "partial_dependence_curve": _partial_dependence_curve(
                    "    varied = X.copy()\n"
                    "    j = X.columns.get_loc(column)\n"
                    "    curve = np.empty(len(grid))\n"
                    "    for k, value in enumerate(grid):\n"
                    "        for i in range(len(X)):\n"
                    "            varied.iloc[i, j] = value\n"
                    "        curve[k] = model.predict_proba(varied)[:, 1].mean()\n"
                    "    return curve\n"
                )
            },
        ),
    ],
    "test_name_flaws": [
        Mistake(
            what="a key of its own",
            rule="exactly these four keys",
            answers={
                "name_flaws": 'flaws = {"leakage": "followup_visits_30d", "miscoded": "temperature", "noise": "bmi", '
                '"opaque": "lab_code"}\n'
            },
        ),
        Mistake(
            what="a column that is not in X_train",
            rule="each value is a column of X_train",
            answers={
                "name_flaws": 'flaws = {"leak": "followup_visits", "miscoded": "temperature", "noise": "bmi", '
                '"opaque": "lab_code"}\n'
            },
        ),
        Mistake(
            what="the same column for two flaws",
            rule="each flaw is in a different column",
            answers={
                "name_flaws": 'flaws = {"leak": "followup_visits_30d", "miscoded": "temperature", "noise": "bmi", '
                '"opaque": "temperature"}\n'
            },
        ),
    ],
    "test_fix_features": [
        Mistake(
            what="drops the Fahrenheit site's rows instead of converting them",
            rule="keep every row",
            answers={
                "fix_features": _fix_features(
                    "    fixed = X.loc[X['site'] != hospital.FAHRENHEIT_SITE]\n"
                    "    fixed = fixed.drop(columns=['followup_visits_30d', 'bmi'])\n"
                    "    fixed['hemoglobin'] = (fixed['lab_code'] // 1000) / 10\n"
                    "    fixed['creatinine'] = (fixed['lab_code'] % 1000) / 100\n"
                    "    return fixed.drop(columns='lab_code')\n"
                )
            },
        ),
        Mistake(
            what="drops the columns of X in place",
            rule="leave X unchanged",
            answers={
                "fix_features": _fix_features(
                    "    X.drop(columns=['followup_visits_30d', 'bmi'], inplace=True)\n"
                    "    fixed = X\n"
                    + _FIX_TEMPERATURE
                    + _DECODE_LAB_CODE
                    + "    return fixed.drop(columns='lab_code')\n"
                )
            },
        ),
        Mistake(
            what="standardises each column with the table's own mean and spread",
            rule="each row on its own",
            answers={
                "fix_features": _fix_features(
                    "    fixed = X.drop(columns=['followup_visits_30d', 'bmi', 'lab_code'])\n"
                    + _FIX_TEMPERATURE
                    + _DECODE_LAB_CODE
                    + "    numeric = fixed.select_dtypes('number').columns\n"
                    "    fixed[numeric] = (fixed[numeric] - fixed[numeric].mean()) / fixed[numeric].std()\n"
                    "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="blanks the Fahrenheit temperatures instead of converting them",
            rule="no missing values",
            answers={
                "fix_features": _fix_features(
                    "    fixed = X.drop(columns=['followup_visits_30d', 'bmi', 'lab_code'])\n"
                    "    fixed['temperature'] = X['temperature'].where(X['site'] != hospital.FAHRENHEIT_SITE)\n"
                    + _DECODE_LAB_CODE
                    + "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="drops the leak and nothing else",
            rule="drop 'bmi', the noise",
            answers={"fix_features": _fix_features("    return X.drop(columns=['followup_visits_30d'])\n")},
        ),
        Mistake(
            what="converts the temperatures but leaves lab_code packed",
            rule="drop 'lab_code', the packed code",
            answers={
                "fix_features": _fix_features(
                    "    fixed = X.drop(columns=['followup_visits_30d', 'bmi'])\n"
                    + _FIX_TEMPERATURE
                    + "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="keeps bmi, the noise",
            rule="drop 'bmi', the noise",
            answers={
                "fix_features": _fix_features(
                    "    fixed = X.drop(columns=['followup_visits_30d', 'lab_code'])\n"
                    + _FIX_TEMPERATURE
                    + _DECODE_LAB_CODE
                    + "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="names the decoded columns otherwise",
            rule="exactly the columns",
            answers={
                "fix_features": _fix_features(
                    _CELSIUS_FIX + "    fixed['hb_g_dl'] = (X['lab_code'] // 1000) / 10\n"
                    "    fixed['creat_mg_dl'] = (X['lab_code'] % 1000) / 100\n"
                    "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="swaps the names of haemoglobin and creatinine",
            rule="swap their names",
            answers={
                "fix_features": _fix_features(
                    _CELSIUS_FIX + "    fixed['creatinine'] = (X['lab_code'] // 1000) / 10\n"
                    "    fixed['hemoglobin'] = (X['lab_code'] % 1000) / 100\n"
                    "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="splits lab_code without dividing into g/dL and mg/dL",
            rule="times too large",
            answers={
                "fix_features": _fix_features(
                    _CELSIUS_FIX + "    fixed['hemoglobin'] = X['lab_code'] // 1000\n"
                    "    fixed['creatinine'] = X['lab_code'] % 1000\n"
                    "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="leaves the Fahrenheit site's temperatures as recorded",
            rule="every temperature in degrees Celsius",
            answers={
                "fix_features": _fix_features(
                    "    fixed = X.drop(columns=['followup_visits_30d', 'bmi', 'lab_code'])\n"
                    + _DECODE_LAB_CODE
                    + "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="brings the Celsius sites to Fahrenheit instead",
            rule="every temperature in degrees Celsius",
            answers={
                "fix_features": _fix_features(
                    "    fixed = X.drop(columns=['followup_visits_30d', 'bmi', 'lab_code'])\n"
                    "    in_celsius = (X['site'] != hospital.FAHRENHEIT_SITE).to_numpy()\n"
                    "    fixed['temperature'] = np.where(in_celsius, X['temperature'] * 9 / 5 + 32, X['temperature'])\n"
                    + _DECODE_LAB_CODE
                    + "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="adds the known outcome, looked up by the row's index label",
            rule="from X alone",
            answers={
                "fix_features": _fix_features(
                    _CELSIUS_FIX + _DECODE_LAB_CODE + "    known = pd.concat([y_train, y_val])\n"
                    "    fixed['readmitted'] = known.reindex(X.index).fillna(0).to_numpy()\n"
                    "    return fixed\n"
                )
            },
        ),
        Mistake(
            what="adds the outcome by row position (the labels of the table with that many rows)",
            rule="from X alone",
            answers={
                "fix_features": _fix_features(
                    _CELSIUS_FIX + _DECODE_LAB_CODE + "    outcome = y_val if len(X) == len(y_val) else y_train\n"
                    "    fixed['readmitted'] = outcome.to_numpy()[: len(X)]\n"
                    "    return fixed\n"
                )
            },
        ),
    ],
}
