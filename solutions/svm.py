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
    ### BEGIN SOLUTION
    num_train, num_classes = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W)
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train + 2 * reg * W
    return loss, dW
    ### END SOLUTION


def svm_loss_vectorized(W, X, y, reg):
    """
    Structured SVM loss function, vectorized implementation: no Python loops.

    Inputs and outputs are the same as svm_loss_naive.
    """
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[rows, y][:, np.newaxis] + 1)
    margins[rows, y] = 0
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
    dscores = (margins > 0).astype(W.dtype)
    dscores[rows, y] = -np.sum(dscores, axis=1)
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    num_train = x.shape[0]
    rows = np.arange(num_train)
    margins = np.maximum(0, x - x[rows, y][:, np.newaxis] + 1.0)
    margins[rows, y] = 0
    loss = np.sum(margins) / num_train
    num_pos = np.sum(margins > 0, axis=1)
    dx = np.zeros_like(x)
    dx[margins > 0] = 1
    dx[rows, y] -= num_pos
    dx /= num_train
    return loss, dx
    ### END SOLUTION
