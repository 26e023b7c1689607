"""Graders of the topic `knn`: CS231n assignment 1's KNearestNeighbor, method by method.

The class is built inside the worker with no argument and trained first (autograde_tests/drivers/knn.py).
Distances are judged against torch.cdist on the scale of the points' norms: the expansion
||a||^2 + ||b||^2 - 2 a.b, clipped at 0 or not, loses up to about sqrt(eps) times the norms for a
test point close to a training point, and passes. No test point equals a training point.
predict_labels is judged on distances the grader draws (no tie at the k-th place), for k from 1 to
num_train, and on votes built to tie (the smaller label wins). A CS231n solution returns its labels
in CS231n's `y_pred = np.zeros(num_test)`, a float array: whole numbers of any dtype are accepted.
"""

from __future__ import annotations

import ast

import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use
from hypothesis import strategies as st

from autograde_tests import strategies as dst
from autograde_tests.drivers.knn import DISTANCE_METHODS, distances, labels_from_distances, predict_each_num_loops
from grader.engine import compare
from grader.engine.checks import (Check, Exercise, Failure, Hint, Kind, Scenario, StaticCheck, matches, no_loops, numpy_only,
                                  reference_scale, scale_of, unchanged_inputs)

TOPIC = "knn"


# References -------------------------------------------------------------------------------------


def _t(array):
    return torch.from_numpy(np.asarray(array, dtype=np.float64))


def _cdist(A, B, p=2.0):
    # the direct differences, never the matrix-product shortcut torch may take for larger inputs
    return torch.cdist(A, B, p=p, compute_mode="donot_use_mm_for_euclid_dist")


def distances_reference(example):
    """dists (num_test, num_train) from torch.cdist, the values common mistakes give, and the scale of
    the norms the distances are judged on."""
    X, X_train = _t(example["X"]), _t(example["X_train"])
    dists = _cdist(X, X_train)
    norms = float((X ** 2).sum(1).max() + (X_train ** 2).sum(1).max()) ** 0.5
    return {"dists": dists.numpy(), "squared": (dists ** 2).numpy(), "l1": _cdist(X, X_train, p=1.0).numpy(),
            "row_total": ((dists ** 2).sum(1, keepdim=True).sqrt() * torch.ones_like(dists)).numpy(),
            "transposed": dists.T.numpy(), scale_of("dists"): norms}


def _vote(dists, y_train, k, *, largest=False):
    """The most common label among the k nearest (or farthest) training points, ties to the smaller label
    (torch.argmax returns the first maximum)."""
    nearest = torch.topk(dists, k, dim=1, largest=largest).indices
    votes = y_train[nearest]
    counts = torch.zeros(len(dists), int(y_train.max()) + 1, dtype=torch.int64)
    return counts.scatter_add_(1, votes, torch.ones_like(votes)), votes


def votes_reference(example):
    dists, k = _t(example["dists"]), example.get("k", 1)
    y_train = torch.from_numpy(np.asarray(example["y_train"], dtype=np.int64))
    counts, votes = _vote(dists, y_train, k)
    top = counts.max(dim=1, keepdim=True).values
    tied = counts == top
    classes = torch.arange(counts.shape[1])
    # the tied label that comes first among the k nearest (collections.Counter.most_common's choice)
    first_seen = torch.stack([row[tied[i][row]][0] for i, row in enumerate(votes)])
    everyone = torch.bincount(y_train, minlength=counts.shape[1]).argmax()
    return {"labels": counts.argmax(dim=1).numpy(),
            "nearest_only": y_train[dists.argmin(dim=1)].numpy(),
            "every_point": torch.full((len(dists),), int(everyone), dtype=torch.int64).numpy(),
            "farthest": _vote(dists, y_train, k, largest=True)[0].argmax(dim=1).numpy(),
            "larger_label": torch.where(tied, classes, -1).max(dim=1).values.numpy(),
            "nearest_of_tied": first_seen.numpy(),
            "tie": (tied.sum(dim=1) > 1).numpy()}


def no_reference(example):
    """predict is judged against the student's own methods (autograde_tests/drivers/knn.py records them)."""
    return {}


# Strategies -------------------------------------------------------------------------------------

# Relative gap kept between a test point's k-th and (k+1)-th nearest training points, and between a
# test point and every training point (no test point equals a training point).
CLEARANCE = 1e-6
# Small irrational offsets: points far from the origin with integral coordinates are exact in float64,
# where the expansion's rounding would never show.
JITTER = np.round(0.01 * ((np.arange(1, 100) * 2 ** 0.5) % 1.0), 6) + 1e-7 * np.pi


def _clear(example) -> bool:
    X, X_train = example["X"], example["X_train"]
    d = np.sqrt(np.sum((X[:, None, :] - X_train[None, :, :]) ** 2, axis=2))
    scale = np.sqrt(np.max(np.sum(X ** 2, axis=1)) + np.max(np.sum(X_train ** 2, axis=1))) + 1.0
    if (d <= CLEARANCE * scale).any():
        return False
    k = example.get("k")
    if k is None or k == d.shape[1]:
        return True
    ordered = np.sort(d, axis=1)
    return bool((ordered[:, k] - ordered[:, k - 1] > CLEARANCE * scale).all())


@st.composite
def _classification_sets(draw, *, max_train: int, max_test: int, max_d: int, offset: float, with_k: bool):
    num_train, num_test, d = draw(st.integers(1, max_train)), draw(st.integers(1, max_test)), draw(st.integers(1, max_d))
    centre = draw(dst.float_arrays((1, d), min_value=-offset, max_value=offset)) if offset else np.zeros((1, d))
    X_train = centre + draw(dst.float_arrays((num_train, d))) + JITTER[: num_train * d].reshape(num_train, d)
    X = centre + draw(dst.float_arrays((num_test, d))) + JITTER[::-1][: num_test * d].reshape(num_test, d)
    y_train = draw(dst.labels(num_train, draw(st.integers(2, 4)))).astype(draw(st.sampled_from((np.int64, np.int32))))
    example = {"X_train": X_train, "y_train": y_train, "X": X}
    if with_k:
        example["k"] = draw(st.integers(1, num_train))
    return example


def classification_sets(*, max_train: int = 8, max_test: int = 5, max_d: int = 4, offset: float = 0.0,
                        with_k: bool = False):
    """Dicts X_train (num_train, D), y_train (num_train,), X (num_test, D) and, `with_k`, k in
    [1, num_train]; no test point equal to a training point, no tie at the k-th nearest. With `offset`,
    every point sits around a centre of magnitude up to `offset`."""
    return _classification_sets(max_train=max_train, max_test=max_test, max_d=max_d, offset=offset,
                                with_k=with_k).filter(_clear)


def _distinct_distances(draw, num_test, num_train):
    """(num_test, num_train) positive distances, all distinct within a row, in a drawn order."""
    base = np.arange(1, num_train + 1) + draw(dst.float_arrays((num_test, num_train), min_value=0.0, max_value=0.9))
    orders = [np.array(draw(st.permutations(range(num_train)))) for _ in range(num_test)]
    return np.stack([row[order] for row, order in zip(base, orders)])


@st.composite
def distance_votes(draw, *, max_train: int = 9, max_test: int = 4):
    """Dicts X_train (placeholder), y_train, dists (num_test, num_train), k in [1, num_train] (sometimes
    left to its default 1): the labels and distances free, so votes tie or not."""
    num_train, num_test = draw(st.integers(1, max_train)), draw(st.integers(1, max_test))
    example = {"X_train": np.zeros((num_train, 2)), "y_train": draw(dst.labels(num_train, draw(st.integers(2, 5)))),
               "dists": _distinct_distances(draw, num_test, num_train)}
    if draw(st.integers(0, 4)):
        example["k"] = draw(st.integers(1, num_train))
    return example


@st.composite
def tied_votes(draw, *, max_test: int = 3):
    """Votes built to tie: the k = m * c nearest hold c points of each of m labels (m = 2 or 3), the
    largest tied label nearest (so neither the nearest point nor the larger label decides), the other
    training points farther away. Every test point ranks the training points alike."""
    m, c = draw(st.integers(2, 3)), draw(st.integers(1, 2))
    k, num_classes = m * c, draw(st.integers(m, 5))
    num_test, rest = draw(st.integers(1, max_test)), draw(st.integers(0, 3))
    num_train = k + rest
    tied = np.sort(np.array(draw(st.permutations(range(num_classes))))[:m])[::-1]
    labels = np.concatenate([tied, np.repeat(tied, c - 1), draw(dst.labels(rest, num_classes))])  # largest first
    order = np.array(draw(st.permutations(range(num_train))))  # the training points from nearest to farthest
    increasing = np.arange(1, num_train + 1) + draw(dst.float_arrays((num_test, num_train), min_value=0.0, max_value=0.9))
    dists, y_train = np.empty_like(increasing), np.empty(num_train, dtype=np.int64)
    dists[:, order], y_train[order] = increasing, labels
    return {"X_train": np.zeros((num_train, 2)), "y_train": y_train, "dists": dists, "k": k}


# Hints ------------------------------------------------------------------------------------------

SQUARED = "these are squared distances: take the square root (the L2 distance, not its square)"
L1 = "these are L1 (Manhattan) distances, the sum of |differences|; the L2 distance is the square root of the sum of squares"
ROW_TOTAL = ("each row holds one number for every training point: the squares were summed over the whole of "
             "self.X_train - X[i]; sum over axis=1 (the features of each training point)")
TRANSPOSED = ("dists is transposed (train and test swapped): dists[i, j] is the distance from test point X[i] to "
              "training point self.X_train[j], so dists has shape (num_test, num_train)")


def _transposed(example, outcome, expected):
    result = outcome.raw.get("result")
    return (isinstance(result, np.ndarray) and result.shape == expected["transposed"].shape
            and compare.close(result, expected["transposed"], atol=1e-6) and not compare.close(result, expected["dists"]))


def _close_to(model):
    def applies(example, outcome, expected):
        got = outcome.outputs.get("dists")
        return (got is not None and not compare.close(got, expected["dists"], atol=1e-6)
                and compare.close(got, expected[model], atol=1e-6))

    return applies


WRONG_AXIS = ("the shapes do not broadcast: a sum was taken over the wrong axis; sum over axis=1, the features of "
              "each point (np.sum(X ** 2, axis=1) holds one squared norm per row of X)")


def _broadcast_error(example, outcome, expected):
    return bool(outcome.error) and "broadcast" in outcome.error


DISTANCE_HINTS = (Hint(SQUARED, _close_to("squared"), "dists"), Hint(L1, _close_to("l1"), "dists"),
                  Hint(ROW_TOTAL, _close_to("row_total"), "dists"), Hint(TRANSPOSED, _transposed),
                  Hint(WRONG_AXIS, _broadcast_error))


def _labels(value, n: int):
    """(int64 labels, None) for a shape (n,) array of whole numbers of any real dtype, else (None, why)."""
    if isinstance(value, (list, tuple)):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        return None, f"y_pred should be a numpy array of shape ({n},), got {type(value).__name__}"
    if value.shape != (n,):
        return None, f"y_pred has shape {value.shape}, expected ({n},)"
    if value.dtype.kind not in "iuf":
        return None, f"y_pred should hold integer labels, got dtype {value.dtype}"
    if value.dtype.kind == "f" and not (np.isfinite(value) & (value == np.round(value))).all():
        return None, f"y_pred should hold whole-number labels, got {np.round(value, 6).tolist()}"
    return value.astype(np.int64), None


def _labels_hint(text, *models, only_ties=False):
    """Applies when the labels are those of one of `models`; with `only_ties`, when only tied votes are
    wrong and they are the model's. (On a tie of k = 2 the nearest label and the first-seen tied label
    agree: both hints then show.)"""

    def applies(example, outcome, expected):
        got, _ = _labels(outcome.outputs.get("y_pred"), len(expected["labels"]))
        if got is None:
            return False
        wrong, tie = got != expected["labels"], expected["tie"]
        if not wrong.any() or (only_ties and (wrong & ~tie).any()):
            return False
        rows = tie if only_ties else np.ones(len(got), bool)
        return any(np.array_equal(got[rows], expected[model][rows]) for model in models)

    return Hint(text, applies)


VOTE_HINTS = (
    _labels_hint("only the nearest training point votes: the k nearest vote (np.argsort(dists[i])[:k])", "nearest_only"),
    _labels_hint("every training point votes, so k is ignored (np.argmax(np.bincount(self.y_train))): count the "
                 "labels of the k nearest only, closest_y = self.y_train[np.argsort(dists[i])[:k]]", "every_point"),
    _labels_hint("the k farthest training points voted: np.argsort sorts in increasing order, so the k nearest are "
                 "the first k", "farthest"),
)
TIE_HINTS = (
    _labels_hint("a tied vote went to the larger label, or to the tied label met first among the nearest (as "
                 "collections.Counter.most_common does): a tie goes to the smaller label (np.argmax of np.bincount "
                 "returns the first maximum)", "larger_label", "nearest_of_tied", only_ties=True),
)


# Checks -----------------------------------------------------------------------------------------


def _labels_equal(example, outcome, expected):
    if outcome.error:
        return Failure(outcome.error)
    got, problem = _labels(outcome.outputs.get("y_pred"), len(expected["labels"]))
    if problem:
        return Failure(problem)
    wrong = np.flatnonzero(got != expected["labels"])
    if not wrong.size:
        return None
    i = int(wrong[0])
    details = [f"{wrong.size} of {got.size} labels differ from torch"]
    if "dists" in example:
        k = example.get("k", 1)
        nearest = np.argsort(example["dists"][i])[:k]
        details.append(f"the {k} nearest training points of test point {i}: {nearest.tolist()}, labels "
                       f"{np.asarray(example['y_train'])[nearest].tolist()}")
    return Failure(f"y_pred[{i}] is {got[i]}, expected {expected['labels'][i]}", tuple(details))


def _runs(outcome):
    if outcome.error:
        return Failure(outcome.error)
    runs = outcome.raw.get("runs")
    if not isinstance(runs, list) or len(runs) != 1 + len(DISTANCE_METHODS):
        return Failure("predict gave no results")
    return runs


def _describe_call(kwargs) -> str:
    return "predict(X" + "".join(f", {key}={value}" for key, value in kwargs.items()) + ")"


def _dispatches(example, outcome, expected):
    """predict(X) uses no_loops and k=1; predict(X, k, num_loops) the method num_loops names, then
    predict_labels with that k; and returns what predict_labels returned."""
    runs = _runs(outcome)
    if isinstance(runs, Failure):
        return runs
    for run in runs:
        kwargs, calls = run["kwargs"], run["calls"]
        wanted = DISTANCE_METHODS[kwargs.get("num_loops", 0)]
        called = [c["method"] for c in calls]
        if wanted not in called or any(m in called for m in DISTANCE_METHODS.values() if m != wanted):
            return Failure(f"{_describe_call(kwargs)} called {called or 'no method of the class'}; it must compute the "
                           f"distances with {wanted}")
        labelled = [c for c in calls if c["method"] == "predict_labels"]
        if not labelled:
            return Failure(f"{_describe_call(kwargs)} never called predict_labels")
        if labelled[-1]["k"] != kwargs.get("k", 1):
            return Failure(f"{_describe_call(kwargs)} called predict_labels with k={labelled[-1]['k']}; it must pass "
                           f"k={kwargs.get('k', 1)}")
        got, problem = _labels(run["result"], len(example["X"]))
        mine, _ = _labels(labelled[-1].get("labels"), len(example["X"]))
        if problem or mine is None or not np.array_equal(got, mine):
            return Failure(f"{_describe_call(kwargs)} did not return the labels predict_labels returned"
                           + (f": {problem}" if problem else ""))
    return None


def _rejects_other_num_loops(example, outcome, expected):
    if outcome.error:
        return Failure(outcome.error)
    invalid = outcome.raw.get("invalid") or {}
    names = invalid.get("raised")
    if not isinstance(names, list):
        return Failure(f"predict(X, num_loops={INVALID_NUM_LOOPS}) raised nothing; expected ValueError")
    if "ValueError" not in names:
        return Failure(f"predict(X, num_loops={INVALID_NUM_LOOPS}) raised {names[0]}: {invalid.get('message')}; "
                       "expected ValueError")
    return None


def _method(node, name):
    return next((n for n in getattr(node, "body", ()) if getattr(n, "name", None) == name), None)


def _method_has_no_loops(name: str, points: float) -> StaticCheck:
    inspect = no_loops(points=points).inspect

    def check(node, module):
        method = _method(node, name)
        if method is None:
            return Failure(f"the class has no method {name}")
        return inspect(method, module)

    return StaticCheck(f"{name}: no Python loops (vectorized)", points, check)


_LOOP_NODES = ("For", "AsyncFor", "While", "ListComp", "SetComp", "DictComp", "GeneratorExp")


def _method_has_one_loop(name: str, points: float) -> StaticCheck:
    def check(node, module):
        method = _method(node, name)
        if method is None:
            return Failure(f"the class has no method {name}")
        loops = [n for n in ast.walk(method) if type(n).__name__ in _LOOP_NODES]
        if len(loops) <= 1:
            return None
        return Failure(f"{name} has {len(loops)} loops (lines {', '.join(str(n.lineno) for n in loops)}); at most one "
                       "loop, over the test points, is allowed: compute a whole row of dists at once")

    return StaticCheck(f"{name}: at most one loop", points, check)


# Exercises --------------------------------------------------------------------------------------

INVALID_NUM_LOOPS = 3


def _distance_scenario(method: str, points: float, hints=DISTANCE_HINTS):
    return Scenario(f"{method}: test and training points", classification_sets(), distances_reference, returns="dists",
                    driver=distances, call={"method": method}, checks=(
                        # sqrt(eps) of the norms: what the clipped expansion loses next to a training point
                        matches("dists", points=points, name=f"{method}: dists match torch.cdist", scale=reference_scale,
                                atol=1e-6, against="torch.cdist", hints=hints),
                    ))


EXERCISES = [
    Exercise("KNearestNeighbor", TOPIC, (
        _distance_scenario("compute_distances_two_loops", 2.0),
        _distance_scenario("compute_distances_one_loop", 2.0),
        _distance_scenario("compute_distances_no_loops", 2.0),
        Scenario("compute_distances_no_loops: points far from the origin", classification_sets(offset=1e3),
                 distances_reference, returns="dists", driver=distances, call={"method": "compute_distances_no_loops"},
                 checks=(
                     matches("dists", points=0.5, name="finite and correct for points of magnitude up to 1e3 "
                             "(compute_distances_no_loops)", scale=reference_scale, atol=1e-6, finite=True, against="torch.cdist",
                             typical={"dists": "compute_distances_no_loops: dists match torch.cdist"}),
                 )),
        Scenario("predict_labels: k from 1 to num_train", distance_votes(), votes_reference, returns="y_pred",
                 driver=labels_from_distances, max_examples=40, checks=(
                     Check("predict_labels: the most common label among the k nearest", 2.0, _labels_equal,
                           VOTE_HINTS + TIE_HINTS),
                     unchanged_inputs(points=0.5, name="predict_labels: dists is not modified",
                                      advice="sort a copy, or use np.argsort, which leaves dists as it is"),
                 )),
        Scenario("predict_labels: tied votes", tied_votes(), votes_reference, returns="y_pred",
                 driver=labels_from_distances, max_examples=20, checks=(
                     Check("predict_labels: a tied vote goes to the smaller label", 1.0, _labels_equal,
                           TIE_HINTS + VOTE_HINTS),
                 )),
        Scenario("predict", classification_sets(with_k=True), no_reference, returns=None,
                 driver=predict_each_num_loops, call={"invalid": INVALID_NUM_LOOPS}, max_examples=20, checks=(
                     # CS231n hands predict out written: it scores once a method the student writes does
                     Check("predict: distances by the method num_loops names, then predict_labels with k", 1.0,
                           _dispatches, conditional=True),
                     Check(f"predict: ValueError for num_loops={INVALID_NUM_LOOPS}", 0.5, _rejects_other_num_loops,
                           conditional=True),
                     unchanged_inputs(points=0.5, name="predict: X, X_train and y_train are not modified"),
                 )),
    ), (_method_has_no_loops("compute_distances_no_loops", 1.0), _method_has_one_loop("compute_distances_one_loop", 0.5),
        numpy_only(points=0.5)), kind=Kind.CLASS),
]
