"""Graders of the topic `optim`: the update rules (judged over several consecutive steps against
torch.optim), the learning-rate schedules and gradient clipping."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograde_tests import strategies as dst
from autograde_tests.drivers.optim import run_rule
from grader.engine import compare
from grader.engine.checks import (Check, Exercise, Failure, Hint, Scenario, conform, describe, failed_call, hint_if_close,
                                  matches, numpy_only, unchanged_inputs)

TOPIC = "optim"


# References -------------------------------------------------------------------------------------
# The reference is torch.optim, whose conventions were checked against API.md's formulas:
# - SGD(momentum, nesterov) keeps buf = momentum * buf + dw and steps by -lr * buf (Nesterov:
#   -lr * (dw + momentum * buf)). With a constant learning rate this is API.md's rule with
#   velocity = -lr * buf (the Nesterov form w - mu * v_prev + (1 + mu) * v expands to the same step),
#   so the velocity is converted both ways.
# - Adagrad: state "sum" is the cache (initial_accumulator_value 0, lr_decay 0), eps outside the root;
#   its eps default (1e-10) differs, so every hyperparameter is passed explicitly.
# - RMSprop: alpha is decay_rate, eps outside the root, as in API.md.
# - Adadelta: eps inside both roots and lr multiplying the step, as in API.md.
# - Adam: t incremented before use, lr * m_hat / (sqrt(v_hat) + eps), as in API.md.
# - NAdam: with momentum_decay = inf, torch's momentum schedule mu_t = beta1 * (1 - 0.5 * 0.96 **
#   (t * momentum_decay)) is the constant beta1 (0.96 ** inf == 0.0), so mu_product = beta1 ** t and the
#   step -lr * ((1 - mu_t) / (1 - mu_product) * dw + mu_next / (1 - mu_product * mu_next) * m) /
#   (sqrt(v / (1 - beta2 ** t)) + eps) is API.md's formula term by term (m updated first, t incremented
#   before use). torch keeps mu_product as state; it is set to beta1 ** t from the given t, in float64
#   (torch's own default is a float32 scalar).
# The rules never look at w (no weight decay), so torch runs each step from p = 0: the parameter after
# the step is then exactly the update, which is what the checks compare (see _update_mismatch).


def _t(x):
    return torch.from_numpy(np.array(x, dtype=np.float64))


def _n(x):
    return x.detach().numpy().copy()


def _hyperparameters(rule: Rule, config) -> dict:
    return {key: (config or {}).get(key, default) for key, default in rule.defaults.items()}


def _first_state(rule: Rule, example) -> dict:
    config, shape = example["config"] or {}, example["w"].shape
    return {key: config.get(key, 0 if key == "t" else np.zeros(shape)) for key in rule.state}


def torch_run(rule: Rule, example, *, hyperparameters=None, fresh_state=False):
    """Each step's update (next_w - w) and the API state after it, from torch.optim.

    `fresh_state` restarts the optimizer from the first state at every step (a rule that forgets to
    store its state back into config).
    """
    hyper = hyperparameters or _hyperparameters(rule, example["config"])
    first = _first_state(rule, example)
    param = torch.zeros(example["w"].shape, dtype=torch.float64, requires_grad=True)

    def start():
        optimizer = rule.optimizer([param], hyper)
        optimizer.state[param].update(rule.to_torch(first, hyper))
        return optimizer

    optimizer = start()
    updates, states = [], []
    for dw in example["dws"]:
        optimizer = start() if fresh_state else optimizer
        with torch.no_grad():
            param.zero_()
        param.grad = _t(dw)
        optimizer.step()
        updates.append(_n(param))
        states.append(rule.from_torch(optimizer.state[param], hyper))
    return np.array(updates), states


def _adam_updates(example, states, *, bias_correction=True, t_lag=0, eps_before_correction=False, rule="adam"):
    """Adam's updates from its states (m, v, t after each step), with the variants the hints recognise.

    `eps_before_correction` is the other correct placement of epsilon: lr * m_hat / ((sqrt(v) + eps) /
    sqrt(1 - beta2^t)), i.e. epsilon / sqrt(1 - beta2^t) added to sqrt(v_hat). `rule` names the rule whose
    defaults fill in the hyperparameters (Nadam's hints compare with Adam's steps).
    """
    h = _hyperparameters(RULES[rule], example["config"])
    lr, b1, b2, eps = h["learning_rate"], h["beta1"], h["beta2"], h["epsilon"]
    updates = []
    for state in states:
        m, v, t = _t(state["m"]), _t(state["v"]), state["t"] - t_lag
        c1, c2 = (1 - b1 ** t, 1 - b2 ** t) if bias_correction else (1.0, 1.0)
        m_hat, v_hat = m / c1, v / c2
        updates.append(_n(-lr * m_hat / (v_hat.sqrt() + (eps / math.sqrt(c2) if eps_before_correction else eps))))
    return np.array(updates)


def _nadam_updates(example, states, *, look_ahead=1, bias_correction=True, t_lag=0):
    """Nadam's updates from its states (m, v, t after each step) and gradients, with the variants the hints
    recognise: `look_ahead=0` corrects the momentum term with beta1 ** t instead of beta1 ** (t + 1)."""
    h = _hyperparameters(RULES["nadam"], example["config"])
    lr, b1, b2, eps = h["learning_rate"], h["beta1"], h["beta2"], h["epsilon"]
    updates = []
    for state, dw in zip(states, example["dws"]):
        m, v, dw, t = _t(state["m"]), _t(state["v"]), _t(dw), state["t"] - t_lag
        if bias_correction:
            m_hat = b1 * m / (1 - b1 ** (t + look_ahead)) + (1 - b1) * dw / (1 - b1 ** t)
            v_hat = v / (1 - b2 ** t)
        else:
            m_hat, v_hat = b1 * m + (1 - b1) * dw, v
        updates.append(_n(-lr * m_hat / (v_hat.sqrt() + eps)))
    return np.array(updates)


def _buffer_states(rule: Rule, example, hyper) -> list:
    """torch's momentum buffers (buf = momentum * buf + dw), starting from the given velocity as a buffer."""
    config = dict(example["config"] or {})
    if "velocity" in config:  # so that to_torch turns it into a buffer equal to the given velocity
        config["velocity"] = -hyper["learning_rate"] * config["velocity"]
    states = torch_run(rule, {**example, "config": config}, hyperparameters=hyper)[1]
    return [-state["velocity"] / hyper["learning_rate"] for state in states]


def rule_reference(rule: Rule):
    def reference(example):
        updates, states = torch_run(rule, example)
        expected = {"updates": updates, "states": states, "updates_alt": updates,
                    "models": {"sign": -updates, "forgets state": torch_run(rule, example, fresh_state=True)[0]}}
        models = expected["models"]
        hyper = _hyperparameters(rule, example["config"])
        if rule.name == "adam":
            with np.errstate(all="ignore"):
                expected["updates_alt"] = _adam_updates(example, states, eps_before_correction=True)
                models["no bias correction"] = _adam_updates(example, states, bias_correction=False)
                models["t after use"] = _adam_updates(example, states, t_lag=1)
        if rule.name == "nadam":
            with np.errstate(all="ignore"):
                models["no bias correction"] = _nadam_updates(example, states, bias_correction=False)
                models["beta1 ** t"] = _nadam_updates(example, states, look_ahead=0)
                models["t after use"] = _nadam_updates(example, states, t_lag=1)
            models["adam"] = _adam_updates(example, states, rule="nadam")
        if "velocity" in rule.state:
            models["velocity buffer"] = _buffer_states(rule, example, hyper)
        if rule.name == "nesterov_momentum":
            models["plain momentum"] = torch_run(RULES["sgd_momentum"], example, hyperparameters=hyper)[0]
        if rule.name == "adagrad":  # the cache replaced by dw ** 2: RMSprop with decay 0
            models["not accumulating"] = torch_run(
                RULES["rmsprop"], {**example, "config": None}, hyperparameters={**hyper, "decay_rate": 0.0})[0]
        if rule.name == "rmsprop":
            models["decay swapped"] = torch_run(
                rule, example, hyperparameters={**hyper, "decay_rate": 1 - hyper["decay_rate"]})[0]
        return expected

    return reference


# torch.optim.lr_scheduler cannot serve as the reference: its schedulers are recursive per epoch and
# parameterised differently (ExponentialLR has no decay_steps or staircase, PolynomialLR no end_lr or
# cycle, CosineAnnealingLR keeps oscillating past T_max). The references are API.md's closed forms,
# evaluated in float64.


def exponential_reference(example):
    ratio = example["step"] / example["decay_steps"]
    floored = math.floor(ratio) if example.get("staircase") else ratio
    lr0, rate = example["lr0"], example["decay_rate"]
    return {"lr": lr0 * rate ** floored, "continuous": lr0 * rate ** ratio, "rounded up": lr0 * rate ** math.ceil(ratio),
            "natural": lr0 * math.exp(-rate * floored), "natural continuous": lr0 * math.exp(-rate * ratio),
            "natural rounded up": lr0 * math.exp(-rate * math.ceil(ratio))}


def natural_exp_reference(example):
    values = exponential_reference(example)
    return {"lr": values["natural"], "continuous": values["natural continuous"],
            "rounded up": values["natural rounded up"]}


def polynomial_reference(example):
    lr0, step, decay_steps = example["lr0"], example["step"], example["decay_steps"]
    end_lr, power = example.get("end_lr", 1e-4), example.get("power", 1.0)

    def decayed(step, decay_steps):
        return (lr0 - end_lr) * (1 - step / decay_steps) ** power + end_lr

    if example.get("cycle"):
        return {"lr": decayed(step, decay_steps * max(1, math.ceil(step / decay_steps))),
                "floor plus one": decayed(step, decay_steps * (step // decay_steps + 1))}
    uncapped = decayed(step, decay_steps)  # complex past decay_steps with a fractional power
    return {"lr": decayed(min(step, decay_steps), decay_steps),
            "not capped": uncapped if isinstance(uncapped, float) else math.nan}


def cosine_reference(example):
    lr0, decay_steps, alpha = example["lr0"], example["decay_steps"], example.get("alpha", 0.0)

    def cosine(step):
        return 0.5 * (1 + math.cos(math.pi * step / decay_steps))

    capped = min(example["step"], decay_steps)
    return {"lr": lr0 * ((1 - alpha) * cosine(capped) + alpha),
            "alpha not scaled": lr0 * (1 - alpha) * cosine(capped) + alpha,
            "not capped": lr0 * ((1 - alpha) * cosine(example["step"]) + alpha)}


def piecewise_reference(example):
    step, boundaries, values = example["step"], example["boundaries"], example["values"]
    below = [v for b, v in zip(boundaries, values) if step <= b]
    strictly = [v for b, v in zip(boundaries, values) if step < b]
    return {"lr": below[0] if below else values[-1], "strict": strictly[0] if strictly else values[-1]}


def clip_reference(example):
    params = [torch.zeros(g.shape, dtype=torch.float64) for g in example["grads"]]
    for param, g in zip(params, example["grads"]):
        param.grad = _t(g)
    total = torch.nn.utils.clip_grad_norm_(params, example["max_norm"]).item()
    max_norm = example["max_norm"]
    per_array = [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in example["grads"]]
    # Below max_norm API.md returns the arrays unchanged; torch scales them by min(1, max_norm /
    # (total + 1e-6)), which can fall below 1 when total is within 1e-6 of max_norm.
    unchanged = total <= max_norm
    return {"clipped": [g.copy() for g in example["grads"]] if unchanged else [_n(p.grad) for p in params],
            "total_norm": total, "per_array": per_array, "squared": total ** 2,
            "always_scaled": [g * (max_norm / (total + 1e-6)) for g in example["grads"]]}


# Strategies -------------------------------------------------------------------------------------
# Each example is a run: w, a sequence of gradients dws and a first config (None, or hyperparameters
# and state with any key left out). The driver calls the rule once per gradient, feeding it the
# previous step's next_w and the config it returned, and sends back every step's next_w and config.


def _between(low, high):
    return dst.floats(min_value=low, max_value=high)


_LR = _between(1e-3, 0.5)


def _gradient_elements():
    """0, or of ordinary size (|g| in [0.01, 3]): the two placements of Adam's epsilon then agree closely."""
    return st.one_of(st.just(0.0), _between(0.01, 3.0), _between(-3.0, -0.01))


def _initial_state(draw, key: str, shape):
    """A state a previous call could have left (CS231n's tests also start from given state)."""
    if key == "t":
        return draw(st.integers(0, 1000))
    if key == "velocity":
        return draw(dst.float_arrays(shape, magnitude=0.1))
    if key == "m":
        return draw(dst.float_arrays(shape, magnitude=1.0))
    if key == "v":  # strictly positive, so that sqrt(v_hat) is of ordinary size
        return draw(dst.float_arrays(shape, min_value=0.01, max_value=5.0))
    return draw(dst.float_arrays(shape, min_value=0.0, max_value=5.0))  # caches: sums of squares


@st.composite
def optimizer_runs(draw, *, rule: Rule, given: bool):
    """Dicts w, dws (one gradient per step, 2 to 5 steps) and config: None, or hyperparameters and
    state each given or left out (then the default applies)."""
    shape = tuple(draw(dst.shapes(max_dims=2)))
    w = draw(dst.float_arrays(shape))
    dws = [draw(hnp.arrays(np.float64, shape, elements=_gradient_elements()))
           for _ in range(draw(st.integers(2, 5)))]
    config = None
    if given:
        config = {}
        for key, values in rule.hyperparameters.items():
            if draw(st.booleans()):
                config[key] = draw(values)
        for key in rule.state:
            if draw(st.booleans()):
                config[key] = _initial_state(draw, key, shape)
    return {"w": w, "dws": dws, "config": config}


# Schedules: steps within, beyond and exactly at multiples of decay_steps.


@st.composite
def schedule_steps(draw, *, where: str):
    """Dicts step, decay_steps: `within` [0, decay_steps], `beyond` past it, `multiples` at or one away
    from k * decay_steps (k >= 0, so step 0 too) or anywhere up to 5 * decay_steps."""
    decay_steps = draw(st.integers(1, 50))
    if where == "within":
        step = draw(st.integers(0, decay_steps))
    elif where == "beyond":
        step = draw(st.integers(decay_steps + 1, 6 * decay_steps))
    else:
        k = draw(st.integers(0, 5))
        step = max(0, k * decay_steps + draw(st.sampled_from([0, 0, 1, -1]))) if draw(st.booleans()) \
            else draw(st.integers(0, 5 * decay_steps))
    return {"step": step, "decay_steps": decay_steps}


def _maybe(draw, example: dict, key: str, values) -> None:
    """Gives a keyword argument, or leaves it out so that its default applies."""
    if draw(st.booleans()):
        example[key] = draw(values)


def _flag(draw, example: dict, key: str, on: bool) -> None:
    """`key` is True when `on`; otherwise False or absent (the default), as a student may call it."""
    if on:
        example[key] = True
    else:
        _maybe(draw, example, key, st.just(False))


@st.composite
def exponential_schedules(draw, *, where: str, staircase: bool):
    example = {"lr0": draw(_between(1e-4, 1.0)), **draw(schedule_steps(where=where)),
               "decay_rate": draw(_between(0.05, 0.99))}
    _flag(draw, example, "staircase", staircase)
    return example


@st.composite
def polynomial_schedules(draw, *, where: str, cycle: bool):
    example = {"lr0": draw(_between(1e-3, 1.0)), **draw(schedule_steps(where=where))}
    _maybe(draw, example, "end_lr", _between(0.0, 1e-3))
    _maybe(draw, example, "power", _between(0.5, 3.0))
    _flag(draw, example, "cycle", cycle)
    return example


@st.composite
def cosine_schedules(draw, *, where: str):
    example = {"lr0": draw(_between(1e-4, 1.0)), **draw(schedule_steps(where=where))}
    _maybe(draw, example, "alpha", _between(0.0, 0.5))
    return example


@st.composite
def piecewise_schedules(draw, *, at_boundary: bool):
    boundaries = sorted(draw(st.sets(st.integers(0, 100), min_size=1, max_size=4)))
    values = draw(st.lists(_between(1e-4, 1.0), min_size=len(boundaries) + 1, max_size=len(boundaries) + 1, unique=True))
    step = draw(st.sampled_from(boundaries)) if at_boundary else draw(st.integers(0, boundaries[-1] + 20))
    if not at_boundary:
        assume(step not in boundaries)
    return {"step": step, "boundaries": boundaries, "values": values}


@st.composite
def gradient_lists(draw, *, clipped: bool):
    """Dicts grads (1 to 4 arrays of any shapes, at three scales) and max_norm, a fraction of their joint
    norm (below it when `clipped`, above it otherwise, never within 5% of it)."""
    scale = draw(st.sampled_from([1.0, 1e-3, 100.0]))
    grads = [draw(dst.float_arrays(tuple(draw(dst.shapes(max_dims=2))))) * scale for _ in range(draw(st.integers(1, 4)))]
    # math.fsum: exact, so the input is the same everywhere (sum() of floats rounds differently since
    # Python 3.12, and numpy's reductions may with its version or the CPU's SIMD)
    total = math.sqrt(math.fsum(v for g in grads for v in (g ** 2).ravel().tolist()))
    assume(total > 0)
    fraction = draw(_between(0.05, 0.95) if clipped else _between(1.05, 4.0))
    return {"grads": grads, "max_norm": fraction * total}


# Hints ------------------------------------------------------------------------------------------
# The hints read the steps with the checks' helpers (_student_steps, _update_mismatch), below.

SIGN = "every step moves along the gradient instead of against it (a sign error in the update)"
NESTEROV_PLAIN = ("these are plain momentum steps (next_w = w + v), not Nesterov's: next_w = w - momentum * v_prev + "
                  "(1 + momentum) * v, with v_prev the velocity before this step (beware: after v_prev = v, an in-place "
                  "update of v changes v_prev too)")
ADAGRAD_NOT_ACCUMULATING = ("the cache does not accumulate: AdaGrad's cache is the sum of all squared gradients so far "
                            "(cache += dw ** 2), not the last one")
RMSPROP_DECAY_SWAPPED = ("decay_rate weighs the new squared gradient: cache = decay_rate * cache + "
                         "(1 - decay_rate) * dw ** 2")
ADAM_NO_BIAS = "Adam without bias correction: use m / (1 - beta1 ** t) and v / (1 - beta2 ** t)"
ADAM_T_AFTER = ("t is incremented after it is used: increment config['t'] first, then use it in the bias correction "
                "(with t = 0 the correction divides by zero)")
NADAM_NO_BIAS = ("Nadam without bias correction: m_hat = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * dw / "
                 "(1 - beta1 ** t) and v_hat = v / (1 - beta2 ** t)")
NADAM_BETA1_T = ("the momentum term of m_hat is corrected with beta1 ** t; Nadam looks one step ahead: "
                 "beta1 * m / (1 - beta1 ** (t + 1)) (the gradient term keeps 1 - beta1 ** t)")
NADAM_IS_ADAM = ("these are Adam's steps (m_hat = m / (1 - beta1 ** t)); Nadam's m_hat adds Nesterov's look-ahead: "
                 "beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * dw / (1 - beta1 ** t)")
VELOCITY_BUFFER = ("config['velocity'] holds a sum of gradients (torch's momentum buffer); the contract's velocity "
                   "is v = momentum * v - learning_rate * dw, and next_w = w + v")


def follows(model: str) -> Callable:
    """Whether the student's steps are those of a mistaken rule whose updates the reference computed."""

    def applies(example, outcome, expected):
        steps, failure = _student_steps(example, outcome, expected)
        updates = expected["models"].get(model)
        if failure or updates is None:
            return False
        with np.errstate(all="ignore"):
            for k, (w, next_w, _) in enumerate(steps):
                if _update_mismatch(w, next_w, updates[k], updates[k], "x") is not None:
                    return False
                if not np.isfinite(updates[k]).all():  # both broke down here (t = 0 in a bias correction)
                    return True
        return True

    return applies


def _state_not_stored(rule: Rule) -> Hint:
    def applies(example, outcome, expected):
        steps, failure = _student_steps(example, outcome, expected)
        first, last = _first_state(rule, example), expected["states"][len(steps) - 1] if not failure else None

        def same(a, b):
            return compare.close(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))

        return not failure and len(steps) > 1 and any(
            same(steps[-1][2].get(key), first[key]) and not same(last[key], first[key]) for key in rule.state)

    keys = " and ".join(f"config['{key}']" for key in rule.state)
    return Hint(f"the state is not carried from call to call: store the updated {keys} back into config "
                "so that the next call continues from it", applies)


def _velocity_is_buffer(example, outcome, expected):
    steps, failure = _student_steps(example, outcome, expected)
    buffers = expected["models"]["velocity buffer"]
    return not failure and all(compare.close(np.asarray(config.get("velocity"), dtype=np.float64), buffers[k])
                               for k, (_, _, config) in enumerate(steps))


def _update_hints(rule: Rule) -> tuple:
    hints = [Hint(SIGN, follows("sign"))]
    if rule.state:
        hints.append(Hint(_state_not_stored(rule).text, follows("forgets state")))
    hints += {
        "nesterov_momentum": [Hint(NESTEROV_PLAIN, follows("plain momentum"))],
        "adagrad": [Hint(ADAGRAD_NOT_ACCUMULATING, follows("not accumulating"))],
        "rmsprop": [Hint(RMSPROP_DECAY_SWAPPED, follows("decay swapped"))],
        "adam": [Hint(ADAM_NO_BIAS, follows("no bias correction")), Hint(ADAM_T_AFTER, follows("t after use"))],
        "nadam": [Hint(NADAM_NO_BIAS, follows("no bias correction")), Hint(NADAM_BETA1_T, follows("beta1 ** t")),
                  Hint(NADAM_IS_ADAM, follows("adam")), Hint(ADAM_T_AFTER, follows("t after use"))],
    }.get(rule.name, [])
    return tuple(hints)


STAIRCASE_IGNORED = "with staircase=True the exponent step / decay_steps must be floored (math.floor or //)"
STAIRCASE_CEIL = "the exponent is rounded up; staircase floors it (math.floor or //)"


def _cycle_at_step_zero(example, outcome, expected):
    got = outcome.outputs.get("lr")
    return example["step"] == 0 and (outcome.error is not None or got is None or not np.isfinite(got))


def _clipped_like(model: str) -> Callable:
    def applies(example, outcome, expected):
        got = outcome.outputs.get("clipped")
        return isinstance(got, (list, tuple)) and len(got) == len(expected[model]) and all(
            compare.close(g, m) for g, m in zip(got, expected[model]))

    return applies


PER_ARRAY = ("each array is clipped by its own norm; clip_grad_norm scales all arrays by one factor, from their joint "
             "norm sqrt(sum of the squares of all elements of all arrays)")


# Checks -----------------------------------------------------------------------------------------

_EPS64 = np.finfo(np.float64).eps

STEPS_NOTE = ("each step calls the rule with the previous step's next_w and the config it returned "
              "(the first step gets w and config)")


def _student_steps(example, outcome, expected):
    """([(w_before, next_w, config)] for every step, None) or (None, Failure)."""
    if outcome.error:
        return None, Failure(outcome.error)
    steps = outcome.raw.get("steps")
    if not isinstance(steps, list) or not steps:
        return None, Failure("the rule's results could not be read back")
    found, w = [], example["w"]
    for k, step in enumerate(steps):
        where = f"step {k + 1} of {len(example['dws'])}"
        if not isinstance(step, dict) or "returned" in step:
            returned = step.get("returned") if isinstance(step, dict) else step
            return None, Failure(f"{where}: the rule should return a tuple (next_w, config), got {describe(returned)}")
        next_w, problem = conform(step.get("next_w"), example["w"], "next_w")
        if problem:
            return None, Failure(f"{where}: {problem}")
        if not isinstance(step.get("config"), dict):
            return None, Failure(f"{where}: the returned config should be a dict, got "
                                 f"{type(step.get('config')).__name__}")
        found.append((w, next_w, step["config"]))
        w = next_w
    return found, None


def _update_mismatch(w_before, next_w, low, high, name):
    """Compares the step next_w - w with the accepted range [low, high] of the update (one value for every
    rule but Adam). Updates are compared, not weights, so that a small learning rate cannot hide a wrong
    step; the tolerance adds a few ulps of w for the rounding of next_w itself."""
    got = next_w - w_before
    lo, hi = np.minimum(low, high), np.maximum(low, high)
    nearest = np.where(np.isnan(got), lo, np.clip(got, lo, hi))
    rounding = 4 * _EPS64 * max(float(np.max(np.abs(w_before), initial=0.0)), float(np.max(np.abs(next_w), initial=0.0)))
    scale = max(float(np.max(np.abs(nearest), initial=0.0)), 1e-12)
    return compare.mismatch(name, got, nearest, atol=compare.ATOL + rounding / scale, against="torch.optim")


def next_w_matches(rule: Rule, *, name: str, points: float, hints=()):
    def verify(example, outcome, expected):
        steps, failure = _student_steps(example, outcome, expected)
        if failure:
            return failure
        for k, (w_before, next_w, _) in enumerate(steps):
            failure = _update_mismatch(w_before, next_w, expected["updates"][k], expected["updates_alt"][k],
                                       "(next_w - w)")
            if failure:
                return Failure(f"step {k + 1} of {len(steps)}: {failure.summary}", failure.details + (STEPS_NOTE,))
        if len(steps) < len(example["dws"]):
            return Failure(f"only {len(steps)} of {len(example['dws'])} steps could be run")
        return None

    return Check(name, points, verify, hints)


def state_matches(rule: Rule, *, points: float, hints=()):
    keys = ", ".join(f"'{key}'" for key in rule.state)

    def verify(example, outcome, expected):
        steps, failure = _student_steps(example, outcome, expected)
        if failure:
            return failure
        for k, ((_, _, config), state) in enumerate(zip(steps, expected["states"])):
            where = f"after step {k + 1} of {len(steps)}"
            for key in rule.state:
                if key not in config:
                    return Failure(f"{where}, config has no '{key}'", (f"the rule keeps its state in config ({keys})",))
                value, problem = conform(config[key], state[key], f"config['{key}']")
                if problem:
                    return Failure(f"{where}: {problem}")
                if key == "t" and value != state[key]:
                    return Failure(f"{where}, config['t'] is {value}, expected {state[key]}", (STEPS_NOTE,))
                failure = None if key == "t" else compare.mismatch(f"config['{key}']", value, state[key],
                                                                    against="torch.optim")
                if failure:
                    return Failure(f"{where}: {failure.summary}", failure.details + (STEPS_NOTE,))
        return None

    return Check(f"state in config ({keys}) matches torch.optim after every step", points, verify, hints)


def defaults_filled(rule: Rule, *, points: float):
    def verify(example, outcome, expected):
        steps, failure = _student_steps(example, outcome, expected)
        if failure:
            return failure
        for k, (_, _, config) in enumerate(steps):
            where = "after the first call (with config=None)" if k == 0 else f"after step {k + 1}"
            for key, default in rule.defaults.items():
                if key not in config:
                    return Failure(f"{where}, config has no '{key}'",
                                   (f"fill in every default, e.g. config.setdefault('{key}', {default!r})",))
                value, problem = conform(config[key], float(default), f"config['{key}']")
                if problem:
                    return Failure(f"{where}: {problem}")
                if not math.isclose(value, default, rel_tol=1e-12):
                    return Failure(f"{where}, config['{key}'] is {value!r}; the default is {default!r}")
        return None

    return Check("config=None fills in the default hyperparameters", points, verify)


def _lr(name: str, points: float, *hints) -> Check:
    return matches("lr", points=points, name=name, against="the formula", hints=tuple(hints))


def _clipped_match(example, outcome, expected):
    failure = failed_call(outcome, "clipped")
    if failure:
        return failure
    got, wanted = outcome.outputs["clipped"], expected["clipped"]
    if not isinstance(got, (list, tuple)) or len(got) != len(wanted):
        return Failure(f"clipped should be a list of {len(wanted)} arrays, got {type(got).__name__}"
                       + (f" of {len(got)}" if isinstance(got, (list, tuple)) else ""))
    for i, (array, exp) in enumerate(zip(got, wanted)):
        value, problem = conform(array, exp, f"clipped[{i}]")
        failure = Failure(problem) if problem else compare.mismatch(f"clipped[{i}]", value, exp, against="torch")
        if failure:
            return failure
    return None


# Exercises --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    defaults: dict                 # hyperparameters and their defaults (API.md)
    state: tuple                   # the state keys the rule keeps in config
    hyperparameters: dict          # strategies of non-default values in their documented ranges
    optimizer: Callable            # (params, hyperparameters) -> torch optimizer
    to_torch: Callable = lambda state, h: {}          # API state -> the optimizer's state
    from_torch: Callable = lambda state, h: {}        # the optimizer's state -> API state


_MOMENTUM_STATE = {
    "to_torch": lambda s, h: {"momentum_buffer": _t(-s["velocity"] / h["learning_rate"])},
    "from_torch": lambda s, h: {"velocity": -h["learning_rate"] * _n(s["momentum_buffer"])},
}

RULES = {rule.name: rule for rule in (
    Rule("sgd", {"learning_rate": 1e-2}, (), {"learning_rate": _LR},
         lambda p, h: torch.optim.SGD(p, lr=h["learning_rate"])),
    Rule("sgd_momentum", {"learning_rate": 1e-2, "momentum": 0.9}, ("velocity",),
         {"learning_rate": _LR, "momentum": _between(0.1, 0.99)},
         lambda p, h: torch.optim.SGD(p, lr=h["learning_rate"], momentum=h["momentum"]), **_MOMENTUM_STATE),
    Rule("nesterov_momentum", {"learning_rate": 1e-2, "momentum": 0.9}, ("velocity",),
         {"learning_rate": _LR, "momentum": _between(0.1, 0.99)},
         lambda p, h: torch.optim.SGD(p, lr=h["learning_rate"], momentum=h["momentum"], nesterov=True),
         **_MOMENTUM_STATE),
    Rule("adagrad", {"learning_rate": 1e-2, "epsilon": 1e-8}, ("cache",),
         {"learning_rate": _LR, "epsilon": _between(1e-8, 1e-4)},
         lambda p, h: torch.optim.Adagrad(p, lr=h["learning_rate"], eps=h["epsilon"], lr_decay=0.0,
                                          initial_accumulator_value=0.0, foreach=False),
         lambda s, h: {"sum": _t(s["cache"])}, lambda s, h: {"cache": _n(s["sum"])}),
    Rule("rmsprop", {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}, ("cache",),
         {"learning_rate": _LR, "decay_rate": _between(0.5, 0.999), "epsilon": _between(1e-8, 1e-4)},
         lambda p, h: torch.optim.RMSprop(p, lr=h["learning_rate"], alpha=h["decay_rate"], eps=h["epsilon"],
                                          foreach=False),
         lambda s, h: {"step": torch.tensor(0.0), "square_avg": _t(s["cache"])},
         lambda s, h: {"cache": _n(s["square_avg"])}),
    Rule("adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}, ("cache", "delta"),
         {"learning_rate": _between(0.1, 2.0), "rho": _between(0.5, 0.99), "epsilon": _between(1e-8, 1e-4)},
         lambda p, h: torch.optim.Adadelta(p, lr=h["learning_rate"], rho=h["rho"], eps=h["epsilon"], foreach=False),
         lambda s, h: {"step": torch.tensor(0.0), "square_avg": _t(s["cache"]), "acc_delta": _t(s["delta"])},
         lambda s, h: {"cache": _n(s["square_avg"]), "delta": _n(s["acc_delta"])}),
    # Adam's epsilon stays small: the accepted band between its two placements (see adam_alternative)
    # widens with epsilon / sqrt(v_hat).
    Rule("adam", {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}, ("m", "v", "t"),
         {"learning_rate": _between(1e-4, 0.1), "beta1": _between(0.5, 0.99), "beta2": _between(0.9, 0.9999),
          "epsilon": _between(1e-8, 1e-6)},
         lambda p, h: torch.optim.Adam(p, lr=h["learning_rate"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"],
                                       foreach=False),
         lambda s, h: {"step": torch.tensor(float(s["t"])), "exp_avg": _t(s["m"]), "exp_avg_sq": _t(s["v"])},
         lambda s, h: {"m": _n(s["exp_avg"]), "v": _n(s["exp_avg_sq"]), "t": int(s["step"].item())}),
    # momentum_decay = inf turns torch's momentum schedule off (see References).
    Rule("nadam", {"learning_rate": 2e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}, ("m", "v", "t"),
         {"learning_rate": _between(1e-4, 0.1), "beta1": _between(0.5, 0.99), "beta2": _between(0.9, 0.9999),
          "epsilon": _between(1e-8, 1e-6)},
         lambda p, h: torch.optim.NAdam(p, lr=h["learning_rate"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"],
                                        momentum_decay=math.inf, foreach=False),
         lambda s, h: {"step": torch.tensor(float(s["t"])), "exp_avg": _t(s["m"]), "exp_avg_sq": _t(s["v"]),
                       "mu_product": torch.tensor(h["beta1"] ** s["t"], dtype=torch.float64)},
         lambda s, h: {"m": _n(s["exp_avg"]), "v": _n(s["exp_avg_sq"]), "t": int(s["step"].item())}),
)}


def rule_exercise(rule: Rule) -> Exercise:
    hints = _update_hints(rule)
    state_hints = (_state_not_stored(rule),) + ((Hint(VELOCITY_BUFFER, _velocity_is_buffer),)
                                                if "velocity" in rule.state else ())
    given_checks = (next_w_matches(rule, name="next_w matches torch.optim at every step", points=2.0, hints=hints),)
    if rule.state:
        given_checks += (state_matches(rule, points=1.0, hints=state_hints),)
    given_checks += (unchanged_inputs(points=0.5, may_change=("w", "config"), name="dw is not modified",
                                      advice="rules may update w in place, but not dw: use out-of-place operations "
                                             "such as dw ** 2"),)
    return Exercise(rule.name, TOPIC, (
        Scenario("config=None: the default hyperparameters", optimizer_runs(rule=rule, given=False),
                 rule_reference(rule), returns=None, driver=run_rule, checks=(
                     defaults_filled(rule, points=0.5),
                     next_w_matches(rule, name="next_w matches torch.optim with the default hyperparameters",
                                    points=1.0, hints=hints),
                 )),
        Scenario("given hyperparameters and state, several steps", optimizer_runs(rule=rule, given=True),
                 rule_reference(rule), returns=None, driver=run_rule, checks=given_checks),
    ), (numpy_only(points=0.5),))


EXP_CALL = {"args": ("lr0", "step", "decay_steps", "decay_rate"), "kwargs": ("staircase",)}
POLY_CALL = {"args": ("lr0", "step", "decay_steps"), "kwargs": ("end_lr", "power", "cycle")}
COSINE_CALL = {"args": ("lr0", "step", "decay_steps"), "kwargs": ("alpha",)}
PIECEWISE_CALL = {"args": ("step", "boundaries", "values")}


def _exp_exercise(name, reference, continuous_hints):
    return Exercise(name, TOPIC, (
        Scenario("continuous decay", exponential_schedules(where="multiples", staircase=False), reference,
                 returns="lr", call=EXP_CALL, checks=(_lr("lr matches the formula", 1.5, *continuous_hints),)),
        Scenario("staircase, at and between multiples of decay_steps", exponential_schedules(where="multiples", staircase=True),
                 reference, returns="lr", call=EXP_CALL, checks=(
                     _lr("lr matches the formula with staircase=True", 1.5,
                         hint_if_close(STAIRCASE_IGNORED, "lr", lambda ex, exp: exp["continuous"]),
                         hint_if_close(STAIRCASE_CEIL, "lr", lambda ex, exp: exp["rounded up"])),)),
    ), (numpy_only(points=0.5),))


SCHEDULE_EXERCISES = [
    _exp_exercise("exponential_decay", exponential_reference, (
        hint_if_close("decay_rate ** step / decay_steps divides the power; the exponent is (step / decay_steps)", "lr",
                      lambda ex, exp: ex["lr0"] * ex["decay_rate"] ** ex["step"] / ex["decay_steps"]),)),
    _exp_exercise("natural_exp_decay", natural_exp_reference, (
        hint_if_close("the exponent has the wrong sign: the rate decays as exp(-decay_rate * step / decay_steps)", "lr",
                      lambda ex, exp: ex["lr0"] ** 2 / exp["lr"]),)),
    Exercise("polynomial_decay", TOPIC, (
        Scenario("within decay_steps", polynomial_schedules(where="within", cycle=False), polynomial_reference,
                 returns="lr", call=POLY_CALL, checks=(_lr("lr matches the formula", 1.0),)),
        Scenario("beyond decay_steps, no cycle", polynomial_schedules(where="beyond", cycle=False), polynomial_reference,
                 returns="lr", call=POLY_CALL, checks=(
                     _lr("lr stays at end_lr beyond decay_steps", 1.0,
                         hint_if_close("step is not capped at decay_steps: beyond it the rate stays at end_lr", "lr",
                                       lambda ex, exp: exp["not capped"])),)),
        Scenario("cycle=True, at and between multiples of decay_steps", polynomial_schedules(where="multiples", cycle=True),
                 polynomial_reference, returns="lr", call=POLY_CALL, checks=(
                     _lr("lr matches the formula with cycle=True", 1.0,
                         Hint("at step 0 ceil(step / decay_steps) is 0: use max(1, ceil(step / decay_steps))",
                              _cycle_at_step_zero),
                         hint_if_close("at an exact multiple of decay_steps, ceil(step / decay_steps) is step / decay_steps "
                                       "(the rate reaches end_lr), not one more", "lr",
                                       lambda ex, exp: exp["floor plus one"])),)),
    ), (numpy_only(points=0.5),)),
    Exercise("cosine_decay", TOPIC, (
        Scenario("within decay_steps", cosine_schedules(where="within"), cosine_reference, returns="lr",
                 call=COSINE_CALL, checks=(
                     _lr("lr matches the formula", 1.5, hint_if_close(
                         "alpha is a fraction of lr0: lr0 * ((1 - alpha) * cosine + alpha)", "lr",
                         lambda ex, exp: exp["alpha not scaled"])),)),
        Scenario("beyond decay_steps", cosine_schedules(where="beyond"), cosine_reference, returns="lr",
                 call=COSINE_CALL, checks=(
                     _lr("lr stays at alpha * lr0 beyond decay_steps", 1.0, hint_if_close(
                         "step is not capped at decay_steps: beyond it the rate stays at alpha * lr0", "lr",
                         lambda ex, exp: exp["not capped"])),)),
    ), (numpy_only(points=0.5),)),
    Exercise("piecewise_constant", TOPIC, (
        Scenario("steps between boundaries and past the last one", piecewise_schedules(at_boundary=False),
                 piecewise_reference, returns="lr", call=PIECEWISE_CALL, checks=(_lr("lr matches the formula", 1.0),)),
        Scenario("steps exactly at a boundary", piecewise_schedules(at_boundary=True), piecewise_reference,
                 returns="lr", call=PIECEWISE_CALL, checks=(
                     _lr("lr at a boundary step is values[i] (step <= boundaries[i])", 1.0, hint_if_close(
                         "a step equal to boundaries[i] still gets values[i]: compare with step <= boundaries[i]", "lr",
                         lambda ex, exp: exp["strict"])),)),
    ), (numpy_only(points=0.5),)),
]

CLIP_CALL = {"args": ("grads", "max_norm")}

CLIP_EXERCISE = Exercise("clip_grad_norm", TOPIC, (
    Scenario("joint norm above max_norm", gradient_lists(clipped=True), clip_reference,
             returns=("clipped", "total_norm"), call=CLIP_CALL, checks=(
                 Check("clipped matches torch", 2.0, _clipped_match, (Hint(PER_ARRAY, _clipped_like("per_array")),)),
                 matches("total_norm", points=1.0, hints=(
                     hint_if_close("total_norm is the squared norm: take its square root", "total_norm",
                                   lambda ex, exp: exp["squared"]),)),
                 unchanged_inputs(points=0.5, advice="scale copies (g * scale), not the arrays themselves (g *= scale)"),
             )),
    Scenario("joint norm below max_norm", gradient_lists(clipped=False), clip_reference,
             returns=("clipped", "total_norm"), call=CLIP_CALL, checks=(
                 Check("gradients below max_norm are returned unchanged", 1.0, _clipped_match, (
                     Hint("the gradients are rescaled although their norm is below max_norm: scale only when "
                          "total_norm > max_norm", _clipped_like("always_scaled")),)),
             )),
), (numpy_only(points=0.5),))


EXERCISES = [rule_exercise(rule) for rule in RULES.values()] + SCHEDULE_EXERCISES + [CLIP_EXERCISE]
