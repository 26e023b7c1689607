"""Drivers of the topic `normalization`: they run in the worker, so numpy only (the worker never holds torch).

The Scenarios of autograde_tests/normalization.py name them; see grader/isolation/drivers.py for the protocol.
"""

from __future__ import annotations

from grader.isolation.drivers import positional


def forward_with_param(student, exercise, example, call):
    """Calls the forward and sends back its (out, cache) and the parameter dict as it is afterwards."""
    returned = student(exercise)(*positional(example, call))
    if not isinstance(returned, tuple) or len(returned) != 2:
        raise TypeError(f"{exercise} must return a tuple (out, cache)")
    return {"result": (returned[0], None), "param": example[call["param"]], "after": example}
