"""A Plan as plain data, to send it to Dask workers once instead of drawing it again on each.

Exercises and scenarios travel by name (every worker has the same dlgrade); the drawn inputs and
the torch references, which cost the time, travel as values, and so does each scenario's seed
(shrinking draws from it): never the grading key, which the seeds do not reveal.
"""

from __future__ import annotations

import hashlib
import pickle

from grader.engine import registry
from grader.engine.examples import Plan, PreparedScenario


def plan_payload(plan: Plan) -> dict:
    return {"exercises": [ex.name for ex in plan.exercises], "include_hidden": plan.include_hidden,
            "inputs": plan.inputs, "public": plan_payload(plan.public) if plan.public else None,
            "scenarios": {name: [(ps.scenario.name, ps.examples, ps.expected, ps.seed) for ps in prepared]
                          for name, prepared in plan.scenarios.items()}}


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(pickle.dumps(payload, protocol=5)).hexdigest()[:16]


def plan_from_payload(payload: dict) -> Plan:
    exercises = tuple(registry.exercise(name) for name in payload["exercises"])
    scenarios = {}
    for exercise in exercises:
        by_name = {scenario.name: scenario for scenario in exercise.scenarios}
        scenarios[exercise.name] = tuple(PreparedScenario(by_name[name], tuple(examples), tuple(expected), seed)
                                         for name, examples, expected, seed in payload["scenarios"][exercise.name])
    public = plan_from_payload(payload["public"]) if payload["public"] else None
    return Plan(exercises, scenarios, payload["include_hidden"], payload["inputs"], public)
