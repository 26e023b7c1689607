"""The stock checks on hand-made outcomes (no worker): matches' scale and stability rule,
unchanged_inputs on nested inputs, global_rng_untouched."""

from __future__ import annotations

import numpy as np

from grader.engine.checks import (Outcome, global_rng_untouched, hint_if_nonfinite, matches, scale_of,
                                  unchanged_inputs)


def _outcome(**outputs):
    return Outcome(outputs, {"result": tuple(outputs.values())})


def test_matches_scale_is_a_number_or_the_references():
    expected = {"dx": np.array([0.0, 1.0]), scale_of("dx"): 1e3}
    got = np.array([1e-7, 1.0])
    assert matches("dx", points=1).verify({}, _outcome(dx=got), expected) is not None
    assert matches("dx", points=1, scale=1e3).verify({}, _outcome(dx=got), expected) is None
    assert matches("dx", points=1, scale=lambda ex, exp, out: exp[scale_of(out)]).verify(
        {}, _outcome(dx=got), expected) is None


def test_a_stability_check_repeats_no_failure_of_the_typical_check():
    overflow = hint_if_nonfinite("overflow", "dx")
    stable = matches("loss", "dx", points=1, name="stable", finite=True, hints=(overflow,),
                     typical={"loss": "loss matches torch", "dx": "dx matches torch autograd"})
    expected = {"loss": 1.0, "dx": np.array([1.0, 2.0])}
    n_times = _outcome(loss=1.0, dx=np.array([3.0, 6.0]))
    assert stable.verify({}, n_times, expected) is not None and not stable.conditional
    reduced = stable.given(frozenset({"dx matches torch autograd"}))
    assert reduced.verify({}, n_times, expected) is None and reduced.conditional and reduced.hints == ()
    assert "loss" in reduced.verify({}, _outcome(loss=2.0, dx=np.array([3.0, 6.0])), expected).summary
    assert "NaN or infinite" in reduced.verify({}, _outcome(loss=1.0, dx=np.array([np.inf, 6.0])), expected).summary
    assert stable.given(frozenset()).verify({}, n_times, expected) is not None


def test_unchanged_inputs_compares_nested_inputs_but_what_may_change():
    example = {"x": np.ones(2), "param": {"mode": "train", "running_mean": np.zeros(2)}, "grads": [np.ones(1)]}
    check = unchanged_inputs(points=1, may_change=("param['running_mean']",))

    def after(**changes):
        data = {"x": np.ones(2), "param": {"mode": "train", "running_mean": np.zeros(2)}, "grads": [np.ones(1)]}
        data.update(changes)
        return Outcome({}, {"after": data})

    assert check.verify(example, after(), {}) is None
    assert check.verify(example, after(param={"mode": "train", "running_mean": np.ones(2)}), {}) is None
    assert "param['mode']" in check.verify(example, after(param={"mode": "test", "running_mean": np.zeros(2)}), {}).summary
    assert "param['extra']" in check.verify(example, after(param={"mode": "train", "extra": 1}), {}).summary
    assert "grads[0]" in check.verify(example, after(grads=[np.zeros(1)]), {}).summary
    assert "x" in check.verify(example, after(x=np.ones(3)), {}).summary
    assert check.conditional


def test_global_rng_untouched():
    check = global_rng_untouched(points=1)
    state = np.random.get_state()
    assert check.verify({}, Outcome({}, {"global_state": [state, state]}), {}) is None
    np.random.rand()
    assert check.verify({}, Outcome({}, {"global_state": [state, np.random.get_state()]}), {}) is not None
