"""CS231n assignment 1's k-nearest-neighbour classifier, handed in as CS231n lays it out, grades as it is:
the package cs231n/classifiers/, its Python 2 compatibility imports (`from builtins import range`,
`from past.builtins import xrange`, which the `future` package dlgrade depends on provides), CS231n's
float `y_pred = np.zeros(num_test)` and the unclipped expansion ||a||^2 + ||b||^2 - 2 a.b."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine import registry
from tests.conftest import grade_folder

HEADER = """from builtins import range
from builtins import object
import numpy as np
from past.builtins import xrange


class KNearestNeighbor(object):
    \"\"\" a kNN classifier with L2 distance \"\"\"

    def __init__(self):
        pass

    def train(self, X, y):
        self.X_train = X
        self.y_train = y

    def predict(self, X, k=1, num_loops=0):
        if num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        elif num_loops == 2:
            dists = self.compute_distances_two_loops(X)
        else:
            raise ValueError("Invalid value %d for num_loops" % num_loops)

        return self.predict_labels(dists, k=k)
"""

# CS231n's starter: `pass` where the student's code goes.
STARTER = HEADER + """
    def compute_distances_two_loops(self, X):
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

                pass

                # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        return dists

    def compute_distances_one_loop(self, X):
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

            pass

            # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        return dists

    def compute_distances_no_loops(self, X):
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        pass

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        return dists

    def predict_labels(self, dists, k=1):
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test)
        for i in range(num_test):
            closest_y = []
            # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

            pass

            # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return y_pred
"""

# The starter as a student completes it.
ANSWERS = (
    ("                pass\n", "                dists[i, j] = np.sqrt(np.sum(np.square(X[i] - self.X_train[j])))\n"),
    ("            # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n\n            pass\n\n"
     "            # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n        return dists",
     "            # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n\n"
     "            dists[i, :] = np.sqrt(np.sum(np.square(self.X_train - X[i, :]), axis=1))\n\n"
     "            # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n        return dists"),
    ("\n\n        pass\n", "\n\n        dists = np.sqrt(-2 * np.dot(X, self.X_train.T) + np.sum(np.square(self.X_train), axis=1)\n"
                     "                        + np.transpose([np.sum(np.square(X), axis=1)]))\n"),
    ("        for i in range(num_test):\n            closest_y = []",
     "        for i in xrange(num_test):\n            closest_y = []"),
    ("            pass\n\n            # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n\n        return y_pred",
     "            closest_y = self.y_train[np.argsort(dists[i])[:k]]\n"
     "            y_pred[i] = np.argmax(np.bincount(closest_y))\n\n"
     "            # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n\n        return y_pred"),
)


def _completed() -> str:
    text = STARTER
    for old, new in ANSWERS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _cs231n_folder(root: Path, classifier: str) -> Path:
    """cs231n/classifiers/k_nearest_neighbor.py as the assignment lays it out, with its package files."""
    classifiers = root / "cs231n" / "classifiers"
    classifiers.mkdir(parents=True)
    (root / "cs231n" / "__init__.py").write_text("")
    (classifiers / "__init__.py").write_text("from cs231n.classifiers.k_nearest_neighbor import *\n")
    (classifiers / "k_nearest_neighbor.py").write_text(classifier)
    return root


@pytest.fixture
def student(tmp_path) -> Path:
    folder = tmp_path / "student"
    folder.mkdir()
    return folder


def test_a_completed_cs231n_k_nearest_neighbor_grades_full_marks_as_it_is(student):
    result = grade_folder(_cs231n_folder(student, _completed()), ("KNearestNeighbor",)).exercises[0]
    assert result.status == "graded", result.message
    assert result.score == result.max_score == registry.exercise("KNearestNeighbor").max_points(include_hidden=True), \
        [(c.name, c.message) for c in result.checks if not c.passed]
    assert result.source.startswith("cs231n/classifiers/k_nearest_neighbor.py"), result.source


def test_the_untouched_cs231n_starter_loads_and_scores_zero(student):
    """The starter's predict is CS231n's own, and correct: it scores nothing until the student's code does."""
    result = grade_folder(_cs231n_folder(student, STARTER), ("KNearestNeighbor",)).exercises[0]
    assert result.status == "graded", result.message
    assert result.score == 0, [c.name for c in result.checks if c.passed and c.points]


def test_a_cs231n_mistake_is_caught_with_its_hint(student):
    squared = _completed().replace("dists[i, j] = np.sqrt(np.sum(np.square(X[i] - self.X_train[j])))",
                                   "dists[i, j] = np.sum(np.square(X[i] - self.X_train[j]))")
    result = grade_folder(_cs231n_folder(student, squared), ("KNearestNeighbor",)).exercises[0]
    checks = {c.name: c for c in result.checks}
    two_loops = checks["compute_distances_two_loops: dists match torch.cdist"]
    assert not two_loops.passed and "squared distances" in two_loops.message
    assert checks["compute_distances_no_loops: dists match torch.cdist"].passed
