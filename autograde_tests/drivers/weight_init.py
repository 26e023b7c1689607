"""Drivers of the topic `weight_init`: they run in the worker, so numpy only (the worker never holds torch).

The Scenarios of autograde_tests/weight_init.py name them; see grader/isolation/drivers.py for the protocol.
"""

from __future__ import annotations

import numpy as np

from grader.isolation.drivers import call_expecting_error, keywords


def _fresh(shape):
    """A copy of the shape for each call, so one call cannot change the next one's input."""
    return list(shape) if isinstance(shape, list) else shape


def pooled_draws(student, exercise, example, call):
    """The first array drawn with rng = np.random.default_rng(seed), and the values of as many calls with
    that same rng as it takes to draw call["samples"] values (at most call["max_calls"] calls)."""
    initializer, options = student(exercise), keywords(example, call)
    rng = np.random.default_rng(example["seed"])
    first = initializer(_fresh(example["shape"]), rng, **options)
    values = [np.asarray(first, dtype=np.float64).ravel()]
    drawn = values[0].size
    for _ in range(call["max_calls"]):
        if drawn >= call["samples"] or drawn == 0:
            break
        values.append(np.asarray(initializer(_fresh(example["shape"]), rng, **options), dtype=np.float64).ravel())
        drawn += values[-1].size
    return {"result": first, "sample": np.concatenate(values)}


def seeded_draws(student, exercise, example, call):
    """Draws with default_rng(seed) twice and with default_rng(seed + 1) once, and the global np.random
    state before and after (compared in the grading process)."""
    initializer, options, seed = student(exercise), keywords(example, call), example["seed"]
    before = np.random.get_state()
    first = initializer(_fresh(example["shape"]), np.random.default_rng(seed), **options)
    again = initializer(_fresh(example["shape"]), np.random.default_rng(seed), **options)
    other = initializer(_fresh(example["shape"]), np.random.default_rng(seed + 1), **options)
    return {"result": first, "again": again, "other_seed": other, "global_state": [before, np.random.get_state()]}


def raised_exception(student, exercise, example, call):
    """drivers.call_expecting_error, on a fresh shape and (for the initializers) a seeded rng."""
    inputs = {"shape": _fresh(example["shape"])}
    if "seed" in example:
        inputs["rng"] = np.random.default_rng(example["seed"])
    return call_expecting_error(student, exercise, inputs, {"args": ("shape", "rng")})
