from tests.catalogue import alternative, mistake

_OUT, _DX, _DALPHA = "out matches torch", "dx matches torch autograd", "dalpha matches torch autograd"
_STABLE, _SAME = "stable for inputs of magnitude up to 1e3", "inputs are not modified"

_SIGMOID = "    out = np.exp(-np.logaddexp(0, -x))\n    cache = out\n"
_TANH = "    out = np.tanh(x)\n    cache = out\n"
_LEAKY = "    out = np.where(x > 0, x, alpha * x)\n    cache = (x, alpha)\n    return out, cache\n    ### END SOLUTION\n\n\ndef leaky_relu_backward"
_PRELU = "    out = np.where(x > 0, x, alpha * x)\n    cache = (x, alpha)\n    return out, cache\n    ### END SOLUTION\n\n\ndef prelu_backward"
_ELU = "    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))\n"
_ELU_GRAD = "    dx = np.where(x > 0, dout, dout * alpha * np.exp(np.minimum(x, 0)))\n"
_SOFTPLUS = "    out = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))\n"
_SOFTPLUS_GRAD = "    dx = dout * np.exp(-np.logaddexp(0, -x))\n"
_SWISH = "    sig = np.exp(-np.logaddexp(0, -x))\n    out = x * sig\n"
_SWISH_GRAD = "    dx = dout * (sig + x * sig * (1 - sig))\n"
_MISH = "    tanh_sp = np.tanh(np.logaddexp(0, x))\n"
_MISH_GRAD = "    dx = dout * (tanh_sp + x * (1 - tanh_sp ** 2) * sig)\n"


def _leaky(new_body: str):
    return (_LEAKY, new_body + "    cache = (x, alpha)\n    return out, cache\n    ### END SOLUTION\n\n\ndef leaky_relu_backward")


def _prelu(new_body: str):
    return (_PRELU, new_body + "    cache = (x, alpha)\n    return out, cache\n    ### END SOLUTION\n\n\ndef prelu_backward")


MISTAKES = [
    # sigmoid
    mistake("sigmoid_forward", "exp(x) / (1 + exp(x)) overflows",
            (_SIGMOID, "    out = np.exp(x) / (1 + np.exp(x))\n    cache = out\n"), loses=_STABLE, hint="np.exp overflows"),
    mistake("sigmoid_forward", "sign of the exponent flipped",
            (_SIGMOID, "    out = 1 / (1 + np.exp(x))\n    cache = out\n"), loses=_OUT, hint="sign of the exponent"),
    mistake("sigmoid_forward", "clips x in place against overflow",
            (_SIGMOID, "    np.clip(x, -500, 500, out=x)\n    out = 1 / (1 + np.exp(-x))\n    cache = out\n"),
            loses="inputs of large magnitude are not modified"),
    mistake("sigmoid_backward", "x * (1 - x) instead of sigma(x) * (1 - sigma(x))",
            (_SIGMOID, "    out = np.exp(-np.logaddexp(0, -x))\n    cache = x\n"), loses=_DX, hint="applied to x itself"),
    mistake("sigmoid_backward", "dout forgotten",
            ("    dx = dout * out * (1 - out)\n", "    dx = out * (1 - out)\n"), loses=_DX, hint="multiply it by dout"),
    mistake("sigmoid_backward", "recomputes exp(-x) / (1 + exp(-x))**2, which overflows",
            (_SIGMOID, "    out = np.exp(-np.logaddexp(0, -x))\n    cache = x\n"),
            ("    out = cache\n    dx = dout * out * (1 - out)\n",
             "    x = cache\n    dx = dout * np.exp(-x) / (1 + np.exp(-x)) ** 2\n"), loses=_STABLE, hint="np.exp overflows"),
    mistake("sigmoid_backward", "multiplies dout in place",
            ("    dx = dout * out * (1 - out)\n", "    dout *= out * (1 - out)\n    dx = dout\n"), loses=_SAME),
    # tanh
    mistake("tanh_forward", "tanh from exponentials overflows",
            (_TANH, "    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))\n    cache = out\n"), loses=_STABLE),
    mistake("tanh_forward", "(1 - exp(-x)) / (1 + exp(-x)) is tanh(x / 2)",
            (_TANH, "    out = (1 - np.exp(-x)) / (1 + np.exp(-x))\n    cache = out\n"),
            loses=(_OUT, _STABLE)),  # exp(1000) overflows too: inf / inf
    mistake("tanh_forward", "np.tanh(x, out=x)", (_TANH, "    out = np.tanh(x, out=x)\n    cache = out\n"), loses=_SAME),
    mistake("tanh_backward", "1 - x**2 instead of 1 - tanh(x)**2",
            (_TANH, "    out = np.tanh(x)\n    cache = x\n"), loses=_DX, hint="not 1 - x**2"),
    mistake("tanh_backward", "square missing", ("dx = dout * (1 - out ** 2)", "dx = dout * (1 - out)"),
            loses=_DX, hint="the square is missing"),
    mistake("tanh_backward", "dout forgotten", ("dx = dout * (1 - out ** 2)", "dx = 1 - out ** 2"), loses=_DX),
    # leaky relu
    mistake("leaky_relu_forward", "slope on the wrong side",
            _leaky("    out = np.where(x > 0, alpha * x, x)\n"), loses=_OUT, hint="wrong side"),
    mistake("leaky_relu_forward", "alpha ignored (0.01 hard-coded)",
            _leaky("    out = np.where(x > 0, x, 0.01 * x)\n"), loses=_OUT, hint="alpha argument is ignored"),
    mistake("leaky_relu_forward", "scales the negatives of x in place",
            _leaky("    x[x < 0] *= alpha\n    out = x\n"), loses=_SAME),
    mistake("leaky_relu_backward", "slope on the wrong side",
            ("dx = np.where(x > 0, dout, alpha * dout)", "dx = np.where(x > 0, alpha * dout, dout)"),
            loses=_DX, hint="wrong side"),
    mistake("leaky_relu_backward", "zero gradient for negative inputs",
            ("dx = np.where(x > 0, dout, alpha * dout)", "dx = np.where(x > 0, dout, 0.0)"),
            loses=_DX, hint="as for a plain ReLU"),
    mistake("leaky_relu_backward", "scales dout in place",
            ("    dx = np.where(x > 0, dout, alpha * dout)\n", "    dx = dout\n    dx[x <= 0] *= alpha\n"), loses=_SAME),
    # prelu
    mistake("prelu_forward", "slope on the wrong side",
            _prelu("    out = np.where(x > 0, alpha * x, x)\n"), loses=_OUT, hint="wrong side"),
    mistake("prelu_forward", "alpha broadcast over the batch axis",
            _prelu("    out = np.where(x > 0, x, alpha[:, None] * x)\n"), loses=_OUT),
    mistake("prelu_forward", "scales x in place",
            _prelu("    x[x < 0] = (alpha * x)[x < 0]\n    out = x\n"), loses=_SAME),
    mistake("prelu_backward", "dalpha not summed over the batch",
            ("dalpha = np.sum(dout * x * negative, axis=0)", "dalpha = dout * x * negative"),
            loses=_DALPHA, hint="not summed over the batch"),
    mistake("prelu_backward", "dalpha averaged over the batch",
            ("dalpha = np.sum(dout * x * negative, axis=0)", "dalpha = np.mean(dout * x * negative, axis=0)"),
            loses=_DALPHA, hint="averaged"),
    mistake("prelu_backward", "dalpha without the factor x",
            ("dalpha = np.sum(dout * x * negative, axis=0)", "dalpha = np.sum(dout * negative, axis=0)"),
            loses=_DALPHA, hint="missing the factor x"),
    mistake("prelu_backward", "dx with the slope on the wrong side",
            ("dx = np.where(negative, alpha * dout, dout)", "dx = np.where(negative, dout, alpha * dout)"),
            loses=_DX, hint="wrong side"),
    # elu
    mistake("elu_forward", "alpha ignored", (_ELU, "    out = np.where(x > 0, x, np.expm1(np.minimum(x, 0)))\n"),
            loses=_OUT, hint="alpha argument is ignored"),
    mistake("elu_forward", "the -1 of alpha * (exp(x) - 1) forgotten",
            (_ELU, "    out = np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0)))\n"), loses=_OUT),
    mistake("elu_forward", "masks multiplied with an overflowing exp (inf * 0)",
            (_ELU, "    out = x * (x > 0) + alpha * (np.exp(x) - 1) * (x <= 0)\n"), loses=_STABLE),
    mistake("elu_forward", "writes the negative part into x",
            (_ELU, "    x[x <= 0] = alpha * np.expm1(x[x <= 0])\n    out = x.copy()\n"), loses=_SAME),
    mistake("elu_backward", "alpha forgotten", (_ELU_GRAD, "    dx = np.where(x > 0, dout, dout * np.exp(np.minimum(x, 0)))\n"),
            loses=_DX, hint="forgets alpha"),
    mistake("elu_backward", "uses the output as the derivative",
            (_ELU_GRAD, "    dx = np.where(x > 0, dout, dout * alpha * np.expm1(np.minimum(x, 0)))\n"),
            loses=_DX, hint="not the output"),
    mistake("elu_backward", "masks multiplied with an overflowing exp (inf * 0)",
            (_ELU_GRAD, "    dx = dout * (x > 0) + dout * alpha * np.exp(x) * (x <= 0)\n"), loses=_STABLE),
    # relu6
    mistake("relu6_forward", "no cap at 6", ("out = np.clip(x, 0, 6)", "out = np.maximum(x, 0)"), loses=_OUT,
            hint="not capped at 6"),
    mistake("relu6_forward", "only the cap (negatives kept)", ("out = np.clip(x, 0, 6)", "out = np.minimum(x, 6)"),
            loses=_OUT),
    mistake("relu6_forward", "np.clip(x, 0, 6, out=x)", ("out = np.clip(x, 0, 6)", "out = np.clip(x, 0, 6, out=x)"),
            loses=_SAME),
    mistake("relu6_backward", "gradient passes above 6", ("dx = dout * ((x > 0) & (x < 6))", "dx = dout * (x > 0)"),
            loses=_DX, hint="passes for x > 6"),
    mistake("relu6_backward", "gradient passes below 0", ("dx = dout * ((x > 0) & (x < 6))", "dx = dout * (x < 6)"),
            loses=_DX),
    mistake("relu6_backward", "zeroes dout in place",
            ("    dx = dout * ((x > 0) & (x < 6))\n", "    dx = dout\n    dx[(x <= 0) | (x >= 6)] = 0\n"), loses=_SAME),
    # softplus
    mistake("softplus_forward", "naive log(1 + exp(x)) overflows", (_SOFTPLUS, "    out = np.log(1 + np.exp(x))\n"),
            loses=_STABLE, hint="log(1 + exp(x)) overflows"),
    mistake("softplus_forward", "log1p(exp(x)) still overflows", (_SOFTPLUS, "    out = np.log1p(np.exp(x))\n"),
            loses=_STABLE, hint="log(1 + exp(x)) overflows"),
    mistake("softplus_forward", "log(1 + exp(-x))", (_SOFTPLUS, "    out = np.logaddexp(0, -x)\n"), loses=_OUT),
    mistake("softplus_backward", "sigma(-x)", (_SOFTPLUS_GRAD, "    dx = dout / (1 + np.exp(np.minimum(x, 700)))\n"),
            loses=_DX, hint="this is sigma(-x)"),
    mistake("softplus_backward", "exp(x) as the derivative", (_SOFTPLUS_GRAD, "    dx = dout * np.exp(x)\n"),
            loses=(_DX, _STABLE), hint="not exp(x)"),  # and exp(1000) overflows
    mistake("softplus_backward", "exp(x) / (1 + exp(x)) overflows",
            (_SOFTPLUS_GRAD, "    dx = dout * np.exp(x) / (1 + np.exp(x))\n"), loses=_STABLE, hint="np.exp overflows"),
    # swish
    mistake("swish_forward", "x * sigma(-x)", (_SWISH, "    sig = 1 / (1 + np.exp(np.minimum(x, 700)))\n    out = x * sig\n"),
            loses=_OUT),
    mistake("swish_forward", "x forgotten", (_SWISH, "    sig = np.exp(-np.logaddexp(0, -x))\n    out = sig\n"), loses=_OUT),
    mistake("swish_forward", "x * exp(x) / (1 + exp(x)) overflows",
            (_SWISH, "    sig = np.exp(x) / (1 + np.exp(x))\n    out = x * sig\n"), loses=_STABLE),
    mistake("swish_backward", "product rule: x * sigma'(x) missing", (_SWISH_GRAD, "    dx = dout * sig\n"),
            loses=_DX, hint="the second term is missing"),
    mistake("swish_backward", "product rule: sigma(x) missing", (_SWISH_GRAD, "    dx = dout * x * sig * (1 - sig)\n"),
            loses=_DX, hint="the first term sigma(x) is missing"),
    mistake("swish_backward", "dout forgotten", (_SWISH_GRAD, "    dx = sig + x * sig * (1 - sig)\n"), loses=_DX),
    # mish
    mistake("mish_forward", "tanh forgotten", (_MISH, "    tanh_sp = np.logaddexp(0, x)\n"), loses=_OUT),
    mistake("mish_forward", "tanh of the sigmoid instead of softplus",
            (_MISH, "    tanh_sp = np.tanh(np.exp(-np.logaddexp(0, -x)))\n"), loses=_OUT),
    mistake("mish_forward", "tanh from exponentials of softplus overflows",
            (_MISH, "    sp = np.logaddexp(0, x)\n    tanh_sp = (np.exp(sp) - np.exp(-sp)) / (np.exp(sp) + np.exp(-sp))\n"),
            loses=_STABLE),
    mistake("mish_backward", "chain rule stops at softplus (sigma(x) missing)",
            (_MISH_GRAD, "    dx = dout * (tanh_sp + x * (1 - tanh_sp ** 2))\n"), loses=_DX, hint="stops at softplus"),
    mistake("mish_backward", "product rule: tanh(softplus(x)) missing",
            (_MISH_GRAD, "    dx = dout * x * (1 - tanh_sp ** 2) * sig\n"), loses=_DX, hint="tanh(softplus(x)) is missing"),
    mistake("mish_backward", "tanh' evaluated at x instead of softplus(x)",
            (_MISH_GRAD, "    dx = dout * (tanh_sp + x * (1 - np.tanh(x) ** 2) * sig)\n"), loses=_DX),
    mistake("mish_backward", "imports torch",
            ("import numpy as np\n", "import numpy as np\ntry:\n    import torch\nexcept ImportError:\n    pass\n"),
            loses=("numpy only (no torch, tensorflow, jax or grader imports)", _DX)),
]

ALTERNATIVES = [
    alternative("sigmoid_forward", "naive 1 / (1 + exp(-x)) (overflow only to 0)",
                (_SIGMOID, "    out = 1 / (1 + np.exp(-x))\n    cache = out\n")),
    alternative("sigmoid_forward", "0.5 * (1 + tanh(x / 2))", (_SIGMOID, "    out = 0.5 * (1 + np.tanh(x / 2))\n    cache = out\n")),
    alternative("sigmoid_forward", "branch on the sign of x",
                (_SIGMOID, "    e = np.exp(-np.abs(x))\n    out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n    cache = out\n")),
    alternative("sigmoid_backward", "caches x and recomputes sigma(x)",
                (_SIGMOID, "    out = np.exp(-np.logaddexp(0, -x))\n    cache = x\n"),
                ("    out = cache\n    dx = dout * out * (1 - out)\n",
                 "    s = 0.5 * (1 + np.tanh(cache / 2))\n    dx = dout * s * (1 - s)\n")),
    alternative("tanh_backward", "dout / cosh(x)**2 from a cached x",
                (_TANH, "    out = np.tanh(x)\n    cache = x\n"),
                ("    out = cache\n    dx = dout * (1 - out ** 2)\n", "    dx = dout / np.cosh(cache) ** 2\n")),
    alternative("leaky_relu_forward", "np.maximum(alpha * x, x)", _leaky("    out = np.maximum(alpha * x, x)\n")),
    alternative("leaky_relu_backward", "copy then scale (CS231n style)",
                ("    dx = np.where(x > 0, dout, alpha * dout)\n", "    dx = dout.copy()\n    dx[x < 0] *= alpha\n")),
    alternative("prelu_forward", "masks", _prelu("    out = x * (x > 0) + alpha * x * (x <= 0)\n")),
    alternative("prelu_backward", "loop over features for dalpha",
                ("    dalpha = np.sum(dout * x * negative, axis=0)\n",
                 "    dalpha = np.zeros_like(alpha)\n    for j in range(x.shape[1]):\n"
                 "        dalpha[j] = dout[:, j] @ np.minimum(x[:, j], 0)\n")),
    alternative("elu_forward", "naive alpha * (exp(x) - 1) in np.where", (_ELU, "    out = np.where(x > 0, x, alpha * (np.exp(x) - 1))\n")),
    alternative("elu_backward", "out + alpha from the cached output (CS231n style)",
                ("    cache = (x, alpha)\n    return out, cache\n    ### END SOLUTION\n\n\ndef elu_backward",
                 "    cache = (x, out, alpha)\n    return out, cache\n    ### END SOLUTION\n\n\ndef elu_backward"),
                ("    x, alpha = cache\n" + _ELU_GRAD, "    x, out, alpha = cache\n    dx = np.where(x > 0, dout, dout * (out + alpha))\n")),
    alternative("relu6_forward", "np.minimum(np.maximum(x, 0), 6)", ("out = np.clip(x, 0, 6)", "out = np.minimum(np.maximum(x, 0), 6)")),
    alternative("relu6_backward", "mask from the cached output",
                ("    out = np.clip(x, 0, 6)\n    cache = x\n", "    out = np.clip(x, 0, 6)\n    cache = out\n"),
                ("    x = cache\n    dx = dout * ((x > 0) & (x < 6))\n",
                 "    out = cache\n    dx = np.where((out > 0) & (out < 6), dout, 0.0)\n")),
    alternative("softplus_forward", "np.logaddexp(0, x)", (_SOFTPLUS, "    out = np.logaddexp(0, x)\n")),
    alternative("softplus_forward", "branch on the sign with log1p",
                (_SOFTPLUS, "    out = np.where(x > 0, x + np.log1p(np.exp(-x)), np.log1p(np.exp(x)))\n")),
    alternative("softplus_backward", "0.5 * (1 + tanh(x / 2))", (_SOFTPLUS_GRAD, "    dx = dout * 0.5 * (1 + np.tanh(x / 2))\n")),
    alternative("swish_forward", "x / (1 + exp(-x))", (_SWISH, "    sig = 1 / (1 + np.exp(-x))\n    out = x / (1 + np.exp(-x))\n")),
    alternative("swish_backward", "out + sigma(x) * (1 - out)",
                ("    cache = (x, sig)\n", "    cache = (x, sig, out)\n"),
                ("    x, sig = cache\n" + _SWISH_GRAD, "    x, sig, out = cache\n    dx = dout * (out + sig * (1 - out))\n")),
    alternative("mish_forward", "naive log(1 + exp(x)) inside tanh (saturates to the right value)",
                (_MISH, "    tanh_sp = np.tanh(np.log(1 + np.exp(x)))\n")),
    alternative("mish_backward", "sech^2 as 1 / cosh^2, caching x only",
                ("    cache = (x, tanh_sp)\n", "    cache = x\n"),
                ("    x, tanh_sp = cache\n    sig = np.exp(-np.logaddexp(0, -x))\n" + _MISH_GRAD,
                 "    x = cache\n    sp = np.logaddexp(0, x)\n    sig = 1 / (1 + np.exp(-x))\n"
                 "    dx = dout * (np.tanh(sp) + x * sig / np.cosh(sp) ** 2)\n")),
]

# tanh written with a stable sigmoid (see tests/catalogue/gated_rnn.py).
_SIGMOID_HELPER = "\n\ndef sigmoid(x):\n    return np.exp(-np.logaddexp(0, -x))\n"
_TANH_DIFFERENCE = (("np.tanh(", "tanh("), ("\n\ndef tanh_forward(", _SIGMOID_HELPER + "\n\ndef tanh(x):\n"
                                                                   "    return sigmoid(2 * x) - sigmoid(-2 * x)"
                                                                   "\n\n\ndef tanh_forward("))
_TANH_SCALED = (("np.tanh(", "tanh("), ("\n\ndef tanh_forward(", _SIGMOID_HELPER + "\n\ndef tanh(x):\n"
                                                               "    return 2 * sigmoid(2 * x) - 1\n\n\ndef tanh_forward("))
ALTERNATIVES += [
    alternative(name, f"tanh as {label}", *replace)
    for name in ("tanh_forward", "tanh_backward", "mish_forward", "mish_backward")
    for label, replace in (("sigmoid(2x) - sigmoid(-2x)", _TANH_DIFFERENCE), ("2 sigmoid(2x) - 1", _TANH_SCALED))
]
