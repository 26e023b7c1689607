"""Normalization layers: batch normalization, layer normalization, spatial batch and group normalization.

Every normalization divides by sqrt(var + eps) (eps inside the square root), with the biased variance
(the mean of the squared deviations, not divided by N - 1).
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """
    Forward pass for batch normalization.

    During training the sample mean and (biased) sample variance are computed from minibatch statistics
    and used to normalize the incoming data. We also keep an exponentially decaying running mean of the
    mean and variance of each feature, and these averages are used to normalize data at test time:

    running_mean = momentum * running_mean + (1 - momentum) * sample_mean
    running_var = momentum * running_var + (1 - momentum) * sample_var

    Input:
    - x: Data of shape (N, D)
    - gamma: Scale parameter of shape (D,)
    - beta: Shift parameter of shape (D,)
    - bn_param: Dictionary with the following keys:
      - mode: 'train' or 'test'; required (any other value raises ValueError)
      - eps: Constant for numeric stability (default 1e-5)
      - momentum: Constant for running mean / variance (default 0.9)
      - running_mean: Array of shape (D,) giving running mean of features (default zeros)
      - running_var: Array of shape (D,) giving running variance of features (default zeros)
      In train mode the updated running_mean and running_var are stored back into bn_param.

    Returns a tuple of:
    - out: of shape (N, D), gamma * (x - mean) / sqrt(var + eps) + beta
    - cache: A tuple of values needed in the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("batchnorm_forward: not implemented yet")


def batchnorm_backward(dout, cache):
    """
    Backward pass for batch normalization.

    Work through the computational graph of the forward pass stage by stage (or use any other correct
    method).

    Inputs:
    - dout: Upstream derivatives, of shape (N, D)
    - cache: Variable of intermediates from batchnorm_forward (train mode).

    Returns a tuple of:
    - dx: Gradient with respect to inputs x, of shape (N, D)
    - dgamma: Gradient with respect to scale parameter gamma, of shape (D,)
    - dbeta: Gradient with respect to shift parameter beta, of shape (D,)
    """
    # YOUR CODE HERE
    raise NotImplementedError("batchnorm_backward: not implemented yet")


def batchnorm_backward_alt(dout, cache):
    """
    Alternative backward pass for batch normalization: the gradient with respect to x simplified on
    paper to a single expression, evaluated without Python loops.

    Inputs / outputs: Same as batchnorm_backward
    """
    # YOUR CODE HERE
    raise NotImplementedError("batchnorm_backward_alt: not implemented yet")


def layernorm_forward(x, gamma, beta, ln_param):
    """
    Forward pass for layer normalization.

    During both training and test-time, the incoming data is normalized per data-point (over its D
    features), before being scaled by gamma and beta parameters identical to that of batch
    normalization. There are no running statistics.

    Input:
    - x: Data of shape (N, D)
    - gamma: Scale parameter of shape (D,)
    - beta: Shift parameter of shape (D,)
    - ln_param: Dictionary with the following keys:
        - eps: Constant for numeric stability (default 1e-5)

    Returns a tuple of:
    - out: of shape (N, D)
    - cache: A tuple of values needed in the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("layernorm_forward: not implemented yet")


def layernorm_backward(dout, cache):
    """
    Backward pass for layer normalization.

    Inputs:
    - dout: Upstream derivatives, of shape (N, D)
    - cache: Variable of intermediates from layernorm_forward.

    Returns a tuple of:
    - dx: Gradient with respect to inputs, of shape (N, D)
    - dgamma: Gradient with respect to scale parameter gamma, of shape (D,)
    - dbeta: Gradient with respect to shift parameter beta, of shape (D,)
    """
    # YOUR CODE HERE
    raise NotImplementedError("layernorm_backward: not implemented yet")


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """
    Computes the forward pass for spatial batch normalization.

    Inputs:
    - x: Input data of shape (N, C, H, W)
    - gamma: Scale parameter, of shape (C,)
    - beta: Shift parameter, of shape (C,)
    - bn_param: Dictionary as for batchnorm_forward, with running_mean and running_var of shape (C,).
      The statistics of channel c are taken over N, H and W.

    Returns a tuple of:
    - out: Output data, of shape (N, C, H, W)
    - cache: Values needed for the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("spatial_batchnorm_forward: not implemented yet")


def spatial_batchnorm_backward(dout, cache):
    """
    Computes the backward pass for spatial batch normalization.

    Inputs:
    - dout: Upstream derivatives, of shape (N, C, H, W)
    - cache: Values from the forward pass

    Returns a tuple of:
    - dx: Gradient with respect to inputs, of shape (N, C, H, W)
    - dgamma: Gradient with respect to scale parameter, of shape (C,)
    - dbeta: Gradient with respect to shift parameter, of shape (C,)
    """
    # YOUR CODE HERE
    raise NotImplementedError("spatial_batchnorm_backward: not implemented yet")


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """
    Computes the forward pass for spatial group normalization.

    In contrast to layer normalization, group normalization splits each entry in the data into G
    contiguous pieces (channels 0 .. C/G - 1 form the first group, and so on), which it then
    normalizes independently: the statistics of a group are taken over its C/G channels and H, W.
    Per-channel shift and scaling are then applied to the data, in a manner identical to that of
    batch normalization and layer normalization.

    Inputs:
    - x: Input data of shape (N, C, H, W)
    - gamma: Scale parameter, of shape (1, C, 1, 1)
    - beta: Shift parameter, of shape (1, C, 1, 1)
    - G: Integer number of groups to split into, should be a divisor of C
    - gn_param: Dictionary with the following keys:
      - eps: Constant for numeric stability (default 1e-5)

    Returns a tuple of:
    - out: Output data, of shape (N, C, H, W)
    - cache: Values needed for the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("spatial_groupnorm_forward: not implemented yet")


def spatial_groupnorm_backward(dout, cache):
    """
    Computes the backward pass for spatial group normalization.

    Inputs:
    - dout: Upstream derivatives, of shape (N, C, H, W)
    - cache: Values from the forward pass

    Returns a tuple of:
    - dx: Gradient with respect to inputs, of shape (N, C, H, W)
    - dgamma: Gradient with respect to scale parameter, of shape (1, C, 1, 1)
    - dbeta: Gradient with respect to shift parameter, of shape (1, C, 1, 1)
    """
    # YOUR CODE HERE
    raise NotImplementedError("spatial_groupnorm_backward: not implemented yet")
