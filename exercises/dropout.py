"""Inverted dropout: the forward pass with its random mask, and the backward pass through that mask."""

import numpy as np


def dropout_forward(x, dropout_param):
    """
    Performs the forward pass for (inverted) dropout.

    Inputs:
    - x: Input data, an array of any shape
    - dropout_param: A dictionary with the following keys:
      - p: Dropout parameter. We keep each neuron output with probability p (0 < p <= 1).
      - mode: 'test' or 'train'. If the mode is train, then perform dropout; if the mode is test,
        then just return the input. Other modes are not graded.
      - seed: Seed for the random number generator. Passing seed makes this function deterministic,
        which is needed for gradient checking but not in real networks.

    Outputs:
    - out: Array of the same shape and dtype as x: x * mask in train mode, where mask holds 0 (a
      dropped unit) or 1 / p (a kept unit, rescaled so that the expected output is x); x in test mode.
    - cache: tuple (dropout_param, mask). In training mode, mask is the dropout mask (of the dtype of
      x) that was used to multiply the input; in test mode, mask is None.
    """
    # YOUR CODE HERE
    raise NotImplementedError("dropout_forward: not implemented yet")


def dropout_backward(dout, cache):
    """
    Performs the backward pass for (inverted) dropout.

    Inputs:
    - dout: Upstream derivatives, of any shape
    - cache: (dropout_param, mask) from dropout_forward.

    Returns:
    - dx: dout * mask in train mode (the mask of the forward pass), dout in test mode
    """
    # YOUR CODE HERE
    raise NotImplementedError("dropout_backward: not implemented yet")
