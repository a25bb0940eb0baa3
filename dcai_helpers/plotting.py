"""Plots several labs share, so that the lesson's code stands out in the notebooks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_before_after(
    scores: Mapping[str, float],
    *,
    metric: str,
    title: str,
    baseline: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Bar chart of one metric for several data variants, the baseline drawn in grey.

    Parameters
    ----------
    scores : mapping of str to float
        Variant name (for example ``"noisy labels"``, ``"cleaned labels"``) to its score, in display order.
    metric : str
        Name of the metric, used as the y-axis label.
    title : str
        Title of the plot.
    baseline : str, optional
        Key of ``scores`` to draw as the baseline; defaults to the first one.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made otherwise.

    Returns
    -------
    matplotlib Axes
    """
    if not scores:
        raise ValueError("scores must hold at least one variant; got an empty mapping")
    names = list(scores)
    baseline = names[0] if baseline is None else baseline
    if baseline not in scores:
        raise ValueError(f"baseline must be one of {names}; got {baseline!r}")
    values = np.array([float(scores[name]) for name in names])
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 1.4 * len(names), 3.4))
    colors = ["tab:gray" if name == baseline else "tab:blue" for name in names]
    bars = ax.bar(names, values, color=colors)
    ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=2)
    ax.set_ylabel(metric)
    ax.set_xlabel("training data")
    ax.set_title(title)
    low = min(values.min(), 0.0) if values.min() < 0.5 else max(0.0, values.min() - 0.15)
    ax.set_ylim(low, min(1.05, values.max() + 0.1) if values.max() <= 1 else values.max() * 1.1)
    ax.legend(handles=[bars[names.index(baseline)]], labels=[f"baseline: {baseline}"], loc="lower right")
    ax.tick_params(axis="x", labelrotation=15)
    return ax


def plot_ranked_scores(
    scores: Sequence[float],
    is_flagged: Sequence[bool],
    *,
    score_name: str,
    title: str,
    flagged_label: str = "known issue",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Sorted per-example scores with the examples known to be bad (ground truth) highlighted.

    Parameters
    ----------
    scores : array-like of shape (n_examples,)
        One score per example (higher or lower: the plot sorts ascending).
    is_flagged : array-like of bool, shape (n_examples,)
        Ground truth: True for the examples that were injected as bad.
    score_name : str
        Name of the score, used as the y-axis label.
    title : str
        Title of the plot.
    flagged_label : str
        Legend label for the flagged examples.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made otherwise.
    """
    scores = np.asarray(scores, dtype=float)
    is_flagged = np.asarray(is_flagged, dtype=bool)
    if scores.ndim != 1 or scores.shape != is_flagged.shape:
        raise ValueError(
            f"scores and is_flagged must be 1-D of the same length; got shapes {scores.shape} and {is_flagged.shape}"
        )
    order = np.argsort(scores, kind="stable")
    rank = np.arange(len(scores))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.4))
    ax.scatter(rank[~is_flagged[order]], scores[order][~is_flagged[order]], s=4, color="tab:gray", label="other")
    ax.scatter(rank[is_flagged[order]], scores[order][is_flagged[order]], s=8, color="tab:red", label=flagged_label)
    ax.set_xlabel("rank (sorted by score)")
    ax.set_ylabel(score_name)
    ax.set_title(title)
    ax.legend(loc="best")
    return ax
