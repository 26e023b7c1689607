"""Every scenario draws its full number of distinct inputs: a filter or an assume() that rejects too
much would starve a strategy silently (the health checks are suppressed while grading)."""

from __future__ import annotations

import pytest

from grader.engine import registry
from grader.engine.examples import draw_examples, example_key

SCENARIOS = [(exercise, scenario) for exercise in registry.all_exercises() for scenario in exercise.scenarios]


@pytest.mark.parametrize("exercise, scenario", SCENARIOS, ids=lambda v: getattr(v, "name", v))
def test_scenario_draws_its_full_number_of_distinct_examples(exercise, scenario):
    drawn = draw_examples(exercise, scenario)
    distinct = {example_key(example) for example in drawn}
    assert len(distinct) == scenario.max_examples, (
        f"{exercise.name} / {scenario.name}: {len(distinct)} distinct inputs of {scenario.max_examples}")
