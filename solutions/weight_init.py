"""Weight initialization: the fans of dense and conv weights, Xavier/Glorot and MSRA/He initializers."""

import numpy as np


def compute_fans(shape):
    """
    Fan-in and fan-out of a weight array.

    Inputs:
    - shape: A tuple or list of ints: (fan_in, fan_out) for dense weights (the layout of w in
      affine_forward), or (F, C, HH, WW) for conv weights (F filters over C input channels with an
      HH x WW receptive field).

    Returns a tuple of ints (fan_in, fan_out):
    - 2-D shape: (shape[0], shape[1])
    - 4-D shape: (C * HH * WW, F * HH * WW)

    Raises ValueError for a shape with any other number of dimensions.
    """
    ### BEGIN SOLUTION
    shape = tuple(shape)
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    if len(shape) == 4:
        num_filters, channels, height, width = shape
        receptive_field = height * width
        return channels * receptive_field, num_filters * receptive_field
    raise ValueError(f"expected a 2-D (dense) or 4-D (conv) shape, got {len(shape)}-D shape {shape}")
    ### END SOLUTION


def xavier_uniform(shape, rng, gain=1.0):
    """
    Xavier/Glorot uniform initialization (Glorot & Bengio, 2010).

    Inputs:
    - shape: A tuple or list of ints, a dense (2-D) or conv (4-D) weight shape (see compute_fans).
    - rng: A numpy.random.Generator; draw from it only (never from the global np.random state).
    - gain: (float) scaling factor of the bound.

    Returns:
    - W: A float64 numpy array of the given shape, elements drawn independently from U(-a, a) with
      a = gain * sqrt(6 / (fan_in + fan_out)), so that Var(W) = gain^2 * 2 / (fan_in + fan_out).
    """
    ### BEGIN SOLUTION
    fan_in, fan_out = compute_fans(shape)
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=tuple(shape))
    ### END SOLUTION


def xavier_normal(shape, rng, gain=1.0):
    """
    Xavier/Glorot normal initialization.

    Inputs:
    - shape: A tuple or list of ints, a dense (2-D) or conv (4-D) weight shape (see compute_fans).
    - rng: A numpy.random.Generator; draw from it only (never from the global np.random state).
    - gain: (float) scaling factor of the standard deviation.

    Returns:
    - W: A float64 numpy array of the given shape, elements drawn independently from N(0, sigma^2)
      with sigma = gain * sqrt(2 / (fan_in + fan_out)).
    """
    ### BEGIN SOLUTION
    fan_in, fan_out = compute_fans(shape)
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=tuple(shape))
    ### END SOLUTION


def msra_normal(shape, rng):
    """
    MSRA/He normal initialization (He et al., 2015), for layers followed by a ReLU.

    Inputs:
    - shape: A tuple or list of ints, a dense (2-D) or conv (4-D) weight shape (see compute_fans).
    - rng: A numpy.random.Generator; draw from it only (never from the global np.random state).

    Returns:
    - W: A float64 numpy array of the given shape, elements drawn independently from N(0, sigma^2)
      with sigma = sqrt(2 / fan_in); the normal is not truncated.
    """
    ### BEGIN SOLUTION
    fan_in, _ = compute_fans(shape)
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=tuple(shape))
    ### END SOLUTION


def msra_uniform(shape, rng):
    """
    MSRA/He uniform initialization.

    Inputs:
    - shape: A tuple or list of ints, a dense (2-D) or conv (4-D) weight shape (see compute_fans).
    - rng: A numpy.random.Generator; draw from it only (never from the global np.random state).

    Returns:
    - W: A float64 numpy array of the given shape, elements drawn independently from U(-b, b) with
      b = sqrt(6 / fan_in), so that Var(W) = 2 / fan_in.
    """
    ### BEGIN SOLUTION
    fan_in, _ = compute_fans(shape)
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=tuple(shape))
    ### END SOLUTION
