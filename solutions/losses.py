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
    ### BEGIN SOLUTION
    diff = pred - target
    loss = np.mean(diff * diff)
    dpred = 2 * diff / diff.size
    return loss, dpred
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    diff = pred - target
    loss = np.mean(np.abs(diff))
    dpred = np.sign(diff) / diff.size
    return loss, dpred
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    diff = pred - target
    small = np.abs(diff) < beta
    elements = np.where(small, 0.5 * diff * diff / beta, np.abs(diff) - 0.5 * beta)
    loss = np.mean(elements)
    dpred = np.where(small, diff / beta, np.sign(diff)) / diff.size
    return loss, dpred
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    loss = np.mean(np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits))))
    # sigmoid without overflow: exp of a non-positive number only
    e = np.exp(-np.abs(logits))
    sigmoid = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    dlogits = (sigmoid - target) / logits.size
    return loss, dlogits
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    return reg * np.sum(W * W), 2 * reg * W
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    return reg * np.sum(np.abs(W)), reg * np.sign(W)
    ### END SOLUTION
