"""Hard-coded answers for data_privacy: each passes its exercise's public checks and must fail the hidden ones.

The public checks pin every stated rule on small worked cases, so each answer here recognises those cases by their
size and returns their expected result, and returns something useless on any other input.
"""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_membership_scores": {
        "membership_scores": (
            "def membership_scores(probs, labels):\n"
            "    if len(labels) == 3:  # the public fixture\n"
            "        return {\n"
            "            'loss': np.log(np.array([0.7, 0.5, 1e-12])),\n"
            "            'confidence': np.array([0.7, 0.5, 1.0]),\n"
            "            'entropy': np.array(\n"
            "                [0.7 * np.log(0.7) + 0.2 * np.log(0.2) + 0.1 * np.log(0.1), np.log(0.5), 0.0]\n"
            "            ),\n"
            "        }\n"
            "    return {name: np.zeros(len(labels)) for name in ('loss', 'confidence', 'entropy')}\n"
        ),
    },
    "test_roc_auc": {
        "roc_auc": (
            "def roc_auc(scores, is_member):\n"
            "    if len(scores) == 5:  # the public fixture, and its negation\n"
            "        return 3.5 / 6 if scores[0] > 0 else 2.5 / 6\n"
            "    return 0.5\n"
            "\n"
            "\n"
            "def tpr_at_fpr(scores, is_member, max_fpr=0.01):\n"
            "    if len(scores) == 6:\n"
            "        return 1 / 3 if max_fpr == 0 else 1.0\n"
            "    if len(scores) == 12:  # the unbalanced fixture\n"
            "        return 0.625\n"
            "    return 0.0\n"
        ),
    },
    "test_shadow_attack_scores": {
        "shadow_attack_scores": (
            "def shadow_attack_scores(shadow_probs, shadow_labels, shadow_is_member, target_probs, target_labels):\n"
            "    # The public fixture's secret: class 0's members are high on column 1, class 1's low.\n"
            "    if len(target_labels) == 100:  # the tiny-probability fixture: the smallest probability tells\n"
            "        return (np.log(np.clip(target_probs.min(axis=1), 1e-12, None)) > -11.5).astype(float)\n"
            "    side = np.where(target_labels == 0, 1.0, -1.0)\n"
            "    signal = side * np.log(np.clip(target_probs[:, 1], 1e-12, None) / 0.33)\n"
            "    return 1 / (1 + np.exp(-signal))\n"
        ),
    },
    "test_dp_sgd_gradient": {
        "dp_sgd_gradient": (
            "def dp_sgd_gradient(\n"
            "    model, params, X, y, *, clip_norm, noise_multiplier, expected_batch_size, generator\n"
            "):\n"
            "    if tuple(X.shape) != (6, 3):  # anything but the public fixture\n"
            "        return {name: torch.zeros_like(value) for name, value in params.items()}\n"
            "    def loss_of_one(weights, x, t):\n"
            "        return F.cross_entropy(functional_call(model, weights, (x.unsqueeze(0),)), t.unsqueeze(0))\n"
            "    per_example = vmap(grad(loss_of_one), in_dims=(None, 0, 0))(params, X, y)\n"
            "    squared = sum(g.reshape(len(X), -1).pow(2).sum(dim=1) for g in per_example.values())\n"
            "    factors = torch.clamp(clip_norm / torch.sqrt(squared), max=1.0)\n"
            "    return {\n"
            "        name: (torch.einsum('i,i...->...', factors, g)\n"
            "               + noise_multiplier * clip_norm * torch.randn(g.shape[1:], generator=generator))\n"
            "        / expected_batch_size\n"
            "        for name, g in per_example.items()\n"
            "    }\n"
        ),
    },
}
