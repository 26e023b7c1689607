"""Elementwise regression and classification losses, and weight penalties, with their gradients."""

import numpy as np


def mse_loss(pred, target):
    """
    Mean squared error.

    Inputs:
    - pred: A numpy array of any shape holding predictions.
    - target: A numpy array of the same shape holding the targets.

    Returns a tuple of:
    - loss: Scalar, the mean over all elements of (pred - target)**2
    - dpred: Gradient of the loss with respect to pred, of the same shape as pred
    """
    # YOUR CODE HERE
    raise NotImplementedError("mse_loss: not implemented yet")


def l1_loss(pred, target):
    """
    Mean absolute error.

    Inputs:
    - pred: A numpy array of any shape holding predictions.
    - target: A numpy array of the same shape holding the targets.

    Returns a tuple of:
    - loss: Scalar, the mean over all elements of |pred - target|
    - dpred: Gradient of the loss with respect to pred, of the same shape as pred
    """
    # YOUR CODE HERE
    raise NotImplementedError("l1_loss: not implemented yet")


def smooth_l1_loss(pred, target, beta=1.0):
    """
    Smooth L1 loss: quadratic for small differences, linear for large ones.

    Inputs:
    - pred: A numpy array of any shape holding predictions.
    - target: A numpy array of the same shape holding the targets.
    - beta: (float) beta > 0, where the loss changes from quadratic to linear.

    Returns a tuple of:
    - loss: Scalar, the mean over all elements of, with d = pred - target,
      0.5 * d**2 / beta if |d| < beta, else |d| - 0.5 * beta
    - dpred: Gradient of the loss with respect to pred, of the same shape as pred
    """
    # YOUR CODE HERE
    raise NotImplementedError("smooth_l1_loss: not implemented yet")


def bce_with_logits_loss(logits, target):
    """
    Binary cross-entropy on logits (the sigmoid and the cross-entropy in one, stable step).

    Inputs:
    - logits: A numpy array of any shape holding scores z.
    - target: A numpy array of the same shape with targets t in [0, 1].

    Returns a tuple of:
    - loss: Scalar, the mean over all elements of -[t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))].
      It must be finite for |z| up to 1e4: use max(z, 0) - z * t + log(1 + exp(-|z|)), which is
      the same value, rather than the log of a sigmoid that rounds to 0 or 1.
    - dlogits: Gradient of the loss with respect to logits, of the same shape as logits
    """
    # YOUR CODE HERE
    raise NotImplementedError("bce_with_logits_loss: not implemented yet")


def l2_regularization(W, reg):
    """
    L2 weight penalty (not a mean).

    Inputs:
    - W: A numpy array of weights, of any shape.
    - reg: (float) regularization strength.

    Returns a tuple of:
    - loss: Scalar, reg * sum(W * W)
    - dW: Gradient of the loss with respect to W, of the same shape as W
    """
    # YOUR CODE HERE
    raise NotImplementedError("l2_regularization: not implemented yet")


def l1_regularization(W, reg):
    """
    L1 weight penalty (not a mean).

    Inputs:
    - W: A numpy array of weights, of any shape.
    - reg: (float) regularization strength.

    Returns a tuple of:
    - loss: Scalar, reg * sum(|W|)
    - dW: Gradient of the loss with respect to W, of the same shape as W
    """
    # YOUR CODE HERE
    raise NotImplementedError("l1_regularization: not implemented yet")
