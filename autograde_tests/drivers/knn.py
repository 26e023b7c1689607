"""Drivers of the topic `knn`: they run in the worker, so numpy only (the worker never holds torch).

Each builds the student's KNearestNeighbor with no argument and calls `train` first, as CS231n's
notebook does. The Scenarios of autograde_tests/knn.py name them; see grader/isolation/drivers.py
for the protocol.
"""

from __future__ import annotations

DISTANCE_METHODS = {0: "compute_distances_no_loops", 1: "compute_distances_one_loop", 2: "compute_distances_two_loops"}


def _trained(student, exercise, example):
    model = student(exercise)()
    model.train(example["X_train"], example["y_train"])
    return model


def distances(student, exercise, example, call):
    """The distance method call["method"] of a trained classifier, on the test points X."""
    model = _trained(student, exercise, example)
    return {"result": getattr(model, call["method"])(example["X"]), "after": example}


def labels_from_distances(student, exercise, example, call):
    """predict_labels(dists, k=k) of a classifier trained on y_train (k left to its default when absent)."""
    model = _trained(student, exercise, example)
    kwargs = {"k": example["k"]} if "k" in example else {}
    return {"result": model.predict_labels(example["dists"], **kwargs), "after": example}


def _recording(model, calls: list):
    """Wraps the distance methods and predict_labels on the instance: each call is recorded with the k
    predict_labels received and the labels it returned, then runs the student's own method."""

    def wrap(name):
        method = getattr(model, name)

        def recorded(*args, **kwargs):
            entry = {"method": name}
            calls.append(entry)
            result = method(*args, **kwargs)
            if name == "predict_labels":
                entry["k"] = kwargs["k"] if "k" in kwargs else args[1] if len(args) > 1 else 1
                entry["labels"] = result
            return result

        setattr(model, name, recorded)

    for name in (*DISTANCE_METHODS.values(), "predict_labels"):
        wrap(name)


def predict_each_num_loops(student, exercise, example, call):
    """predict(X) with its defaults, then with k and every num_loops in 0, 1, 2, recording the methods
    it calls; then predict with call["invalid"] num_loops, which must raise ValueError."""
    runs = []
    for kwargs in ({}, *({"k": example["k"], "num_loops": n} for n in DISTANCE_METHODS)):
        model, calls = _trained(student, exercise, example), []
        _recording(model, calls)
        runs.append({"kwargs": kwargs, "result": model.predict(example["X"], **kwargs), "calls": calls})
    model = _trained(student, exercise, example)
    try:
        returned = model.predict(example["X"], k=example["k"], num_loops=call["invalid"])
    except Exception as exc:  # the check decides which exceptions are right
        invalid = {"raised": [cls.__name__ for cls in type(exc).__mro__], "message": str(exc)[:300]}
    else:
        invalid = {"raised": None, "result": returned}
    return {"runs": runs, "invalid": invalid, "after": example}
