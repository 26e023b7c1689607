"""Graders of the topic `svm`: the multiclass hinge loss of a linear classifier and of scores."""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import F, torch  # imported on first use

from autograde_tests import softmax
from autograde_tests import strategies as dst
from grader.engine import compare
from grader.engine.checks import (Exercise, Hint, Scenario, hint_if_close, hint_if_scaled, matches, no_loops, numpy_only,
                                  unchanged_inputs)

TOPIC = "svm"


# References -------------------------------------------------------------------------------------


def _hinge_mistakes(scores: torch.Tensor, y: torch.Tensor) -> dict:
    """Gradients (w.r.t. the scores, not averaged) that common mistakes produce, for the hints."""
    rows = torch.arange(len(y))
    margins = scores - scores[rows, y][:, None] + 1
    onehot = F.one_hot(y, scores.shape[1]).to(scores.dtype)
    positive = (margins > 0).to(scores.dtype) * (1 - onehot)
    return {"no_correct_class": positive,  # the -count at the correct class forgotten
            "every_class": positive - (scores.shape[1] - 1) * onehot}  # -1 at y_i for every j, positive or not


def _mean_hinge(scores: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # multi_margin_loss averages sum_{j != y_i} max(0, 1 - s_{y_i} + s_j) over the C classes too.
    return F.multi_margin_loss(scores, y, p=1, margin=1.0, reduction="mean") * scores.shape[1]


def linear_svm_reference(example):
    """mean hinge loss of X W plus reg * sum(W * W), its gradient, and the pieces the hints need."""
    W = torch.from_numpy(example["W"]).requires_grad_()
    X, y, reg = torch.from_numpy(example["X"]), torch.from_numpy(example["y"]), example["reg"]
    data_loss = _mean_hinge(X @ W, y)
    (data_dW,) = torch.autograd.grad(data_loss, W)
    mistaken = {name: (X.T @ g / len(y)).numpy() for name, g in _hinge_mistakes((X @ W).detach(), y).items()}
    penalty = (W.detach() ** 2).sum().item()
    return {"loss": data_loss.item() + reg * penalty, "dW": data_dW.numpy() + 2 * reg * example["W"],
            "data_loss": data_loss.item(), "data_dW": data_dW.numpy(), "penalty": penalty, "mistaken_dW": mistaken}


def svm_loss_reference(example):
    x = torch.from_numpy(example["x"]).requires_grad_()
    y = torch.from_numpy(example["y"])
    loss = _mean_hinge(x, y)
    loss.backward()
    mistaken = {name: (g / len(y)).numpy() for name, g in _hinge_mistakes(x.detach(), y).items()}
    return {"loss": loss.item(), "dx": x.grad.numpy(), "mistaken_dx": mistaken}


# Strategies -------------------------------------------------------------------------------------

# A margin s_j - s_{y_i} + 1 this close to 0 (relative to the size of the terms that make up the scores)
# could fall on either side of the hinge through rounding alone; such inputs are never generated.
KINK_CLEARANCE = 1e-6


def _clear_of_the_hinge(scores, bounds, y) -> bool:
    """No margin scores[i, j] - scores[i, y_i] + 1 (j != y_i) within rounding reach of 0.

    `bounds` bounds the magnitude of every term summed into each score (|X| |W| for X W): rounding
    errors of any correct algebra are a tiny fraction of it.
    """
    rows = np.arange(len(y))
    margins = scores - scores[rows, y][:, None] + 1
    reach = KINK_CLEARANCE * (1 + bounds + bounds[rows, y][:, None])
    near = np.abs(margins) <= reach
    near[rows, y] = False
    return not near.any()


def _linear_clear(example) -> bool:
    X, W = example["X"], example["W"]
    return _clear_of_the_hinge(X @ W, np.abs(X) @ np.abs(W), example["y"])


def _scores_clear(example) -> bool:
    return _clear_of_the_hinge(example["x"], np.abs(example["x"]), example["y"])


def linear_batches():
    return dst.classification_batches().filter(_linear_clear)


def large_linear_batches():
    """Scores X W at an offset of up to 1e4 (rows within 50 of each other), clear of the hinge."""
    return dst.large_offset_batches().filter(_linear_clear)


def score_matrices(*, magnitude: float = 5.0):
    return dst.score_batches(spread=2 * magnitude).filter(_scores_clear)


# Hints ------------------------------------------------------------------------------------------


def _n(example) -> int:
    return len(example["y"])


CORRECT_CLASS_COUNTED = ("the loss is 1 too large per example: the sum over j must skip the correct class "
                         "j == y[i] (its margin is always 1)")
NO_CORRECT_CLASS_GRADIENT = ("the gradient is missing the correct class's term: for each positive margin, "
                             "X[i] is also subtracted from column y[i] (dscores[i, y[i]] = -(number of "
                             "positive margins in row i))")
EVERY_CLASS_GRADIENT = ("the correct class's column gets -X[i] for every j != y[i]; it should get it only for "
                        "the classes whose margin is positive")


def _when_wrong(output, hints):
    """The hints, applying only while `output` itself is wrong (for checks that judge several outputs)."""

    def wrong(example, outcome, expected):
        return not compare.close(outcome.outputs.get(output), expected[output])

    return tuple(Hint(h.text, lambda ex, out, exp, h=h: wrong(ex, out, exp) and h.applies(ex, out, exp), output)
                 for h in hints)


def _reg_dW(example):
    return 2 * example["reg"] * example["W"]


# The loss has the softmax loss's shape (mean data loss plus reg * sum(W*W)): the same mistakes, plus one.
# Not softmax's epsilon-in-the-log hint: it reads the softmax probabilities, which a hinge loss has none of.
LINEAR_LOSS_HINTS = softmax.PENALTY_HINTS + (hint_if_close(CORRECT_CLASS_COUNTED, "loss", lambda ex, exp: exp["loss"] + 1),)

LINEAR_GRADIENT_HINTS = (
    hint_if_close("dW is N times too large: divide the data gradient by the number of examples N", "dW",
                  lambda ex, exp: _n(ex) * exp["data_dW"] + _reg_dW(ex)),
    hint_if_close("the regularization gradient is missing from dW (add 2 * reg * W)", "dW",
                  lambda ex, exp: exp["data_dW"]),
    hint_if_close("the regularization gradient is reg * W, but the derivative of reg * sum(W*W) is 2 * reg * W "
                  "(a 0.5 mismatch between the loss and its gradient)", "dW",
                  lambda ex, exp: exp["data_dW"] + ex["reg"] * ex["W"]),
    hint_if_close("dW has the wrong sign: positive margins add X[i] to column j and subtract it from column y[i]",
                  "dW", lambda ex, exp: -exp["data_dW"] + _reg_dW(ex)),
    hint_if_close(NO_CORRECT_CLASS_GRADIENT, "dW", lambda ex, exp: exp["mistaken_dW"]["no_correct_class"] + _reg_dW(ex)),
    hint_if_close(EVERY_CLASS_GRADIENT, "dW", lambda ex, exp: exp["mistaken_dW"]["every_class"] + _reg_dW(ex)),
)


# Exercises --------------------------------------------------------------------------------------


def _linear_svm_scenarios():
    call = {"args": ("W", "X", "y", "reg")}
    return (
        Scenario("typical inputs", linear_batches(), linear_svm_reference, returns=("loss", "dW"), call=call, checks=(
            matches("loss", points=1.5, hints=LINEAR_LOSS_HINTS),
            matches("dW", points=2.5, name="dW matches torch autograd", hints=LINEAR_GRADIENT_HINTS),
            unchanged_inputs(points=0.5),
        )),
        Scenario("scores of large magnitude", large_linear_batches(), linear_svm_reference, returns=("loss", "dW"),
                 call=call, checks=(
                     matches("loss", "dW", points=1.0, name="correct for scores of magnitude up to 1e4", finite=True,
                             typical={"loss": "loss matches torch", "dW": "dW matches torch autograd"},
                             hints=_when_wrong("loss", LINEAR_LOSS_HINTS) + _when_wrong("dW", LINEAR_GRADIENT_HINTS)),
                 )),
    )


EXERCISES = [
    Exercise("svm_loss_naive", TOPIC, _linear_svm_scenarios(), (numpy_only(points=0.5),)),
    Exercise("svm_loss_vectorized", TOPIC, _linear_svm_scenarios(), (no_loops(points=1.0), numpy_only(points=0.5))),
    Exercise("svm_loss", TOPIC, (
        Scenario("typical scores", score_matrices(), svm_loss_reference, returns=("loss", "dx"),
                 call={"args": ("x", "y")}, checks=(
                     matches("loss", points=1.5, hints=(
                         hint_if_scaled("the loss is summed, not averaged: divide by the number of examples N",
                                        "loss", _n),
                         hint_if_close(CORRECT_CLASS_COUNTED, "loss", lambda ex, exp: exp["loss"] + 1),
                     )),
                     matches("dx", points=2.0, name="dx matches torch autograd", hints=(
                         hint_if_scaled("dx is N times too large: divide it by the number of examples N", "dx", _n),
                         hint_if_scaled("dx has the wrong sign: a positive margin adds +1 at class j and -1 at y[i]",
                                        "dx", lambda ex: -1),
                         hint_if_close(NO_CORRECT_CLASS_GRADIENT, "dx",
                                       lambda ex, exp: exp["mistaken_dx"]["no_correct_class"]),
                         hint_if_close(EVERY_CLASS_GRADIENT, "dx", lambda ex, exp: exp["mistaken_dx"]["every_class"]),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("scores of large magnitude", score_matrices(magnitude=1e4), svm_loss_reference,
                 returns=("loss", "dx"), call={"args": ("x", "y")}, checks=(
                     matches("loss", "dx", points=1.0, name="correct for scores of magnitude up to 1e4", finite=True,
                             typical={"loss": "loss matches torch", "dx": "dx matches torch autograd"}),
                 )),
    ), (numpy_only(points=0.5),)),
]
