from tests.catalogue import alternative, mistake

OUT, TRAIN_OUT, TEST_OUT = "out matches torch", "out matches torch (train mode)", "out matches torch (test mode)"
RUNNING = "running statistics updated with momentum and stored in bn_param"
UNCHANGED_IN_TEST = "running statistics unchanged in test mode"
INVALID = "an invalid mode raises ValueError"
SCALED = "accurate for badly scaled data (large mean, small variance)"
INPUTS = "inputs are not modified"
DX, DGAMMA, DBETA = "dx matches torch autograd", "dgamma matches torch autograd", "dbeta matches torch autograd"
NO_LOOPS = "no Python loops (vectorized)"

# Pieces of solutions/normalization.py that the variants rewrite.
BN_TRAIN_STATS = ("        mu = x.mean(axis=0)\n        xc = x - mu\n        var = np.mean(xc ** 2, axis=0)\n")
BN_RUNNING = ("        running_mean = momentum * running_mean + (1 - momentum) * mu\n"
              "        running_var = momentum * running_var + (1 - momentum) * var\n")
BN_TEST = "        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta\n"
BN_STORE = '    bn_param["running_mean"] = running_mean\n    bn_param["running_var"] = running_var\n'
STAGED_DX = "    dxc = dxhat / std + 2 * xc * dvar / N\n    dmu = -np.sum(dxc, axis=0)\n    dx = dxc + dmu / N\n"
ALT_DX = "    dx = gamma / np.sqrt(var + eps) / N * (N * dout - dbeta - xhat * dgamma)\n"
LN_STATS = ("    mu = x.mean(axis=1, keepdims=True)\n    xc = x - mu\n"
            "    var = np.mean(xc ** 2, axis=1, keepdims=True)\n    std = np.sqrt(var + eps)\n    xhat = xc / std\n")
LN_DX = ("    dx = (dxhat - dxhat.mean(axis=1, keepdims=True)\n"
         "          - xhat * np.mean(dxhat * xhat, axis=1, keepdims=True)) / std\n")
SBN_FLAT = "    flat = x.transpose(0, 2, 3, 1).reshape(-1, C)\n"
SBN_BACK = "    out = out.reshape(N, H, W, C).transpose(0, 3, 1, 2)\n"
GN_STATS = ("    grouped = x.reshape(N, G, -1)\n    mu = grouped.mean(axis=2, keepdims=True)\n    xc = grouped - mu\n"
            "    var = np.mean(xc ** 2, axis=2, keepdims=True)\n")
GN_DSUMS = ("    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)\n"
            "    dgamma = np.sum(dout * xhat, axis=(0, 2, 3), keepdims=True)\n")

MISTAKES = [
    # batchnorm_forward
    mistake("batchnorm_forward", "unbiased variance (np.var with ddof=1)",
            (BN_TRAIN_STATS, BN_TRAIN_STATS.replace("np.mean(xc ** 2, axis=0)", "np.var(x, axis=0, ddof=1)")),
            loses=(TRAIN_OUT, RUNNING), hint="unbiased"),
    mistake("batchnorm_forward", "torch-style momentum",
            (BN_RUNNING, "        running_mean = (1 - momentum) * running_mean + momentum * mu\n"
                         "        running_var = (1 - momentum) * running_var + momentum * var\n"),
            loses=RUNNING, hint="torch way round"),
    mistake("batchnorm_forward", "running variance updated with the unbiased variance (torch's convention)",
            ("(1 - momentum) * var\n", "(1 - momentum) * var * N / (N - 1)\n"),
            loses=RUNNING, hint="updated with the unbiased variance"),
    mistake("batchnorm_forward", "running statistics not stored in bn_param",
            (BN_STORE, ""), loses=RUNNING, hint="not stored in bn_param"),
    mistake("batchnorm_forward", "running statistics stored only when they were present",
            (BN_STORE, '    if "running_mean" in bn_param:\n' + BN_STORE.replace("    bn_param", "        bn_param")),
            loses=RUNNING, hint="not stored in bn_param"),
    mistake("batchnorm_forward", "missing running_var defaults to ones",
            ('bn_param.get("running_var", np.zeros(D, dtype=x.dtype))', 'bn_param.get("running_var", np.ones(D))'),
            loses=RUNNING, hint="defaults to zeros"),
    mistake("batchnorm_forward", "batch statistics in test mode",
            (BN_TEST, "        out = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta\n"),
            loses=TEST_OUT, hint="batch statistics"),
    mistake("batchnorm_forward", "test mode updates the running statistics",
            (BN_TEST, BN_TEST + BN_RUNNING.replace("* mu", "* x.mean(axis=0)").replace("* var", "* x.var(axis=0)")),
            loses=UNCHANGED_IN_TEST),
    mistake("batchnorm_forward", "eps outside the square root",
            ("        std = np.sqrt(var + eps)\n        xhat", "        std = np.sqrt(var) + eps\n        xhat"),
            loses=TRAIN_OUT, hint="outside the square root"),
    mistake("batchnorm_forward", "eps ignored (always 1e-5)",
            ('eps = bn_param.get("eps", 1e-5)', "eps = 1e-5"), loses=(TRAIN_OUT, TEST_OUT)),
    mistake("batchnorm_forward", "statistics over the features (axis=1)",
            (BN_TRAIN_STATS, BN_TRAIN_STATS.replace("axis=0", "axis=1, keepdims=True")),
            loses=TRAIN_OUT, hint="wrong axis"),
    mistake("batchnorm_forward", "one-pass variance E[x^2] - E[x]^2",
            (BN_TRAIN_STATS, BN_TRAIN_STATS.replace("np.mean(xc ** 2, axis=0)", "np.mean(x ** 2, axis=0) - mu ** 2")),
            loses=SCALED, hint="E[x**2] - E[x]**2"),
    mistake("batchnorm_forward", "an unknown mode is treated as test mode",
            ('    elif mode == "test":\n', "    else:\n"),
            ("    else:\n        raise ValueError('Invalid forward batchnorm mode \"%s\"' % mode)\n", ""),
            loses=INVALID),
    mistake("batchnorm_forward", "a missing mode defaults to train",
            ('mode = bn_param["mode"]', 'mode = bn_param.get("mode", "train")'), loses=INVALID),
    mistake("batchnorm_forward", "mode popped from bn_param",
            ('mode = bn_param["mode"]', 'mode = bn_param.pop("mode")'), loses=INPUTS),
    mistake("batchnorm_forward", "centers x in place",
            ("        xc = x - mu\n", "        x -= mu\n        xc = x\n"), loses=INPUTS),
    # batchnorm_backward
    mistake("batchnorm_backward", "no gradient through the mean",
            ("    dx = dxc + dmu / N\n", "    dx = dxc\n"), loses=DX, hint="flows through the mean"),
    mistake("batchnorm_backward", "no gradient through the variance",
            ("    dxc = dxhat / std + 2 * xc * dvar / N\n", "    dxc = dxhat / std\n"),
            loses=DX, hint="flows through the variance"),
    mistake("batchnorm_backward", "dvar without the 1/2 of the square root",
            ("    dvar = 0.5 * dstd / std\n", "    dvar = dstd / std\n"), loses=DX),
    mistake("batchnorm_backward", "dbeta summed over the features",
            ("    dbeta = dout.sum(axis=0)\n", "    dbeta = dout.sum(axis=1)\n"), loses=DBETA, hint="wrong axis"),
    mistake("batchnorm_backward", "dgamma summed over the features",
            ("    dgamma = np.sum(dout * xhat, axis=0)\n", "    dgamma = np.sum(dout * xhat, axis=1)\n"),
            loses=DGAMMA, hint="wrong axis"),
    mistake("batchnorm_backward", "dgamma from x instead of x_hat",
            ("    dgamma = np.sum(dout * xhat, axis=0)\n", "    dgamma = np.sum(dout * x, axis=0)\n"),
            loses=DGAMMA, hint="sums dout * x"),
    mistake("batchnorm_backward", "dout modified in place",
            ("    dxhat = dout * gamma\n", "    dout *= gamma\n    dxhat = dout\n"), loses=INPUTS),
    # batchnorm_backward_alt
    mistake("batchnorm_backward_alt", "closed form without the 1/N",
            (ALT_DX, ALT_DX.replace(" / N * (", " * (")), loses=DX, hint="N times too large"),
    mistake("batchnorm_backward_alt", "closed form without the mean term",
            (ALT_DX, ALT_DX.replace(" - dbeta", "")), loses=DX, hint="flows through the mean"),
    mistake("batchnorm_backward_alt", "closed form without the variance term",
            (ALT_DX, ALT_DX.replace(" - xhat * dgamma", "")), loses=DX, hint="flows through the variance"),
    mistake("batchnorm_backward_alt", "closed form with the sums over the wrong axis",
            (ALT_DX, "    dx = gamma / np.sqrt(var + eps) / N * (N * dout - dout.sum(axis=1, keepdims=True)"
                     " - xhat * np.sum(dout * xhat, axis=1, keepdims=True))\n"), loses=DX),
    mistake("batchnorm_backward_alt", "a loop over the features",
            (ALT_DX, "    dx = np.empty_like(dout)\n    for j in range(dout.shape[1]):\n"
                     "        dx[:, j] = gamma[j] / np.sqrt(var[j] + eps) / N * (N * dout[:, j] - dbeta[j]"
                     " - xhat[:, j] * dgamma[j])\n"), loses=NO_LOOPS),
    # layernorm_forward
    mistake("layernorm_forward", "statistics over the batch (axis=0)",
            (LN_STATS, LN_STATS.replace("axis=1", "axis=0")), loses=OUT, hint="wrong axis"),
    mistake("layernorm_forward", "unbiased variance",
            (LN_STATS, LN_STATS.replace("np.mean(xc ** 2, axis=1, keepdims=True)",
                                        "np.var(x, axis=1, ddof=1, keepdims=True)")), loses=OUT, hint="unbiased"),
    mistake("layernorm_forward", "eps outside the square root",
            (LN_STATS, LN_STATS.replace("np.sqrt(var + eps)", "np.sqrt(var) + eps")),
            loses=OUT, hint="outside the square root"),
    mistake("layernorm_forward", "eps ignored", ('eps = ln_param.get("eps", 1e-5)', "eps = 1e-5"), loses=OUT),
    mistake("layernorm_forward", "one-pass variance",
            (LN_STATS, LN_STATS.replace("np.mean(xc ** 2, axis=1, keepdims=True)",
                                        "np.mean(x ** 2, axis=1, keepdims=True) - mu ** 2")),
            loses=SCALED, hint="E[x**2] - E[x]**2"),
    # layernorm_backward
    mistake("layernorm_backward", "means over the batch axis (batch norm's backward)",
            (LN_DX, LN_DX.replace("axis=1", "axis=0")), loses=DX),
    mistake("layernorm_backward", "no gradient through the variance",
            (LN_DX, "    dx = (dxhat - dxhat.mean(axis=1, keepdims=True)) / std\n"),
            loses=DX, hint="flows through the variance"),
    mistake("layernorm_backward", "no gradient through the mean",
            (LN_DX, LN_DX.replace("dxhat - dxhat.mean(axis=1, keepdims=True)\n", "dxhat\n")),
            loses=DX, hint="flows through the mean"),
    mistake("layernorm_backward", "dgamma summed over the features",
            ("    dgamma = np.sum(dout * xhat, axis=0)\n    dxhat = dout * gamma\n    dx = (",
             "    dgamma = np.sum(dout * xhat, axis=1)\n    dxhat = dout * gamma\n    dx = ("),
            loses=DGAMMA, hint="wrong axis"),
    # spatial_batchnorm_forward
    mistake("spatial_batchnorm_forward", "reshape to (-1, C) without moving the channels last",
            (SBN_FLAT, "    flat = x.reshape(-1, C)\n"), (SBN_BACK, "    out = out.reshape(N, C, H, W)\n"),
            loses=TRAIN_OUT, hint="mixes the channels"),
    mistake("spatial_batchnorm_forward", "transposed back the wrong way",
            (SBN_BACK, "    out = out.reshape(N, H, W, C).transpose(0, 3, 2, 1)\n"), loses=TRAIN_OUT),
    mistake("spatial_batchnorm_forward", "batch statistics in test mode (in batchnorm_forward)",
            (BN_TEST, "        out = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta\n"),
            loses=TEST_OUT, hint="batch statistics"),
    mistake("spatial_batchnorm_forward", "torch-style momentum (in batchnorm_forward)",
            (BN_RUNNING, "        running_mean = (1 - momentum) * running_mean + momentum * mu\n"
                         "        running_var = (1 - momentum) * running_var + momentum * var\n"),
            loses=RUNNING, hint="torch way round"),
    mistake("spatial_batchnorm_forward", "unbiased variance (in batchnorm_forward)",
            (BN_TRAIN_STATS, BN_TRAIN_STATS.replace("np.mean(xc ** 2, axis=0)", "np.var(x, axis=0, ddof=1)")),
            loses=(TRAIN_OUT, RUNNING), hint="unbiased"),
    # spatial_batchnorm_backward
    mistake("spatial_batchnorm_backward", "reshape to (-1, C) without moving the channels last",
            ("    flat = dout.transpose(0, 2, 3, 1).reshape(-1, C)\n", "    flat = dout.reshape(-1, C)\n"),
            ("    dx = dx.reshape(N, H, W, C).transpose(0, 3, 1, 2)\n", "    dx = dx.reshape(N, C, H, W)\n"),
            loses=(DX, DGAMMA, DBETA)),
    mistake("spatial_batchnorm_backward", "dgamma and dbeta shaped (1, C, 1, 1)",
            ("    dx = dx.reshape(N, H, W, C).transpose(0, 3, 1, 2)\n    return dx, dgamma, dbeta\n",
             "    dx = dx.reshape(N, H, W, C).transpose(0, 3, 1, 2)\n"
             "    return dx, dgamma.reshape(1, C, 1, 1), dbeta.reshape(1, C, 1, 1)\n"),
            loses=(DGAMMA, DBETA), hint="shape of gamma"),
    mistake("spatial_batchnorm_backward", "no gradient through the mean (in batchnorm_backward_alt)",
            (ALT_DX, ALT_DX.replace(" - dbeta", "")), loses=DX, hint="flows through the mean"),
    # spatial_groupnorm_forward
    mistake("spatial_groupnorm_forward", "var.squeeze() drops the group axis when G = 1",
            ("    var = np.mean(xc ** 2, axis=2, keepdims=True)\n    std = np.sqrt(var + eps)\n    xhat = (xc / std).reshape",
             "    var = np.mean(xc ** 2, axis=2, keepdims=True).squeeze()\n    std = np.sqrt(var + eps)[..., None]\n"
             "    xhat = (xc / std).reshape"),
            loses="out matches torch", hint="G = 1"),
    mistake("spatial_groupnorm_forward", "interleaved groups (x.reshape(N, C // G, G, H, W))",
            (GN_STATS, "    grouped = x.reshape(N, C // G, G, H, W)\n"
                       "    mu = grouped.mean(axis=(1, 3, 4), keepdims=True)\n    xc = grouped - mu\n"
                       "    var = np.mean(xc ** 2, axis=(1, 3, 4), keepdims=True)\n"),
            loses=OUT, hint="not contiguous channels"),
    mistake("spatial_groupnorm_forward", "statistics per channel",
            (GN_STATS, GN_STATS.replace("x.reshape(N, G, -1)", "x.reshape(N, C, -1)")),
            loses=OUT, hint="per channel"),
    mistake("spatial_groupnorm_forward", "G ignored (statistics over the whole sample)",
            (GN_STATS, GN_STATS.replace("x.reshape(N, G, -1)", "x.reshape(N, 1, -1)")),
            loses=OUT, hint="G is ignored"),
    mistake("spatial_groupnorm_forward", "unbiased variance",
            (GN_STATS, GN_STATS.replace("np.mean(xc ** 2, axis=2, keepdims=True)",
                                        "np.var(grouped, axis=2, ddof=1, keepdims=True)")),
            loses=OUT, hint="unbiased"),
    mistake("spatial_groupnorm_forward", "eps ignored", ('eps = gn_param.get("eps", 1e-5)', "eps = 1e-5"), loses=OUT),
    mistake("spatial_groupnorm_forward", "one-pass variance",
            (GN_STATS, GN_STATS.replace("np.mean(xc ** 2, axis=2, keepdims=True)",
                                        "np.mean(grouped ** 2, axis=2, keepdims=True) - mu ** 2")),
            loses=SCALED, hint="E[x**2] - E[x]**2"),
    # spatial_groupnorm_backward
    mistake("spatial_groupnorm_backward", "dgamma and dbeta shaped (C,)",
            (GN_DSUMS, GN_DSUMS.replace(", keepdims=True)", ")")), loses=(DGAMMA, DBETA), hint="shape of gamma"),
    mistake("spatial_groupnorm_backward", "no gradient through the mean",
            ("    dx = (dxhat - dxhat.mean(axis=2, keepdims=True)\n", "    dx = (dxhat\n"),
            loses=DX, hint="flows through the mean"),
    mistake("spatial_groupnorm_backward", "no gradient through the variance",
            ("\n          - xhat_g * np.mean(dxhat * xhat_g, axis=2, keepdims=True)) / std", ") / std"),
            loses=DX, hint="flows through the variance"),
]

ALTERNATIVES = [
    alternative("batchnorm_forward", "np.var and running statistics updated in place",
                (BN_TRAIN_STATS, "        mu = np.mean(x, axis=0)\n        xc = x - mu\n        var = np.var(x, axis=0)\n"),
                ('running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))',
                 'running_mean = bn_param.setdefault("running_mean", np.zeros(D, dtype=x.dtype))'),
                ('running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))',
                 'running_var = bn_param.setdefault("running_var", np.zeros(D, dtype=x.dtype))'),
                (BN_RUNNING, "        running_mean *= momentum\n        running_mean += (1 - momentum) * mu\n"
                             "        running_var *= momentum\n        running_var += (1 - momentum) * var\n"),
                (BN_STORE, "")),
    alternative("batchnorm_forward", "CS231n style: x_hat first, mode check with if/elif on a missing key",
                ('    mode = bn_param["mode"]\n', '    mode = bn_param.get("mode")\n'),
                (BN_TEST, "        x_hat = (x - running_mean) / np.sqrt(running_var + eps)\n"
                          "        out = gamma * x_hat + beta\n")),
    alternative("batchnorm_backward", "the simplified closed form written with (var + eps) ** -0.5",
                ("    dxhat = dout * gamma\n    xc = x - mu\n", "    xc = x - mu\n"),
                ("    std = np.sqrt(var + eps)\n    dinvstd = np.sum(dxhat * xc, axis=0)\n"
                 "    dstd = -dinvstd / std ** 2\n    dvar = 0.5 * dstd / std\n" + STAGED_DX,
                 "    inv = (var + eps) ** -0.5\n"
                 "    dx = (1.0 / N) * gamma * inv * (N * dout - np.sum(dout, axis=0)"
                 " - xc * inv ** 2 * np.sum(dout * xc, axis=0))\n")),
    alternative("batchnorm_backward", "staged graph with a loop over the batch for the sums",
                ("    dmu = -np.sum(dxc, axis=0)\n",
                 "    dmu = np.zeros_like(mu)\n    for i in range(N):\n        dmu -= dxc[i]\n")),
    alternative("batchnorm_backward_alt", "closed form with means instead of sums",
                (ALT_DX, "    dxhat = dout * gamma\n"
                         "    dx = (dxhat - dxhat.mean(axis=0) - xhat * np.mean(dxhat * xhat, axis=0))"
                         " / np.sqrt(var + eps)\n")),
    alternative("layernorm_forward", "np.std with eps folded in via var",
                (LN_STATS, "    mu = np.mean(x, axis=1, keepdims=True)\n    xc = x - mu\n"
                           "    std = np.sqrt(np.var(x, axis=1, keepdims=True) + eps)\n    xhat = xc / std\n")),
    alternative("layernorm_forward", "CS231n transpose trick: batch statistics of x.T",
                (LN_STATS, "    xt = x.T\n    mu = xt.mean(axis=0)\n    var = xt.var(axis=0)\n"
                           "    std = np.sqrt(var + eps)[:, None]\n    xhat = ((xt - mu) / np.sqrt(var + eps)).T\n")),
    alternative("layernorm_backward", "closed form with sums over the features",
                (LN_DX, "    D = dout.shape[1]\n    dx = (D * dxhat - dxhat.sum(axis=1, keepdims=True)"
                        " - xhat * np.sum(dxhat * xhat, axis=1, keepdims=True)) / (D * std)\n")),
    alternative("spatial_batchnorm_forward", "statistics over (0, 2, 3) directly, without batchnorm_forward",
                ("    flat = x.transpose(0, 2, 3, 1).reshape(-1, C)\n    out, cache = batchnorm_forward(flat, gamma, beta, bn_param)\n"
                 + SBN_BACK,
                 "    flat = x.transpose(0, 2, 3, 1).reshape(-1, C)\n    _, cache = batchnorm_forward(flat, gamma, beta, bn_param)\n"
                 "    eps = bn_param.get('eps', 1e-5)\n    if bn_param['mode'] == 'train':\n"
                 "        mu = x.mean(axis=(0, 2, 3), keepdims=True)\n        var = x.var(axis=(0, 2, 3), keepdims=True)\n"
                 "    else:\n        mu = bn_param['running_mean'].reshape(1, C, 1, 1)\n"
                 "        var = bn_param['running_var'].reshape(1, C, 1, 1)\n"
                 "    out = gamma.reshape(1, C, 1, 1) * (x - mu) / np.sqrt(var + eps) + beta.reshape(1, C, 1, 1)\n")),
    alternative("spatial_batchnorm_backward", "the staged batchnorm_backward on the flattened gradient",
                ("    dx, dgamma, dbeta = batchnorm_backward_alt(flat, cache)\n",
                 "    dx, dgamma, dbeta = batchnorm_backward(flat, cache)\n")),
    alternative("spatial_groupnorm_forward", "a loop over the groups",
                (GN_STATS + "    std = np.sqrt(var + eps)\n    xhat = (xc / std).reshape(N, C, H, W)\n",
                 "    xhat = np.empty_like(x)\n    std = np.empty((N, G, 1))\n    size = C // G\n"
                 "    for g in range(G):\n        part = x[:, g * size:(g + 1) * size]\n"
                 "        mu = part.mean(axis=(1, 2, 3), keepdims=True)\n"
                 "        s = np.sqrt(((part - mu) ** 2).mean(axis=(1, 2, 3), keepdims=True) + eps)\n"
                 "        xhat[:, g * size:(g + 1) * size] = (part - mu) / s\n        std[:, g, 0] = s.ravel()\n")),
    alternative("spatial_groupnorm_backward", "a loop over the groups",
                ("    dxhat = (dout * gamma).reshape(N, G, -1)\n    xhat_g = xhat.reshape(N, G, -1)\n"
                 "    dx = (dxhat - dxhat.mean(axis=2, keepdims=True)\n"
                 "          - xhat_g * np.mean(dxhat * xhat_g, axis=2, keepdims=True)) / std\n",
                 "    dxhat = dout * gamma\n    dx = np.empty_like(dout)\n    size = C // G\n"
                 "    for g in range(G):\n        sl = slice(g * size, (g + 1) * size)\n"
                 "        d, xh = dxhat[:, sl], xhat[:, sl]\n"
                 "        dx[:, sl] = (d - d.mean(axis=(1, 2, 3), keepdims=True) - xh * (d * xh).mean(axis=(1, 2, 3),"
                 " keepdims=True)) / std[:, g].reshape(N, 1, 1, 1)\n")),
]
