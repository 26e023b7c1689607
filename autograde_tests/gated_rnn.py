"""Graders of the topic `gated_rnn`: the LSTM (CS231n's names, gates in the order i, f, o, g) and the GRU
(torch's GRUCell convention, separate input and hidden biases), one step and a whole sequence.

Every cache is opaque: backward passes run after the student's own forward. Inputs, sizes and the
"saturated units" scenarios (pre-activations and cell states up to 1e3) are those of the rnn topic.
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use

from autograde_tests._autograd import hint_if_variant, reference, with_derivative
from autograde_tests.rnn import (FIRST_STEP_WEIGHTS, NO_CARRY, SHIFTED, gradient_checks, recurrent_inputs,
                                 stable_outputs, state_scale)
from grader.engine.checks import (Exercise, Scenario, hint_if_close, hint_if_nonfinite, matches, numpy_only,
                                  reference_scale, scale_of, unchanged_inputs)
from grader.isolation.drivers import forward_then_backward

TOPIC = "gated_rnn"


# References -------------------------------------------------------------------------------------


def _blocks(a, order: str) -> dict:
    return dict(zip(order, a.split(a.shape[1] // len(order), dim=1)))


def lstm_step(t, tape, x, prev_h, prev_c, *, order="ifog", g_activation=torch.tanh, cell_tanh=True,
              no_tanh_path=False, tanh_derivative_on_c=False, no_forget_in_dprev_c=False, h_name=None,
              weights=True):
    """One LSTM step -> (next_h, next_c); the options model mistakes (their names say which)."""
    Wx, Wh, b = (t[k] if weights else t[k].detach() for k in ("Wx", "Wh", "b"))
    a = tape.affine(x, "x", Wx, "Wx", b, "b") + tape.affine(prev_h, h_name, Wh, "Wh")
    gates = _blocks(a, order)
    i, f, o = (torch.sigmoid(gates[k]) for k in "ifo")
    g = g_activation(gates["g"])
    kept = f * prev_c.detach() + (prev_c - prev_c.detach()) if no_forget_in_dprev_c else f * prev_c
    c = kept + i * g
    if not cell_tanh:
        squashed = c
    elif no_tanh_path:
        squashed = torch.tanh(c.detach())
    elif tanh_derivative_on_c:
        squashed = with_derivative(torch.tanh(c), c - c ** 3 / 3)
    else:
        squashed = torch.tanh(c)
    return o * squashed, c


def lstm_sequence(t, tape, *, carry_h=True, carry_c=True, cell_from_h0=False, reset_cell=False,
                  first_step_weights_only=False, **step):
    """h (N, T, H), initial cell state zeros; the options model mistakes."""
    prev_h = t["h0"]
    zeros = torch.zeros_like(t["h0"])
    prev_c, states = (t["h0"] if cell_from_h0 else zeros), []
    for s in range(t["x"].shape[1]):
        h, c = lstm_step(t, tape, t["x"][:, s], prev_h, zeros if reset_cell else prev_c,
                         h_name="h0" if s == 0 else None, weights=not first_step_weights_only or s == 0, **step)
        states.append(h)
        prev_h, prev_c = (h if carry_h else h.detach()), (c if carry_c else c.detach())
    return (torch.stack(states, dim=1),)


def gru_step(t, tape, x, prev_h, *, order="rzn", reset_before_matmul=False, swap_z=False, bias_outside_reset=False,
             no_direct_path=False, dz_sign=False, reset_not_in_gradient=False, no_reset_gradient=False, h_name=None,
             weights=True):
    """One GRU step (torch's GRUCell) -> next_h; the options model mistakes (their names say which)."""
    Wx, Wh, bx, bh = (t[k] if weights else t[k].detach() for k in ("Wx", "Wh", "bx", "bh"))
    hidden = Wh.shape[0]
    ax = _blocks(tape.affine(x, "x", Wx, "Wx", bx, "bx"), order)
    if reset_before_matmul:
        ah = _blocks(prev_h @ Wh[:, :2 * hidden] + bh[:2 * hidden], order[:2])
    else:
        ah = _blocks(tape.affine(prev_h, h_name, Wh, "Wh", bh, "bh"), order)
    r, z = torch.sigmoid(ax["r"] + ah["r"]), torch.sigmoid(ax["z"] + ah["z"])
    if reset_before_matmul:
        n = torch.tanh(ax["n"] + (r * prev_h) @ Wh[:, 2 * hidden:] + bh[2 * hidden:])
    elif bias_outside_reset:
        n = torch.tanh(ax["n"] + r * (ah["n"] - bh[2 * hidden:]) + bh[2 * hidden:])
    elif reset_not_in_gradient:
        n = torch.tanh(ax["n"] + r * ah["n"].detach() + (ah["n"] - ah["n"].detach()))
    elif no_reset_gradient:
        n = torch.tanh(ax["n"] + r.detach() * ah["n"])
    else:
        n = torch.tanh(ax["n"] + r * ah["n"])
    if swap_z:
        z = 1 - z
    kept = prev_h.detach() if no_direct_path else prev_h
    if dz_sign:
        zd = z.detach()
        return (1 - zd) * n + zd * kept + (z - zd) * (n - prev_h).detach()
    return (1 - z) * n + z * kept


def gru_sequence(t, tape, *, carry=True, update=True, first_step_weights_only=False, **step):
    prev, states = t["h0"], []
    for s in range(t["x"].shape[1]):
        h = gru_step(t, tape, t["x"][:, s], prev if update else t["h0"], h_name="h0" if s == 0 else None,
                     weights=not first_step_weights_only or s == 0, **step)
        states.append(h)
        prev = h if carry else h.detach()
    return (torch.stack(states, dim=1),)


def _lstm_step(**options):
    return lambda t, tape: lstm_step(t, tape, t["x"], t["prev_h"], t["prev_c"], h_name="prev_h", **options)


def _lstm_sequence(**options):
    return lambda t, tape: lstm_sequence(t, tape, **options)


def _gru_step(**options):
    return lambda t, tape: (gru_step(t, tape, t["x"], t["prev_h"], h_name="prev_h", **options),)


def _gru_sequence(**options):
    return lambda t, tape: gru_sequence(t, tape, **options)


LSTM_STEP = ("x", "prev_h", "prev_c", "Wx", "Wh", "b")
LSTM_SEQUENCE = ("x", "h0", "Wx", "Wh", "b")
GRU_STEP = ("x", "prev_h", "Wx", "Wh", "bx", "bh")
GRU_SEQUENCE = ("x", "h0", "Wx", "Wh", "bx", "bh")

LSTM_FORWARD_VARIANTS = {"torch order": dict(order="ifgo"), "f and i swapped": dict(order="fiog"),
                         "no cell tanh": dict(cell_tanh=False), "sigmoid g": dict(g_activation=torch.sigmoid)}
GRU_FORWARD_VARIANTS = {"reset before matmul": dict(reset_before_matmul=True), "z swapped": dict(swap_z=True),
                        "bias outside reset": dict(bias_outside_reset=True), "z r order": dict(order="zrn")}


def lstm_step_reference(example):
    variants = {label: _lstm_step(**options) for label, options in LSTM_FORWARD_VARIANTS.items()}
    variants.update({"no tanh path": _lstm_step(no_tanh_path=True),
                     "tanh derivative on c": _lstm_step(tanh_derivative_on_c=True),
                     "no forget in dprev_c": _lstm_step(no_forget_in_dprev_c=True)})
    found = reference(example, _lstm_step(), inputs=LSTM_STEP, outputs=("next_h", "next_c"),
                      upstream=("dnext_h", "dnext_c"), variants=variants)
    if "dnext_c" in example:
        # dprev_c = f * (dnext_c + dnext_h * o * (1 - tanh(next_c)**2)) enters no affine map (Tape): the
        # terms it sums are of the size of the upstream gradients
        found[scale_of("dprev_c")] = float((np.abs(example["dnext_c"]) + np.abs(example["dnext_h"])).max(initial=0.0))
    return found


def lstm_sequence_reference(example):
    variants = {label: _lstm_sequence(**options) for label, options in LSTM_FORWARD_VARIANTS.items()}
    variants.update({"no carry": _lstm_sequence(carry_h=False), "no cell carry": _lstm_sequence(carry_c=False),
                     "cell reset": _lstm_sequence(reset_cell=True), "cell from h0": _lstm_sequence(cell_from_h0=True),
                     "first step weights": _lstm_sequence(first_step_weights_only=True)})
    return reference(example, _lstm_sequence(), inputs=LSTM_SEQUENCE, outputs=("h",), upstream=("dh",),
                     variants=variants)


def gru_step_reference(example):
    variants = {label: _gru_step(**options) for label, options in GRU_FORWARD_VARIANTS.items()}
    variants.update({"no direct path": _gru_step(no_direct_path=True), "dz sign": _gru_step(dz_sign=True),
                     "reset not in gradient": _gru_step(reset_not_in_gradient=True),
                     "no reset gradient": _gru_step(no_reset_gradient=True)})
    return reference(example, _gru_step(), inputs=GRU_STEP, outputs=("next_h",), upstream=("dnext_h",),
                     variants=variants)


def gru_sequence_reference(example):
    variants = {label: _gru_sequence(**options) for label, options in GRU_FORWARD_VARIANTS.items()}
    variants.update({"no carry": _gru_sequence(carry=False), "not updated": _gru_sequence(update=False),
                     "first step weights": _gru_sequence(first_step_weights_only=True)})
    return reference(example, _gru_sequence(), inputs=GRU_SEQUENCE, outputs=("h",), upstream=("dh",),
                     variants=variants)


# Strategies -------------------------------------------------------------------------------------
# rnn's recurrent_inputs, with the gates and biases of each cell.

LSTM_INPUTS = dict(gates=4)
GRU_INPUTS = dict(gates=3, biases=("bx", "bh"))


# Hints ------------------------------------------------------------------------------------------

TORCH_ORDER = ("the gates are split in torch's order i, f, g, o; the contract's (CS231n's) is i, f, o, g: "
               "a[:, :H] -> i, a[:, H:2H] -> f, a[:, 2H:3H] -> o, a[:, 3H:] -> g")
LSTM_FORWARD_HINTS = {
    "torch order": TORCH_ORDER,
    "f and i swapped": "the input and forget gates are swapped: the first block of H columns is i, the second f",
    "no cell tanh": "next_h = o * tanh(next_c): the tanh of the cell state is missing",
    "sigmoid g": "the candidate g goes through tanh, not a sigmoid (i, f and o are sigmoids)",
}
LSTM_STEP_BACKWARD_HINTS = {
    "no tanh path": ("next_c also gets the gradient that flows from dnext_h through tanh(next_c): "
                     "dc = dnext_c + dnext_h * o * (1 - tanh(next_c)**2)"),
    "tanh derivative on c": ("the derivative of tanh(next_c) is 1 - tanh(next_c)**2, not 1 - next_c**2"),
    "no forget in dprev_c": "dprev_c = dc * f: the forget gate is missing",
    "torch order": TORCH_ORDER,
}
CELL_HINTS = {
    "cell reset": "the cell state is not carried: each step gets the previous step's next_c",
    "cell from h0": "the initial cell state is zeros, not h0",
}
LSTM_SEQUENCE_BACKWARD_HINTS = {
    "no carry": NO_CARRY,
    "no cell carry": ("the cell-state gradient is not carried back through time: step t gets the dprev_c returned "
                      "by step t + 1 as its dnext_c (zeros only at the last step)"),
    "first step weights": FIRST_STEP_WEIGHTS,
}
GRU_FORWARD_HINTS = {
    "reset before matmul": ("the reset gate multiplies prev_h before the hidden matmul; torch's GRUCell applies it "
                            "after: n = tanh(x Wx_n + bx_n + r * (prev_h Wh_n + bh_n))"),
    "z swapped": "z and 1 - z are swapped: next_h = (1 - z) * n + z * prev_h",
    "bias outside reset": "bh_n is outside the reset gate's product: n = tanh(x Wx_n + bx_n + r * (prev_h Wh_n + bh_n))",
    "z r order": "the gate blocks are in the order z, r; the contract's (torch's) is r, z, n",
}
GRU_STEP_BACKWARD_HINTS = {
    "no direct path": "dprev_h misses the direct path through z * prev_h: add dnext_h * z",
    "dz sign": "dz has the wrong sign: next_h = (1 - z) * n + z * prev_h gives dz = dnext_h * (prev_h - n)",
    "reset not in gradient": ("the gradient of the hidden matmul's n block (prev_h Wh_n + bh_n) is r times that of "
                              "the input's: multiply by r"),
    "no reset gradient": "the reset gate's gradient is missing: dr = dn_pre * (prev_h Wh_n + bh_n)",
}
TANH_OR_SIGMOID_OVERFLOW = ("the result overflows for large pre-activations: use np.tanh and a stable sigmoid "
                            "(1 / (1 + np.exp(-a)), or exp(a) / (1 + exp(a)) only where a < 0)")


def _variant_hints(table: dict, name: str):
    return tuple(hint_if_variant(text, name, label) for label, text in table.items())


def _overflow(*names):
    return tuple(hint_if_nonfinite(TANH_OR_SIGMOID_OVERFLOW, name) for name in names)


def _shifted(example, expected):
    return np.concatenate([example["h0"][:, None], expected["h"][:, :-1]], axis=1)


# Checks -----------------------------------------------------------------------------------------


def _carry_checks(hints):
    """The 'gradient only at the last step' scenario's checks: dx and dh0 need the carried gradients."""
    return (matches("dx", points=1.0, name="dx: the gradient flows back from step t + 1 into step t",
                    scale=reference_scale, hints=hints("dx")),
            matches("dh0", points=1.0, name="dh0: the gradient flows back to the initial state",
                    scale=reference_scale, hints=hints("dh0")))


# Exercises --------------------------------------------------------------------------------------

LSTM_STEP_GRADS = ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")
SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")
GRU_STEP_GRADS = ("dx", "dprev_h", "dWx", "dWh", "dbx", "dbh")
GRU_SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "dbx", "dbh")
SMALL = {"db": 0.5, "dbx": 0.5, "dbh": 0.5}

LSTM_STEP_BACKWARD = {"forward": "lstm_step_forward", "args": LSTM_STEP, "upstream": ("dnext_h", "dnext_c"),
                      "forward_returns": ("next_h", "next_c", "cache")}
GRU_STEP_BACKWARD = {"forward": "gru_step_forward", "args": GRU_STEP, "upstream": ("dnext_h",),
                     "forward_returns": ("next_h", "cache")}


def _sequence_exercises(name: str, forward_name: str, strategy_options: dict, reference_fn, call: dict, grads,
                        forward_hints, backward_hints):
    backward_call = {"forward": forward_name, "args": call["args"], "upstream": ("dh",), "forward_returns": ("h", "cache")}
    return [
        Exercise(forward_name, TOPIC, (
            Scenario("typical inputs", recurrent_inputs(**strategy_options, sequence=True), reference_fn,
                     returns=("h", "cache"), call=call, checks=(
                         matches("h", points=2.0, scale=state_scale, hints=forward_hints + (hint_if_close(SHIFTED, "h", _shifted),)),
                         unchanged_inputs(points=0.5),
                     )),
            Scenario("saturated units", recurrent_inputs(**strategy_options, sequence=True, large=True), reference_fn,
                     returns=("h", "cache"), call=call, max_examples=15,
                     checks=(stable_outputs("h", hints=_overflow("h")),)),
        ), (numpy_only(points=0.5),)),
        Exercise(name, TOPIC, (
            Scenario("typical inputs", recurrent_inputs(**strategy_options, sequence=True, upstream=("dh",)),
                     reference_fn, returns=grads, driver=forward_then_backward, call=backward_call, checks=(
                         *gradient_checks(grads, lambda g: _variant_hints(backward_hints, g), points=SMALL),
                         unchanged_inputs(points=0.5),
                     )),
            Scenario("gradient only at the last step",
                     recurrent_inputs(**strategy_options, sequence=True, upstream=("dh",), last_step_only=True),
                     reference_fn, returns=grads, driver=forward_then_backward, call=backward_call, max_examples=15,
                     checks=_carry_checks(lambda g: _variant_hints(backward_hints, g))),
            Scenario("saturated units", recurrent_inputs(**strategy_options, sequence=True, large=True, upstream=("dh",)),
                     reference_fn, returns=grads, driver=forward_then_backward, call=backward_call, max_examples=15,
                     checks=(stable_outputs(*grads, hints=_overflow(*grads)),)),
        ), (numpy_only(points=0.5),)),
    ]


EXERCISES = [
    Exercise("lstm_step_forward", TOPIC, (
        Scenario("typical inputs", recurrent_inputs(**LSTM_INPUTS, cell=True), lstm_step_reference,
                 returns=("next_h", "next_c", "cache"), call={"args": LSTM_STEP}, checks=(
                     matches("next_h", points=1.5, scale=state_scale, hints=_variant_hints(LSTM_FORWARD_HINTS, "next_h")),
                     matches("next_c", points=1.5, scale=state_scale, hints=_variant_hints(LSTM_FORWARD_HINTS, "next_c")),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("saturated units", recurrent_inputs(**LSTM_INPUTS, cell=True, large=True), lstm_step_reference,
                 returns=("next_h", "next_c", "cache"), call={"args": LSTM_STEP}, max_examples=15, checks=(
                     stable_outputs("next_h", "next_c", what="pre-activations and cell states up to 1e3",
                                    hints=_overflow("next_h", "next_c")),)),
    ), (numpy_only(points=0.5),)),
    Exercise("lstm_step_backward", TOPIC, (
        Scenario("typical inputs", recurrent_inputs(**LSTM_INPUTS, cell=True, upstream=("dnext_h", "dnext_c")),
                 lstm_step_reference, returns=LSTM_STEP_GRADS, driver=forward_then_backward, call=LSTM_STEP_BACKWARD,
                 checks=(
                     *gradient_checks(LSTM_STEP_GRADS, lambda g: _variant_hints(LSTM_STEP_BACKWARD_HINTS, g), points=SMALL),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("saturated units", recurrent_inputs(**LSTM_INPUTS, cell=True, large=True, upstream=("dnext_h", "dnext_c")),
                 lstm_step_reference, returns=LSTM_STEP_GRADS, driver=forward_then_backward, call=LSTM_STEP_BACKWARD,
                 max_examples=15, checks=(
                     stable_outputs(*LSTM_STEP_GRADS, what="pre-activations and cell states up to 1e3",
                                    hints=_overflow(*LSTM_STEP_GRADS)),)),
    ), (numpy_only(points=0.5),)),
    *_sequence_exercises("lstm_backward", "lstm_forward", LSTM_INPUTS, lstm_sequence_reference, {"args": LSTM_SEQUENCE},
                         SEQUENCE_GRADS, _variant_hints(LSTM_FORWARD_HINTS | CELL_HINTS, "h"),
                         LSTM_SEQUENCE_BACKWARD_HINTS),
    Exercise("gru_step_forward", TOPIC, (
        Scenario("typical inputs", recurrent_inputs(**GRU_INPUTS), gru_step_reference, returns=("next_h", "cache"),
                 call={"args": GRU_STEP}, checks=(
                     matches("next_h", points=2.0, scale=state_scale, hints=_variant_hints(GRU_FORWARD_HINTS, "next_h")),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("saturated units", recurrent_inputs(**GRU_INPUTS, large=True), gru_step_reference,
                 returns=("next_h", "cache"), call={"args": GRU_STEP}, max_examples=15, checks=(
                     stable_outputs("next_h", hints=_overflow("next_h")),)),
    ), (numpy_only(points=0.5),)),
    Exercise("gru_step_backward", TOPIC, (
        Scenario("typical inputs", recurrent_inputs(**GRU_INPUTS, upstream=("dnext_h",)), gru_step_reference,
                 returns=GRU_STEP_GRADS, driver=forward_then_backward, call=GRU_STEP_BACKWARD, checks=(
                     *gradient_checks(GRU_STEP_GRADS, lambda g: _variant_hints(GRU_STEP_BACKWARD_HINTS, g), points=SMALL),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("saturated units", recurrent_inputs(**GRU_INPUTS, large=True, upstream=("dnext_h",)), gru_step_reference,
                 returns=GRU_STEP_GRADS, driver=forward_then_backward, call=GRU_STEP_BACKWARD, max_examples=15, checks=(
                     stable_outputs(*GRU_STEP_GRADS, hints=_overflow(*GRU_STEP_GRADS)),)),
    ), (numpy_only(points=0.5),)),
    *_sequence_exercises("gru_backward", "gru_forward", GRU_INPUTS, gru_sequence_reference, {"args": GRU_SEQUENCE},
                         GRU_SEQUENCE_GRADS, _variant_hints(GRU_FORWARD_HINTS, "h") + (
                             hint_if_variant("every step starts from h0: feed each step the hidden state of the step "
                                             "before", "h", "not updated"),),
                         {"no carry": NO_CARRY, "first step weights": FIRST_STEP_WEIGHTS}),
]
