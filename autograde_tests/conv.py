"""Graders of the topic `conv`: naive convolution, max/average/global-average pooling, layer sizes,
receptive fields.

Backward passes of the layers with a fixed cache are called with a cache the grader builds itself,
(x, w, b, conv_param) or (x, pool_param), exactly as the contract (and CS231n) lays it out, so a
forward bug never costs backward points. Pooling backward passes are judged separately on
non-overlapping and on overlapping windows: where windows overlap, gradients must add up.
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import F, torch  # imported on first use
from hypothesis import strategies as st

from autograde_tests import strategies as dst
from autograde_tests.drivers.conv import backward_from_fixed_cache
from grader.engine.checks import (Check, Exercise, Failure, Hint, Scenario, describe, failed_call, hint_if_close,
                                  hint_if_scaled, matches, numpy_only, raises_value_error, unchanged_inputs)
from grader.isolation.drivers import call_expecting_error, forward_then_backward

TOPIC = "conv"


# References -------------------------------------------------------------------------------------


def _tensors(example, *names, grad=False):
    return [torch.from_numpy(example[name]).requires_grad_(grad) for name in names]


def _conv(example, *, stride=None, flip=False, grad=False):
    """The layer's torch output, optionally with stride 1 or a flipped kernel (mistakes' models), and its leaves."""
    x, w, b = _tensors(example, "x", "w", "b", grad=grad)
    p = example["conv_param"]
    out = F.conv2d(x, w.flip((2, 3)) if flip else w, b, stride=stride or p["stride"], padding=p["pad"])
    return out, (x, w, b)


def _pool(kind, example, *, stride=None, grad=False):
    (x,) = _tensors(example, "x", grad=grad)
    p = example["pool_param"]
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    return pool(x, (p["pool_height"], p["pool_width"]), stride or p["stride"]), (x,)


def _grads(out, leaves, dout):
    """Gradients of sum(out * dout) with respect to the leaves. A dout smaller than out (the model of a
    mistake that ignores the stride) fills the top-left corner: windows placed at (i, j), not (i*s, j*s)."""
    upstream = torch.zeros_like(out)
    upstream[:, :, :dout.shape[2], :dout.shape[3]] = torch.from_numpy(dout)
    return [g.numpy() for g in torch.autograd.grad(out, leaves, upstream)]


def _top_left(out, like):
    return out[:, :, :like.shape[2], :like.shape[3]].detach().numpy()


# The models of the mistakes the hints name (a flipped kernel, the stride ignored, ...) are computed
# here, with torch, into the plan: hints run in the student's process, which has no torch.


def _layer_grads(layer, example, **options):
    out, leaves = layer(example, grad=True, **options)
    return _grads(out, leaves, example["dout"])


def conv_forward_reference(example):
    out = _conv(example)[0].numpy()
    return {"out": out, "models": {"flipped": _conv(example, flip=True)[0].numpy(),
                                   "stride ignored": _top_left(_conv(example, stride=1)[0], out)}}


def conv_backward_reference(example):
    flipped, stride_ignored = _layer_grads(_conv, example, flip=True), _layer_grads(_conv, example, stride=1)
    return {**dict(zip(("dx", "dw", "db"), _layer_grads(_conv, example))),
            "models": {"flipped dx": flipped[0], "flipped dw": flipped[1],
                       "stride ignored dx": stride_ignored[0], "stride ignored dw": stride_ignored[1]}}


def pool_forward_reference(kind):
    def reference(example):
        out = _pool(kind, example)[0].numpy()
        return {"out": out, "models": {"stride ignored": _top_left(_pool(kind, example, stride=1)[0], out)}}

    return reference


def pool_backward_reference(kind):
    def reference(example):
        layer = lambda ex, **options: _pool(kind, ex, **options)  # noqa: E731
        models = {"stride ignored dx": _layer_grads(layer, example, stride=1)[0]}
        if kind == "max":  # dout spread over the whole window: the average pool's dx times the window size
            models["whole window dx"] = _layer_grads(lambda ex, **o: _pool("avg", ex, **o), example)[0]
        return {"dx": _layer_grads(layer, example)[0], "models": models}

    return reference


def global_avg_pool_forward_reference(example):
    return {"out": torch.from_numpy(example["x"]).mean(dim=(2, 3)).numpy()}


def global_avg_pool_backward_reference(example):
    (x,) = _tensors(example, "x", grad=True)
    (dx,) = torch.autograd.grad(x.mean(dim=(2, 3)), x, torch.from_numpy(example["dout"]))
    return {"dx": dx.numpy()}


def output_size_reference(example):
    """torch's own shape arithmetic on a meta tensor (no data): an oracle independent of the formula."""
    stride, pad = example.get("stride", 1), example.get("pad", 0)
    x = torch.empty((1, 1, example["in_size"], 1), device="meta")
    w = torch.empty((1, 1, example["kernel_size"], 1), device="meta")
    return {"size": int(F.conv2d(x, w, stride=stride, padding=(pad, 0)).shape[2])}


def param_count_reference(example):
    layer = torch.nn.Conv2d(example["in_channels"], example["out_channels"], (example["kernel_h"], example["kernel_w"]),
                            bias=example.get("bias", True), device="meta")
    return {"count": int(sum(p.numel() for p in layer.parameters()))}


def _kernel_stride_dilation(layer) -> tuple[int, int, int]:
    return (layer[0], layer[1], layer[2] if len(layer) > 2 else 1)


def _stack(x, layers):
    """The stack as torch conv1d layers whose kernels are all ones (a receptive field is a property of each
    spatial axis alone, so one axis shows it)."""
    for k, s, d in layers:
        x = F.conv1d(x, torch.ones((1, 1, k), dtype=x.dtype, device=x.device), stride=s, dilation=d)
    return x


def _shortest_input(layers) -> int:
    """A length of input the stack maps to a non-empty output, found by torch's shape arithmetic on meta
    tensors (no data): doubled until conv1d accepts it."""
    length = 1
    while True:
        try:
            if _stack(torch.empty((1, 1, length), dtype=torch.float64, device="meta"), layers).shape[-1] >= 1:
                return length
        except RuntimeError:  # an input shorter than a (dilated) kernel
            pass
        length *= 2


def _formula(layers, *, dilation=True, strides="before", extent=lambda k, d: (k - 1) * d):
    """1 + sum_l extent(k_l, d_l) * prod of the strides before layer l, and the variants of the hints:
    strides "before", "through" (the layer's own stride included) or "none"; dilation ignored."""
    r, jump = 1, 1
    for k, s, d in layers:
        if strides == "through":
            jump *= s
        r += extent(k, d if dilation else 1) * (jump if strides != "none" else 1)
        if strides == "before":
            jump *= s
    return r


def receptive_field_reference(example):
    """The extent (first to last pixel, gaps of a dilated kernel included) of the nonzero gradient of the
    first output unit of a torch conv1d stack with respect to its input. The kernels are ones, so every path
    from the unit to an input pixel adds a positive term: no gradient cancels to 0. The formula's variants
    are the values the hints recognise."""
    layers = [_kernel_stride_dilation(layer) for layer in example["layers"]]
    x = torch.zeros((1, 1, _shortest_input(layers)), dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(_stack(x, layers)[0, 0, 0], x)
    seen = torch.nonzero(grad[0, 0]).flatten()
    return {"r": int(seen.max() - seen.min()) + 1,
            "dilation ignored": _formula(layers, dilation=False),
            "own stride": _formula(layers, strides="through"),
            "strides ignored": _formula(layers, strides="none"),
            "k times d": _formula(layers, extent=lambda k, d: k * d - 1),
            "k not k - 1": _formula(layers, extent=lambda k, d: k * d)}


# Strategies -------------------------------------------------------------------------------------


@st.composite
def window_axes(draw, *, stride: int, pad: int, max_kernel: int, min_out: int = 1, max_out: int):
    """(kernel, in_size) along one axis such that 1 + (in_size + 2*pad - kernel) / stride is a whole
    number >= min_out and in_size >= 1: the input size is derived from the output size."""
    kernel = draw(st.integers(1, max_kernel))
    fewest = max(min_out, 1 - (-(2 * pad + 1 - kernel) // stride))  # smallest output keeping in_size >= 1
    out = draw(st.integers(fewest, fewest + max_out - 1))
    return kernel, (out - 1) * stride + kernel - 2 * pad


@st.composite
def conv_layers(draw, *, with_dout: bool = False):
    """x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param, [dout]: rectangular kernels, strides up
    to 3 (windows overlapping or skipping pixels), padding up to 2, several channels and filters."""
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    hh, h = draw(window_axes(stride=stride, pad=pad, max_kernel=4, max_out=4))
    ww, w = draw(window_axes(stride=stride, pad=pad, max_kernel=4, max_out=4))
    example = {"x": draw(dst.float_arrays((n, c, h, w))), "w": draw(dst.float_arrays((f, c, hh, ww))),
               "b": draw(dst.float_arrays((f,))), "conv_param": {"stride": stride, "pad": pad}}
    if with_dout:
        shape = (n, f, 1 + (h + 2 * pad - hh) // stride, 1 + (w + 2 * pad - ww) // stride)
        example["dout"] = draw(dst.float_arrays(shape))
    return example


@st.composite
def pool_layers(draw, *, overlapping: bool | None = None, distinct: bool = False, with_dout: bool = False):
    """x (N, C, H, W), pool_param, [dout]. Overlapping layers have stride < pool_height or pool_width
    and at least two windows along each axis; the others have stride >= both (gaps allowed).
    `distinct` makes every value of x distinct, so no window holds a tied maximum."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    if overlapping is None:
        overlapping = draw(st.booleans())
    if overlapping:
        stride = draw(st.integers(1, 2))
        ph = draw(st.integers(1, 3))
        pw = draw(st.integers(1 if ph > stride else stride + 1, 3))
    else:
        ph, pw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        stride = draw(st.integers(max(ph, pw), max(ph, pw) + 1))
    _, h = draw(window_axes(stride=stride, pad=0, max_kernel=1, min_out=2 if overlapping else 1, max_out=3))
    _, w = draw(window_axes(stride=stride, pad=0, max_kernel=1, min_out=2 if overlapping else 1, max_out=3))
    h, w = h + ph - 1, w + pw - 1  # window_axes drew the output size for a kernel of 1
    example = {"x": draw(dst.float_arrays((n, c, h, w), unique=distinct)),
               "pool_param": {"pool_height": ph, "pool_width": pw, "stride": stride}}
    if with_dout:
        example["dout"] = draw(dst.float_arrays((n, c, 1 + (h - ph) // stride, 1 + (w - pw) // stride)))
    return example


@st.composite
def feature_maps(draw, *, with_dout: bool = False):
    n, c, h, w = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    example = {"x": draw(dst.float_arrays((n, c, h, w)))}
    if with_dout:
        example["dout"] = draw(dst.float_arrays((n, c)))
    return example


@st.composite
def layer_sizes(draw):
    """in_size, kernel_size, stride, pad of one axis with a whole output size; stride and pad are
    sometimes left out (their defaults, 1 and 0, apply)."""
    stride, pad = draw(st.integers(1, 4)), draw(st.integers(0, 5))
    kernel, in_size = draw(window_axes(stride=stride, pad=pad, max_kernel=11, max_out=64))
    example = {"in_size": in_size, "kernel_size": kernel}
    if stride != 1 or draw(st.booleans()):
        example["stride"] = stride
    if pad != 0 or draw(st.booleans()):
        example["pad"] = pad
    return example


@st.composite
def untileable_sizes(draw):
    """Valid arguments whose windows do not tile the padded input: a remainder, or a kernel larger
    than the padded input (the formula then gives 0 or less, sometimes as a whole number)."""
    if draw(st.booleans()):
        stride, pad = draw(st.integers(2, 4)), draw(st.integers(0, 3))
        kernel, in_size = draw(window_axes(stride=stride, pad=pad, max_kernel=7, max_out=8))
        in_size += draw(st.integers(1, stride - 1))
    else:
        stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
        kernel = draw(st.integers(2 * pad + 2, 2 * pad + 9))
        in_size = draw(st.integers(1, kernel - 2 * pad - 1))
    return {"in_size": in_size, "kernel_size": kernel, "stride": stride, "pad": pad}


@st.composite
def invalid_layer_arguments(draw):
    """A stride < 1, kernel_size < 1 or pad < 0 for which the bare formula still gives a whole
    number >= 1 (except stride 0), so only an explicit argument check raises the ValueError."""
    which = draw(st.sampled_from(["stride", "kernel_size", "pad"]))
    if which == "stride":
        pad = draw(st.integers(0, 2))
        kernel = draw(st.integers(2 * pad + 1, 2 * pad + 5))
        return {"in_size": kernel - 2 * pad, "kernel_size": kernel, "stride": draw(st.integers(-2, 0)), "pad": pad}
    if which == "kernel_size":
        return {"in_size": draw(st.integers(1, 9)), "kernel_size": draw(st.integers(-2, 0)), "stride": 1,
                "pad": draw(st.integers(0, 2))}
    pad, kernel = draw(st.integers(-2, -1)), draw(st.integers(1, 5))
    return {"in_size": draw(st.integers(1, 6)) + kernel - 2 * pad - 1, "kernel_size": kernel, "stride": 1, "pad": pad}


@st.composite
def conv_layer_shapes(draw, *, bias: bool | None):
    example = {"in_channels": draw(st.integers(1, 512)), "out_channels": draw(st.integers(1, 512)),
               "kernel_h": draw(st.integers(1, 11)), "kernel_w": draw(st.integers(1, 11))}
    if bias is not None:
        example["bias"] = bias
    elif draw(st.booleans()):
        example["bias"] = True
    return example


@st.composite
def layer_stacks(draw, *, dilated: bool):
    """Dicts layers: 1 to 6 layers (kernel_size, stride), kernel_size 1 to 7 and stride 1 to 3; `dilated`
    stacks mix in (kernel_size, stride, dilation) layers, dilation 1 to 3, one of them at least 2."""
    layers = [(draw(st.integers(1, 7)), draw(st.integers(1, 3))) for _ in range(draw(st.integers(1, 6)))]
    if dilated:
        layers = [layer + (draw(st.integers(1, 3)),) if draw(st.booleans()) else layer for layer in layers]
        where = draw(st.integers(0, len(layers) - 1))
        layers[where] = (draw(st.integers(2, 7)), layers[where][1], draw(st.integers(2, 3)))
    return {"layers": layers}


@st.composite
def invalid_stacks(draw):
    """A valid stack with one value of one layer (kernel_size, stride or dilation) set to 0 or below."""
    layers = [list(layer) for layer in draw(layer_stacks(dilated=draw(st.booleans())))["layers"]]
    where, which = draw(st.integers(0, len(layers) - 1)), draw(st.integers(0, 2))
    if which == 2 and len(layers[where]) == 2:
        layers[where].append(1)
    layers[where][which] = draw(st.integers(-2, 0))
    return {"layers": [tuple(layer) for layer in layers]}


# Hints ------------------------------------------------------------------------------------------

FLIPPED = ("the kernel is flipped: this layer is a cross-correlation, w[f, c, k, l] multiplies "
           "x_pad[n, c, i * stride + k, j * stride + l] (no flipping of w)")
STRIDE_IGNORED = "the stride is ignored: the window of output position (i, j) starts at (i * stride, j * stride)"
OVERWRITTEN = ("gradients of overlapping windows are overwritten instead of added: accumulate with "
               "dx[...] += ..., an input inside several windows gets the gradient of each")


def _returned(outcome, index):
    result = outcome.raw.get("result")
    if index is None:
        return result
    return result[index] if isinstance(result, (tuple, list)) and len(result) > index else None


def hint_if_shape(text: str, output: str, index: int | None, wrong) -> Hint:
    """Applies when the returned part is an array of the wrong shape and `wrong(example, got, want)`."""

    def applies(example, outcome, expected):
        got, want = _returned(outcome, index), np.shape(expected[output])
        return isinstance(got, np.ndarray) and got.shape != want and wrong(example, got.shape, want)

    return Hint(text, applies)


def _spatial_mismatch(example, got, want):
    return len(got) == len(want) == 4 and got[:2] == want[:2]


def output_size_hint(formula: str) -> Hint:
    return hint_if_shape(f"out has the wrong spatial size: there is one output per window position, {formula} "
                         f"(check the 1 + and, for convolutions, the padding)", "out", 0, _spatial_mismatch)


def model(name: str):
    """The mistake's model the reference computed (see References)."""
    return lambda example, expected: expected["models"][name]


STRIDE_IGNORED_FORWARD = hint_if_close(STRIDE_IGNORED, "out", model("stride ignored"))


def _windows(example, kernel):
    s = example[kernel[0]]["stride"]
    kh, kw = kernel[1](example)
    for i in range(example["dout"].shape[2]):
        for j in range(example["dout"].shape[3]):
            yield i, j, slice(i * s, i * s + kh), slice(j * s, j * s + kw)


_POOL = ("pool_param", lambda ex: (ex["pool_param"]["pool_height"], ex["pool_param"]["pool_width"]))
_CONV = ("conv_param", lambda ex: ex["w"].shape[2:])


def _overwritten_conv_dx(per_filter: bool):
    """dx_pad[:, :, window] = (gradient of the window), window after window (the last write wins): one
    write per filter (CS231n's loops over f, i, j) or one per window, summed over the filters."""

    def model(example, expected):
        pad, (x, w, dout) = example["conv_param"]["pad"], (example["x"], example["w"], example["dout"])
        dx_pad = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * pad, x.shape[3] + 2 * pad))
        for f in range(w.shape[0]) if per_filter else (slice(None),):
            for i, j, rows, cols in _windows(example, _CONV):
                dx_pad[:, :, rows, cols] = np.tensordot(dout[:, f, i, j].reshape(len(x), -1), w[f].reshape(-1, *w.shape[1:]), 1)
        return dx_pad[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]

    return model


def _overwritten_pool_dx(local_grad, only_where_nonzero=False):
    """dx[:, :, window] = local_grad(window) * dout[:, :, i, j], window after window (the last write wins);
    with only_where_nonzero, only the argmax element of each window is written."""

    def model(example, expected):
        x, dout = example["x"], example["dout"]
        dx = np.zeros_like(x)
        for i, j, rows, cols in _windows(example, _POOL):
            local = local_grad(example, x[:, :, rows, cols]) * dout[:, :, i, j, None, None]
            region = dx[:, :, rows, cols]
            if only_where_nonzero:
                region[local != 0] = local[local != 0]
            else:
                region[...] = local
        return dx

    return model


def _max_mask(example, window):
    return (window == window.max(axis=(2, 3), keepdims=True)).astype(np.float64)


def _avg_share(example, window):
    return np.full(window.shape, 1.0 / (window.shape[2] * window.shape[3]))


def _window_size(example):
    return example["pool_param"]["pool_height"] * example["pool_param"]["pool_width"]


def _wrong_db(example, outcome, expected):
    db = _returned(outcome, 2)
    if not isinstance(db, np.ndarray):
        return False
    n, f = example["dout"].shape[:2]
    if db.shape != (f,):
        return True
    return n == f and np.allclose(db, example["dout"].sum(axis=(1, 2, 3)))  # summed per sample


def _spatial_size(example):
    return example["x"].shape[2] * example["x"].shape[3]


CONV_DX_HINTS = (
    hint_if_close(OVERWRITTEN, "dx", _overwritten_conv_dx(per_filter=True)),
    hint_if_close(OVERWRITTEN, "dx", _overwritten_conv_dx(per_filter=False)),
    hint_if_close(FLIPPED, "dx", model("flipped dx")),
    hint_if_close(STRIDE_IGNORED, "dx", model("stride ignored dx")),
    hint_if_shape("dx is too small: dx_pad[:, :, pad:-pad, pad:-pad] is empty when pad == 0; "
                  "crop with dx_pad[:, :, pad:pad + H, pad:pad + W]", "dx", 0,
                  lambda ex, got, want: len(got) == 4 and got[2:] != want[2:] and ex["conv_param"]["pad"] == 0),
)

CONV_DW_HINTS = (
    hint_if_close(FLIPPED, "dw", model("flipped dw")),
    hint_if_close(STRIDE_IGNORED, "dw", model("stride ignored dw")),
)

CONV_DB_HINTS = (
    Hint("db sums dout over the wrong axes: db[f] is the sum of dout[:, f] over the batch and both spatial "
         "axes, db = dout.sum(axis=(0, 2, 3)) of shape (F,)", _wrong_db),
)


def _pool_dx_hints(kind):
    hints = [hint_if_close(STRIDE_IGNORED, "dx", model("stride ignored dx"))]
    if kind == "max":
        hints += [
            hint_if_close(OVERWRITTEN, "dx", _overwritten_pool_dx(_max_mask)),
            hint_if_close(OVERWRITTEN, "dx", _overwritten_pool_dx(_max_mask, only_where_nonzero=True)),
            hint_if_close("dout reaches every element of its window; only the window's maximum gets it "
                          "(mask = window == window.max())", "dx",
                          lambda ex, exp: exp["models"]["whole window dx"] * _window_size(ex)),
        ]
    else:
        hints += [
            hint_if_close(OVERWRITTEN, "dx", _overwritten_pool_dx(_avg_share)),
            hint_if_scaled("dx is not divided by the window size: each of the pool_height * pool_width inputs of a "
                           "window gets dout / (pool_height * pool_width)", "dx", _window_size),
        ]
    return tuple(hints)


def _receptive_hint(text: str, model: str, unless: str | None = None) -> Hint:
    """Applies when r is the value of the mistake `model`, and not also that of the mistake `unless` (one
    layer (2, 2) gives 3 both ways: the more common mistake's hint is the one shown)."""
    hint = hint_if_close(text, "r", lambda ex, exp: exp[model])
    if unless is None:
        return hint
    return Hint(text, lambda ex, out, exp: hint.applies(ex, out, exp) and exp[unless] != exp[model], "r")


RECEPTIVE_HINTS = (
    _receptive_hint("the stride of each layer is ignored: a step of layer l's input spans the product of the strides "
                    "of the layers before it, in input pixels", "strides ignored"),
    _receptive_hint("each layer's own stride is multiplied in too: layer l's kernel is spread by the strides of the "
                    "layers before it, prod_{i < l} s_i (multiply the stride in after adding the layer)", "own stride"),
    _receptive_hint("each layer widens the field by (kernel_size - 1) * dilation input steps of its own, not "
                    "kernel_size: a 1x1 kernel adds nothing, two 3x3 layers see 5x5", "k not k - 1", unless="own stride"),
)
DILATION_HINTS = (
    _receptive_hint("the dilation is ignored: a kernel of size k with dilation d spans (k - 1) * d + 1 pixels of "
                    "its input", "dilation ignored"),
    _receptive_hint("a dilated kernel spans (k - 1) * d + 1 pixels of its input, not k * d: its k taps are d apart",
                    "k times d"),
)


# Checks -----------------------------------------------------------------------------------------


def _same(got, want) -> bool:
    if isinstance(want, np.ndarray):
        return isinstance(got, np.ndarray) and got.shape == want.shape and np.array_equal(got, want)
    try:
        return isinstance(got, dict) and bool(got == want)
    except Exception:  # a dict holding arrays cannot be compared: it is not the one passed in
        return False


def cache_holds(*names: str, points: float) -> Check:
    """The forward's cache is the tuple of the named inputs, as the contract fixes it."""
    layout = "(" + ", ".join(names) + ")"

    def verify(example, outcome, expected):
        failure = failed_call(outcome, "cache")
        if failure:
            return failure
        cache = outcome.outputs["cache"]
        if not isinstance(cache, (tuple, list)) or len(cache) != len(names):
            return Failure(f"cache should be the tuple {layout}, got {describe(cache)}")
        for index, (name, got) in enumerate(zip(names, cache)):
            if not _same(got, example[name]):
                return Failure(f"cache[{index}] should be the input {name} as it was passed in, got {describe(got)}",
                               (f"the backward pass receives exactly the cache {layout}",))
        return None

    return Check(f"cache is {layout}", points, verify, conditional=True)


_RAISES_VALUE_ERROR = raises_value_error(
    lambda ex: f"for in_size={ex['in_size']}, kernel_size={ex['kernel_size']}, stride={ex['stride']}, pad={ex['pad']}")
_RAISES_FOR_LAYERS = raises_value_error(lambda ex: f"for layers={ex['layers']}")


# Exercises --------------------------------------------------------------------------------------

POOL_SIZE = "H' = 1 + (H - pool_height) // stride, W' = 1 + (W - pool_width) // stride"


def _pool_forward(kind):
    hints = [output_size_hint(POOL_SIZE), STRIDE_IGNORED_FORWARD]
    if kind == "avg":
        hints.append(hint_if_scaled("out is the window sum: divide it by pool_height * pool_width", "out", _window_size))
    return Exercise(f"{kind}_pool_forward_naive", TOPIC, (
        Scenario("pooling layers", pool_layers(distinct=kind == "max"), pool_forward_reference(kind),
                 returns=("out", "cache"), call={"args": ("x", "pool_param")}, checks=(
                     matches("out", points=2.0, hints=tuple(hints)),
                     cache_holds("x", "pool_param", points=0.5),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),))


def _pool_backward(kind):
    def scenario(overlapping, points, max_examples):
        which = "overlapping windows" if overlapping else "windows that do not overlap"
        checks = (matches("dx", points=points, name=f"dx matches torch autograd ({which})", hints=_pool_dx_hints(kind)),)
        if overlapping:
            checks += (unchanged_inputs(points=0.5),)
        return Scenario(which, pool_layers(overlapping=overlapping, distinct=kind == "max", with_dout=True),
                        pool_backward_reference(kind), returns="dx", driver=backward_from_fixed_cache,
                        call={"cache": ("x", "pool_param")}, checks=checks, max_examples=max_examples)

    return Exercise(f"{kind}_pool_backward_naive", TOPIC, (scenario(False, 2.0, 20), scenario(True, 1.5, 30)),
                    (numpy_only(points=0.5),))


EXERCISES = [
    Exercise("conv_forward_naive", TOPIC, (
        Scenario("convolution layers", conv_layers(), conv_forward_reference, returns=("out", "cache"),
                 call={"args": ("x", "w", "b", "conv_param")}, checks=(
                     matches("out", points=3.0, hints=(
                         hint_if_close(FLIPPED, "out", model("flipped")),
                         STRIDE_IGNORED_FORWARD,
                         hint_if_close("the bias is missing: add b[f] to every output of filter f", "out",
                                       lambda ex, exp: exp["out"] - ex["b"][:, None, None]),
                         output_size_hint("H' = 1 + (H + 2 * pad - HH) // stride, W' = 1 + (W + 2 * pad - WW) // stride"),
                     )),
                     cache_holds("x", "w", "b", "conv_param", points=0.5),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("conv_backward_naive", TOPIC, (
        Scenario("convolution layers", conv_layers(with_dout=True), conv_backward_reference,
                 returns=("dx", "dw", "db"), driver=backward_from_fixed_cache,
                 call={"cache": ("x", "w", "b", "conv_param")}, checks=(
                     matches("dx", points=2.0, name="dx matches torch autograd", hints=CONV_DX_HINTS),
                     matches("dw", points=2.0, name="dw matches torch autograd", hints=CONV_DW_HINTS),
                     matches("db", points=1.0, name="db matches torch autograd", hints=CONV_DB_HINTS),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    _pool_forward("max"),
    _pool_backward("max"),
    _pool_forward("avg"),
    _pool_backward("avg"),
    Exercise("global_avg_pool_forward", TOPIC, (
        Scenario("feature maps", feature_maps(), global_avg_pool_forward_reference, returns=("out", "cache"),
                 call={"args": ("x",)}, checks=(
                     matches("out", points=1.5, hints=(
                         hint_if_scaled("out is the sum over H and W: divide it by H * W", "out", _spatial_size),
                         hint_if_shape("out should have shape (N, C): average over axis=(2, 3) without keepdims",
                                       "out", 0, lambda ex, got, want: True),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("global_avg_pool_backward", TOPIC, (
        Scenario("feature maps", feature_maps(with_dout=True), global_avg_pool_backward_reference, returns="dx",
                 driver=forward_then_backward, call={"forward": "global_avg_pool_forward", "args": ("x",)}, checks=(
                     matches("dx", points=1.5, name="dx matches torch autograd", hints=(
                         hint_if_scaled("dx is not divided by H * W: every position gets dout / (H * W)", "dx",
                                        _spatial_size),
                         hint_if_scaled("dx is also divided by N: the batch does not average here, each sample "
                                        "gets its own dout[n] / (H * W)", "dx", lambda ex: 1 / ex["x"].shape[0]),
                         hint_if_shape("dx should have the shape of x, (N, C, H, W): broadcast dout[:, :, None, None]",
                                       "dx", None, lambda ex, got, want: True),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("conv_output_size", TOPIC, (
        Scenario("layers whose windows tile the input", layer_sizes(), output_size_reference, returns="size",
                 call={"args": ("in_size", "kernel_size"), "kwargs": ("stride", "pad")}, checks=(
                     matches("size", points=1.5, name="size matches torch", hints=(
                         Hint("return an int: use integer division // (the division is exact for a valid layer)",
                              lambda ex, out, exp: isinstance(out.raw.get("result"), float)),
                         hint_if_close("the size is off by one: 1 + (in_size + 2 * pad - kernel_size) // stride",
                                       "size", lambda ex, exp: exp["size"] - 1),
                     )),
                 )),
        Scenario("windows that do not tile the input", untileable_sizes(), lambda example: {}, returns=None,
                 driver=call_expecting_error, call={"args": ("in_size", "kernel_size", "stride", "pad")}, checks=(
                     Check("raises ValueError when the output size is not a whole number >= 1", 1.0,
                           _RAISES_VALUE_ERROR),
                 )),
        Scenario("invalid arguments", invalid_layer_arguments(), lambda example: {}, returns=None,
                 driver=call_expecting_error, call={"args": ("in_size", "kernel_size", "stride", "pad")}, checks=(
                     Check("raises ValueError for stride < 1, kernel_size < 1 or pad < 0", 1.0, _RAISES_VALUE_ERROR),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("conv_param_count", TOPIC, (
        Scenario("layers with biases", conv_layer_shapes(bias=None), param_count_reference, returns="count",
                 call={"args": ("in_channels", "out_channels", "kernel_h", "kernel_w"), "kwargs": ("bias",)}, checks=(
                     matches("count", points=1.5, name="count matches torch (with bias)", hints=(
                         hint_if_close("each filter spans all input channels: F * C * HH * WW weights", "count",
                                       lambda ex, exp: ex["out_channels"] * (ex["kernel_h"] * ex["kernel_w"] + 1)),
                         hint_if_close("the biases are missing: a layer has one bias per filter (F of them)", "count",
                                       lambda ex, exp: exp["count"] - ex["out_channels"]),
                     )),
                 )),
        Scenario("layers without biases", conv_layer_shapes(bias=False), param_count_reference, returns="count",
                 call={"args": ("in_channels", "out_channels", "kernel_h", "kernel_w"), "kwargs": ("bias",)}, checks=(
                     matches("count", points=0.5, name="count matches torch (bias=False)", hints=(
                         hint_if_close("bias=False still counts biases: a layer without bias has F * C * HH * WW "
                                       "parameters", "count", lambda ex, exp: exp["count"] + ex["out_channels"]),
                     )),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("receptive_field", TOPIC, (
        Scenario("stacks of (kernel_size, stride) layers", layer_stacks(dilated=False), receptive_field_reference,
                 returns="r", call={"args": ("layers",)}, checks=(
                     matches("r", points=1.5, name="r matches the input extent of a torch conv stack's output unit",
                             hints=RECEPTIVE_HINTS),
                     unchanged_inputs(points=0.5, advice="walk the layers with reversed(layers) or layers[::-1], "
                                                          "not layers.reverse(), which reverses the caller's list"),
                 )),
        Scenario("stacks with dilated layers (kernel_size, stride, dilation)", layer_stacks(dilated=True),
                 receptive_field_reference, returns="r", call={"args": ("layers",)}, checks=(
                     matches("r", points=1.0, name="r matches torch with dilated layers",
                             hints=DILATION_HINTS + RECEPTIVE_HINTS),
                 )),
        Scenario("no layers", st.just({"layers": []}), receptive_field_reference, returns="r",
                 call={"args": ("layers",)}, max_examples=1, checks=(
                     matches("r", points=0.5, name="an empty stack gives 1 (one input pixel)"),
                 )),
        Scenario("a kernel_size, stride or dilation below 1", invalid_stacks(), lambda example: {}, returns=None,
                 driver=call_expecting_error, call={"args": ("layers",)}, checks=(
                     Check("raises ValueError when a kernel_size, stride or dilation is < 1", 1.0, _RAISES_FOR_LAYERS),
                 )),
    ), (numpy_only(points=0.5),)),
]
