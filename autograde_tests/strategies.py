"""Hypothesis strategies shared by the topics: small float64 arrays, labels, sizes, hyperparameters.

Values are bounded and free of NaN, infinities and subnormals, so every input is one the contract
promises to handle; arrays shrink towards zeros, so counterexamples come out small and readable.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def floats(*, magnitude: float = 3.0, min_value: float | None = None, max_value: float | None = None):
    low = -magnitude if min_value is None else min_value
    high = magnitude if max_value is None else max_value
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=64)


def float_arrays(shape, *, magnitude: float = 3.0, min_value: float | None = None, max_value: float | None = None,
                 unique: bool = False):
    return hnp.arrays(np.float64, shape, elements=floats(magnitude=magnitude, min_value=min_value, max_value=max_value),
                      unique=unique)


def labels(n: int, num_classes: int):
    return hnp.arrays(np.int64, (n,), elements=st.integers(0, num_classes - 1))


def regularizations(*, max_value: float = 2.0):
    """Regularization strengths: zero, or large enough (above max_value / 40) that getting it wrong shows."""
    return st.one_of(st.just(0.0), st.floats(max_value / 40, max_value, allow_subnormal=False))


def shapes(*, min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


@st.composite
def classification_batches(draw, *, min_n: int = 1, max_n: int = 6, max_d: int = 5, min_c: int = 2, max_c: int = 5,
                           with_reg: bool = True):
    """Dicts W (D, C), X (N, D), y (N,), reg for the linear classifiers (softmax and SVM losses)."""
    n, d, c = draw(st.integers(min_n, max_n)), draw(st.integers(1, max_d)), draw(st.integers(min_c, max_c))
    example = {"W": draw(float_arrays((d, c), magnitude=1.0)), "X": draw(float_arrays((n, d))),
               "y": draw(labels(n, c))}
    if with_reg:
        example["reg"] = draw(regularizations())
    return example


@st.composite
def large_offset_batches(draw, *, max_n: int = 5, max_d: int = 4, max_c: int = 5, max_offset: float = 1e4):
    """Like classification_batches, but the scores X W of each row sit at an offset of up to
    `max_offset` and within 50 of each other: a first feature of ones in W carries the offset."""
    n, d, c = draw(st.integers(1, max_n)), draw(st.integers(1, max_d)), draw(st.integers(2, max_c))
    W = np.concatenate([np.ones((1, c)), draw(float_arrays((d, c), magnitude=1.0))])
    offsets = draw(float_arrays((n, 1), min_value=-max_offset, max_value=max_offset))
    X = np.concatenate([offsets, draw(float_arrays((n, d), magnitude=5.0))], axis=1)
    return {"W": W, "X": X, "y": draw(labels(n, c)), "reg": draw(regularizations(max_value=1e-3))}


@st.composite
def score_batches(draw, *, max_n: int = 6, min_c: int = 2, max_c: int = 6, max_offset: float = 0.0,
                  spread: float = 10.0, with_labels: bool = True):
    """Dicts x (N, C) of scores and y (N,) labels; each row within `spread`, at an offset up to `max_offset`."""
    n, c = draw(st.integers(1, max_n)), draw(st.integers(min_c, max_c))
    x = draw(float_arrays((n, c), magnitude=spread / 2))
    if max_offset:
        x = x + draw(float_arrays((n, 1), min_value=-max_offset, max_value=max_offset))
    return {"x": x, "y": draw(labels(n, c))} if with_labels else {"x": x}
