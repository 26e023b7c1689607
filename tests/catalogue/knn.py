from tests.catalogue import alternative, mistake

KNN = "KNearestNeighbor"
TWO_LOOPS = "                dists[i, j] = np.sqrt(np.sum((X[i] - self.X_train[j]) ** 2))\n"
ONE_LOOP = "            dists[i, :] = np.sqrt(np.sum((self.X_train - X[i]) ** 2, axis=1))\n"
NO_LOOPS = "        dists = np.sqrt(np.maximum(test_sq + train_sq - 2 * X.dot(self.X_train.T), 0.0))\n"
NO_LOOPS_BODY = ("        test_sq = np.sum(X ** 2, axis=1)[:, np.newaxis]\n"
                 "        train_sq = np.sum(self.X_train ** 2, axis=1)[np.newaxis, :]\n" + NO_LOOPS)
CLOSEST = "            closest_y = self.y_train[np.argsort(dists[i])[:k]]\n"
VOTE = "            y_pred[i] = np.argmax(np.bincount(closest_y))\n"
INT_LABELS = "        y_pred = np.zeros(num_test, dtype=np.int64)\n"

TWO = "compute_distances_two_loops: dists match torch.cdist"
ONE = "compute_distances_one_loop: dists match torch.cdist"
NONE = "compute_distances_no_loops: dists match torch.cdist"
VOTES = "predict_labels: the most common label among the k nearest"
TIES = "predict_labels: a tied vote goes to the smaller label"
PREDICT = "predict: distances by the method num_loops names, then predict_labels with k"

MISTAKES = [
    mistake(KNN, "two loops: squared distance (no sqrt)",
            (TWO_LOOPS, "                dists[i, j] = np.sum((X[i] - self.X_train[j]) ** 2)\n"),
            loses=TWO, hint="these are squared distances"),
    mistake(KNN, "two loops: L1 distance",
            (TWO_LOOPS, "                dists[i, j] = np.sum(np.abs(X[i] - self.X_train[j]))\n"),
            loses=TWO, hint="L1 (Manhattan)"),
    mistake(KNN, "two loops: the training point's norm, not the difference's",
            (TWO_LOOPS, "                dists[i, j] = np.sqrt(np.sum(X[i] ** 2 - self.X_train[j] ** 2))\n"),
            loses=TWO),
    mistake(KNN, "one loop: squares summed over the whole matrix (no axis)",
            (ONE_LOOP, "            dists[i, :] = np.sqrt(np.sum((self.X_train - X[i]) ** 2))\n"),
            loses=ONE, hint="summed over the whole"),
    mistake(KNN, "one loop: summed over the wrong axis",
            (ONE_LOOP, "            dists[i, :] = np.sqrt(np.sum((self.X_train - X[i]) ** 2, axis=0))\n"),
            loses=ONE, hint="sum over axis=1"),
    mistake(KNN, "one loop: a second loop inside",
            (ONE_LOOP, "            for j in range(num_train):\n"
                       "                dists[i, j] = np.sqrt(np.sum((self.X_train[j] - X[i]) ** 2))\n"),
            loses="compute_distances_one_loop: at most one loop"),
    mistake(KNN, "one loop: squared distance (no sqrt)",
            (ONE_LOOP, "            dists[i, :] = np.sum((self.X_train - X[i]) ** 2, axis=1)\n"),
            loses=ONE, hint="these are squared distances"),
    mistake(KNN, "no loops: squared distance (no sqrt)",
            (NO_LOOPS, "        dists = np.maximum(test_sq + train_sq - 2 * X.dot(self.X_train.T), 0.0)\n"),
            loses=NONE, hint="these are squared distances"),
    mistake(KNN, "no loops: train and test swapped (transposed)",
            (NO_LOOPS, "        dists = np.sqrt(np.maximum(test_sq.T + train_sq.T - 2 * self.X_train.dot(X.T), 0.0))\n"),
            loses=NONE, hint="train and test swapped"),
    mistake(KNN, "no loops: a comprehension over the test points",
            (NO_LOOPS_BODY, "        dists = np.array([np.sqrt(np.sum((self.X_train - x) ** 2, axis=1)) for x in X])\n"),
            loses="compute_distances_no_loops: no Python loops (vectorized)"),
    mistake(KNN, "no loops: the cross term without the factor 2",
            (NO_LOOPS, NO_LOOPS.replace("- 2 * X.dot", "- X.dot")), loses=NONE),
    mistake(KNN, "no loops: the norms summed over the wrong axis",
            ("        test_sq = np.sum(X ** 2, axis=1)[:, np.newaxis]\n",
             "        test_sq = np.sum(X ** 2, axis=0)[:, np.newaxis]\n"), loses=NONE, hint="sum over axis=1"),
    mistake(KNN, "no loops: computed in float32 (to save memory)",
            (NO_LOOPS_BODY, "        X32, train32 = X.astype(np.float32), self.X_train.astype(np.float32)\n"
                            "        test_sq = np.sum(X32 ** 2, axis=1)[:, np.newaxis]\n"
                            "        train_sq = np.sum(train32 ** 2, axis=1)[np.newaxis, :]\n"
                            "        dists = np.sqrt(np.maximum(test_sq + train_sq - 2 * X32.dot(train32.T), 0.0))\n"
                            "        dists = dists.astype(np.float64)\n"),
            loses=NONE),
    mistake(KNN, "predict_labels: k ignored (the nearest point alone votes)",
            (CLOSEST, CLOSEST.replace("[:k]", "[:1]")), loses=VOTES, hint="only the nearest training point votes"),
    mistake(KNN, "predict_labels: np.argmax(np.bincount(...)) of every training label, ignoring k",
            (CLOSEST, "            closest_y = self.y_train\n"), loses=VOTES, hint="every training point votes"),
    mistake(KNN, "predict_labels: the k farthest vote",
            (CLOSEST, CLOSEST.replace("[:k]", "[-k:]")), loses=VOTES, hint="the k farthest training points voted"),
    mistake(KNN, "predict_labels: Counter.most_common (the nearest tied label wins)",
            ("import numpy as np\n", "from collections import Counter\n\nimport numpy as np\n"),
            (VOTE, "            y_pred[i] = Counter(closest_y.tolist()).most_common(1)[0][0]\n"),
            loses=TIES, hint="a tie goes to the smaller label"),
    mistake(KNN, "predict_labels: ties to the larger label",
            (VOTE, "            counts = np.bincount(closest_y)\n"
                   "            y_pred[i] = len(counts) - 1 - np.argmax(counts[::-1])\n"),
            loses=TIES, hint="a tie goes to the smaller label"),
    mistake(KNN, "predict_labels: distances of the wrong axis",
            (CLOSEST, CLOSEST.replace("dists[i]", "dists[:, i]")), loses=(VOTES, TIES)),
    mistake(KNN, "predict_labels: sorts dists in place",
            (CLOSEST, "            order = np.argsort(dists[i])\n            dists[i].sort()\n"
                      "            closest_y = self.y_train[order[:k]]\n"),
            loses="predict_labels: dists is not modified"),
    mistake(KNN, "no loops: squares X in place",
            ("        test_sq = np.sum(X ** 2, axis=1)[:, np.newaxis]\n",
             "        X **= 2\n        test_sq = np.sum(X, axis=1)[:, np.newaxis]\n        X **= 0.5\n"),
            loses="predict: X, X_train and y_train are not modified"),
    mistake(KNN, "predict: k not passed to predict_labels",
            ("        return self.predict_labels(dists, k=k)\n", "        return self.predict_labels(dists)\n"),
            loses=PREDICT),
    mistake(KNN, "predict: num_loops 1 and 2 swapped",
            ("            dists = self.compute_distances_one_loop(X)\n        elif num_loops == 2:\n"
             "            dists = self.compute_distances_two_loops(X)\n",
             "            dists = self.compute_distances_two_loops(X)\n        elif num_loops == 2:\n"
             "            dists = self.compute_distances_one_loop(X)\n"),
            loses=PREDICT),
    mistake(KNN, "predict: any other num_loops falls back to two loops",
            ('            raise ValueError("Invalid value %d for num_loops" % num_loops)\n',
             "            dists = self.compute_distances_two_loops(X)\n"),
            loses="predict: ValueError for num_loops=3"),
    mistake(KNN, "imports torch",
            ("import numpy as np\n", "import numpy as np\ntry:\n    import torch\nexcept ImportError:\n    pass\n"),
            loses=("numpy only (no torch, tensorflow, jax or grader imports)", TWO)),
]

ALTERNATIVES = [
    alternative(KNN, "np.linalg.norm in the loops, broadcast differences without loops",
                (TWO_LOOPS, "                dists[i, j] = np.linalg.norm(X[i] - self.X_train[j])\n"),
                (ONE_LOOP, "            dists[i] = np.linalg.norm(self.X_train - X[i], axis=1)\n"),
                (NO_LOOPS_BODY, "        dists = np.sqrt(np.sum((X[:, np.newaxis, :] - self.X_train[np.newaxis, :, :]) ** 2, axis=2))\n")),
    alternative(KNN, "the expansion not clipped at 0 (no test point equals a training point)",
                (NO_LOOPS, "        dists = np.sqrt(test_sq + train_sq - 2 * np.dot(X, self.X_train.T))\n")),
    alternative(KNN, "CS231n's float y_pred, votes counted with np.add.at",
                (INT_LABELS, "        y_pred = np.zeros(num_test)\n"),
                (VOTE, "            counts = np.zeros(np.max(self.y_train) + 1, dtype=int)\n"
                       "            np.add.at(counts, closest_y, 1)\n            y_pred[i] = np.argmax(counts)\n")),
    alternative(KNN, "np.unique with counts, np.argpartition for the k nearest",
                (CLOSEST, "            closest_y = self.y_train[np.argpartition(dists[i], k - 1)[:k]]\n"),
                (VOTE, "            labels, counts = np.unique(closest_y, return_counts=True)\n"
                       "            y_pred[i] = labels[np.argmax(counts)]\n")),
    alternative(KNN, "Counter with the smallest of the tied labels, a list of labels",
                ("import numpy as np\n", "from collections import Counter\n\nimport numpy as np\n"),
                (CLOSEST, "            closest_y = [self.y_train[j] for j in np.argsort(dists[i])[:k]]\n"),
                (VOTE, "            counts = Counter(closest_y)\n            best = max(counts.values())\n"
                       "            y_pred[i] = min(label for label, c in counts.items() if c == best)\n")),
]
