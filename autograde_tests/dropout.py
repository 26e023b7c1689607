"""Graders of the topic `dropout`: inverted dropout, forward and backward.

The mask is random, so the forward pass has no single expected value: the checks pin down what every
correct mask satisfies (each output 0 or x / p, out = x * mask), its distribution (a binomial test of
the kept fraction, the mean preserved) and its determinism (a function of the seed). Any generator
seeded by `seed` is accepted, np.random.seed(seed) included. The backward pass is judged against torch
autograd of x * mask, with the mask of the student's own forward pass, and with masks we give it.
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograde_tests import strategies as dst
from autograde_tests.drivers.dropout import backward_call, forward_call, forward_then_backward_with_mask, forward_with_seeds
from grader.engine import compare
from grader.engine.checks import Check, Exercise, Failure, Hint, Scenario, failed_call, numpy_only, unchanged_inputs

TOPIC = "dropout"


# References -------------------------------------------------------------------------------------


def no_reference(example):
    return {}


def identity_reference(example):
    return {"out": example["x"]}


def masked_gradient(x, mask, dout) -> np.ndarray:
    """torch autograd of x * mask, in float64."""
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64)).requires_grad_()
    (dx,) = torch.autograd.grad(xt * torch.from_numpy(np.asarray(mask, dtype=np.float64)),
                                xt, torch.from_numpy(np.asarray(dout, dtype=np.float64)))
    return dx.numpy()


def given_cache_reference(example):
    param, mask = example["cache"]
    dout = example["dout"]
    return {"dx": masked_gradient(np.zeros_like(dout), mask, dout) if mask is not None else dout.copy()}


# Strategies -------------------------------------------------------------------------------------

STAT_SHAPE = (50, 200)
STAT_PS = (0.2, 0.3, 0.75, 0.9)  # far from 0.5, so reading p as the drop probability shows


@st.composite
def dropout_inputs(draw, *, mode: str = "train", float32: bool = True, with_dout: bool = False):
    """x (float64, or float32), dropout_param with p in (0, 1] and often a seed (and dout)."""
    shape = draw(dst.shapes(max_dims=3, max_side=5))
    x = draw(dst.float_arrays(shape))
    if float32 and draw(st.booleans()):
        x = x.astype(np.float32)
    param = {"p": draw(st.sampled_from([1.0, 0.5]) | st.floats(0.05, 1.0)), "mode": mode}
    if draw(st.booleans()):
        param["seed"] = draw(st.integers(0, 2**31 - 1))
    example = {"x": x, "dropout_param": param}
    if with_dout:
        example["dout"] = draw(dst.float_arrays(shape))
    return example


def _positive(shape, start: int) -> np.ndarray:
    """Values in [1, 2), so a dropped unit (0) never looks like a kept one. They come from a Weyl
    sequence, not from a generator a student's mask could share (x and mask drawn from the same
    seeded generator would be correlated, and the mean test would fail a correct implementation)."""
    index = np.arange(start, start + int(np.prod(shape)), dtype=np.float64)
    return 1.0 + np.modf(index * 0.6180339887498949)[0].reshape(shape)


@st.composite
def large_inputs(draw):
    param = {"p": draw(st.sampled_from(STAT_PS)), "mode": "train", "seed": draw(st.integers(0, 2**31 - 1))}
    return {"x": _positive(STAT_SHAPE, draw(st.integers(0, 2**16))), "dropout_param": param}


@st.composite
def seed_pairs(draw):
    """x of 200 units, p, two different seeds: two independent masks agree with chance <= 0.68^200."""
    seed = draw(st.integers(0, 2**31 - 1))
    other = draw(st.integers(0, 2**31 - 1).filter(lambda s: s != seed))
    return {"x": _positive((20, 10), seed % 997), "p": draw(st.sampled_from([0.3, 0.5, 0.8])),
            "seed": seed, "other_seed": other}


@st.composite
def given_caches(draw, *, mode: str):
    """dout with a cache (dropout_param, mask) built by us: a mask no generator reproduces from the seed."""
    shape = draw(dst.shapes(max_dims=3, max_side=5))
    p = draw(st.floats(0.05, 1.0))
    param = {"p": p, "mode": mode, "seed": draw(st.integers(0, 2**31 - 1))}
    mask = draw(hnp.arrays(np.bool_, shape)) / p if mode == "train" else None
    return {"dout": draw(dst.float_arrays(shape)), "cache": (param, mask)}


# Hints ------------------------------------------------------------------------------------------
# The hints read the outputs with the checks' helpers (_array_like_x, _kept_or_dropped ...), below.

KEEP_NOT_DROP = "p is the probability of keeping a unit, not of dropping it: keep where np.random.rand(...) < p"
NOT_RESCALED = ("the kept units are not rescaled: inverted dropout divides them by p (mask = (rand < p) / p), "
                "so that the expected output is x")
IN_TEST_MODE = "dropout is applied in test mode: in test mode the output is x itself"
FRESH_MASK = ("dx does not use the mask of the forward pass (a new mask was drawn?): multiply dout by the "
              "mask stored in the cache")


def _only(scale_of):
    """A hint's test: every output is 0 or x * scale_of(p), and some unit is kept."""

    def applies(example, outcome, expected):
        got, failure = _array_like_x(outcome, example)
        p = example["dropout_param"]["p"]
        return failure is None and p < 1 and bool((got != 0).any()) and _kept_or_dropped(got, example["x"], scale_of(p)).all()

    return applies


def _dropped_in_test_mode(example, outcome, expected):
    got, failure = _array_like_x(outcome, example)
    x, p = example["x"], example["dropout_param"]["p"]
    return failure is None and not np.array_equal(got, x) and bool(
        (_kept_or_dropped(got, x, 1 / p) | _kept_or_dropped(got, x, 1.0)).all())


def _fraction_is_drop(example, outcome, expected):
    kept, failure = _kept_counts(example, outcome)
    n, q = example["x"].size, 1 - example["dropout_param"]["p"]
    return failure is None and _z_test(kept, n * q, n * q * (1 - q))


def _not_rescaled_in_sum(example, outcome, expected):
    got, failure = _array_like_x(outcome, example)
    x, p = example["x"], example["dropout_param"]["p"]
    return failure is None and _z_test(got.sum(), p * x.sum(), (x ** 2).sum() * p * (1 - p))


def _fresh_mask(example, outcome, expected):
    """dx is dout times some mask of 0 and 1 / p, but not the cached one."""
    dx, dout = outcome.outputs.get("dx"), example["dout"]
    param, mask = example["cache"] if "cache" in example else (example["dropout_param"], outcome.raw.get("mask"))
    if not isinstance(dx, np.ndarray) or dx.shape != dout.shape or mask is None:
        return False
    kept = _kept_or_dropped(np.asarray(dx, dtype=np.float64), dout, 1 / param["p"]) & (dout != 0)
    return bool(kept[dout != 0].all()) and not compare.close(dx, dout * mask)


# Checks -----------------------------------------------------------------------------------------

# Relative error allowed between an output and x / p: float32 inputs (x * float32(1 / p), two
# roundings of 6e-8) are the loosest case a correct implementation produces.
RTOL = 1e-6
# Statistical checks are z-tests at 6 standard deviations. With 10^4 units and p in {0.2, 0.3, 0.75,
# 0.9}, Bernstein's inequality bounds the chance that a correct implementation fails one on a given
# seed below 2e-7; over the 8 planned inputs and 2 checks, below 4e-6. Mistakes miss by 25 sigma or more.
Z = 6.0


def _array_like_x(outcome, example, name="out"):
    failure = failed_call(outcome, name)
    if failure:
        return None, failure
    got, x = outcome.outputs[name], example["x"]
    if not isinstance(got, np.ndarray) or got.shape != x.shape:
        shape = getattr(got, "shape", None)
        return None, Failure(f"{name} should be an array of the shape of x {x.shape}, got shape {shape}")
    return got.astype(np.float64), None


def _kept_or_dropped(got, x, scale) -> np.ndarray:
    """Elementwise: 0 (dropped) or x * scale (kept)."""
    target = x.astype(np.float64) * scale
    return (got == 0) | (np.abs(got - target) <= RTOL * np.abs(target))


def _inverted_scaling(example, outcome, expected):
    got, failure = _array_like_x(outcome, example)
    if failure:
        return failure
    x, p = example["x"], example["dropout_param"]["p"]
    bad = np.argwhere(~_kept_or_dropped(got, x, 1 / p))
    if bad.size:
        at = tuple(int(i) for i in bad[0])
        return Failure(f"out{list(at)} = {got[at]:.6g} is neither 0 (dropped) nor x / p = {x[at] / p:.6g} (kept)",
                       (f"{len(bad)} of {x.size} outputs are neither",))
    return None


def _cache_layout(example, outcome, expected):
    got, failure = _array_like_x(outcome, example)
    if failure:
        return failure
    cache, x, param = outcome.outputs.get("cache"), example["x"], example["dropout_param"]
    if not isinstance(cache, (tuple, list)) or len(cache) != 2:
        return Failure("the cache should be the tuple (dropout_param, mask)")
    if cache[0] != param:
        return Failure(f"cache[0] should be dropout_param {param}, got {cache[0]!r}")
    mask = cache[1]
    if not isinstance(mask, np.ndarray) or mask.shape != x.shape:
        return Failure(f"cache[1] (the mask) should be an array of the shape of x {x.shape}")
    if not _kept_or_dropped(mask.astype(np.float64), np.ones(x.shape), 1 / param["p"]).all():
        return Failure("every element of the mask should be 0 or 1 / p")
    return compare.mismatch("out", got, x.astype(np.float64) * mask, rtol=RTOL, against="x * mask (the cached mask)")


def _keeps_dtype(example, outcome, expected):
    failure = failed_call(outcome, "out")
    out, x = outcome.outputs.get("out"), example["x"]
    if failure or not isinstance(out, np.ndarray):
        return failure or Failure("out should be a numpy array")
    if out.dtype != x.dtype:
        return Failure(f"out has dtype {out.dtype} for x of dtype {x.dtype}",
                       ("keep the dtype of x (e.g. mask = mask.astype(x.dtype), or out.astype(x.dtype))",))
    return None


def _test_mask_none(example, outcome, expected):
    failure = failed_call(outcome, "out")
    cache = outcome.outputs.get("cache")
    if failure or not isinstance(cache, (tuple, list)) or len(cache) != 2:
        return failure or Failure("the cache should be the tuple (dropout_param, mask)")
    if cache[0] != example["dropout_param"] or cache[1] is not None:
        return Failure(f"in test mode the cache should be (dropout_param, None), got ({cache[0]!r}, "
                       f"{type(cache[1]).__name__})")
    return None


def _z_test(observed: float, mean: float, variance: float) -> bool:
    return abs(observed - mean) <= Z * np.sqrt(variance) + 0.5


def _kept_counts(example, outcome):
    got, failure = _array_like_x(outcome, example)
    if failure:
        return None, failure
    return int((got != 0).sum()), None


def _kept_fraction(example, outcome, expected):
    kept, failure = _kept_counts(example, outcome)
    if failure:
        return failure
    n, p = example["x"].size, example["dropout_param"]["p"]
    if _z_test(kept, n * p, n * p * (1 - p)):
        return None
    return Failure(f"{kept} of {n} units were kept with p = {p}: about {n * p:.0f} ± {Z * np.sqrt(n * p * (1 - p)):.0f} "
                   f"expected (binomial test, seed {example['dropout_param']['seed']})")


def _mean_preserved(example, outcome, expected):
    got, failure = _array_like_x(outcome, example)
    if failure:
        return failure
    x, p = example["x"], example["dropout_param"]["p"]
    if _z_test(got.sum(), x.sum(), (x ** 2).sum() * (1 - p) / p):
        return None
    return Failure(f"the outputs sum to {got.sum():.6g}; the inputs sum to {x.sum():.6g}, and inverted dropout "
                   f"keeps the expected output equal to x (z-test, {Z:g} standard deviations)")


def _seeded(example, outcome, expected):
    if outcome.error:
        return Failure(outcome.error)
    outs = outcome.raw.get("result")
    if not isinstance(outs, (tuple, list)) or len(outs) != 3 or not all(isinstance(o, np.ndarray) for o in outs):
        return Failure("dropout_forward did not return an array out")
    first, again, other = ((o != 0) for o in outs)
    if first.shape != again.shape or not np.array_equal(first, again):
        return Failure(f"two calls with the same seed {example['seed']} gave different masks",
                       ("seed the generator with dropout_param['seed'] on every call that has one "
                        "(np.random.seed(seed) or np.random.default_rng(seed))",))
    if first.shape == other.shape and np.array_equal(first, other):
        return Failure(f"seeds {example['seed']} and {example['other_seed']} gave the same mask: the seed is ignored",
                       ("draw the mask from a generator seeded with dropout_param['seed'], not a fixed one",))
    return None


def _dx_matches(example, outcome, expected):
    failure = failed_call(outcome, "dx")
    mask = outcome.raw.get("mask")
    if failure or not isinstance(mask, np.ndarray) or mask.shape != example["x"].shape:
        return failure or Failure("the cache of dropout_forward is not (dropout_param, mask)")
    # What torch autograd of x * mask gives (dout * mask, the same float64 products), in numpy: checks
    # run in a student's install, which has no torch
    expected_dx = np.asarray(example["dout"], dtype=np.float64) * np.asarray(mask, dtype=np.float64)
    return compare.mismatch("dx", outcome.outputs["dx"], expected_dx, against="torch autograd of x * mask")


def _dx_given(example, outcome, expected):
    return failed_call(outcome, "dx") or compare.mismatch("dx", outcome.outputs["dx"], expected["dx"],
                                                          against="torch autograd of x * mask (the cached mask)")


# Exercises --------------------------------------------------------------------------------------

EXERCISES = [
    Exercise("dropout_forward", TOPIC, (
        Scenario("train mode", dropout_inputs(), no_reference, (
            Check("every output is 0 or x / p (inverted dropout)", 2.0, _inverted_scaling, (
                Hint(NOT_RESCALED, _only(lambda p: 1.0)),
                Hint(KEEP_NOT_DROP, _only(lambda p: 1 / (1 - p))),
            )),
            Check("cache is (dropout_param, mask) with out = x * mask", 0.5, _cache_layout),
            Check("out has the dtype of x", 0.5, _keeps_dtype),
            unchanged_inputs(points=0.5),
        ), ("out", "cache"), driver=forward_call),
        Scenario("test mode", dropout_inputs(mode="test"), identity_reference, (
            Check("test mode is the identity (out = x)", 1.5,
                  lambda ex, outcome, exp: failed_call(outcome, "out") or compare.mismatch(
                      "out", outcome.outputs["out"], exp["out"], rtol=0, atol=0, against="x"),
                  (Hint(IN_TEST_MODE, _dropped_in_test_mode),)),
            Check("test mode caches (dropout_param, None)", 0.5, _test_mask_none),
        ), ("out", "cache"), driver=forward_call, max_examples=20),
        Scenario("10^4 units", large_inputs(), no_reference, (
            Check("kept fraction is p (binomial test)", 1.0, _kept_fraction, (Hint(KEEP_NOT_DROP, _fraction_is_drop),)),
            Check("mean is preserved (inverted dropout)", 0.5, _mean_preserved,
                  (Hint(NOT_RESCALED, _not_rescaled_in_sum),)),
        ), ("out", "cache"), driver=forward_call, max_examples=8),
        Scenario("seeds", seed_pairs(), no_reference, (
            Check("the same seed gives the same mask, different seeds different masks", 1.0, _seeded),
        ), None, driver=forward_with_seeds, max_examples=10),
    ), (numpy_only(points=0.5),)),
    Exercise("dropout_backward", TOPIC, (
        Scenario("cache of your forward pass", dropout_inputs(float32=False, with_dout=True), no_reference, (
            Check("dx matches torch autograd of x * mask (your forward's mask)", 2.0, _dx_matches,
                  (Hint(FRESH_MASK, _fresh_mask),)),
            unchanged_inputs(points=0.5),
        ), "dx", driver=forward_then_backward_with_mask),
        Scenario("a given train-mode cache", given_caches(mode="train"), given_cache_reference, (
            Check("dx = dout * mask for a given cache (dropout_param, mask)", 1.0, _dx_given,
                  (Hint(FRESH_MASK, _fresh_mask),)),
        ), "dx", driver=backward_call, max_examples=20),
        Scenario("a given test-mode cache", given_caches(mode="test"), given_cache_reference, (
            Check("test mode: dx = dout", 0.5, _dx_given),
        ), "dx", driver=backward_call, max_examples=10),
    ), (numpy_only(points=0.5),)),
]
