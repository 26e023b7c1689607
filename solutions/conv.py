"""Convolutional layers, naive implementations: convolution, max and average pooling, global average
pooling, the size arithmetic of a conv layer and the receptive field of a stack of layers."""

import numpy as np


def conv_forward_naive(x, w, b, conv_param):
    """
    A naive implementation of the forward pass for a convolutional layer.

    The input consists of N data points, each with C channels, height H and width W. We convolve
    each input with F different filters, where each filter spans all C channels and has height HH
    and width WW. As in every deep-learning library, "convolution" is a cross-correlation: the
    filter is not flipped.

    Input:
    - x: Input data of shape (N, C, H, W)
    - w: Filter weights of shape (F, C, HH, WW)
    - b: Biases, of shape (F,)
    - conv_param: A dictionary with the following keys:
      - 'stride': The number of pixels between adjacent receptive fields in the horizontal and
        vertical directions.
      - 'pad': The number of pixels that will be used to zero-pad the input, on every side.

    During padding, 'pad' zeros are placed symmetrically (i.e. equally on both sides) along the
    height and width axes of the input. Be careful not to modify the original input x directly.

    Returns a tuple of:
    - out: Output data, of shape (N, F, H', W') where H' and W' are given by
      H' = 1 + (H + 2 * pad - HH) / stride
      W' = 1 + (W + 2 * pad - WW) / stride
      and out[n, f, i, j] = b[f] + sum_{c, k, l} w[f, c, k, l] * x_pad[n, c, i * stride + k, j * stride + l]
    - cache: (x, w, b, conv_param)
    """
    ### BEGIN SOLUTION
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            window = x_pad[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    cache = (x, w, b, conv_param)
    return out, cache
    ### END SOLUTION


def conv_backward_naive(dout, cache):
    """
    A naive implementation of the backward pass for a convolutional layer.

    Inputs:
    - dout: Upstream derivatives, of shape (N, F, H', W')
    - cache: A tuple of (x, w, b, conv_param) as in conv_forward_naive

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, C, H, W)
    - dw: Gradient with respect to w, of shape (F, C, HH, WW)
    - db: Gradient with respect to b, of shape (F,)

    Every input pixel contributes to every output position whose receptive field covers it, so
    the gradients of overlapping receptive fields add up.
    """
    ### BEGIN SOLUTION
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for i in range(H_out):
        for j in range(W_out):
            rows = slice(i * stride, i * stride + HH)
            cols = slice(j * stride, j * stride + WW)
            d = dout[:, :, i, j]
            dx_pad[:, :, rows, cols] += np.tensordot(d, w, axes=([1], [0]))
            dw += np.tensordot(d, x_pad[:, :, rows, cols], axes=([0], [0]))
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    db = np.sum(dout, axis=(0, 2, 3))
    return dx, dw, db
    ### END SOLUTION


def max_pool_forward_naive(x, pool_param):
    """
    A naive implementation of the forward pass for a max-pooling layer.

    Inputs:
    - x: Input data, of shape (N, C, H, W)
    - pool_param: dictionary with the following keys:
      - 'pool_height': The height of each pooling region
      - 'pool_width': The width of each pooling region
      - 'stride': The distance between adjacent pooling regions

    No padding is necessary here. Pooling regions may overlap (stride smaller than the region).

    Returns a tuple of:
    - out: Output data, of shape (N, C, H', W') where H' and W' are given by
      H' = 1 + (H - pool_height) / stride
      W' = 1 + (W - pool_width) / stride
      and out[n, c, i, j] is the maximum of x[n, c] over the region starting at
      (i * stride, j * stride)
    - cache: (x, pool_param)
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            out[:, :, i, j] = np.max(window, axis=(2, 3))
    cache = (x, pool_param)
    return out, cache
    ### END SOLUTION


def max_pool_backward_naive(dout, cache):
    """
    A naive implementation of the backward pass for a max-pooling layer.

    Inputs:
    - dout: Upstream derivatives, of shape (N, C, H', W')
    - cache: A tuple of (x, pool_param) as in the forward pass.

    Returns:
    - dx: Gradient with respect to x, of shape (N, C, H, W). Each upstream derivative flows to
      the maximum of its pooling region; where regions overlap, the gradients add up.
    """
    ### BEGIN SOLUTION
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for i in range(H_out):
        for j in range(W_out):
            rows = slice(i * stride, i * stride + ph)
            cols = slice(j * stride, j * stride + pw)
            window = x[:, :, rows, cols]
            mask = window == np.max(window, axis=(2, 3), keepdims=True)
            dx[:, :, rows, cols] += mask * dout[:, :, i, j][:, :, None, None]
    return dx
    ### END SOLUTION


def avg_pool_forward_naive(x, pool_param):
    """
    A naive implementation of the forward pass for an average-pooling layer.

    Inputs:
    - x: Input data, of shape (N, C, H, W)
    - pool_param: dictionary with the keys 'pool_height', 'pool_width' and 'stride', as in
      max_pool_forward_naive

    Returns a tuple of:
    - out: Output data, of shape (N, C, H', W') with H' = 1 + (H - pool_height) / stride and
      W' = 1 + (W - pool_width) / stride; out[n, c, i, j] is the mean of x[n, c] over the region
      starting at (i * stride, j * stride)
    - cache: (x, pool_param)
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            out[:, :, i, j] = np.mean(window, axis=(2, 3))
    cache = (x, pool_param)
    return out, cache
    ### END SOLUTION


def avg_pool_backward_naive(dout, cache):
    """
    A naive implementation of the backward pass for an average-pooling layer.

    Inputs:
    - dout: Upstream derivatives, of shape (N, C, H', W')
    - cache: A tuple of (x, pool_param) as in the forward pass.

    Returns:
    - dx: Gradient with respect to x, of shape (N, C, H, W). Each upstream derivative is shared
      equally by the pool_height * pool_width inputs of its region; where regions overlap, the
      gradients add up.
    """
    ### BEGIN SOLUTION
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for i in range(H_out):
        for j in range(W_out):
            share = dout[:, :, i, j][:, :, None, None] / (ph * pw)
            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += share
    return dx
    ### END SOLUTION


def global_avg_pool_forward(x):
    """
    Forward pass for global average pooling: the mean of every channel over all positions.

    Inputs:
    - x: Input data, of shape (N, C, H, W)

    Returns a tuple of:
    - out: Output data, of shape (N, C); out[n, c] = mean over h, w of x[n, c, h, w]
    - cache: Values needed for the backward pass
    """
    ### BEGIN SOLUTION
    out = np.mean(x, axis=(2, 3))
    cache = x.shape
    return out, cache
    ### END SOLUTION


def global_avg_pool_backward(dout, cache):
    """
    Backward pass for global average pooling.

    Inputs:
    - dout: Upstream derivatives, of shape (N, C)
    - cache: Values from the forward pass

    Returns:
    - dx: Gradient with respect to x, of shape (N, C, H, W); dx[n, c, h, w] = dout[n, c] / (H * W)
    """
    ### BEGIN SOLUTION
    N, C, H, W = cache
    dx = np.broadcast_to(dout[:, :, None, None] / (H * W), (N, C, H, W)).copy()
    return dx
    ### END SOLUTION


def conv_output_size(in_size, kernel_size, stride=1, pad=0):
    """
    The output size of a convolution or pooling layer along one spatial dimension.

    Inputs:
    - in_size: (int) size of the input along this dimension
    - kernel_size: (int) size of the filter or pooling window along this dimension, at least 1
    - stride: (int) distance between adjacent windows, at least 1
    - pad: (int) zeros added on each side, at least 0

    Returns:
    - out_size: (int) 1 + (in_size + 2 * pad - kernel_size) / stride

    Raises ValueError when stride < 1, kernel_size < 1 or pad < 0, or when out_size is not a
    whole number of at least 1 (the windows would not tile the padded input exactly).
    """
    ### BEGIN SOLUTION
    if stride < 1 or kernel_size < 1 or pad < 0:
        raise ValueError(f"invalid layer: stride={stride}, kernel_size={kernel_size}, pad={pad}")
    span = in_size + 2 * pad - kernel_size
    if span < 0 or span % stride != 0:
        raise ValueError(f"windows of size {kernel_size} with stride {stride} do not tile a padded input "
                         f"of size {in_size + 2 * pad}")
    return 1 + span // stride
    ### END SOLUTION


def conv_param_count(in_channels, out_channels, kernel_h, kernel_w, bias=True):
    """
    The number of learnable parameters of a convolutional layer.

    Inputs:
    - in_channels: (int) C, the number of input channels
    - out_channels: (int) F, the number of filters
    - kernel_h, kernel_w: (int) HH and WW, the filter height and width
    - bias: (bool) whether the layer has one bias per filter

    Returns:
    - count: (int) F * C * HH * WW weights, plus F biases when bias is True
    """
    ### BEGIN SOLUTION
    count = out_channels * in_channels * kernel_h * kernel_w
    if bias:
        count += out_channels
    return count
    ### END SOLUTION


def receptive_field(layers):
    """
    The receptive field of a stack of convolution and pooling layers: the side of the input region
    that one output unit of the last layer sees.

    Two stacked 3x3 convolutions with stride 1 see a 5x5 region, three see 7x7. Each layer widens
    the region by (kernel_size - 1) * dilation steps of its own input, and one step of a layer's
    input spans the product of the strides of all the layers before it, in input pixels:

        r = 1 + sum_l (k_l - 1) * d_l * prod_{i < l} s_i

    Inputs:
    - layers: A list of tuples (kernel_size, stride) or (kernel_size, stride, dilation) of ints,
      the layer applied to the input first; dilation is 1 when absent. An empty list is a stack of
      no layers, whose output unit is one input pixel.

    Returns:
    - r: (int) the side of the receptive field, in input pixels.

    Raises ValueError when any kernel_size, stride or dilation is less than 1.
    """
    ### BEGIN SOLUTION
    r, jump = 1, 1
    for layer in layers:
        kernel_size, stride = layer[0], layer[1]
        dilation = layer[2] if len(layer) > 2 else 1
        if kernel_size < 1 or stride < 1 or dilation < 1:
            raise ValueError(f"invalid layer {tuple(layer)}: kernel_size, stride and dilation must be at least 1")
        r += (kernel_size - 1) * dilation * jump
        jump *= stride
    return r
    ### END SOLUTION
