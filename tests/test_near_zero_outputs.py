"""Outputs that sit near 0 are judged on the scale of what they are computed from (issue 22, item 10).

A tanh or a sigmoid rounds to ~1e-16 in absolute terms whatever its size: tanh written as
sigmoid(2a) - sigmoid(-2a), exact and that accurate, gave h = 1.83464e-14 where torch gives 1.83471e-14
on an input all zeros but b = 7.3e-14, and was rejected (allowed 1.9e-20). Every recurrent state is
judged here on such an input: rounding of that size passes, an error of 1e-6 does not.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.engine import registry
from grader.engine.spec import Outcome

STATES = ("next_h", "next_c", "h")
TINY_BIAS = 7.3e-14


def _near_zero_example(exercise) -> dict:
    """One sample, one feature, one unit, two steps: every input 0 but the biases, 7.3e-14."""
    args = next(sc.call["args"] for sc in exercise.scenarios if "args" in sc.call)
    gates = 4 if exercise.name.startswith("lstm") else 3 if exercise.name.startswith("gru") else 1
    sequence = "h0" in args
    shapes = {"x": (1, 2, 1) if sequence else (1, 1), "prev_h": (1, 1), "h0": (1, 1), "prev_c": (1, 1),
              "Wx": (1, gates), "Wh": (1, gates), "b": (gates,), "bx": (gates,), "bh": (gates,)}
    return {name: np.full(shapes[name], TINY_BIAS if name.startswith("b") else 0.0) for name in args}


def _state_checks():
    for exercise in registry.select(["rnn", "gated_rnn"]):
        for scenario in exercise.scenarios:
            for check in scenario.checks:
                if check.name.split()[0] in STATES and not check.name.startswith("stable"):
                    yield pytest.param(exercise, scenario, check, id=f"{exercise.name}: {check.name}")


@pytest.mark.parametrize("exercise, scenario, check", list(_state_checks()))
def test_a_state_near_zero_is_judged_on_the_scale_it_is_computed_from(exercise, scenario, check):
    example = _near_zero_example(exercise)
    expected = scenario.reference(example)
    output = check.name.split()[0]
    assert 0 < np.abs(expected[output]).max() < 1e-12  # the case: a state of the size of the bias

    def verdict(error: float):
        got = expected[output] + error
        return check.verify(example, Outcome({output: got}, {"result": got}), expected)

    assert verdict(-7e-17) is None  # the rounding of a correct tanh (1.83464e-14 for 1.83471e-14)
    assert verdict(1e-6) is not None
