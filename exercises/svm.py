"""Multiclass SVM: the hinge loss of a linear classifier and of a matrix of scores, with gradients."""

import numpy as np


def svm_loss_naive(W, X, y, reg):
    """
    Structured SVM loss function, naive implementation (with loops).

    Inputs have dimension D, there are C classes, and we operate on minibatches of N examples.

    Inputs:
    - W: A numpy array of shape (D, C) containing weights.
    - X: A numpy array of shape (N, D) containing a minibatch of data.
    - y: A numpy array of shape (N,) containing training labels; y[i] = c means that X[i] has
      label c, where 0 <= c < C.
    - reg: (float) regularization strength.

    Returns a tuple of:
    - loss as single float: with scores s = X[i].dot(W), L_i = sum over j != y[i] of
      max(0, s[j] - s[y[i]] + 1); the loss is the mean of L_i over i, plus reg * sum(W * W)
    - gradient with respect to weights W; an array of same shape as W
    """
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_naive: not implemented yet")


def svm_loss_vectorized(W, X, y, reg):
    """
    Structured SVM loss function, vectorized implementation: no Python loops.

    Inputs and outputs are the same as svm_loss_naive.
    """
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_vectorized: not implemented yet")


def svm_loss(x, y):
    """
    Computes the loss and gradient for multiclass SVM classification.

    Inputs:
    - x: Input data, of shape (N, C) where x[i, j] is the score for the jth class for the ith input.
    - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and 0 <= y[i] < C

    Returns a tuple of:
    - loss: Scalar giving the mean over i of sum over j != y[i] of max(0, x[i, j] - x[i, y[i]] + 1)
    - dx: Gradient of the loss with respect to x, of shape (N, C)
    """
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss: not implemented yet")
