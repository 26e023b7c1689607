"""Graders of the topic `activations`: nine elementwise activations, each a forward and a backward exercise.

Every function is judged against float64 torch (autograd for the backward passes), on typical inputs
(with default and non-default hyperparameters) and on inputs of magnitude up to 1e3. Caches are
opaque, so a backward pass is always run on the cache of the student's own forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from grader.engine.lazy_modules import F, torch  # imported on first use
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograde_tests import strategies as dst
from grader.engine.checks import (Check, Exercise, Scenario, hint_if_close, hint_if_nonfinite, hint_if_returned, matches,
                                  numpy_only, unchanged_inputs)
from grader.isolation.drivers import forward_then_backward

TOPIC = "activations"


# References -------------------------------------------------------------------------------------


def reference_of(activation: Activation):
    """out, and with a dout in the example, dx (and dalpha) by torch autograd."""

    def reference(example):
        x = torch.from_numpy(example["x"]).requires_grad_()
        alpha = example.get("alpha")
        if isinstance(alpha, np.ndarray):
            alpha = torch.from_numpy(alpha).requires_grad_()
        out = activation.function(x, alpha)
        expected = {"out": out.detach().numpy()}
        if "dout" in example:
            wrt = [x, alpha] if activation.per_feature else [x]
            grads = torch.autograd.grad(out, wrt, torch.from_numpy(example["dout"]))
            expected["dx"] = grads[0].numpy()
            if activation.per_feature:
                expected["dalpha"] = grads[1].numpy()
        return expected

    return reference


def _elu_reference(x, alpha):
    return F.elu(x, alpha=1.0 if alpha is None else alpha)


# Strategies -------------------------------------------------------------------------------------

GAP = 1e-2          # inputs stay this far from every kink, so any subgradient there is accepted
TYPICAL = 8.0       # typical inputs lie in [-8, 8]: both sides of every kink (relu6's at 6 included)
LARGE = (20.0, 1e3)  # magnitudes of the large inputs, where naive exponentials overflow


def _elements(low: float, high: float, holes=()):
    """Floats in [low, high] outside the open intervals `holes` (sorted, disjoint)."""
    pieces, start = [], low
    for a, b in holes:
        pieces.append((start, a))
        start = b
    pieces.append((start, high))
    return st.one_of(*[dst.floats(min_value=a, max_value=b) for a, b in pieces if a < b])


def typical_elements(kinks=()):
    return _elements(-TYPICAL, TYPICAL, [(k - GAP, k + GAP) for k in kinks])


def large_elements():
    return _elements(-LARGE[1], LARGE[1], [(-LARGE[0], LARGE[0])])


def no_hyperparameters(shape):
    return st.just({})


def optional_alpha(low: float, high: float):
    """alpha left out (the default applies) or a non-default value in [low, high]."""
    return lambda shape: st.one_of(st.just({}), dst.floats(min_value=low, max_value=high).map(lambda a: {"alpha": a}))


def per_feature_alpha(shape):
    return hnp.arrays(np.float64, shape[1:], elements=dst.floats(min_value=0.0, max_value=0.95)).map(
        lambda a: {"alpha": a})


@st.composite
def activation_inputs(draw, *, two_dimensional: bool = False, elements, hyperparameters, with_dout: bool):
    """Dicts x (any small shape, or (N, D)), the activation's hyperparameters, and dout shaped like x."""
    if two_dimensional:
        shape = (draw(st.integers(1, 5)), draw(st.integers(1, 4)))
    else:
        shape = draw(dst.shapes(max_dims=3))
    example = {"x": draw(hnp.arrays(np.float64, shape, elements=elements))}
    example.update(draw(hyperparameters(shape)))
    if with_dout:
        example["dout"] = draw(dst.float_arrays(shape))
    return example


# Hints ------------------------------------------------------------------------------------------

OVERFLOW = ("np.exp overflows for inputs of large magnitude: exponentiate only non-positive numbers "
            "(e.g. branch on the sign of x, or use np.logaddexp / np.log1p(np.exp(-np.abs(x))))")


def _sigmoid(x):
    return np.exp(-np.logaddexp(0, -x))


def _softplus(x):
    return np.logaddexp(0, x)


def _alpha(example, default):
    return example.get("alpha", default)


def _leaky_wrong_side(default):
    def model(ex, exp):
        a = _alpha(ex, default)
        return np.where(ex["x"] > 0, a * ex["x"], ex["x"])

    return model


def _leaky_wrong_side_grad(default):
    def model(ex, exp):
        return ex["dout"] * np.where(ex["x"] > 0, _alpha(ex, default), 1.0)

    return model


WRONG_SIDE = "the slope alpha is applied on the wrong side: it scales the negative inputs (x <= 0), not the positive ones"
WRONG_SIDE_GRAD = "the gradient uses the slope on the wrong side: dx = dout where x > 0, alpha * dout where x <= 0"


# Checks -----------------------------------------------------------------------------------------

# Activations are O(1)-scaled functions, so an absolute error of ATOL is rounding whatever the size of
# the output: sigmoid(-30) computed as 0.5 * (1 + tanh(-15)) is off by 1e-17 absolutely (1e-3
# relatively). Comparisons therefore use an error scale of at least 1.
SCALE = 1.0


def close_to_torch(output: str, *, points: float, name: str | None = None, hints=()) -> Check:
    return matches(output, points=points, name=name, scale=SCALE, hints=tuple(hints))


def stable(*outputs: str, typical: dict[str, str], hints=()) -> Check:
    """Finite and right on large inputs, for the outputs right on typical ones (`typical`: their checks)."""
    hints = tuple(hints) + tuple(hint_if_nonfinite(OVERFLOW, output) for output in outputs)
    return matches(*outputs, points=1.0, name="stable for inputs of magnitude up to 1e3", scale=SCALE, finite=True,
                   typical=typical, hints=hints)


def large_inputs_unchanged() -> Check:
    """Inputs not modified, on the large inputs too: in-place clipping against overflow changes only those."""
    return unchanged_inputs(points=0.25, name="inputs of large magnitude are not modified")


# Exercises --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    name: str
    function: object            # torch: function(x, alpha) -> out; alpha is None when not given
    kinks: tuple = ()
    hyperparameters: object = no_hyperparameters
    per_feature: bool = False   # prelu: x (N, D), alpha (D,) learned, so backward also returns dalpha
    forward_hints: tuple = ()
    backward_hints: tuple = ()  # for dx
    dalpha_hints: tuple = ()
    stability_hints: tuple = ()


ACTIVATIONS = (
    Activation(
        "sigmoid", lambda x, a: torch.sigmoid(x),
        forward_hints=(hint_if_close("the sign of the exponent is flipped: sigma(x) = 1 / (1 + exp(-x))", "out",
                                     lambda ex, exp: _sigmoid(-ex["x"])),),
        backward_hints=(
            hint_if_close("the derivative is applied to x itself: sigma'(x) = sigma(x) * (1 - sigma(x)), with "
                          "sigma(x) the forward output, not x * (1 - x)", "dx",
                          lambda ex, exp: ex["dout"] * ex["x"] * (1 - ex["x"])),
            hint_if_close("dx is sigma'(x) alone: multiply it by dout (chain rule)", "dx",
                          lambda ex, exp: _sigmoid(ex["x"]) * (1 - _sigmoid(ex["x"]))),
        )),
    Activation(
        "tanh", lambda x, a: torch.tanh(x),
        backward_hints=(
            hint_if_close("the derivative is applied to x itself: tanh'(x) = 1 - tanh(x)**2, not 1 - x**2", "dx",
                          lambda ex, exp: ex["dout"] * (1 - ex["x"] ** 2)),
            hint_if_close("tanh'(x) is 1 - tanh(x)**2: the square is missing", "dx",
                          lambda ex, exp: ex["dout"] * (1 - np.tanh(ex["x"]))),
        )),
    Activation(
        "leaky_relu", lambda x, a: F.leaky_relu(x, negative_slope=0.01 if a is None else a), kinks=(0.0,),
        hyperparameters=optional_alpha(0.05, 0.95),
        forward_hints=(
            hint_if_close(WRONG_SIDE, "out", _leaky_wrong_side(0.01)),
            hint_if_close("the alpha argument is ignored (a fixed slope of 0.01 is used)", "out",
                          lambda ex, exp: np.where(ex["x"] > 0, ex["x"], 0.01 * ex["x"])),
        ),
        backward_hints=(
            hint_if_close(WRONG_SIDE_GRAD, "dx", _leaky_wrong_side_grad(0.01)),
            hint_if_close("the gradient is zero for negative inputs, as for a plain ReLU: it is alpha * dout there",
                          "dx", lambda ex, exp: ex["dout"] * (ex["x"] > 0)),
        )),
    Activation(
        "prelu", lambda x, a: F.prelu(x, a), kinks=(0.0,), hyperparameters=per_feature_alpha, per_feature=True,
        forward_hints=(hint_if_close(WRONG_SIDE, "out", _leaky_wrong_side(None)),),
        backward_hints=(hint_if_close(WRONG_SIDE_GRAD, "dx", _leaky_wrong_side_grad(None)),),
        dalpha_hints=(
            hint_if_returned("dalpha is not summed over the batch: alpha is shared by all N examples, so "
                             "dalpha = sum over i of dout[i] * x[i] where x[i] <= 0, of shape (D,)", 1,
                             lambda ex, exp: ex["dout"] * np.minimum(ex["x"], 0)),
            hint_if_returned("dalpha is averaged over the batch; the gradient of a shared parameter is the sum", 1,
                             lambda ex, exp: exp["dalpha"] / len(ex["x"])),
            hint_if_returned("dalpha is missing the factor x: d(alpha * x)/d alpha = x", 1,
                             lambda ex, exp: np.sum(ex["dout"] * (ex["x"] <= 0), axis=0)),
        )),
    Activation(
        "elu", _elu_reference, kinks=(0.0,), hyperparameters=optional_alpha(0.1, 3.0),
        forward_hints=(hint_if_close("the alpha argument is ignored in the negative part alpha * (exp(x) - 1)", "out",
                                     lambda ex, exp: np.where(ex["x"] > 0, ex["x"], np.expm1(np.minimum(ex["x"], 0)))),),
        backward_hints=(
            hint_if_close("the gradient forgets alpha: for x <= 0 it is dout * alpha * exp(x)", "dx",
                          lambda ex, exp: ex["dout"] * np.where(ex["x"] > 0, 1.0, np.exp(np.minimum(ex["x"], 0)))),
            hint_if_close("for x <= 0 the derivative of alpha * (exp(x) - 1) is alpha * exp(x), not the output", "dx",
                          lambda ex, exp: ex["dout"] * np.where(
                              ex["x"] > 0, 1.0, _alpha(ex, 1.0) * np.expm1(np.minimum(ex["x"], 0)))),
        )),
    Activation(
        "relu6", lambda x, a: F.relu6(x), kinks=(0.0, 6.0),
        forward_hints=(hint_if_close("the output is not capped at 6: relu6(x) = min(max(x, 0), 6)", "out",
                                     lambda ex, exp: np.maximum(ex["x"], 0)),),
        backward_hints=(hint_if_close("the gradient passes for x > 6 too, where relu6 is flat: dx = dout only "
                                      "where 0 < x < 6", "dx", lambda ex, exp: ex["dout"] * (ex["x"] > 0)),)),
    Activation(
        "softplus", lambda x, a: torch.logaddexp(x, torch.zeros_like(x)),
        backward_hints=(
            hint_if_close("the derivative of softplus is sigma(x) = 1 / (1 + exp(-x)); this is sigma(-x)", "dx",
                          lambda ex, exp: ex["dout"] * _sigmoid(-ex["x"])),
            hint_if_close("the derivative of softplus is sigma(x), not exp(x)", "dx",
                          lambda ex, exp: ex["dout"] * np.exp(ex["x"])),
        ),
        stability_hints=(hint_if_nonfinite("log(1 + exp(x)) overflows for large x: use max(x, 0) + "
                                           "log1p(exp(-|x|)) (or np.logaddexp(0, x))", "out"),)),
    Activation(
        "swish", lambda x, a: F.silu(x),
        backward_hints=(
            hint_if_close("the product rule is incomplete: d(x * sigma(x)) = sigma(x) + x * sigma(x) * (1 - sigma(x)); "
                          "the second term is missing", "dx", lambda ex, exp: ex["dout"] * _sigmoid(ex["x"])),
            hint_if_close("the product rule is incomplete: d(x * sigma(x)) = sigma(x) + x * sigma(x) * (1 - sigma(x)); "
                          "the first term sigma(x) is missing", "dx",
                          lambda ex, exp: ex["dout"] * ex["x"] * _sigmoid(ex["x"]) * (1 - _sigmoid(ex["x"]))),
        )),
    Activation(
        "mish", lambda x, a: F.mish(x),
        backward_hints=(
            hint_if_close("the chain rule stops at softplus: d softplus(x)/dx = sigma(x) multiplies the tanh' term",
                          "dx", lambda ex, exp: ex["dout"] * (np.tanh(_softplus(ex["x"])) + ex["x"] * (
                              1 - np.tanh(_softplus(ex["x"])) ** 2))),
            hint_if_close("the product rule is incomplete: the term tanh(softplus(x)) is missing", "dx",
                          lambda ex, exp: ex["dout"] * ex["x"] * (1 - np.tanh(_softplus(ex["x"])) ** 2)
                          * _sigmoid(ex["x"])),
        )),
)


def _inputs(activation: Activation, elements, *, with_dout: bool):
    return activation_inputs(two_dimensional=activation.per_feature, elements=elements,
                             hyperparameters=activation.hyperparameters, with_dout=with_dout)


def _call(activation: Activation) -> dict:
    if activation.per_feature:
        return {"args": ("x", "alpha")}
    return {"args": ("x",), "kwargs": ("alpha",)}


def forward_exercise(activation: Activation) -> Exercise:
    reference, call = reference_of(activation), _call(activation)
    return Exercise(f"{activation.name}_forward", TOPIC, (
        Scenario("typical inputs", _inputs(activation, typical_elements(activation.kinks), with_dout=False),
                 reference, returns=("out", "cache"), call=call, checks=(
                     close_to_torch("out", points=2.0, hints=activation.forward_hints),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("inputs of large magnitude", _inputs(activation, large_elements(), with_dout=False), reference,
                 returns=("out", "cache"), call=call,
                 checks=(stable("out", typical={"out": "out matches torch"}, hints=activation.stability_hints),
                         large_inputs_unchanged())),
    ), (numpy_only(points=0.5),))


def backward_exercise(activation: Activation) -> Exercise:
    reference = reference_of(activation)
    call = {"forward": f"{activation.name}_forward", **_call(activation)}
    gradients = ("dx", "dalpha") if activation.per_feature else ("dx",)
    returns = gradients if activation.per_feature else "dx"
    value_checks = [close_to_torch("dx", points=2.0, name="dx matches torch autograd", hints=activation.backward_hints)]
    if activation.per_feature:
        value_checks.append(close_to_torch("dalpha", points=1.5, name="dalpha matches torch autograd",
                                           hints=activation.dalpha_hints))
    return Exercise(f"{activation.name}_backward", TOPIC, (
        Scenario("typical inputs", _inputs(activation, typical_elements(activation.kinks), with_dout=True),
                 reference, returns=returns, driver=forward_then_backward, call=call,
                 checks=(*value_checks, unchanged_inputs(points=0.5))),
        Scenario("inputs of large magnitude", _inputs(activation, large_elements(), with_dout=True), reference,
                 returns=returns, driver=forward_then_backward, call=call,
                 checks=(stable(*gradients, typical={g: f"{g} matches torch autograd" for g in gradients}),
                         large_inputs_unchanged())),
    ), (numpy_only(points=0.5),))


EXERCISES = [exercise for activation in ACTIVATIONS
             for exercise in (forward_exercise(activation), backward_exercise(activation))]
