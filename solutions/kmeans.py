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
    ### BEGIN SOLUTION
    diffs = X[:, np.newaxis, :] - centroids[np.newaxis, :, :]
    sq_dists = np.sum(diffs ** 2, axis=2)
    return np.argmin(sq_dists, axis=1)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    new_centroids = centroids.copy()
    for j in range(centroids.shape[0]):
        members = X[labels == j]
        if members.shape[0] > 0:
            new_centroids[j] = members.mean(axis=0)
    return new_centroids
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    return float(np.sum((X - centroids[labels]) ** 2))
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    centroids = init_centroids.copy()
    labels = kmeans_assign(X, centroids)
    for _ in range(max_iter):
        centroids = kmeans_update(X, labels, centroids)
        new_labels = kmeans_assign(X, centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, new_labels
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    num_points = X.shape[0]
    chosen = [rng.integers(num_points)]
    sq_dists = np.sum((X - X[chosen[0]]) ** 2, axis=1)
    for _ in range(1, k):
        probs = sq_dists / np.sum(sq_dists)
        chosen.append(rng.choice(num_points, p=probs))
        sq_dists = np.minimum(sq_dists, np.sum((X - X[chosen[-1]]) ** 2, axis=1))
    return X[np.array(chosen)]
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    dists = np.sqrt(np.sum((X[:, np.newaxis, :] - X[np.newaxis, :, :]) ** 2, axis=2))
    num_points, k = X.shape[0], labels.max() + 1
    members = labels[np.newaxis, :] == np.arange(k)[:, np.newaxis]
    sizes = members.sum(axis=1)
    # sums[i, j]: the distances from X[i] to the points of cluster j, summed
    sums = dists @ members.T
    own = sizes[labels]
    a = sums[np.arange(num_points), labels] / np.maximum(own - 1, 1)
    means = sums / sizes
    means[np.arange(num_points), labels] = np.inf
    b = means.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.mean(s))
    ### END SOLUTION
