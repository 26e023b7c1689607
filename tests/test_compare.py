"""compare: |got - expected| <= rtol * |expected| + atol * scale, scale = the largest finite |expected|
(at least `floor`); the failure names the worst element."""

from __future__ import annotations

import numpy as np
import pytest

from grader.engine.compare import ATOL, RTOL, close, mismatch


def test_equal_values_match():
    x = np.array([[1.0, -2.0], [np.inf, np.nan]])
    assert mismatch("x", x.copy(), x) is None
    assert close(3.0, 3.0)


def test_relative_tolerance_scales_with_each_element():
    expected = np.array([2.0, 1.0])
    assert mismatch("x", expected * (1 + 0.9 * RTOL), expected) is None
    assert mismatch("x", expected + [0.0, 3 * RTOL], expected) is not None


def test_absolute_tolerance_scales_with_the_largest_element_or_the_floor():
    expected = np.array([1e3, 0.0])
    assert mismatch("x", expected + [0.0, 0.9 * ATOL * 1e3], expected) is None  # rounding noise of cancellation
    assert mismatch("x", expected + [0.0, 2 * ATOL * 1e3], expected) is not None
    zeros = np.zeros(2)
    assert mismatch("x", zeros + 1e-15, zeros) is not None
    assert mismatch("x", zeros + 1e-15, zeros, floor=1.0) is None


def test_failure_names_the_worst_element_and_counts_the_others():
    expected = np.zeros((2, 3))
    got = expected.copy()
    got[0, 1], got[1, 2] = 0.5, 2.0
    failure = mismatch("dx", got, expected, against="torch")
    assert failure.summary.startswith("dx[1, 2]: expected 0.0, got 2.0")
    assert "2 of 6 elements of dx differ from torch" in failure.details


def test_non_finite_values_are_named():
    failure = mismatch("out", np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    assert "out[1] is nan" in failure.summary
    assert any("1 NaN or infinite" in d for d in failure.details)
    assert mismatch("out", np.array([np.inf]), np.array([np.inf])) is None


def test_shapes_must_agree():
    assert "shape" in mismatch("x", np.zeros(3), np.zeros((3, 1))).summary
    assert not close(np.zeros(3), np.zeros((3, 1)))


@pytest.mark.parametrize("got", [None, "text", object()])
def test_close_is_false_for_what_cannot_be_compared(got):
    assert not close(got, np.zeros(2))
