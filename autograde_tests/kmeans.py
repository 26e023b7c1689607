"""Graders of the topic `kmeans`: nearest-centroid assignment, Lloyd's algorithm, k-means++ seeding, the
silhouette score.

Assignments are never judged near a tie: every drawn input (for kmeans_fit, every step of the
reference's Lloyd trajectory) has, for every point, its two smallest squared distances more than
NEAR_TIE apart relative to the size of the numbers involved, so that any correct float64 algebra
(broadcast differences or ||x||^2 - 2 x.c + ||c||^2) picks the same centroid.
"""

from __future__ import annotations


import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from grader.engine.lazy_modules import stats  # imported on first use

from autograde_tests import strategies as dst
from autograde_tests.drivers.kmeans import fit_each_max_iter, plusplus_many_seeds, plusplus_twice
from grader.engine import compare
from grader.engine.checks import (Check, Exercise, Failure, Hint, Scenario, conform, failed_call, global_rng_untouched,
                                  hint_if_close, hint_if_nonfinite, hint_if_scaled, matches, numpy_only, reference_scale,
                                  scale_of, unchanged_inputs)

TOPIC = "kmeans"


# References -------------------------------------------------------------------------------------
# In float64 torch.

NEAR_TIE = 1e-9
FIT_STEPS = (1, 2, 3)  # the max_iter values the max_iter scenario calls kmeans_fit with


def _t(array):
    return torch.from_numpy(np.asarray(array, dtype=np.float64))


def sq_distances(X, C):
    """(N, k) squared Euclidean distances, from torch.cdist."""
    return torch.cdist(X, C) ** 2


def assign(X, C):
    return sq_distances(X, C).argmin(dim=1)


def update(X, labels, C):
    counts = torch.bincount(labels, minlength=C.shape[0])
    sums = torch.zeros_like(C).index_add_(0, labels, X)
    means = sums / counts.clamp(min=1)[:, None]
    return torch.where((counts > 0)[:, None], means, C)


def inertia(X, labels, C):
    return float(((X - C[labels]) ** 2).sum())


def lloyd(X, C0, max_iter):
    """Lloyd's iterations: centroids C_0..C_T and assignments L_0..L_T (L_t = assign(C_t)), T updates."""
    centroids, assignments = [C0], [assign(X, C0)]
    for _ in range(max_iter):
        centroids.append(update(X, assignments[-1], centroids[-1]))
        assignments.append(assign(X, centroids[-1]))
        if torch.equal(assignments[-1], assignments[-2]):
            break
    return centroids, assignments


def near_tie(X, C) -> bool:
    """Whether some point's two nearest centroids are within NEAR_TIE (relative) of each other.

    Relative to the squared norms too, because ||x||^2 - 2 x.c + ||c||^2 loses that much to cancellation.
    """
    if C.shape[0] < 2:
        return False
    two = sq_distances(X, C).topk(2, dim=1, largest=False).values
    scale = two[:, 1] + (X ** 2).sum(dim=1) + (C ** 2).sum(dim=1).max()
    return bool(((two[:, 1] - two[:, 0]) <= NEAR_TIE * scale).any())


def assign_reference(example):
    X, C = _t(example["X"]), _t(example["centroids"])
    d = sq_distances(X, C)
    return {"labels": d.argmin(dim=1).numpy(), "sq_distances": d.numpy(), "farthest": d.argmax(dim=1).numpy()}


def update_reference(example):
    X, C, labels = _t(example["X"]), _t(example["centroids"]), torch.from_numpy(example["labels"])
    counts = torch.bincount(labels, minlength=C.shape[0])
    sums = torch.zeros_like(C).index_add_(0, labels, X)
    empty = (counts == 0)[:, None]
    return {"new_centroids": update(X, labels, C).numpy(), "empty": (counts == 0).numpy(),
            "with_zeros": torch.where(empty, 0.0, sums / counts.clamp(min=1)[:, None]).numpy(),
            "sums": torch.where(empty, C, sums).numpy()}


def inertia_reference(example):
    X, C, labels = _t(example["X"]), _t(example["centroids"]), torch.from_numpy(example["labels"])
    squared = ((X - C[labels]) ** 2).sum(dim=1)
    return {"inertia": float(squared.sum()), "distances": float(squared.sqrt().sum()),
            "nearest": float(sq_distances(X, C).min(dim=1).values.sum())}


def fit_reference(example):
    X, C0 = _t(example["X"]), _t(example["init_centroids"])
    centroids, assignments = lloyd(X, C0, example.get("max_iter", 100))
    return {"centroids": centroids[-1].numpy(), "labels": assignments[-1].numpy(),
            "after_one_update": centroids[min(1, len(centroids) - 1)].numpy(),
            "previous_labels": assignments[-2].numpy() if len(assignments) > 1 else assignments[-1].numpy()}


def fit_steps_reference(example):
    """Lloyd's trajectory, and what kmeans_fit must return for each max_iter in FIT_STEPS."""
    X, C0 = _t(example["X"]), _t(example["init_centroids"])
    centroids, assignments = lloyd(X, C0, max(FIT_STEPS) + 1)
    last = len(centroids) - 1
    return {"trajectory": [c.numpy() for c in centroids], "assignments": [a.numpy() for a in assignments],
            "steps": [min(t, last) for t in FIT_STEPS], "start_inertia": inertia(X, assignments[0], C0)}


def plusplus_sequences(X, k, weight=lambda d2, chosen: d2, nearest=True) -> dict:
    """Probability of each ordered sequence of chosen rows (keyed by their values), by enumeration.

    The first row is uniform over the N rows; each next one is drawn with probability proportional to
    weight(d2, chosen), d2 the squared distances to the nearest chosen row (or to the last one).
    """
    probabilities: dict = {}

    def extend(chosen, p):
        if len(chosen) == k:
            key = tuple(tuple(X[i]) for i in chosen)
            probabilities[key] = probabilities.get(key, 0.0) + p
            return
        picked = np.isin(np.arange(len(X)), chosen)
        d2 = np.sum((X[:, None, :] - X[chosen][None, :, :]) ** 2, axis=2)
        w = weight(d2.min(axis=1) if nearest else d2[:, -1], picked).astype(np.float64)
        for i in np.flatnonzero(w > 0):
            extend(chosen + [int(i)], p * w[i] / w.sum())

    for first in range(len(X)):
        extend([first], 1.0 / len(X))
    return probabilities


def no_reference(example):
    return {}


def plusplus_reference(example):
    return {"sequences": plusplus_sequences(example["X"], example["k"])}


def silhouettes(D, labels, *, a_includes_self=False, b_over_all_others=False, divide_by_b=False, singleton=0.0):
    """Every point's silhouette from the (N, N) distances D, and the variants the hints recognise: a averaged
    over the whole cluster (the point itself included), b the mean distance to every point of the other
    clusters, (b - a) / b, or `singleton` for a point alone in its cluster."""
    k = int(labels.max()) + 1
    members = (labels[None, :] == torch.arange(k)[:, None]).to(D.dtype)     # (k, N)
    sizes = members.sum(dim=1)
    sums = D @ members.T                                                   # (N, k)
    own, index = sizes[labels], torch.arange(len(labels))
    a = sums[index, labels] / (own if a_includes_self else (own - 1).clamp(min=1))
    if b_over_all_others:
        b = (sums.sum(dim=1) - sums[index, labels]) / (len(labels) - own)
    else:
        b = (sums / sizes).index_put((index, labels), torch.tensor(torch.inf, dtype=D.dtype)).min(dim=1).values
    s = (b - a) / (b if divide_by_b else torch.maximum(a, b))
    return torch.where(own > 1, s, torch.tensor(singleton, dtype=D.dtype))


def silhouette_reference(example):
    """The mean silhouette from torch.cdist's Euclidean distances (computed directly, not from the expansion
    |x|^2 - 2 x.y + |y|^2), and the mistakes' values for the hints."""
    X, labels = _t(example["X"]), torch.from_numpy(example["labels"])
    D = torch.cdist(X, X, compute_mode="donot_use_mm_for_euclid_dist")

    def mean(**variant):
        return float(silhouettes(D, labels, **variant).mean())

    # The expansion |x|^2 - 2 x.y + |y|^2, a correct way to compute the distances, gives a point's distance to
    # itself as the root of a rounding error, about sqrt(eps) |x|, and errs less on the others: a silhouette
    # then moves by up to about 2 sqrt(eps) max|x| / min d (a and b are at least min d). The check at large
    # magnitudes accepts 1e-7 max|x| / min d (its atol, 1e-9, times this scale), a few times that bound.
    nearest = float((D + torch.diag(torch.full((len(X),), torch.inf, dtype=D.dtype))).min())
    return {"score": mean(), scale_of("score"): max(1.0, 100 * float(X.norm(dim=1).max()) / nearest),
            "squared": float(silhouettes(D ** 2, labels).mean()),
            "a includes self": mean(a_includes_self=True), "b over all": mean(b_over_all_others=True),
            "divided by b": mean(divide_by_b=True), "singleton 1": mean(singleton=1.0),
            "a includes self, singleton 1": mean(a_includes_self=True, singleton=1.0)}


# Strategies -------------------------------------------------------------------------------------

SCALES = (1.0, 10.0, 30.0)  # separated clusters reach coordinates of about 1e3 at the largest scale

# Small irregular offsets added to the points: values that shrink towards 0 and 1 would otherwise tie
# (a point halfway between two centroids) so often that few inputs with k >= 2 would survive the filter.
JITTER = np.round(0.1 * ((np.arange(1, 100) * (5 ** 0.5 - 1) / 2) % 1.0), 3)


@st.composite
def point_sets(draw, *, max_n: int = 8, max_d: int = 3):
    """X (N, D): either tight clusters around centres at least 10 apart or overlapping points, with
    some rows repeated (duplicate points), at a scale of 1, 10 or 30."""
    n, d = draw(st.sampled_from(range(1, max_n + 1))), draw(st.integers(1, max_d))
    distinct = draw(st.sampled_from(range(n, 0, -1)))
    if draw(st.booleans()):
        centres = 10.0 * draw(hnp.arrays(np.int64, (draw(st.integers(1, distinct)), d), elements=st.integers(-3, 3)))
        rows = centres[draw(dst.labels(distinct, len(centres)))] + draw(dst.float_arrays((distinct, d), magnitude=0.5))
    else:
        rows = draw(dst.float_arrays((distinct, d)))
    rows = rows + JITTER[: distinct * d].reshape(distinct, d)
    copies = np.concatenate([np.arange(distinct), draw(dst.labels(n - distinct, distinct))]).astype(np.int64)
    order = np.array(draw(st.permutations(range(n))), dtype=np.int64)
    return draw(st.sampled_from(SCALES)) * rows[copies[order]]


@st.composite
def clusterings(draw, *, max_n: int = 8, max_d: int = 3):
    """Dicts X (N, D), centroids (k, D), 1 <= k <= N: distinct rows of X (Forgy's start) or arbitrary
    points, sometimes with one centroid far from every point (a cluster left empty)."""
    X = draw(point_sets(max_n=max_n, max_d=max_d))
    n, d = X.shape
    k = draw(st.integers(min(2, n), n) | st.integers(1, n))  # k = 1 is a case, not the usual one
    distinct = np.unique(X, axis=0)
    if k <= len(distinct) and draw(st.booleans()):
        C = distinct[np.array(draw(st.permutations(range(len(distinct)))))[:k]]
    else:
        C = np.abs(X).max() * draw(dst.float_arrays((k, d), magnitude=1.0))
    if k >= 2 and draw(st.booleans()):
        C = C.copy()
        C[draw(st.integers(0, k - 1))] = X.max(axis=0) + 2 * np.ptp(X, axis=0) + 5.0
    return {"X": X, "centroids": C}


def assignment_problems():
    # up to 16 points, so that a point near the boundary between two cells shows a wrong distance
    return clusterings(max_n=16, max_d=4).filter(lambda ex: not near_tie(_t(ex["X"]), _t(ex["centroids"])))


@st.composite
def labelled_points(draw):
    """Dicts X (N, D), labels (N,), centroids (k, D) with k up to N + 1; the labels are arbitrary (not
    necessarily the nearest centroid) and often leave some clusters empty."""
    X = draw(point_sets())
    n, d = X.shape
    k = draw(st.sampled_from(range(1, n + 2)))
    used = draw(st.sampled_from(range(k, 0, -1)))
    which = np.array(draw(st.permutations(range(k))), dtype=np.int64)
    labels = which[draw(dst.labels(n, used))]
    return {"X": X, "labels": labels, "centroids": np.abs(X).max() * draw(dst.float_arrays((k, d), magnitude=1.0))}


def _trajectory_is_clear(example, max_iter):
    X, C0 = _t(example["X"]), _t(example["init_centroids"])
    centroids, assignments = lloyd(X, C0, max_iter)
    return not any(near_tie(X, C) for C in centroids), len(centroids) - 1


def _fit_problem(example):
    return {"X": example["X"], "init_centroids": example["centroids"]}


@st.composite
def _fit_starts(draw):
    example = _fit_problem(draw(clusterings()))
    if draw(st.booleans()):
        example["max_iter"] = draw(st.sampled_from([20, 100, 1000]))
    return example


@st.composite
def fit_problems(draw):
    """Lloyd runs that converge within max_iter (given or the default 100), no near-tie on the way;
    about half of them take two updates or more, so that every draw (the secret inputs of any
    grading key too) tells a single update from Lloyd's iterations."""
    several = draw(st.booleans())

    def wanted(example):
        max_iter = example.get("max_iter", 100)
        clear, updates = _trajectory_is_clear(example, max_iter)
        return clear and updates < max_iter and (updates >= 2 or not several)

    return draw(_fit_starts().filter(wanted))


def unconverged_fit_problems():
    """Starts whose assignment changes after the first update, so that every max_iter in FIT_STEPS is
    observable; no near-tie during the first updates."""

    def wanted(example):
        clear, updates = _trajectory_is_clear(example, max(FIT_STEPS) + 1)
        return clear and updates >= 2

    return clusterings().map(_fit_problem).filter(wanted)


@st.composite
def plusplus_problems(draw):
    """Dicts X (N, D), k (1 <= k <= number of distinct rows), seed."""
    X = draw(point_sets())
    k = draw(st.integers(1, len(np.unique(X, axis=0))))
    return {"X": X, "k": k, "seed": draw(st.integers(0, 2**32 - 1))}


@st.composite
def silhouette_problems(draw, *, singletons: bool, offset: float = 0.0):
    """Dicts X (N, D) of distinct points and labels (N,) using every label of 2 to 4 clusters: clusters of two
    or more points, or (`singletons`) at least one point alone in its cluster. The points are distinct cells
    of a grid of step 0.25 around one centre per cluster (the centres 0 or 6 apart: mixed or separated
    clusters), so no two are closer than 0.25; `offset` moves them all by up to that much (inputs of large
    magnitude)."""
    k = draw(st.integers(2, 4))
    sizes = [draw(st.integers(1 if singletons else 2, 4)) for _ in range(k)]
    if singletons:
        sizes[draw(st.integers(0, k - 1))] = 1
    labels = np.repeat(np.arange(k), sizes)[np.array(draw(st.permutations(range(sum(sizes)))), dtype=np.int64)]
    n, d = len(labels), draw(st.integers(1, 3))
    centres = draw(st.sampled_from([0.0, 6.0])) * draw(hnp.arrays(np.int64, (k, d), elements=st.integers(-2, 2)))
    cells = draw(st.lists(st.tuples(*[st.integers(-8, 8)] * d), min_size=n, max_size=n, unique=True))
    X = centres[labels] + 0.25 * np.array(cells, dtype=np.float64)  # distinct: other centres are >= 2 away
    if offset:
        X = X + draw(dst.float_arrays((1, d), magnitude=offset - np.abs(X).max()))
    return {"X": X, "labels": labels}


PLUSPLUS_DATA = {"X": np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 1.0]]), "k": 3}
PLUSPLUS_SEEDS = (1000, 4000)


# Hints ------------------------------------------------------------------------------------------
# The hints read the outputs with the checks' helpers (_fit_results, _drawn_sequences ...), below.
# Hints and checks run in the student's process, which has no torch (`pip install dlgrade`): they
# compute in numpy (_sq_distances_np, _update_np), with the references' formulas.


def _sq_distances_np(X, C) -> np.ndarray:
    """(N, k) squared Euclidean distances."""
    X, C = np.asarray(X, dtype=np.float64), np.asarray(C, dtype=np.float64)
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)


def _update_np(X, labels, C) -> np.ndarray:
    """update() in numpy: each cluster's mean, an empty cluster keeping its centroid."""
    counts = np.bincount(labels, minlength=C.shape[0])
    sums = np.zeros_like(C)
    np.add.at(sums, labels, X)
    return np.where((counts > 0)[:, None], sums / np.maximum(counts, 1)[:, None], C)

FARTHEST = "labels point to the farthest centroid: the nearest one is the argmin of the distances, not the argmax"


def _empty_zeroed(example, outcome, expected):
    got, empty = outcome.outputs.get("new_centroids"), expected["empty"]
    return got is not None and empty.any() and compare.close(got, expected["with_zeros"])


UPDATE_EMPTY_HINTS = (
    hint_if_nonfinite("an empty cluster's centroid became NaN (the mean of no points): a cluster with no points "
                      "keeps its old centroid", "new_centroids"),
    Hint("an empty cluster's centroid was set to zeros: a cluster with no points keeps its old centroid", _empty_zeroed),
)
UPDATE_MEAN_HINTS = (
    hint_if_close("new_centroids holds the sums of the points of each cluster: divide by the number of points",
                  "new_centroids", lambda ex, exp: exp["sums"]),
)


def _fit_step_hint(offset):
    """Applies when, for some max_iter = t, kmeans_fit returned the centroids after t + offset updates."""

    def applies(example, outcome, expected):
        found = _fit_results(example, outcome)
        trajectory = expected["trajectory"]
        return not isinstance(found, Failure) and any(
            0 <= step + offset < len(trajectory) and compare.close(C, trajectory[step + offset])
            and not compare.close(C, trajectory[step]) for (_, C, _), step in zip(found, expected["steps"]))

    return applies


def _previous_labels(example, outcome, expected):
    found = _fit_results(example, outcome)
    assignments = expected["assignments"]
    return not isinstance(found, Failure) and any(
        step >= 1 and np.array_equal(labels, assignments[step - 1]) and not np.array_equal(labels, assignments[step])
        for (_, _, labels), step in zip(found, expected["steps"]))


def _farthest_labels(example, outcome, expected):
    found = _fit_results(example, outcome)
    return not isinstance(found, Failure) and any(
        C.shape[0] > 1 and np.array_equal(labels, _sq_distances_np(example["X"], C).argmax(axis=1))
        for _, C, labels in found)


PREVIOUS_LABELS = ("labels are the assignment to the centroids before the last update: assign the points again to "
                   "the centroids you return")
MAX_ITER_HINTS = (
    Hint("the result is that of one update fewer than max_iter: max_iter=1 must make one assignment and one update",
         _fit_step_hint(-1)),
    Hint("the result is that of one update more than max_iter: max_iter counts the updates made", _fit_step_hint(+1)),
)


def _model_hint(text, **model):
    """A hint for draws consistent, by the same chi-square test, with the seeding `model` describes."""

    def applies(example, outcome, expected):
        keys = _drawn_sequences(example, outcome)
        return not isinstance(keys, Failure) and _consistent_with(keys, plusplus_sequences(example["X"], example["k"], **model))

    return Hint(text, applies)


def _always_farthest(example, outcome, expected):
    """Every next centroid of every draw is a row farthest from the ones chosen before (ties either way)."""
    keys = _drawn_sequences(example, outcome)
    if isinstance(keys, Failure):
        return False
    X = example["X"]
    for key in set(keys):
        rows = np.array(key)
        for j in range(1, len(rows)):
            d2 = np.min(np.sum((X[:, None, :] - rows[None, :j, :]) ** 2, axis=2), axis=1)
            if np.sum((rows[j] - rows[:j]) ** 2, axis=1).min() != d2.max():
                return False
    return True


PLUSPLUS_HINTS = (
    _model_hint("the rows look drawn uniformly: each next centroid must be drawn with probability proportional to "
                "D(x)^2, its squared distance to the nearest chosen centroid", weight=lambda d2, chosen: (d2 > 0) * 1.0),
    _model_hint("the rows look drawn with probability proportional to the distance D(x); k-means++ weights by the "
                "squared distance D(x)^2", weight=lambda d2, chosen: np.sqrt(d2)),
    Hint("every next centroid is the farthest point (a greedy farthest-point choice); k-means++ draws it at "
         "random with probability proportional to D(x)^2", _always_farthest),
    _model_hint("D(x) looks measured to the last chosen centroid only; it is the distance to the nearest of all "
                "chosen centroids", nearest=False),
)


SILHOUETTE_HINTS = (
    hint_if_close("the distances are squared: the silhouette uses Euclidean distances, the square root of the sum "
                  "of squares", "score", lambda ex, exp: exp["squared"]),
    hint_if_close("a averages over the whole cluster, the point itself (distance 0) included: divide by the "
                  "cluster's size minus 1", "score", lambda ex, exp: exp["a includes self"]),
    hint_if_close("b averages the distances to every point of the other clusters; it is the smallest, over the "
                  "other clusters, of the mean distance to that cluster's points", "score",
                  lambda ex, exp: exp["b over all"]),
    hint_if_close("(b - a) is divided by b; the silhouette divides by max(a, b), so it is negative when a > b",
                  "score", lambda ex, exp: exp["divided by b"]),
)
SINGLETON_HINTS = (
    hint_if_nonfinite("the score is NaN or infinite: a point alone in its cluster has no a (the mean over no other "
                      "points); its silhouette is 0", "score"),
    hint_if_close("a point alone in its cluster scored 1; its silhouette is 0 (scikit-learn's definition)", "score",
                  lambda ex, exp: exp["singleton 1"]),
    hint_if_close("a point alone in its cluster scored 1 (and a averages over the point itself too): a singleton's "
                  "silhouette is 0, and a divides by the cluster's size minus 1", "score",
                  lambda ex, exp: exp["a includes self, singleton 1"]),
)


# Checks -----------------------------------------------------------------------------------------


def _labels_equal(output):
    """The student's integer labels equal the reference's, with the distances that decide them."""

    def verify(example, outcome, expected):
        failure = failed_call(outcome, output)
        if failure:
            return failure
        got, want = np.asarray(outcome.outputs[output]), expected[output]
        wrong = np.flatnonzero(got != want)
        if wrong.size == 0:
            return None
        i = int(wrong[0])
        details = [f"{wrong.size} of {want.size} labels differ from torch"]
        if "sq_distances" in expected:
            details.append(f"squared distances of X[{i}] to the centroids: {np.round(expected['sq_distances'][i], 6).tolist()}")
        return Failure(f"{output}[{i}] is {got[i]}, expected {want[i]}", tuple(details))

    return verify


def _labels_nearest_to(X, C, labels) -> Failure | None:
    """None when every label names a centroid of C nearest to its point (ties allowed either way)."""
    k = C.shape[0]
    outside = np.flatnonzero((labels < 0) | (labels >= k))
    if outside.size:
        return Failure(f"labels[{outside[0]}] is {labels[outside[0]]}, not a centroid index in [0, {k})")
    d = _sq_distances_np(X, C)
    chosen = d[np.arange(len(labels)), labels]
    slack = NEAR_TIE * (d.min(axis=1) + (X ** 2).sum(axis=1) + (C ** 2).sum(axis=1).max())
    wrong = np.flatnonzero(~(chosen <= d.min(axis=1) + slack))
    if wrong.size == 0:
        return None
    i = int(wrong[0])
    return Failure(f"labels[{i}] is {labels[i]}, but centroid {int(np.argmin(d[i]))} of the returned centroids is nearer "
                   f"to X[{i}] (squared distances {np.round(d[i], 6).tolist()})")


def _means_match(example, outcome, expected):
    failure = failed_call(outcome, "new_centroids")
    if failure:
        return failure
    empty = expected["empty"][:, None]
    got = np.where(empty, expected["new_centroids"], outcome.outputs["new_centroids"])  # judged by _empty_kept
    return compare.mismatch("new_centroids", got, expected["new_centroids"], against="the cluster means")


def _empty_kept(example, outcome, expected):
    failure = failed_call(outcome, "new_centroids")
    if failure:
        return failure
    got = outcome.outputs["new_centroids"]
    for j in np.flatnonzero(expected["empty"]):
        if not compare.close(got[j], example["centroids"][j]):
            return Failure(f"cluster {j} has no points, so new_centroids[{j}] should stay centroids[{j}] = "
                           f"{np.round(example['centroids'][j], 6).tolist()}, got {np.round(got[j], 6).tolist()}")
    return None


def _stationary(example, outcome, expected):
    """d/dC sum_i ||x_i - C[l_i]||^2 = sum over cluster j of 2 (c_j - x_i) (what torch autograd gives)
    vanishes at the student's centroids of non-empty clusters."""
    failure = failed_call(outcome, "new_centroids")
    if failure:
        return failure
    X, labels = np.asarray(example["X"], dtype=np.float64), example["labels"]
    C = np.asarray(outcome.outputs["new_centroids"], dtype=np.float64)
    grad, spread = np.zeros_like(C), np.zeros_like(C)
    np.add.at(grad, labels, 2 * (C[labels] - X))
    # 2 * sum_i |x_i - c| bounds the rounding of the gradient of a correctly computed mean
    np.add.at(spread, labels, np.abs(X - C[labels]) + np.abs(X))
    bad = ~(np.abs(grad) <= 1e-9 * 2 * spread + 1e-300)
    bad[expected["empty"]] = False
    if not bad.any():
        return None
    j, col = (int(i) for i in np.argwhere(bad)[0])
    return Failure(f"the gradient of the within-cluster sum of squares at new_centroids[{j}, {col}] is "
                   f"{float(grad[j, col]):.6g}, not 0: new_centroids[{j}] does not minimize "
                   f"the sum of squared distances to the points of cluster {j}",
                   ("the minimizer of sum_i ||x_i - c||^2 over the points of a cluster is their mean",))


def _fit_results(example, outcome):
    """[(max_iter, centroids, labels)] from fit_each_max_iter, or a Failure."""
    if outcome.error:
        return Failure(outcome.error)
    results = outcome.raw.get("results")
    if not isinstance(results, list) or len(results) != len(FIT_STEPS):
        return Failure("kmeans_fit gave no results")
    found = []
    n, (k, d) = len(example["X"]), example["init_centroids"].shape
    for t, result in zip(FIT_STEPS, results):
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return Failure(f"kmeans_fit(X, init_centroids, max_iter={t}) should return a tuple (centroids, labels)")
        C, problem = conform(result[0], np.zeros((k, d)), f"centroids (max_iter={t})")
        labels, problem = (None, problem) if problem else conform(result[1], np.zeros(n, np.int64), f"labels (max_iter={t})")
        if problem:
            return Failure(problem)
        found.append((t, C, labels))
    return found


def _honours_max_iter(example, outcome, expected):
    found = _fit_results(example, outcome)
    if isinstance(found, Failure):
        return found
    for (t, C, _), step in zip(found, expected["steps"]):
        failure = compare.mismatch("centroids", C, expected["trajectory"][step], against=f"{step} Lloyd updates")
        if failure:
            return Failure(f"with max_iter={t}: {failure.summary}", failure.details)
    return None


def _labels_consistent(example, outcome, expected):
    found = _fit_results(example, outcome)
    if isinstance(found, Failure):
        return found
    for t, C, labels in found:
        failure = _labels_nearest_to(example["X"], C, np.asarray(labels))
        if failure:
            return Failure(f"with max_iter={t}: {failure.summary}", failure.details)
    return None


def _inertia_never_increases(example, outcome, expected):
    found = _fit_results(example, outcome)
    if isinstance(found, Failure):
        return found
    X, previous, before = example["X"], expected["start_inertia"], "the start (init_centroids, nearest labels)"
    for t, C, labels in found:
        labels = np.asarray(labels)
        if ((labels < 0) | (labels >= C.shape[0])).any():
            return Failure(f"with max_iter={t} some labels are not centroid indices in [0, {C.shape[0]})")
        now = inertia(np.asarray(X, dtype=np.float64), labels.astype(np.int64), np.asarray(C, dtype=np.float64))
        if not now <= previous * (1 + 1e-9) + 1e-300:  # rounding of a sum of squares; NaN fails
            return Failure(f"the inertia of the result with max_iter={t} is {now:.10g}, more than the {previous:.10g} "
                           f"of {before}: a Lloyd iteration never increases the inertia")
        previous, before = now, f"the result with max_iter={t}"
    return None


def _fixed_point(example, outcome, expected):
    failure = failed_call(outcome, "centroids")
    if failure:
        return failure
    X, C = np.asarray(example["X"], dtype=np.float64), np.asarray(outcome.outputs["centroids"], dtype=np.float64)
    again = _update_np(X, _sq_distances_np(X, C).argmin(axis=1), C)
    failure = compare.mismatch("centroids", outcome.outputs["centroids"], again, against="one more assign and update")
    if failure:
        return Failure("the returned centroids are not a fixed point: one more assignment and update moves them; "
                       + failure.summary, failure.details)
    return None


# A correct seeding fails the chi-square test with probability 1e-9 (asymptotic chi-square law; every
# cell expects at least 19 of the 3000 draws). The mistakes of PLUSPLUS_HINTS are off by chi-square
# statistics of about a thousand or more, against a critical value of about 89.
FALSE_FAILURE = 1e-9


def _drawn_sequences(example, outcome):
    """The chosen rows of every seeded draw as hashable keys, or a Failure."""
    if outcome.error:
        return Failure(outcome.error)
    draws = outcome.raw.get("draws")
    if not isinstance(draws, list):
        return Failure("kmeans_plusplus_init gave no results")
    template = np.zeros((example["k"], example["X"].shape[1]))
    keys = []
    for draw in draws:
        centroids, problem = conform(draw, template, "centroids")
        if problem:
            return Failure(problem)
        keys.append(tuple(tuple(row) for row in centroids))
    return keys


def _chi_square(keys, sequences) -> float:
    """Pearson's statistic of the drawn sequences against their probabilities; inf for an impossible draw."""
    if any(key not in sequences for key in keys):
        return np.inf
    cells = list(sequences)
    counts = np.array([keys.count(cell) for cell in cells], dtype=np.float64)
    expected = len(keys) * np.array([sequences[cell] for cell in cells])
    return float(np.sum((counts - expected) ** 2 / expected))


def _consistent_with(keys, sequences) -> bool:
    cells = len(sequences)
    return cells == 1 or _chi_square(keys, sequences) <= stats.chi2.isf(FALSE_FAILURE, cells - 1)


def _d2_weighted(example, outcome, expected):
    keys = _drawn_sequences(example, outcome)
    if isinstance(keys, Failure):
        return keys
    sequences = expected["sequences"]
    impossible = next((key for key in keys if key not in sequences), None)
    if impossible is not None:
        return Failure(f"a seeding returned the rows {[list(row) for row in impossible]}, which k-means++ never "
                       "chooses (a repeated row, or not rows of X)")
    if _consistent_with(keys, sequences):
        return None
    statistic, df = _chi_square(keys, sequences), len(sequences) - 1
    return Failure(f"over {len(keys)} seeds the chosen rows are not distributed as k-means++ draws them: chi-square "
                   f"statistic {statistic:.1f} with {df} degrees of freedom, above {stats.chi2.isf(FALSE_FAILURE, df):.1f} "
                   f"(a false alarm has probability {FALSE_FAILURE:g})",
                   ("the first centroid is uniform over the rows of X; each next one is row i with probability "
                    "D(i)^2 / sum_j D(j)^2, D(i) the distance to the nearest centroid chosen so far",))


def _seeding(example, outcome, part="result"):
    """The centroids one seeding returned, or a Failure."""
    if outcome.error:
        return Failure(outcome.error)
    X, k = example["X"], example["k"]
    centroids, problem = conform(outcome.raw.get(part), np.zeros((k, X.shape[1])), "centroids")
    return Failure(problem) if problem else centroids


def _rows_of_X(example, outcome, expected):
    centroids = _seeding(example, outcome)
    if isinstance(centroids, Failure):
        return centroids
    X = example["X"]
    for j, row in enumerate(centroids):
        if not (X == row).all(axis=1).any():
            return Failure(f"centroids[{j}] = {np.round(row, 6).tolist()} is not a row of X")
        if j and (centroids[:j] == row).all(axis=1).any():
            return Failure(f"centroids[{j}] repeats an earlier centroid",
                           ("a row at squared distance 0 from a chosen centroid has probability 0 of being drawn",))
    return None


def _same_for_same_seed(example, outcome, expected):
    first, again = _seeding(example, outcome), _seeding(example, outcome, "again")
    if isinstance(first, Failure):
        return first
    if isinstance(again, Failure) or not np.array_equal(first, again, equal_nan=True):
        return Failure("two generators built with np.random.default_rng(seed) from the same seed gave different centroids",
                       ("draw only from the rng argument: no np.random.default_rng() without a seed, no global state",))
    return None


# Exercises --------------------------------------------------------------------------------------

EXERCISES = [
    Exercise("kmeans_assign", TOPIC, (
        Scenario("points and centroids", assignment_problems(), assign_reference, returns="labels",
                 call={"args": ("X", "centroids")}, max_examples=80, checks=(
                     Check("labels match torch", 2.0, _labels_equal("labels"), hints=(
                         hint_if_close(FARTHEST, "labels", lambda ex, exp: exp["farthest"]),)),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("kmeans_update", TOPIC, (
        Scenario("arbitrary labels, some clusters empty", labelled_points(), update_reference, returns="new_centroids",
                 call={"args": ("X", "labels", "centroids")}, checks=(
                     Check("non-empty clusters move to the mean of their points", 2.0, _means_match, UPDATE_MEAN_HINTS),
                     Check("empty clusters keep their centroid", 1.0, _empty_kept, UPDATE_EMPTY_HINTS),
                     Check("new centroids are a stationary point of the within-cluster sum of squares (torch autograd)",
                           1.0, _stationary, UPDATE_MEAN_HINTS),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("kmeans_inertia", TOPIC, (
        Scenario("arbitrary labels", labelled_points(), inertia_reference, returns="inertia",
                 call={"args": ("X", "labels", "centroids")}, checks=(
                     matches("inertia", points=2.0, hints=(
                         hint_if_close("the inertia sums distances; it is the sum of squared distances", "inertia",
                                       lambda ex, exp: exp["distances"]),
                         hint_if_scaled("the inertia is averaged; it is the sum over the points", "inertia",
                                        lambda ex: 1.0 / len(ex["X"])),
                         hint_if_close("the inertia uses each point's nearest centroid; it uses the centroid the "
                                       "point is assigned to, centroids[labels[i]]", "inertia",
                                       lambda ex, exp: exp["nearest"]),
                     )),
                     unchanged_inputs(points=0.5),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("kmeans_fit", TOPIC, (
        Scenario("from a start to convergence", fit_problems(), fit_reference, returns=("centroids", "labels"),
                 call={"args": ("X", "init_centroids"), "kwargs": ("max_iter",)}, max_examples=40, checks=(
                     matches("centroids", points=2.0, name="centroids match Lloyd's iterations (torch)", hints=(
                         hint_if_nonfinite("the centroids hold NaN: a cluster with no points keeps its old centroid",
                                           "centroids"),
                         hint_if_close("the result is that of a single update: repeat assignment and update until "
                                       "the assignment no longer changes", "centroids",
                                       lambda ex, exp: exp["after_one_update"]),
                     )),
                     Check("labels match torch", 1.0, _labels_equal("labels")),
                     Check("the returned centroids are a fixed point of Lloyd's iterations", 0.5, _fixed_point),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("max_iter caps the updates", unconverged_fit_problems(), fit_steps_reference, returns=None,
                 driver=fit_each_max_iter, call={"max_iters": FIT_STEPS}, max_examples=20, checks=(
                     Check("max_iter=t makes t updates (max_iter=1: one assignment and one update)", 1.5,
                           _honours_max_iter, MAX_ITER_HINTS),
                     Check("labels are the assignment to the returned centroids", 1.0, _labels_consistent, (
                         Hint(PREVIOUS_LABELS, _previous_labels), Hint(FARTHEST, _farthest_labels))),
                     Check("the inertia never increases from one iteration to the next", 0.5, _inertia_never_increases),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("kmeans_plusplus_init", TOPIC, (
        Scenario("seeded draws", plusplus_problems(), no_reference, returns=None, driver=plusplus_twice, checks=(
            Check("centroids are k distinct rows of X", 1.5, _rows_of_X),
            Check("the same seed gives the same centroids", 0.5, _same_for_same_seed),
            global_rng_untouched(points=0.5, name="draws only from rng (the global np.random state is untouched)"),
            unchanged_inputs(points=0.5),
        )),
        Scenario("D^2-weighted choice over many seeds", st.just(PLUSPLUS_DATA), plusplus_reference, returns=None,
                 driver=plusplus_many_seeds, call={"seeds": PLUSPLUS_SEEDS}, max_examples=1, checks=(
                     Check("rows drawn with probability proportional to D(x)^2 (chi-square test)", 2.0, _d2_weighted,
                           PLUSPLUS_HINTS),
                 )),
    ), (numpy_only(points=0.5),)),
    Exercise("silhouette_score", TOPIC, (
        Scenario("clusters of two or more points", silhouette_problems(singletons=False), silhouette_reference,
                 returns="score", call={"args": ("X", "labels")}, checks=(
                     # silhouettes lie in [-1, 1]: rounding noise on a mean that cancels to ~0 is of that size
                     # (the grid's coordinates are exact in binary: no cancellation beyond that)
                     matches("score", points=2.0, scale=1.0, hints=SILHOUETTE_HINTS),
                     unchanged_inputs(points=0.5),
                 )),
        Scenario("some points alone in their cluster", silhouette_problems(singletons=True), silhouette_reference,
                 returns="score", call={"args": ("X", "labels")}, checks=(
                     matches("score", points=1.0, scale=1.0, name="a point alone in its cluster scores 0",
                             hints=SINGLETON_HINTS + SILHOUETTE_HINTS),
                 )),
        Scenario("coordinates of magnitude up to 1e3", silhouette_problems(singletons=False, offset=1e3),
                 silhouette_reference, returns="score", call={"args": ("X", "labels")}, checks=(
                     matches("score", points=0.5, scale=reference_scale, finite=True,
                             name="finite and correct for coordinates up to 1e3", typical={"score": "score matches torch"},
                             hints=(hint_if_nonfinite("the score is NaN: the expansion |x|^2 - 2 x.y + |y|^2 can round "
                                                      "below 0 (a point's distance to itself); clip it at 0 before the "
                                                      "square root", "score"),)),
                 )),
    ), (numpy_only(points=0.5),)),
]
