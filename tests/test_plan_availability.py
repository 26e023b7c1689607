"""A self-check that would have to draw its plan without torch (a student's install) stops with one
line naming what is missing and how to get it, before any worker starts; with torch, or with the
plan on disk, nothing is refused."""

from __future__ import annotations

import pytest

from grader.engine import plan_availability, registry
from grader.engine.examples import make_plan
from grader.engine.plan_cache import PlanCache


@pytest.fixture
def no_torch(monkeypatch):
    monkeypatch.setattr(plan_availability, "can_draw", lambda: False)


def test_without_torch_a_missing_plan_is_one_line_naming_the_exercises(no_torch, tmp_path):
    exercises = registry.select(["softmax"])
    with pytest.raises(plan_availability.PlanUnavailable) as refused:
        plan_availability.require_plan(exercises, include_hidden=False, cache=PlanCache(tmp_path))
    message = str(refused.value)
    assert "\n" not in message and "softmax, softmax_loss_naive, softmax_loss_vectorized and 1 more" in message
    assert message.endswith("update dlgrade (pip install --upgrade dlgrade)")
    with pytest.raises(plan_availability.PlanUnavailable):
        plan_availability.require_plan(exercises, include_hidden=False, cache=None)


def test_without_torch_a_stored_plan_is_enough(no_torch, tmp_path):
    exercises = [registry.exercise("softmax")]
    cache = PlanCache(tmp_path)
    make_plan(exercises, include_hidden=False, cache=cache)  # drawn here (this process has torch), stored
    plan_availability.require_plan(exercises, include_hidden=False, cache=cache)
    # A hidden scenario is needed only when hidden checks are graded.
    hidden = [f"{ex.name}/{sc.name}" for ex in exercises for sc in ex.scenarios if all(c.hidden for c in sc.checks)]
    missing = plan_availability.missing_scenarios(exercises, include_hidden=True, cache=cache)
    assert missing == hidden


def test_with_torch_nothing_is_refused(tmp_path):
    assert plan_availability.can_draw()
    plan_availability.require_plan(registry.select(["softmax"]), include_hidden=True, cache=PlanCache(tmp_path))
