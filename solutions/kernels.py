"""SVM kernels (scikit-learn's names, argument order and defaults) and the kernel SVM's decision function."""

import numpy as np


def pairwise_sq_distances(X, Z):
    """
    Squared Euclidean distances between the rows of two matrices, vectorized (no Python loops).

    Inputs:
    - X: A numpy array of shape (N, D).
    - Z: A numpy array of shape (M, D).

    Returns:
    - sq_dists: A numpy array of shape (N, M) with sq_dists[i, j] = ||X[i] - Z[j]||^2. Computed as
      ||X[i]||^2 + ||Z[j]||^2 - 2 X[i].Z[j], rounding can make an entry slightly negative: clip at 0.
    """
    ### BEGIN SOLUTION
    sq_dists = np.sum(X ** 2, axis=1)[:, None] + np.sum(Z ** 2, axis=1)[None, :] - 2 * X.dot(Z.T)
    return np.maximum(sq_dists, 0.0)
    ### END SOLUTION


def linear_kernel(X, Z):
    """
    Linear kernel k(x, z) = x.z.

    Inputs:
    - X: A numpy array of shape (N, D).
    - Z: A numpy array of shape (M, D).

    Returns:
    - K: A numpy array of shape (N, M) with K[i, j] = X[i].Z[j].
    """
    ### BEGIN SOLUTION
    return X.dot(Z.T)
    ### END SOLUTION


def polynomial_kernel(X, Z, degree=3, gamma=None, coef0=1.0):
    """
    Polynomial kernel k(x, z) = (gamma x.z + coef0)^degree.

    Inputs:
    - X: A numpy array of shape (N, D).
    - Z: A numpy array of shape (M, D).
    - degree: (int) the degree, >= 1.
    - gamma: (float) the scale of x.z; None means 1 / D.
    - coef0: (float) the constant term.

    Returns:
    - K: A numpy array of shape (N, M).
    """
    ### BEGIN SOLUTION
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    return (gamma * X.dot(Z.T) + coef0) ** degree
    ### END SOLUTION


def rbf_kernel(X, Z, gamma=None):
    """
    Gaussian (RBF) kernel k(x, z) = exp(-gamma ||x - z||^2).

    Inputs:
    - X: A numpy array of shape (N, D).
    - Z: A numpy array of shape (M, D).
    - gamma: (float) > 0; None means 1 / D.

    Returns:
    - K: A numpy array of shape (N, M), every entry in [0, 1] for any input (a squared distance
      is never negative, so clip rounding at 0).
    """
    ### BEGIN SOLUTION
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    return np.exp(-gamma * pairwise_sq_distances(X, Z))
    ### END SOLUTION


def sigmoid_kernel(X, Z, gamma=None, coef0=1.0):
    """
    Sigmoid kernel k(x, z) = tanh(gamma x.z + coef0).

    Inputs:
    - X: A numpy array of shape (N, D).
    - Z: A numpy array of shape (M, D).
    - gamma: (float) the scale of x.z; None means 1 / D.
    - coef0: (float) the constant term.

    Returns:
    - K: A numpy array of shape (N, M).
    """
    ### BEGIN SOLUTION
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    return np.tanh(gamma * X.dot(Z.T) + coef0)
    ### END SOLUTION


def svm_decision_function(K, alpha, y, b):
    """
    Decision function of a kernel SVM (its dual form).

    Inputs:
    - K: A numpy array of shape (N, M), the kernel between the N support vectors (training points)
      and M test points: K[i, j] = k(x_i, x_test_j).
    - alpha: A numpy array of shape (N,) of dual coefficients, alpha[i] >= 0.
    - y: A numpy array of shape (N,) of labels in {-1, +1}.
    - b: (float) the bias.

    Returns:
    - scores: A numpy array of shape (M,) with scores[j] = sum_i alpha[i] y[i] K[i, j] + b.
    """
    ### BEGIN SOLUTION
    return (alpha * y).dot(K) + b
    ### END SOLUTION
