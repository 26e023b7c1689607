"""Graders of the topic `backprop`: affine and ReLU layers, the affine-ReLU sandwich, TwoLayerNet, and a
fully connected residual block.

Layers with a fixed cache (affine: (x, w, b); relu: x) have their backward pass run on a cache the
grader builds; the affine-ReLU cache is opaque, so its backward runs on the student's own forward.
TwoLayerNet is built inside the worker; its initialisation is judged statistically, its loss on
parameters the grader writes into `params`.
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import F, torch  # imported on first use
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from grader.engine.lazy_modules import stats  # imported on first use

from autograde_tests import _autograd
from autograde_tests import strategies as dst
from autograde_tests.drivers.backprop import PARAMS, backward_with_fixed_cache, construct_network, network_loss
from grader.engine.checks import (Check, Exercise, Failure, Kind, Scenario, conform, failed_call, hint_if_close, hint_if_returned,
                                  hint_if_scaled, matches, numpy_only, reference_scale, scale_of, unchanged_inputs)
from grader.isolation.drivers import forward_then_backward

TOPIC = "backprop"


# References -------------------------------------------------------------------------------------
# Sums that cancel to nearly 0 carry rounding noise of the size of the terms they sum, in any order of
# summation, which is no mistake: the references give that size as each output's `scale_of(output)`.


def _flat(x):
    return x.reshape(len(x), -1)


def _pre_activations(x, w, b):
    return x.reshape(len(x), -1) @ w + b


def _magnitudes(x, w, b, dout=None, mask=1.0) -> dict:
    """The size of the terms each output sums, |x| |w| + |b| and the like (mask: the ReLU's, if any)."""
    x, w, b = np.abs(x), np.abs(w), np.abs(b)
    found = {scale_of("out"): _flat(x) @ w + b}
    if dout is not None:
        da = np.abs(dout) * mask
        found.update({scale_of("dx"): da @ w.T, scale_of("dw"): _flat(x).T @ da, scale_of("db"): da.sum(axis=0)})
    return found


def affine_reference(example):
    x, w, b = (torch.from_numpy(example[k]).requires_grad_() for k in ("x", "w", "b"))
    out = x.reshape(x.shape[0], -1) @ w + b
    expected = {"out": out.detach().numpy()}
    if "dout" in example:
        dx, dw, db = torch.autograd.grad(out, (x, w, b), torch.from_numpy(example["dout"]))
        expected.update(dx=dx.numpy(), dw=dw.numpy(), db=db.numpy())
    return expected | _magnitudes(example["x"], example["w"], example["b"], example.get("dout"))


def relu_reference(example):
    x = torch.from_numpy(example["x"]).requires_grad_()
    out = torch.relu(x)
    expected = {"out": out.detach().numpy()}
    if "dout" in example:
        (dx,) = torch.autograd.grad(out, (x,), torch.from_numpy(example["dout"]))
        expected["dx"] = dx.numpy()
    return expected


def affine_relu_reference(example):
    x, w, b = (torch.from_numpy(example[k]).requires_grad_() for k in ("x", "w", "b"))
    out = torch.relu(x.reshape(x.shape[0], -1) @ w + b)
    expected = {"out": out.detach().numpy()}
    if "dout" in example:
        dx, dw, db = torch.autograd.grad(out, (x, w, b), torch.from_numpy(example["dout"]))
        expected.update(dx=dx.numpy(), dw=dw.numpy(), db=db.numpy())
    mask = _pre_activations(example["x"], example["w"], example["b"]) > 0
    return expected | _magnitudes(example["x"], example["w"], example["b"], example.get("dout"), mask)


def network_reference(example):
    """Scores; with labels, the loss with 0.5 * reg * (|W1|^2 + |W2|^2) and every gradient by autograd,
    plus the data-only loss and gradients and the penalty, used by the hints."""
    X = torch.from_numpy(example["X"])
    params = {name: torch.from_numpy(example[name]).requires_grad_() for name in PARAMS}
    hidden = torch.relu(X.reshape(X.shape[0], -1) @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    hidden_np = hidden.detach().numpy()
    expected = {"scores": scores.detach().numpy(),
                scale_of("scores"): np.abs(hidden_np) @ np.abs(example["W2"]) + np.abs(example["b2"])}
    if "y" not in example:
        return expected
    data_loss = F.cross_entropy(scores, torch.from_numpy(example["y"]))
    penalty = (params["W1"] ** 2).sum() + (params["W2"] ** 2).sum()
    loss = data_loss + 0.5 * example["reg"] * penalty
    grads = torch.autograd.grad(loss, [params[name] for name in PARAMS], retain_graph=True)
    data_grads = torch.autograd.grad(data_loss, [params[name] for name in PARAMS], retain_graph=True)
    expected.update({"loss": loss.item(), "data_loss": data_loss.item(), "penalty": penalty.item()})
    expected.update({_grad(name): g.numpy() for name, g in zip(PARAMS, grads)})
    expected.update({"data_" + name: g.numpy() for name, g in zip(PARAMS, data_grads)})
    (dscores,) = torch.autograd.grad(data_loss, scores)
    dhidden = np.abs(dscores.numpy()) @ np.abs(example["W2"]).T * (hidden_np > 0)
    regularized = {name: np.abs(example["reg"] * example[name]) for name in ("W1", "W2")}
    expected.update({scale_of(_grad("W2")): np.abs(hidden_np).T @ np.abs(dscores.numpy()) + regularized["W2"],
                     scale_of(_grad("b2")): np.abs(dscores.numpy()).sum(axis=0),
                     scale_of(_grad("W1")): np.abs(_flat(example["X"])).T @ dhidden + regularized["W1"],
                     scale_of(_grad("b1")): dhidden.sum(axis=0)})
    return expected


def _grad(name: str) -> str:
    return f"grads['{name}']"


RESIDUAL_INPUTS = ("x", "w1", "b1", "w2", "b2")


def _residual_block(*, skip=True, skip_gradient=True, last_relu=True, relu_before_add=False, hidden_relu=True):
    """out = relu(x + relu(x w1 + b1) w2 + b2) as a model of _autograd.reference, or a variant carrying a
    mistake: the skip connection left out or detached (no gradient along it), the last ReLU left out or
    applied to the branch before the addition, the hidden ReLU left out."""

    def model(t, tape):
        a = tape.affine(t["x"], "x", t["w1"], "w1", t["b1"], "b1")
        f = tape.affine(torch.relu(a) if hidden_relu else a, None, t["w2"], "w2", t["b2"], "b2")
        if relu_before_add:
            return (t["x"] + torch.relu(f),)
        s = (t["x"] if skip_gradient else t["x"].detach()) + f if skip else f
        return (torch.relu(s) if last_relu else s,)

    return model


RESIDUAL_VARIANTS = {"no skip": _residual_block(skip=False), "skip detached": _residual_block(skip_gradient=False),
                     "no last relu": _residual_block(last_relu=False),
                     "relu before add": _residual_block(relu_before_add=True),
                     "no hidden relu": _residual_block(hidden_relu=False)}


def residual_reference(example):
    """Every output and gradient by torch autograd, the term scales of the gradients, and the variants' values.
    dx adds the skip path's ds = dout * (x + f > 0) to the branch's gradient: its scale includes |ds|."""
    found = _autograd.reference(example, _residual_block(), inputs=RESIDUAL_INPUTS, outputs=("out",),
                                upstream=("dout",), variants=RESIDUAL_VARIANTS)
    if "dout" in example:
        ds = np.abs(example["dout"]) * (found["out"] > 0)
        found[scale_of("dx")] = max(found[scale_of("dx")], float(ds.max(initial=0.0)))
        # dx + the skip path's gradient bypassing the last ReLU's mask: dout + (the branch's share of dx)
        found["unmasked skip/dx"] = example["dout"] + found["dx"] - example["dout"] * (found["out"] > 0)
    return found


# Strategies -------------------------------------------------------------------------------------

KINK_GAP = 1e-2  # pre-activations stay this far from the ReLU's kink, so any subgradient there is accepted


def _nonzero_elements(magnitude: float = 3.0):
    return st.one_of(dst.floats(min_value=-magnitude, max_value=-KINK_GAP),
                     dst.floats(min_value=KINK_GAP, max_value=magnitude))


def _data_shape(draw, n: int, *, min_dims: int, max_dims: int) -> tuple[int, ...]:
    """(N, d1, ..., dk), with 1 + k between min_dims and max_dims."""
    return (n,) + tuple(draw(hnp.array_shapes(min_dims=min_dims - 1, max_dims=max_dims - 1, min_side=1, max_side=3)))


@st.composite
def affine_inputs(draw, *, min_dims: int = 2, max_dims: int = 2, relu: bool = False, with_dout: bool = False):
    """Dicts x (N, d1, ..., dk), w (D, M), b (M,), optionally dout (N, M); with `relu`, x w + b stays
    away from 0 (the ReLU's kink)."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(dst.float_arrays(_data_shape(draw, n, min_dims=min_dims, max_dims=max_dims)))
    d = int(np.prod(x.shape[1:]))
    example = {"x": x, "w": draw(dst.float_arrays((d, m), magnitude=1.0)), "b": draw(dst.float_arrays((m,), magnitude=1.0))}
    if relu:
        assume(np.abs(_pre_activations(x, example["w"], example["b"])).min() >= KINK_GAP)
    if with_dout:
        example["dout"] = draw(dst.float_arrays((n, m)))
    return example


@st.composite
def relu_inputs(draw, *, with_dout: bool = False):
    shape = draw(dst.shapes(max_dims=3))
    example = {"x": draw(hnp.arrays(np.float64, shape, elements=_nonzero_elements()))}
    if with_dout:
        example["dout"] = draw(dst.float_arrays(shape))
    return example


@st.composite
def network_inputs(draw, *, with_labels: bool):
    """Dicts X (N, d1[, d2]), W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), reg [, y (N,)], hidden layer off its kink."""
    n, h, c = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(2, 4))
    X = draw(dst.float_arrays(_data_shape(draw, n, min_dims=2, max_dims=3)))
    d = int(np.prod(X.shape[1:]))
    example = {"X": X, "W1": draw(dst.float_arrays((d, h), magnitude=1.0)),
               "b1": draw(dst.float_arrays((h,), magnitude=1.0)), "W2": draw(dst.float_arrays((h, c), magnitude=1.0)),
               "b2": draw(dst.float_arrays((c,), magnitude=1.0)), "reg": draw(dst.regularizations())}
    assume(np.abs(_pre_activations(X, example["W1"], example["b1"])).min() >= KINK_GAP)
    if with_labels:
        example["y"] = draw(dst.labels(n, c))
    return example


@st.composite
def network_sizes(draw):
    """Constructor arguments, large enough (W1 >= 200 weights, W2 >= 50) for the statistical checks."""
    return {"input_dim": draw(st.integers(20, 40)), "hidden_dim": draw(st.integers(10, 20)),
            "num_classes": draw(st.integers(5, 10)), "weight_scale": draw(dst.floats(min_value=1e-3, max_value=0.5)),
            "reg": draw(dst.regularizations()), "seed": draw(st.integers(0, 2**31 - 2))}


@st.composite
def residual_inputs(draw, *, dead_branch: bool = False, with_dout: bool = False):
    """Dicts x (N, D), w1 (D, H), b1 (H,), w2 (H, D), b2 (D,)[, dout (N, D)], both ReLUs' inputs off their kink.
    With `dead_branch`, b1 holds every hidden unit below 0 (the branch's output is b2 alone): only the skip
    connection carries a gradient to x."""
    n, d, h = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(dst.float_arrays((n, d)))
    w1, w2 = draw(dst.float_arrays((d, h), magnitude=1.0)), draw(dst.float_arrays((h, d), magnitude=1.0))
    b1, b2 = draw(dst.float_arrays((h,), magnitude=1.0)), draw(dst.float_arrays((d,), magnitude=1.0))
    if dead_branch:
        b1 = -(np.abs(x) @ np.abs(w1)).max(axis=0) - draw(dst.floats(min_value=0.1, max_value=1.0))
    a = x @ w1 + b1
    assume(np.abs(a).min() >= KINK_GAP)
    assume(np.abs(x + np.maximum(a, 0) @ w2 + b2).min() >= KINK_GAP)
    example = {"x": x, "w1": w1, "b1": b1, "w2": w2, "b2": b2}
    if with_dout:
        example["dout"] = draw(dst.float_arrays((n, d)))
    return example


# Hints ------------------------------------------------------------------------------------------


def _n(example) -> int:
    return len(example.get("x", example.get("X")))


FLATTENED_DX = hint_if_returned("dx is flattened to (N, D): reshape it to the shape of x (dx = ... .reshape(x.shape))",
                                0, lambda ex, exp: _flat(exp["dx"]))
DB_WRONG_AXIS = hint_if_returned("db is summed over the wrong axis: sum dout over the batch (axis=0), one value per "
                                 "output unit", 2, lambda ex, exp: ex["dout"].sum(axis=1))
DB_AVERAGED = hint_if_scaled("db is averaged over the batch: the bias gradient is the sum of dout over axis 0",
                             "db", lambda ex: 1 / _n(ex))
DW_TRANSPOSED = hint_if_returned("dw is transposed: dw = x.T @ dout has the shape (D, M) of w", 1,
                                 lambda ex, exp: exp["dw"].T)
DOUT_MASK = ("the ReLU mask is taken from dout (dout > 0); the gradient passes where the ReLU's input is positive "
             "(x > 0, or equivalently out > 0)")


def _masked_by_dout(ex, exp):
    """What affine_relu_backward gives with the ReLU mask taken from dout: (dx, dw, db)."""
    da = ex["dout"] * (ex["dout"] > 0)
    return (da @ ex["w"].T).reshape(ex["x"].shape), _flat(ex["x"]).T @ da, da.sum(axis=0)


def _without_relu(ex, exp):
    da = ex["dout"]
    return (da @ ex["w"].T).reshape(ex["x"].shape), _flat(ex["x"]).T @ da, da.sum(axis=0)


def _sandwich_hints(index: int, name: str):
    return (hint_if_close(DOUT_MASK, name, lambda ex, exp: _masked_by_dout(ex, exp)[index]),
            hint_if_close("the ReLU's gradient is missing: dout goes through the affine backward unmasked", name,
                          lambda ex, exp: _without_relu(ex, exp)[index]))


LOSS_HINTS = (
    hint_if_close("the regularization is reg * sum(W**2); the contract's is 0.5 * reg * (sum(W1**2) + sum(W2**2))",
                  "loss", lambda ex, exp: exp["data_loss"] + ex["reg"] * exp["penalty"]),
    hint_if_close("the regularization term is missing from the loss", "loss", lambda ex, exp: exp["data_loss"]),
    hint_if_close("the biases are regularized too; only W1 and W2 are", "loss",
                  lambda ex, exp: exp["data_loss"] + 0.5 * ex["reg"] * (
                      exp["penalty"] + np.sum(ex["b1"] ** 2) + np.sum(ex["b2"] ** 2))),
    hint_if_close("the data loss is summed, not averaged: divide it by the number of examples N", "loss",
                  lambda ex, exp: _n(ex) * exp["data_loss"] + 0.5 * ex["reg"] * exp["penalty"]),
)


def _grad_hints(name: str):
    regularized = name.startswith("W")
    reg_grad = (lambda ex: ex["reg"] * ex[name]) if regularized else (lambda ex: 0.0)
    hints = [hint_if_close("the data gradient is N times too large: divide dscores by the number of examples N",
                           _grad(name), lambda ex, exp: _n(ex) * exp["data_" + name] + reg_grad(ex))]
    if regularized:
        hints += [
            hint_if_close(f"the regularization gradient is 2 * reg * {name}; the derivative of the contract's "
                          f"0.5 * reg * sum({name}**2) is reg * {name}", _grad(name),
                          lambda ex, exp: exp["data_" + name] + 2 * ex["reg"] * ex[name]),
            hint_if_close(f"the regularization gradient reg * {name} is missing", _grad(name),
                          lambda ex, exp: exp["data_" + name]),
        ]
    else:
        hints.append(hint_if_close(f"{name} is regularized; biases are not", _grad(name),
                                   lambda ex, exp: exp["data_" + name] + ex["reg"] * ex[name]))
    return tuple(hints)


AFFINE_HINTS = {"dx": (FLATTENED_DX,), "dw": (DW_TRANSPOSED,), "db": (DB_WRONG_AXIS, DB_AVERAGED)}
SANDWICH_HINTS = {name: _sandwich_hints(i, name) + AFFINE_HINTS[name] for i, name in enumerate(("dx", "dw", "db"))}

RESIDUAL_OUT_HINTS = (
    _autograd.hint_if_variant("the skip connection is missing: add x to the branch's output before the last ReLU, "
                              "out = relu(x + f)", "out", "no skip"),
    _autograd.hint_if_variant("the last ReLU is missing: out = relu(x + f), after the addition", "out", "no last relu"),
    _autograd.hint_if_variant("the last ReLU is applied to the branch before the addition; the block adds first, "
                              "out = relu(x + f)", "out", "relu before add"),
    _autograd.hint_if_variant("the hidden layer has no ReLU: f = relu(x w1 + b1) w2 + b2", "out", "no hidden relu"),
)
SKIP_MISSING_FROM_DX = ("the skip connection is missing from dx: the gradient ds = dout * (x + f > 0) reaches x along "
                        "the skip too, so dx = ds + (the branch's gradient)")
RESIDUAL_DX_HINTS = (
    _autograd.hint_if_variant(SKIP_MISSING_FROM_DX, "dx", "skip detached"),
    hint_if_close("the skip path's gradient bypasses the last ReLU: it is ds = dout * (x + f > 0), not dout, that "
                  "reaches x along the skip", "dx", lambda ex, exp: exp["unmasked skip/dx"]),
)


def _residual_grad_hints(name: str) -> tuple:
    return (
        _autograd.hint_if_variant(f"d{name} misses the last ReLU's mask: backpropagate ds = dout * (x + f > 0) into "
                                  "the branch", f"d{name}", "no last relu"),
        _autograd.hint_if_variant(f"d{name} ignores the hidden ReLU: its mask (x w1 + b1 > 0) multiplies the "
                                  "gradient reaching the first layer", f"d{name}", "no hidden relu"),
    )


# Checks -----------------------------------------------------------------------------------------

# Each weight matrix is tested twice, on z = W / weight_scale: its mean (|sum z| / sqrt(n), N(0, 1) for
# correct weights) and its second moment (sum z^2, chi-squared with n degrees of freedom), each
# two-sided at level ALPHA. A correct implementation draws other values than ours (another order of
# draws, np.random.normal, ...), so it fails one example with probability at most 4 * ALPHA, and the
# whole check (20 examples) with probability below 1e-7.
ALPHA = 1e-9


def _params(outcome):
    params = outcome.raw.get("params")
    return params if isinstance(params, dict) else None


def _shapes(example) -> dict:
    d, h, c = example["input_dim"], example["hidden_dim"], example["num_classes"]
    return {"W1": (d, h), "b1": (h,), "W2": (h, c), "b2": (c,)}


def _params_have_contract_shapes(example, outcome, expected):
    failure = failed_call(outcome)
    if failure:
        return failure
    params = _params(outcome)
    if params is None:
        return Failure("self.params should be a dict of numpy arrays")
    if sorted(params) != sorted(PARAMS):
        return Failure(f"self.params has the keys {sorted(params)}, expected {sorted(PARAMS)}")
    for name, shape in _shapes(example).items():
        value = params[name]
        if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype != np.float64:
            what = (f"shape {value.shape} and dtype {value.dtype}" if isinstance(value, np.ndarray) else type(value).__name__)
            return Failure(f"params['{name}'] should be a float64 array of shape {shape}, got {what}")
    return None


def _usable_params(outcome):
    """The params when the shapes check would pass, else a Failure (judged by that check)."""
    params = _params(outcome)
    if outcome.error or params is None or not all(isinstance(params.get(k), np.ndarray) for k in PARAMS):
        return failed_call(outcome) or Failure("self.params does not hold the arrays W1, b1, W2, b2")
    return params


def _biases_are_zero(example, outcome, expected):
    params = _usable_params(outcome)
    if isinstance(params, Failure):
        return params
    for name in ("b1", "b2"):
        if np.any(params[name] != 0):
            return Failure(f"params['{name}'] should be initialized to zeros, got {params[name]}")
    return None


def _weights_have_contract_spread(example, outcome, expected):
    params = _usable_params(outcome)
    if isinstance(params, Failure):
        return params
    scale = example["weight_scale"]
    for name in ("W1", "W2"):
        z = np.asarray(params[name], dtype=np.float64).ravel() / scale
        n = z.size
        if n == 0 or not np.isfinite(z).all():
            return Failure(f"params['{name}'] is empty or holds NaN or infinite values")
        mean_z, second = np.sqrt(n) * z.mean(), float(np.sum(z ** 2))
        low, high = stats.chi2.ppf(ALPHA / 2, n), stats.chi2.isf(ALPHA / 2, n)
        std = float(np.sqrt(np.mean(z ** 2))) * scale
        if abs(mean_z) > stats.norm.isf(ALPHA / 2):
            return Failure(f"params['{name}'] has mean {z.mean() * scale:.3g}: weights should be drawn from a "
                           f"Gaussian centred at 0", (f"weight_scale = {scale:.6g}",))
        if not low <= second <= high:
            return Failure(f"params['{name}'] has a standard deviation of {std:.3g} around 0, expected weight_scale "
                           f"= {scale:.6g}", ("weights should be weight_scale * np.random.randn(...)",))
    return None


def _uses_global_rng(example, outcome, expected):
    failure = failed_call(outcome)
    if failure:
        return failure
    if not outcome.raw.get("reproducible"):
        return Failure("two networks built after the same np.random.seed(...) have different params",
                       ("draw the weights from the global np.random state (np.random.randn), as CS231n does",))
    if not outcome.raw.get("seed_matters"):
        return Failure("networks built after different np.random.seed(...) calls have the same params",
                       ("draw the weights from the global np.random state, without seeding it yourself",))
    return None


def _stores_reg(example, outcome, expected):
    failure = failed_call(outcome)
    if failure:
        return failure
    if not outcome.raw.get("has_reg"):
        return Failure("the network has no attribute reg: store the regularization strength in self.reg")
    reg, problem = conform(outcome.raw.get("reg"), float(example["reg"]), "self.reg")
    if problem or reg != example["reg"]:
        return Failure(problem or f"self.reg is {reg!r}, expected {example['reg']!r}")
    return None


def _cache_holds_x_w_b(example, outcome, expected):
    failure = failed_call(outcome, "cache")
    if failure:
        return failure
    cache = outcome.outputs["cache"]
    if not isinstance(cache, (tuple, list)) or len(cache) != 3:
        return Failure("the cache should be the tuple (x, w, b)")
    for name, part in zip(("x", "w", "b"), cache):
        if not isinstance(part, np.ndarray) or part.shape != example[name].shape or not np.array_equal(part, example[name]):
            got = f"an array of shape {part.shape}" if isinstance(part, np.ndarray) else type(part).__name__
            return Failure(f"the cache's {name} should equal the input {name} (shape {example[name].shape}), got {got}",
                           ("the cache is fixed: (x, w, b), with x in its original shape (not reshaped)",))
    return None


def _relu_cache_is_x(example, outcome, expected):
    failure = failed_call(outcome, "cache")
    if failure:
        return failure
    cache, x = outcome.outputs["cache"], example["x"]
    if isinstance(cache, np.ndarray) and cache.shape == x.shape and np.array_equal(cache, x):
        return None
    after = (outcome.raw.get("after") or {}).get("x")
    if (isinstance(after, np.ndarray) and after.shape == x.shape and not np.array_equal(after, x)
            and isinstance(cache, np.ndarray) and cache.shape == x.shape and np.array_equal(cache, after)):
        # The cache is x, but x itself changed (out = x; out[out < 0] = 0): say so, not "cache x".
        return Failure("x was modified in place by the call, so the cache (x itself) no longer holds the input",
                       ("leave x as it is: out = np.maximum(0, x), or out = x.copy() before changing out",))
    return Failure("the cache should be the input x itself (the contract's fixed cache)")


def _affine_gradient_checks(suffix: str = "", *, dx_points, dw_points, db_points=None, hints=None):
    hints = hints or {}
    checks = [matches("dx", scale=reference_scale, points=dx_points, name=f"dx matches torch autograd{suffix}", hints=hints.get("dx", ())),
              matches("dw", scale=reference_scale, points=dw_points, name=f"dw matches torch autograd{suffix}", hints=hints.get("dw", ()))]
    if db_points:
        checks.append(matches("db", scale=reference_scale, points=db_points, name=f"db matches torch autograd{suffix}", hints=hints.get("db", ())))
    return checks


# Exercises --------------------------------------------------------------------------------------

AFFINE_ARGS = {"args": ("x", "w", "b")}

MULTI = " (x of more than two dimensions)"

EXERCISES = [
    Exercise("affine_forward", TOPIC, (
        Scenario("2-D x", affine_inputs(), affine_reference, returns=("out", "cache"), call=AFFINE_ARGS, checks=(
            matches("out", scale=reference_scale, points=2.0),
            unchanged_inputs(points=0.5),
        )),
        Scenario("x of more than two dimensions", affine_inputs(min_dims=3, max_dims=4), affine_reference,
                 returns=("out", "cache"), call=AFFINE_ARGS, checks=(
                     matches("out", scale=reference_scale, points=1.0, name="out matches torch" + MULTI),
                     Check("cache is (x, w, b), x in its original shape", 0.5, _cache_holds_x_w_b),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("affine_backward", TOPIC, (
        Scenario("2-D x", affine_inputs(with_dout=True), affine_reference, returns=("dx", "dw", "db"),
                 driver=backward_with_fixed_cache, call={"cache": ("x", "w", "b")}, checks=(
                     *_affine_gradient_checks(dx_points=1.5, dw_points=1.5, db_points=1.0, hints=AFFINE_HINTS),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("x of more than two dimensions", affine_inputs(min_dims=3, max_dims=4, with_dout=True),
                 affine_reference, returns=("dx", "dw", "db"), driver=backward_with_fixed_cache,
                 call={"cache": ("x", "w", "b")},
                 checks=tuple(_affine_gradient_checks(MULTI, dx_points=1.0, dw_points=0.5, hints=AFFINE_HINTS))),
    ), (numpy_only(points=0.5),)),
    Exercise("relu_forward", TOPIC, (
        Scenario("typical inputs", relu_inputs(), relu_reference, returns=("out", "cache"), call={"args": ("x",)},
                 checks=(
                     matches("out", scale=reference_scale, points=2.0),
                     Check("cache is x", 0.5, _relu_cache_is_x),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("relu_backward", TOPIC, (
        Scenario("typical inputs", relu_inputs(with_dout=True), relu_reference, returns="dx",
                 driver=backward_with_fixed_cache, call={"cache": "x"}, checks=(
                     matches("dx", scale=reference_scale, points=2.5, name="dx matches torch autograd", hints=(
                         hint_if_close(DOUT_MASK, "dx", lambda ex, exp: ex["dout"] * (ex["dout"] > 0)),
                         hint_if_close("dx is the mask (x > 0) itself: multiply it by dout (chain rule)", "dx",
                                       lambda ex, exp: (ex["x"] > 0).astype(np.float64)),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("affine_relu_forward", TOPIC, (
        Scenario("typical inputs", affine_inputs(max_dims=3, relu=True), affine_relu_reference,
                 returns=("out", "cache"), call=AFFINE_ARGS, checks=(
                     matches("out", scale=reference_scale, points=2.0),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("affine_relu_backward", TOPIC, (
        Scenario("typical inputs", affine_inputs(max_dims=3, relu=True, with_dout=True), affine_relu_reference,
                 returns=("dx", "dw", "db"), driver=forward_then_backward,
                 call={"forward": "affine_relu_forward", **AFFINE_ARGS}, checks=(
                     *_affine_gradient_checks(dx_points=1.5, dw_points=1.5, db_points=1.0, hints=SANDWICH_HINTS),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("TwoLayerNet", TOPIC, (
        Scenario("construction", network_sizes(), lambda example: {}, returns=None, driver=construct_network,
                 max_examples=20, checks=(
                     Check("params are W1, b1, W2, b2 with the contract's shapes", 1.0, _params_have_contract_shapes),
                     Check("biases start at zero", 0.5, _biases_are_zero),
                     Check("weights have mean 0 and standard deviation weight_scale", 1.0,
                           _weights_have_contract_spread),
                     Check("weights come from the global np.random state", 0.5, _uses_global_rng),
                     Check("reg is stored in self.reg", 0.5, _stores_reg),
                 )),
        Scenario("scores (y is None)", network_inputs(with_labels=False), network_reference, returns="scores",
                 driver=network_loss, checks=(
                     matches("scores", scale=reference_scale, points=1.5, hints=(
                         hint_if_close("the hidden layer has no ReLU: affine - relu - affine", "scores",
                                       lambda ex, exp: (_flat(ex["X"]) @ ex["W1"] + ex["b1"]) @ ex["W2"] + ex["b2"]),)),
                 )),
        Scenario("loss and gradients", network_inputs(with_labels=True), network_reference,
                 returns=("loss", *map(_grad, PARAMS)), driver=network_loss, checks=(
                     matches("loss", scale=reference_scale, points=1.5, hints=LOSS_HINTS),
                     *(matches(_grad(name), scale=reference_scale, points=1.25 if name.startswith("W") else 0.75,
                               name=f"{_grad(name)} matches torch autograd", hints=_grad_hints(name))
                       for name in PARAMS),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),), kind=Kind.CLASS),
    Exercise("residual_forward", TOPIC, (
        Scenario("typical inputs", residual_inputs(), residual_reference, returns=("out", "cache"),
                 call={"args": RESIDUAL_INPUTS}, checks=(
                     matches("out", points=2.0, hints=RESIDUAL_OUT_HINTS),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("residual_backward", TOPIC, (
        Scenario("typical inputs", residual_inputs(with_dout=True), residual_reference,
                 returns=("dx", "dw1", "db1", "dw2", "db2"), driver=forward_then_backward,
                 call={"forward": "residual_forward", "args": RESIDUAL_INPUTS}, checks=(
                     matches("dx", scale=reference_scale, points=1.5, name="dx matches torch autograd",
                             hints=RESIDUAL_DX_HINTS + _residual_grad_hints("x")),
                     *(matches(f"d{name}", scale=reference_scale, points=1.0 if name.startswith("w") else 0.5,
                               name=f"d{name} matches torch autograd", hints=_residual_grad_hints(name))
                       for name in ("w1", "b1", "w2", "b2")),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("a dead branch (every hidden unit off)", residual_inputs(dead_branch=True, with_dout=True),
                 residual_reference, returns=("dx", "dw1", "db1", "dw2", "db2"), driver=forward_then_backward,
                 call={"forward": "residual_forward", "args": RESIDUAL_INPUTS}, checks=(
                     matches("dx", scale=reference_scale, points=1.0,
                             name="the gradient reaches x through the skip connection when the branch is dead",
                             hints=RESIDUAL_DX_HINTS),
                 )),
    ), (numpy_only(points=0.5),)),
]
