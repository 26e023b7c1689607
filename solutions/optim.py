"""First-order update rules, learning-rate schedules and gradient clipping.

Every update rule has the interface

    next_w, config = rule(w, dw, config=None)

Inputs:
- w: A numpy array giving the current weights.
- dw: A numpy array of the same shape as w giving the gradient of the loss with respect to w.
- config: A dictionary of hyperparameter values (learning rate, momentum, ...) and of the state the
  rule keeps between calls (moving averages ...). When config is None, or a key is missing, the
  documented default is filled in with config.setdefault; state arrays default to zeros shaped like w.

Returns:
- next_w: The weights after the update (w may be updated in place).
- config: The config dictionary (the same one or a new one) holding the updated state; it is passed to
  the next call of the rule.

dw must not be modified.
"""

import math

import numpy as np


def sgd(w, dw, config=None):
    """
    Performs vanilla stochastic gradient descent: w -= learning_rate * dw.

    config format:
    - learning_rate: Scalar learning rate (default 1e-2).
    """
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)

    w -= config["learning_rate"] * dw
    return w, config
    ### END SOLUTION


def sgd_momentum(w, dw, config=None):
    """
    Performs stochastic gradient descent with momentum:

        v = momentum * v - learning_rate * dw
        next_w = w + v

    config format:
    - learning_rate: Scalar learning rate (default 1e-2).
    - momentum: Scalar between 0 and 1 giving the momentum value (default 0.9).
      Setting momentum = 0 reduces to sgd.
    - velocity: A numpy array of the same shape as w and dw used to store a moving average of the
      gradients (default zeros).
    """
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))

    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config
    ### END SOLUTION


def nesterov_momentum(w, dw, config=None):
    """
    Performs stochastic gradient descent with Nesterov momentum, in the form that keeps w at the
    look-ahead point (Sutskever et al. 2013; CS231n notes):

        v_prev = v
        v = momentum * v - learning_rate * dw
        next_w = w - momentum * v_prev + (1 + momentum) * v

    config format: the same as sgd_momentum.
    - learning_rate: Scalar learning rate (default 1e-2).
    - momentum: Scalar between 0 and 1 giving the momentum value (default 0.9).
    - velocity: A numpy array of the same shape as w and dw (default zeros).
    """
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))

    mu = config["momentum"]
    v_prev = v
    v = mu * v - config["learning_rate"] * dw
    next_w = w - mu * v_prev + (1 + mu) * v
    config["velocity"] = v
    return next_w, config
    ### END SOLUTION


def adagrad(w, dw, config=None):
    """
    Uses the AdaGrad update rule, which scales each parameter's step by the root of the sum of its
    squared gradients so far:

        cache += dw ** 2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    config format:
    - learning_rate: Scalar learning rate (default 1e-2).
    - epsilon: Small scalar used for smoothing to avoid dividing by zero (default 1e-8).
    - cache: A numpy array of the same shape as w holding the sum of squared gradients
      (default zeros).
    """
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))

    config["cache"] = config["cache"] + dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return next_w, config
    ### END SOLUTION


def rmsprop(w, dw, config=None):
    """
    Uses the RMSProp update rule, which uses a moving average of squared gradient values to set
    adaptive per-parameter learning rates:

        cache = decay_rate * cache + (1 - decay_rate) * dw ** 2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    config format:
    - learning_rate: Scalar learning rate (default 1e-2).
    - decay_rate: Scalar between 0 and 1 giving the decay rate for the squared gradient cache
      (default 0.99).
    - epsilon: Small scalar used for smoothing to avoid dividing by zero (default 1e-8).
    - cache: Moving average of second moments of gradients (default zeros).
    """
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))

    rho = config["decay_rate"]
    config["cache"] = rho * config["cache"] + (1 - rho) * dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return next_w, config
    ### END SOLUTION


def adadelta(w, dw, config=None):
    """
    Uses the AdaDelta update rule (Zeiler 2012), which scales each step by the ratio of the RMS of
    past steps to the RMS of past gradients:

        cache = rho * cache + (1 - rho) * dw ** 2
        delta_w = sqrt(delta + epsilon) / sqrt(cache + epsilon) * dw
        delta = rho * delta + (1 - rho) * delta_w ** 2
        next_w = w - learning_rate * delta_w

    config format:
    - learning_rate: Scalar multiplying the step (default 1.0, the original AdaDelta).
    - rho: Scalar between 0 and 1, the decay rate of both moving averages (default 0.9).
    - epsilon: Small scalar added inside both square roots (default 1e-6).
    - cache: Moving average of the squared gradients, E[dw^2] (default zeros).
    - delta: Moving average of the squared steps, E[delta_w^2] (default zeros).
    """
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1.0)
    config.setdefault("rho", 0.9)
    config.setdefault("epsilon", 1e-6)
    config.setdefault("cache", np.zeros_like(w))
    config.setdefault("delta", np.zeros_like(w))

    rho, eps = config["rho"], config["epsilon"]
    config["cache"] = rho * config["cache"] + (1 - rho) * dw ** 2
    step = np.sqrt(config["delta"] + eps) / np.sqrt(config["cache"] + eps) * dw
    config["delta"] = rho * config["delta"] + (1 - rho) * step ** 2
    next_w = w - config["learning_rate"] * step
    return next_w, config
    ### END SOLUTION


def adam(w, dw, config=None):
    """
    Uses the Adam update rule, which incorporates moving averages of both the gradient and its
    square and a bias correction term:

        t += 1                      (before it is used)
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw ** 2
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    config format:
    - learning_rate: Scalar learning rate (default 1e-3).
    - beta1: Decay rate for moving average of first moment of gradient (default 0.9).
    - beta2: Decay rate for moving average of second moment of gradient (default 0.999).
    - epsilon: Small scalar used for smoothing to avoid dividing by zero (default 1e-8).
    - m: Moving average of gradient (default zeros).
    - v: Moving average of squared gradient (default zeros).
    - t: Iteration number, an int (default 0).
    """
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)

    beta1, beta2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = beta1 * config["m"] + (1 - beta1) * dw
    config["v"] = beta2 * config["v"] + (1 - beta2) * dw ** 2
    m_hat = config["m"] / (1 - beta1 ** config["t"])
    v_hat = config["v"] / (1 - beta2 ** config["t"])
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return next_w, config
    ### END SOLUTION


def nadam(w, dw, config=None):
    """
    Uses the Nadam update rule (Dozat, 2016): Adam whose first-moment estimate looks one step
    ahead, as Nesterov momentum does, without Dozat's momentum schedule (beta1 is constant):

        t += 1                      (before it is used)
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw ** 2
        m_hat = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * dw / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    The first term of m_hat is the bias-corrected momentum of the next step, the second the
    bias-corrected share of the current gradient.

    config format:
    - learning_rate: Scalar learning rate (default 2e-3).
    - beta1: Decay rate for moving average of first moment of gradient (default 0.9).
    - beta2: Decay rate for moving average of second moment of gradient (default 0.999).
    - epsilon: Small scalar used for smoothing to avoid dividing by zero (default 1e-8).
    - m: Moving average of gradient (default zeros).
    - v: Moving average of squared gradient (default zeros).
    - t: Iteration number, an int (default 0).
    """
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 2e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)

    beta1, beta2, t = config["beta1"], config["beta2"], config["t"] + 1
    config["t"] = t
    config["m"] = beta1 * config["m"] + (1 - beta1) * dw
    config["v"] = beta2 * config["v"] + (1 - beta2) * dw ** 2
    m_hat = beta1 * config["m"] / (1 - beta1 ** (t + 1)) + (1 - beta1) * dw / (1 - beta1 ** t)
    v_hat = config["v"] / (1 - beta2 ** t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return next_w, config
    ### END SOLUTION


def piecewise_constant(step, boundaries, values):
    """
    A piecewise constant learning rate.

    Inputs:
    - step: Current iteration, an int >= 0.
    - boundaries: An increasing list of steps.
    - values: A list of len(boundaries) + 1 learning rates.

    Returns:
    - lr: values[i] for the first i with step <= boundaries[i], else values[-1] (a float).
    """
    ### BEGIN SOLUTION
    for boundary, value in zip(boundaries, values):
        if step <= boundary:
            return value
    return values[-1]
    ### END SOLUTION


def exponential_decay(lr0, step, decay_steps, decay_rate, staircase=False):
    """
    An exponentially decaying learning rate.

    Inputs:
    - lr0: Initial learning rate.
    - step: Current iteration, an int >= 0.
    - decay_steps: Number of steps over which the rate decays by decay_rate (an int >= 1).
    - decay_rate: The decay factor.
    - staircase: If True, decay in discrete intervals: the exponent step / decay_steps is floored.

    Returns:
    - lr: lr0 * decay_rate ** (step / decay_steps) (a float).
    """
    ### BEGIN SOLUTION
    exponent = step / decay_steps
    if staircase:
        exponent = math.floor(exponent)
    return lr0 * decay_rate ** exponent
    ### END SOLUTION


def natural_exp_decay(lr0, step, decay_steps, decay_rate, staircase=False):
    """
    A learning rate decaying with the natural exponential.

    Inputs: as exponential_decay; staircase floors the ratio step / decay_steps.

    Returns:
    - lr: lr0 * exp(-decay_rate * step / decay_steps) (a float).
    """
    ### BEGIN SOLUTION
    ratio = step / decay_steps
    if staircase:
        ratio = math.floor(ratio)
    return lr0 * math.exp(-decay_rate * ratio)
    ### END SOLUTION


def polynomial_decay(lr0, step, decay_steps, end_lr=1e-4, power=1.0, cycle=False):
    """
    A learning rate decaying polynomially from lr0 to end_lr over decay_steps steps.

    Inputs:
    - lr0: Initial learning rate.
    - step: Current iteration, an int >= 0.
    - decay_steps: Number of steps of the decay (an int >= 1).
    - end_lr: The final learning rate.
    - power: The power of the polynomial.
    - cycle: If False, step is capped at decay_steps (the rate stays at end_lr afterwards). If True,
      decay_steps is multiplied by ceil(step / decay_steps), taken to be at least 1, so that the decay
      restarts from a lower level after each multiple of decay_steps.

    Returns:
    - lr: (lr0 - end_lr) * (1 - step / decay_steps) ** power + end_lr (a float).
    """
    ### BEGIN SOLUTION
    if cycle:
        decay_steps = decay_steps * max(1, math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (lr0 - end_lr) * (1 - step / decay_steps) ** power + end_lr
    ### END SOLUTION


def cosine_decay(lr0, step, decay_steps, alpha=0.0):
    """
    A learning rate following half a cosine from lr0 down to alpha * lr0 (Loshchilov & Hutter 2017).

    Inputs:
    - lr0: Initial learning rate.
    - step: Current iteration, an int >= 0, capped at decay_steps.
    - decay_steps: Number of steps of the decay (an int >= 1).
    - alpha: The final rate as a fraction of lr0.

    Returns:
    - lr: lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha) (a float).
    """
    ### BEGIN SOLUTION
    step = min(step, decay_steps)
    cosine = 0.5 * (1 + math.cos(math.pi * step / decay_steps))
    return lr0 * ((1 - alpha) * cosine + alpha)
    ### END SOLUTION


def clip_grad_norm(grads, max_norm):
    """
    Clips a list of gradients by their joint L2 norm (as torch.nn.utils.clip_grad_norm_).

    Inputs:
    - grads: A list of numpy arrays of any shapes.
    - max_norm: The largest allowed joint norm, a positive float.

    Returns a tuple of:
    - clipped: A list of arrays in the same order as grads. When the total norm exceeds max_norm,
      every array is scaled by max_norm / (total_norm + 1e-6); otherwise they are returned unchanged.
    - total_norm: sqrt of the sum of the squares of all elements of all arrays (a float).

    grads and its arrays are not modified.
    """
    ### BEGIN SOLUTION
    total_norm = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    if total_norm > max_norm:
        scale = max_norm / (total_norm + 1e-6)
        return [g * scale for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
    ### END SOLUTION
