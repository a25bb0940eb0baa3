"""Speed rules that hold on any machine: a student's function timed against a reference at the same moment.

A lab that states "vectorise this: no Python loop over the examples" checks it with :func:`slowdown`: the
student's call and a reference implementation run alternately on the same input, each timed at its best of a few
repeats, and the test compares the *ratio* with a generous factor. A busy or old laptop slows both alike, so a
correct answer passes there too, while a loop over 100,000 rows is hundreds of times slower than the reference
wherever it runs. Absolute budgets ("under 2 s") fail correct answers on a loaded machine; ratios do not.

At grading the student's call crosses into the kernel and back (its arguments and result are copied), which adds
a fixed cost to its time only: choose inputs on which the reference itself takes a few tenths of a second, so that
cost stays small beside it, and factors of 20 or more.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

#: Repeats of each call; the best time of each is compared (the least disturbed by other work on the machine).
DEFAULT_REPEATS = 3


def best_time(call: Callable[[], Any], *, repeats: int = DEFAULT_REPEATS) -> float:
    """The shortest of ``repeats`` wall times of ``call()``, in seconds."""
    if repeats < 1:
        raise ValueError(f"`repeats` must be at least 1; got {repeats}")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def slowdown(
    student: Callable[[], Any],
    reference: Callable[[], Any],
    *,
    repeats: int = DEFAULT_REPEATS,
    stop_after: float | None = None,
) -> float:
    """How many times slower ``student()`` runs than ``reference()``, timed alternately, best of ``repeats`` each.

    Parameters
    ----------
    student, reference : callable
        Calls without arguments (``lambda: f(X, k)``) on the same input.
    repeats : int
        Timings of each; the best of each is compared.
    stop_after : float, optional
        Seconds after which a slow ``student()`` is not timed again (its first time already tells); the reference
        is still timed ``repeats`` times (after one untimed warm-up call).

    Returns
    -------
    float
        ``best(student) / best(reference)``.
    """
    reference()  # untimed: the first call pays for imports, caches and fresh memory, which are not its speed
    student_times, reference_times = [], []
    for _ in range(repeats):
        reference_times.append(best_time(reference, repeats=1))
        if stop_after is None or not student_times or min(student_times) <= stop_after:
            student_times.append(best_time(student, repeats=1))
    return min(student_times) / max(min(reference_times), 1e-9)
