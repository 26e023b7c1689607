"""Graders of the topic `weight_init`: the fans of a weight shape and the Xavier and MSRA initializers.

The initializers are random and may draw from `rng` in any correct way (rng.uniform, rng.random
scaled, rng.normal, rng.standard_normal * sigma ...), so their values are judged by statistical tests
against the exact target distribution, never bit by bit. Inputs stay plain data: each holds an integer
`seed`, and the drivers build `np.random.default_rng(seed)` inside the worker. The distribution checks
call the initializer repeatedly with one such rng until SAMPLES values are drawn. Every statistical
test states its false-failure probability for a correct implementation: in all, a correct initializer
loses points with probability below 1e-7 (36 inputs, two tests of level ALPHA each; the other checks add
less than 1e-15). As hypothesis draws the seeds derandomized, the verdicts are the same on every run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from autograde_tests import strategies as dst
from autograde_tests.drivers.weight_init import pooled_draws, raised_exception, seeded_draws
from grader.engine.checks import (Check, Exercise, Failure, Hint, Scenario, conform, failed_call, global_rng_changed,
                                  global_rng_untouched, numpy_only, raised, raises_value_error)

TOPIC = "weight_init"


# References -------------------------------------------------------------------------------------


def fans(shape) -> tuple[int, int]:
    shape = tuple(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    num_filters, channels, height, width = shape
    return channels * height * width, num_filters * height * width


def fans_reference(example):
    # Floats, so that any real number is read back as a value; `_integers` judges the type on its own.
    fan_in, fan_out = fans(example["shape"])
    return {"fan_in": float(fan_in), "fan_out": float(fan_out)}


@dataclass(frozen=True)
class Target:
    """The distribution an initializer draws from: `scale(fan_in, fan_out, gain)` is the bound a of
    U(-a, a) for `family` "uniform", the standard deviation of N(0, scale²) for "normal"."""

    name: str
    family: str
    scale: Callable[[int, int, float], float]
    formula: str   # how the student reads it, e.g. "a = gain * sqrt(6 / (fan_in + fan_out))"
    symbol: str    # "a", "b" or "σ"

    @property
    def law(self) -> str:
        return f"U(-{self.symbol}, {self.symbol})" if self.family == "uniform" else "N(0, σ²)"

    def std(self, scale: float) -> float:
        return scale / math.sqrt(3.0) if self.family == "uniform" else scale


def _target_reference(target: Target):
    def reference(example):
        fan_in, fan_out = fans(example["shape"])
        gain = example.get("gain", 1.0)
        scale = target.scale(fan_in, fan_out, gain)
        # W only fixes the contract's shape and dtype; its values are judged by the statistical checks.
        return {"W": np.zeros(tuple(example["shape"])), "fan_in": fan_in, "fan_out": fan_out, "gain": gain,
                "scale": scale, "std": target.std(scale)}

    return reference


# Strategies -------------------------------------------------------------------------------------


def _tuples_or_lists(shapes):
    """API.md: shapes may be given as tuples or lists."""
    return st.one_of(shapes, shapes.map(list))


def dense_shapes(*, min_side: int = 2, max_side: int = 40):
    return _tuples_or_lists(dst.shapes(min_dims=2, max_dims=2, min_side=min_side, max_side=max_side))


def conv_shapes(*, max_channels: int = 12, max_kernel: int = 5, min_size: int = 4):
    """(F, C, HH, WW) with at least `min_size` elements."""
    shapes = st.tuples(st.integers(1, max_channels), st.integers(1, max_channels), st.integers(1, max_kernel),
                       st.integers(1, max_kernel)).filter(lambda s: math.prod(s) >= min_size)
    return _tuples_or_lists(shapes)


def other_rank_shapes():
    """Shapes that are neither 2-D nor 4-D."""
    return _tuples_or_lists(st.sampled_from([1, 3, 5]).flatmap(lambda k: dst.shapes(min_dims=k, max_dims=k)))


def gains():
    """Gains far enough from the default 1.0 that ignoring the gain (or squaring it) shows."""
    return st.one_of(st.floats(0.25, 0.75), st.floats(1.5, 4.0))


def init_inputs(shapes, *, gain=None):
    """Dicts shape, seed (the rng is built from it in the worker) and, given a strategy, gain."""
    fields = {"shape": shapes, "seed": st.integers(0, 2**32 - 1)}
    if gain is not None:
        fields["gain"] = gain
    return st.fixed_dictionaries(fields)


# Hints ------------------------------------------------------------------------------------------
# The hints read the pooled values with the checks' _sample, below.


def _fans_hint(text: str, model) -> Hint:
    """Applies when the student's fans are `model(shape)`, a mistake's fans, and those differ from the right ones."""

    def applies(example, outcome, expected):
        wrong = tuple(float(f) for f in model(tuple(example["shape"])))
        got = (outcome.outputs.get("fan_in"), outcome.outputs.get("fan_out"))
        return got == wrong != (expected["fan_in"], expected["fan_out"])

    return Hint(text, applies)


CONV_LAYOUT = "conv weights are (F, C, HH, WW): fan_in = C*HH*WW (input channels), fan_out = F*HH*WW (filters)"

DENSE_FANS_HINTS = (
    _fans_hint("fan_in and fan_out are swapped: dense weights are (fan_in, fan_out), as w in affine_forward "
               "(not PyTorch's (out_features, in_features))", lambda s: (s[1], s[0])),
)

CONV_FANS_HINTS = (
    _fans_hint("the receptive field HH*WW is missing: " + CONV_LAYOUT, lambda s: (s[1], s[0])),
    _fans_hint("fan_in and fan_out are swapped: " + CONV_LAYOUT, lambda s: (s[0] * s[2] * s[3], s[1] * s[2] * s[3])),
    _fans_hint("a conv shape was treated like a dense one, (shape[0], shape[1]): " + CONV_LAYOUT,
               lambda s: (s[0], s[1])),
    _fans_hint("the shape was read in TensorFlow's (HH, WW, C, F) layout: " + CONV_LAYOUT,
               lambda s: (s[2] * s[0] * s[1], s[3] * s[0] * s[1])),
)


def _raised(kind: str):
    return lambda example, outcome, expected: kind in (raised(outcome) or ())


RANK_HINTS = (
    Hint("raise ValueError(...) explicitly for shapes that are neither 2-D nor 4-D", lambda ex, out, exp:
         out.raw.get("raised") is None),
    Hint("an assert raises AssertionError (and is skipped under python -O): raise ValueError instead",
         _raised("AssertionError")),
    Hint("check len(shape) first and raise ValueError for shapes that are neither 2-D nor 4-D", _raised("IndexError")),
)

TAIL = 2.8  # a normal sample of SAMPLES values has values beyond TAIL * its rms, a truncated one none


def _scale_hint(text: str, target: Target, wrong) -> Hint:
    """Applies when the sample's std is within 3% of the one that `wrong(fan_in, fan_out, gain, shape)`, the
    bound or σ a mistake gives (None: not on this input), implies, and that differs from the right std by
    more than 6%. The std of SAMPLES values is within 0.5% of the true one at one standard error."""

    def applies(example, outcome, expected):
        scale = wrong(expected["fan_in"], expected["fan_out"], expected["gain"], tuple(example["shape"]))
        sample = _sample(outcome)
        if scale is None or isinstance(sample, Failure) or abs(target.std(scale) / expected["std"] - 1) < 0.06:
            return False
        return abs(np.std(sample) / target.std(scale) - 1) < 0.03

    return Hint(text, applies)


def _sample_hint(text: str, test) -> Hint:
    def applies(example, outcome, expected):
        sample = _sample(outcome)
        return not isinstance(sample, Failure) and bool(test(sample))

    return Hint(text, applies)


def _rms(sample) -> float:
    return float(np.sqrt(np.mean(sample**2)))


def _kurtosis(sample) -> float:
    centred = sample - np.mean(sample)
    return float(np.mean(centred**4) / np.mean(centred**2) ** 2)


def _tail_ratio(sample) -> float:
    return float(np.max(np.abs(sample))) / _rms(sample)


RECEPTIVE = "the receptive field HH*WW is missing from the fans: " + CONV_LAYOUT
ONE_SIDED = "all the values have one sign: the distribution is centred at 0 (from rng.random(): rng.random(shape) * 2 * a - a)"
# Shape of the distribution: kurtosis 1.8 (uniform) vs 3 (normal); largest |w| / rms about 1.73 (uniform),
# 2.3 (normal truncated at 2σ), above 3.5 (normal, SAMPLES values).
UNIFORM_SHAPE_HINTS = (
    _sample_hint("the values look normally distributed (kurtosis near 3); this initializer draws from a uniform "
                 "distribution: rng.uniform(-bound, bound, size=shape)", lambda s: _kurtosis(s) > 2.4),
    _sample_hint(ONE_SIDED, lambda s: s.min() >= 0 or s.max() <= 0))
NORMAL_SHAPE_HINTS = (
    _sample_hint("the values look uniformly distributed; this initializer draws from a normal distribution: "
                 "rng.normal(0.0, std, size=shape)", lambda s: _tail_ratio(s) < 2.0),
    _sample_hint("the normal looks truncated (or clipped): no value lies far in the tails; draw from the full "
                 "normal N(0, σ²), e.g. rng.normal(0.0, std, size=shape)", lambda s: 2.0 <= _tail_ratio(s) <= TAIL),
    _sample_hint(ONE_SIDED, lambda s: s.min() >= 0 or s.max() <= 0))


def common_hints(target: Target) -> tuple[Hint, ...]:
    """Mistakes any initializer can make, each a wrong bound or σ derived from the target's own formula."""
    scale, sym = target.scale, target.symbol
    if target.family == "uniform":
        shape_hints, other_family = UNIFORM_SHAPE_HINTS, _scale_hint(
            f"the bound is the normal's standard deviation: U(-{sym}, {sym}) has variance {sym}²/3, so {target.formula}",
            target, lambda fi, fo, g, s: scale(fi, fo, g) / math.sqrt(3.0))
    else:
        shape_hints, other_family = NORMAL_SHAPE_HINTS, _scale_hint(
            f"σ is the uniform's bound, sqrt(3) times too large: the normal's standard deviation is {target.formula}",
            target, lambda fi, fo, g, s: scale(fi, fo, g) * math.sqrt(3.0))
    no_sqrt = f"the square root is missing: {target.formula}" + (
        "" if target.family == "uniform" else " (rng.normal takes the standard deviation, not the variance)")
    return shape_hints + (
        other_family,
        _scale_hint(no_sqrt, target, lambda fi, fo, g, s: g * (scale(fi, fo, g) / g) ** 2),
        _scale_hint(no_sqrt, target, lambda fi, fo, g, s: scale(fi, fo, g) ** 2),
        _scale_hint(RECEPTIVE, target, lambda fi, fo, g, s: scale(s[1], s[0], g) if len(s) == 4 else None),
        _scale_hint("the gain is ignored: multiply the bound (or the standard deviation) by gain",
                    target, lambda fi, fo, g, s: scale(fi, fo, 1.0) if g != 1.0 else None),
        _scale_hint("the gain multiplies the bound or standard deviation (gain * sqrt(...)), not what is under the "
                    "square root", target, lambda fi, fo, g, s: scale(fi, fo, 1.0) * math.sqrt(g) if g != 1.0 else None),
    )


def xavier_hints(target: Target) -> tuple[Hint, ...]:
    scale, sym, rule = target.scale, target.symbol, f"Xavier/Glorot uses fan_in + fan_out, {target.formula}"
    return common_hints(target) + (
        _scale_hint(f"{sym} uses fan_in only: {rule}", target, lambda fi, fo, g, s: scale(fi, 0, g)),
        _scale_hint(f"{sym} uses fan_in only (LeCun's initialization): {rule}", target,
                    lambda fi, fo, g, s: scale(2 * fi, 0, g)),
        _scale_hint(f"{sym} uses fan_out only: {rule}", target, lambda fi, fo, g, s: scale(0, fo, g)),
    )


def msra_hints(target: Target) -> tuple[Hint, ...]:
    scale, sym = target.scale, target.symbol
    return common_hints(target) + (
        _scale_hint(f"{sym} uses fan_out: MSRA/He uses fan_in, {target.formula} (for conv weights (F, C, HH, WW), "
                    "fan_in = C*HH*WW: check that compute_fans does not swap them)", target,
                    lambda fi, fo, g, s: scale(fo, fi, g)),
        _scale_hint(f"the factor 2 is missing (that is LeCun's initialization): MSRA/He uses {target.formula}", target,
                    lambda fi, fo, g, s: scale(2 * fi, fo, g)),
        _scale_hint(f"that is Xavier's {sym}, with fan_in + fan_out: MSRA/He uses {target.formula}", target,
                    lambda fi, fo, g, s: scale(fi + fo, fo, g)),
    )


GLOBAL_STATE = "the weights are drawn from the global np.random state: draw only from the rng argument " \
               "(rng.uniform, rng.normal, rng.standard_normal ...)"

RNG_HINTS = (
    Hint(GLOBAL_STATE, global_rng_changed),
    Hint("the weights ignore rng: draw from the rng argument, not from a generator of your own",
         lambda ex, out, exp: not global_rng_changed(ex, out, exp)),
)

TRANSPOSED = Hint("the array has the transposed shape: dense weights are (fan_in, fan_out), as w in affine_forward",
                  lambda ex, out, exp: "W" in out.problems and f"shape {tuple(reversed(exp['W'].shape))}," in out.problems["W"])


# Checks -----------------------------------------------------------------------------------------

SAMPLES = 20_000  # values per distribution test; the shapes hold >= 4 elements, so <= 5000 calls
ALPHA = 1e-9      # significance of each goodness-of-fit test: a correct implementation fails one with this probability


def _fans_match(example, outcome, expected):
    failure = failed_call(outcome, "fan_in", "fan_out")
    if failure:
        return failure
    got = (outcome.outputs["fan_in"], outcome.outputs["fan_out"])
    want = (expected["fan_in"], expected["fan_out"])
    if got != want:
        return Failure(f"compute_fans returned (fan_in, fan_out) = ({got[0]:g}, {got[1]:g}), "
                       f"expected ({want[0]:g}, {want[1]:g})")
    return None


def _integers(example, outcome, expected):
    failure = failed_call(outcome, "fan_in", "fan_out")
    if failure:
        return failure
    for name, value in zip(("fan_in", "fan_out"), outcome.raw["result"]):
        _, problem = conform(value, 0, name)
        if problem:
            return Failure(f"{problem}: compute_fans returns ints")
    return None


_RAISES_VALUE_ERROR = raises_value_error(lambda example: f"for a {len(example['shape'])}-D shape")


def _sample(outcome):
    """The pooled values the driver drew, or a Failure explaining why there are none to judge."""
    failure = failed_call(outcome)
    if failure:
        return failure
    sample = outcome.raw.get("sample")
    if not isinstance(sample, np.ndarray) or sample.dtype != np.float64 or sample.ndim != 1:
        return Failure("the drawn values could not be read back")
    if sample.size < SAMPLES:
        return Failure(f"only {sample.size} values were drawn in {SAMPLES // 4} calls; each call must return "
                       "an array of the given shape")
    if not np.isfinite(sample).all():
        return Failure("the weights hold NaN or infinite values")
    return sample


def _summary(sample, target: Target, expected) -> str:
    return (f"{sample.size} values from repeated calls with one rng = np.random.default_rng(seed): mean {np.mean(sample):.4g}, "
            f"std {np.std(sample):.4g} (expected {expected['std']:.4g}), "
            f"min {sample.min():.4g}, max {sample.max():.4g}")


def goodness_of_fit(sample, family: str, scale: float) -> tuple[float, float, float]:
    """(KS statistic, KS p-value, second-moment p-value) of `sample` against U(-scale, scale) or N(0, scale²).

    The Kolmogorov–Smirnov test compares the whole distribution; the second-moment test (mean of w²,
    a z-test with the target's exact Var(w²)) adds power against a slightly wrong scale.
    """
    from scipy import stats  # grading process only; imported here to keep the CLI's start-up fast

    if family == "uniform":
        ks = stats.kstest(sample, stats.uniform(-scale, 2 * scale).cdf)  # frozen: kstest's args broke in scipy 1.18
        variance, kurtosis = scale**2 / 3, 1.8
    else:
        ks = stats.kstest(sample, stats.norm(0.0, scale).cdf)
        variance, kurtosis = scale**2, 3.0
    # Var(w²) = (kurtosis - 1)·variance²; normal approximation of the mean of SAMPLES bounded or χ²
    # terms, accurate within a factor 2 at p = ALPHA.
    z = (np.mean(sample**2) - variance) / (variance * math.sqrt((kurtosis - 1) / sample.size))
    return float(ks.statistic), float(ks.pvalue), float(2 * stats.norm.sf(abs(z)))


def _follows(target: Target):
    # False failure for a correct implementation: <= 2 * ALPHA per input (the KS p-value is exact or
    # asymptotic at n = SAMPLES; the moment test's normal approximation as stated above).
    def verify(example, outcome, expected):
        sample = _sample(outcome)
        if isinstance(sample, Failure):
            return sample
        statistic, ks_p, moment_p = goodness_of_fit(sample, target.family, expected["scale"])
        if min(ks_p, moment_p) >= ALPHA:
            return None
        return Failure(
            f"the values do not follow {target.law} with {target.formula} = {expected['scale']:.6g} "
            f"(fan_in = {expected['fan_in']}, fan_out = {expected['fan_out']}, gain = {expected['gain']:g})",
            (_summary(sample, target, expected),
             f"Kolmogorov–Smirnov test: D = {statistic:.3g}, p = {ks_p:.2g}; test of the variance: p = {moment_p:.2g} "
             f"(a correct implementation has p < {ALPHA:g} with probability {ALPHA:g})"))

    return verify


def _within_bounds(target: Target):
    # Exact: a correct implementation never draws outside [-a, a] (up to rounding of a itself).
    def verify(example, outcome, expected):
        sample = _sample(outcome)
        if isinstance(sample, Failure):
            return sample
        bound = expected["scale"]
        worst = float(np.max(np.abs(sample)))
        if worst > bound * (1 + 1e-12):
            outside = int(np.sum(np.abs(sample) > bound * (1 + 1e-12)))
            return Failure(f"a value {worst:.6g} lies outside [-{target.symbol}, {target.symbol}] with "
                           f"{target.formula} = {bound:.6g}", (f"{outside} of {sample.size} values lie outside",
                                                               _summary(sample, target, expected)))
        return None

    return verify


def _normal_tails(target: Target):
    # False failure: a normal sample's rms exceeds 1.1σ with probability < 1e-80, and otherwise none of
    # its SAMPLES values lies beyond TAIL * rms with probability < (1 - P(|z| > 3.08))**SAMPLES < 1e-17.
    def verify(example, outcome, expected):
        sample = _sample(outcome)
        if isinstance(sample, Failure):
            return sample
        ratio = _tail_ratio(sample)
        if ratio > TAIL:
            return None
        return Failure(f"no value lies beyond {TAIL} standard deviations (the largest |value| is {ratio:.3g} of "
                       f"them), but about 0.5% of a normal sample of {sample.size} values should",
                       (_summary(sample, target, expected),))

    return verify


def _drawn(outcome, key):
    """The first call's weights and those of the call under `key`, as arrays of any shape (shapes and
    dtypes are judged elsewhere)."""
    failure = failed_call(outcome)
    if failure:
        return failure
    try:
        return tuple(np.asarray(outcome.raw[name], dtype=np.float64) for name in ("result", key))
    except Exception:  # None, an object, a ragged list...: nothing to compare
        return Failure("the returned weights could not be read as arrays of numbers")


def _same_seed_same_weights(example, outcome, expected):
    drawn = _drawn(outcome, "again")
    if isinstance(drawn, Failure):
        return drawn
    if drawn[0].shape != drawn[1].shape or not np.array_equal(*drawn):
        return Failure("two calls, each with a new np.random.default_rng(seed) of the same seed, returned different "
                       "weights: the weights must depend on rng only")
    return None


def _other_seed_other_weights(example, outcome, expected):
    # A correct implementation draws the same array from two different seeds with probability ~2**-52.
    drawn = _drawn(outcome, "other_seed")
    if isinstance(drawn, Failure):
        return drawn
    if drawn[0].shape == drawn[1].shape and np.array_equal(*drawn):
        return Failure("np.random.default_rng(seed) and np.random.default_rng(seed + 1) gave the same weights: "
                       "the weights must be drawn from rng")
    return None


def _array_of_shape(example, outcome, expected):
    return failed_call(outcome, "W")


# Exercises --------------------------------------------------------------------------------------

POOLED = {"kwargs": ("gain",), "samples": SAMPLES, "max_calls": SAMPLES // 4}


def rank_scenario(*, with_rng: bool, points: float) -> Scenario:
    inputs = init_inputs(other_rank_shapes()) if with_rng else st.fixed_dictionaries({"shape": other_rank_shapes()})
    return Scenario("shapes that are neither 2-D nor 4-D", inputs, lambda example: {}, returns=None,
                    driver=raised_exception, max_examples=10, checks=(
                        Check("ValueError for shapes that are neither 2-D nor 4-D", points, _RAISES_VALUE_ERROR,
                              RANK_HINTS),))


def rng_scenario() -> Scenario:
    shapes = st.one_of(dense_shapes(min_side=1, max_side=5), conv_shapes(max_channels=4, max_kernel=3, min_size=1))
    return Scenario("a seeded rng", init_inputs(shapes), lambda example: {}, returns=None,
                    driver=seeded_draws, call={"kwargs": ("gain",)}, max_examples=20, checks=(
                        Check("the same seed gives the same weights", 0.5, _same_seed_same_weights, RNG_HINTS),
                        Check("different seeds give different weights", 0.5, _other_seed_other_weights, RNG_HINTS),
                        global_rng_untouched(points=0.5, hints=RNG_HINTS[:1]),
                    ))


def initializer(target: Target, hints: tuple[Hint, ...], *, with_gain: bool) -> Exercise:
    reference, follows = _target_reference(target), _follows(target)
    if target.family == "uniform":
        shape_check = Check(f"dense shapes: values lie within [-{target.symbol}, {target.symbol}]", 0.5,
                            _within_bounds(target), hints)
    else:
        shape_check = Check("dense shapes: normal tails (not truncated)", 0.5, _normal_tails(target), hints)

    def pooled(name, shapes, checks, **options):
        return Scenario(name, init_inputs(shapes, **options), reference, returns="W", driver=pooled_draws,
                        call=POOLED, max_examples=12, checks=checks)

    scenarios = [
        pooled("dense shapes", dense_shapes(), (
            Check("dense shapes: a float64 array of the given shape", 0.5, _array_of_shape, (TRANSPOSED,)),
            Check(f"dense shapes: values follow {target.law}", 2.0, follows, hints),
            shape_check,
        )),
        pooled("conv shapes", conv_shapes(), (
            Check("conv shapes: a float64 array of the given shape", 0.5, _array_of_shape),
            Check(f"conv shapes: values follow {target.law}", 1.5, follows, hints),
        )),
    ]
    if with_gain:
        scenarios.append(pooled("non-default gain", st.one_of(dense_shapes(), conv_shapes()), (
            Check(f"non-default gain: values follow {target.law}", 1.0, follows, hints),), gain=gains()))
    scenarios += [rng_scenario(), rank_scenario(with_rng=True, points=0.5)]
    return Exercise(target.name, TOPIC, tuple(scenarios), (numpy_only(points=0.5),))


XAVIER_UNIFORM = Target("xavier_uniform", "uniform", lambda fi, fo, g: g * math.sqrt(6 / (fi + fo)),
                        "a = gain * sqrt(6 / (fan_in + fan_out))", "a")
XAVIER_NORMAL = Target("xavier_normal", "normal", lambda fi, fo, g: g * math.sqrt(2 / (fi + fo)),
                       "σ = gain * sqrt(2 / (fan_in + fan_out))", "σ")
MSRA_NORMAL = Target("msra_normal", "normal", lambda fi, fo, g: math.sqrt(2 / fi), "σ = sqrt(2 / fan_in)", "σ")
MSRA_UNIFORM = Target("msra_uniform", "uniform", lambda fi, fo, g: math.sqrt(6 / fi), "b = sqrt(6 / fan_in)", "b")

EXERCISES = [
    Exercise("compute_fans", TOPIC, (
        Scenario("dense shapes", st.fixed_dictionaries({"shape": dense_shapes(min_side=1, max_side=8)}),
                 fans_reference, returns=("fan_in", "fan_out"), call={"args": ("shape",)}, max_examples=20, checks=(
                     Check("dense (2-D) shapes: (fan_in, fan_out)", 1.5, _fans_match, DENSE_FANS_HINTS),
                     Check("dense (2-D) shapes: fans are ints", 0.25, _integers),
                 )),
        Scenario("conv shapes", st.fixed_dictionaries({"shape": conv_shapes(max_channels=6, max_kernel=4, min_size=1)}),
                 fans_reference, returns=("fan_in", "fan_out"), call={"args": ("shape",)}, max_examples=30, checks=(
                     Check("conv (4-D) shapes: (fan_in, fan_out)", 2.0, _fans_match, CONV_FANS_HINTS),
                     Check("conv (4-D) shapes: fans are ints", 0.25, _integers),
                 )),
        rank_scenario(with_rng=False, points=1.0),
    ), (numpy_only(points=0.5),)),
    initializer(XAVIER_UNIFORM, xavier_hints(XAVIER_UNIFORM), with_gain=True),
    initializer(XAVIER_NORMAL, xavier_hints(XAVIER_NORMAL), with_gain=True),
    initializer(MSRA_NORMAL, msra_hints(MSRA_NORMAL), with_gain=False),
    initializer(MSRA_UNIFORM, msra_hints(MSRA_UNIFORM), with_gain=False),
]
