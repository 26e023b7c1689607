from tests.catalogue import alternative, mistake

ASSIGN_BODY = ("    diffs = X[:, np.newaxis, :] - centroids[np.newaxis, :, :]\n"
               "    sq_dists = np.sum(diffs ** 2, axis=2)\n    return np.argmin(sq_dists, axis=1)\n")
UPDATE_LOOP = ("        members = X[labels == j]\n        if members.shape[0] > 0:\n"
               "            new_centroids[j] = members.mean(axis=0)\n")
INERTIA_BODY = "    return float(np.sum((X - centroids[labels]) ** 2))\n"
FIT_LOOP = ("    for _ in range(max_iter):\n        centroids = kmeans_update(X, labels, centroids)\n"
            "        new_labels = kmeans_assign(X, centroids)\n        if np.array_equal(new_labels, labels):\n"
            "            break\n        labels = new_labels\n    return centroids, new_labels\n")
DRAW = "        chosen.append(rng.choice(num_points, p=probs))\n"

SIL_TYPICAL = "score matches torch"
SIL_SINGLETON = "a point alone in its cluster scores 0"
SIL_LARGE = "finite and correct for coordinates up to 1e3"
SIL_DISTS = "    dists = np.sqrt(np.sum((X[:, np.newaxis, :] - X[np.newaxis, :, :]) ** 2, axis=2))\n"
SIL_A = "    a = sums[np.arange(num_points), labels] / np.maximum(own - 1, 1)\n"
SIL_B = ("    means = sums / sizes\n    means[np.arange(num_points), labels] = np.inf\n"
         "    b = means.min(axis=1)\n")
SIL_S = "    s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)\n"
SIL_GRAM = ("    sq = np.sum(X ** 2, axis=1)\n"
            "    d2 = sq[:, np.newaxis] + sq[np.newaxis, :] - 2 * X @ X.T\n")

MISTAKES = [
    mistake("kmeans_assign", "argmax instead of argmin",
            ("return np.argmin(sq_dists, axis=1)", "return np.argmax(sq_dists, axis=1)"),
            loses="labels match torch", hint="farthest centroid"),
    mistake("kmeans_assign", "float labels filled in a loop",
            (ASSIGN_BODY, "    labels = np.zeros(X.shape[0])\n    for i in range(X.shape[0]):\n"
                          "        labels[i] = np.argmin(np.sum((X[i] - centroids) ** 2, axis=1))\n    return labels\n"),
            loses="labels match torch"),
    mistake("kmeans_assign", "L1 distance",
            ("sq_dists = np.sum(diffs ** 2, axis=2)", "sq_dists = np.sum(np.abs(diffs), axis=2)"),
            loses="labels match torch"),
    mistake("kmeans_assign", "imports torch",
            ("import numpy as np\n", "import numpy as np\ntry:\n    import torch\nexcept ImportError:\n    pass\n"),
            loses="numpy only (no torch, tensorflow, jax or grader imports)"),
    mistake("kmeans_update", "NaN for an empty cluster",
            (UPDATE_LOOP, "        new_centroids[j] = X[labels == j].mean(axis=0)\n"),
            loses="empty clusters keep their centroid", hint="became NaN"),
    mistake("kmeans_update", "zeros for an empty cluster",
            ("    new_centroids = centroids.copy()\n    for j", "    new_centroids = np.zeros_like(centroids)\n    for j"),
            loses="empty clusters keep their centroid", hint="set to zeros"),
    mistake("kmeans_update", "updates the centroids in place",
            ("    new_centroids = centroids.copy()\n    for j", "    new_centroids = centroids\n    for j"),
            loses="inputs are not modified"),
    mistake("kmeans_update", "sum instead of mean",
            ("new_centroids[j] = members.mean(axis=0)", "new_centroids[j] = members.sum(axis=0)"),
            loses=("non-empty clusters move to the mean of their points",
                   "new centroids are a stationary point of the within-cluster sum of squares (torch autograd)"),
            hint="sums of the points"),
    mistake("kmeans_update", "divides by N instead of the cluster size",
            ("new_centroids[j] = members.mean(axis=0)", "new_centroids[j] = members.sum(axis=0) / X.shape[0]"),
            loses=("non-empty clusters move to the mean of their points",
                   "new centroids are a stationary point of the within-cluster sum of squares (torch autograd)")),
    mistake("kmeans_inertia", "distances instead of squared distances",
            (INERTIA_BODY, "    return float(np.sum(np.sqrt(np.sum((X - centroids[labels]) ** 2, axis=1))))\n"),
            loses="inertia matches torch", hint="sums distances"),
    mistake("kmeans_inertia", "mean instead of sum",
            (INERTIA_BODY, "    return float(np.mean(np.sum((X - centroids[labels]) ** 2, axis=1)))\n"),
            loses="inertia matches torch", hint="averaged"),
    mistake("kmeans_inertia", "distance to the nearest centroid, ignoring labels",
            (INERTIA_BODY, "    sq = np.sum((X[:, None, :] - centroids[None, :, :]) ** 2, axis=2)\n"
                           "    return float(np.sum(np.min(sq, axis=1)))\n"),
            loses="inertia matches torch", hint="nearest centroid"),
    mistake("kmeans_inertia", "per-dimension sums returned as an array",
            (INERTIA_BODY, "    return np.sum((X - centroids[labels]) ** 2, axis=0)\n"),
            loses="inertia matches torch"),
    mistake("kmeans_fit", "labels from the previous centroids",
            ("    labels = kmeans_assign(X, centroids)\n" + FIT_LOOP,
             "    for _ in range(max_iter):\n        labels = kmeans_assign(X, centroids)\n"
             "        new_centroids = kmeans_update(X, labels, centroids)\n"
             "        if np.array_equal(new_centroids, centroids):\n            break\n"
             "        centroids = new_centroids\n    return new_centroids, labels\n"),
            loses="labels are the assignment to the returned centroids", hint="before the last update"),
    mistake("kmeans_fit", "one update more than max_iter",
            ("    for _ in range(max_iter):\n        centroids = kmeans_update",
             "    for _ in range(max_iter + 1):\n        centroids = kmeans_update"),
            loses="max_iter=t makes t updates (max_iter=1: one assignment and one update)", hint="one update more"),
    mistake("kmeans_fit", "max_iter ignored",
            ("    for _ in range(max_iter):\n        centroids = kmeans_update", "    while True:\n        centroids = kmeans_update"),
            loses="max_iter=t makes t updates (max_iter=1: one assignment and one update)"),
    mistake("kmeans_fit", "a single update",
            (FIT_LOOP, "    centroids = kmeans_update(X, labels, centroids)\n    return centroids, kmeans_assign(X, centroids)\n"),
            loses=("centroids match Lloyd's iterations (torch)", "the returned centroids are a fixed point of Lloyd's iterations"),
            hint="a single update"),
    mistake("kmeans_fit", "updates init_centroids in place",
            ("    centroids = init_centroids.copy()\n", "    centroids = init_centroids\n"),
            ("        centroids = kmeans_update(X, labels, centroids)\n", "        centroids[:] = kmeans_update(X, labels, centroids)\n"),
            loses="inputs are not modified"),
    mistake("kmeans_fit", "argmax in the assignment step",
            ("return np.argmin(sq_dists, axis=1)", "return np.argmax(sq_dists, axis=1)"),
            loses=("centroids match Lloyd's iterations (torch)", "labels are the assignment to the returned centroids"),
            hint="farthest centroid"),
    mistake("kmeans_fit", "NaN for an empty cluster",
            (UPDATE_LOOP, "        new_centroids[j] = X[labels == j].mean(axis=0)\n"),
            loses="centroids match Lloyd's iterations (torch)", hint="hold NaN"),
    mistake("kmeans_plusplus_init", "distance instead of squared distance",
            ("probs = sq_dists / np.sum(sq_dists)", "probs = np.sqrt(sq_dists) / np.sum(np.sqrt(sq_dists))"),
            loses="rows drawn with probability proportional to D(x)^2 (chi-square test)", hint="proportional to the distance"),
    mistake("kmeans_plusplus_init", "greedy farthest point",
            (DRAW, "        chosen.append(np.argmax(sq_dists))\n"),
            loses="rows drawn with probability proportional to D(x)^2 (chi-square test)", hint="greedy farthest-point"),
    mistake("kmeans_plusplus_init", "uniform choice among the points not yet chosen",
            (DRAW, "        chosen.append(rng.choice(np.flatnonzero(sq_dists > 0)))\n"),
            loses="rows drawn with probability proportional to D(x)^2 (chi-square test)", hint="drawn uniformly"),
    mistake("kmeans_plusplus_init", "uniform choice of k indices",
            ("    chosen = [rng.integers(num_points)]\n", "    return X[rng.choice(num_points, size=k, replace=False)]\n"),
            loses=("centroids are k distinct rows of X", "rows drawn with probability proportional to D(x)^2 (chi-square test)")),
    mistake("kmeans_plusplus_init", "distance to the last chosen centroid only",
            ("sq_dists = np.minimum(sq_dists, np.sum((X - X[chosen[-1]]) ** 2, axis=1))",
             "sq_dists = np.sum((X - X[chosen[-1]]) ** 2, axis=1)"),
            loses="rows drawn with probability proportional to D(x)^2 (chi-square test)", hint="last chosen centroid"),
    mistake("kmeans_plusplus_init", "first centroid from the global np.random",
            ("    chosen = [rng.integers(num_points)]\n", "    chosen = [np.random.randint(num_points)]\n"),
            loses=("draws only from rng (the global np.random state is untouched)", "the same seed gives the same centroids")),
    mistake("kmeans_plusplus_init", "a fresh unseeded generator",
            ("    chosen = [rng.integers(num_points)]\n", "    rng = np.random.default_rng()\n    chosen = [rng.integers(num_points)]\n"),
            loses="the same seed gives the same centroids"),
    # silhouette_score
    mistake("silhouette_score", "squared distances",
            (SIL_DISTS, SIL_DISTS.replace("np.sqrt(np.sum(", "(np.sum(")),
            loses=SIL_TYPICAL, hint="the distances are squared"),
    mistake("silhouette_score", "a point alone in its cluster scores 1",
            (SIL_S, "    s = (b - a) / np.maximum(a, b)\n"),
            loses=SIL_SINGLETON, hint="scored 1"),
    mistake("silhouette_score", "a averaged over the cluster, the point itself included",
            (SIL_A, SIL_A.replace("np.maximum(own - 1, 1)", "own")),
            loses=SIL_TYPICAL, hint="the point itself"),
    mistake("silhouette_score", "b the mean distance to all points of the other clusters",
            (SIL_B, "    b = (sums.sum(axis=1) - sums[np.arange(num_points), labels]) / (num_points - own)\n"),
            loses=SIL_TYPICAL, hint="every point of the other clusters"),
    mistake("silhouette_score", "(b - a) divided by b",
            (SIL_S, SIL_S.replace("np.maximum(a, b)", "b")),
            loses=SIL_TYPICAL, hint="divided by b"),
    mistake("silhouette_score", "a point alone in its cluster gives NaN (mean over no points)",
            (SIL_A, SIL_A.replace("np.maximum(own - 1, 1)", "(own - 1)")),
            (SIL_S, "    s = (b - a) / np.maximum(a, b)\n"),
            loses=SIL_SINGLETON, hint="NaN or infinite"),
    mistake("silhouette_score", "centres X in place first",
            ("    dists = np.sqrt(", "    X -= X.mean(axis=0)\n    dists = np.sqrt("),
            loses="inputs are not modified"),
    mistake("silhouette_score", "distances from the expansion |x|^2 + |y|^2 - 2 x.y, not clipped at 0",
            (SIL_DISTS, SIL_GRAM + "    dists = np.sqrt(d2)\n"),
            loses=SIL_LARGE, hint="clip it at 0"),
]

ALTERNATIVES = [
    alternative("kmeans_assign", "||x||^2 - 2 x.c + ||c||^2",
                (ASSIGN_BODY, "    sq_dists = (np.sum(X ** 2, axis=1)[:, None] - 2 * X.dot(centroids.T)\n"
                              "                + np.sum(centroids ** 2, axis=1)[None, :])\n    return np.argmin(sq_dists, axis=1)\n")),
    alternative("kmeans_assign", "loop with np.linalg.norm into an int array",
                (ASSIGN_BODY, "    labels = np.zeros(X.shape[0], dtype=np.int32)\n    for i in range(X.shape[0]):\n"
                              "        labels[i] = np.argmin(np.linalg.norm(X[i] - centroids, axis=1))\n    return labels\n")),
    alternative("kmeans_update", "vectorized with np.add.at and bincount",
                ("    new_centroids = centroids.copy()\n" + "    for j in range(centroids.shape[0]):\n" + UPDATE_LOOP,
                 "    k = centroids.shape[0]\n    sums = np.zeros_like(centroids)\n    np.add.at(sums, labels, X)\n"
                 "    counts = np.bincount(labels, minlength=k)\n    new_centroids = centroids.copy()\n"
                 "    nonempty = counts > 0\n    new_centroids[nonempty] = sums[nonempty] / counts[nonempty, None]\n")),
    alternative("kmeans_update", "one-hot matrix product",
                ("    new_centroids = centroids.copy()\n" + "    for j in range(centroids.shape[0]):\n" + UPDATE_LOOP,
                 "    onehot = (labels[:, None] == np.arange(centroids.shape[0])[None, :]).astype(X.dtype)\n"
                 "    counts = onehot.sum(axis=0)[:, None]\n"
                 "    new_centroids = np.where(counts > 0, onehot.T.dot(X) / np.maximum(counts, 1), centroids)\n")),
    alternative("kmeans_inertia", "loop over points",
                (INERTIA_BODY, "    total = 0.0\n    for i in range(X.shape[0]):\n"
                               "        diff = X[i] - centroids[labels[i]]\n        total += diff.dot(diff)\n    return total\n")),
    alternative("kmeans_inertia", "einsum, numpy scalar",
                (INERTIA_BODY, "    diff = X - centroids[labels]\n    return np.einsum('ij,ij->', diff, diff)\n")),
    alternative("kmeans_fit", "stops when the centroids stop moving",
                ("    labels = kmeans_assign(X, centroids)\n" + FIT_LOOP,
                 "    for _ in range(max_iter):\n        labels = kmeans_assign(X, centroids)\n"
                 "        new_centroids = kmeans_update(X, labels, centroids)\n"
                 "        if np.array_equal(new_centroids, centroids):\n            break\n"
                 "        centroids = new_centroids\n    return new_centroids, kmeans_assign(X, new_centroids)\n")),
    alternative("kmeans_fit", "while loop with a counter, labels as a list-free int32 array",
                ("    labels = kmeans_assign(X, centroids)\n" + FIT_LOOP,
                 "    labels = kmeans_assign(X, centroids).astype(np.int32)\n    it = 0\n    while it < max_iter:\n"
                 "        centroids = kmeans_update(X, labels, centroids)\n        it += 1\n"
                 "        new_labels = kmeans_assign(X, centroids).astype(np.int32)\n"
                 "        changed = np.any(new_labels != labels)\n        labels = new_labels\n"
                 "        if not changed:\n            break\n    return centroids, labels\n")),
    alternative("kmeans_plusplus_init", "cumulative sums searched with rng.random",
                (DRAW, "        cumulative = np.cumsum(sq_dists)\n"
                       "        chosen.append(int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side='right')))\n")),
    alternative("kmeans_plusplus_init", "rng.choice over rows, distances recomputed from every chosen centroid",
                ("    num_points = X.shape[0]\n", "    num_points = X.shape[0]\n    centroids = [X[rng.choice(num_points)]]\n"
                 "    while len(centroids) < k:\n        C = np.array(centroids)\n"
                 "        d2 = np.min(((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2), axis=1)\n"
                 "        centroids.append(rng.choice(X, p=d2 / d2.sum()))\n    return np.array(centroids)\n")),
    alternative("silhouette_score", "loops over the points with np.linalg.norm",
                (SIL_DISTS, ""),
                ("    num_points, k = X.shape[0], labels.max() + 1\n", "    num_points, k = X.shape[0], labels.max() + 1\n"
                 "    scores = []\n    for i in range(num_points):\n"
                 "        d = np.linalg.norm(X - X[i], axis=1)\n"
                 "        same = labels == labels[i]\n"
                 "        if same.sum() == 1:\n            scores.append(0.0)\n            continue\n"
                 "        a_i = d[same].sum() / (same.sum() - 1)\n"
                 "        b_i = min(d[labels == j].mean() for j in range(k) if j != labels[i])\n"
                 "        scores.append((b_i - a_i) / max(a_i, b_i))\n"
                 "    return sum(scores) / num_points\n")),
    alternative("silhouette_score", "distances from the expansion |x|^2 + |y|^2 - 2 x.y, clipped at 0",
                (SIL_DISTS, SIL_GRAM + "    dists = np.sqrt(np.maximum(d2, 0))\n")),
    alternative("silhouette_score", "np.add.at for the per-cluster sums, np.bincount for the sizes",
                ("    members = labels[np.newaxis, :] == np.arange(k)[:, np.newaxis]\n    sizes = members.sum(axis=1)\n",
                 "    sizes = np.bincount(labels, minlength=k)\n"),
                ("    sums = dists @ members.T\n",
                 "    sums = np.zeros((num_points, k))\n"
                 "    np.add.at(sums, (np.arange(num_points)[:, np.newaxis], labels[np.newaxis, :]), dists)\n")),
]
