from tests.catalogue import alternative, mistake

L2_LOSS = "    loss = np.mean(np.logaddexp(0.0, z) - y * z) + reg * np.sum(w * w)\n"
L1_LOSS = "    loss = np.mean(np.logaddexp(0.0, z) - y * z) + reg * np.sum(np.abs(w))\n"
L2_DZ = "    dz = (probs - y) / num_train\n"
L1_RETURN = "    return loss, X.T.dot(dz) + reg * np.sign(w), np.sum(dz)\n"
NAIVE_LOG = ("    sig = 1.0 / (1.0 + np.exp(-z))\n"
             "    loss = -np.mean(y * np.log(sig) + (1 - y) * np.log(1 - sig)) + reg * np.sum({penalty})\n")
RIDGE = "    H[np.arange(dim), np.arange(dim)] += 2 * reg\n"
GRAM = "    H = A.T.dot(A * weights[:, None]) / num_train\n"
SOLVE = "    step = np.linalg.solve(H, np.append(dw, db))\n"
NEWTON_RETURN = "    return w - step[:-1], b - step[-1]\n"
TORCH = ("import numpy as np\n", "import numpy as np\ntry:\n    import torch\nexcept ImportError:\n    pass\n")

MISTAKES = [
    mistake("logistic_loss", "log of the sigmoid (overflows for large |z|)",
            (L2_LOSS, NAIVE_LOG.format(penalty="w * w")),
            loses="finite and correct for |z| up to 1e3", hint="with np.logaddexp(0, z)"),
    mistake("logistic_loss", "the bias regularized (loss and db)",
            (L2_LOSS, L2_LOSS.replace("reg * np.sum(w * w)", "reg * (np.sum(w * w) + b * b)")),
            ("    db = np.sum(dz)\n", "    db = np.sum(dz) + 2 * reg * b\n"),
            loses=("loss matches torch", "db matches torch autograd"), hint="the bias is regularized"),
    mistake("logistic_loss", "the mean forgotten (summed over the batch)",
            (L2_LOSS, L2_LOSS.replace("np.mean(", "np.sum(")), (L2_DZ, "    dz = probs - y\n"),
            loses=("loss matches torch", "dw matches torch autograd", "db matches torch autograd"),
            hint="summed, not averaged"),
    mistake("logistic_loss", "reg * w as the regularization gradient",
            ("    dw = X.T.dot(dz) + 2 * reg * w\n", "    dw = X.T.dot(dz) + reg * w\n"),
            loses="dw matches torch autograd", hint="derivative of reg * sum(w*w) is 2 * reg * w"),
    mistake("logistic_loss", "gradient of the wrong sign (y - sigma(z))",
            (L2_DZ, "    dz = (y - probs) / num_train\n"),
            loses=("dw matches torch autograd", "db matches torch autograd"), hint="dw has the wrong sign"),
    mistake("logistic_loss", "regularization missing from the loss",
            (L2_LOSS, L2_LOSS.replace(" + reg * np.sum(w * w)", "")),
            loses="loss matches torch", hint="regularization term is missing"),
    mistake("logistic_loss", "reg without its default 0.0",
            ("def logistic_loss(w, b, X, y, reg=0.0):", "def logistic_loss(w, b, X, y, reg):"),
            loses=("loss matches torch", "dw matches torch autograd")),
    mistake("logistic_loss", "imports torch", TORCH,
            loses=("numpy only (no torch, tensorflow, jax or grader imports)", "loss matches torch")),
    mistake("logistic_loss_l1", "the L2 gradient 2 * reg * w for the L1 penalty",
            (L1_RETURN, L1_RETURN.replace("reg * np.sign(w)", "2 * reg * w")),
            loses="dw matches torch autograd", hint="that of the L2 penalty"),
    mistake("logistic_loss_l1", "the bias regularized (loss and db)",
            (L1_LOSS, L1_LOSS.replace("reg * np.sum(np.abs(w))", "reg * (np.sum(np.abs(w)) + abs(b))")),
            (L1_RETURN, L1_RETURN.replace("np.sum(dz)", "np.sum(dz) + reg * np.sign(b)")),
            loses=("loss matches torch", "db matches torch autograd"), hint="the bias is regularized"),
    mistake("logistic_loss_l1", "the penalty's gradient forgotten",
            (L1_RETURN, L1_RETURN.replace(" + reg * np.sign(w)", "")),
            loses="dw matches torch autograd", hint="regularization gradient is missing"),
    mistake("logistic_loss_l1", "log of the sigmoid (overflows for large |z|)",
            (L1_LOSS, NAIVE_LOG.format(penalty="np.abs(w)")),
            loses="finite and correct for |z| up to 1e3", hint="with np.logaddexp(0, z)"),
    mistake("logistic_loss_l1", "the data gradient not averaged",
            ("    dz = (np.exp(-np.logaddexp(0.0, -z)) - y) / num_train\n", "    dz = np.exp(-np.logaddexp(0.0, -z)) - y\n"),
            loses=("dw matches torch autograd", "db matches torch autograd"), hint="N times too large"),
    mistake("logistic_hessian", "no row and column for the bias",
            ("    A = np.hstack([X, np.ones((num_train, 1))])\n", "    A = X\n"),
            loses=("H matches torch.autograd.functional.hessian", "H is symmetric"), hint="no row and column for the bias"),
    mistake("logistic_hessian", "the bias regularized",
            (RIDGE, "    H[np.arange(dim + 1), np.arange(dim + 1)] += 2 * reg\n"),
            loses="H matches torch.autograd.functional.hessian", hint="the bias is regularized"),
    mistake("logistic_hessian", "reg instead of 2 * reg on the diagonal",
            (RIDGE, "    H[np.arange(dim), np.arange(dim)] += reg\n"),
            loses="H matches torch.autograd.functional.hessian", hint="adds reg to the diagonal"),
    mistake("logistic_hessian", "not divided by N",
            (GRAM, "    H = A.T.dot(A * weights[:, None])\n"),
            loses="H matches torch.autograd.functional.hessian", hint="N times too large"),
    mistake("logistic_hessian", "the weights sigma(1 - sigma) left out",
            (GRAM, "    H = A.T.dot(A) / num_train\n"),
            loses="H matches torch.autograd.functional.hessian", hint="weights sigma(z)(1 - sigma(z)) are missing"),
    mistake("logistic_hessian", "sigma(z) as exp(z) / (1 + exp(z)) (NaN for large z)",
            ("    probs = np.exp(-np.logaddexp(0.0, -z))\n    weights", "    probs = np.exp(z) / (1 + np.exp(z))\n    weights"),
            loses="finite and correct for |z| up to 1e3", hint="inf / inf"),
    mistake("logistic_hessian", "sigma instead of sigma(1 - sigma) as the weights",
            ("    weights = probs * (1 - probs)\n", "    weights = probs\n"),
            loses="H matches torch.autograd.functional.hessian"),
    mistake("newton_step", "H^-1 g applied with the wrong sign",
            (NEWTON_RETURN, "    return w + step[:-1], b + step[-1]\n"),
            loses=("w_new matches torch (theta - H^-1 g, torch.linalg.solve)",
                   "b_new matches torch (theta - H^-1 g, torch.linalg.solve)"), hint="wrong sign"),
    mistake("newton_step", "a gradient step instead of a Newton step",
            (SOLVE, "    step = np.append(dw, db)\n"),
            loses="w_new matches torch (theta - H^-1 g, torch.linalg.solve)", hint="this is a gradient step"),
    mistake("newton_step", "the gradient multiplied by H",
            (SOLVE, "    step = H.dot(np.append(dw, db))\n"),
            loses="w_new matches torch (theta - H^-1 g, torch.linalg.solve)", hint="multiplies the gradient by H"),
    mistake("newton_step", "the bias not updated",
            (NEWTON_RETURN, "    return w - step[:-1], b\n"),
            loses="b_new matches torch (theta - H^-1 g, torch.linalg.solve)", hint="b_new is the old b"),
    mistake("newton_step", "regularization left out of the step",
            ("    _, dw, db = logistic_loss(w, b, X, y, reg)\n    H = logistic_hessian(w, b, X, y, reg)\n",
             "    _, dw, db = logistic_loss(w, b, X, y)\n    H = logistic_hessian(w, b, X, y)\n"),
            loses="w_new matches torch (theta - H^-1 g, torch.linalg.solve)", hint="regularization is missing"),
    mistake("newton_step", "updates w in place",
            (NEWTON_RETURN, "    w -= step[:-1]\n    return w, b - step[-1]\n"),
            loses="inputs are not modified"),
]

ALTERNATIVES = [
    alternative("logistic_loss", "max(z, 0) - y z + log1p(exp(-|z|)), sigmoid by cases",
                (L2_LOSS, "    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))) + reg * np.sum(w * w)\n"),
                ("    probs = np.exp(-np.logaddexp(0.0, -z))  # sigma(z), without overflow\n",
                 "    ez = np.exp(-np.abs(z))\n    probs = np.where(z >= 0, 1 / (1 + ez), ez / (1 + ez))\n")),
    alternative("logistic_loss", "a loop over the examples, y as floats",
                (L2_LOSS + "    probs = np.exp(-np.logaddexp(0.0, -z))  # sigma(z), without overflow\n" + L2_DZ
                 + "    dw = X.T.dot(dz) + 2 * reg * w\n    db = np.sum(dz)\n",
                 "    y = y.astype(np.float64)\n    loss, dw, db = 0.0, np.zeros_like(w), 0.0\n"
                 "    for i in range(num_train):\n        zi = X[i].dot(w) + b\n"
                 "        loss += np.logaddexp(0.0, zi) - y[i] * zi\n"
                 "        p = np.exp(-np.logaddexp(0.0, -zi))\n        dw += (p - y[i]) * X[i]\n        db += p - y[i]\n"
                 "    loss = loss / num_train + reg * np.sum(w ** 2)\n"
                 "    dw = dw / num_train + 2 * reg * w\n    db = db / num_train\n")),
    alternative("logistic_loss_l1", "sign by np.where",
                (L1_RETURN, "    return loss, X.T.dot(dz) + reg * np.where(w > 0, 1.0, -1.0), dz.sum()\n")),
    alternative("logistic_hessian", "a sum of outer products over the examples",
                ("    A = np.hstack([X, np.ones((num_train, 1))])\n" + GRAM,
                 "    H = np.zeros((dim + 1, dim + 1))\n    for i in range(num_train):\n"
                 "        a = np.append(X[i], 1.0)\n        H += weights[i] * np.outer(a, a) / num_train\n")),
    alternative("logistic_hessian", "np.diag of the weights and a ridge matrix",
                (GRAM + RIDGE, "    H = A.T @ np.diag(weights) @ A / num_train + 2 * reg * np.diag(np.append(np.ones(dim), 0.0))\n")),
    alternative("newton_step", "np.linalg.lstsq", (SOLVE, "    step = np.linalg.lstsq(H, np.append(dw, db), rcond=None)[0]\n")),
    alternative("newton_step", "Cholesky factor and two triangular solves",
                (SOLVE, "    L = np.linalg.cholesky(H)\n    step = np.linalg.solve(L.T, np.linalg.solve(L, np.append(dw, db)))\n")),
]
