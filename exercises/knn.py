"""k-nearest-neighbour classifier with L2 distance (CS231n assignment 1's k_nearest_neighbor.py)."""

import numpy as np


class KNearestNeighbor(object):
    """
    A kNN classifier with L2 distance (CS231n's KNearestNeighbor). Built with no argument; train(X, y)
    is called first.

    Methods:
    - train(X, y): memorizes X (num_train, D) and y (num_train,) as self.X_train and self.y_train.
    - compute_distances_two_loops(X), compute_distances_one_loop(X), compute_distances_no_loops(X):
      dists (num_test, num_train), the Euclidean (L2, not squared) distance from each test point X[i]
      to each training point self.X_train[j]; with loops over test and training points, with at most
      one loop (over the test points), and vectorized (no loop or comprehension).
    - predict_labels(dists, k=1): y_pred (num_test,), the most common label among the k training
      points nearest to each test point; a tie in the vote goes to the smaller label.
    - predict(X, k=1, num_loops=0): distances by the method num_loops names (0, 1 or 2; anything else
      raises ValueError), then predict_labels(dists, k=k).
    """

    def __init__(self):
        pass

    def train(self, X, y):
        """
        Train the classifier. For k-nearest neighbors this is just memorizing the training data.

        Inputs:
        - X: A numpy array of shape (num_train, D) containing the training data consisting of
          num_train samples each of dimension D.
        - y: A numpy array of shape (num_train,) containing the training labels, where y[i] is the
          label for X[i].
        """
        self.X_train = X
        self.y_train = y

    def predict(self, X, k=1, num_loops=0):
        """
        Predict labels for test data using this classifier.

        Inputs:
        - X: A numpy array of shape (num_test, D) containing test data consisting of num_test
          samples each of dimension D.
        - k: The number of nearest neighbors that vote for the predicted labels.
        - num_loops: Determines which implementation to use to compute distances between training
          points and testing points (0, 1 or 2; anything else raises ValueError).

        Returns:
        - y: A numpy array of shape (num_test,) containing predicted labels for the test data,
          where y[i] is the predicted label for the test point X[i].
        """
        if num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        elif num_loops == 2:
            dists = self.compute_distances_two_loops(X)
        else:
            raise ValueError("Invalid value %d for num_loops" % num_loops)

        return self.predict_labels(dists, k=k)

    def compute_distances_two_loops(self, X):
        """
        Compute the distance between each test point in X and each training point in self.X_train
        using a nested loop over both the training data and the test data.

        Inputs:
        - X: A numpy array of shape (num_test, D) containing test data.

        Returns:
        - dists: A numpy array of shape (num_test, num_train) where dists[i, j] is the Euclidean
          distance (L2, not squared) between the ith test point and the jth training point.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                # YOUR CODE HERE
                raise NotImplementedError("KNearestNeighbor: not implemented yet")
        return dists

    def compute_distances_one_loop(self, X):
        """
        Compute the distance between each test point in X and each training point in self.X_train
        using a single loop over the test data.

        Input / Output: Same as compute_distances_two_loops
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            # YOUR CODE HERE
            raise NotImplementedError("KNearestNeighbor: not implemented yet")
        return dists

    def compute_distances_no_loops(self, X):
        """
        Compute the distance between each test point in X and each training point in self.X_train
        using no explicit loops.

        Input / Output: Same as compute_distances_two_loops

        Hint: ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b, with one matrix multiplication and two
        broadcast sums. Rounding can make a squared distance slightly negative: clip it at 0 before
        the square root.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # YOUR CODE HERE
        raise NotImplementedError("KNearestNeighbor: not implemented yet")
        return dists

    def predict_labels(self, dists, k=1):
        """
        Given a matrix of distances between test points and training points, predict a label for
        each test point.

        Inputs:
        - dists: A numpy array of shape (num_test, num_train) where dists[i, j] gives the distance
          between the ith test point and the jth training point.
        - k: The number of nearest neighbors that vote, 1 <= k <= num_train.

        Returns:
        - y: A numpy array of shape (num_test,) containing predicted labels for the test data,
          where y[i] is the most common label among the k training points nearest to the ith test
          point (self.y_train). Break ties by choosing the smaller label.
        """
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test, dtype=np.int64)
        for i in range(num_test):
            # YOUR CODE HERE
            raise NotImplementedError("KNearestNeighbor: not implemented yet")
        return y_pred
