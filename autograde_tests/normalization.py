"""Graders of the topic `normalization`: batch, layer, spatial batch and spatial group normalization.

The four normalizations share one float64 torch reference built from torch ops (mean, the biased
variance, sqrt(var + eps)) rather than F.batch_norm, whose running statistics follow torch's own
conventions (momentum weighting the batch statistic, unbiased running variance). They differ only in
the view of x whose axes the statistics are taken over (a `Layout`).

Tolerances. Sums that cancel (dbeta, dgamma, dx, which is exactly 0 for N = 2 without eps) are
compared against the size of the terms summed, not of the result: `scale_of(<output>)` in each
reference is that size, and rounding noise of any correct float64 formula is a tiny fraction of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograde_tests import strategies as dst
from autograde_tests.drivers.normalization import forward_with_param
from grader.engine import compare
from grader.engine.checks import (Check, Exercise, Failure, Hint, Scenario, describe, failed_call, hint_if_close,
                                  hint_if_scaled, matches, no_loops, numpy_only, raised, raises_value_error,
                                  reference_scale, scale_of, unchanged_inputs)
from grader.isolation.drivers import call_expecting_error, forward_then_backward

TOPIC = "normalization"


# References -------------------------------------------------------------------------------------

RUNNING = ("running_mean", "running_var")
EPS_DEFAULT, MOMENTUM_DEFAULT = 1e-5, 0.9


@dataclass(frozen=True)
class Layout:
    """One normalization: its functions, its parameter dict, and the axes its statistics span."""

    kind: str  # "batch", "layer", "spatial" or "group"
    forward: str
    backward: tuple[str, ...]
    param: str
    args: tuple[str, ...]
    param_axes: tuple[int, ...]  # axes of x that dgamma and dbeta sum over
    wrong_stats: tuple[tuple[str, object], ...] = ()  # (hint, view of x with its statistics axes)

    def view(self, x, G=None):
        """x seen so that the statistics are taken over the returned axes."""
        if self.kind == "batch":
            return x, (0,)
        if self.kind == "layer":
            return x, (1,)
        if self.kind == "spatial":
            return x, (0, 2, 3)
        N, C, H, W = x.shape
        return x.reshape(N, G, C // G, H, W), (2, 3, 4)

    def param_shape(self, x) -> tuple[int, ...]:
        if self.kind == "group":
            return (1, x.shape[1], 1, 1)
        return (x.shape[1],)

    def broadcast(self, p):
        return p.reshape(1, -1, 1, 1) if self.kind == "spatial" else p


def _eps(example, layout: Layout) -> float:
    return example[layout.param].get("eps", EPS_DEFAULT)


def _statistics(view, axes, eps, *, unbiased=False, eps_outside=False, detach_mean=False, detach_std=False):
    mean = view.mean(dim=axes, keepdim=True)
    centered = view - (mean.detach() if detach_mean else mean)
    count = int(np.prod([view.shape[a] for a in axes]))
    var = (centered ** 2).sum(dim=axes, keepdim=True) / (count - 1 if unbiased else count)
    std = var.sqrt() + eps if eps_outside else (var + eps).sqrt()
    return mean, var, centered / (std.detach() if detach_std else std), std


def _normalized(layout: Layout, example, x, gamma, beta, view=None, **variant):
    """(out, x_hat, mean, var, std) of a train-mode forward, `variant` modelling a mistake.

    A `view` that mixes up the layout (x.reshape(-1, C)) gets gamma and beta in that layout too."""
    eps = _eps(example, layout)
    seen, axes = (view or layout.view)(x, example.get("G"))
    mean, var, xhat, std = _statistics(seen, axes, eps, **variant)
    if view is not None and seen.ndim == 2 and layout.kind == "spatial":
        return (xhat * gamma + beta).reshape(x.shape), xhat, mean, var, std
    xhat = xhat.reshape(x.shape)
    return xhat * layout.broadcast(gamma) + layout.broadcast(beta), xhat, mean, var, std


def _tensors(example, *names, grad=False):
    return [torch.from_numpy(example[n]).requires_grad_(grad) for n in names]


def _scale_of_out(layout, gamma, beta, xhat) -> float:
    return float((xhat.abs() * layout.broadcast(gamma).abs()).max() + beta.abs().max())


def _running(layout: Layout, example, mean, var, *, torch_momentum=False, var_default=0.0):
    param = example[layout.param]
    m = param.get("momentum", MOMENTUM_DEFAULT)
    C = example["x"].shape[1]
    found = {}
    # natural scales: the batch mean averages values up to max|x|, the variance (of any correct
    # formula, E[x^2] - E[x]^2 included) squares of values up to max|x|
    size = float(np.abs(example["x"]).max())
    for key, stat, default, terms in (("running_mean", mean, 0.0, size), ("running_var", var, var_default, size ** 2)):
        old = param.get(key, np.full(C, default))
        stat = stat.detach().reshape(-1).numpy()
        found[key] = (1 - m) * old + m * stat if torch_momentum else m * old + (1 - m) * stat
        found[scale_of(key)] = float(np.abs(m * old).max() + (1 - m) * terms)
    return found


def train_reference(layout: Layout):
    def reference(example):
        x, gamma, beta = _tensors(example, "x", "gamma", "beta")
        out, xhat, mean, var, _ = _normalized(layout, example, x, gamma, beta)
        expected = {"out": out.numpy(), scale_of("out"): _scale_of_out(layout, gamma, beta, xhat),
                    "out_unbiased": _normalized(layout, example, x, gamma, beta, unbiased=True)[0].numpy(),
                    "out_eps_outside": _normalized(layout, example, x, gamma, beta, eps_outside=True)[0].numpy()}
        for index, (_, view) in enumerate(layout.wrong_stats):
            expected[f"out_wrong_stats{index}"] = _normalized(layout, example, x, gamma, beta, view=view)[0].numpy()
        if layout.param == "bn_param":
            expected.update(_running(layout, example, mean, var))
            unbiased_var = _statistics(*layout.view(x, None), 0.0, unbiased=True)[1]
            expected["running_var_unbiased"] = _running(layout, example, mean, unbiased_var)["running_var"]
            torch_style = _running(layout, example, mean, var, torch_momentum=True)
            expected["running_mean_torch"], expected["running_var_torch"] = torch_style["running_mean"], torch_style["running_var"]
            expected["running_var_ones"] = _running(layout, example, mean, var, var_default=1.0)["running_var"]
        return expected

    return reference


def test_mode_reference(layout: Layout):
    def reference(example):
        x, gamma, beta = _tensors(example, "x", "gamma", "beta")
        param = example[layout.param]
        shape = (1, -1, 1, 1) if layout.kind == "spatial" else (-1,)
        mean, var = (torch.from_numpy(param[k]).reshape(shape) for k in RUNNING)
        xhat = (x - mean) / (var + _eps(example, layout)).sqrt()
        return {"out": (xhat * layout.broadcast(gamma) + layout.broadcast(beta)).numpy(),
                scale_of("out"): _scale_of_out(layout, gamma, beta, xhat),
                "out_batch_stats": _normalized(layout, example, x, gamma, beta)[0].numpy()}

    return reference


def backward_reference(layout: Layout):
    def gradients(example, **variant):
        x, gamma, beta = _tensors(example, "x", "gamma", "beta", grad=True)
        out, xhat, _, _, std = _normalized(layout, example, x, gamma, beta, **variant)
        dx, dgamma, dbeta = torch.autograd.grad(out, (x, gamma, beta), torch.from_numpy(example["dout"]))
        return dx.numpy(), dgamma.numpy(), dbeta.numpy(), xhat.detach(), std.detach()

    def reference(example):
        dx, dgamma, dbeta, xhat, std = gradients(example)
        dout, x = torch.from_numpy(example["dout"]), torch.from_numpy(example["x"])
        gamma = layout.broadcast(torch.from_numpy(example["gamma"]))
        axes = layout.param_axes
        # dx sums terms |dout * gamma| / std * (1 + x_hat^2) within each group of statistics
        view, stat_axes = layout.view((dout * gamma).abs() * (1 + xhat ** 2), example.get("G"))
        dx_scale = float((view.amax(dim=stat_axes, keepdim=True) / std).max())
        return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta, scale_of("dx"): dx_scale,
                scale_of("dgamma"): float((dout * xhat).abs().sum(dim=axes).max()),
                scale_of("dbeta"): float(dout.abs().sum(dim=axes).max()),
                "dx_no_mean_branch": gradients(example, detach_mean=True)[0],
                "dx_no_var_branch": gradients(example, detach_std=True)[0],
                "dgamma_with_x": (dout * x).sum(dim=axes, keepdim=layout.kind == "group").numpy()}

    return reference


# Strategies -------------------------------------------------------------------------------------


@st.composite
def _shape(draw, layout: Layout):
    """(shape of x, G): at least two values in every group of statistics (N as small as 2)."""
    if layout.kind in ("batch", "layer"):
        return (draw(st.integers(2, 6)), draw(st.integers(2 if layout.kind == "layer" else 1, 5))), None
    if layout.kind == "group":  # mostly 1 < G < C, where contiguous and interleaved groups differ
        C, G = draw(st.sampled_from([(4, 2), (6, 3), (6, 2), (2, 1), (3, 3), (1, 1)]))
    else:
        C, G = draw(st.integers(1, 4)), None
    N, H, W = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spanned = N * H * W if layout.kind == "spatial" else C // G * H * W
    return ((N + (spanned < 2), C, H, W) if layout.kind == "spatial" else (N, C, H, W + (spanned < 2))), G


@st.composite
def _badly_scaled(draw, layout: Layout, shape, G):
    """offset + spread * z: per group of statistics an offset of 300 to 990 (either sign), and distinct
    values z standardized to mean 0 and variance 1 (so the group's variance is spread**2)."""
    view, axes = layout.view(np.empty(shape), G)
    z = np.array(draw(st.permutations(range(int(np.prod(shape))))), dtype=np.float64).reshape(view.shape)
    z = (z - z.mean(axis=axes, keepdims=True)) / z.std(axis=axes, keepdims=True)
    offset_shape = tuple(1 if a in axes else s for a, s in enumerate(view.shape))
    offset = draw(dst.float_arrays(offset_shape, min_value=300.0, max_value=990.0))
    offset = np.where(draw(hnp.arrays(np.bool_, offset_shape)), -offset, offset)
    return (offset + draw(st.floats(1e-4, 1e-3)) * z).reshape(shape)


@st.composite
def layer_inputs(draw, layout: Layout, *, badly_scaled: bool = False, mode: str = "train", with_dout: bool = False):
    """x, gamma, beta, the parameter dict (and G, dout): eps and momentum often non-default, running
    statistics sometimes absent (they default to zeros)."""
    shape, G = draw(_shape(layout))
    pshape = layout.param_shape(np.empty(shape))
    x = draw(_badly_scaled(layout, shape, G)) if badly_scaled else draw(dst.float_arrays(shape))
    example = {"x": x, "gamma": draw(dst.float_arrays(pshape, magnitude=2.0)),
               "beta": draw(dst.float_arrays(pshape, magnitude=2.0))}
    if G is not None:
        example["G"] = G
    param = {}
    if layout.param == "bn_param":
        param["mode"] = mode
        if draw(st.booleans()):
            param["momentum"] = draw(st.sampled_from([0.0, 0.25, 0.7, 0.99]))
    eps = draw(st.sampled_from([1e-8] if badly_scaled else [None, 1e-3, 0.1, 1.0]))
    if eps is not None:
        param["eps"] = eps
    if layout.param == "bn_param" and (mode == "test" or draw(st.booleans())):
        C = shape[1]
        param["running_mean"] = draw(dst.float_arrays((C,)))
        param["running_var"] = draw(dst.float_arrays((C,), min_value=0.0, max_value=4.0))
    example[layout.param] = param
    if with_dout:
        example["dout"] = draw(dst.float_arrays(shape))
    return example


@st.composite
def invalid_modes(draw, layout: Layout):
    example = draw(layer_inputs(layout))
    mode = draw(st.sampled_from([None, "Train", "eval", "testing", "validation", "", "TRAIN"]))
    if mode is None:
        del example[layout.param]["mode"]
    else:
        example[layout.param]["mode"] = mode
    return example


# Hints ------------------------------------------------------------------------------------------
# The hints read the parameter dict with the checks' _returned_param, below.

ONE_PASS_VARIANCE = ("the result loses precision when the mean is large compared with the spread: compute the "
                     "variance from centered data, np.mean((x - mean) ** 2), not as E[x**2] - E[x]**2")
UNBIASED = "the variance is the unbiased one (divided by N - 1); normalization uses the biased variance (divide by N)"
EPS_OUTSIDE = "eps is added outside the square root: divide by np.sqrt(var + eps), not np.sqrt(var) + eps"
NO_MEAN_BRANCH = ("dx is missing the gradient that flows through the mean: x appears in the mean too, "
                  "which adds -mean(dx_hat) / std to every element")
SQUEEZED_GROUP_AXIS = ("it fails when G = 1: .squeeze() on a statistic of shape (N, G, 1) drops the group axis too "
                      "when G = 1 (and N when N = 1); keep the axes with keepdims=True, or reshape to (N, G, 1)")
NO_VAR_BRANCH = ("dx is missing the gradient that flows through the variance: std depends on x too, which adds "
                 "-x_hat * mean(dx_hat * x_hat) / std")


def _interleaved(x, G):
    N, C, H, W = x.shape
    return x.reshape(N, C // G, G, H, W), (1, 3, 4)


def _param_hint(text: str, layout: Layout, key: str, model) -> Hint:
    """Applies when bn_param[key] after the call equals `model(example, expected)`."""

    def applies(example, outcome, expected):
        param = _returned_param(outcome, layout)
        got = None if param is None else param.get(key)
        return isinstance(got, np.ndarray) and compare.close(got, model(example, expected))

    return Hint(text, applies)


def _not_stored(layout: Layout) -> Hint:
    def applies(example, outcome, expected):
        param, before = _returned_param(outcome, layout), example[layout.param]
        if param is None:
            return False
        return any(key not in param or (key in before and np.array_equal(param[key], before[key])) for key in RUNNING)

    return Hint("the updated running statistics are not stored in bn_param: assign bn_param['running_mean'] "
                "and bn_param['running_var'] (or update the arrays in place)", applies)


def _shape_hint(output: str, text: str) -> Hint:
    return Hint(text, lambda ex, outcome, exp: "shape" in outcome.problems.get(output, ""))


def _single_group(example, outcome, expected) -> bool:
    """The failing input has one group (and more than one sample): the inputs on which a statistic
    squeezed to drop its length-1 axes loses the group axis. (The strategy's shapes shrink towards
    G = 2, so a mistake that fails for every G never shrinks to G = 1.)"""
    return example.get("G") == 1 and example["x"].shape[0] > 1


def _forward_hints(layout: Layout):
    hints = [hint_if_close(UNBIASED, "out", lambda ex, exp: exp["out_unbiased"]),
             hint_if_close(EPS_OUTSIDE, "out", lambda ex, exp: exp["out_eps_outside"])]
    if layout.kind == "group":
        hints.append(Hint(SQUEEZED_GROUP_AXIS, _single_group, "out"))
    for index, (text, _) in enumerate(layout.wrong_stats):
        hints.append(hint_if_close(text, "out", lambda ex, exp, index=index: exp[f"out_wrong_stats{index}"]))
    return tuple(hints)


def _imprecise(*outputs: str) -> Hint:
    """Right to a loose tolerance, wrong to the strict one: precision lost, not a wrong formula."""

    def applies(example, outcome, expected):
        return all(compare.close(outcome.outputs[o], expected[o], rtol=1e-2, atol=1e-2) for o in outputs)

    return Hint(ONE_PASS_VARIANCE, applies)


def _count(layout: Layout, example) -> int:
    """How many values each mean of the statistics averages."""
    view, axes = layout.view(example["x"], example.get("G"))
    return int(np.prod([view.shape[a] for a in axes]))


def _gradient_hints(layout: Layout):
    where = {"batch": "the batch axis (axis=0)", "layer": "the batch axis (axis=0)",
             "spatial": "N, H and W (axis=(0, 2, 3))", "group": "N, H and W (axis=(0, 2, 3), keepdims=True)"}[layout.kind]
    return {
        "dx": (hint_if_close(NO_MEAN_BRANCH, "dx", lambda ex, exp: exp["dx_no_mean_branch"]),
               hint_if_close(NO_VAR_BRANCH, "dx", lambda ex, exp: exp["dx_no_var_branch"]),
               hint_if_scaled("dx is N times too large: the mean over N values brings a factor 1 / N", "dx",
                              lambda ex: _count(layout, ex))),
        "dgamma": (hint_if_close("dgamma sums dout * x; it is the sum of dout * x_hat (the normalized x)", "dgamma",
                                 lambda ex, exp: exp["dgamma_with_x"]),
                   _shape_hint("dgamma", f"dgamma is summed over the wrong axis: sum over {where}, "
                                         f"so that it has the shape of gamma")),
        "dbeta": (_shape_hint("dbeta", f"dbeta is summed over the wrong axis: sum over {where}, "
                                       f"so that it has the shape of beta"),),
    }


# Checks -----------------------------------------------------------------------------------------


def _returned_param(outcome, layout: Layout):
    param = outcome.raw.get("param")
    return param if isinstance(param, dict) else None


def _stat_mismatch(layout: Layout, outcome, expected, *, rtol=compare.RTOL, atol=compare.ATOL):
    param = _returned_param(outcome, layout)
    if param is None:
        return Failure(f"{layout.param} could not be read back after the call")
    for key in RUNNING:
        got = param.get(key)
        if got is None:
            return Failure(f"{layout.param} has no {key!r} after a train-mode call",
                           ("store the updated running statistics in bn_param",))
        if not isinstance(got, np.ndarray) or got.shape != expected[key].shape:
            return Failure(f"{layout.param}[{key!r}] should be an array of shape {expected[key].shape}, "
                           f"got {describe(got)}")
        failure = compare.mismatch(f"{layout.param}[{key!r}]", got, expected[key], rtol=rtol, atol=atol,
                                   floor=expected[scale_of(key)])
        if failure:
            return failure
    return None


def _running_stats_updated(layout: Layout) -> Check:
    def verify(example, outcome, expected):
        return failed_call(outcome) or _stat_mismatch(layout, outcome, expected)

    hints = (
        _not_stored(layout),
        _param_hint("the momentum is applied the torch way round: the contract (CS231n's) is running = "
                    "momentum * running + (1 - momentum) * batch_statistic", layout, "running_mean",
                    lambda ex, exp: exp["running_mean_torch"]),
        _param_hint("the momentum is applied the torch way round: the contract (CS231n's) is running = "
                    "momentum * running + (1 - momentum) * batch_statistic", layout, "running_var",
                    lambda ex, exp: exp["running_var_torch"]),
        _param_hint("running_var is updated with the unbiased variance (divided by N - 1); use the biased "
                    "batch variance (divided by N), the one used to normalize", layout, "running_var",
                    lambda ex, exp: exp["running_var_unbiased"]),
        _param_hint("a missing running_var defaults to zeros, not ones", layout, "running_var",
                    lambda ex, exp: exp["running_var_ones"]),
    )
    return Check("running statistics updated with momentum and stored in bn_param", 1.5, verify, hints)


def _running_stats_unchanged(layout: Layout) -> Check:
    def verify(example, outcome, expected):
        failure = failed_call(outcome)
        param = _returned_param(outcome, layout)
        if failure or param is None:
            return failure or Failure(f"{layout.param} could not be read back after the call")
        for key in RUNNING:
            got = param.get(key)
            if not isinstance(got, np.ndarray) or got.shape != example[layout.param][key].shape:
                return Failure(f"{layout.param}[{key!r}] is {describe(got)} after a test-mode call")
            failure = compare.mismatch(f"{layout.param}[{key!r}]", got, example[layout.param][key])
            if failure:
                return Failure("test mode changed the running statistics: " + failure.summary,
                               ("in test mode, normalize with the running statistics and leave them as they are",))
        return None

    return Check("running statistics unchanged in test mode", 0.5, verify)


def _raises_value_error(layout: Layout) -> Check:
    mode_error = raises_value_error(lambda example: f"for mode={example[layout.param]['mode']!r}")

    def verify(example, outcome, expected):
        if outcome.error:
            return Failure(outcome.error)
        if "mode" not in example[layout.param]:  # a missing mode may raise anything (KeyError...)
            return None if raised(outcome) else Failure(f"{layout.param} without 'mode' raised no exception",
                                                         ("the mode is required: read it with bn_param['mode']",))
        return mode_error(example, outcome, expected)

    return Check("an invalid mode raises ValueError", 0.5, verify)


def _running_stats(layout: Layout) -> tuple[str, ...]:
    """The entries of the parameter dict a train-mode forward writes (the contract lets it)."""
    return tuple(f"{layout.param}[{key!r}]" for key in RUNNING)


# Exercises --------------------------------------------------------------------------------------

# Badly scaled data: per group of statistics, x = offset + spread * z with |offset| in [300, 990],
# spread in [1e-4, 1e-3], z of mean 0 and variance 1, and eps = 1e-8 (so the variance, not eps, sets
# the scale). A correct two-pass float64 formula computes the mean with an absolute error below
# n * u * |offset| <= 108 * 1.1e-16 * 990 ~ 1.2e-11 (a worst-case bound; pairwise sums do far better),
# so x_hat = (x - mean) / std is off by at most ~1.2e-7 of its natural scale (std >= 1e-4): atol 1e-6 of
# the natural scale accepts that with margin. E[x^2] - E[x]^2 loses ~u * offset^2 ~ 1e-10 against a
# variance of 1e-8 to 1e-6: x_hat off by 5e-5 to 5e-3, far outside.
SCALED_RTOL, SCALED_ATOL = 1e-6, 1e-6

BATCH = Layout("batch", "batchnorm_forward", ("batchnorm_backward", "batchnorm_backward_alt"), "bn_param",
               ("x", "gamma", "beta", "bn_param"), (0,), (
                   ("the statistics are taken over the wrong axis: batch norm averages each feature over the "
                    "batch (axis=0)", lambda x, G: (x, (1,))),))
LAYER = Layout("layer", "layernorm_forward", ("layernorm_backward",), "ln_param", ("x", "gamma", "beta", "ln_param"),
               (0,), (
                   ("the statistics are taken over the wrong axis: layer norm averages each sample over its "
                    "features (axis=1)", lambda x, G: (x, (0,))),))
SPATIAL = Layout("spatial", "spatial_batchnorm_forward", ("spatial_batchnorm_backward",), "bn_param",
                 ("x", "gamma", "beta", "bn_param"), (0, 2, 3), (
                     ("x.reshape(-1, C) mixes the channels: move the channel axis last first "
                      "(x.transpose(0, 2, 3, 1).reshape(-1, C)) and transpose the result back",
                      lambda x, G: (x.reshape(-1, x.shape[1]), (0,))),
                     ("the statistics of a channel are taken over N, H and W together (one mean per channel)",
                      lambda x, G: (x, (0,))),))
GROUP = Layout("group", "spatial_groupnorm_forward", ("spatial_groupnorm_backward",), "gn_param",
               ("x", "gamma", "beta", "G", "gn_param"), (0, 2, 3), (
                   ("the groups are not contiguous channels: group g holds channels g*C//G ... (g+1)*C//G - 1, "
                    "so reshape x to (N, G, C // G, H, W)", _interleaved),
                   ("the statistics are taken per channel (instance norm): a group spans C // G channels and H, W",
                    lambda x, G: (x, (2, 3))),
                   ("G is ignored: the statistics are taken over all channels of a sample instead of per group",
                    lambda x, G: (x, (1, 2, 3))),))


def _forward_call(layout: Layout) -> dict:
    return {"args": layout.args, "param": layout.param}


def forward_exercise(layout: Layout) -> Exercise:
    call = _forward_call(layout)
    returns = ("out", "cache")
    out_check = matches("out", scale=reference_scale, points=2.0 if layout.param == "bn_param" else 2.5,
                       name="out matches torch (train mode)" if layout.param == "bn_param" else "out matches torch",
                       hints=_forward_hints(layout))
    train_checks = (out_check, _running_stats_updated(layout)) if layout.param == "bn_param" else (out_check,)
    scenarios = [
        Scenario("train mode" if layout.param == "bn_param" else "typical inputs", layer_inputs(layout),
                 train_reference(layout), train_checks + (unchanged_inputs(points=0.5, may_change=_running_stats(layout)),), returns,
                 driver=forward_with_param, call=call),
        Scenario("badly scaled data", layer_inputs(layout, badly_scaled=True), train_reference(layout), (
            matches("out", scale=reference_scale, points=1.0, name="accurate for badly scaled data (large mean, small variance)",
                   rtol=SCALED_RTOL, atol=SCALED_ATOL, hints=(_imprecise("out"),)),
        ), returns, driver=forward_with_param, call=call, max_examples=20),
    ]
    if layout.param == "bn_param":
        scenarios += [
            Scenario("test mode", layer_inputs(layout, mode="test"), test_mode_reference(layout), (
                matches("out", scale=reference_scale, points=1.0, name="out matches torch (test mode)", hints=(
                    hint_if_close("test mode normalizes with the batch statistics; it must use the running mean "
                                  "and variance", "out", lambda ex, exp: exp["out_batch_stats"]),)),
                _running_stats_unchanged(layout),
            ), returns, driver=forward_with_param, call=call, max_examples=20),
            Scenario("invalid mode", invalid_modes(layout), lambda ex: {}, (_raises_value_error(layout),), None,
                     driver=call_expecting_error, call=call, max_examples=10),
        ]
    return Exercise(layout.forward, TOPIC, tuple(scenarios), (numpy_only(points=0.5),))


def backward_exercise(layout: Layout, name: str) -> Exercise:
    call = {"forward": layout.forward, "args": layout.args}
    returns = ("dx", "dgamma", "dbeta")
    hints = _gradient_hints(layout)
    scenarios = (
        Scenario("typical inputs", layer_inputs(layout, with_dout=True), backward_reference(layout), (
            matches("dx", scale=reference_scale, points=2.5, name="dx matches torch autograd", hints=hints["dx"]),
            matches("dgamma", scale=reference_scale, points=1.0, name="dgamma matches torch autograd", hints=hints["dgamma"]),
            matches("dbeta", scale=reference_scale, points=0.5, name="dbeta matches torch autograd", hints=hints["dbeta"]),
            unchanged_inputs(points=0.5, may_change=_running_stats(layout)),
        ), returns, driver=forward_then_backward, call=call),
        Scenario("badly scaled data", layer_inputs(layout, badly_scaled=True, with_dout=True),
                 backward_reference(layout), (
                     matches(*returns, scale=reference_scale, points=1.0, name="accurate for badly scaled data (large mean, small variance)",
                            rtol=SCALED_RTOL, atol=SCALED_ATOL, hints=(_imprecise(*returns),)),
                 ), returns, driver=forward_then_backward, call=call, max_examples=20),
    )
    statics = (no_loops(points=1.0), numpy_only(points=0.5)) if name.endswith("_alt") else (numpy_only(points=0.5),)
    return Exercise(name, TOPIC, scenarios, statics)


EXERCISES = [exercise for layout in (BATCH, LAYER, SPATIAL, GROUP)
             for exercise in (forward_exercise(layout), *(backward_exercise(layout, b) for b in layout.backward))]
