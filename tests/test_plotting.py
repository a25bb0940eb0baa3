"""Shared plots: titles, labels and legends are there, and bad input gets a clear error."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from dcai_helpers.plotting import plot_before_after, plot_ranked_scores


def test_before_after_labels_everything():
    ax = plot_before_after({"noisy": 0.81, "cleaned": 0.93}, metric="accuracy", title="Cleaning labels")
    assert ax.get_title() == "Cleaning labels"
    assert ax.get_ylabel() == "accuracy" and ax.get_xlabel()
    assert ax.get_legend().get_texts()[0].get_text() == "baseline: noisy"
    assert [round(p.get_height(), 2) for p in ax.patches] == [0.81, 0.93]


def test_before_after_rejects_empty_and_unknown_baseline():
    with pytest.raises(ValueError, match="at least one variant"):
        plot_before_after({}, metric="m", title="t")
    with pytest.raises(ValueError, match="baseline must be one of"):
        plot_before_after({"a": 1.0}, metric="m", title="t", baseline="b")


def test_ranked_scores_highlights_flagged():
    scores = np.array([0.3, 0.1, 0.9, 0.5])
    ax = plot_ranked_scores(scores, [False, True, False, False], score_name="self-confidence", title="Ranking")
    flagged = ax.collections[1].get_offsets()
    assert flagged.tolist() == [[0.0, 0.1]]
    assert ax.get_legend() is not None


def test_ranked_scores_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"same length; got shapes \(3,\) and \(2,\)"):
        plot_ranked_scores([1, 2, 3], [True, False], score_name="s", title="t")
