"""Drivers of the topic `dropout`: they run in the worker, so numpy only (the worker never holds torch).

The Scenarios of autograde_tests/dropout.py name them; see grader/isolation/drivers.py for the protocol.
"""

from __future__ import annotations

import numpy as np


def forward_call(student, exercise, example, call):
    return {"result": student(exercise)(example["x"], example["dropout_param"]), "after": example}


def forward_with_seeds(student, exercise, example, call):
    """Three train-mode calls: seed, the same seed again, another seed."""
    outs = []
    for seed in (example["seed"], example["seed"], example["other_seed"]):
        out, _ = student(exercise)(example["x"], {"p": example["p"], "mode": "train", "seed": seed})
        outs.append(out)
    return {"result": tuple(outs), "after": example}


def forward_then_backward_with_mask(student, exercise, example, call):
    """The student's forward, then the backward on its cache; sends back the mask the forward cached."""
    returned = student("dropout_forward")(example["x"], example["dropout_param"])
    if not isinstance(returned, tuple) or len(returned) != 2:
        raise TypeError("dropout_forward must return a tuple (out, cache)")
    cache = returned[1]
    mask = cache[1] if isinstance(cache, tuple) and len(cache) == 2 else None
    mask = mask.copy() if isinstance(mask, np.ndarray) else None
    return {"result": student(exercise)(example["dout"], cache), "mask": mask, "after": example}


def backward_call(student, exercise, example, call):
    return {"result": student(exercise)(example["dout"], example["cache"]), "after": example}
