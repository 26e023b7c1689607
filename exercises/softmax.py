"""Softmax classifier: the softmax function and the cross-entropy loss with its gradient."""

import numpy as np


def softmax(x):
    """
    Row-wise softmax of a matrix of scores.

    Inputs:
    - x: A numpy array of shape (N, C); x[i, j] is the score of class j for example i.

    Returns:
    - probs: A numpy array of shape (N, C) with probs[i, j] = exp(x[i, j]) / sum_k exp(x[i, k]).
      Every row sums to one. The result must be finite for any finite x: subtract the row
      maximum first (softmax is unchanged by adding a constant to a row).
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax: not implemented yet")


def softmax_loss_naive(W, X, y, reg):
    """
    Softmax loss function, naive implementation (with loops).

    Inputs have dimension D, there are C classes, and we operate on minibatches of N examples.

    Inputs:
    - W: A numpy array of shape (D, C) containing weights.
    - X: A numpy array of shape (N, D) containing a minibatch of data.
    - y: A numpy array of shape (N,) containing training labels; y[i] = c means that X[i] has
      label c, where 0 <= c < C.
    - reg: (float) regularization strength.

    Returns a tuple of:
    - loss as single float: mean over i of -log softmax(X W)[i, y[i]], plus reg * sum(W * W)
    - gradient with respect to weights W; an array of same shape as W
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_naive: not implemented yet")


def softmax_loss_vectorized(W, X, y, reg):
    """
    Softmax loss function, vectorized version: no Python loops.

    Inputs and outputs are the same as softmax_loss_naive.
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_vectorized: not implemented yet")


def softmax_loss(x, y):
    """
    Computes the loss and gradient for softmax classification.

    Inputs:
    - x: Input data, of shape (N, C) where x[i, j] is the score for the jth class for the ith input.
    - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and 0 <= y[i] < C

    Returns a tuple of:
    - loss: Scalar giving the mean cross-entropy loss, mean over i of -log softmax(x)[i, y[i]]
    - dx: Gradient of the loss with respect to x, of shape (N, C)
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss: not implemented yet")
