"""Backpropagation through layers: affine and ReLU layers, their sandwich, a two-layer network and a
fully connected residual block."""

import numpy as np


def affine_forward(x, w, b):
    """
    Computes the forward pass for an affine (fully connected) layer.

    The input x has shape (N, d_1, ..., d_k) and contains a minibatch of N examples, where each
    example x[i] has shape (d_1, ..., d_k). Each example is reshaped into a vector of dimension
    D = d_1 * ... * d_k, and then transformed to an output vector of dimension M.

    Inputs:
    - x: A numpy array containing input data, of shape (N, d_1, ..., d_k)
    - w: A numpy array of weights, of shape (D, M)
    - b: A numpy array of biases, of shape (M,)

    Returns a tuple of:
    - out: output, of shape (N, M): x reshaped to (N, D), times w, plus b
    - cache: (x, w, b), with x in its original shape
    """
    ### BEGIN SOLUTION
    out = x.reshape(x.shape[0], -1).dot(w) + b
    cache = (x, w, b)
    return out, cache
    ### END SOLUTION


def affine_backward(dout, cache):
    """
    Computes the backward pass for an affine layer.

    Inputs:
    - dout: Upstream derivative, of shape (N, M)
    - cache: Tuple of:
      - x: Input data, of shape (N, d_1, ... d_k)
      - w: Weights, of shape (D, M)
      - b: Biases, of shape (M,)

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, d1, ..., d_k)
    - dw: Gradient with respect to w, of shape (D, M)
    - db: Gradient with respect to b, of shape (M,)
    """
    ### BEGIN SOLUTION
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
    ### END SOLUTION


def relu_forward(x):
    """
    Computes the forward pass for a layer of rectified linear units (ReLUs).

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: Output, of the same shape as x: max(0, x) elementwise
    - cache: x
    """
    ### BEGIN SOLUTION
    out = np.maximum(0, x)
    cache = x
    return out, cache
    ### END SOLUTION


def relu_backward(dout, cache):
    """
    Computes the backward pass for a layer of rectified linear units (ReLUs).

    Input:
    - dout: Upstream derivatives, of any shape
    - cache: Input x, of same shape as dout

    Returns:
    - dx: Gradient with respect to x: dout where x > 0, else 0
    """
    ### BEGIN SOLUTION
    x = cache
    dx = dout * (x > 0)
    return dx
    ### END SOLUTION


def affine_relu_forward(x, w, b):
    """
    Convenience layer that performs an affine transform followed by a ReLU.

    Inputs:
    - x: Input to the affine layer, of shape (N, d_1, ..., d_k)
    - w, b: Weights (D, M) and biases (M,) for the affine layer

    Returns a tuple of:
    - out: Output from the ReLU, of shape (N, M)
    - cache: Object to give to the backward pass
    """
    ### BEGIN SOLUTION
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    return out, cache
    ### END SOLUTION


def affine_relu_backward(dout, cache):
    """
    Backward pass for the affine-relu convenience layer.

    Inputs:
    - dout: Upstream derivatives, of shape (N, M)
    - cache: The cache returned by affine_relu_forward

    Returns a tuple of:
    - dx: Gradient with respect to x, of the shape of x
    - dw: Gradient with respect to w, of shape (D, M)
    - db: Gradient with respect to b, of shape (M,)
    """
    ### BEGIN SOLUTION
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db
    ### END SOLUTION


class TwoLayerNet(object):
    """
    A two-layer fully-connected neural network with ReLU nonlinearity and softmax loss. We assume an
    input dimension of D, a hidden dimension of H, and perform classification over C classes.

    The architecture is affine - relu - affine - softmax.

    Learnable parameters are stored in the self.params dictionary, keyed by parameter name.
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0):
        """
        Initialize a new network.

        Inputs:
        - input_dim: An integer giving the size of the input, D
        - hidden_dim: An integer giving the size of the hidden layer, H
        - num_classes: An integer giving the number of classes to classify, C
        - weight_scale: Scalar giving the standard deviation for random initialization of the weights
        - reg: Scalar giving L2 regularization strength

        Store in self.params: W1 (D, H) and W2 (H, C) drawn from a Gaussian centered at 0.0 with
        standard deviation weight_scale (using the global np.random state), biases b1 (H,) and
        b2 (C,) initialized to zero. Store reg in self.reg.
        """
        ### BEGIN SOLUTION
        self.params = {}
        self.reg = reg
        self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b2"] = np.zeros(num_classes)
        ### END SOLUTION

    def loss(self, X, y=None):
        """
        Compute loss and gradient for a minibatch of data.

        Inputs:
        - X: Array of input data of shape (N, d_1, ..., d_k), reshaped to (N, D)
        - y: Array of labels, of shape (N,). y[i] gives the label for X[i].

        Returns:
        If y is None, then run a test-time forward pass of the model and return:
        - scores: Array of shape (N, C) giving classification scores, where scores[i, c] is the
          classification score for X[i] and class c.

        If y is not None, then run a training-time forward and backward pass and return a tuple of:
        - loss: Scalar value giving the mean softmax (cross-entropy) loss plus
          0.5 * reg * (sum(W1**2) + sum(W2**2)) (biases are not regularized)
        - grads: Dictionary with the same keys as self.params, mapping parameter names to gradients
          of the loss with respect to those parameters.
        """
        ### BEGIN SOLUTION
        W1, b1, W2, b2 = self.params["W1"], self.params["b1"], self.params["W2"], self.params["b2"]
        hidden, hidden_cache = affine_relu_forward(X, W1, b1)
        scores, scores_cache = affine_forward(hidden, W2, b2)
        if y is None:
            return scores

        num_train = scores.shape[0]
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        loss = -np.sum(log_probs[np.arange(num_train), y]) / num_train
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

        dscores = np.exp(log_probs)
        dscores[np.arange(num_train), y] -= 1
        dscores /= num_train
        dhidden, dW2, db2 = affine_backward(dscores, scores_cache)
        _, dW1, db1 = affine_relu_backward(dhidden, hidden_cache)
        grads = {"W1": dW1 + self.reg * W1, "b1": db1, "W2": dW2 + self.reg * W2, "b2": db2}
        return loss, grads
        ### END SOLUTION


def residual_forward(x, w1, b1, w2, b2):
    """
    Forward pass for a fully connected residual block (a ResNet basic block with affine layers):

        h = relu(x w1 + b1)
        f = h w2 + b2               (the residual branch)
        out = relu(x + f)           (the skip connection adds x before the last ReLU)

    Inputs:
    - x: Input data, of shape (N, D)
    - w1, b1: Weights (D, H) and biases (H,) of the first affine layer
    - w2, b2: Weights (H, D) and biases (D,) of the second affine layer, back to D features

    Returns a tuple of:
    - out: Output of the block, of shape (N, D)
    - cache: Object to give to the backward pass
    """
    ### BEGIN SOLUTION
    h, hidden_cache = affine_relu_forward(x, w1, b1)
    f, branch_cache = affine_forward(h, w2, b2)
    out, relu_cache = relu_forward(x + f)
    cache = (hidden_cache, branch_cache, relu_cache)
    return out, cache
    ### END SOLUTION


def residual_backward(dout, cache):
    """
    Backward pass for the fully connected residual block.

    The gradient reaching x + f flows both through the residual branch and, unchanged, along the
    skip connection: dx is the sum of the two. This identity path is why gradients survive deep
    stacks of residual blocks.

    Inputs:
    - dout: Upstream derivatives, of shape (N, D)
    - cache: The cache returned by residual_forward

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, D)
    - dw1: Gradient with respect to w1, of shape (D, H)
    - db1: Gradient with respect to b1, of shape (H,)
    - dw2: Gradient with respect to w2, of shape (H, D)
    - db2: Gradient with respect to b2, of shape (D,)
    """
    ### BEGIN SOLUTION
    hidden_cache, branch_cache, relu_cache = cache
    ds = relu_backward(dout, relu_cache)
    dh, dw2, db2 = affine_backward(ds, branch_cache)
    dx_branch, dw1, db1 = affine_relu_backward(dh, hidden_cache)
    dx = ds + dx_branch
    return dx, dw1, db1, dw2, db2
    ### END SOLUTION
