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
    ### BEGIN SOLUTION
    out = np.exp(-np.logaddexp(0, -x))
    cache = out
    return out, cache
    ### END SOLUTION


def sigmoid_backward(dout, cache):
    """
    Computes the backward pass of the sigmoid.

    Inputs:
    - dout: Upstream derivatives, of the shape of x
    - cache: The cache returned by sigmoid_forward

    Returns:
    - dx: Gradient with respect to x: dout * sigma(x) * (1 - sigma(x))
    """
    ### BEGIN SOLUTION
    out = cache
    dx = dout * out * (1 - out)
    return dx
    ### END SOLUTION


def tanh_forward(x):
    """
    Computes the forward pass of tanh, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: tanh(x), of the same shape as x
    - cache: Object to give to the backward pass
    """
    ### BEGIN SOLUTION
    out = np.tanh(x)
    cache = out
    return out, cache
    ### END SOLUTION


def tanh_backward(dout, cache):
    """
    Computes the backward pass of tanh.

    Returns:
    - dx: Gradient with respect to x: dout * (1 - tanh(x)**2)
    """
    ### BEGIN SOLUTION
    out = cache
    dx = dout * (1 - out ** 2)
    return dx
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    cache = (x, alpha)
    return out, cache
    ### END SOLUTION


def leaky_relu_backward(dout, cache):
    """
    Computes the backward pass of a leaky ReLU.

    Returns:
    - dx: Gradient with respect to x: dout where x > 0, else alpha * dout
    """
    ### BEGIN SOLUTION
    x, alpha = cache
    dx = np.where(x > 0, dout, alpha * dout)
    return dx
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    cache = (x, alpha)
    return out, cache
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    x, alpha = cache
    negative = x <= 0
    dx = np.where(negative, alpha * dout, dout)
    dalpha = np.sum(dout * x * negative, axis=0)
    return dx, dalpha
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    cache = (x, alpha)
    return out, cache
    ### END SOLUTION


def elu_backward(dout, cache):
    """
    Computes the backward pass of an ELU.

    Returns:
    - dx: Gradient with respect to x: dout where x > 0, else dout * alpha * exp(x)
    """
    ### BEGIN SOLUTION
    x, alpha = cache
    dx = np.where(x > 0, dout, dout * alpha * np.exp(np.minimum(x, 0)))
    return dx
    ### END SOLUTION


def relu6_forward(x):
    """
    Computes the forward pass of ReLU6, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: min(max(x, 0), 6)
    - cache: Object to give to the backward pass
    """
    ### BEGIN SOLUTION
    out = np.clip(x, 0, 6)
    cache = x
    return out, cache
    ### END SOLUTION


def relu6_backward(dout, cache):
    """
    Computes the backward pass of ReLU6.

    Returns:
    - dx: Gradient with respect to x: dout where 0 < x < 6, else 0
    """
    ### BEGIN SOLUTION
    x = cache
    dx = dout * ((x > 0) & (x < 6))
    return dx
    ### END SOLUTION


def softplus_forward(x):
    """
    Computes the forward pass of softplus, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: log(1 + exp(x)); finite and accurate for |x| up to 1e3
    - cache: Object to give to the backward pass
    """
    ### BEGIN SOLUTION
    out = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    cache = x
    return out, cache
    ### END SOLUTION


def softplus_backward(dout, cache):
    """
    Computes the backward pass of softplus.

    Returns:
    - dx: Gradient with respect to x: dout * sigma(x)
    """
    ### BEGIN SOLUTION
    x = cache
    dx = dout * np.exp(-np.logaddexp(0, -x))
    return dx
    ### END SOLUTION


def swish_forward(x):
    """
    Computes the forward pass of swish (SiLU), elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: x * sigma(x)
    - cache: Object to give to the backward pass
    """
    ### BEGIN SOLUTION
    sig = np.exp(-np.logaddexp(0, -x))
    out = x * sig
    cache = (x, sig)
    return out, cache
    ### END SOLUTION


def swish_backward(dout, cache):
    """
    Computes the backward pass of swish.

    Returns:
    - dx: Gradient with respect to x: dout * (sigma(x) + x * sigma(x) * (1 - sigma(x)))
    """
    ### BEGIN SOLUTION
    x, sig = cache
    dx = dout * (sig + x * sig * (1 - sig))
    return dx
    ### END SOLUTION


def mish_forward(x):
    """
    Computes the forward pass of mish, elementwise.

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: x * tanh(softplus(x)), with softplus(x) = log(1 + exp(x))
    - cache: Object to give to the backward pass
    """
    ### BEGIN SOLUTION
    tanh_sp = np.tanh(np.logaddexp(0, x))
    out = x * tanh_sp
    cache = (x, tanh_sp)
    return out, cache
    ### END SOLUTION


def mish_backward(dout, cache):
    """
    Computes the backward pass of mish.

    Returns:
    - dx: Gradient with respect to x:
      dout * (tanh(softplus(x)) + x * (1 - tanh(softplus(x))**2) * sigma(x))
    """
    ### BEGIN SOLUTION
    x, tanh_sp = cache
    sig = np.exp(-np.logaddexp(0, -x))
    dx = dout * (tanh_sp + x * (1 - tanh_sp ** 2) * sig)
    return dx
    ### END SOLUTION
