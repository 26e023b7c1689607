"""Graders of the topic `rnn` (CS231n assignment 3, rnn_layers.py): the vanilla RNN step and sequence,
word embeddings, temporal affine layers and the temporal softmax loss.

Every cache is opaque: backward passes run after the student's own forward. References are torch
models (autograd for every gradient); variants of the same models (a detached path, a transposed
matrix, a wrong derivative) give the values that known mistakes produce, for the hints.
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import F, torch  # imported on first use
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograde_tests import strategies as dst
from autograde_tests._autograd import hint_if_variant, reference, with_derivative
from grader.engine.checks import (Exercise, Scenario, hint_if_close, hint_if_nonfinite, hint_if_returned, hint_if_scaled,
                                  matches, numpy_only, reference_scale, scale_of, unchanged_inputs)
from grader.isolation.drivers import forward_then_backward

TOPIC = "rnn"


# References -------------------------------------------------------------------------------------


def _identity(a):
    return a


def rnn_step(t, tape, x, prev_h, *, activation=torch.tanh, wh_transposed=False, x_name="x", h_name=None,
             weights=True):
    """One step tanh(x Wx + prev_h Wh + b); the options model mistakes. `weights=False` detaches the
    weights (their gradient from this step is lost)."""
    Wx, Wh, b = (t[k] if weights else t[k].detach() for k in ("Wx", "Wh", "b"))
    a = tape.affine(x, x_name, Wx, "Wx", b, "b") + tape.affine(prev_h, h_name, Wh.T if wh_transposed else Wh, "Wh")
    return activation(a)


def rnn_sequence(t, tape, *, carry=True, update=True, first_step_weights_only=False, **step):
    """h (N, T, H); carry=False stops the gradient from step t + 1 into step t, update=False feeds h0 to
    every step, first_step_weights_only keeps only step 0's weight gradients (overwritten, not summed)."""
    prev, states = t["h0"], []
    for s in range(t["x"].shape[1]):
        h = rnn_step(t, tape, t["x"][:, s], prev if update else t["h0"], h_name="h0" if s == 0 else None,
                     weights=not first_step_weights_only or s == 0, **step)
        states.append(h)
        prev = h if carry else h.detach()
    return (torch.stack(states, dim=1),)


def _step(**options):
    return lambda t, tape: (rnn_step(t, tape, t["x"], t["prev_h"], h_name="prev_h", **options),)


def _sequence(**options):
    return lambda t, tape: rnn_sequence(t, tape, **options)


STEP = ("x", "prev_h", "Wx", "Wh", "b")
SEQUENCE = ("x", "h0", "Wx", "Wh", "b")


def rnn_step_reference(example):
    return reference(example, _step(), inputs=STEP, outputs=("next_h",), upstream=("dnext_h",), variants={
        "no tanh": _step(activation=_identity), "sigmoid": _step(activation=torch.sigmoid),
        "Wh transposed": _step(wh_transposed=True),
        "derivative on a": _step(activation=lambda a: with_derivative(torch.tanh(a), a - a ** 3 / 3)),
        "no derivative": _step(activation=lambda a: with_derivative(torch.tanh(a), a)),
        "sigmoid derivative": _step(activation=lambda a: with_derivative(
            torch.tanh(a), torch.tanh(a).detach() * (1 - torch.tanh(a).detach()) * a)),
    })


def rnn_sequence_reference(example):
    return reference(example, _sequence(), inputs=SEQUENCE, outputs=("h",), upstream=("dh",), variants={
        "not updated": _sequence(update=False), "no tanh": _sequence(activation=_identity),
        "Wh transposed": _sequence(wh_transposed=True), "no carry": _sequence(carry=False),
        "first step weights": _sequence(first_step_weights_only=True),
    })


def embedding_reference(example):
    W = torch.from_numpy(example["W"]).requires_grad_()
    out = F.embedding(torch.from_numpy(example["x"].astype(np.int64)), W)
    expected = {"out": out.detach().numpy()}
    if "dout" in example:
        (dW,) = torch.autograd.grad(out, W, torch.from_numpy(example["dout"]))
        expected["dW"] = dW.numpy()
    return expected


def temporal_affine_reference(example):
    def model(t, tape):
        n, steps, d = t["x"].shape
        return (tape.affine(t["x"].reshape(n * steps, d), "x", t["w"], "w", t["b"], "b").reshape(n, steps, -1),)

    return reference(example, model, inputs=("x", "w", "b"), outputs=("out",), upstream=("dout",))


def temporal_softmax_reference(example):
    """The loss (masked sum over N) and dx by autograd, and what the mistakes give: the sum divided by
    the number of unmasked steps or by N*T, the mask ignored, dx not divided by N."""
    x = torch.from_numpy(example["x"]).requires_grad_()
    n, t, v = x.shape
    losses = F.cross_entropy(x.reshape(n * t, v), torch.from_numpy(example["y"].astype(np.int64)).reshape(-1),
                             reduction="none")
    masked_sum = (losses * torch.from_numpy(example["mask"]).reshape(-1).double()).sum()
    (dx_masked,) = torch.autograd.grad(masked_sum, x, retain_graph=True)
    (dx_all,) = torch.autograd.grad(losses.sum(), x)
    count = int(example["mask"].sum())
    per_count = 1.0 / count if count else np.nan
    masked_sum, dx_masked, dx_all = masked_sum.item(), dx_masked.numpy(), dx_all.numpy()
    # The sizes of the terms summed (for the scores of large magnitude): a step's loss log-sum-exp - x_y
    # is computed from scores of up to max|x| (a loss near 0 carries rounding of that size); dx from
    # probabilities and the one-hot label, of size up to 1 / N
    steps = np.abs(example["x"]).max(axis=-1) * example["mask"]
    scales = {scale_of("loss"): float(steps.sum()) / n, scale_of("dx"): 1.0 / n}
    return scales | {"loss": masked_sum / n, "dx": dx_masked / n,
            "by count/loss": masked_sum * per_count, "by count/dx": dx_masked * per_count,
            "by NT/loss": masked_sum / (n * t), "by NT/dx": dx_masked / (n * t),
            "unmasked/loss": losses.sum().item() / n, "unmasked/dx": dx_all / n}


# Strategies -------------------------------------------------------------------------------------

# Sizes stay small (T up to 4, H up to 5) and weights moderate: typical pre-activations stay below ~8 in
# magnitude, where tanh is far from saturating and every correct formula of its derivative agrees.
MAX_N, MAX_T, MAX_D, MAX_H = 3, 4, 4, 5
LARGE = (500.0, 1e3)  # saturated pre-activations: a tanh or sigmoid written with a raw exp overflows there
INDEX_DTYPES = (np.int64, np.int32)


def _biases(draw, size: int, *, large: bool):
    """Biases of magnitude up to 1; with `large`, some of them of magnitude LARGE (saturating their unit)."""
    small = dst.floats(magnitude=1.0)
    if not large:
        return draw(hnp.arrays(np.float64, (size,), elements=small))
    big = st.one_of(dst.floats(min_value=LARGE[0], max_value=LARGE[1]), dst.floats(min_value=-LARGE[1], max_value=-LARGE[0]))
    values = draw(hnp.arrays(np.float64, (size,), elements=st.one_of(small, big)))
    assume(np.abs(values).max() >= LARGE[0])
    return values


@st.composite
def recurrent_inputs(draw, *, gates: int = 1, biases=("b",), sequence: bool = False, cell: bool = False,
                     large: bool = False, upstream=(), last_step_only: bool = False):
    """Dicts for one step (x (N, D), prev_h (N, H)[, prev_c]) or a sequence (x (N, T, D), h0 (N, H)), with
    Wx (D, gates*H), Wh (H, gates*H), the named biases (gates*H,) and the named upstream gradients (of
    the hidden state's shape, (N, T, H) for "dh"). `large` saturates some units (and the cell state);
    `last_step_only` zeroes dh except at the last of T >= 2 steps."""
    n, d, h = draw(st.integers(1, MAX_N)), draw(st.integers(1, MAX_D)), draw(st.integers(1, MAX_H))
    t = draw(st.integers(2 if last_step_only else 1, MAX_T))
    example = {"x": draw(dst.float_arrays((n, t, d) if sequence else (n, d), magnitude=2.0)),
               "h0" if sequence else "prev_h": draw(dst.float_arrays((n, h), magnitude=1.0))}
    if cell:
        example["prev_c"] = draw(dst.float_arrays((n, h), magnitude=LARGE[1] if large else 2.0))
    example["Wx"] = draw(dst.float_arrays((d, gates * h), magnitude=0.5))
    example["Wh"] = draw(dst.float_arrays((h, gates * h), magnitude=0.5))
    for name in biases:
        example[name] = _biases(draw, gates * h, large=large and name != "bh")
    for name in upstream:
        example[name] = draw(dst.float_arrays((n, t, h) if name == "dh" else (n, h), magnitude=1.0))
    if last_step_only:
        example["dh"][:, :-1] = 0.0
    return example


def index_arrays(draw, shape, high: int):
    dtype = draw(st.sampled_from(INDEX_DTYPES))
    return draw(hnp.arrays(dtype, shape, elements=st.integers(0, high - 1)))


@st.composite
def embedding_inputs(draw, *, repeated: bool | None = None, with_dout: bool = False):
    """Dicts x (N, T) of word indices (int32 or int64) into W (V, D)[, dout (N, T, D)]. `repeated`: some
    word occurs twice (True), every word at most once (False), either (None)."""
    n, t, d = draw(st.integers(1, MAX_N)), draw(st.integers(1, MAX_T)), draw(st.integers(1, 4))
    if repeated:
        assume(n * t >= 2)
    v = draw(st.integers(n * t if repeated is False else 2, n * t + 3))
    x = index_arrays(draw, (n, t), v)
    if repeated is False:
        words = draw(st.permutations(range(v)))[: n * t]
        x = np.asarray(words, dtype=draw(st.sampled_from(INDEX_DTYPES))).reshape(n, t)
    elif repeated:
        x.flat[-1] = x.flat[0]
    example = {"x": x, "W": draw(dst.float_arrays((v, d)))}
    if with_dout:
        example["dout"] = draw(dst.float_arrays((n, t, d), magnitude=1.0))
    return example


@st.composite
def temporal_affine_inputs(draw, *, with_dout: bool = False):
    n, t, d, m = (draw(st.integers(1, hi)) for hi in (MAX_N, MAX_T, 4, 4))
    example = {"x": draw(dst.float_arrays((n, t, d))), "w": draw(dst.float_arrays((d, m), magnitude=1.0)),
               "b": draw(dst.float_arrays((m,), magnitude=1.0))}
    if with_dout:
        example["dout"] = draw(dst.float_arrays((n, t, m), magnitude=1.0))
    return example


@st.composite
def temporal_scores(draw, *, max_offset: float = 0.0, spread: float = 10.0, masked: bool | None):
    """Dicts x (N, T, V), y (N, T) (int32 or int64), mask (N, T) booleans: all True (masked=False), some
    False (masked=True) or any. The V scores of one (n, t) sit within `spread`, at an offset up to
    `max_offset`."""
    n, t, v = draw(st.integers(1, MAX_N)), draw(st.integers(1, MAX_T)), draw(st.integers(2, 5))
    x = draw(dst.float_arrays((n, t, v), magnitude=spread / 2))
    if max_offset:
        x = x + draw(dst.float_arrays((n, t, 1), min_value=-max_offset, max_value=max_offset))
    mask = np.ones((n, t), dtype=bool) if masked is False else draw(hnp.arrays(np.bool_, (n, t)))
    if masked:
        assume(not mask.all())
    return {"x": x, "y": index_arrays(draw, (n, t), v), "mask": mask}


# Hints ------------------------------------------------------------------------------------------

NO_TANH = "next_h = tanh(x Wx + prev_h Wh + b): the tanh is missing"
SIGMOID = "the activation is a sigmoid; the vanilla RNN's is tanh (np.tanh)"
WH_TRANSPOSED = "Wh is transposed: the hidden-to-hidden term is prev_h.dot(Wh), Wh of shape (H, H)"
TANH_OVERFLOW = ("the result overflows for large pre-activations: use np.tanh (a tanh written with np.exp "
                 "gives inf / inf = NaN beyond ~710)")
DERIVATIVE_ON_A = ("the tanh derivative is taken on the pre-activation (1 - a**2); it is 1 - tanh(a)**2 = "
                   "1 - next_h**2")
NO_DERIVATIVE = "the tanh's derivative (1 - next_h**2) is missing: multiply dnext_h by it before the matmuls"
SIGMOID_DERIVATIVE = "the derivative used is the sigmoid's, next_h * (1 - next_h); tanh's is 1 - next_h**2"
NO_CARRY = ("the hidden-state gradient is not carried back through time: step t gets dh[:, t] plus the dprev_h "
            "returned by step t + 1")
FIRST_STEP_WEIGHTS = ("only one step's weight gradients are kept: dWx, dWh and db add up over all time steps "
                      "(dWx += ..., not dWx = ...)")
SHIFTED = "h holds h0 and drops the last state: h[:, t] is the hidden state after step t (h0 is not part of h)"
NOT_UPDATED = "every step starts from h0: feed each step the hidden state of the step before"


def _da(example, expected):
    """The gradient of the step's pre-activation."""
    return example["dnext_h"] * (1 - expected["next_h"] ** 2)


def _step_grad_hints(name: str):
    hints = [hint_if_variant(DERIVATIVE_ON_A, name, "derivative on a"), hint_if_variant(NO_DERIVATIVE, name, "no derivative"),
             hint_if_variant(SIGMOID_DERIVATIVE, name, "sigmoid derivative")]
    if name == "dWh":
        hints.append(hint_if_close("dWh is transposed: dWh = prev_h.T.dot(da)", name, lambda ex, exp: exp["dWh"].T))
    if name == "dprev_h":
        hints.append(hint_if_close("dprev_h = da.dot(Wh.T): the transpose of Wh is missing", name,
                                   lambda ex, exp: _da(ex, exp) @ ex["Wh"]))
    if name == "db":
        hints.append(hint_if_scaled("db is averaged over the batch: sum it over N", name, lambda ex: 1 / len(ex["x"])))
    return tuple(hints)


def _sequence_grad_hints(name: str):
    hints = [hint_if_variant(NO_CARRY, name, "no carry")]
    if name in ("dWx", "dWh", "db"):
        hints.append(hint_if_variant(FIRST_STEP_WEIGHTS, name, "first step weights"))
    return tuple(hints)


def _nonfinite_hints(text: str, names):
    return tuple(hint_if_nonfinite(text, name) for name in names)


LOSS_N = "the loss is divided by N*T (or mask.sum()); the contract divides the masked sum by N, the batch size"
LOSS_COUNT = ("the loss is divided by the number of unmasked steps (mask.sum()); the contract divides the masked "
              "sum by N, the batch size")
MASK_IGNORED = "masked steps count in the loss: multiply each step's loss by mask[n, t] before summing"
DX_UNMASKED = "dx is not zero at masked steps: multiply it by the mask (masked steps get no gradient)"
NO_MAX_SHIFT = ("the result overflows for large scores: subtract each step's maximum score before exponentiating "
                "(softmax does not change when a constant is added to its scores)")


def _n(example) -> int:
    return len(example["x"])


def _overwritten_embedding(example, expected):
    """dW[x] += dout: numpy buffers the update, so each repeated word keeps one of its gradients."""
    dW = np.zeros_like(example["W"])
    dW[example["x"]] += example["dout"]
    return dW


# Checks -----------------------------------------------------------------------------------------


def gradient_checks(names, hints, suffix: str = "", points=None):
    return tuple(matches(name, points=(points or {}).get(name, 1.0), name=f"{name} matches torch autograd{suffix}",
                         scale=reference_scale, hints=hints(name)) for name in names)


def stable_outputs(*names: str, points: float = 1.0, hints=(), what: str = "pre-activations up to 1e3",
                   typical: dict[str, str] | None = None):
    """Finite and right for large inputs, each output judged on its scale (output_scale). `typical`
    names each output's typical-inputs check (by default "<d...> matches torch autograd" for gradients,
    "<output> matches torch" for the others)."""
    typical = typical or {name: f"{name} matches torch autograd" if name.startswith("d") else f"{name} matches torch"
                          for name in names}
    return matches(*names, points=points, name=f"stable for {what}", finite=True, typical=typical, hints=tuple(hints),
                   scale=output_scale)


STATES = ("next_h", "h", "next_c")


def state_scale(example, expected, output):
    """The scale of a recurrent state: what it is computed from. A tanh or sigmoid is O(1) and rounds to
    ~1e-16 in absolute terms whatever its size (tanh written as sigmoid(2a) - sigmoid(-2a) is exact and
    that accurate), so a state near 0 is judged on a scale of at least 1, plus the size of the state it
    carries over (the GRU's z * prev_h, the LSTM cell's f * prev_c)."""
    carried = ("prev_c",) if output == "next_c" else ("prev_h", "h0")
    return 1.0 + max((float(np.abs(example[k]).max(initial=0.0)) for k in carried if k in example), default=0.0)


def output_scale(example, expected, output):
    """The scale the reference gives for an output (gradients, losses: the size of the terms they sum);
    a recurrent state's (state_scale) otherwise; else None (the output's own size)."""
    found = reference_scale(example, expected, output)
    if found is not None:
        return found
    return state_scale(example, expected, output) if output in STATES else None


# Exercises --------------------------------------------------------------------------------------

STEP_GRADS = ("dx", "dprev_h", "dWx", "dWh", "db")
SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")

STEP_CALL = {"args": STEP}
SEQUENCE_CALL = {"args": SEQUENCE}
# forward_returns names the forward's output as the reference does: the grader tells a backward that
# fails because the student's forward is wrong (it is not shrunk then) by comparing the two.
STEP_BACKWARD = {"forward": "rnn_step_forward", "args": STEP, "upstream": ("dnext_h",),
                 "forward_returns": ("next_h", "cache")}
SEQUENCE_BACKWARD = {"forward": "rnn_forward", "args": SEQUENCE, "upstream": ("dh",), "forward_returns": ("h", "cache")}
EMBEDDING_BACKWARD = {"forward": "word_embedding_forward", "args": ("x", "W")}
AFFINE_BACKWARD = {"forward": "temporal_affine_forward", "args": ("x", "w", "b")}
LOSS_CALL = {"args": ("x", "y", "mask")}

EXERCISES = [
    Exercise("rnn_step_forward", TOPIC, (
        Scenario("typical inputs", recurrent_inputs(), rnn_step_reference, returns=("next_h", "cache"), call=STEP_CALL,
                 checks=(
                     matches("next_h", points=2.0, scale=state_scale, hints=(hint_if_variant(NO_TANH, "next_h", "no tanh"),
                                                          hint_if_variant(SIGMOID, "next_h", "sigmoid"),
                                                          hint_if_variant(WH_TRANSPOSED, "next_h", "Wh transposed"))),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("saturated units", recurrent_inputs(large=True), rnn_step_reference, returns=("next_h", "cache"),
                 call=STEP_CALL, max_examples=15, checks=(
                     stable_outputs("next_h", hints=_nonfinite_hints(TANH_OVERFLOW, ("next_h",))),)),
    ), (numpy_only(points=0.5),)),
    Exercise("rnn_step_backward", TOPIC, (
        Scenario("typical inputs", recurrent_inputs(upstream=("dnext_h",)), rnn_step_reference, returns=STEP_GRADS,
                 driver=forward_then_backward, call=STEP_BACKWARD, checks=(
                     *gradient_checks(STEP_GRADS, _step_grad_hints, points={"db": 0.5}),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("saturated units", recurrent_inputs(large=True, upstream=("dnext_h",)), rnn_step_reference,
                 returns=STEP_GRADS, driver=forward_then_backward, call=STEP_BACKWARD, max_examples=15, checks=(
                     stable_outputs(*STEP_GRADS, hints=_nonfinite_hints(TANH_OVERFLOW, STEP_GRADS)),)),
    ), (numpy_only(points=0.5),)),
    Exercise("rnn_forward", TOPIC, (
        Scenario("typical inputs", recurrent_inputs(sequence=True), rnn_sequence_reference, returns=("h", "cache"),
                 call=SEQUENCE_CALL, checks=(
                     matches("h", points=2.0, scale=state_scale, hints=(
                         hint_if_close(SHIFTED, "h", lambda ex, exp: np.concatenate(
                             [ex["h0"][:, None], exp["h"][:, :-1]], axis=1)),
                         hint_if_variant(NOT_UPDATED, "h", "not updated"), hint_if_variant(NO_TANH, "h", "no tanh"),
                         hint_if_variant(WH_TRANSPOSED, "h", "Wh transposed"))),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("saturated units", recurrent_inputs(sequence=True, large=True), rnn_sequence_reference,
                 returns=("h", "cache"), call=SEQUENCE_CALL, max_examples=15, checks=(
                     stable_outputs("h", hints=_nonfinite_hints(TANH_OVERFLOW, ("h",))),)),
    ), (numpy_only(points=0.5),)),
    Exercise("rnn_backward", TOPIC, (
        Scenario("typical inputs", recurrent_inputs(sequence=True, upstream=("dh",)), rnn_sequence_reference,
                 returns=SEQUENCE_GRADS, driver=forward_then_backward, call=SEQUENCE_BACKWARD, checks=(
                     *gradient_checks(SEQUENCE_GRADS, _sequence_grad_hints, points={"db": 0.5}),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("gradient only at the last step", recurrent_inputs(sequence=True, upstream=("dh",), last_step_only=True),
                 rnn_sequence_reference, returns=SEQUENCE_GRADS, driver=forward_then_backward, call=SEQUENCE_BACKWARD,
                 max_examples=15, checks=(
                     matches("dx", points=1.0, name="dx: the gradient flows back from step t + 1 into step t",
                             scale=reference_scale, hints=(hint_if_variant(NO_CARRY, "dx", "no carry"),)),
                     matches("dh0", points=1.0, name="dh0: the gradient flows back to the initial state",
                             scale=reference_scale, hints=(hint_if_variant(NO_CARRY, "dh0", "no carry"),)),
                 )),
        Scenario("saturated units", recurrent_inputs(sequence=True, large=True, upstream=("dh",)), rnn_sequence_reference,
                 returns=SEQUENCE_GRADS, driver=forward_then_backward, call=SEQUENCE_BACKWARD, max_examples=15, checks=(
                     stable_outputs(*SEQUENCE_GRADS, hints=_nonfinite_hints(TANH_OVERFLOW, SEQUENCE_GRADS)),)),
    ), (numpy_only(points=0.5),)),
    Exercise("word_embedding_forward", TOPIC, (
        Scenario("typical inputs", embedding_inputs(), embedding_reference, returns=("out", "cache"),
                 call={"args": ("x", "W")}, checks=(
                     matches("out", points=2.0, hints=(
                         hint_if_returned("out is (T, N, D): index W with x, not x.T", 0, lambda ex, exp: ex["W"][ex["x"].T]),)),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("word_embedding_backward", TOPIC, (
        Scenario("distinct words", embedding_inputs(repeated=False, with_dout=True), embedding_reference, returns="dW",
                 driver=forward_then_backward, call=EMBEDDING_BACKWARD, checks=(
                     matches("dW", points=1.5, name="dW matches torch autograd"),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("repeated words", embedding_inputs(repeated=True, with_dout=True), embedding_reference, returns="dW",
                 driver=forward_then_backward, call=EMBEDDING_BACKWARD, checks=(
                     matches("dW", points=1.5, name="repeated words add up (np.add.at)", hints=(
                         hint_if_close("the gradients of a repeated word overwrite each other (dW[x] += dout keeps "
                                       "one of them): use np.add.at(dW, x, dout)", "dW", _overwritten_embedding),)),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("temporal_affine_forward", TOPIC, (
        Scenario("typical inputs", temporal_affine_inputs(), temporal_affine_reference, returns=("out", "cache"),
                 call={"args": ("x", "w", "b")}, checks=(
                     matches("out", points=2.0, hints=(
                         hint_if_close("the bias b is missing", "out", lambda ex, exp: exp["out"] - ex["b"]),)),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("temporal_affine_backward", TOPIC, (
        Scenario("typical inputs", temporal_affine_inputs(with_dout=True), temporal_affine_reference,
                 returns=("dx", "dw", "db"), driver=forward_then_backward, call=AFFINE_BACKWARD, checks=(
                     *gradient_checks(("dx", "dw", "db"), lambda name: {
                         "dw": (hint_if_close("dw is transposed: dw = x.T.dot(dout), over the N*T rows", "dw",
                                              lambda ex, exp: exp["dw"].T),),
                         "db": (hint_if_returned("db is summed over N only: sum dout over both N and T", 2,
                                                 lambda ex, exp: ex["dout"].sum(axis=0)),
                                hint_if_scaled("db is averaged: sum dout over N and T", "db",
                                               lambda ex: 1 / (ex["x"].shape[0] * ex["x"].shape[1])))}.get(name, ())),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("temporal_softmax_loss", TOPIC, (
        Scenario("every step unmasked", temporal_scores(masked=False), temporal_softmax_reference, returns=("loss", "dx"),
                 call=LOSS_CALL, checks=(
                     matches("loss", points=1.0, name="loss is divided by N (every step unmasked)", hints=(
                         hint_if_variant(LOSS_N, "loss", "by NT"),
                         hint_if_scaled("the loss is summed, not averaged: divide it by N", "loss", _n))),
                     matches("dx", points=1.0, name="dx matches torch autograd (every step unmasked)", hints=(
                         hint_if_variant(LOSS_N.replace("the loss", "dx"), "dx", "by NT"),
                         hint_if_scaled("dx is not divided by N", "dx", _n))),
                 )),
        Scenario("some steps masked", temporal_scores(masked=True), temporal_softmax_reference, returns=("loss", "dx"),
                 call=LOSS_CALL, checks=(
                     matches("loss", points=1.5, name="loss: masked steps contribute nothing", hints=(
                         hint_if_variant(LOSS_COUNT, "loss", "by count"), hint_if_variant(MASK_IGNORED, "loss", "unmasked"))),
                     matches("dx", points=1.5, name="dx matches torch autograd, zero at masked steps", hints=(
                         hint_if_variant(DX_UNMASKED, "dx", "unmasked"),
                         hint_if_variant(LOSS_COUNT.replace("the loss", "dx"), "dx", "by count"))),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("scores of large magnitude", temporal_scores(max_offset=1e4, spread=50, masked=None),
                 temporal_softmax_reference, returns=("loss", "dx"), call=LOSS_CALL, max_examples=15, checks=(
                     stable_outputs("loss", "dx", what="scores of magnitude up to 1e4",
                                    typical={"loss": "loss: masked steps contribute nothing",
                                             "dx": "dx matches torch autograd, zero at masked steps"},
                                    hints=_nonfinite_hints(NO_MAX_SHIFT, ("loss", "dx"))),)),
    ), (numpy_only(points=0.5),)),
]
