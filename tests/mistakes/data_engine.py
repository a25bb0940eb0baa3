"""Beginner mistakes in data_engine: each must fail its exercise's public test with a message naming the rule.

Each mistake is the solution with one thing done wrong, written as a swap of the lines that differ
(`_swap` checks that the lines it replaces are there, so a changed solution cannot silently disarm a mistake).
"""

from labrun import Mistake


def _swap(source: str, *pairs: tuple[str, str]) -> str:
    """``source`` with each ``old`` replaced by ``new``; each ``old`` must occur in it."""
    for old, new in pairs:
        assert old in source, f"mistake template out of date: {old!r} not in the solution"
        source = source.replace(old, new)
    return source


_PICK_RELABELS = """
def pick_relabels(labels, pred_probs, already_relabelled, n):
    is_issue = find_label_issues(labels, pred_probs, n_jobs=1)
    candidates = np.flatnonzero(is_issue & ~already_relabelled)
    self_confidence = pred_probs[candidates, labels[candidates]]
    return candidates[np.argsort(self_confidence, kind="stable")][:n]
"""


_BALANCED_MARGIN_BATCH = """
def balanced_margin_batch(pred_probs, available, n):
    n_classes = pred_probs.shape[1]
    top_two = np.sort(pred_probs, axis=1)[:, -2:]
    margin = top_two[:, 1] - top_two[:, 0]
    candidates = np.flatnonzero(available)
    order = candidates[np.argsort(margin[candidates], kind="stable")]
    predicted = pred_probs[order].argmax(axis=1)
    one_hot = predicted[:, None] == np.arange(n_classes)
    rank_in_class = np.cumsum(one_hot, axis=0)[np.arange(len(order)), predicted] - 1
    within_quota = rank_in_class < int(np.ceil(n / n_classes))
    return np.concatenate([order[within_quota], order[~within_quota]])[:n]
"""


_CURATION_MASKS = """
def curation_masks(X_seed, X_pool, X_validation, *, duplicate_radius, outlier_factor, n_neighbors):
    to_validation, _ = NearestNeighbors(n_neighbors=1).fit(X_validation).kneighbors(X_pool)
    is_copy = to_validation[:, 0] <= duplicate_radius
    X_all = np.concatenate([X_seed, X_pool])
    # Ask for one more neighbour: the nearest is the row itself.
    distances, _ = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(X_all).kneighbors(X_all)
    score = distances[:, n_neighbors]
    is_outlier = score > outlier_factor * np.median(score)
    n_seed = len(X_seed)
    return ~is_outlier[:n_seed], ~is_outlier[n_seed:] & ~is_copy
"""


_RUN_DATA_ENGINE = """
def run_data_engine(
    task, market, *, seed_keep, pool_keep, pick_rows_to_relabel, select_batch, n_rounds, relabels_per_round, seed
):
    price = market.price(EXPERT)
    seed_rows = np.flatnonzero(seed_keep)
    seed_labels = task.seed_labels[seed_rows].copy()
    relabelled = np.zeros(len(seed_rows), dtype=bool)
    bought_rows, bought_labels = [], []
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)

    def training_set():
        X = np.concatenate([task.X_seed[seed_rows], task.X_pool[bought_rows]])
        return X, np.concatenate([seed_labels, np.asarray(bought_labels, dtype=np.int64)])

    log = []
    for round_index in tqdm(range(n_rounds), desc="rounds", leave=False):
        round_budget = market.remaining // (n_rounds - round_index)
        X, y = training_set()
        pred_probs = cross_val_predict(make_fixed_model(), X, y, cv=folds, method="predict_proba")
        n_relabel = min(relabels_per_round, round_budget // price)
        to_relabel = np.asarray(pick_rows_to_relabel(seed_labels, pred_probs[: len(seed_rows)], relabelled, n_relabel))
        if len(to_relabel):
            seed_labels[to_relabel] = market.buy("seed", seed_rows[to_relabel], annotator=EXPERT)
            relabelled[to_relabel] = True
        X, y = training_set()
        model = make_fixed_model().fit(X, y)
        accuracy_after_relabel = float(model.score(task.X_validation, task.y_validation))
        available = pool_keep.copy()
        available[bought_rows] = False
        n_new = (round_budget - price * len(to_relabel)) // price
        batch = np.asarray(select_batch(model.predict_proba(task.X_pool), available, n_new), dtype=np.int64)
        if len(batch):
            bought_labels.extend(market.buy("pool", batch, annotator=EXPERT).tolist())
            bought_rows.extend(batch.tolist())
        X, y = training_set()
        accuracy = float(make_fixed_model().fit(X, y).score(task.X_validation, task.y_validation))
        log.append(
            {
                "round": round_index,
                "spent": market.spent,
                "accuracy_after_relabel": accuracy_after_relabel,
                "validation_accuracy": accuracy,
            }
        )
    X, y = training_set()
    return X, y, log
"""

_SLOW_BATCH = """
def balanced_margin_batch(pred_probs, available, n):
    n_classes = pred_probs.shape[1]
    top_two = np.sort(pred_probs, axis=1)[:, -2:]
    margin = top_two[:, 1] - top_two[:, 0]
    remaining = list(np.flatnonzero(available))
    counts = np.zeros(n_classes, dtype=int)
    taken, skipped = [], []
    while remaining and len(taken) < n:
        row = min(remaining, key=lambda r: margin[r])  # a pass over the whole pool for every pick
        remaining.remove(row)
        cls = pred_probs[row].argmax()
        if counts[cls] < int(np.ceil(n / n_classes)):
            taken.append(row)
            counts[cls] += 1
        else:
            skipped.append(row)
    return np.array(taken + skipped, dtype=int)[:n]
"""

_COMBINE_VOTES = """
def combine_votes(votes, n_classes):
    votes = np.asarray(votes)
    counts = (votes[:, :, None] == np.arange(n_classes)).sum(axis=1)
    top = counts.max(axis=1)
    is_tie = (counts == top[:, None]).sum(axis=1) > 1
    return np.where(is_tie, -1, counts.argmax(axis=1))
"""

_DOMAIN_AUC = """
def domain_auc(X_before, X_after, *, seed):
    X = np.concatenate([X_before, X_after])
    is_after = np.concatenate([np.zeros(len(X_before), dtype=int), np.ones(len(X_after), dtype=int)])
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    scores = cross_val_predict(make_fixed_model(), X, is_after, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(is_after, scores))
"""

#: Exercise 5's two functions share one solution cell: a mistake in one comes with the other as the solution has it.
_WITH_DOMAIN_AUC = _DOMAIN_AUC + "\n"
_WITH_COMBINE_VOTES = _COMBINE_VOTES + "\n"

#: The solution's final engine, which `_swap` edits line by line.
_BUILD = """
def build_final_training_set(task, market):
    # Curation: no pool row is bought below, but the seed set's outliers go (their labels are random).
    seed_keep, _ = curation_masks(
        task.X_seed, task.X_pool, task.X_validation, duplicate_radius=0.5, outlier_factor=3.0, n_neighbors=5
    )
    # Who labels: the expert. Three crowd votes cost 3 and decide about 85 % of the rows, about 93 % of them right
    # (Exercise 5); one expert label costs 4, is right about 97 % of the time, and nothing goes on undecided rows.
    price = market.price(EXPERT)
    # Where to buy: this week's traffic. Site B drifted since the pool was drawn (Exercise 5), and this week's
    # traffic is where the deployment set comes from; the pool's site-B rows sit where site B used to be.
    to_spend, spent_before = market.remaining - RESERVE, market.spent  # when to stop: the reserve stays
    n_rounds = 7
    seed_rows = np.flatnonzero(seed_keep)
    seed_labels = task.seed_labels[seed_rows].copy()
    relabelled = np.zeros(len(seed_rows), dtype=bool)
    bought = np.zeros(len(task.X_recent), dtype=bool)
    recent_labels = np.zeros(len(task.X_recent), dtype=np.int64)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)

    def training_set():
        X = np.concatenate([task.X_seed[seed_rows], task.X_recent[bought]])
        return X, np.concatenate([seed_labels, recent_labels[bought]])

    for round_index in range(n_rounds):
        round_budget = (to_spend - (market.spent - spent_before)) // (n_rounds - round_index)
        # Relabel or buy: up to 10 suspicious seed labels a round first (they poison every later round), then buy.
        X, y = training_set()
        pred_probs = cross_val_predict(make_fixed_model(), X, y, cv=folds, method="predict_proba")
        n_relabel = min(10, round_budget // price)
        to_relabel = np.asarray(pick_relabels(seed_labels, pred_probs[: len(seed_rows)], relabelled, n_relabel))
        if len(to_relabel):
            seed_labels[to_relabel] = market.buy("seed", seed_rows[to_relabel], annotator=EXPERT)
            relabelled[to_relabel] = True
        # Which slice: margin sampling with the class quota aims at what the model gets wrong, which is site B.
        X, y = training_set()
        model = make_fixed_model().fit(X, y)
        n_new = (round_budget - price * len(to_relabel)) // price
        batch = np.asarray(balanced_margin_batch(model.predict_proba(task.X_recent), ~bought, n_new), dtype=np.int64)
        if len(batch):
            recent_labels[batch] = market.buy("recent", batch, annotator=EXPERT)
            bought[batch] = True
    return training_set()
"""


MISTAKES = {
    "test_pick_relabels": [
        Mistake(
            what="NumPy's default (unstable) argsort",
            rule="sort with kind='stable'",
            answers={
                "pick_relabels": _swap(
                    _PICK_RELABELS, ('np.argsort(self_confidence, kind="stable")', "np.argsort(self_confidence)")
                )
            },
        ),
        Mistake(
            what="ranks every row, not only those cleanlab flags",
            rule="Pick only rows that cleanlab flags",
            answers={
                "pick_relabels": _swap(
                    _PICK_RELABELS,
                    ("np.flatnonzero(is_issue & ~already_relabelled)", "np.flatnonzero(~already_relabelled)"),
                )
            },
        ),
        Mistake(
            what="relabels rows already relabelled",
            rule="Never relabel a row twice",
            answers={"pick_relabels": _swap(_PICK_RELABELS, ("is_issue & ~already_relabelled", "is_issue"))},
        ),
        Mistake(
            what="highest self-confidence first",
            rule="lowest self-confidence first",
            answers={
                "pick_relabels": _swap(_PICK_RELABELS, ("np.argsort(self_confidence,", "np.argsort(-self_confidence,"))
            },
        ),
        Mistake(
            what="self-confidence taken as the largest probability, not that of the current label",
            rule="pred_probs[i, labels[i]]",
            answers={
                "pick_relabels": _swap(
                    _PICK_RELABELS, ("pred_probs[candidates, labels[candidates]]", "pred_probs[candidates].max(axis=1)")
                )
            },
        ),
        Mistake(
            what="ties go to the higher index",
            rule="Ties go to the lower index",
            answers={
                "pick_relabels": _swap(
                    _PICK_RELABELS,
                    ('np.argsort(self_confidence, kind="stable")', 'np.argsort(-self_confidence, kind="stable")[::-1]'),
                )
            },
        ),
        Mistake(
            what="returns every candidate, ignoring n",
            rule="Return at most n rows",
            answers={"pick_relabels": _swap(_PICK_RELABELS, ('kind="stable")][:n]', 'kind="stable")]'))},
        ),
    ],
    "test_balanced_margin_batch": [
        Mistake(
            what="NumPy's default (unstable) argsort",
            rule="sort with kind='stable'",
            answers={
                "balanced_margin_batch": _swap(
                    _BALANCED_MARGIN_BATCH,
                    ('np.argsort(margin[candidates], kind="stable")', "np.argsort(margin[candidates])"),
                )
            },
        ),
        Mistake(
            what="ignores `available`",
            rule="Consider only available rows",
            answers={
                "balanced_margin_batch": _swap(
                    _BALANCED_MARGIN_BATCH, ("np.flatnonzero(available)", "np.arange(len(pred_probs))")
                )
            },
        ),
        Mistake(
            what="largest margin first",
            rule="Take the smallest margin first",
            answers={
                "balanced_margin_batch": _swap(
                    _BALANCED_MARGIN_BATCH, ("np.argsort(margin[candidates],", "np.argsort(-margin[candidates],")
                )
            },
        ),
        Mistake(
            what="no class quota (plain margin sampling)",
            rule="at most ceil(n / n_classes) per predicted class",
            answers={
                "balanced_margin_batch": _swap(
                    _BALANCED_MARGIN_BATCH, ("rank_in_class < int(np.ceil(n / n_classes))", "rank_in_class >= 0")
                )
            },
        ),
        Mistake(
            what="quota rounded down",
            rule="rounded up",
            answers={
                "balanced_margin_batch": _swap(
                    _BALANCED_MARGIN_BATCH, ("int(np.ceil(n / n_classes))", "max(n // n_classes, 1)")
                )
            },
        ),
        Mistake(
            what="leaves the batch short when the quotas do",
            rule="Fill the batch",
            answers={
                "balanced_margin_batch": _swap(
                    _BALANCED_MARGIN_BATCH,
                    ("np.concatenate([order[within_quota], order[~within_quota]])[:n]", "order[within_quota][:n]"),
                )
            },
        ),
        Mistake(
            what="ties go to the higher index",
            rule="Ties go to the lower index",
            answers={
                "balanced_margin_batch": _swap(
                    _BALANCED_MARGIN_BATCH,
                    (
                        'candidates[np.argsort(margin[candidates], kind="stable")]',
                        'candidates[np.argsort(-margin[candidates], kind="stable")[::-1]]',
                    ),
                )
            },
        ),
        Mistake(
            what="searches the remaining pool again for every pick",
            rule="Vectorise",
            answers={"balanced_margin_batch": _SLOW_BATCH},
        ),
    ],
    "test_curation_masks": [
        Mistake(
            what="validation rows scored as outliers too",
            rule="Score outliers on seed set and pool together",
            answers={
                "curation_masks": _swap(
                    _CURATION_MASKS,
                    (
                        "X_all = np.concatenate([X_seed, X_pool])",
                        "X_all = np.concatenate([X_seed, X_pool, X_validation])",
                    ),
                    ("~is_outlier[n_seed:] & ~is_copy", "~is_outlier[n_seed : n_seed + len(X_pool)] & ~is_copy"),
                )
            },
        ),
        Mistake(
            what="the row counted as its own nearest neighbour",
            rule="excluding the row itself",
            answers={
                "curation_masks": _swap(
                    _CURATION_MASKS,
                    ("NearestNeighbors(n_neighbors=n_neighbors + 1)", "NearestNeighbors(n_neighbors=n_neighbors)"),
                    ("distances[:, n_neighbors]", "distances[:, n_neighbors - 1]"),
                )
            },
        ),
        Mistake(
            what="near-duplicates not dropped",
            rule="Drop near-duplicates of validation rows",
            answers={"curation_masks": _swap(_CURATION_MASKS, ("& ~is_copy", ""))},
        ),
        Mistake(
            what="strictly closer than the radius",
            rule="at most duplicate_radius",
            answers={"curation_masks": _swap(_CURATION_MASKS, ("<= duplicate_radius", "< duplicate_radius"))},
        ),
        Mistake(
            what="compared with the mean score instead of the median",
            rule="median",
            answers={"curation_masks": _swap(_CURATION_MASKS, ("np.median(score)", "np.mean(score)"))},
        ),
        Mistake(
            what="drops a row whose score equals the cut-off",
            rule="strictly greater",
            answers={"curation_masks": _swap(_CURATION_MASKS, ("score > outlier_factor", "score >= outlier_factor"))},
        ),
        Mistake(
            what="outliers scored within the seed set and within the pool, separately",
            rule="Score outliers on seed set and pool together",
            answers={
                "curation_masks": _swap(
                    _CURATION_MASKS,
                    ("    X_all = np.concatenate([X_seed, X_pool])\n", ""),
                    (
                        "    distances, _ = NearestNeighbors(n_neighbors=n_neighbors + 1)"
                        ".fit(X_all).kneighbors(X_all)\n"
                        "    score = distances[:, n_neighbors]\n"
                        "    is_outlier = score > outlier_factor * np.median(score)\n"
                        "    n_seed = len(X_seed)\n"
                        "    return ~is_outlier[:n_seed], ~is_outlier[n_seed:] & ~is_copy",
                        "    def is_outlier(X):\n"
                        "        distances, _ = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(X).kneighbors(X)\n"
                        "        score = distances[:, n_neighbors]\n"
                        "        return score > outlier_factor * np.median(score)\n\n"
                        "    return ~is_outlier(X_seed), ~is_outlier(X_pool) & ~is_copy",
                    ),
                )
            },
        ),
        Mistake(
            what="n_neighbors validation rows searched for near-duplicates",
            rule="the 1 nearest validation row",
            answers={
                "curation_masks": _swap(
                    _CURATION_MASKS,
                    (
                        "NearestNeighbors(n_neighbors=1).fit(X_validation)",
                        "NearestNeighbors(n_neighbors=n_neighbors).fit(X_validation)",
                    ),
                )
            },
        ),
        Mistake(
            what="a fixed 5 neighbours instead of n_neighbors",
            rule="never a fixed number",
            answers={
                "curation_masks": _swap(
                    _CURATION_MASKS,
                    ("NearestNeighbors(n_neighbors=n_neighbors + 1)", "NearestNeighbors(n_neighbors=6)"),
                    ("distances[:, n_neighbors]", "distances[:, 5]"),
                )
            },
        ),
    ],
    "test_run_data_engine": [
        Mistake(
            what="bought pool rows put before the seed rows",
            rule="X_seed[seed_keep] in order",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    (
                        "np.concatenate([task.X_seed[seed_rows], task.X_pool[bought_rows]])",
                        "np.concatenate([task.X_pool[bought_rows], task.X_seed[seed_rows]])",
                    ),
                    (
                        "np.concatenate([seed_labels, np.asarray(bought_labels, dtype=np.int64)])",
                        "np.concatenate([np.asarray(bought_labels, dtype=np.int64), seed_labels])",
                    ),
                )
            },
        ),
        Mistake(
            what="the first seed rows kept instead of those seed_keep marks",
            rule="X_seed[seed_keep] in order",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    ("seed_rows = np.flatnonzero(seed_keep)", "seed_rows = np.arange(np.sum(seed_keep))"),
                )
            },
        ),
        Mistake(
            what="pred_probs of the whole training set (bought rows too) passed for relabelling",
            rule="Relabel the seed part only",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    (
                        "pick_rows_to_relabel(seed_labels, pred_probs[: len(seed_rows)], relabelled, n_relabel)",
                        "pick_rows_to_relabel(y, pred_probs, "
                        "np.r_[relabelled, np.ones(len(y) - len(seed_rows), bool)], n_relabel)",
                    ),
                )
            },
        ),
        Mistake(
            what="logs once, at the end",
            rule="Log after every round",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    (
                        "    X, y = training_set()\n    return X, y, log",
                        "    X, y = training_set()\n    return X, y, log[-1:]",
                    ),
                )
            },
        ),
        Mistake(
            what="spends the whole budget in the first round",
            rule="Spend evenly",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE, ("market.remaining // (n_rounds - round_index)", "market.remaining")
                )
            },
        ),
        Mistake(
            what="rounds the number of labels up, past the budget",
            rule="Never exceed the budget",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    (
                        "n_new = (round_budget - price * len(to_relabel)) // price",
                        "n_new = -(-(round_budget - price * len(to_relabel)) // price)",
                    ),
                )
            },
        ),
        Mistake(
            what="relabels are not paid out of the round's budget",
            rule="relabels paid out of it first",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    ("n_new = (round_budget - price * len(to_relabel)) // price", "n_new = round_budget // price"),
                )
            },
        ),
        Mistake(
            what="bought relabels not written into the labels",
            rule="Replace their labels by the bought ones",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    (
                        'seed_labels[to_relabel] = market.buy("seed", seed_rows[to_relabel], annotator=EXPERT)',
                        'market.buy("seed", seed_rows[to_relabel], annotator=EXPERT)',
                    ),
                )
            },
        ),
        Mistake(
            what="buys pool rows that curation dropped",
            rule="available = pool_keep",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    ("available = pool_keep.copy()", "available = np.ones(len(task.X_pool), dtype=bool)"),
                )
            },
        ),
        Mistake(
            what="in-sample predicted probabilities",
            rule="Use out-of-fold pred_probs",
            answers={
                "run_data_engine": _swap(
                    _RUN_DATA_ENGINE,
                    (
                        'pred_probs = cross_val_predict(make_fixed_model(), X, y, cv=folds, method="predict_proba")',
                        "pred_probs = make_fixed_model().fit(X, y).predict_proba(X)",
                    ),
                )
            },
        ),
    ],
    "test_final_training_set": [
        Mistake(
            what="validation rows added to the training set",
            rule="a validation row",
            answers={
                "final_training_set": _swap(
                    _BUILD,
                    (
                        "    return training_set()",
                        "    X, y = training_set()\n"
                        "    return np.concatenate([X, task.X_validation]), np.concatenate([y, task.y_validation])",
                    ),
                )
            },
        ),
        Mistake(
            what="trains on the held-out slice",
            rule="score on it, never train on it",
            answers={
                "final_training_set": _swap(
                    _BUILD,
                    (
                        "    return training_set()",
                        "    X, y = training_set()\n"
                        "    return np.concatenate([X, task.X_holdout]), np.concatenate([y, task.y_holdout])",
                    ),
                )
            },
        ),
        Mistake(
            what="this week's ground-truth labels, never bought",
            rule="Every label is the given seed label or a label bought",
            answers={
                "final_training_set": (
                    "def build_final_training_set(task, market):\n"
                    "    truth = labelling_market.make_task().recent_true_labels\n"
                    "    X = np.concatenate([task.X_seed, task.X_recent])\n"
                    "    return X, np.concatenate([task.seed_labels, truth])\n"
                )
            },
        ),
        Mistake(
            what="labels bought from a market of its own, with a larger budget",
            rule="a label bought from the market you are given",
            answers={
                "final_training_set": _swap(
                    _BUILD,
                    (
                        "    price = market.price(EXPERT)\n",
                        "    price = market.price(EXPERT)\n"
                        "    market = LabellingMarket(task, budget=5000, seed=SEED)\n",
                    ),
                )
            },
        ),
        Mistake(
            what="rows changed (rescaled) before handing them in",
            rule="Hand in their rows unchanged",
            answers={
                "final_training_set": _swap(
                    _BUILD,
                    ("    return training_set()", "    X, y = training_set()\n    return X / np.abs(X).max(), y"),
                )
            },
        ),
        Mistake(
            what="Exercise 4's engine on the stale pool, with the whole budget (the one-line answer)",
            rule="has site B moved",
            answers={
                "final_training_set": (
                    "def build_final_training_set(task, market):\n"
                    "    seed_keep, pool_keep = curation_masks(\n"
                    "        task.X_seed, task.X_pool, task.X_validation, duplicate_radius=0.5, outlier_factor=3.0, "
                    "n_neighbors=5\n"
                    "    )\n"
                    "    X, y, _ = run_data_engine(\n"
                    "        task, market, seed_keep=seed_keep, pool_keep=pool_keep,\n"
                    "        pick_rows_to_relabel=pick_relabels,\n"
                    "        select_batch=balanced_margin_batch, n_rounds=N_ROUNDS, relabels_per_round=10, seed=SEED,\n"
                    "    )\n"
                    "    return X, y\n"
                )
            },
        ),
        Mistake(
            what="this week's traffic, nothing relabelled",
            rule="Relabel the seed set's suspicious rows",
            answers={
                "final_training_set": _swap(_BUILD, ("n_relabel = min(10, round_budget // price)", "n_relabel = 0"))
            },
        ),
        Mistake(
            what="the seed set as given, nothing bought",
            rule="the local proxy of the deployment check",
            answers={
                "final_training_set": (
                    "def build_final_training_set(task, market):\n    return task.X_seed, task.seed_labels\n"
                )
            },
        ),
    ],
    "test_final_curation": [
        Mistake(
            what="the seed set's outliers kept",
            rule="drop the rows curation_masks calls outliers",
            answers={
                "final_training_set": _swap(
                    _BUILD, ("    seed_rows = np.flatnonzero(seed_keep)", "    seed_rows = np.arange(len(task.X_seed))")
                )
            },
        ),
    ],
    "test_final_budget": [
        Mistake(
            what="spends the whole budget",
            rule="keep at least 100 for next week",
            answers={"final_training_set": _swap(_BUILD, ("market.remaining - RESERVE", "market.remaining"))},
        ),
        Mistake(
            what="buys crowd labels and drops the ties, paying for rows it never uses",
            rule="decide what a tie costs",
            answers={
                "final_training_set": _swap(
                    _BUILD,
                    (
                        'recent_labels[batch] = market.buy("recent", batch, annotator=EXPERT)\n'
                        "            bought[batch] = True",
                        'votes = np.column_stack([market.buy("recent", batch, annotator="crowd") for _ in range(2)])\n'
                        "            combined = np.asarray(combine_votes(votes, labelling_market.N_CLASSES))\n"
                        "            recent_labels[batch[combined >= 0]] = combined[combined >= 0]\n"
                        "            bought[batch[combined >= 0]] = True",
                    ),
                )
            },
        ),
    ],
    "test_combine_votes": [
        Mistake(
            what="a tie goes to the lowest label (argmax)",
            rule="return -1, never the lowest (or any) label",
            answers={
                "instruments": _WITH_DOMAIN_AUC
                + _swap(_COMBINE_VOTES, ("np.where(is_tie, -1, counts.argmax(axis=1))", "counts.argmax(axis=1)"))
            },
        ),
        Mistake(
            what="scipy.stats.mode (the smallest label on a tie)",
            rule="return -1, never the lowest (or any) label",
            answers={
                "instruments": _WITH_DOMAIN_AUC + "def combine_votes(votes, n_classes):\n"
                "    from scipy.stats import mode\n\n"
                "    return mode(np.asarray(votes), axis=1, keepdims=False).mode\n"
            },
        ),
        Mistake(
            what="a label needs more than half of the votes",
            rule="The plurality wins",
            answers={
                "instruments": _WITH_DOMAIN_AUC
                + _swap(
                    _COMBINE_VOTES,
                    ("is_tie = (counts == top[:, None]).sum(axis=1) > 1", "is_tie = top <= votes.shape[1] / 2"),
                )
            },
        ),
        Mistake(
            what="a tie only when every vote differs",
            rule="A tie between any two labels is a tie",
            answers={
                "instruments": _WITH_DOMAIN_AUC
                + _swap(_COMBINE_VOTES, ("is_tie = (counts == top[:, None]).sum(axis=1) > 1", "is_tie = top == 1"))
            },
        ),
        Mistake(
            what="classes counted up to the largest vote seen, not n_classes",
            rule="count every class",
            answers={
                "instruments": _WITH_DOMAIN_AUC
                + _swap(_COMBINE_VOTES, ("np.arange(n_classes)", "np.arange(votes.max())"))
            },
        ),
    ],
    "test_domain_auc": [
        Mistake(
            what="scored in-sample",
            rule="Score out-of-fold",
            answers={
                "instruments": _WITH_COMBINE_VOTES
                + _swap(
                    _DOMAIN_AUC,
                    (
                        "scores = cross_val_predict(make_fixed_model(), X, is_after, cv=folds, "
                        'method="predict_proba")[:, 1]',
                        "scores = make_fixed_model().fit(X, is_after).predict_proba(X)[:, 1]",
                    ),
                )
            },
        ),
        Mistake(
            what="scores the probability of the before class (column 0)",
            rule="Label the rows of X_after 1",
            answers={
                "instruments": _WITH_COMBINE_VOTES
                + _swap(_DOMAIN_AUC, ('method="predict_proba")[:, 1]', 'method="predict_proba")[:, 0]'))
            },
        ),
        Mistake(
            what="hard predictions instead of probabilities",
            rule="not predict, whose hard 0/1 labels lose the ranking",
            answers={
                "instruments": _WITH_COMBINE_VOTES
                + _swap(
                    _DOMAIN_AUC,
                    ('cv=folds, method="predict_proba")[:, 1]', "cv=folds)"),
                )
            },
        ),
    ],
}
