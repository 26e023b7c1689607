"""Drivers of the topic `optim`: they run in the worker, so numpy only (the worker never holds torch).

The Scenarios of autograde_tests/optim.py name them; see grader/isolation/drivers.py for the protocol.
"""

from __future__ import annotations

import numpy as np


def _snapshot(config: dict) -> dict:
    return {key: value.copy() if isinstance(value, np.ndarray) else value for key, value in config.items()}


def run_rule(student, exercise, example, call):
    """Runs the rule once per gradient, carrying next_w and the returned config from step to step.

    Rules may update w in place, so each call gets a copy; dw must not be modified, so each call's dw is
    read back. Stops early when a step returns something the next step cannot be fed with.
    """
    rule = student(exercise)
    w, config = example["w"], example["config"]
    steps, dws_after = [], []
    for dw in example["dws"]:
        dw_passed = dw.copy()
        returned = rule(w.copy(), dw_passed, config)
        dws_after.append(dw_passed.copy())
        if not isinstance(returned, (tuple, list)) or len(returned) != 2:
            steps.append({"returned": returned})
            break
        next_w, config = returned
        steps.append({"next_w": next_w.copy() if isinstance(next_w, np.ndarray) else next_w,
                      "config": _snapshot(config) if isinstance(config, dict) else config})
        if not isinstance(next_w, np.ndarray) or next_w.shape != w.shape or not isinstance(config, dict):
            break
        w = next_w
    return {"steps": steps, "after": {"dws": dws_after}}
