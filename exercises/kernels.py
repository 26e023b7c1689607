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
    # YOUR CODE HERE
    raise NotImplementedError("pairwise_sq_distances: not implemented yet")


def linear_kernel(X, Z):
    """
    Linear kernel k(x, z) = x.z.

    Inputs:
    - X: A numpy array of shape (N, D).
    - Z: A numpy array of shape (M, D).

    Returns:
    - K: A numpy array of shape (N, M) with K[i, j] = X[i].Z[j].
    """
    # YOUR CODE HERE
    raise NotImplementedError("linear_kernel: not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("polynomial_kernel: not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("rbf_kernel: not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("sigmoid_kernel: not implemented yet")


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
    # YOUR CODE HERE
    raise NotImplementedError("svm_decision_function: not implemented yet")
