from tests.catalogue import alternative, mistake

DENSE_FANS, CONV_FANS = "dense (2-D) shapes: (fan_in, fan_out)", "conv (4-D) shapes: (fan_in, fan_out)"
RANKS = "ValueError for shapes that are neither 2-D nor 4-D"
SAME_SEED, OTHER_SEED = "the same seed gives the same weights", "different seeds give different weights"
GLOBAL = "the global np.random state is left untouched"
DENSE_ARRAY = "dense shapes: a float64 array of the given shape"
U_DENSE, U_CONV, U_GAIN = ("dense shapes: values follow U(-a, a)", "conv shapes: values follow U(-a, a)",
                           "non-default gain: values follow U(-a, a)")
U_BOUNDS = "dense shapes: values lie within [-a, a]"
N_DENSE, N_CONV, N_GAIN = ("dense shapes: values follow N(0, σ²)", "conv shapes: values follow N(0, σ²)",
                           "non-default gain: values follow N(0, σ²)")
TAILS = "dense shapes: normal tails (not truncated)"
B_DENSE, B_CONV, B_BOUNDS = ("dense shapes: values follow U(-b, b)", "conv shapes: values follow U(-b, b)",
                             "dense shapes: values lie within [-b, b]")
NUMPY_ONLY = "numpy only (no torch, tensorflow, jax or grader imports)"

# Solution lines the variants rewrite.
XU = "    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))\n    return rng.uniform(-bound, bound, size=tuple(shape))"
XN = "    std = gain * np.sqrt(2.0 / (fan_in + fan_out))\n    return rng.normal(0.0, std, size=tuple(shape))"
MN = "    fan_in, _ = compute_fans(shape)\n    std = np.sqrt(2.0 / fan_in)\n    return rng.normal(0.0, std, size=tuple(shape))"
MU = "    fan_in, _ = compute_fans(shape)\n    bound = np.sqrt(6.0 / fan_in)\n    return rng.uniform(-bound, bound, size=tuple(shape))"
CONV_RETURN = "return channels * receptive_field, num_filters * receptive_field"
NOT_RANK = '    raise ValueError(f"expected a 2-D (dense) or 4-D (conv) shape, got {len(shape)}-D shape {shape}")\n'


def _xu(body):
    return XU, body


def _xn(body):
    return XN, body


def _mn(body):
    return MN, body


def _mu(body):
    return MU, body


TRUNCATED_RESAMPLING = """    W = rng.normal(0.0, std, size=tuple(shape))
    outside = np.abs(W) > 2 * std
    while outside.any():
        W[outside] = rng.normal(0.0, std, size=outside.sum())
        outside = np.abs(W) > 2 * std
    return W"""

MISTAKES = [
    # compute_fans
    mistake("compute_fans", "dense fans swapped (PyTorch's (out, in) layout)",
            ("return int(shape[0]), int(shape[1])", "return int(shape[1]), int(shape[0])"),
            loses=DENSE_FANS, hint="fan_in and fan_out are swapped"),
    mistake("compute_fans", "receptive field ignored for conv",
            (CONV_RETURN, "return channels, num_filters"), loses=CONV_FANS, hint="receptive field HH*WW is missing"),
    mistake("compute_fans", "conv fans in the wrong order",
            (CONV_RETURN, "return num_filters * receptive_field, channels * receptive_field"),
            loses=CONV_FANS, hint="fan_in and fan_out are swapped"),
    mistake("compute_fans", "conv shape read as (F, C) like a dense one",
            (CONV_RETURN, "return num_filters, channels"), loses=CONV_FANS, hint="treated like a dense one"),
    mistake("compute_fans", "conv shape read in TensorFlow's (HH, WW, C, F) layout",
            ("num_filters, channels, height, width = shape", "height, width, channels, num_filters = shape"),
            loses=CONV_FANS, hint="TensorFlow's (HH, WW, C, F) layout"),
    mistake("compute_fans", "returns None for other ranks",
            (NOT_RANK, ""), loses=RANKS, hint="raise ValueError(...) explicitly"),
    mistake("compute_fans", "assert instead of ValueError",
            ("    shape = tuple(shape)\n    if", "    shape = tuple(shape)\n    assert len(shape) in (2, 4)\n    if"),
            loses=RANKS, hint="an assert raises AssertionError"),
    mistake("compute_fans", "every shape of 3 or more dimensions treated as conv",
            ("    if len(shape) == 4:\n        num_filters, channels, height, width = shape\n        receptive_field = height * width\n",
             "    if len(shape) >= 3:\n        num_filters, channels = shape[:2]\n        receptive_field = int(np.prod(shape[2:]))\n"),
            loses=RANKS, hint="raise ValueError(...) explicitly"),
    mistake("compute_fans", "fans returned as floats",
            ("return int(shape[0]), int(shape[1])", "return float(shape[0]), float(shape[1])"),
            loses="dense (2-D) shapes: fans are ints"),
    mistake("compute_fans", "imports torch",
            ("import numpy as np\n", "import numpy as np\ntry:\n    import torch\nexcept ImportError:\n    pass\n"),
            loses=NUMPY_ONLY),

    # xavier_uniform
    mistake("xavier_uniform", "fan_in only", _xu(XU.replace("(fan_in + fan_out)", "fan_in")),
            loses=U_DENSE, hint="uses fan_in only"),
    mistake("xavier_uniform", "the normal's sigma as the bound", _xu(XU.replace("6.0", "2.0")),
            loses=(U_DENSE, U_CONV), hint="the bound is the normal's standard deviation"),
    mistake("xavier_uniform", "sqrt missing", _xu(XU.replace("np.sqrt(6.0 / (fan_in + fan_out))", "6.0 / (fan_in + fan_out)")),
            loses=(U_DENSE, U_BOUNDS), hint="square root is missing"),
    mistake("xavier_uniform", "gain forgotten", _xu(XU.replace("gain * ", "")), loses=U_GAIN, hint="gain is ignored"),
    mistake("xavier_uniform", "gain under the square root",
            _xu(XU.replace("gain * np.sqrt(6.0 / ", "np.sqrt(6.0 * gain / ")), loses=U_GAIN, hint="gain multiplies"),
    mistake("xavier_uniform", "draws from the global np.random state",
            _xu(XU.replace("rng.uniform", "np.random.uniform")), loses=(GLOBAL, SAME_SEED), hint="global np.random"),
    mistake("xavier_uniform", "a normal of the same variance instead of a uniform",
            _xu(XU.replace("rng.uniform(-bound, bound,", "rng.normal(0.0, bound / np.sqrt(3.0),")),
            loses=(U_DENSE, U_BOUNDS), hint="look normally distributed"),
    mistake("xavier_uniform", "rng.random scaled without the shift (values in [0, 2a))",
            _xu(XU.replace("rng.uniform(-bound, bound, size=tuple(shape))", "rng.random(tuple(shape)) * 2 * bound")),
            loses=U_DENSE, hint="all the values have one sign"),
    mistake("xavier_uniform", "a new unseeded generator",
            _xu(XU.replace("rng.uniform", "np.random.default_rng().uniform")), loses=SAME_SEED, hint="ignore rng"),
    mistake("xavier_uniform", "a generator with a fixed seed",
            _xu(XU.replace("rng.uniform", "np.random.default_rng(0).uniform")), loses=OTHER_SEED, hint="ignore rng"),
    mistake("xavier_uniform", "float32 weights",
            _xu(XU.replace("size=tuple(shape))", "size=tuple(shape)).astype(np.float32)")), loses=DENSE_ARRAY),
    mistake("xavier_uniform", "transposed dense shape",
            _xu(XU.replace("size=tuple(shape))", "size=tuple(shape)[::-1])")), loses=DENSE_ARRAY,
            hint="the transposed shape"),
    mistake("xavier_uniform", "no ValueError for 3-D shapes (fans computed inline)",
            ("    fan_in, fan_out = compute_fans(shape)\n" + XU,
             "    fan_in, fan_out = shape[1] * np.prod(shape[2:]), shape[0] * np.prod(shape[2:])\n"
             "    if len(shape) == 2:\n        fan_in, fan_out = shape\n" + XU),
            loses=RANKS, hint="raise ValueError"),

    # xavier_normal
    mistake("xavier_normal", "fan_in only", _xn(XN.replace("(fan_in + fan_out)", "fan_in")),
            loses=N_DENSE, hint="uses fan_in only"),
    mistake("xavier_normal", "LeCun's sqrt(1 / fan_in)", _xn(XN.replace("2.0 / (fan_in + fan_out)", "1.0 / fan_in")),
            loses=N_DENSE, hint="uses fan_in only"),
    mistake("xavier_normal", "the uniform's bound as sigma", _xn(XN.replace("2.0", "6.0")),
            loses=(N_DENSE, N_CONV), hint="the uniform's bound"),
    mistake("xavier_normal", "variance passed as the scale", _xn(XN.replace("rng.normal(0.0, std,", "rng.normal(0.0, std**2,")),
            loses=N_DENSE, hint="square root is missing"),
    mistake("xavier_normal", "truncated at 2 sigma by resampling", _xn(XN.replace(
        "    return rng.normal(0.0, std, size=tuple(shape))", TRUNCATED_RESAMPLING)),
            loses=(N_DENSE, TAILS), hint="looks truncated"),
    mistake("xavier_normal", "gain forgotten", _xn(XN.replace("gain * ", "")), loses=N_GAIN, hint="gain is ignored"),
    mistake("xavier_normal", "CS231n-style np.random.randn",
            _xn(XN.replace("rng.normal(0.0, std, size=tuple(shape))", "np.random.randn(*shape) * std")),
            loses=(GLOBAL, SAME_SEED), hint="global np.random"),
    mistake("xavier_normal", "a uniform of the same variance instead of a normal",
            _xn(XN.replace("rng.normal(0.0, std,", "rng.uniform(-np.sqrt(3.0) * std, np.sqrt(3.0) * std,")),
            loses=(N_DENSE, TAILS), hint="look uniformly distributed"),

    # msra_normal
    mistake("msra_normal", "fan_out instead of fan_in",
            _mn(MN.replace("fan_in, _ =", "_, fan_out =").replace("2.0 / fan_in", "2.0 / fan_out")),
            loses=N_DENSE, hint="uses fan_out"),
    mistake("msra_normal", "the uniform's bound as sigma", _mn(MN.replace("2.0", "6.0")),
            loses=N_DENSE, hint="the uniform's bound"),
    mistake("msra_normal", "sqrt missing", _mn(MN.replace("np.sqrt(2.0 / fan_in)", "2.0 / fan_in")),
            loses=N_DENSE, hint="square root is missing"),
    mistake("msra_normal", "LeCun's sqrt(1 / fan_in)", _mn(MN.replace("2.0", "1.0")),
            loses=N_DENSE, hint="the factor 2 is missing"),
    mistake("msra_normal", "Xavier's sigma", _mn(MN.replace("fan_in, _ =", "fan_in, fan_out =").replace(
        "2.0 / fan_in", "2.0 / (fan_in + fan_out)")), loses=N_DENSE, hint="that is Xavier's"),
    mistake("msra_normal", "clipped at 2 sigma",
            _mn(MN.replace("rng.normal(0.0, std, size=tuple(shape))",
                           "np.clip(rng.normal(0.0, std, size=tuple(shape)), -2 * std, 2 * std)")),
            loses=TAILS, hint="looks truncated"),
    mistake("msra_normal", "TensorFlow-style truncated normal, variance corrected",
            _mn(MN.replace("std = np.sqrt(2.0 / fan_in)\n", "std = np.sqrt(2.0 / fan_in) / 0.87962566103423978\n")
                .replace("    return rng.normal(0.0, std, size=tuple(shape))", TRUNCATED_RESAMPLING)),
            loses=TAILS, hint="looks truncated"),
    mistake("msra_normal", "CS231n-style np.random.randn",
            _mn(MN.replace("rng.normal(0.0, std, size=tuple(shape))", "np.random.randn(*shape) * std")),
            loses=(GLOBAL, SAME_SEED), hint="global np.random"),
    mistake("msra_normal", "conv fans swapped in compute_fans",
            (CONV_RETURN, "return num_filters * receptive_field, channels * receptive_field"),
            loses=N_CONV, hint="uses fan_out"),
    mistake("msra_normal", "receptive field ignored in compute_fans",
            (CONV_RETURN, "return channels, num_filters"), loses=N_CONV, hint="receptive field HH*WW is missing"),

    # msra_uniform
    mistake("msra_uniform", "fan_out instead of fan_in",
            _mu(MU.replace("fan_in, _ =", "_, fan_out =").replace("6.0 / fan_in", "6.0 / fan_out")),
            loses=B_DENSE, hint="uses fan_out"),
    mistake("msra_uniform", "the normal's sigma as the bound", _mu(MU.replace("6.0", "2.0")),
            loses=B_DENSE, hint="the bound is the normal's standard deviation"),
    mistake("msra_uniform", "sqrt missing", _mu(MU.replace("np.sqrt(6.0 / fan_in)", "6.0 / fan_in")),
            loses=(B_DENSE, B_BOUNDS), hint="square root is missing"),
    mistake("msra_uniform", "LeCun's sqrt(3 / fan_in)", _mu(MU.replace("6.0", "3.0")),
            loses=B_DENSE, hint="the factor 2 is missing"),
    mistake("msra_uniform", "a normal of the same variance instead of a uniform",
            _mu(MU.replace("rng.uniform(-bound, bound,", "rng.normal(0.0, bound / np.sqrt(3.0),")),
            loses=(B_DENSE, B_BOUNDS), hint="look normally distributed"),
    mistake("msra_uniform", "draws from the global np.random state",
            _mu(MU.replace("rng.uniform", "np.random.uniform")), loses=(GLOBAL, SAME_SEED), hint="global np.random"),
    mistake("msra_uniform", "rng.random scaled without the shift",
            _mu(MU.replace("rng.uniform(-bound, bound, size=tuple(shape))", "rng.random(size=tuple(shape)) * 2 * bound")),
            loses=B_DENSE, hint="all the values have one sign"),
    mistake("msra_uniform", "conv fans swapped in compute_fans",
            (CONV_RETURN, "return num_filters * receptive_field, channels * receptive_field"),
            loses=B_CONV, hint="uses fan_out"),
]

LOOPED_UNIFORM = """    W = np.empty(shape)
    for index in np.ndindex(*shape):
        W[index] = rng.uniform(-bound, bound)
    return W"""

BOX_MULLER = """    u1, u2 = rng.random((2,) + tuple(shape))
    return std * np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)"""

ALTERNATIVES = [
    alternative("compute_fans", "np.prod for the receptive field, lists indexed directly",
                ("    shape = tuple(shape)\n    if len(shape) == 2:\n        return int(shape[0]), int(shape[1])\n"
                 "    if len(shape) == 4:\n        num_filters, channels, height, width = shape\n"
                 "        receptive_field = height * width\n",
                 "    if len(shape) == 2:\n        return shape[0], shape[1]\n    if len(shape) == 4:\n"
                 "        num_filters, channels = shape[0], shape[1]\n        receptive_field = np.prod(shape[2:])\n")),
    alternative("compute_fans", "structural pattern matching",
                ("    shape = tuple(shape)\n    if len(shape) == 2:\n        return int(shape[0]), int(shape[1])\n"
                 "    if len(shape) == 4:\n        num_filters, channels, height, width = shape\n"
                 "        receptive_field = height * width\n        " + CONV_RETURN + "\n" + NOT_RANK,
                 "    match shape:\n        case (fan_in, fan_out):\n            return fan_in, fan_out\n"
                 "        case (num_filters, channels, height, width):\n"
                 "            return channels * height * width, num_filters * height * width\n"
                 "        case _:\n            raise ValueError('compute_fans: expected a 2-D or 4-D shape')\n")),
    alternative("compute_fans", "unpacking raises the ValueError for other ranks",
                ("    if len(shape) == 4:\n        num_filters, channels, height, width = shape\n"
                 "        receptive_field = height * width\n        " + CONV_RETURN + "\n" + NOT_RANK,
                 "    num_filters, channels, height, width = shape  # ValueError unless 4-D\n"
                 "    return channels * height * width, num_filters * height * width\n")),
    alternative("xavier_uniform", "rng.random() * 2a - a",
                _xu(XU.replace("rng.uniform(-bound, bound, size=tuple(shape))", "rng.random(size=shape) * 2 * bound - bound"))),
    alternative("xavier_uniform", "a loop over np.ndindex drawing scalars", _xu(XU.replace(
        "    return rng.uniform(-bound, bound, size=tuple(shape))", LOOPED_UNIFORM))),
    alternative("xavier_uniform", "fans inline, math.sqrt, U(-1, 1) scaled",
                ("    fan_in, fan_out = compute_fans(shape)\n" + XU,
                 "    import math\n    if len(shape) == 2:\n        fan_in, fan_out = shape\n"
                 "    elif len(shape) == 4:\n        fan_in, fan_out = math.prod(shape[1:]), shape[0] * math.prod(shape[2:])\n"
                 "    else:\n        raise ValueError('shape must be 2-D or 4-D')\n"
                 "    return math.sqrt(6 / (fan_in + fan_out)) * gain * rng.uniform(-1, 1, size=shape)")),
    alternative("xavier_normal", "rng.standard_normal * std",
                _xn(XN.replace("rng.normal(0.0, std, size=tuple(shape))", "rng.standard_normal(shape) * std"))),
    alternative("xavier_normal", "Box-Muller from rng.random", _xn(XN.replace(
        "    return rng.normal(0.0, std, size=tuple(shape))", BOX_MULLER))),
    alternative("msra_normal", "standard normal reshaped from a flat draw, list shape passed through",
                _mn(MN.replace("rng.normal(0.0, std, size=tuple(shape))",
                               "std * rng.standard_normal(int(np.prod(shape))).reshape(shape)"))),
    alternative("msra_normal", "rng.normal with keyword arguments and the variance under one sqrt",
                _mn(MN.replace("std = np.sqrt(2.0 / fan_in)", "std = (2 / fan_in) ** 0.5").replace(
                    "rng.normal(0.0, std, size=tuple(shape))", "rng.normal(loc=0, scale=std, size=shape)"))),
    alternative("msra_uniform", "rng.uniform with keywords on a list shape",
                _mu(MU.replace("rng.uniform(-bound, bound, size=tuple(shape))", "rng.uniform(low=-bound, high=bound, size=shape)"))),
    alternative("msra_uniform", "bound * (2 * rng.random - 1)",
                _mu(MU.replace("rng.uniform(-bound, bound, size=tuple(shape))", "bound * (2.0 * rng.random(tuple(shape)) - 1.0)"))),
]
