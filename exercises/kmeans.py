"""K-means clustering: nearest-centroid assignment, Lloyd's algorithm, k-means++ seeding, and the silhouette
score for choosing k."""

import numpy as np


def kmeans_assign(X, centroids):
    """
    Assigns every point to its nearest centroid.

    Inputs:
    - X: A numpy array of shape (N, D) containing N data points.
    - centroids: A numpy array of shape (k, D) containing k centroids.

    Returns:
    - labels: An integer numpy array of shape (N,); labels[i] = argmin_j ||X[i] - centroids[j]||^2,
      the index of the centroid nearest to X[i] in squared Euclidean distance.
    """
    # YOUR CODE HERE
    raise NotImplementedError("kmeans_assign: not implemented yet")


def kmeans_update(X, labels, centroids):
    """
    Moves every centroid to the mean of the points assigned to it.

    Inputs:
    - X: A numpy array of shape (N, D) containing N data points.
    - labels: An integer numpy array of shape (N,); labels[i] = j means X[i] belongs to cluster j,
      where 0 <= j < k.
    - centroids: A numpy array of shape (k, D) containing the current centroids.

    Returns:
    - new_centroids: A numpy array of shape (k, D); new_centroids[j] is the mean of the points
      X[i] with labels[i] == j. A cluster with no points keeps its old centroid,
      new_centroids[j] = centroids[j]. The input centroids are not modified.
    """
    # YOUR CODE HERE
    raise NotImplementedError("kmeans_update: not implemented yet")


def kmeans_inertia(X, labels, centroids):
    """
    Within-cluster sum of squares of a clustering.

    Inputs:
    - X: A numpy array of shape (N, D) containing N data points.
    - labels: An integer numpy array of shape (N,) with 0 <= labels[i] < k.
    - centroids: A numpy array of shape (k, D).

    Returns:
    - inertia: A float, sum_i ||X[i] - centroids[labels[i]]||^2 (the distance to the centroid
      each point is assigned to, which need not be its nearest one).
    """
    # YOUR CODE HERE
    raise NotImplementedError("kmeans_inertia: not implemented yet")


def kmeans_fit(X, init_centroids, max_iter=100):
    """
    Lloyd's algorithm for k-means, started from the given centroids.

    Alternates an assignment step (kmeans_assign) and an update step (kmeans_update) until the
    assignment no longer changes or max_iter updates were made.

    Inputs:
    - X: A numpy array of shape (N, D) containing N data points.
    - init_centroids: A numpy array of shape (k, D) with the initial centroids; not modified.
    - max_iter: (int) the largest number of update steps, max_iter >= 1.

    Returns a tuple of:
    - centroids: A numpy array of shape (k, D), the centroids after the last update.
    - labels: An integer numpy array of shape (N,), the assignment of every point to the returned
      centroids: labels == kmeans_assign(X, centroids).
    """
    # YOUR CODE HERE
    raise NotImplementedError("kmeans_fit: not implemented yet")


def kmeans_plusplus_init(X, k, rng):
    """
    k-means++ seeding (Arthur and Vassilvitskii, 2007).

    The first centroid is a row of X drawn uniformly at random. Each next centroid is a row X[i]
    drawn with probability D(i)^2 / sum_j D(j)^2, where D(i) is the distance from X[i] to the
    nearest centroid chosen so far. Draw only from rng, never from the global np.random state.

    Inputs:
    - X: A numpy array of shape (N, D) containing N data points, at least k of them distinct.
    - k: (int) the number of centroids, 1 <= k.
    - rng: A numpy.random.Generator, the only source of randomness.

    Returns:
    - centroids: A numpy array of shape (k, D) whose rows are rows of X, in the order chosen.
    """
    # YOUR CODE HERE
    raise NotImplementedError("kmeans_plusplus_init: not implemented yet")


def silhouette_score(X, labels):
    """
    The mean silhouette coefficient of a clustering (Rousseeuw, 1987), a way to choose k: the
    clustering with the highest score has the tightest, best separated clusters.

    For every point i, with Euclidean distances (not squared):
    - a(i): the mean distance from X[i] to the other points of its own cluster;
    - b(i): the smallest, over the other clusters, of the mean distance from X[i] to the points of
      that cluster;
    - s(i) = (b(i) - a(i)) / max(a(i), b(i)), a number in [-1, 1]; s(i) = 0 when X[i] is alone in its
      cluster (scikit-learn's convention).

    Inputs:
    - X: A numpy array of shape (N, D) containing N distinct data points.
    - labels: An integer numpy array of shape (N,) with at least 2 clusters; every label from 0 to
      labels.max() is used.

    Returns:
    - score: A float, the mean of s(i) over all points.
    """
    # YOUR CODE HERE
    raise NotImplementedError("silhouette_score: not implemented yet")
