"""Plots several labs share, so that the lesson's code stands out in the notebooks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch


def plot_before_after(
    scores: Mapping[str, float],
    *,
    metric: str,
    title: str,
    baseline: str | None = None,
    ax: plt.Axes | None = None,
    spread: Mapping[str, float] | None = None,
    label_rotation: float = 15,
) -> plt.Axes:
    """Bar chart of one metric for several data variants, the baseline drawn in grey, on a y-axis from 0.

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
    spread : mapping of str to float, optional
        Variant name to the spread of its score (for example the standard deviation over seeds), drawn as
        an error bar of that half-height; the score is then written inside the bar, clear of the error bar.
        Variants it leaves out get no error bar.
    label_rotation : float
        Rotation of the variant names on the x-axis, in degrees (0 for names broken over lines).

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
    errors = np.zeros(len(names))
    if spread is not None:
        unknown = sorted(set(spread) - set(names))
        if unknown:
            raise ValueError(f"spread must only name variants of scores {names}; got unknown names {unknown}")
        errors = np.array([float(spread.get(name, 0.0)) for name in names])
        if np.any(errors < 0) or not np.all(np.isfinite(errors)):
            raise ValueError(f"spread must hold finite values >= 0; got {errors.tolist()}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 1.4 * len(names), 3.4))
    colors = ["tab:gray" if name == baseline else "tab:blue" for name in names]
    if spread is None:
        bars = ax.bar(names, values, color=colors)
        ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=2)
    else:
        bars = ax.bar(names, values, color=colors, yerr=errors, capsize=4, error_kw={"elinewidth": 1})
        ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], label_type="center", color="white")
    ax.set_ylabel(metric)
    ax.set_xlabel("training data")
    ax.set_title(title)
    # Bars start at 0 (or below, for a negative score): a cut axis would make small differences look large.
    tops = values + errors
    low = min(0.0, 1.1 * (values - errors).min())
    ax.set_ylim(low, min(1.05, tops.max() + 0.1) if tops.max() <= 1 else tops.max() * 1.1)
    ax.legend(handles=[bars[names.index(baseline)]], labels=[f"baseline: {baseline}"], loc="lower right")
    ax.tick_params(axis="x", labelrotation=label_rotation)
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


def plot_signed_importance(
    importance: Mapping[str, float],
    *,
    xlabel: str,
    title: str,
    positive_label: str = "the model needs it",
    negative_label: str = "the model is better without it",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Horizontal bars of one importance per feature, blue where it helps and red where it hurts.

    Parameters
    ----------
    importance : mapping of str to float (a pandas Series works)
        Feature name to its importance, in display order (top to bottom).
    xlabel : str
        What the importance measures, used as the x-axis label.
    title : str
        Title of the plot.
    positive_label, negative_label : str
        Legend labels of the bars >= 0 and < 0; the legend names only the signs present.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made otherwise.

    Returns
    -------
    matplotlib Axes
    """
    names = [str(name) for name in importance.keys()]
    if not names:
        raise ValueError("importance must hold at least one feature; got an empty mapping")
    values = np.array([float(importance[name]) for name in importance.keys()])
    if not np.all(np.isfinite(values)):
        raise ValueError(f"importance must hold finite numbers; got {values.tolist()}")
    helps = values >= 0
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 1.2 + 0.3 * len(names)))
    ax.barh(names, values, color=np.where(helps, "tab:blue", "tab:red"))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_ylabel("feature")
    ax.set_title(title)
    signs = [
        (Patch(color="tab:blue"), positive_label, helps.any()),
        (Patch(color="tab:red"), negative_label, (~helps).any()),
    ]
    ax.legend(
        handles=[handle for handle, _, present in signs if present],
        labels=[label for _, label, present in signs if present],
        loc="best",
        fontsize=8,
    )
    return ax


def plot_image_grid(
    images: np.ndarray,
    captions: Sequence[str],
    *,
    title: str,
    n_columns: int = 10,
) -> plt.Figure:
    """Small grey-level images in a grid, each with a caption (for example its given and suggested label).

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width) or (n_images, height * width) with a square side
        The images, in display order (left to right, top to bottom); ink is drawn dark.
    captions : sequence of str, length n_images
        One caption per image, shown above it (may hold a line break).
    title : str
        Title of the figure.
    n_columns : int
        Images per row.

    Returns
    -------
    matplotlib Figure
    """
    images = np.asarray(images, dtype=float)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"flattened images must have a square number of pixels; got {images.shape[1]}")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (n_images, height, width) with n_images >= 1; got {images.shape}")
    if len(captions) != len(images):
        raise ValueError(f"captions must hold one caption per image ({len(images)}); got {len(captions)}")
    if isinstance(n_columns, bool) or not isinstance(n_columns, int | np.integer) or n_columns < 1:
        raise ValueError(f"n_columns must be a positive integer; got {n_columns!r}")
    n_columns = min(int(n_columns), len(images))
    n_rows = -(-len(images) // n_columns)
    fig, axes = plt.subplots(n_rows, n_columns, figsize=(1.0 * n_columns, 1.35 * n_rows + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, caption in zip(axes.flat, images, captions, strict=False):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(caption, fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
