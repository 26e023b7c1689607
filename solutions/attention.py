"""Scaled dot-product attention, forward and backward, with an optional mask of the keys each query
may attend to."""

import numpy as np


def attention_forward(q, k, v, mask=None):
    """
    Forward pass for scaled dot-product attention over a minibatch of N sequences.

    Inputs:
    - q: Queries, of shape (N, Tq, D)
    - k: Keys, of shape (N, Tk, D)
    - v: Values, of shape (N, Tk, Dv)
    - mask: None, or a boolean array of shape (N, Tq, Tk): mask[n, i, j] is True when query i may
      attend to key j (every query may attend to at least one key)

    Returns a tuple of:
    - out: Output, of shape (N, Tq, Dv)
    - cache: Values needed for the backward pass (opaque to the caller)

    scores = q k^T / sqrt(D), of shape (N, Tq, Tk); masked scores are left out of the softmax, so
    masked keys get exactly zero weight; weights = softmax(scores) over the keys (the last axis);
    out = weights v. Stable for scores of large magnitude: subtract each row's maximum first, taken
    over the allowed scores; masked scores change nothing, even far above the allowed ones.
    """
    ### BEGIN SOLUTION
    scale = 1.0 / np.sqrt(q.shape[-1])
    scores = np.matmul(q, np.swapaxes(k, 1, 2)) * scale
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    shifted = scores - np.max(scores, axis=-1, keepdims=True)
    exp_scores = np.exp(shifted)
    weights = exp_scores / np.sum(exp_scores, axis=-1, keepdims=True)
    out = np.matmul(weights, v)
    cache = (q, k, v, weights, scale)
    return out, cache
    ### END SOLUTION


def attention_backward(dout, cache):
    """
    Backward pass for scaled dot-product attention.

    Inputs:
    - dout: Upstream gradients, of shape (N, Tq, Dv)
    - cache: Values from the forward pass

    Returns a tuple of:
    - dq: Gradient of the queries, of shape (N, Tq, D)
    - dk: Gradient of the keys, of shape (N, Tk, D)
    - dv: Gradient of the values, of shape (N, Tk, Dv)

    With dweights = dout v^T, the softmax's backward gives
    dscores = weights * (dweights - sum over keys of weights * dweights); then
    dq = dscores k / sqrt(D), dk = dscores^T q / sqrt(D) and dv = weights^T dout.
    """
    ### BEGIN SOLUTION
    q, k, v, weights, scale = cache
    dweights = np.matmul(dout, np.swapaxes(v, 1, 2))
    dscores = weights * (dweights - np.sum(weights * dweights, axis=-1, keepdims=True))
    dscores *= scale
    dq = np.matmul(dscores, k)
    dk = np.matmul(np.swapaxes(dscores, 1, 2), q)
    dv = np.matmul(np.swapaxes(weights, 1, 2), dout)
    return dq, dk, dv
    ### END SOLUTION
