from tests.catalogue import alternative, mistake

SQ_BODY = ("    sq_dists = np.sum(X ** 2, axis=1)[:, None] + np.sum(Z ** 2, axis=1)[None, :] - 2 * X.dot(Z.T)\n"
           "    return np.maximum(sq_dists, 0.0)\n")
POLY_DEFAULT = "        gamma = 1.0 / X.shape[1]\n    return (gamma * X.dot(Z.T) + coef0) ** degree"
RBF_DEFAULT = "        gamma = 1.0 / X.shape[1]\n    return np.exp(-gamma * pairwise_sq_distances(X, Z))"
RBF_RETURN = "    return np.exp(-gamma * pairwise_sq_distances(X, Z))\n"
SIGMOID_RETURN = "    return np.tanh(gamma * X.dot(Z.T) + coef0)\n"
DECISION_RETURN = "    return (alpha * y).dot(K) + b\n"
TORCH = ("import numpy as np\n", "import numpy as np\ntry:\n    import torch\nexcept ImportError:\n    pass\n")

MISTAKES = [
    mistake("pairwise_sq_distances", "square root taken (distances, not squared)",
            ("    return np.maximum(sq_dists, 0.0)\n", "    return np.sqrt(np.maximum(sq_dists, 0.0))\n"),
            loses="sq_dists matches torch.cdist squared", hint="not squared distances"),
    mistake("pairwise_sq_distances", "the expansion not clipped at 0",
            ("    return np.maximum(sq_dists, 0.0)\n", "    return sq_dists\n"),
            loses="never negative (rounding clipped at 0)"),
    mistake("pairwise_sq_distances", "cross term without the factor 2",
            ("[None, :] - 2 * X.dot(Z.T)\n    return np.maximum", "[None, :] - X.dot(Z.T)\n    return np.maximum"),
            loses="sq_dists matches torch.cdist squared", hint="factor 2 is missing"),
    mistake("pairwise_sq_distances", "a loop over the rows of X",
            (SQ_BODY, "    sq_dists = np.zeros((X.shape[0], Z.shape[0]))\n    for i in range(X.shape[0]):\n"
                      "        sq_dists[i] = np.sum((Z - X[i]) ** 2, axis=1)\n    return sq_dists\n"),
            loses="no Python loops (vectorized)"),
    mistake("pairwise_sq_distances", "norms summed over the wrong axis",
            ("np.sum(X ** 2, axis=1)[:, None] + np.sum(Z ** 2, axis=1)[None, :]",
             "np.sum(X ** 2, axis=1)[:, None] + np.sum(Z ** 2, axis=0)[None, :]"),
            loses="sq_dists matches torch.cdist squared"),
    mistake("pairwise_sq_distances", "imports torch", TORCH,
            loses=("numpy only (no torch, tensorflow, jax or grader imports)", "sq_dists matches torch.cdist squared")),
    mistake("linear_kernel", "Z X^T (transposed)",
            ("    return X.dot(Z.T)\n", "    return Z.dot(X.T)\n"), loses="K matches torch", hint="K is transposed"),
    mistake("linear_kernel", "X X^T, Z ignored",
            ("    return X.dot(Z.T)\n", "    return X.dot(X.T)\n"), loses="K matches torch"),
    mistake("linear_kernel", "a bias of 1 added (the polynomial kernel's coef0)",
            ("    return X.dot(Z.T)\n", "    return X.dot(Z.T) + 1.0\n"), loses="K matches torch"),
    mistake("linear_kernel", "returned in float32",
            ("    return X.dot(Z.T)\n", "    return X.dot(Z.T).astype(np.float32)\n"), loses="K matches torch"),
    mistake("polynomial_kernel", "gamma=None taken as 1 / N",
            (POLY_DEFAULT, POLY_DEFAULT.replace("X.shape[1]", "X.shape[0]")),
            loses="K matches torch", hint="not 1 / N"),
    mistake("polynomial_kernel", "gamma ignored",
            ("(gamma * X.dot(Z.T) + coef0) ** degree", "(X.dot(Z.T) + coef0) ** degree"),
            loses="K matches torch", hint="computed with gamma = 1"),
    mistake("polynomial_kernel", "coef0 left out",
            ("(gamma * X.dot(Z.T) + coef0) ** degree", "(gamma * X.dot(Z.T)) ** degree"), loses="K matches torch",
            hint="coef0 is left out"),
    mistake("polynomial_kernel", "degree fixed at 3",
            ("(gamma * X.dot(Z.T) + coef0) ** degree", "(gamma * X.dot(Z.T) + coef0) ** 3"), loses="K matches torch",
            hint="degree argument is ignored"),
    mistake("rbf_kernel", "distance instead of squared distance",
            (RBF_RETURN, "    return np.exp(-gamma * np.sqrt(pairwise_sq_distances(X, Z)))\n"),
            loses="K matches torch", hint="uses the distance"),
    mistake("rbf_kernel", "its own expansion, not clipped at 0",
            (RBF_RETURN, "    sq = np.sum(X ** 2, axis=1)[:, None] + np.sum(Z ** 2, axis=1)[None, :] - 2 * X.dot(Z.T)\n"
                         "    return np.exp(-gamma * sq)\n"),
            loses="K in [0, 1]"),
    mistake("rbf_kernel", "gamma=None taken as 1",
            (RBF_DEFAULT, RBF_DEFAULT.replace("1.0 / X.shape[1]", "1.0")), loses="K matches torch",
            hint="computed with gamma = 1"),
    mistake("rbf_kernel", "a product of exponentials of the norms",
            (RBF_RETURN, "    return (np.exp(-gamma * np.sum(X ** 2, axis=1))[:, None] * np.exp(2 * gamma * X.dot(Z.T))\n"
                         "            * np.exp(-gamma * np.sum(Z ** 2, axis=1))[None, :])\n"),
            loses="finite and correct for points of magnitude up to 1e3", hint="product of exponentials"),
    mistake("rbf_kernel", "the minus sign of the exponent forgotten",
            (RBF_RETURN, "    return np.exp(gamma * pairwise_sq_distances(X, Z))\n"),
            loses=("K matches torch", "finite and correct for points of magnitude up to 1e3")),
    mistake("sigmoid_kernel", "the logistic sigmoid instead of tanh",
            (SIGMOID_RETURN, "    return 1.0 / (1.0 + np.exp(-(gamma * X.dot(Z.T) + coef0)))\n"),
            loses="K matches torch", hint="logistic sigmoid"),
    mistake("sigmoid_kernel", "tanh written with exponentials (overflows)",
            (SIGMOID_RETURN, "    u = gamma * X.dot(Z.T) + coef0\n    return (np.exp(u) - np.exp(-u)) / (np.exp(u) + np.exp(-u))\n"),
            loses="finite and correct for points of magnitude up to 1e3", hint="use np.tanh"),
    mistake("sigmoid_kernel", "coef0 left out",
            (SIGMOID_RETURN, "    return np.tanh(gamma * X.dot(Z.T))\n"), loses="K matches torch", hint="coef0 is left out"),
    mistake("sigmoid_kernel", "gamma ignored",
            (SIGMOID_RETURN, "    return np.tanh(X.dot(Z.T) + coef0)\n"), loses="K matches torch",
            hint="computed with gamma = 1"),
    mistake("sigmoid_kernel", "Z X^T (transposed)",
            (SIGMOID_RETURN, "    return np.tanh(gamma * Z.dot(X.T) + coef0)\n"), loses="K matches torch",
            hint="K is transposed"),
    mistake("svm_decision_function", "bias forgotten",
            (DECISION_RETURN, "    return (alpha * y).dot(K)\n"), loses="scores matches torch", hint="bias b is missing"),
    mistake("svm_decision_function", "labels forgotten",
            (DECISION_RETURN, "    return alpha.dot(K) + b\n"), loses="scores matches torch", hint="labels y are missing"),
    mistake("svm_decision_function", "summed over the test points (axis 1)",
            (DECISION_RETURN, "    return np.sum(alpha[:, None] * y[:, None] * K, axis=1) + b\n"),
            loses="scores matches torch", hint="one entry per support vector"),
    mistake("svm_decision_function", "returns predicted labels (np.sign) instead of scores",
            (DECISION_RETURN, "    return np.sign((alpha * y).dot(K) + b)\n"), loses="scores matches torch"),
]

ALTERNATIVES = [
    alternative("pairwise_sq_distances", "broadcast differences (no expansion, nothing to clip)",
                (SQ_BODY, "    return np.sum((X[:, None, :] - Z[None, :, :]) ** 2, axis=2)\n")),
    alternative("pairwise_sq_distances", "einsum norms and the @ operator, clipped with np.clip",
                (SQ_BODY, "    sq = np.einsum('ij,ij->i', X, X)[:, None] + np.einsum('ij,ij->i', Z, Z) - 2 * (X @ Z.T)\n"
                          "    return np.clip(sq, 0, None)\n")),
    alternative("linear_kernel", "einsum", ("    return X.dot(Z.T)\n", "    return np.einsum('nd,md->nm', X, Z)\n")),
    alternative("polynomial_kernel", "np.power of X @ Z.T",
                (POLY_DEFAULT, "        gamma = 1.0 / X.shape[1]\n    return np.power(gamma * (X @ Z.T) + coef0, degree)")),
    alternative("rbf_kernel", "broadcast differences",
                (RBF_RETURN, "    return np.exp(-gamma * np.sum((X[:, None, :] - Z[None, :, :]) ** 2, axis=-1))\n")),
    alternative("sigmoid_kernel", "tanh from exponentials of a non-positive argument",
                (SIGMOID_RETURN, "    u = gamma * X.dot(Z.T) + coef0\n    e = np.exp(-2 * np.abs(u))\n"
                                 "    return np.sign(u) * (1 - e) / (1 + e)\n")),
    alternative("svm_decision_function", "K.T times the weights",
                (DECISION_RETURN, "    return np.dot(K.T, alpha * y) + b\n")),
    alternative("svm_decision_function", "a loop over the support vectors",
                (DECISION_RETURN, "    scores = np.full(K.shape[1], float(b))\n    for i in range(K.shape[0]):\n"
                                  "        scores += alpha[i] * y[i] * K[i]\n    return scores\n")),
]
