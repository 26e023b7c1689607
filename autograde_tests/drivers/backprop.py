"""Drivers of the topic `backprop`: they run in the worker, so numpy only (the worker never holds torch).

The Scenarios of autograde_tests/backprop.py name them; see grader/isolation/drivers.py for the protocol.
"""

from __future__ import annotations

import numpy as np

PARAMS = ("W1", "b1", "W2", "b2")


def backward_with_fixed_cache(student, exercise, example, call):
    """Calls `exercise(dout, cache)` with a cache the grader builds: call["cache"] names its parts
    (a tuple of names for a tuple cache, one name for a single array)."""
    names = call["cache"]
    cache = tuple(example[name] for name in names) if isinstance(names, (tuple, list)) else example[names]
    return {"result": student(exercise)(example["dout"], cache), "after": example}


def _construct(cls, sizes: dict, seed: int):
    np.random.seed(seed)
    return cls(input_dim=sizes["input_dim"], hidden_dim=sizes["hidden_dim"], num_classes=sizes["num_classes"],
               weight_scale=sizes["weight_scale"], reg=sizes["reg"])


def _plain_params(model):
    params = getattr(model, "params", None)
    return dict(params) if isinstance(params, dict) else params


def _same_params(a, b) -> bool:
    return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
            and all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a))


def construct_network(student, exercise, example, call):
    """Builds the network after np.random.seed(seed), twice with that seed and once with another."""
    cls = student(exercise)
    model = _construct(cls, example, example["seed"])
    params = _plain_params(model)
    again, other = (_plain_params(_construct(cls, example, seed)) for seed in (example["seed"], example["seed"] + 1))
    return {"result": None, "params": params, "has_reg": hasattr(model, "reg"), "reg": getattr(model, "reg", None),
            "reproducible": _same_params(params, again), "seed_matters": not _same_params(params, other),
            "after": example}


def network_loss(student, exercise, example, call):
    """Builds the network, writes the example's parameters into params, and calls loss(X[, y])."""
    X = example["X"]
    sizes = {"input_dim": int(np.prod(X.shape[1:])), "hidden_dim": example["W1"].shape[1],
             "num_classes": example["W2"].shape[1], "weight_scale": 1e-2, "reg": example["reg"]}
    model = _construct(student(exercise), sizes, 0)
    for name in PARAMS:
        model.params[name] = example[name]
    if "y" not in example:
        return {"result": model.loss(X), "after": example}
    returned = model.loss(X, example["y"])
    if not isinstance(returned, tuple) or len(returned) != 2 or not isinstance(returned[1], dict):
        raise TypeError("loss(X, y) must return a tuple (loss, grads) with grads a dict keyed like params")
    loss, grads = returned
    return {"result": (loss, *(grads.get(name) for name in PARAMS)), "after": example}
