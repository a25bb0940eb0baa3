"""Speed rules as ratios: a loop is told from a vectorised answer whatever the machine's load."""

from __future__ import annotations

import numpy as np
import pytest

from dcai_helpers.speed import best_time, slowdown


def test_a_python_loop_is_many_times_slower_than_the_vectorised_reference():
    x = np.random.default_rng(0).random(200_000)

    def loop():
        return [v * 2 for v in x]

    assert slowdown(loop, lambda: x * 2, repeats=2) > 20
    assert slowdown(lambda: x * 2, lambda: x * 2) < 5


def test_a_slow_call_is_not_timed_again_past_stop_after():
    calls = []

    def slow():
        calls.append(1)
        best_time(lambda: sum(range(300_000)), repeats=1)

    slowdown(slow, lambda: None, repeats=5, stop_after=0.0)
    assert len(calls) == 1


def test_repeats_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        best_time(lambda: None, repeats=0)
