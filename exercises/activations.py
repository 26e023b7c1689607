"""Activation functions: forward passes with their caches, and backward passes."""

import numpy as np


def sigmoid_forward(x):
    """
    Computes the forward pass of the logistic sigmoid, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: 1 / (1 + exp(-x)), of the same shape as x; finite and accurate for |x| up to 1e3
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("sigmoid_forward: not implemented yet")


def sigmoid_backward(dout, cache):
    """
    Computes the backward pass of the sigmoid.

    Inputs:
    - dout: Upstream derivatives, of the shape of x
    - cache: The cache returned by sigmoid_forward

    Returns:
    - dx: Gradient with respect to x: dout * sigma(x) * (1 - sigma(x))
    """
    # YOUR CODE HERE
    raise NotImplementedError("sigmoid_backward: not implemented yet")


def tanh_forward(x):
    """
    Computes the forward pass of tanh, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: tanh(x), of the same shape as x
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("tanh_forward: not implemented yet")


def tanh_backward(dout, cache):
    """
    Computes the backward pass of tanh.

    Returns:
    - dx: Gradient with respect to x: dout * (1 - tanh(x)**2)
    """
    # YOUR CODE HERE
    raise NotImplementedError("tanh_backward: not implemented yet")


def leaky_relu_forward(x, alpha=0.01):
    """
    Computes the forward pass of a leaky ReLU, elementwise.

    Inputs:
    - x: Inputs, of any shape
    - alpha: Slope for negative inputs, 0 <= alpha < 1

    Returns a tuple of:
    - out: x where x > 0, else alpha * x
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("leaky_relu_forward: not implemented yet")


def leaky_relu_backward(dout, cache):
    """
    Computes the backward pass of a leaky ReLU.

    Returns:
    - dx: Gradient with respect to x: dout where x > 0, else alpha * dout
    """
    # YOUR CODE HERE
    raise NotImplementedError("leaky_relu_backward: not implemented yet")


def prelu_forward(x, alpha):
    """
    Computes the forward pass of a parametric ReLU: a leaky ReLU with one learned slope per feature.

    Inputs:
    - x: Inputs, of shape (N, D)
    - alpha: Slopes for negative inputs, of shape (D,), each 0 <= alpha[j] < 1

    Returns a tuple of:
    - out: out[i, j] = x[i, j] if x[i, j] > 0 else alpha[j] * x[i, j]
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("prelu_forward: not implemented yet")


def prelu_backward(dout, cache):
    """
    Computes the backward pass of a parametric ReLU.

    Inputs:
    - dout: Upstream derivatives, of shape (N, D)
    - cache: The cache returned by prelu_forward

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, D)
    - dalpha: Gradient with respect to alpha, of shape (D,) (summed over the batch)
    """
    # YOUR CODE HERE
    raise NotImplementedError("prelu_backward: not implemented yet")


def elu_forward(x, alpha=1.0):
    """
    Computes the forward pass of an exponential linear unit (ELU), elementwise.

    Inputs:
    - x: Inputs, of any shape
    - alpha: Scale of the negative part

    Returns a tuple of:
    - out: x where x > 0, else alpha * (exp(x) - 1)
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("elu_forward: not implemented yet")


def elu_backward(dout, cache):
    """
    Computes the backward pass of an ELU.

    Returns:
    - dx: Gradient with respect to x: dout where x > 0, else dout * alpha * exp(x)
    """
    # YOUR CODE HERE
    raise NotImplementedError("elu_backward: not implemented yet")


def relu6_forward(x):
    """
    Computes the forward pass of ReLU6, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: min(max(x, 0), 6)
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("relu6_forward: not implemented yet")


def relu6_backward(dout, cache):
    """
    Computes the backward pass of ReLU6.

    Returns:
    - dx: Gradient with respect to x: dout where 0 < x < 6, else 0
    """
    # YOUR CODE HERE
    raise NotImplementedError("relu6_backward: not implemented yet")


def softplus_forward(x):
    """
    Computes the forward pass of softplus, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: log(1 + exp(x)); finite and accurate for |x| up to 1e3
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("softplus_forward: not implemented yet")


def softplus_backward(dout, cache):
    """
    Computes the backward pass of softplus.

    Returns:
    - dx: Gradient with respect to x: dout * sigma(x)
    """
    # YOUR CODE HERE
    raise NotImplementedError("softplus_backward: not implemented yet")


def swish_forward(x):
    """
    Computes the forward pass of swish (SiLU), elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: x * sigma(x)
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("swish_forward: not implemented yet")


def swish_backward(dout, cache):
    """
    Computes the backward pass of swish.

    Returns:
    - dx: Gradient with respect to x: dout * (sigma(x) + x * sigma(x) * (1 - sigma(x)))
    """
    # YOUR CODE HERE
    raise NotImplementedError("swish_backward: not implemented yet")


def mish_forward(x):
    """
    Computes the forward pass of mish, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: x * tanh(softplus(x)), with softplus(x) = log(1 + exp(x))
    - cache: Object to give to the backward pass
    """
    # YOUR CODE HERE
    raise NotImplementedError("mish_forward: not implemented yet")


def mish_backward(dout, cache):
    """
    Computes the backward pass of mish.

    Returns:
    - dx: Gradient with respect to x:
      dout * (tanh(softplus(x)) + x * (1 - tanh(softplus(x))**2) * sigma(x))
    """
    # YOUR CODE HERE
    raise NotImplementedError("mish_backward: not implemented yet")
