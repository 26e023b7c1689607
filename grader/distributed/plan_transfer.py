"""A Plan as plain data, to send it to Dask workers once instead of drawing it again on each.

Exercises and scenarios travel by name (every worker has the same dlgrade); the drawn inputs and
the torch references, which cost the time, travel as values.
"""

from __future__ import annotations

import hashlib
import pickle

from grader.engine import registry
from grader.engine.examples import Plan, PreparedScenario


def plan_payload(plan: Plan) -> dict:
    return {"exercises": [ex.name for ex in plan.exercises], "include_hidden": plan.include_hidden,
            "scenarios": {name: [(ps.scenario.name, ps.examples, ps.expected) for ps in prepared]
                          for name, prepared in plan.scenarios.items()}}


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(pickle.dumps(payload, protocol=5)).hexdigest()[:16]


def plan_from_payload(payload: dict) -> Plan:
    exercises = tuple(registry.exercise(name) for name in payload["exercises"])
    scenarios = {}
    for exercise in exercises:
        by_name = {scenario.name: scenario for scenario in exercise.scenarios}
        scenarios[exercise.name] = tuple(PreparedScenario(by_name[name], tuple(examples), tuple(expected))
                                         for name, examples, expected in payload["scenarios"][exercise.name])
    return Plan(exercises, scenarios, payload["include_hidden"])
