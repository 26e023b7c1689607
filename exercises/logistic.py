"""Binary logistic regression: its loss and gradient (with L2 or L1 regularization), its Hessian, and
one step of Newton's method."""

import numpy as np


def logistic_loss(w, b, X, y, reg=0.0):
    """
    Loss and gradient of binary logistic regression with L2 regularization.

    Inputs:
    - w: A numpy array of shape (D,) of weights.
    - b: (float) the bias.
    - X: A numpy array of shape (N, D) of data.
    - y: A numpy array of shape (N,) of labels in {0, 1} (any integer or float dtype).
    - reg: (float) L2 regularization strength; the bias is not regularized.

    With z = X w + b and sigma(z) = 1 / (1 + exp(-z)):
        loss = mean_i -[y_i log sigma(z_i) + (1 - y_i) log(1 - sigma(z_i))] + reg * sum(w * w)
    The loss must be finite and correct for |z| up to 1e3: log sigma(z) = -log(1 + exp(-z)) is
    computed without forming sigma(z) (np.logaddexp), so nothing underflows to log(0).

    Returns a tuple of:
    - loss: (float)
    - dw: A numpy array of shape (D,), the gradient of the loss with respect to w
    - db: (float) the gradient of the loss with respect to b
    """
    # YOUR CODE HERE
    raise NotImplementedError("logistic_loss: not implemented yet")


def logistic_loss_l1(w, b, X, y, reg):
    """
    Loss and gradient of binary logistic regression with L1 regularization.

    Inputs and outputs are those of logistic_loss; the penalty is reg * sum(abs(w)) (the bias is not
    regularized), whose gradient is reg * sign(w) (no weight is exactly 0).
    """
    # YOUR CODE HERE
    raise NotImplementedError("logistic_loss_l1: not implemented yet")


def logistic_hessian(w, b, X, y, reg=0.0):
    """
    Hessian of logistic_loss (L2 regularization) in the parameters theta = [w, b] (bias last).

    Inputs: as logistic_loss.

    Returns:
    - H: A numpy array of shape (D + 1, D + 1). With A = [X, 1] (a column of ones appended) and
      s_i = sigma(z_i) (1 - sigma(z_i)):
          H = A^T diag(s) A / N + 2 * reg * diag(1, ..., 1, 0)
      (the bias is not regularized, so its diagonal entry gets no 2 * reg).
    """
    # YOUR CODE HERE
    raise NotImplementedError("logistic_hessian: not implemented yet")


def newton_step(w, b, X, y, reg=0.0):
    """
    One step of Newton's method on logistic_loss (L2 regularization).

    Inputs: as logistic_loss.

    With theta = [w, b], g the gradient and H the Hessian of the loss at theta:
        theta_new = theta - H^{-1} g
    computed by solving H d = g (np.linalg.solve), never by inverting H.

    Returns a tuple of:
    - w_new: A numpy array of shape (D,)
    - b_new: (float)
    """
    # YOUR CODE HERE
    raise NotImplementedError("newton_step: not implemented yet")
