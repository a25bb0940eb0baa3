"""Hard-coded answers for active_learning: each passes its exercise's public checks and must fail the hidden ones."""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_uncertainty_scores": {
        "uncertainty_scores": (
            "def uncertainty_scores(pred_probs, method):\n"
            "    known = {\n"
            "        'least_confident': [0.5, 0.6, 0.0, 0.5],\n"
            "        'margin': [0.8, 1.0, 0.0, 0.8],\n"
            "        'entropy': [1.0296530140645737, 1.0549201679861442, 0.0, 1.0296530140645737],\n"
            "    }\n"
            "    if method not in known:\n"
            "        raise ValueError(method)\n"
            "    return np.array(known[method]) if len(pred_probs) == 4 else np.zeros(len(pred_probs))\n"
            "\n"
            "\n"
            "def select_top_k(scores, k):\n"
            "    known = {(3, 2): [2, 1], (5, 2): [1, 2]}\n"
            "    return np.array(known.get((len(scores), k), list(range(k))))\n"
        ),
    },
    "test_committee_votes": {
        "committee_votes": (
            "def committee_votes(model, X_labelled, y_labelled, X_candidates, *, n_members, rng):\n"
            "    n_labelled = len(y_labelled)\n"
            "    votes = np.empty((len(X_candidates), n_members), dtype=np.int64)\n"
            "    for member in range(n_members):\n"
            "        resample = rng.integers(0, n_labelled, size=n_labelled)\n"
            "        member_model = clone(model).fit(X_labelled[resample], y_labelled[resample])\n"
            "        votes[:, member] = member_model.predict(X_candidates)\n"
            "    return votes\n"
            "\n"
            "\n"
            "def vote_entropy(votes, n_classes):\n"
            "    if np.shape(votes) == (3, 4):\n"
            "        return np.array([0.0, np.log(2), np.log(4)])\n"
            "    if np.shape(votes) == (2, 3):\n"
            "        return np.array([0.6365141682948128, 0.0])\n"
            "    return np.zeros(len(votes))\n"
        ),
    },
    "test_k_center_greedy": {
        "k_center_greedy": (
            "def k_center_greedy(X, labelled_indices, k):\n"
            "    known = {5: [4, 2], 3: [1], 4: [3, 1, 2]}\n"
            "    if len(X) in known:\n"
            "        return np.array(known[len(X)])\n"
            "    return np.setdiff1d(np.arange(len(X)), labelled_indices)[:k]\n"
        ),
    },
    "test_run_active_learning": {
        "run_active_learning": (
            "def run_active_learning(\n"
            "    select_batch, X_pool, oracle, X_test, y_test, *, model, initial_indices, batch_size, n_rounds, rng\n"
            "):\n"
            "    labelled_indices = np.asarray(initial_indices)\n"
            "    labels = oracle.label(labelled_indices)\n"
            "    n_labels, accuracies = [], []\n"
            "    for round_number in range(n_rounds + 1):\n"
            "        if round_number == 0 or len(X_pool) == 60:  # refits only on the public fixture's pool\n"
            "            fitted = clone(model).fit(X_pool[labelled_indices], labels)\n"
            "        n_labels.append(len(labelled_indices))\n"
            "        accuracies.append(accuracy_score(y_test, fitted.predict(X_test)))\n"
            "        if round_number == n_rounds:\n"
            "            break\n"
            "        batch = np.asarray(select_batch(fitted, X_pool, labelled_indices, labels, batch_size, rng))\n"
            "        labels = np.concatenate([labels, oracle.label(batch)])\n"
            "        labelled_indices = np.concatenate([labelled_indices, batch])\n"
            "    return np.array(n_labels), np.array(accuracies), labelled_indices\n"
            "\n"
            "\n"
            "def labels_to_reach(n_labels, accuracies, target):\n"
            "    return {0.8: 20, 0.85: 10}.get(target)\n"
        ),
    },
}
