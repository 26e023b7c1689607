"""Graders of the topic `kernels`: squared distances, the SVM kernels of scikit-learn, and the kernel
SVM's decision function.

Distances are judged on the scale of the points' squared norms, so the expansion
||x||^2 + ||z||^2 - 2 x.z (which loses that much to cancellation) passes; a squared distance or an
RBF value outside its range (a negative distance, a kernel above 1) fails whatever its size.
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use
from hypothesis import strategies as st

from autograde_tests import strategies as dst
from grader.engine import compare
from grader.engine.checks import (Check, Exercise, Failure, Hint, Scenario, failed_call, hint_if_close, hint_if_nonfinite,
                                  matches, no_loops, numpy_only, reference_scale, scale_of, unchanged_inputs)

TOPIC = "kernels"


# References -------------------------------------------------------------------------------------
# In float64 torch: distances from torch.cdist, products from torch.matmul.


def _t(array):
    return torch.from_numpy(np.asarray(array, dtype=np.float64))


def _cdist(X, Z):
    # the direct differences, never the matrix-product shortcut torch may take for larger inputs
    return torch.cdist(X, Z, compute_mode="donot_use_mm_for_euclid_dist")


def _gamma(example):
    """The example's gamma, or the contract's default 1 / D."""
    return example["gamma"] if "gamma" in example else 1.0 / example["X"].shape[1]


def _sq_norm_scale(example) -> float:
    """||x||^2 + ||z||^2 for the largest rows: what the expansion's cancellation is measured against."""
    return float(np.max(np.sum(example["X"] ** 2, axis=1)) + np.max(np.sum(example["Z"] ** 2, axis=1)))


def sq_distances_reference(example):
    X, Z = _t(example["X"]), _t(example["Z"])
    distances = _cdist(X, Z)
    cross = X @ Z.T
    return {"sq_dists": (distances ** 2).numpy(), "distances": distances.numpy(),
            "half_cross": ((X ** 2).sum(1)[:, None] + (Z ** 2).sum(1)[None, :] - cross).numpy()}


def _products(example):
    return _t(example["X"]) @ _t(example["Z"]).T


def linear_reference(example):
    return {"K": _products(example).numpy()}


def polynomial_reference(example):
    products, degree, coef0 = _products(example), example.get("degree", 3), example.get("coef0", 1.0)
    scaled = _gamma(example) * products
    return {"K": ((scaled + coef0) ** degree).numpy(), "gamma_one": ((products + coef0) ** degree).numpy(),
            "gamma_per_sample": ((products / len(example["X"]) + coef0) ** degree).numpy(),
            "without_coef0": (scaled ** degree).numpy(), "cubic": ((scaled + coef0) ** 3).numpy()}


def rbf_reference(example):
    sq = _cdist(_t(example["X"]), _t(example["Z"])) ** 2
    gamma = _gamma(example)
    return {"K": torch.exp(-gamma * sq).numpy(), "gamma_one": torch.exp(-sq).numpy(),
            "gamma_per_sample": torch.exp(-sq / len(example["X"])).numpy(),
            "not_squared": torch.exp(-gamma * sq.sqrt()).numpy()}


def sigmoid_reference(example):
    products, coef0 = _products(example), example.get("coef0", 1.0)
    inner = _gamma(example) * products + coef0
    return {"K": torch.tanh(inner).numpy(), "logistic": torch.sigmoid(inner).numpy(),
            "without_coef0": torch.tanh(inner - coef0).numpy(),
            "gamma_one": torch.tanh(products + coef0).numpy(),
            "gamma_per_sample": torch.tanh(products / len(example["X"]) + coef0).numpy()}


def decision_reference(example):
    K, alpha, y = _t(example["K"]), _t(example["alpha"]), _t(example["y"])
    weighted = (alpha * y) @ K
    return {"scores": (weighted + example["b"]).numpy(), "without_b": weighted.numpy(),
            "without_y": (alpha @ K + example["b"]).numpy(),
            scale_of("scores"): (alpha[:, None] * K.abs()).sum(0).numpy() + abs(example["b"])}


# Strategies -------------------------------------------------------------------------------------

# Small irrational offsets: coordinates that shrink to integers are exact in float64, and the
# expansion's rounding (a negative squared distance, a kernel above 1) would never show.
JITTER = np.round(0.01 * ((np.arange(1, 100) * 2 ** 0.5) % 1.0), 6) + 1e-7 * np.pi


@st.composite
def point_pairs(draw, *, max_n: int = 5, max_m: int = 5, max_d: int = 4, magnitude: float = 3.0):
    """Dicts X (N, D), Z (M, D)."""
    n, m, d = draw(st.integers(1, max_n)), draw(st.integers(1, max_m)), draw(st.integers(1, max_d))
    return {"X": draw(dst.float_arrays((n, d), magnitude=magnitude)),
            "Z": draw(dst.float_arrays((m, d), magnitude=magnitude))}


def _far_centre(draw, d: int, offset: float):
    """(1, D), each coordinate of magnitude between offset / 10 and offset."""
    magnitudes = draw(dst.float_arrays((1, d), min_value=offset / 10, max_value=offset))
    return np.where(draw(dst.labels(d, 2)) == 1, magnitudes, -magnitudes)


@st.composite
def distant_point_pairs(draw, *, max_n: int = 5, max_far: int = 3, max_d: int = 4, offset: float = 1e3):
    """Dicts X (N, D), Z (M, D) of magnitude up to `offset`: X around one centre; Z's first N rows within
    about 1e-6 of the rows of X, up to `max_far` others around a second centre (often far from the first)."""
    n, far, d = draw(st.integers(1, max_n)), draw(st.integers(0, max_far)), draw(st.integers(1, max_d))
    centre, other = (_far_centre(draw, d, offset) for _ in range(2))
    X = centre + draw(dst.float_arrays((n, d))) + JITTER[: n * d].reshape(n, d)
    # next to a row of X the expansion's rounding (about 1e-10) exceeds the true squared distance (about
    # 1e-12), so it comes out negative for some of them, on any machine
    near = X + 1e-4 * JITTER[::-1][: n * d].reshape(n, d)
    Z = np.concatenate([near, other + draw(dst.float_arrays((far, d)))])
    return {"X": X, "Z": Z}


def gammas():
    return st.floats(0.05, 2.0, allow_subnormal=False)


@st.composite
def kernel_inputs(draw, *, degree: bool = False, coef0: bool = False, points=None):
    """point_pairs with the kernel's hyperparameters, each either left to its default or drawn."""
    example = draw(points if points is not None else point_pairs())
    if draw(st.booleans()):
        example["gamma"] = draw(gammas())
    if coef0 and draw(st.booleans()):
        example["coef0"] = draw(st.floats(-1.0, 2.0, allow_subnormal=False))
    if degree and draw(st.booleans()):
        example["degree"] = draw(st.integers(1, 4))
    return example


@st.composite
def decision_inputs(draw, *, max_n: int = 6, max_m: int = 5):
    """Dicts K (N, M), alpha (N,) >= 0 (some 0: not support vectors), y (N,) in {-1, +1}, b."""
    n, m = draw(st.integers(1, max_n)), draw(st.integers(1, max_m))
    alpha = draw(dst.float_arrays((n,), min_value=0.0, max_value=2.0))
    y = np.where(draw(dst.labels(n, 2)) == 1, 1, -1).astype(np.int64)
    return {"K": draw(dst.float_arrays((n, m))), "alpha": alpha, "y": y, "b": draw(dst.floats())}


# Hints ------------------------------------------------------------------------------------------

NOT_SQUARED = "these are distances, not squared distances: leave out the square root"
HALF_CROSS = "the cross term of ||x - z||^2 = ||x||^2 + ||z||^2 - 2 x.z is 2 x.z: the factor 2 is missing"
TRANSPOSED = "K is transposed: K[i, j] = k(X[i], Z[j]), so K has shape (N, M), one row per row of X (X.dot(Z.T))"


def _transposed_hint():
    """K returned with the shape (M, N) of Z X^T (or the same shape, transposed, when N == M)."""
    def applies(example, outcome, expected):
        result = outcome.raw.get("result")
        return isinstance(result, np.ndarray) and result.shape == expected["K"].T.shape and compare.close(
            result, expected["K"].T) and not compare.close(result, expected["K"])

    return Hint(TRANSPOSED, applies)


def _gamma_hints():
    def default_only(model):
        return lambda ex, exp: exp[model] if "gamma" not in ex else exp["K"]

    return (hint_if_close("K is computed with gamma = 1: gamma multiplies x.z (or the squared distance), and "
                          "gamma=None means 1 / D, the number of features (X.shape[1])", "K",
                          lambda ex, exp: exp["gamma_one"]),
            hint_if_close("with gamma=None, gamma is 1 / D, the number of features (X.shape[1]), not 1 / N, the "
                          "number of samples (X.shape[0])", "K", default_only("gamma_per_sample")))


COEF0_MISSING = hint_if_close("coef0 is left out: it is added to gamma x.z (default 1.0)", "K",
                              lambda ex, exp: exp["without_coef0"])


def _wrong_axis_scores(example, outcome, expected):
    result = outcome.raw.get("result")
    K = example["K"]
    return (isinstance(result, np.ndarray) and K.shape[0] != K.shape[1] and result.shape == (K.shape[0],))


# Checks -----------------------------------------------------------------------------------------


def _never_negative(example, outcome, expected):
    failure = failed_call(outcome, "sq_dists")
    if failure:
        return failure
    got = np.asarray(outcome.outputs["sq_dists"], dtype=np.float64)
    if (got >= 0).all():
        return None
    i, j = np.unravel_index(int(np.argmin(np.where(np.isnan(got), -np.inf, got))), got.shape)
    return Failure(f"sq_dists[{i}, {j}] is {got[i, j]:.6g}, but a squared distance is never negative",
                   ("||x||^2 + ||z||^2 - 2 x.z rounds to a tiny negative number for points that are (almost) equal "
                    "and far from the origin: clip it at 0 (np.maximum(..., 0))",))


def _in_unit_interval(example, outcome, expected):
    failure = failed_call(outcome, "K")
    if failure:
        return failure
    got = np.asarray(outcome.outputs["K"], dtype=np.float64)
    bad = np.argwhere(~((got >= 0) & (got <= 1)))
    if not bad.size:
        return None
    i, j = bad[0]
    return Failure(f"K[{i}, {j}] is {float(got[i, j])!r}, outside [0, 1]: exp(-gamma d^2) with d^2 >= 0 never exceeds 1",
                   ("a squared distance from ||x||^2 + ||z||^2 - 2 x.z can round to a tiny negative number: "
                    "clip it at 0 before the exponential",))


def _squared_norm_scale(example, expected, output):
    return _sq_norm_scale(example)


def _rbf_scale(example, expected, output):
    """gamma times the squared norms: the rounding of gamma d^2 in the exponent, which K carries (K <= 1)."""
    largest = np.max(expected["K"], initial=0.0)
    return (_gamma(example) * _sq_norm_scale(example) + 1.0) * largest


# Exercises --------------------------------------------------------------------------------------

XZ = {"args": ("X", "Z")}
K_TYPICAL = {"K": "K matches torch"}

EXERCISES = [
    Exercise("pairwise_sq_distances", TOPIC, (
        Scenario("typical points", point_pairs(), sq_distances_reference, returns="sq_dists", call=XZ, checks=(
            matches("sq_dists", points=2.0, name="sq_dists matches torch.cdist squared", scale=_squared_norm_scale,
                    against="torch.cdist", hints=(
                        hint_if_close(NOT_SQUARED, "sq_dists", lambda ex, exp: exp["distances"]),
                        hint_if_close(HALF_CROSS, "sq_dists", lambda ex, exp: exp["half_cross"]))),
            unchanged_inputs(points=0.5),
        )),
        Scenario("points far from the origin", distant_point_pairs(), sq_distances_reference, returns="sq_dists",
                 call=XZ, checks=(
                     matches("sq_dists", points=0.5, name="finite and correct for points of magnitude up to 1e3",
                             scale=_squared_norm_scale, finite=True, against="torch.cdist",
                             typical={"sq_dists": "sq_dists matches torch.cdist squared"}),
                     Check("never negative (rounding clipped at 0)", 1.0, _never_negative),
                 )),
    ), (no_loops(points=1.0), numpy_only(points=0.5))),
    Exercise("linear_kernel", TOPIC, (
        Scenario("typical points", point_pairs(), linear_reference, returns="K", call=XZ, checks=(
            matches("K", points=2.0, hints=(_transposed_hint(),)),
            unchanged_inputs(points=0.5),
        )),
    ), (numpy_only(points=0.5),)),
    Exercise("polynomial_kernel", TOPIC, (
        Scenario("typical points, default or given hyperparameters", kernel_inputs(degree=True, coef0=True),
                 polynomial_reference, returns="K", call={**XZ, "kwargs": ("degree", "gamma", "coef0")}, checks=(
                     matches("K", points=2.5, hints=(
                         *_gamma_hints(), _transposed_hint(), COEF0_MISSING,
                         hint_if_close("the degree argument is ignored: the kernel is raised to the power degree, "
                                       "not always 3", "K", lambda ex, exp: exp["cubic"]))),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("rbf_kernel", TOPIC, (
        Scenario("typical points, default or given gamma", kernel_inputs(), rbf_reference, returns="K",
                 call={**XZ, "kwargs": ("gamma",)}, checks=(
                     matches("K", points=2.0, scale=_rbf_scale, hints=(
                         *_gamma_hints(), _transposed_hint(),
                         hint_if_close("exp(-gamma ||x - z||) uses the distance: the RBF kernel takes the squared "
                                       "distance, exp(-gamma ||x - z||^2)", "K", lambda ex, exp: exp["not_squared"]),
                         hint_if_nonfinite("K overflows: the exponent is -gamma ||x - z||^2 (mind the minus sign)", "K"))),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("points far from the origin and from each other", kernel_inputs(points=distant_point_pairs()),
                 rbf_reference, returns="K", call={**XZ, "kwargs": ("gamma",)}, checks=(
                     matches("K", points=0.5, name="finite and correct for points of magnitude up to 1e3",
                             scale=_rbf_scale, finite=True, typical=K_TYPICAL, hints=(
                                 hint_if_nonfinite("K holds NaN or inf far from the data: compute exp(-gamma d^2) "
                                                   "from the squared distance, never as a product of exponentials "
                                                   "of the norms", "K"),)),
                     Check("K in [0, 1]", 1.0, _in_unit_interval),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("sigmoid_kernel", TOPIC, (
        Scenario("typical points, default or given hyperparameters", kernel_inputs(coef0=True), sigmoid_reference,
                 returns="K", call={**XZ, "kwargs": ("gamma", "coef0")}, checks=(
                     matches("K", points=2.0, hints=(
                         *_gamma_hints(), _transposed_hint(), COEF0_MISSING,
                         hint_if_close("K uses the logistic sigmoid 1 / (1 + exp(-u)); the sigmoid kernel is "
                                       "tanh(gamma x.z + coef0)", "K", lambda ex, exp: exp["logistic"]))),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("points of magnitude up to 1e3", kernel_inputs(coef0=True, points=distant_point_pairs()),
                 sigmoid_reference, returns="K", call={**XZ, "kwargs": ("gamma", "coef0")}, checks=(
                     matches("K", points=0.5, name="finite and correct for points of magnitude up to 1e3", finite=True,
                             typical=K_TYPICAL, hints=(
                                 hint_if_nonfinite("K holds NaN or inf for large products: tanh written with exp(u) "
                                                   "overflows (inf / inf); use np.tanh", "K"),)),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("svm_decision_function", TOPIC, (
        Scenario("kernel matrices and dual coefficients", decision_inputs(), decision_reference, returns="scores",
                 call={"args": ("K", "alpha", "y", "b")}, checks=(
                     matches("scores", points=2.0, scale=reference_scale, hints=(
                         hint_if_close("the bias b is missing: scores = sum_i alpha_i y_i K[i, j] + b", "scores",
                                       lambda ex, exp: exp["without_b"]),
                         hint_if_close("the labels y are missing: each support vector votes with alpha_i * y_i",
                                       "scores", lambda ex, exp: exp["without_y"]),
                         Hint("scores has one entry per support vector: sum over the rows of K (axis 0), one score per "
                              "test point (column of K), e.g. (alpha * y).dot(K) + b", _wrong_axis_scores),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
]
