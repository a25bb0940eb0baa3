"""Shared plots: titles, labels and legends are there, and bad input gets a clear error."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.container import BarContainer

from dcai_helpers.plotting import plot_before_after, plot_image_grid, plot_ranked_scores, plot_signed_importance


def test_before_after_labels_everything():
    ax = plot_before_after({"noisy": 0.81, "cleaned": 0.93}, metric="accuracy", title="Cleaning labels")
    assert ax.get_title() == "Cleaning labels"
    assert ax.get_ylabel() == "accuracy" and ax.get_xlabel()
    assert ax.get_legend().get_texts()[0].get_text() == "baseline: noisy"
    assert [round(p.get_height(), 2) for p in ax.patches] == [0.81, 0.93]


def test_before_after_bars_start_at_zero():
    # High scores close together: a cut axis would show a 0.02 difference as a tall one.
    ax = plot_before_after({"noisy": 0.91, "cleaned": 0.93}, metric="accuracy", title="t")
    assert ax.get_ylim()[0] == 0.0
    ax = plot_before_after({"a": -0.2, "b": 0.4}, metric="gain", title="t", spread={"a": 0.1})
    assert ax.get_ylim()[0] < -0.3


def test_before_after_rejects_empty_and_unknown_baseline():
    with pytest.raises(ValueError, match="at least one variant"):
        plot_before_after({}, metric="m", title="t")
    with pytest.raises(ValueError, match="baseline must be one of"):
        plot_before_after({"a": 1.0}, metric="m", title="t", baseline="b")


def test_before_after_draws_the_spread_as_error_bars():
    ax = plot_before_after(
        {"plain": 0.37, "rebalanced": 0.47}, metric="F1", title="t", spread={"rebalanced": 0.02}, label_rotation=0
    )
    (bars,) = [container for container in ax.containers if isinstance(container, BarContainer)]
    lines = bars.errorbar.lines[2][0].get_segments()
    # One error bar per variant, 0.02 either side of the rebalanced score, none for the plain one.
    assert [round(float(segment[1][1] - segment[0][1]), 3) for segment in lines] == [0.0, 0.04]
    assert [text.get_text() for text in ax.texts] == ["0.370", "0.470"]
    assert all(label.get_rotation() == 0 for label in ax.get_xticklabels())


def test_before_after_rejects_bad_spread():
    with pytest.raises(ValueError, match="unknown names"):
        plot_before_after({"a": 1.0}, metric="m", title="t", spread={"b": 0.1})
    with pytest.raises(ValueError, match="finite values >= 0"):
        plot_before_after({"a": 1.0}, metric="m", title="t", spread={"a": -0.1})


def test_ranked_scores_highlights_flagged():
    scores = np.array([0.3, 0.1, 0.9, 0.5])
    ax = plot_ranked_scores(scores, [False, True, False, False], score_name="self-confidence", title="Ranking")
    flagged = ax.collections[1].get_offsets()
    assert flagged.tolist() == [[0.0, 0.1]]
    assert ax.get_legend() is not None


def test_ranked_scores_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"same length; got shapes \(3,\) and \(2,\)"):
        plot_ranked_scores([1, 2, 3], [True, False], score_name="s", title="t")


@pytest.mark.parametrize(
    ("importance", "legend"),
    [
        ({"income": 0.1, "id": -0.05}, ["the model needs it", "the model is better without it"]),
        ({"income": 0.1, "age": 0.02}, ["the model needs it"]),
        ({"id": -0.1, "noise": -0.02}, ["the model is better without it"]),
    ],
)
def test_signed_importance_legend_names_the_signs_present(importance, legend):
    ax = plot_signed_importance(importance, xlabel="drop in score", title="Importance")
    assert ax.get_title() == "Importance" and ax.get_xlabel() == "drop in score" and ax.get_ylabel()
    assert [text.get_text() for text in ax.get_legend().get_texts()] == legend
    assert [label.get_text() for label in ax.get_yticklabels()] == list(importance)


def test_signed_importance_rejects_empty_and_non_finite():
    with pytest.raises(ValueError, match="at least one feature"):
        plot_signed_importance({}, xlabel="x", title="t")
    with pytest.raises(ValueError, match="finite numbers"):
        plot_signed_importance({"a": float("nan")}, xlabel="x", title="t")


def test_image_grid_captions_every_image_and_reshapes_flat_images():
    fig = plot_image_grid(np.zeros((5, 64)), [f"image {i}" for i in range(5)], title="five", n_columns=3)
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titled == [f"image {i}" for i in range(5)]
    assert len(fig.axes) == 6 and fig._suptitle.get_text() == "five"
    plt.close(fig)


@pytest.mark.parametrize(
    ("images", "captions", "message"),
    [
        (np.zeros((2, 60)), ["a", "b"], "square number of pixels"),
        (np.zeros((2, 8, 8)), ["a"], "one caption per image"),
        (np.zeros((0, 8, 8)), [], "n_images >= 1"),
    ],
)
def test_image_grid_rejects_bad_input(images, captions, message):
    with pytest.raises(ValueError, match=message):
        plot_image_grid(images, captions, title="t")
