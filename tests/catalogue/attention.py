from tests.catalogue import alternative, mistake

_SCORES = "    scores = np.matmul(q, np.swapaxes(k, 1, 2)) * scale\n"
_MASKING = "    if mask is not None:\n        scores = np.where(mask, scores, -np.inf)\n"
_NORMALIZE = "    weights = exp_scores / np.sum(exp_scores, axis=-1, keepdims=True)\n"
_SHIFT = "    shifted = scores - np.max(scores, axis=-1, keepdims=True)\n"
_MASKED_OUT = "out matches torch (masked scores left out of the softmax)"
_STABLE = "stable for scores up to 1e4"
_ABOVE = "stable for masked scores far above the allowed ones (up to 1e4)"
_RENORMALIZED = ("    out = np.matmul(weights, v)\n", "    if mask is not None:\n        weights = weights * mask\n"
                 "        weights = weights / weights.sum(axis=-1, keepdims=True)\n    out = np.matmul(weights, v)\n")
_GRADS = ("dq matches torch autograd", "dk matches torch autograd")

MISTAKES = [
    mistake("attention_forward", "scores not scaled", (_SCORES, "    scores = np.matmul(q, np.swapaxes(k, 1, 2))\n"),
            loses="out matches torch", hint="not scaled"),
    mistake("attention_forward", "scores divided by D", ("scale = 1.0 / np.sqrt(q.shape[-1])", "scale = 1.0 / q.shape[-1]"),
            loses="out matches torch", hint="divided by D"),
    mistake("attention_forward", "softmax over the queries",
            (_SHIFT, "    shifted = scores - np.max(scores, axis=1, keepdims=True)\n"),
            (_NORMALIZE, "    weights = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)\n"),
            loses=("out matches torch", _STABLE, _ABOVE), hint="over the queries"),  # a query column of all-masked keys: 0 / 0
    mistake("attention_forward", "mask applied after the softmax", (_MASKING, ""),
            ("    out = np.matmul(weights, v)\n", "    if mask is not None:\n        weights = weights * mask\n"
                                                 "    out = np.matmul(weights, v)\n"),
            loses=_MASKED_OUT, hint="after the softmax"),
    mistake("attention_forward", "softmax over every key, masked weights zeroed, renormalized",
            (_MASKING, ""), _RENORMALIZED, loses=_ABOVE, hint="zeroing the masked weights and renormalizing"),
    mistake("attention_forward", "maximum taken over every key, masked scores excluded after it",
            (_MASKING + _SHIFT, "    shifted = scores - np.max(scores, axis=-1, keepdims=True)\n    if mask is not None:\n"
                                "        shifted = np.where(mask, shifted, -np.inf)\n"),
            loses=_ABOVE, hint="the maximum is the allowed scores' one"),
    mistake("attention_forward", "mask multiplied into the scores",
            ("scores = np.where(mask, scores, -np.inf)", "scores = scores * mask"), loses=_MASKED_OUT),
    mistake("attention_forward", "masked scores filled with -1e4",
            ("scores = np.where(mask, scores, -np.inf)", "scores = np.where(mask, scores, -1e4)"),
            loses=("masked keys get exactly zero weight (out)", _STABLE, _ABOVE), hint="finite fill"),  # scores of 1e4 outweigh -1e4
    mistake("attention_forward", "scales q in place", (_SCORES, "    q *= scale\n    scores = np.matmul(q, np.swapaxes(k, 1, 2))\n"),
            loses="inputs are not modified"),
    mistake("attention_forward", "no max-subtraction", (_SHIFT, "    shifted = scores\n"),
            loses=(_STABLE, _ABOVE), hint="overflows"),
    mistake("attention_backward", "dq and dk without the scale", ("    dscores *= scale\n", ""),
            loses=_GRADS, hint="miss the scale"),
    mistake("attention_backward", "dk without the transpose of dscores",
            ("dk = np.matmul(np.swapaxes(dscores, 1, 2), q)", "dk = np.matmul(dscores, q)"),
            loses="dk matches torch autograd"),
    mistake("attention_backward", "softmax backward without the normalization term",
            ("dscores = weights * (dweights - np.sum(weights * dweights, axis=-1, keepdims=True))",
             "dscores = weights * dweights"),
            loses=_GRADS, hint="term from the normalization"),
    mistake("attention_backward", "dv without the transpose of the weights",
            ("dv = np.matmul(np.swapaxes(weights, 1, 2), dout)", "dv = np.matmul(weights, dout)"),
            loses="dv matches torch autograd"),
]

ALTERNATIVES = [
    alternative("attention_forward", "log-sum-exp with einsum, -1e9 fill, scale on q",
                (_SCORES, "    scores = np.einsum('nqd,nkd->nqk', q * scale, k)\n"),
                ("np.where(mask, scores, -np.inf)", "np.where(mask, scores, -1e30)"),
                (_SHIFT + "    exp_scores = np.exp(shifted)\n" + _NORMALIZE,
                 "    m = scores.max(axis=-1, keepdims=True)\n"
                 "    weights = np.exp(scores - m - np.log(np.exp(scores - m).sum(axis=-1, keepdims=True)))\n")),
    alternative("attention_forward", "loops over the batch and queries",
                (_SHIFT + "    exp_scores = np.exp(shifted)\n" + _NORMALIZE + "    out = np.matmul(weights, v)\n",
                 "    weights = np.zeros_like(scores)\n    for n in range(q.shape[0]):\n        for i in range(q.shape[1]):\n"
                 "            row = np.exp(scores[n, i] - scores[n, i].max())\n            weights[n, i] = row / row.sum()\n"
                 "    out = np.zeros((q.shape[0], q.shape[1], v.shape[2]))\n    for n in range(q.shape[0]):\n"
                 "        out[n] = weights[n] @ v[n]\n")),
    alternative("attention_backward", "einsum, masked weights zeroed after the softmax, jacobian per row",
                ("    out = np.matmul(weights, v)\n", "    if mask is not None:\n        weights = weights * mask\n"
                                                   "    out = np.matmul(weights, v)\n"),
                ("    dweights = np.matmul(dout, np.swapaxes(v, 1, 2))\n"
                 "    dscores = weights * (dweights - np.sum(weights * dweights, axis=-1, keepdims=True))\n",
                 "    dweights = np.einsum('nqe,nke->nqk', dout, v)\n    dscores = np.zeros_like(weights)\n"
                 "    for n in range(weights.shape[0]):\n        for i in range(weights.shape[1]):\n"
                 "            w = weights[n, i]\n            dscores[n, i] = (np.diag(w) - np.outer(w, w)) @ dweights[n, i]\n")),
]
