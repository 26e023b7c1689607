"""Comparing a student's numbers with the float64 reference, and naming the worst element.

An element passes when |got - expected| <= rtol * |expected| + atol * scale, where scale is the
largest |expected| of the output (at least `floor`). The relative term accepts every correct float64
algebra (loops or vectorized, log-sum-exp or max-shift); the scale term accepts rounding noise on
elements that cancel to almost nothing. Real mistakes are off by far more than either.
"""

from __future__ import annotations

import numpy as np

from grader.engine import formatting
from grader.engine.spec import Failure

RTOL = 1e-6
ATOL = 1e-9


def _scale(expected: np.ndarray, floor: float) -> float:
    finite = np.abs(expected[np.isfinite(expected)])
    return max(float(finite.max()) if finite.size else 0.0, floor)


def mismatch(name: str, got, expected, *, rtol: float = RTOL, atol: float = ATOL, floor: float = 1e-12,
             against: str = "the reference") -> Failure | None:
    """None when `got` matches `expected` elementwise; else a Failure naming the worst element."""
    got_a = np.asarray(got, dtype=np.float64)
    exp_a = np.asarray(expected, dtype=np.float64)
    if got_a.shape != exp_a.shape:
        return Failure(f"{name} has shape {got_a.shape}, expected {exp_a.shape}")
    tolerance = rtol * np.abs(exp_a) + atol * _scale(exp_a, floor)
    with np.errstate(all="ignore"):
        error = np.abs(got_a - exp_a)
        ratio = np.where(np.isfinite(error), error / np.maximum(tolerance, 1e-300), np.inf)
    ratio = np.where((got_a == exp_a) | (np.isnan(got_a) & np.isnan(exp_a)), 0.0, ratio)
    if exp_a.size == 0 or not (ratio > 1).any():
        return None
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape) if ratio.ndim else ()
    bad = int((ratio > 1).sum())
    where = f"{name}{formatting.index(worst)}"
    got_w, exp_w = got_a[worst], exp_a[worst]
    if not np.isfinite(got_w):
        summary = f"{where} is {got_w} but should be {formatting.number(float(exp_w))}"
    else:
        shown_expected, shown_got = formatting.distinct_numbers(float(exp_w), float(got_w))
        summary = (f"{where}: expected {shown_expected}, got {shown_got} "
                   f"(error {abs(got_w - exp_w):.3g}, allowed {float(tolerance[worst]):.2g})")
    details = []
    if exp_a.ndim:
        details.append(f"{bad} of {exp_a.size} elements of {name} differ from {against}")
    if not np.isfinite(got_a).all():
        details.append(f"{name} holds {int((~np.isfinite(got_a)).sum())} NaN or infinite values")
    return Failure(summary, tuple(details))


def close(got, expected, *, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Whether `got` matches `expected` as `mismatch` judges it (used by hints)."""
    try:
        return np.shape(got) == np.shape(expected) and mismatch("x", got, expected, rtol=rtol, atol=atol) is None
    except (TypeError, ValueError):
        return False
