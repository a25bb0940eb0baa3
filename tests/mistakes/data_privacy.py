"""Beginner mistakes in data_privacy: each must fail its exercise's public test with a message naming the rule."""

from labrun import Mistake

_SCORES = (
    "def membership_scores(probs, labels):\n"
    "    probs = np.asarray(probs, dtype=float)\n"
    "    labels = np.asarray(labels)\n"
    "    true_class = probs[np.arange(len(labels)), labels]\n"
    "    safe = np.where(probs > 0, probs, 1.0)\n"
    "    return {\n"
    "        'loss': np.log(np.clip(true_class, 1e-12, None)),\n"
    "        'confidence': probs.max(axis=1),\n"
    "        'entropy': (probs * np.log(safe)).sum(axis=1),\n"
    "    }\n"
)

_AUC = (
    "def roc_auc(scores, is_member):\n"
    "    from scipy.stats import rankdata\n"
    "    scores = np.asarray(scores, dtype=float)\n"
    "    is_member = np.asarray(is_member, dtype=bool)\n"
    "    n_in = int(is_member.sum())\n"
    "    n_out = len(is_member) - n_in\n"
    "    ranks = rankdata(scores)\n"
    "    return float((ranks[is_member].sum() - n_in * (n_in + 1) / 2) / (n_in * n_out))\n"
    "\n"
    "\n"
    "def tpr_at_fpr(scores, is_member, max_fpr=0.01):\n"
    "    scores = np.asarray(scores, dtype=float)\n"
    "    is_member = np.asarray(is_member, dtype=bool)\n"
    "    thresholds = np.unique(scores)\n"
    "    members, non_members = np.sort(scores[is_member]), np.sort(scores[~is_member])\n"
    "    tpr = (len(members) - np.searchsorted(members, thresholds, side='left')) / len(members)\n"
    "    fpr = (len(non_members) - np.searchsorted(non_members, thresholds, side='left')) / len(non_members)\n"
    "    allowed = fpr <= max_fpr\n"
    "    return float(tpr[allowed].max()) if allowed.any() else 0.0\n"
)

_SHADOW = (
    "def shadow_attack_scores(shadow_probs, shadow_labels, shadow_is_member, target_probs, target_labels):\n"
    "    shadow_features = np.log(np.clip(shadow_probs, 1e-12, None))\n"
    "    target_features = np.log(np.clip(target_probs, 1e-12, None))\n"
    "    scores = np.zeros(len(target_labels))\n"
    "    for label in np.unique(target_labels):\n"
    "        shadow_rows, target_rows = shadow_labels == label, target_labels == label\n"
    "        attack = LogisticRegression(max_iter=1000)\n"
    "        attack.fit(shadow_features[shadow_rows], shadow_is_member[shadow_rows])\n"
    "        member_column = list(attack.classes_).index(True)\n"
    "        scores[target_rows] = attack.predict_proba(target_features[target_rows])[:, member_column]\n"
    "    return scores\n"
)

_DP = (
    "def dp_sgd_gradient(model, params, X, y, *, clip_norm, noise_multiplier, expected_batch_size, generator):\n"
    "    def loss_of_one(weights, x, t):\n"
    "        return F.cross_entropy(functional_call(model, weights, (x.unsqueeze(0),)), t.unsqueeze(0))\n"
    "\n"
    "    per_example = vmap(grad(loss_of_one), in_dims=(None, 0, 0))(params, X, y)\n"
    "    squared = sum(g.reshape(len(X), -1).pow(2).sum(dim=1) for g in per_example.values())\n"
    "    factors = torch.clamp(clip_norm / torch.sqrt(squared).clamp(min=1e-12), max=1.0)\n"
    "    gradient = {}\n"
    "    for name, g in per_example.items():\n"
    "        clipped_sum = torch.einsum('i,i...->...', factors, g)\n"
    "        noise = noise_multiplier * clip_norm * torch.randn(g.shape[1:], generator=generator)\n"
    "        gradient[name] = (clipped_sum + noise.to(g.device)) / expected_batch_size\n"
    "    return gradient\n"
)


def _swap(source: str, old: str, new: str) -> str:
    """``source`` with the one occurrence of ``old`` replaced by ``new`` (fails loudly if the template drifted)."""
    assert source.count(old) == 1, f"{old!r} must occur once in the template"
    return source.replace(old, new)


#: What the shadow-attack test says to an attack whose features are not the log-probabilities.
_NOT_LOG_FEATURES = "raw or sorted probabilities and hard predictions cannot show"


def _shadow_on(features: str) -> str:
    """The shadow attack with ``features.format(probs)`` in place of the clipped log-probabilities."""
    source = _SHADOW
    for probs in ("shadow_probs", "target_probs"):
        source = _swap(source, f"np.log(np.clip({probs}, 1e-12, None))", features.format(probs))
    return source


MISTAKES = {
    "test_membership_scores": [
        Mistake(
            what="the loss itself, not minus the loss",
            rule="minus the cross-entropy",
            answers={"membership_scores": _swap(_SCORES, "'loss': np.log(", "'loss': -np.log(")},
        ),
        Mistake(
            what="log of a zero probability, not clipped",
            rule="below at 1e-12",
            answers={
                "membership_scores": _swap(_SCORES, "np.log(np.clip(true_class, 1e-12, None))", "np.log(true_class)")
            },
        ),
        Mistake(
            what="the true-class probability as confidence",
            rule="largest probability of each row",
            answers={"membership_scores": _swap(_SCORES, "probs.max(axis=1)", "true_class")},
        ),
        Mistake(
            what="the maximum over the wrong axis",
            rule="largest probability of each row",
            answers={"membership_scores": _swap(_SCORES, "probs.max(axis=1)", "probs.max(axis=0)")},
        ),
        Mistake(
            what="0 log 0 computed as nan",
            rule="0 log 0 = 0",
            answers={"membership_scores": _swap(_SCORES, "np.log(safe)", "np.log(probs)")},
        ),
        Mistake(
            what="the entropy, not minus the entropy",
            rule="minus the entropy",
            answers={"membership_scores": _swap(_SCORES, "(probs * np.log(safe))", "-(probs * np.log(safe))")},
        ),
    ],
    "test_roc_auc": [
        Mistake(
            what="ties counted as losses",
            rule="Ties count half",
            answers={
                "roc_auc": _swap(
                    _AUC,
                    "    ranks = rankdata(scores)\n",
                    "    ranks = rankdata(scores, method='ordinal')\n",
                )
            },
        ),
        Mistake(
            what="1 - AUC: the opposite ranking",
            rule="the AUC of the opposite ranking",
            answers={
                "roc_auc": _swap(
                    _AUC,
                    "    return float((ranks[is_member].sum()",
                    "    return 1 - float((ranks[is_member].sum()",
                )
            },
        ),
        Mistake(
            what="FPR divided by all rows instead of the non-members",
            rule="flagged non-members / all non-members",
            answers={
                "roc_auc": _swap(
                    _AUC,
                    "np.searchsorted(non_members, thresholds, side='left')) / len(non_members)",
                    "np.searchsorted(non_members, thresholds, side='left')) / len(scores)",
                )
            },
        ),
        Mistake(
            what="TPR divided by all rows instead of the members",
            rule="flagged members / all members",
            answers={
                "roc_auc": _swap(
                    _AUC,
                    "np.searchsorted(members, thresholds, side='left')) / len(members)",
                    "np.searchsorted(members, thresholds, side='left')) / len(scores)",
                )
            },
        ),
        Mistake(
            what="members and non-members swapped (the wrong axis)",
            rule="members are the positives",
            answers={
                "roc_auc": _swap(
                    _AUC,
                    "members, non_members = np.sort(scores[is_member]), np.sort(scores[~is_member])",
                    "non_members, members = np.sort(scores[is_member]), np.sort(scores[~is_member])",
                )
            },
        ),
        Mistake(
            what="max_fpr read as a percentage",
            rule="a fraction (0.5 means 50 %)",
            answers={"roc_auc": _swap(_AUC, "allowed = fpr <= max_fpr", "allowed = fpr * 100 <= max_fpr")},
        ),
        Mistake(
            what="FPR strictly below max_fpr",
            rule="at most max_fpr, inclusive",
            answers={"roc_auc": _swap(_AUC, "fpr <= max_fpr", "fpr < max_fpr")},
        ),
        Mistake(
            what="tied scores split by a running count over the sorted rows",
            rule="Do not split ties",
            answers={
                "roc_auc": _AUC.split("def tpr_at_fpr")[0]
                + (
                    "def tpr_at_fpr(scores, is_member, max_fpr=0.01):\n"
                    "    order = np.argsort(-np.asarray(scores, dtype=float), kind='stable')\n"
                    "    flagged = np.asarray(is_member, dtype=bool)[order]\n"
                    "    tpr = np.cumsum(flagged) / flagged.sum()\n"
                    "    fpr = np.cumsum(~flagged) / (~flagged).sum()\n"
                    "    allowed = fpr <= max_fpr\n"
                    "    return float(tpr[allowed].max()) if allowed.any() else 0.0\n"
                )
            },
        ),
        Mistake(
            what="nan when no threshold but the top one qualifies",
            rule="the TPR is 0",
            answers={"roc_auc": _swap(_AUC, "if allowed.any() else 0.0", "if allowed.any() else float('nan')")},
        ),
        Mistake(
            what="a Python loop over thresholds",
            rule="No Python loop",
            answers={
                "roc_auc": _AUC.split("def tpr_at_fpr")[0]
                + (
                    "def tpr_at_fpr(scores, is_member, max_fpr=0.01):\n"
                    "    scores = np.asarray(scores, dtype=float)\n"
                    "    is_member = np.asarray(is_member, dtype=bool)\n"
                    "    best = 0.0\n"
                    "    for threshold in np.unique(scores):\n"
                    "        flagged = scores >= threshold\n"
                    "        if flagged[~is_member].mean() <= max_fpr:\n"
                    "            best = max(best, float(flagged[is_member].mean()))\n"
                    "    return best\n"
                )
            },
        ),
    ],
    "test_shadow_attack_scores": [
        Mistake(
            what="one attack model for all classes",
            rule="one attack model per class",
            answers={
                "shadow_attack_scores": (
                    "def shadow_attack_scores(\n"
                    "    shadow_probs, shadow_labels, shadow_is_member, target_probs, target_labels\n"
                    "):\n"
                    "    attack = LogisticRegression(max_iter=1000).fit(\n"
                    "        np.log(np.clip(shadow_probs, 1e-12, None)), shadow_is_member)\n"
                    "    return attack.predict_proba(np.log(np.clip(target_probs, 1e-12, None)))[:, 1]\n"
                )
            },
        ),
        Mistake(
            what="the non-member column of predict_proba",
            rule="probability of member",
            answers={"shadow_attack_scores": _swap(_SHADOW, ".index(True)", ".index(False)")},
        ),
        *(
            Mistake(what=what, rule=_NOT_LOG_FEATURES, answers={"shadow_attack_scores": _shadow_on(features)})
            for what, features in (
                ("an attack on the raw probabilities", "{}"),
                ("an attack on the sorted probabilities", "np.sort({}, axis=1)"),
                ("an attack on hard predictions (one-hot of the argmax)", "np.eye({0}.shape[1])[{0}.argmax(axis=1)]"),
            )
        ),
        Mistake(
            what="the target rows' class mask used on the shadow rows",
            rule="Index the shadow arrays with the shadow rows of a class",
            answers={
                "shadow_attack_scores": _swap(
                    _SHADOW,
                    "attack.fit(shadow_features[shadow_rows], shadow_is_member[shadow_rows])",
                    "attack.fit(shadow_features[target_rows], shadow_is_member[target_rows])",
                )
            },
        ),
        Mistake(
            what="attack fitted on the target rows with the audit set's own membership labels (a notebook global)",
            rule="Train each attack model on the shadow rows only",
            answers={
                "shadow_attack_scores": _swap(
                    _SHADOW,
                    "attack.fit(shadow_features[shadow_rows], shadow_is_member[shadow_rows])",
                    "attack.fit(target_features[target_rows], data.audit_is_member[target_rows])",
                )
            },
        ),
        Mistake(
            what="the same, with the class's rows as indices (no shape error: the labels are the wrong rows')",
            rule="on the shadow rows of that class only",
            answers={
                "shadow_attack_scores": _swap(
                    _swap(
                        _SHADOW,
                        "shadow_rows, target_rows = shadow_labels == label, target_labels == label",
                        "shadow_rows, target_rows = shadow_labels == label, np.flatnonzero(target_labels == label)",
                    ),
                    "attack.fit(shadow_features[shadow_rows], shadow_is_member[shadow_rows])",
                    "attack.fit(target_features[target_rows], data.audit_is_member[target_rows])",
                )
            },
        ),
        Mistake(
            what="log-probabilities not clipped",
            rule="clipped below at 1e-12",
            answers={
                "shadow_attack_scores": _swap(
                    _SHADOW, "np.log(np.clip(shadow_probs, 1e-12, None))", "np.log(shadow_probs)"
                )
            },
        ),
    ],
    "test_dp_sgd_gradient": [
        Mistake(
            what="the gradient at the model's own weights",
            rule="take it at `params`",
            answers={"dp_sgd_gradient": _swap(_DP, "(params, X, y)", "(dict(model.named_parameters()), X, y)")},
        ),
        Mistake(
            what="divided by the batch's size",
            rule="divided by expected_batch_size",
            answers={"dp_sgd_gradient": _swap(_DP, ") / expected_batch_size", ") / len(X)")},
        ),
        Mistake(
            what="each parameter tensor clipped on its own",
            rule="norm over all parameters together",
            answers={
                "dp_sgd_gradient": _swap(
                    _DP,
                    "        clipped_sum = torch.einsum('i,i...->...', factors, g)\n",
                    "        own = torch.sqrt(g.reshape(len(X), -1).pow(2).sum(dim=1))\n"
                    "        clipped_sum = torch.einsum('i,i...->...', torch.clamp(clip_norm / own, max=1.0), g)\n",
                )
            },
        ),
        Mistake(
            what="noise of standard deviation sigma, not sigma * C",
            rule="noise_multiplier * clip_norm * torch.randn",
            answers={
                "dp_sgd_gradient": _swap(_DP, "noise = noise_multiplier * clip_norm *", "noise = noise_multiplier *")
            },
        ),
        Mistake(
            what="noise added after dividing by the batch size",
            rule="noise_multiplier * clip_norm * torch.randn",
            answers={
                "dp_sgd_gradient": _swap(
                    _DP,
                    "(clipped_sum + noise.to(g.device)) / expected_batch_size",
                    "clipped_sum / expected_batch_size + noise.to(g.device)",
                )
            },
        ),
    ],
}
