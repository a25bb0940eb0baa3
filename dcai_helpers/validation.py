"""Checks at the door of the data set helpers: one wording for every lab's seeds, counts, fractions and arrays.

Each raises ``TypeError`` for a value of the wrong type and ``ValueError`` for one out of range, with a
message that names the argument, what it must be and what it got.
"""

from __future__ import annotations

import math

import numpy as np


def check_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int``, raising unless it is an integer (not a bool) of at least ``minimum``.

    Raises
    ------
    TypeError
        "`n_examples` must be an int; got float".
    ValueError
        "`n_examples` must be at least 100; got 5".
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"`{name}` must be an int; got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}; got {int(value)}")
    return int(value)


def check_seed(seed: object, name: str = "seed") -> int:
    """Return ``seed`` as an ``int``, raising unless it is a non-negative integer (what NumPy's generators take)."""
    return check_int(name, seed, minimum=0)


def check_fraction(name: str, value: object, *, low: float = 0.0, high: float = 1.0, open_low: bool = False) -> float:
    """Return ``value`` as a ``float``, raising unless it is a finite number in ``[low, high]`` (``(low, high]``).

    Raises
    ------
    TypeError
        "`flip_rate` must be a number; got str".
    ValueError
        "`flip_rate` must lie in [0.0, 1.0]; got 1.5".
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"`{name}` must be a number; got {type(value).__name__}")
    number = float(value)
    inside = (low < number if open_low else low <= number) and number <= high
    if not (math.isfinite(number) and inside):
        interval = f"{'(' if open_low else '['}{low}, {high}]"
        raise ValueError(f"`{name}` must lie in {interval}; got {number}")
    return number


def check_array(
    name: str, value: object, *, shape: str, ndim: int, kind: str = "numeric", length: int | None = None
) -> np.ndarray:
    """Return ``value`` as a numpy array, raising unless it has ``ndim`` dimensions and numbers of ``kind``.

    Parameters
    ----------
    name : str
        The argument's name, as the caller spells it.
    value : array-like
        What the caller was given.
    shape : str
        The shape it must have, in words for the message: ``"(n_examples, n_features)"``.
    ndim : int
        Its number of dimensions.
    kind : {"numeric", "integer", "label"}
        Numbers of any kind, integers, or class indices (integers >= 0).
    length : int, optional
        The length its first axis must have (another argument's number of rows).

    Raises
    ------
    ValueError
        "`X` must be a 2-D numeric array of shape (n_examples, n_features); got shape (3,) and dtype float64".
    """
    array = np.asarray(value)
    wanted = {"numeric": np.number, "integer": np.integer, "label": np.integer}[kind]
    words = {"numeric": "numeric", "integer": "integer", "label": "integer (class indices >= 0)"}[kind]
    fits = array.ndim == ndim and np.issubdtype(array.dtype, wanted) and (length is None or len(array) == length)
    if fits and kind == "label" and array.size and array.min() < 0:
        fits = False
    if not fits:
        rows = f" with {length} rows" if length is not None else ""
        raise ValueError(
            f"`{name}` must be a {ndim}-D {words} array of shape {shape}{rows}; "
            f"got shape {array.shape} and dtype {array.dtype}"
        )
    return array
