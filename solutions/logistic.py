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
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    z = X.dot(w) + b
    # -[y log s + (1 - y) log(1 - s)] = log(1 + e^z) - y z
    loss = np.mean(np.logaddexp(0.0, z) - y * z) + reg * np.sum(w * w)
    probs = np.exp(-np.logaddexp(0.0, -z))  # sigma(z), without overflow
    dz = (probs - y) / num_train
    dw = X.T.dot(dz) + 2 * reg * w
    db = np.sum(dz)
    return loss, dw, db
    ### END SOLUTION


def logistic_loss_l1(w, b, X, y, reg):
    """
    Loss and gradient of binary logistic regression with L1 regularization.

    Inputs and outputs are those of logistic_loss; the penalty is reg * sum(abs(w)) (the bias is not
    regularized), whose gradient is reg * sign(w) (no weight is exactly 0).
    """
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    z = X.dot(w) + b
    loss = np.mean(np.logaddexp(0.0, z) - y * z) + reg * np.sum(np.abs(w))
    dz = (np.exp(-np.logaddexp(0.0, -z)) - y) / num_train
    return loss, X.T.dot(dz) + reg * np.sign(w), np.sum(dz)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    num_train, dim = X.shape
    z = X.dot(w) + b
    probs = np.exp(-np.logaddexp(0.0, -z))
    weights = probs * (1 - probs)
    A = np.hstack([X, np.ones((num_train, 1))])
    H = A.T.dot(A * weights[:, None]) / num_train
    H[np.arange(dim), np.arange(dim)] += 2 * reg
    return H
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    _, dw, db = logistic_loss(w, b, X, y, reg)
    H = logistic_hessian(w, b, X, y, reg)
    step = np.linalg.solve(H, np.append(dw, db))
    return w - step[:-1], b - step[-1]
    ### END SOLUTION
