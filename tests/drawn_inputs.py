"""Prints, as JSON, the hash of every scenario's drawn inputs (pickled, as plans compare them), drawn
by the Python running this file: `python tests/drawn_inputs.py`. Scenarios whose strategy needs torch
(run in a venv without it) are listed apart. Used by tests/test_student_platforms.py to show that a
draw does not depend on Python's version."""

from __future__ import annotations

import hashlib
import json
import pickle

from grader.engine import registry
from grader.engine.examples import draw_examples
from grader.engine.inputs import PUBLIC


def inputs_digest(examples) -> str:
    return hashlib.sha256(b"".join(pickle.dumps(x, protocol=4) for x in examples)).hexdigest()


def main() -> None:
    drawn, undrawable = {}, []
    for exercise in registry.all_exercises():
        for scenario in exercise.scenarios:
            try:
                drawn[f"{exercise.name}/{scenario.name}"] = inputs_digest(
                    draw_examples(scenario, seed=PUBLIC.seed(exercise.name, scenario.name)))
            except ImportError:  # a strategy that filters with torch, which this venv lacks
                undrawable.append(f"{exercise.name}/{scenario.name}")
    print(json.dumps({"drawn": drawn, "undrawable": undrawable}))


if __name__ == "__main__":
    main()
