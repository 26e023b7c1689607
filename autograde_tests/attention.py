"""Graders of the topic `attention`: scaled dot-product attention, forward and backward, with a mask.

The cache is opaque: the backward pass runs after the student's own forward. Masked keys must get
exactly zero weight: a scenario pads some keys (masked for every query) whose values are the only
nonzero ones, so out is exactly 0 and their gradients exactly 0 when they do, at score offsets up
to 1e4 where a finite fill value (-1e4, say) no longer excludes a key. Another pads keys that score
far above the allowed ones (by 800 or more, up to 1e4), where a softmax over every key underflows every
allowed weight to 0: zeroing the masked weights and renormalizing afterwards gives 0 / 0.
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograde_tests import strategies as dst
from autograde_tests._autograd import hint_if_variant, reference, with_derivative
from autograde_tests.rnn import stable_outputs
from grader.engine.checks import (Check, Exercise, Failure, Scenario, failed_call, hint_if_nonfinite, hint_if_returned,
                                  matches, numpy_only, reference_scale, scale_of, unchanged_inputs)
from grader.isolation.drivers import forward_then_backward

TOPIC = "attention"


# References -------------------------------------------------------------------------------------


def attention_model(*, scale="sqrt", softmax_dim=-1, mask_after=False, mask_ignored=False, no_scale_in_grad=False,
                    diagonal_softmax_grad=False):
    """out = softmax(q kᵀ / sqrt(D), masked keys excluded) v; the options model mistakes."""

    def model(t, tape):
        q, k, v, mask = t["q"], t["k"], t["v"], t.get("mask")
        raw = q @ k.transpose(1, 2)
        factor = {"sqrt": q.shape[-1] ** -0.5, "none": 1.0, "D": 1.0 / q.shape[-1]}[scale]
        scores = with_derivative(raw * factor, raw) if no_scale_in_grad else raw * factor
        excluded = mask is not None and not mask_after and not mask_ignored
        weights = torch.softmax(scores.masked_fill(~mask, -torch.inf) if excluded else scores, dim=softmax_dim)
        if diagonal_softmax_grad:
            finite = scores.masked_fill(~mask, 0.0) if excluded else scores
            weights = with_derivative(weights, finite * weights.detach())
        if mask is not None and mask_after:
            weights = weights * mask
        return weights @ v, weights

    return model


VARIANTS = {"no scale": dict(scale="none"), "scale 1/D": dict(scale="D"), "softmax over queries": dict(softmax_dim=1),
            "mask after softmax": dict(mask_after=True), "mask ignored": dict(mask_ignored=True),
            "no scale in gradient": dict(no_scale_in_grad=True), "diagonal softmax gradient": dict(diagonal_softmax_grad=True)}


def _magnitudes(example, weights) -> dict:
    """The size of the terms each output sums: W|v| for out, W^T|dout| for dv, and for dq and dk the
    softmax backward's terms W * (|dout||v|ᵀ + Σ W |dout||v|ᵀ) times |k| or |q| (over sqrt(D))."""
    v, factor = np.abs(example["v"]), example["q"].shape[-1] ** -0.5
    found = {scale_of("out"): float((weights @ v).max(initial=0.0))}
    if "dout" in example:
        dout = np.abs(example["dout"])
        g = dout @ v.transpose(0, 2, 1)
        terms = weights * (g + (weights * g).sum(axis=-1, keepdims=True))
        found.update({scale_of("dq"): float((terms @ np.abs(example["k"])).max(initial=0.0)) * factor,
                      scale_of("dk"): float((terms.transpose(0, 2, 1) @ np.abs(example["q"])).max(initial=0.0)) * factor,
                      scale_of("dv"): float((weights.transpose(0, 2, 1) @ dout).max(initial=0.0))})
    return found


def attention_reference(example):
    variants = {label: attention_model(**options) for label, options in VARIANTS.items()}
    found = reference(example, attention_model(), inputs=("q", "k", "v"), outputs=("out", "weights"),
                      upstream=("dout",), variants=variants)
    return found | _magnitudes(example, found["weights"])


# Strategies -------------------------------------------------------------------------------------

MAX_OFFSET = 1e4
# How far above the allowed scores masked ones sit in "masked keys scoring far above": beyond ~745,
# exp(allowed - max over all keys) underflows to 0 for every allowed key.
MASKED_GAP = 800.0


def _random_mask(draw, n: int, tq: int, tk: int):
    """Booleans (N, Tq, Tk) with at least one True per query row."""
    mask = draw(hnp.arrays(np.bool_, (n, tq, tk)))
    allowed = draw(hnp.arrays(np.int64, (n, tq), elements=st.integers(0, tk - 1)))
    np.put_along_axis(mask, allowed[..., None], True, axis=2)
    return mask


@st.composite
def attention_inputs(draw, *, max_offset: float = 0.0, mask: str | None = None, masked_above: bool = False,
                     with_dout: bool = False):
    """Dicts q (N, Tq, D), k (N, Tk, D), v (N, Tk, Dv)[, mask (N, Tq, Tk)][, dout (N, Tq, Dv)]; Tq = Tk half
    the time (self-attention). mask: None, "random" or "padded" (keys masked for every query, whose values
    are the only nonzero ones). With max_offset, the scaled scores of a query row sit at an offset up to
    max_offset and within 50 of each other: a first feature of the keys equal to 1 carries it.
    `masked_above` (with a padded mask): the allowed scores of a sequence sit at one offset and every
    masked key scores MASKED_GAP to 2e4 above it (still within max_offset), where a softmax over all
    keys underflows every allowed weight to 0; the values are not padded then."""
    n, tq, d, dv = draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    tk = tq if draw(st.booleans()) else draw(st.integers(1, 4))
    if mask == "padded":
        assume(tk >= 2)
    q, k = draw(dst.float_arrays((n, tq, d), magnitude=2.0)), draw(dst.float_arrays((n, tk, d), magnitude=2.0))
    v = draw(dst.float_arrays((n, tk, dv), magnitude=2.0))
    if max_offset and not masked_above:
        offsets = draw(dst.float_arrays((n, tq), min_value=-max_offset, max_value=max_offset))
        if draw(st.integers(0, 3)) == 0:
            # A quarter of the inputs have a row at the bottom of the range, where a finite fill such as
            # -1e4 no longer sits below the allowed scores: every draw (any grading key's) holds some.
            offsets[0, 0] = -max_offset
        k[..., 0] = 1.0
        q[..., 0] += offsets * np.sqrt(d)
    example = {"q": q, "k": k, "v": v}
    if mask == "random":
        example["mask"] = _random_mask(draw, n, tq, tk)
    elif mask == "padded":
        keys = draw(hnp.arrays(np.bool_, (n, tk)))
        keys[:, 0], keys[:, -1] = True, False
        keys = keys[:, draw(st.permutations(range(tk)))]
        example["mask"] = np.ascontiguousarray(np.broadcast_to(keys[:, None, :], (n, tq, tk)))
        if masked_above:
            # score = k[..., 0] + (the other features) / sqrt(D), the latter below 2 * 2 * sqrt(D) <= 8 in size
            top = max_offset - 8.0
            allowed = draw(dst.float_arrays((n, 1), min_value=-top, max_value=top - MASKED_GAP))
            if draw(st.integers(0, 3)) == 0:
                allowed[0, 0] = -top  # as above: a finite fill of -1e4 is then no longer below them
            above = draw(dst.float_arrays((n, tk), min_value=0.0, max_value=1.0))
            q[..., 0] = np.sqrt(d)
            k[..., 0] = np.where(keys, allowed, allowed + MASKED_GAP + above * (top - MASKED_GAP - allowed))
        else:
            padding = draw(hnp.arrays(np.float64, (n, tk, dv), elements=st.one_of(
                dst.floats(min_value=1.0, max_value=10.0), dst.floats(min_value=-10.0, max_value=-1.0))))
            example["v"] = np.where(keys[..., None], 0.0, padding)
    if with_dout:
        example["dout"] = draw(dst.float_arrays((n, tq, dv), magnitude=1.0))
    return example


# Hints ------------------------------------------------------------------------------------------


def _dscores(example, expected):
    """The gradient of the scaled scores."""
    w, v = expected["weights"], example["v"]
    dweights = example["dout"] @ v.transpose(0, 2, 1)
    return w * (dweights - (w * dweights).sum(axis=-1, keepdims=True))


def _dk_untransposed(example, expected):
    """dscores @ q, the untransposed product: defined only with as many queries as keys (elsewhere the
    mistake raises in the student's code); an empty array there, which no output matches."""
    dscores = _dscores(example, expected)
    if dscores.shape[-1] != dscores.shape[-2]:
        return np.empty(0)
    return dscores @ example["q"] / np.sqrt(example["q"].shape[-1])


FORWARD_HINTS = {
    "no scale": "the scores are not scaled: scores = q kᵀ / sqrt(D)",
    "scale 1/D": "the scores are divided by D; the scale is 1 / sqrt(D)",
    "softmax over queries": "the softmax runs over the queries (axis 1); it runs over the keys (the last axis)",
}
MASK_HINTS = {
    "mask after softmax": ("the mask is applied after the softmax, so the weights of a query no longer sum to 1: "
                           "exclude masked scores before it (np.where(mask, scores, -np.inf))"),
    "mask ignored": "the mask is ignored: masked scores must be left out of the softmax",
}
BACKWARD_HINTS = {
    "no scale in gradient": "dq and dk miss the scale 1 / sqrt(D) of the scores",
    "diagonal softmax gradient": ("the softmax's backward misses the term from the normalization: "
                                  "dscores = weights * (dweights - sum(weights * dweights, over keys))"),
}
DK_TRANSPOSE = "dk = dscoresᵀ q / sqrt(D): the transpose of dscores (over its last two axes) is missing"
DV_TRANSPOSE = "dv = weightsᵀ dout: the transpose of the weights (over their last two axes) is missing"
RENORMALIZED = ("masked keys scoring far above the allowed ones give NaN: a softmax over every key (or a maximum "
                "taken over every key) makes every allowed weight underflow to 0, and zeroing the masked weights "
                "and renormalizing is then 0 / 0; exclude masked scores before the softmax (np.where(mask, "
                "scores, -np.inf)), so that the maximum is the allowed scores' one")
NO_MAX_SHIFT = ("the result overflows for large scores: subtract each row's maximum score (over the keys a query "
                "may attend to) before exponentiating")


def _hints(table: dict, output: str):
    return tuple(hint_if_variant(text, output, label) for label, text in table.items())


# Checks -----------------------------------------------------------------------------------------

FINITE_FILL = ("a masked key got a nonzero weight: exclude masked scores with -np.inf (a finite fill such as -1e4 "
               "is not small enough when the scores themselves are near -1e4)")


def _exact_zero(output: str, where, summary: str) -> Check:
    """`output` is exactly 0 where `where(example)` is True (masked keys' weights or gradients)."""

    def verify(example, outcome, expected):
        failure = failed_call(outcome, output)
        if failure:
            return failure
        got = np.asarray(outcome.outputs[output], dtype=np.float64)
        bad = np.argwhere(where(example) & (got != 0))
        if bad.size:
            index = tuple(int(i) for i in bad[0])
            return Failure(f"{output}{list(index)} is {got[index]:.6g}, not exactly 0", (summary, FINITE_FILL))
        return None

    return Check(f"masked keys get exactly zero weight ({output})", 0.5 if output != "out" else 1.0, verify)


def _every_element(example):
    return np.ones(example["q"].shape[:2] + example["v"].shape[2:], dtype=bool)


def _padded_keys(example):
    """The keys masked for every query, (N, Tk, 1)."""
    return ~example["mask"].any(axis=1)[..., None]


PADDED_OUT = "v is 0 at every key a query may attend to, so out is exactly 0 when masked keys get zero weight"
PADDED_GRAD = "these keys are masked for every query, so their gradients are exactly 0"


def _gradient_check(name: str, points: float, suffix: str = ""):
    # The untransposed products have the shape of the other axis: judged on the raw return.
    hints = _hints(BACKWARD_HINTS, name) if name != "dv" else (hint_if_returned(DV_TRANSPOSE, 2, lambda ex, exp: (
        exp["weights"] @ ex["dout"])),)
    if name == "dk":
        hints += (hint_if_returned(DK_TRANSPOSE, 1, _dk_untransposed),)
    return matches(name, points=points, name=f"{name} matches torch autograd{suffix}", scale=reference_scale, hints=hints)


# Exercises --------------------------------------------------------------------------------------

CALL = {"args": ("q", "k", "v"), "kwargs": ("mask",)}
MASKED_ABOVE = "masked scores far above the allowed ones (up to 1e4)"
BACKWARD = {"forward": "attention_forward", **CALL}
GRADS = ("dq", "dk", "dv")

EXERCISES = [
    Exercise("attention_forward", TOPIC, (
        Scenario("no mask", attention_inputs(), attention_reference, returns=("out", "cache"), call=CALL, checks=(
            matches("out", points=2.0, scale=reference_scale, hints=_hints(FORWARD_HINTS, "out")),
            unchanged_inputs(points=0.5),
        )),
        Scenario("random mask", attention_inputs(mask="random"), attention_reference, returns=("out", "cache"),
                 call=CALL, checks=(
                     matches("out", points=1.5, name="out matches torch (masked scores left out of the softmax)",
                             scale=reference_scale, hints=_hints(MASK_HINTS | FORWARD_HINTS, "out")),
                     unchanged_inputs(points=0.5, name="inputs (mask included) are not modified"),
                 )),
        Scenario("padded keys, scores up to 1e4", attention_inputs(max_offset=MAX_OFFSET, mask="padded"),
                 attention_reference, returns=("out", "cache"), call=CALL, max_examples=15,
                 checks=(_exact_zero("out", _every_element, PADDED_OUT),)),
        Scenario("scores of large magnitude", attention_inputs(max_offset=MAX_OFFSET, mask="random"), attention_reference,
                 returns=("out", "cache"), call=CALL, max_examples=15, checks=(
                     stable_outputs("out", what="scores up to 1e4",
                                    typical={"out": "out matches torch (masked scores left out of the softmax)"},
                                    hints=(hint_if_nonfinite(NO_MAX_SHIFT, "out"),)),)),
        Scenario("masked keys scoring far above the allowed ones",
                 attention_inputs(max_offset=MAX_OFFSET, mask="padded", masked_above=True), attention_reference,
                 returns=("out", "cache"), call=CALL, max_examples=15, checks=(
                     stable_outputs("out", what=MASKED_ABOVE,
                                    typical={"out": "out matches torch (masked scores left out of the softmax)"},
                                    hints=(hint_if_nonfinite(RENORMALIZED, "out"),)),)),
    ), (numpy_only(points=0.5),)),
    Exercise("attention_backward", TOPIC, (
        Scenario("no mask", attention_inputs(with_dout=True), attention_reference, returns=GRADS,
                 driver=forward_then_backward, call=BACKWARD, checks=(
                     *(_gradient_check(name, 1.0) for name in GRADS),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("random mask", attention_inputs(mask="random", with_dout=True), attention_reference, returns=GRADS,
                 driver=forward_then_backward, call=BACKWARD, checks=tuple(
                     _gradient_check(name, 0.5, " (with a mask)") for name in GRADS)),
        Scenario("padded keys, scores up to 1e4", attention_inputs(max_offset=MAX_OFFSET, mask="padded", with_dout=True),
                 attention_reference, returns=GRADS, driver=forward_then_backward, call=BACKWARD, max_examples=15,
                 checks=(_exact_zero("dk", _padded_keys, PADDED_GRAD), _exact_zero("dv", _padded_keys, PADDED_GRAD))),
        Scenario("scores of large magnitude", attention_inputs(max_offset=MAX_OFFSET, mask="random", with_dout=True),
                 attention_reference, returns=GRADS, driver=forward_then_backward, call=BACKWARD, max_examples=15,
                 checks=(stable_outputs(*GRADS, what="scores up to 1e4",
                                        typical={g: f"{g} matches torch autograd (with a mask)" for g in GRADS},
                                        hints=tuple(hint_if_nonfinite(NO_MAX_SHIFT, g) for g in GRADS)),)),
        Scenario("masked keys scoring far above the allowed ones",
                 attention_inputs(max_offset=MAX_OFFSET, mask="padded", masked_above=True, with_dout=True),
                 attention_reference, returns=GRADS, driver=forward_then_backward, call=BACKWARD, max_examples=15,
                 checks=(stable_outputs(*GRADS, what=MASKED_ABOVE,
                                        typical={g: f"{g} matches torch autograd (with a mask)" for g in GRADS},
                                        hints=tuple(hint_if_nonfinite(RENORMALIZED, g) for g in GRADS)),)),
    ), (numpy_only(points=0.5),)),
]
