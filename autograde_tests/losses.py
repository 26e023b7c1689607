"""Graders of the topic `losses`: elementwise losses (mean over all elements) and weight penalties."""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import F, torch  # imported on first use
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograde_tests import strategies as dst
from grader.engine import compare
from grader.engine.checks import (Exercise, Hint, Scenario, hint_if_close, hint_if_nonfinite, hint_if_scaled, matches,
                                  numpy_only, reference_scale, scale_of, unchanged_inputs)

TOPIC = "losses"


# References -------------------------------------------------------------------------------------


def _elementwise_reference(loss_fn, first: str = "pred", **kwargs):
    def reference(example):
        x = torch.from_numpy(example[first]).requires_grad_()
        loss = loss_fn(x, torch.from_numpy(example["target"]), reduction="mean", **kwargs)
        loss.backward()
        return {"loss": loss.item(), f"d{first}": x.grad.numpy()}

    return reference


def _smooth_l1_elements(d, beta, *, threshold=None, quadratic=None, offset=None, signed=False):
    """Smooth L1 per element and its derivative, with one of its constants possibly wrong (for hints)."""
    threshold = beta if threshold is None else threshold
    quadratic = beta if quadratic is None else quadratic
    offset = 0.5 * beta if offset is None else offset
    small = (d if signed else np.abs(d)) < threshold
    return np.where(small, 0.5 * d * d / quadratic, np.abs(d) - offset), np.where(small, d / quadratic, np.sign(d))


def smooth_l1_reference(example):
    beta = example.get("beta", 1.0)
    expected = _elementwise_reference(F.smooth_l1_loss, beta=beta)(example)
    d = example["pred"] - example["target"]
    variants = {"no division by beta": {"quadratic": 1.0}, "offset 0.5": {"offset": 0.5},
                "beta ignored": {"threshold": 1.0, "quadratic": 1.0, "offset": 0.5},
                "signed threshold": {"signed": True}}
    mistaken = {}
    for what, wrong in variants.items():
        elements, grads = _smooth_l1_elements(d, beta, **wrong)
        mistaken[what] = {"loss": float(np.mean(elements)), "dpred": grads / d.size}
    return {**expected, "mistaken": mistaken}


def bce_reference(example):
    """The loss and dlogits, with their scales: the size of the rounding error every correct algebra
    makes. A confident correct logit has a loss of e.g. log1p(e^-30) ~ 1e-13 that log(1 + e^-30)
    gets 1e-3 wrong in relative terms, and max(z, 0) - z t cancels to ~eps |z|: rounding is eps * |z|
    per element of the loss, and eps per element of sigmoid(z) - t, over the size, for dlogits."""
    expected = _elementwise_reference(F.binary_cross_entropy_with_logits, "logits")(example)
    logits = example["logits"]
    return {**expected, "sigmoid": torch.sigmoid(torch.from_numpy(logits)).numpy(),
            scale_of("loss"): 1 + float(np.abs(logits).max()), scale_of("dlogits"): 1 / logits.size}


def _penalty_reference(penalty):
    def reference(example):
        W = torch.from_numpy(example["W"]).requires_grad_()
        loss = example["reg"] * penalty(W)
        (dW,) = torch.autograd.grad(loss, W)
        return {"loss": float(loss.item()), "dW": dW.numpy()}

    return reference


# Strategies -------------------------------------------------------------------------------------

# |d| this close to a kink (relative to the kink) is never generated; rounding in pred - target is ~1e-13.
KINK_CLEARANCE = 1e-6


def _clear_of(kinks):
    return lambda v: all(abs(abs(v) - k) > KINK_CLEARANCE * (1 + k) for k in kinks)


@st.composite
def prediction_pairs(draw, *, kinks=(), spread: float = 3.0, beta=None):
    """Dicts pred, target of one shape (any), with no difference d = pred - target within reach of a kink
    of |d| (kinks are values of |d|). Magnitudes are small, or up to 1e3 (the contract's range)."""
    shape = draw(dst.shapes())
    magnitude = draw(st.sampled_from((3.0, 1e3)))
    if beta is not None:
        beta = draw(beta)
        kinks, spread = (beta,), 3 * beta
    diff = draw(hnp.arrays(np.float64, shape, elements=dst.floats(magnitude=spread).filter(_clear_of(kinks))))
    pred = draw(dst.float_arrays(shape, magnitude=magnitude))
    example = {"pred": pred, "target": pred - diff}
    return example if beta is None else {**example, "beta": beta}


def betas():
    return st.floats(0.05, 5.0, allow_subnormal=False)


@st.composite
def logit_batches(draw, *, magnitude: float = 6.0):
    shape = draw(dst.shapes())
    return {"logits": draw(dst.float_arrays(shape, magnitude=magnitude)),
            "target": draw(dst.float_arrays(shape, min_value=0.0, max_value=1.0))}


@st.composite
def weights(draw, *, kinks=()):
    shape = draw(dst.shapes())
    W = draw(hnp.arrays(np.float64, shape, elements=dst.floats().filter(_clear_of(kinks))))
    return {"W": W, "reg": draw(dst.regularizations())}


# Hints ------------------------------------------------------------------------------------------


def _size(first):
    return lambda ex: ex[first].size


def _per_batch(first):
    return lambda ex: ex[first].size / ex[first].shape[0]


def reduction_hints(output: str, first: str = "pred"):
    """Hints for a loss (or its gradient) reduced over the wrong elements."""
    what = "the loss" if output == "loss" else "the gradient"
    return (
        hint_if_scaled(f"{what} is summed, not averaged: divide by the number of elements ({first}.size)",
                       output, _size(first)),
        hint_if_scaled(f"{what} is averaged over the first axis only: the mean is over all elements (divide by "
                       f"{first}.size, not {first}.shape[0])", output, _per_batch(first)),
    )


def gradient_hints(output: str, first: str = "pred"):
    return reduction_hints(output, first) + (
        hint_if_scaled(f"{output} has the wrong sign: differentiate with respect to {first} (d = {first} - target)",
                       output, lambda ex: -1),
    )


LOG_OF_SIGMOID = ("the loss overflows for large |z|: log(sigmoid(z)) is log(0) once sigmoid(z) rounds to 0 (or "
                  "to 1, for log(1 - sigmoid(z))), and loses digits well before that; use the same value written as "
                  "max(z, 0) - z * t + log(1 + exp(-|z|))")


def _log_of_sigmoid(example, expected):
    """The loss as -[t log s + (1 - t) log(1 - s)] with s = sigmoid(z): inaccurate, then infinite, for large |z|."""
    z, t = example["logits"], example["target"]
    with np.errstate(all="ignore"):
        s = 1 / (1 + np.exp(-z))
        return -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s))


def _naive_log_sigmoid(example, outcome, expected):
    """The loss is wrong (not just dlogits, judged by the same check) in the way log(sigmoid(z)) is."""
    got = outcome.outputs.get("loss")
    if got is None or compare.mismatch("loss", got, expected["loss"], floor=expected[scale_of("loss")]) is None:
        return False
    return not np.isfinite(got) or hint_if_close("", "loss", _log_of_sigmoid).applies(example, outcome, expected)


SIGMOID_OVERFLOW = ("sigmoid(z) overflows for large |z| (exp(z) / (1 + exp(z)) is inf / inf): compute it with "
                    "exp of a non-positive number only, e.g. 1 / (1 + exp(-z)) for z >= 0")


def _mistaken(what, output):
    return lambda ex, exp: exp["mistaken"][what][output]


SMOOTH_L1_LOSS_HINTS = (
    hint_if_close("the quadratic branch must be 0.5 * d**2 / beta (divided by beta)", "loss",
                  _mistaken("no division by beta", "loss")),
    hint_if_close("the linear branch must be |d| - 0.5 * beta (the offset scales with beta)", "loss",
                  _mistaken("offset 0.5", "loss")),
    hint_if_close("beta is ignored: the loss is computed as if beta were 1", "loss", _mistaken("beta ignored", "loss")),
    hint_if_close("the branch is chosen by comparing d with beta; compare |d| with beta", "loss",
                  _mistaken("signed threshold", "loss")),
    hint_if_scaled("this is the Huber loss (beta times smooth L1): smooth L1 divides by beta in the quadratic branch "
                   "and uses |d| - 0.5 * beta in the linear one", "loss", lambda ex: ex.get("beta", 1.0)),
)

SMOOTH_L1_GRADIENT_HINTS = (
    hint_if_close("the quadratic branch's derivative is d / beta", "dpred", _mistaken("no division by beta", "dpred")),
    hint_if_close("beta is ignored: the gradient is computed as if beta were 1", "dpred",
                  _mistaken("beta ignored", "dpred")),
    hint_if_close("the branch is chosen by comparing d with beta; compare |d| with beta", "dpred",
                  _mistaken("signed threshold", "dpred")),
)


# Checks -----------------------------------------------------------------------------------------


def loss_and_gradient_checks(*, loss_hints=(), gradient_hints_=(), loss_points=1.5, gradient_points=2.0,
                             suffix=""):
    return (
        matches("loss", points=loss_points, name=f"loss matches torch{suffix}",
                hints=reduction_hints("loss") + tuple(loss_hints)),
        matches("dpred", points=gradient_points, name=f"dpred matches torch autograd{suffix}",
                hints=gradient_hints("dpred") + tuple(gradient_hints_)),
    )


# Exercises --------------------------------------------------------------------------------------

PAIR = {"args": ("pred", "target")}

EXERCISES = [
    Exercise("mse_loss", TOPIC, (
        Scenario("predictions of any shape", prediction_pairs(), _elementwise_reference(F.mse_loss), returns=("loss", "dpred"),
                 call=PAIR, checks=loss_and_gradient_checks(gradient_hints_=(
                     hint_if_scaled("the gradient is missing the factor 2: the derivative of d**2 is 2 * d", "dpred",
                                    lambda ex: 0.5),)) + (unchanged_inputs(points=0.5),)),
    ), (numpy_only(points=0.5),)),
    Exercise("l1_loss", TOPIC, (
        Scenario("predictions of any shape", prediction_pairs(kinks=(0.0,)), _elementwise_reference(F.l1_loss),
                 returns=("loss", "dpred"), call=PAIR, checks=loss_and_gradient_checks(gradient_hints_=(
                     hint_if_close("the derivative of |d| is sign(d) (not d)", "dpred",
                                   lambda ex, exp: (ex["pred"] - ex["target"]) / ex["pred"].size),)) + (
                     unchanged_inputs(points=0.5),)),
    ), (numpy_only(points=0.5),)),
    Exercise("smooth_l1_loss", TOPIC, (
        Scenario("default beta", prediction_pairs(kinks=(1.0,)), smooth_l1_reference, returns=("loss", "dpred"),
                 call=PAIR, checks=loss_and_gradient_checks(
                     loss_hints=SMOOTH_L1_LOSS_HINTS, gradient_hints_=SMOOTH_L1_GRADIENT_HINTS, loss_points=1.0,
                     gradient_points=1.0) + (unchanged_inputs(points=0.5),)),
        Scenario("beta given", prediction_pairs(beta=betas()), smooth_l1_reference, returns=("loss", "dpred"),
                 call={**PAIR, "kwargs": ("beta",)}, checks=loss_and_gradient_checks(
                     loss_hints=SMOOTH_L1_LOSS_HINTS, gradient_hints_=SMOOTH_L1_GRADIENT_HINTS, loss_points=1.0,
                     gradient_points=1.5, suffix=" (beta given)")),
    ), (numpy_only(points=0.5),)),
    Exercise("bce_with_logits_loss", TOPIC, (
        Scenario("logits of any shape", logit_batches(), bce_reference, returns=("loss", "dlogits"),
                 call={"args": ("logits", "target")}, checks=(
                     matches("loss", points=1.5, scale=reference_scale, hints=reduction_hints("loss", "logits")),
                     matches("dlogits", points=2.0, name="dlogits matches torch autograd", scale=reference_scale,
                             hints=gradient_hints("dlogits", "logits") + (
                                 hint_if_close("dlogits is (sigmoid(z) - t) / size: the - t is missing",
                                               "dlogits", lambda ex, exp: exp["sigmoid"] / ex["logits"].size),)),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("logits of large magnitude", logit_batches(magnitude=1e4), bce_reference, returns=("loss", "dlogits"),
                 call={"args": ("logits", "target")}, checks=(
                     matches("loss", "dlogits", points=1.0, name="finite and correct for logits of magnitude up to 1e4",
                             scale=reference_scale, finite=True,
                             typical={"loss": "loss matches torch", "dlogits": "dlogits matches torch autograd"},
                             hints=(Hint(LOG_OF_SIGMOID, _naive_log_sigmoid, "loss"),
                                    hint_if_nonfinite(SIGMOID_OVERFLOW, "dlogits"))),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("l2_regularization", TOPIC, (
        Scenario("weights of any shape", weights(), _penalty_reference(lambda W: (W * W).sum()), returns=("loss", "dW"),
                 call={"args": ("W", "reg")}, checks=(
                     matches("loss", points=1.5, hints=(
                         hint_if_scaled("the penalty has 0.5 * reg; the contract's is reg * np.sum(W * W)", "loss",
                                        lambda ex: 0.5),
                         hint_if_scaled("the penalty is a sum over the weights, not a mean", "loss",
                                        lambda ex: 1 / ex["W"].size),
                         hint_if_close("the penalty is reg times the squared norm sum(W * W), not the norm", "loss",
                                       lambda ex, exp: ex["reg"] * np.sqrt(np.sum(ex["W"] ** 2))),
                     )),
                     matches("dW", points=2.0, name="dW matches torch autograd", hints=(
                         hint_if_scaled("dW is missing the factor 2: the derivative of reg * sum(W*W) is 2 * reg * W",
                                        "dW", lambda ex: 0.5),
                         hint_if_scaled("dW is divided by the number of weights: the penalty is a sum, not a mean",
                                        "dW", lambda ex: 1 / ex["W"].size),
                         hint_if_scaled("dW has the wrong sign", "dW", lambda ex: -1),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("l1_regularization", TOPIC, (
        Scenario("weights of any shape", weights(kinks=(0.0,)), _penalty_reference(lambda W: W.abs().sum()),
                 returns=("loss", "dW"), call={"args": ("W", "reg")}, checks=(
                     matches("loss", points=1.5, hints=(
                         hint_if_scaled("the penalty is a sum over the weights, not a mean", "loss",
                                        lambda ex: 1 / ex["W"].size),
                         hint_if_close("the penalty sums |W|, not W", "loss", lambda ex, exp: ex["reg"] * np.sum(ex["W"])),
                     )),
                     matches("dW", points=2.0, name="dW matches torch autograd", hints=(
                         hint_if_close("the derivative of |w| is sign(w), not w", "dW", lambda ex, exp: ex["reg"] * ex["W"]),
                         hint_if_close("the derivative of |w| is sign(w): negative weights get -reg", "dW",
                                       lambda ex, exp: ex["reg"] * np.ones_like(ex["W"])),
                         hint_if_scaled("dW is divided by the number of weights: the penalty is a sum, not a mean",
                                        "dW", lambda ex: 1 / ex["W"].size),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
]
