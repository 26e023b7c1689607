"""Every scenario draws its full number of distinct inputs, public and secret: a filter or an assume()
that rejects too much would starve a strategy silently (the health checks are suppressed while
grading), and an instructor's key must never draw fewer inputs than the self-check."""

from __future__ import annotations

import pytest

from grader.engine import registry
from grader.engine.examples import draw_examples, example_key
from grader.engine.inputs import PUBLIC, Inputs

SCENARIOS = [(exercise, scenario) for exercise in registry.all_exercises() for scenario in exercise.scenarios]
# A key of the tests' own: any key must do; the public seeds are what students see.
SECRET = Inputs(b"scenario examples".ljust(16, b"\0"))


@pytest.mark.parametrize("exercise, scenario", SCENARIOS, ids=lambda v: getattr(v, "name", v))
def test_scenario_draws_its_full_number_of_distinct_examples(exercise, scenario):
    for inputs in (PUBLIC, SECRET):
        drawn = draw_examples(scenario, seed=inputs.seed(exercise.name, scenario.name))
        distinct = {example_key(example) for example in drawn}
        assert len(distinct) == scenario.max_examples, (
            f"{exercise.name} / {scenario.name}, {inputs.kind} inputs: {len(distinct)} distinct inputs "
            f"of {scenario.max_examples}")
