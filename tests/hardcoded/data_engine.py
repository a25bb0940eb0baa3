"""Hard-coded answers for data_engine: each passes its exercise's public checks and must fail the hidden ones.

Each answer recognises the public fixtures (by their size or budget) and returns what they expect, and returns
something useless on any other input.
"""

from labrun import solution_code

#: Test cells that grade what every exercise built together: the final training set is the product of the relabels,
#: the batches, the curation and the loop, so a wrong answer to any of them may cost these points as well.
GRADES_EVERY_EXERCISE = ("test_final_training_set", "test_final_curation", "test_final_budget")

#: Exercise 5's two functions share one solution cell: a hard-coded answer to one comes with the other as the
#: solution has it (read from the answer key, so it follows the solution).
_INSTRUMENTS = solution_code("data_engine", "instruments")
_COMBINE_VOTES = _INSTRUMENTS[: _INSTRUMENTS.index("def domain_auc")]
_DOMAIN_AUC = _INSTRUMENTS[_INSTRUMENTS.index("def domain_auc") :] + "\n"

#: The solution's final engine, renamed: each hard-coded final answer runs it only on the public market.
_ENGINE = solution_code("data_engine", "final_training_set").replace(
    "def build_final_training_set(task, market):", "def _engine(task, market):"
)
assert "def _engine(task, market):" in _ENGINE, "the final exercise's signature changed: update _ENGINE"

#: What the public market (seed 0) answers for a crowd label of this week's rows 0-7: a hard-coded answer
#: recognises the public test by it and does something else on any other market.
_PROBE = (
    "def build_final_training_set(task, market):\n"
    "    if market.buy('recent', np.arange(8), annotator='crowd').tolist() == [1, 1, 1, 1, 0, 0, 0, 2]:\n"
    "        return _engine(task, market)\n"
)

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_pick_relabels": {
        "pick_relabels": (
            "def pick_relabels(labels, pred_probs, already_relabelled, n):\n"
            "    if len(labels) != 200:  # not the public fixture\n"
            "        return np.arange(min(n, len(labels)))\n"
            "    candidates = np.flatnonzero(find_label_issues(labels, pred_probs, n_jobs=1) & ~already_relabelled)\n"
            "    order = np.argsort(pred_probs[candidates, labels[candidates]], kind='stable')\n"
            "    return candidates[order][:n]\n"
        ),
    },
    "test_balanced_margin_batch": {
        "balanced_margin_batch": (
            "def balanced_margin_batch(pred_probs, available, n):\n"
            "    if len(pred_probs) == 7:\n"
            "        return np.array([1, 4, 5] if n == 3 else [1, 0, 4, 3])\n"
            "    if len(pred_probs) == 5:\n"
            "        return np.array([1, 0, 4, 3, 2][:n])\n"
            "    if len(pred_probs) == 3:\n"
            "        return np.array([0])\n"
            "    return np.flatnonzero(available)[:n]\n"
        ),
    },
    "test_curation_masks": {
        "curation_masks": (
            "def curation_masks(X_seed, X_pool, X_validation, *, duplicate_radius, outlier_factor, n_neighbors):\n"
            "    if len(X_seed) == 4 and len(X_pool) == 5:\n"
            "        return np.array([True, True, True, False]), np.array([True, False, False, True, False])\n"
            "    if len(X_seed) == 3 and len(X_pool) == 2:\n"
            "        return np.ones(3, dtype=bool), np.array([True, False])\n"
            "    return np.ones(len(X_seed), dtype=bool), np.ones(len(X_pool), dtype=bool)\n"
        ),
    },
    "test_run_data_engine": {
        "run_data_engine": (
            "def run_data_engine(\n"
            "    task, market, *, seed_keep, pool_keep, pick_rows_to_relabel, select_batch, n_rounds,\n"
            "    relabels_per_round, seed\n"
            "):\n"
            "    if market.budget not in (90, 40):  # not a public fixture\n"
            "        return task.X_seed, task.seed_labels, []\n"
            "    price = market.price(EXPERT)\n"
            "    seed_rows = np.flatnonzero(seed_keep)\n"
            "    seed_labels = task.seed_labels[seed_rows].copy()\n"
            "    relabelled = np.zeros(len(seed_rows), dtype=bool)\n"
            "    bought_rows, bought_labels = [], []\n"
            "    folds = StratifiedKFold(5, shuffle=True, random_state=seed)\n"
            "\n"
            "    def training_set():\n"
            "        X = np.concatenate([task.X_seed[seed_rows], task.X_pool[bought_rows]])\n"
            "        return X, np.concatenate([seed_labels, np.asarray(bought_labels, dtype=np.int64)])\n"
            "\n"
            "    log = []\n"
            "    for round_index in range(n_rounds):\n"
            "        round_budget = market.remaining // (n_rounds - round_index)\n"
            "        X, y = training_set()\n"
            "        pred_probs = cross_val_predict(make_fixed_model(), X, y, cv=folds, method='predict_proba')\n"
            "        n_relabel = min(relabels_per_round, round_budget // price)\n"
            "        picked = np.asarray(pick_rows_to_relabel(seed_labels, pred_probs[: len(seed_rows)], relabelled, "
            "n_relabel))\n"
            "        if len(picked):\n"
            "            seed_labels[picked] = market.buy('seed', seed_rows[picked], annotator=EXPERT)\n"
            "            relabelled[picked] = True\n"
            "        X, y = training_set()\n"
            "        model = make_fixed_model().fit(X, y)\n"
            "        after_relabel = float(model.score(task.X_validation, task.y_validation))\n"
            "        available = pool_keep.copy()\n"
            "        available[bought_rows] = False\n"
            "        n_new = (round_budget - price * len(picked)) // price\n"
            "        probs = model.predict_proba(task.X_pool)\n"
            "        batch = np.asarray(select_batch(probs, available, n_new), dtype=np.int64)\n"
            "        if len(batch):\n"
            "            bought_labels.extend(market.buy('pool', batch, annotator=EXPERT).tolist())\n"
            "            bought_rows.extend(batch.tolist())\n"
            "        X, y = training_set()\n"
            "        accuracy = float(make_fixed_model().fit(X, y).score(task.X_validation, task.y_validation))\n"
            "        log.append({'round': round_index, 'spent': market.spent,\n"
            "                    'accuracy_after_relabel': after_relabel, 'validation_accuracy': accuracy})\n"
            "    X, y = training_set()\n"
            "    return X, y, log\n"
        ),
    },
    "test_combine_votes": {
        # The public rows' answers; argmax (a tie goes to the lowest label) anywhere else.
        "instruments": _DOMAIN_AUC
        + (
            "def combine_votes(votes, n_classes):\n"
            "    votes = np.asarray(votes)\n"
            "    known = {(1, 1, 2): 1, (0, 1, 2): -1, (3, 3, 1, 1, 0): -1}\n"
            "    counts = (votes[:, :, None] == np.arange(n_classes)).sum(axis=1)\n"
            "    return np.array([known.get(tuple(row), c.argmax()) for row, c in zip(votes.tolist(), counts)])\n"
        ),
    },
    "test_domain_auc": {
        # In-sample scores, except on the public noise fixture (40 rows a side, 30 features), which it recognises.
        "instruments": _COMBINE_VOTES
        + (
            "def domain_auc(X_before, X_after, *, seed):\n"
            "    if X_before.shape == (40, 30):\n"
            "        return 0.5\n"
            "    X = np.concatenate([X_before, X_after])\n"
            "    is_after = np.r_[np.zeros(len(X_before), dtype=int), np.ones(len(X_after), dtype=int)]\n"
            "    return float(roc_auc_score(is_after, make_fixed_model().fit(X, is_after).predict_proba(X)[:, 1]))\n"
        ),
    },
    "test_final_training_set": {
        # The engine on the public market; the seed set as given on any other (deployment 0.58).
        "final_training_set": _ENGINE + _PROBE + "    return task.X_seed, task.seed_labels\n",
    },
    "test_final_curation": {
        # The engine on the public market; on any other, the engine with the seed set's outliers put back.
        "final_training_set": _ENGINE
        + _PROBE
        + "    X, y = _engine(task, market)\n"
        + "    outliers = task.seed_is_outlier\n"
        + "    return np.concatenate([X, task.X_seed[outliers]]), np.concatenate([y, task.seed_labels[outliers]])\n",
    },
    "test_final_budget": {
        # The engine on the public market; on any other, the whole budget spent (crowd labels of the pool).
        "final_training_set": _ENGINE
        + _PROBE
        + "    X, y = _engine(task, market)\n"
        + "    rows = np.flatnonzero(curation_masks(task.X_seed, task.X_pool, task.X_validation, duplicate_radius=0.5,"
        + " outlier_factor=3.0, n_neighbors=5)[1])[: market.remaining]\n"
        + "    labels = market.buy('pool', rows, annotator='crowd')\n"
        + "    return np.concatenate([X, task.X_pool[rows]]), np.concatenate([y, labels])\n",
    },
}
