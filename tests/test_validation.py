"""The shared checks at the door of the data set helpers."""

from __future__ import annotations

import numpy as np
import pytest

from dcai_helpers.validation import check_array, check_fraction, check_int, check_seed


def test_check_int_accepts_numpy_integers_and_returns_int():
    assert check_int("n", np.int64(5), minimum=1) == 5 and type(check_int("n", np.int64(5))) is int


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (True, TypeError, "`n` must be an int; got bool"),
        (2.0, TypeError, "`n` must be an int; got float"),
        (0, ValueError, "`n` must be at least 1; got 0"),
    ],
)
def test_check_int_names_the_argument(value, error, message):
    with pytest.raises(error, match=message):
        check_int("n", value, minimum=1)


def test_check_seed_refuses_negative_and_non_int_seeds():
    assert check_seed(0) == 0
    with pytest.raises(ValueError, match="`seed` must be at least 0; got -1"):
        check_seed(-1)
    with pytest.raises(TypeError, match="`rng_seed` must be an int; got str"):
        check_seed("1", "rng_seed")


def test_check_fraction_bounds_and_open_low_end():
    assert check_fraction("p", 1) == 1.0
    with pytest.raises(ValueError, match=r"`p` must lie in \[0.0, 1.0\]; got 1.5"):
        check_fraction("p", 1.5)
    with pytest.raises(ValueError, match=r"`p` must lie in \(0.0, 1.0\]; got 0.0"):
        check_fraction("p", 0.0, open_low=True)
    with pytest.raises(ValueError, match="got nan"):
        check_fraction("p", float("nan"))
    with pytest.raises(TypeError, match="`p` must be a number; got str"):
        check_fraction("p", "0.5")


def test_check_array_names_the_argument_its_shape_and_what_it_got():
    assert check_array("X", [[1, 2], [3, 4]], shape="(n, 2)", ndim=2).shape == (2, 2)
    with pytest.raises(ValueError, match=r"`X` must be a 2-D numeric array of shape \(n, 2\); got shape \(3,\)"):
        check_array("X", [1, 2, 3], shape="(n, 2)", ndim=2)
    with pytest.raises(ValueError, match="dtype <U1"):
        check_array("X", [["a"]], shape="(n, 1)", ndim=2)
    with pytest.raises(ValueError, match=r"class indices >= 0\) array of shape \(n,\) with 3 rows"):
        check_array("y", [0, -1, 2], shape="(n,)", ndim=1, kind="label", length=3)
    with pytest.raises(ValueError, match="with 2 rows"):
        check_array("y", [0, 1, 2], shape="(n,)", ndim=1, kind="label", length=2)
    assert check_array("y", np.array([], dtype=int), shape="(n,)", ndim=1, kind="label").size == 0
