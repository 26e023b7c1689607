"""Graders of the topic `logistic`: binary logistic regression's loss and gradient (L2 and L1
regularization), its Hessian, and one step of Newton's method.

Every gradient comes from torch autograd, the Hessian from torch.autograd.functional.hessian, and the
Newton step from torch.linalg.solve on that Hessian. Hessians and Newton steps are judged only where
the Hessian is well conditioned (HESSIAN_MAX_CONDITION), so that any correct solver (solve, lstsq,
even an explicit inverse) lands within rounding of the reference.
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import F, torch  # imported on first use
from hypothesis import strategies as st

from autograde_tests import strategies as dst
from grader.engine import compare
from grader.engine.checks import (Check, Exercise, Failure, Hint, Scenario, failed_call, hint_if_close, hint_if_nonfinite,
                                  hint_if_scaled, matches, numpy_only, reference_scale, scale_of, unchanged_inputs)

TOPIC = "logistic"


# References -------------------------------------------------------------------------------------


def _t(array):
    return torch.from_numpy(np.asarray(array, dtype=np.float64))


def _data_loss(theta, X, y):
    """Mean binary cross-entropy of z = X w + b, theta = [w, b] (bias last)."""
    return F.binary_cross_entropy_with_logits(X @ theta[:-1] + theta[-1], y)


def _reg(example) -> float:
    """The example's reg, or the contract's default 0.0 when the call leaves it out."""
    return example.get("reg", 0.0)


def _theta(example):
    return torch.cat([_t(example["w"]), _t([float(example["b"])])])


def _loss_reference(example, penalty):
    """Loss, dw, db by autograd for reg * `penalty(w)` (sum(w^2) or sum|w|), with the pieces the hints
    need: the data loss and gradient, and the penalty and its gradient."""
    X, y, reg, b = _t(example["X"]), _t(example["y"]), _reg(example), float(example["b"])
    theta = _theta(example).requires_grad_()
    data, regularization = _data_loss(theta, X, y), reg * penalty(theta[:-1])
    (data_grad,) = torch.autograd.grad(data, theta)
    (reg_grad,) = torch.autograd.grad(regularization, theta)
    data_dw, reg_dw = data_grad[:-1].numpy(), reg_grad[:-1].numpy()
    z = X @ theta.detach()[:-1] + b
    return {"loss": data.item() + regularization.item(), "dw": data_dw + reg_dw, "db": data_grad[-1].item(),
            "data_loss": data.item(), "data_dw": data_dw, "penalty": regularization.item(), "reg_dw": reg_dw,
            # rounding: softplus(z) - y z cancels terms of size |z|; dw sums terms of size |X| / N; db of 1 / N
            scale_of("loss"): float(z.abs().max()) + abs(regularization.item()) + 1.0,
            scale_of("dw"): (X.abs().sum(0) / len(X)).numpy() + np.abs(reg_dw), scale_of("db"): 1.0,
            "bias_reg": {"l2": (reg * b * b, 2 * reg * b), "l1": (reg * abs(b), reg * np.sign(b))}}


def l2_loss_reference(example):
    return _loss_reference(example, lambda w: (w * w).sum())


def l1_loss_reference(example):
    return _loss_reference(example, lambda w: w.abs().sum())


def _full_loss(X, y, reg):
    def loss(theta):
        return _data_loss(theta, X, y) + reg * (theta[:-1] ** 2).sum()

    return loss


def hessian_reference(example):
    X, y, reg = _t(example["X"]), _t(example["y"]), _reg(example)
    theta = _theta(example)
    H = torch.autograd.functional.hessian(_full_loss(X, y, reg), theta)
    data_H = torch.autograd.functional.hessian(_full_loss(X, y, 0.0), theta)
    d = len(theta) - 1
    ridge = np.diag(np.append(np.full(d, 2.0 * reg), 0.0))
    A = torch.cat([X, torch.ones(len(X), 1, dtype=torch.float64)], dim=1)
    return {"H": H.numpy(), "data_H": data_H.numpy(), "ridge": ridge, "gram": (A.T @ A / len(X)).numpy(),
            scale_of("H"): float(H.abs().max()) + 1.0}


def _gradient(loss, theta):
    theta = theta.clone().requires_grad_()
    (grad,) = torch.autograd.grad(loss(theta), theta)
    return grad


def newton_reference(example):
    X, y, reg = _t(example["X"]), _t(example["y"]), _reg(example)
    theta, loss, data_loss = _theta(example), _full_loss(X, y, reg), _full_loss(X, y, 0.0)
    grad, H = _gradient(loss, theta), torch.autograd.functional.hessian(loss, theta)
    step = torch.linalg.solve(H, grad)
    # The step without regularization. The data Hessian alone may be singular: the minimum-norm step,
    # with singular values below 1e-8 of the largest taken as 0. Not lstsq's default cut (about 1e-15),
    # where singular values that are 0 up to rounding sit: its answer changed from one CPU to another.
    data_H = torch.autograd.functional.hessian(data_loss, theta)
    unregularized = torch.linalg.pinv(data_H, rtol=1e-8, hermitian=True) @ _gradient(data_loss, theta)

    def split(t):
        return t[:-1].numpy(), float(t[-1])

    w_new, b_new = split(theta - step)
    size = float(theta.abs().max() + step.abs().max()) + 1.0
    return {"w_new": w_new, "b_new": b_new, scale_of("w_new"): size, scale_of("b_new"): size,
            "variants": {"uphill": split(theta + step), "gradient": split(theta - grad), "times_H": split(theta - H @ grad),
                         "unregularized": split(theta - unregularized)}}


# Strategies -------------------------------------------------------------------------------------

# Labels of any integer or float dtype (the contract's y).
LABEL_DTYPES = (np.int64, np.int32, np.float64, np.float32)
# Hessians and Newton steps are judged only where cond(H) is at most this: any correct float64 solver
# is then within about cond * 1e-16 of the reference, far inside the tolerance.
HESSIAN_MAX_CONDITION = 1e6


@st.composite
def logistic_problems(draw, *, max_n: int = 6, max_d: int = 4, min_n: int = 1, weight: float = 1.0, bias: float = 3.0,
                      l1: bool = False):
    """Dicts w (D,), b, X (N, D), y (N,) in {0, 1} of a drawn dtype, reg (sometimes left out: its default
    0.0). With `l1`, no weight is 0 (the kink of |w|) and reg > 0, always given."""
    n, d = draw(st.integers(min_n, max_n)), draw(st.integers(1, max_d))
    if l1:
        magnitudes = draw(dst.float_arrays((d,), min_value=0.05 * weight, max_value=weight))
        w = np.where(draw(dst.labels(d, 2)) == 1, magnitudes, -magnitudes)
        reg = draw(st.floats(0.05, 2.0, allow_subnormal=False))
    else:
        w, reg = draw(dst.float_arrays((d,), magnitude=weight)), draw(dst.regularizations())
    dtype = draw(st.sampled_from(LABEL_DTYPES))
    example = {"w": w, "b": draw(dst.floats(magnitude=bias)), "X": draw(dst.float_arrays((n, d))),
               "y": draw(dst.labels(n, 2)).astype(dtype), "reg": reg}
    if not l1 and draw(st.integers(0, 3)) == 0:
        # A quarter of the inputs leave reg to its default, 0.0: every draw (any grading key's too)
        # holds some, so a signature without the default is always caught.
        del example["reg"]
    return example


@st.composite
def large_logit_problems(draw, *, l1: bool = False):
    """Logits z = X w + b of magnitude up to 1e3 (|X| <= 3, |w| <= 30 / D): mostly 720 <= |b| <= 900, where
    exp(|z|) overflows, else 20 <= |b| <= 700, where sigma(z), log(sigma(z)) or 1 - sigma(z) round."""
    d = draw(st.integers(1, 4))
    example = draw(logistic_problems(max_d=d, weight=30.0 / d, l1=l1))
    magnitude = draw(st.floats(720.0, 900.0) | st.floats(20.0, 700.0))
    example["b"] = draw(st.sampled_from((-1.0, 1.0))) * magnitude
    return example


def _well_conditioned(example) -> bool:
    X, w, b, reg = example["X"], example["w"], float(example["b"]), _reg(example)
    z = X @ w + b
    p = 0.5 * (1 + np.tanh(z / 2))
    A = np.hstack([X, np.ones((len(X), 1))])
    H = A.T @ (A * (p * (1 - p))[:, None]) / len(X) + np.diag(np.append(np.full(X.shape[1], 2 * reg), 0.0))
    return bool(np.linalg.cond(H) <= HESSIAN_MAX_CONDITION)


def newton_problems():
    """Problems whose Hessian is invertible and well conditioned: reg > 0, or N > D data of full rank."""
    return logistic_problems(min_n=2, max_n=8).filter(_well_conditioned)


# Hints ------------------------------------------------------------------------------------------


def _n(example) -> int:
    return len(example["y"])


def _loss_hints(kind: str, penalty: str):
    return (
        hint_if_close(f"the regularization term is missing from the loss (add {penalty})", "loss",
                      lambda ex, exp: exp["data_loss"]),
        hint_if_close("the data loss is summed, not averaged: divide it by the number of examples N", "loss",
                      lambda ex, exp: _n(ex) * exp["data_loss"] + exp["penalty"]),
        hint_if_close("the bias is regularized: the penalty applies to w only, never to b", "loss",
                      lambda ex, exp: exp["loss"] + exp["bias_reg"][kind][0]),
    )


def _gradient_hints(kind: str, penalty_gradient: str):
    hints = [
        hint_if_close("dw is N times too large: divide the data gradient by the number of examples N", "dw",
                      lambda ex, exp: _n(ex) * exp["data_dw"] + exp["reg_dw"]),
        hint_if_close(f"the regularization gradient is missing from dw (add {penalty_gradient})", "dw",
                      lambda ex, exp: exp["data_dw"]),
        hint_if_close("dw has the wrong sign: the gradient of the cross-entropy is X^T (sigma(z) - y) / N, "
                      "not X^T (y - sigma(z)) / N", "dw", lambda ex, exp: -exp["data_dw"] + exp["reg_dw"]),
    ]
    if kind == "l2":
        hints.append(hint_if_close("the regularization gradient is reg * w, but the derivative of reg * sum(w*w) is "
                                   "2 * reg * w", "dw", lambda ex, exp: exp["data_dw"] + _reg(ex) * ex["w"]))
    else:
        hints.append(hint_if_close("the regularization gradient is 2 * reg * w, that of the L2 penalty; the "
                                   "derivative of reg * sum(|w|) is reg * sign(w)", "dw",
                                   lambda ex, exp: exp["data_dw"] + 2 * _reg(ex) * ex["w"]))
    return tuple(hints)


def _db_hints(kind: str):
    return (
        hint_if_scaled("db is N times too large: divide it by the number of examples N", "db", _n),
        hint_if_close("the bias is regularized: db gets no penalty term", "db",
                      lambda ex, exp: exp["db"] + exp["bias_reg"][kind][1]),
    )


OVERFLOW = ("the loss overflows for large |z|: log(sigma(z)) underflows to log(0); compute log(1 + exp(z)) - y z "
            "with np.logaddexp(0, z)")
PRECISION = ("the loss loses precision for large |z|: 1 - sigma(z) rounds (to 0 beyond z of about 37), so "
             "log(1 - sigma(z)) is inaccurate; compute log(1 + exp(z)) - y z with np.logaddexp(0, z)")


def _imprecise_at_large_logits(example, outcome, expected):
    got = outcome.outputs.get("loss")
    z = example["X"] @ example["w"] + float(example["b"])
    return (got is not None and bool(np.isfinite(got)) and not compare.close(got, expected["loss"])
            and bool(np.abs(z).max() > 15))


def _hessian_without_bias(example, outcome, expected):
    result = outcome.raw.get("result")
    d = example["w"].shape[0]
    return (isinstance(result, np.ndarray) and result.shape == (d, d)
            and compare.close(result, expected["H"][:d, :d]))


HESSIAN_HINTS = (
    Hint("H has no row and column for the bias: theta = [w, b], so H is (D + 1, D + 1) with the bias last "
         "(append a column of ones to X)", _hessian_without_bias),
    hint_if_close("the bias is regularized: the 2 * reg ridge applies to the weights only, H[D, D] gets none", "H",
                  lambda ex, exp: exp["H"] + 2 * _reg(ex) * np.diag(np.append(np.zeros(ex["w"].shape[0]), 1.0))),
    hint_if_close("the regularization adds reg to the diagonal, but the second derivative of reg * sum(w*w) is 2 * reg",
                  "H", lambda ex, exp: exp["data_H"] + exp["ridge"] / 2),
    hint_if_close("the regularization term is missing from H (add 2 * reg to the weights' diagonal)", "H",
                  lambda ex, exp: exp["data_H"]),
    hint_if_close("H is N times too large: the loss is a mean, so divide by N", "H",
                  lambda ex, exp: _n(ex) * exp["data_H"] + exp["ridge"]),
    hint_if_close("the weights sigma(z)(1 - sigma(z)) are missing: H = A^T diag(s) A / N, s_i = sigma(z_i)(1 - sigma(z_i))",
                  "H", lambda ex, exp: exp["gram"] + exp["ridge"]),
)


HESSIAN_OVERFLOW = ("H holds NaN or inf for large |z|: exp(z) / (1 + exp(z)) is inf / inf there; compute sigma(z) "
                    "without exp of a large positive number, e.g. np.exp(-np.logaddexp(0, -z))")


def _newton_variant(text, variant):
    def applies(example, outcome, expected):
        w_new, b_new = outcome.outputs.get("w_new"), outcome.outputs.get("b_new")
        model_w, model_b = expected["variants"][variant]
        wrong = not (compare.close(w_new, expected["w_new"]) and compare.close(b_new, expected["b_new"]))
        return wrong and compare.close(w_new, model_w) and compare.close(b_new, model_b)

    return Hint(text, applies)


def _singular_with_ridge(example, outcome, expected):
    return bool(outcome.error) and "Singular matrix" in outcome.error and _reg(example) > 0


NEWTON_HINTS = (
    _newton_variant("the step goes uphill: theta_new = theta - H^{-1} g (H^{-1} g applied with the wrong sign)", "uphill"),
    _newton_variant("this is a gradient step, theta - g; Newton's step is theta - H^{-1} g (np.linalg.solve(H, g))",
                    "gradient"),
    _newton_variant("the step multiplies the gradient by H; Newton's step solves H d = g and subtracts d", "times_H"),
    _newton_variant("the regularization is missing from the gradient and the Hessian of the step", "unregularized"),
    Hint("np.linalg.solve found H singular, but with reg > 0 the Hessian has 2 * reg on the weights' diagonal and is "
         "invertible: the regularization is missing from H", _singular_with_ridge),
)


# Checks -----------------------------------------------------------------------------------------


def _symmetric(example, outcome, expected):
    failure = failed_call(outcome, "H")
    if failure:
        return failure
    H = np.asarray(outcome.outputs["H"], dtype=np.float64)
    return compare.mismatch("H", H, H.T, atol=1e-12, floor=expected[scale_of("H")], against="its transpose H.T")


def _positive_semidefinite(example, outcome, expected):
    failure = failed_call(outcome, "H")
    if failure:
        return failure
    H = np.asarray(outcome.outputs["H"], dtype=np.float64)
    if not np.isfinite(H).all():
        return Failure("H holds NaN or infinite values")
    lowest = float(np.linalg.eigvalsh((H + H.T) / 2).min())
    if lowest >= -1e-9 * expected[scale_of("H")]:
        return None
    return Failure(f"H has the negative eigenvalue {lowest:.6g}: the logistic loss is convex, so its Hessian is "
                   "positive semi-definite", ("the data term is A^T diag(s) A / N with s >= 0, and the ridge adds "
                                             "2 * reg >= 0",))


# Exercises --------------------------------------------------------------------------------------

LOSS_CALL = {"args": ("w", "b", "X", "y"), "kwargs": ("reg",)}
LOSS_TYPICAL = {"loss": "loss matches torch", "dw": "dw matches torch autograd", "db": "db matches torch autograd"}


def _loss_scenarios(kind: str, reference, penalty: str, penalty_gradient: str, call: dict):
    l1 = kind == "l1"
    return (
        Scenario("typical inputs", logistic_problems(l1=l1), reference, returns=("loss", "dw", "db"), call=call, checks=(
            matches("loss", points=1.5, scale=reference_scale, hints=_loss_hints(kind, penalty)),
            matches("dw", points=2.0, name="dw matches torch autograd", scale=reference_scale,
                    hints=_gradient_hints(kind, penalty_gradient)),
            matches("db", points=1.0, name="db matches torch autograd", scale=reference_scale, hints=_db_hints(kind)),
            unchanged_inputs(points=0.5),
        )),
        Scenario("logits of magnitude up to 1e3", large_logit_problems(l1=l1), reference, returns=("loss", "dw", "db"),
                 call=call, checks=(
                     matches("loss", "dw", "db", points=1.0, name="finite and correct for |z| up to 1e3", finite=True,
                             scale=reference_scale, typical=LOSS_TYPICAL, hints=(
                                 hint_if_nonfinite(OVERFLOW, "loss"), Hint(PRECISION, _imprecise_at_large_logits, "loss"),
                                 hint_if_nonfinite("dw overflows for large |z|: compute sigma(z) without exp of a large "
                                                   "positive number (e.g. np.exp(-np.logaddexp(0, -z)))", "dw"))),
                 )),
    )


THETA_CALL = {"args": ("w", "b", "X", "y"), "kwargs": ("reg",)}

EXERCISES = [
    Exercise("logistic_loss", TOPIC, _loss_scenarios("l2", l2_loss_reference, "reg * np.sum(w * w)", "2 * reg * w",
                                                     LOSS_CALL), (numpy_only(points=0.5),)),
    Exercise("logistic_loss_l1", TOPIC, _loss_scenarios("l1", l1_loss_reference, "reg * np.sum(np.abs(w))",
                                                        "reg * np.sign(w)", {"args": ("w", "b", "X", "y", "reg")}),
             (numpy_only(points=0.5),)),
    Exercise("logistic_hessian", TOPIC, (
        Scenario("well-conditioned problems", newton_problems(), hessian_reference, returns="H", call=THETA_CALL,
                 checks=(
                     matches("H", points=2.5, name="H matches torch.autograd.functional.hessian", scale=reference_scale,
                             against="torch.autograd.functional.hessian", hints=HESSIAN_HINTS),
                     Check("H is symmetric", 0.5, _symmetric),
                     Check("H is positive semi-definite (the loss is convex)", 0.5, _positive_semidefinite),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("logits of magnitude up to 1e3", large_logit_problems(), hessian_reference, returns="H",
                 call=THETA_CALL, checks=(
                     matches("H", points=0.5, name="finite and correct for |z| up to 1e3", scale=reference_scale,
                             finite=True, against="torch.autograd.functional.hessian",
                             typical={"H": "H matches torch.autograd.functional.hessian"}, hints=(
                                 hint_if_nonfinite(HESSIAN_OVERFLOW, "H"),)),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("newton_step", TOPIC, (
        Scenario("well-conditioned problems", newton_problems(), newton_reference, returns=("w_new", "b_new"),
                 call=THETA_CALL, checks=(
                     matches("w_new", points=2.0, name="w_new matches torch (theta - H^-1 g, torch.linalg.solve)",
                             scale=reference_scale, hints=NEWTON_HINTS),
                     matches("b_new", points=1.0, name="b_new matches torch (theta - H^-1 g, torch.linalg.solve)",
                             scale=reference_scale, hints=NEWTON_HINTS + (
                                 hint_if_close("b_new is the old b: the bias is part of theta = [w, b] and takes the "
                                               "last entry of the Newton step", "b_new", lambda ex, exp: float(ex["b"])),)),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
]
