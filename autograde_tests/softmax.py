"""Graders of the topic `softmax`: the softmax function and the softmax (cross-entropy) losses."""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import F, torch  # imported on first use

from autograde_tests import strategies as dst
from grader.engine import compare
from grader.engine.checks import (Check, Exercise, Failure, Hint, Scenario, failed_call, hint_if_close, hint_if_nonfinite,
                                  hint_if_scaled, matches, no_loops, numpy_only, unchanged_inputs)

TOPIC = "softmax"


# References -------------------------------------------------------------------------------------


def softmax_reference(example):
    x = torch.from_numpy(example["x"])
    return {"probs": torch.softmax(x, dim=1).numpy(), "probs_by_column": torch.softmax(x, dim=0).numpy()}


def linear_softmax_reference(example):
    """Loss and gradient of mean cross-entropy of X W plus reg * sum(W * W), and their pieces for hints."""
    W = torch.from_numpy(example["W"]).requires_grad_()
    X, y, reg = torch.from_numpy(example["X"]), torch.from_numpy(example["y"]), example["reg"]
    data_loss = F.cross_entropy(X @ W, y)
    (data_dW,) = torch.autograd.grad(data_loss, W)
    penalty = (W.detach() ** 2).sum().item()
    W_np = example["W"]
    return {"loss": data_loss.item() + reg * penalty, "dW": data_dW.numpy() + 2 * reg * W_np,
            "data_loss": data_loss.item(), "data_dW": data_dW.numpy(), "penalty": penalty,
            "probs": torch.softmax((X @ W).detach(), dim=1).numpy()}


def softmax_loss_reference(example):
    x = torch.from_numpy(example["x"]).requires_grad_()
    loss = F.cross_entropy(x, torch.from_numpy(example["y"]))
    loss.backward()
    return {"loss": loss.item(), "dx": x.grad.numpy(), "probs": torch.softmax(x.detach(), dim=1).numpy()}


# Strategies -------------------------------------------------------------------------------------
# Shared with svm in autograde_tests.strategies: classification_batches, large_offset_batches, score_batches.

# Scores of large magnitude: rows at offsets up to 1e4 from each other, each row within 50 (so a shift
# by the batch's maximum, not each row's, underflows a row far below the top one).
LARGE_SCORES = dict(max_offset=1e4, spread=50)


# Hints ------------------------------------------------------------------------------------------

NO_MAX_SHIFT = ("the result overflows for large scores: subtract each row's maximum before exponentiating "
                "(softmax does not change when a constant is added to a row)")
GLOBAL_MAX_SHIFT = ("the scores are shifted by the largest score of the whole batch, not of each row: a row far below "
                    "it underflows to exp(...) = 0; subtract each row's own maximum (np.max(x, axis=1, keepdims=True))")
EPSILON_IN_LOG = ("the loss adds an epsilon inside the log (log(p + eps)): that changes the loss when the correct class "
                  "has a tiny probability; compute log p as shifted - log(sum(exp(shifted))) (log-softmax), which "
                  "never takes log(0)")


def _n(example) -> int:
    return len(example["y"])


def _epsilon_in_log(example, outcome, expected) -> bool:
    """The loss is -mean(log(p[y] + eps)) (+ the penalty) for some eps in [1e-40, 0.1]: an epsilon
    inside the log. It lowers the loss, by more the smaller p[y] is; found by bisection on log10(eps)."""
    got = outcome.outputs.get("loss")
    if got is None or not np.isfinite(got) or got >= expected["loss"] or compare.close(got, expected["loss"]):
        return False
    probs = expected["probs"]
    p = probs[np.arange(len(probs)), example["y"]]
    if not (p > 0).all():
        return False
    rest = expected["loss"] + float(np.mean(np.log(p)))  # the penalty, if any

    def loss(log_eps):
        return rest - float(np.mean(np.log(p + 10.0 ** log_eps)))

    low, high = -40.0, -1.0
    if not loss(high) <= got <= loss(low):
        return False
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if loss(middle) > got else (low, middle)
    return compare.close(got, loss(low))


def _scores(example):
    return example["x"] if "x" in example else example["X"] @ example["W"]


def _shifted_by_the_batch_max(example, outcome, expected) -> bool:
    """A wrong output, and some row's largest score so far below the batch's largest that exp of the
    row shifted by the batch's maximum loses precision (below exp(-708), subnormal) or underflows to 0."""
    tops = _scores(example).max(axis=1)
    wrong = any(not compare.close(got, expected[name]) for name, got in outcome.outputs.items())
    return wrong and bool((tops.max() - tops > 700).any())


EPSILON_HINT = Hint(EPSILON_IN_LOG, _epsilon_in_log, "loss")


def _stability_hints(*outputs: str):
    """The overflow hint for each output, and the one for a shift by the batch's maximum."""
    global_shift = (Hint(GLOBAL_MAX_SHIFT, _shifted_by_the_batch_max),)
    return tuple(hint_if_nonfinite(NO_MAX_SHIFT, output) for output in outputs) + global_shift


# Mistakes of a linear classifier's loss, whatever its data loss (svm uses them too).
PENALTY_HINTS = (
    hint_if_close("the regularization term is missing from the loss (add reg * np.sum(W * W))", "loss",
                  lambda ex, exp: exp["data_loss"]),
    hint_if_close("the loss has 0.5 * reg * sum(W*W); the contract's loss is reg * np.sum(W * W)", "loss",
                  lambda ex, exp: exp["data_loss"] + 0.5 * ex["reg"] * exp["penalty"]),
    hint_if_close("the data loss is summed, not averaged: divide it by the number of examples N", "loss",
                  lambda ex, exp: _n(ex) * exp["data_loss"] + ex["reg"] * exp["penalty"]),
)
LINEAR_LOSS_HINTS = PENALTY_HINTS + (EPSILON_HINT,)

LINEAR_GRADIENT_HINTS = (
    hint_if_close("dW is N times too large: divide the data gradient by the number of examples N", "dW",
                  lambda ex, exp: _n(ex) * exp["data_dW"] + 2 * ex["reg"] * ex["W"]),
    hint_if_close("the regularization gradient is missing from dW (add 2 * reg * W)", "dW",
                  lambda ex, exp: exp["data_dW"]),
    hint_if_close("the regularization gradient is reg * W, but the derivative of reg * sum(W*W) is 2 * reg * W "
                  "(a 0.5 mismatch between the loss and its gradient)", "dW",
                  lambda ex, exp: exp["data_dW"] + ex["reg"] * ex["W"]),
    hint_if_close("dW has the wrong sign: the gradient of -log p[y] is (p - onehot(y)), not (onehot(y) - p)", "dW",
                  lambda ex, exp: -exp["data_dW"] + 2 * ex["reg"] * ex["W"]),
)


# Checks -----------------------------------------------------------------------------------------


def _rows_sum_to_one(example, outcome, expected):
    failure = failed_call(outcome, "probs")
    if failure:
        return failure
    sums = np.asarray(outcome.outputs["probs"], dtype=np.float64).sum(axis=1)
    bad = np.flatnonzero(~(np.abs(sums - 1.0) <= 1e-9))
    if bad.size:
        return Failure(f"row {bad[0]} of probs sums to {sums[bad[0]]:.10g}, not 1")
    return None


def _rounding_scale(example, expected, output):
    """The size of the terms each output is computed from, which sets its rounding error at large
    scores however small the output: the loss is log-sum-exp minus the correct score (scores of about
    1e4); dx is (probs - onehot(y)) / N, terms of size 1 / N. Other outputs: their own size."""
    if output == "loss":
        return example["x"] if "x" in example else np.dot(example["X"], example["W"])
    if output == "dx":
        return 1.0 / len(example["y"])
    return None


def _stable(*outputs: str, typical: dict[str, str], hints=()) -> Check:
    return matches(*outputs, points=1.0, name="stable for scores of magnitude up to 1e4", finite=True,
                   scale=_rounding_scale, typical=typical, hints=_stability_hints(*outputs) + tuple(hints))


# Exercises --------------------------------------------------------------------------------------

LINEAR_TYPICAL = {"loss": "loss matches torch", "dW": "dW matches torch autograd"}


def _linear_loss_scenarios():
    return (
        Scenario("typical inputs", dst.classification_batches(), linear_softmax_reference, returns=("loss", "dW"),
                 call={"args": ("W", "X", "y", "reg")}, checks=(
                     matches("loss", points=1.5, hints=LINEAR_LOSS_HINTS),
                     matches("dW", points=2.5, name="dW matches torch autograd", hints=LINEAR_GRADIENT_HINTS),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("scores of large magnitude", dst.large_offset_batches(), linear_softmax_reference,
                 returns=("loss", "dW"), call={"args": ("W", "X", "y", "reg")}, checks=(
                     _stable("loss", "dW", typical=LINEAR_TYPICAL, hints=(EPSILON_HINT,)),
                 )),
    )


EXERCISES = [
    Exercise("softmax", TOPIC, (
        Scenario("typical scores", dst.score_batches(with_labels=False), softmax_reference, returns="probs", call={"args": ("x",)},
                 checks=(
                     matches("probs", points=2.0, hints=(
                         hint_if_close("probabilities are normalized over columns: sum over axis=1 (each row)",
                                       "probs", lambda ex, exp: exp["probs_by_column"]),)),
                     Check("rows sum to one", 0.5, _rows_sum_to_one),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("scores of large magnitude", dst.score_batches(**LARGE_SCORES, with_labels=False), softmax_reference,
                 returns="probs", call={"args": ("x",)}, checks=(
                     _stable("probs", typical={"probs": "probs matches torch"}),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("softmax_loss_naive", TOPIC, _linear_loss_scenarios(), (numpy_only(points=0.5),)),
    Exercise("softmax_loss_vectorized", TOPIC, _linear_loss_scenarios(),
             (no_loops(points=1.0), numpy_only(points=0.5))),
    Exercise("softmax_loss", TOPIC, (
        Scenario("typical scores", dst.score_batches(), softmax_loss_reference, returns=("loss", "dx"),
                 call={"args": ("x", "y")}, checks=(
                     matches("loss", points=1.5, hints=(
                         hint_if_scaled("the loss is summed, not averaged: divide by the number of examples N",
                                        "loss", _n),
                         EPSILON_HINT)),
                     matches("dx", points=2.0, name="dx matches torch autograd", hints=(
                         hint_if_scaled("dx is N times too large: divide it by the number of examples N", "dx", _n),
                         hint_if_close("dx is missing the -1 at each example's correct class "
                                       "(dx = (probs - onehot(y)) / N)", "dx", lambda ex, exp: exp["probs"] / _n(ex)),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("scores of large magnitude", dst.score_batches(**LARGE_SCORES), softmax_loss_reference,
                 returns=("loss", "dx"), call={"args": ("x", "y")}, checks=(
                     _stable("loss", "dx", typical={"loss": "loss matches torch", "dx": "dx matches torch autograd"},
                             hints=(EPSILON_HINT,)),
                 )),
    ), (numpy_only(points=0.5),)),
]
