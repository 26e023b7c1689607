"""Drivers of the topic `kmeans`: they run in the worker, so numpy only (the worker never holds torch).

The Scenarios of autograde_tests/kmeans.py name them; see grader/isolation/drivers.py for the protocol.
"""

from __future__ import annotations

import numpy as np


def fit_each_max_iter(student, exercise, example, call):
    """kmeans_fit from the same start with every max_iter in call["max_iters"]."""
    fit = student(exercise)
    results = [fit(example["X"], example["init_centroids"], max_iter=t) for t in call["max_iters"]]
    return {"results": results, "after": example}


def plusplus_twice(student, exercise, example, call):
    """Two seedings from generators built from the same seed, and the global np.random state around them."""
    init = student(exercise)
    before = np.random.get_state()
    first = init(example["X"], example["k"], np.random.default_rng(example["seed"]))
    again = init(example["X"], example["k"], np.random.default_rng(example["seed"]))
    return {"result": first, "again": again, "global_state": [before, np.random.get_state()], "after": example}


def plusplus_many_seeds(student, exercise, example, call):
    """One seeding per seed in call["seeds"] (a range's start and stop)."""
    init = student(exercise)
    draws = [init(example["X"], example["k"], np.random.default_rng(seed)) for seed in range(*call["seeds"])]
    return {"draws": draws, "after": example}
