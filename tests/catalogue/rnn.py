from tests.catalogue import alternative, mistake

_STEP = "    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)\n"
_STEP_GRADS = ("dx matches torch autograd", "dprev_h matches torch autograd", "dWx matches torch autograd",
               "dWh matches torch autograd", "db matches torch autograd")
_STABLE = "stable for pre-activations up to 1e3"
_RAW_TANH = "    a = x.dot(Wx) + prev_h.dot(Wh) + b\n    next_h = (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))\n"
_CARRIED = "dx: the gradient flows back from step t + 1 into step t"
_LOOP_STEP = ("        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)\n"
              "        h[:, t] = prev_h\n")
_BACKWARD_STEP = "rnn_step_backward(dh[:, t] + dprev_h, cache[t])"
_MASKED_LOSS = "loss: masked steps contribute nothing"
_MASKED_DX = "dx matches torch autograd, zero at masked steps"

MISTAKES = [
    mistake("rnn_step_forward", "tanh missing", (_STEP, "    next_h = x.dot(Wx) + prev_h.dot(Wh) + b\n"),
            loses="next_h matches torch", hint="the tanh is missing"),
    mistake("rnn_step_forward", "sigmoid instead of tanh",
            (_STEP, "    next_h = 1 / (1 + np.exp(-(x.dot(Wx) + prev_h.dot(Wh) + b)))\n"),
            loses="next_h matches torch", hint="sigmoid"),
    mistake("rnn_step_forward", "Wh transposed", ("prev_h.dot(Wh) + b)\n", "prev_h.dot(Wh.T) + b)\n"),
            loses="next_h matches torch", hint="Wh is transposed"),
    mistake("rnn_step_forward", "tanh written with np.exp", (_STEP, _RAW_TANH), loses=_STABLE, hint="use np.tanh"),
    mistake("rnn_step_backward", "tanh derivative taken on the pre-activation",
            (_STEP + "    cache = (x, prev_h, Wx, Wh, next_h)\n",
             "    a = x.dot(Wx) + prev_h.dot(Wh) + b\n    next_h = np.tanh(a)\n    cache = (x, prev_h, Wx, Wh, a)\n"),
            loses=_STEP_GRADS, hint="pre-activation (1 - a**2)"),
    mistake("rnn_step_backward", "tanh derivative missing", ("da = dnext_h * (1 - next_h ** 2)", "da = dnext_h"),
            loses=_STEP_GRADS, hint="derivative (1 - next_h**2) is missing"),
    mistake("rnn_step_backward", "sigmoid's derivative", ("da = dnext_h * (1 - next_h ** 2)", "da = dnext_h * next_h * (1 - next_h)"),
            loses=_STEP_GRADS, hint="the sigmoid's"),
    mistake("rnn_step_backward", "dWh transposed", ("dWh = prev_h.T.dot(da)", "dWh = da.T.dot(prev_h)"),
            loses="dWh matches torch autograd", hint="dWh is transposed"),
    mistake("rnn_step_backward", "dprev_h without the transpose of Wh", ("dprev_h = da.dot(Wh.T)", "dprev_h = da.dot(Wh)"),
            loses="dprev_h matches torch autograd", hint="transpose of Wh is missing"),
    mistake("rnn_step_backward", "db averaged over the batch", ("db = da.sum(axis=0)", "db = da.mean(axis=0)"),
            loses="db matches torch autograd", hint="averaged"),
    mistake("rnn_step_backward", "scales dnext_h in place",
            ("    da = dnext_h * (1 - next_h ** 2)\n", "    dnext_h *= 1 - next_h ** 2\n    da = dnext_h\n"),
            loses="inputs are not modified"),
    mistake("rnn_forward", "h holds h0 and drops the last state",
            (_LOOP_STEP, "        h[:, t] = prev_h\n        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)\n"),
            loses="h matches torch", hint="h holds h0"),
    mistake("rnn_forward", "every step starts from h0",
            (_LOOP_STEP, "        next_h, step_cache = rnn_step_forward(x[:, t], h0, Wx, Wh, b)\n        h[:, t] = next_h\n"),
            loses="h matches torch", hint="every step starts from h0"),
    mistake("rnn_forward", "tanh missing in the step", (_STEP, "    next_h = x.dot(Wx) + prev_h.dot(Wh) + b\n"),
            loses="h matches torch", hint="the tanh is missing"),
    mistake("rnn_forward", "Wh transposed in the step", ("prev_h.dot(Wh) + b)\n", "prev_h.dot(Wh.T) + b)\n"),
            loses="h matches torch", hint="Wh is transposed"),
    mistake("rnn_forward", "tanh written with np.exp", (_STEP, _RAW_TANH), loses=_STABLE, hint="use np.tanh"),
    mistake("rnn_backward", "no carried dprev_h", (_BACKWARD_STEP, "rnn_step_backward(dh[:, t], cache[t])"),
            loses=("dx matches torch autograd", "dWh matches torch autograd", _CARRIED,
                   "dh0: the gradient flows back to the initial state"), hint="not carried back through time"),
    mistake("rnn_backward", "only the last step's dh used",
            ("    dprev_h = np.zeros((N, H))\n", "    dprev_h = dh[:, -1]\n"),
            (_BACKWARD_STEP, "rnn_step_backward(dprev_h, cache[t])"),
            loses=("dx matches torch autograd", "dh0 matches torch autograd")),
    mistake("rnn_backward", "weight gradients overwritten, not summed",
            ("        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n", "        dWx, dWh, db = dWx_t, dWh_t, db_t\n"),
            loses=("dWx matches torch autograd", "dWh matches torch autograd", "db matches torch autograd"),
            hint="only one step's weight gradients"),
    mistake("rnn_backward", "dh0 taken from the upstream gradient", ("    dh0 = dprev_h\n", "    dh0 = dh[:, 0]\n"),
            loses=("dh0 matches torch autograd", "dh0: the gradient flows back to the initial state")),
    mistake("rnn_backward", "adds the carried gradient into dh in place",
            ("        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = " + _BACKWARD_STEP,
             "        dh[:, t] += dprev_h\n        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t], cache[t])"),
            loses="inputs are not modified"),
    mistake("word_embedding_forward", "indexes W with x.T", ("    out = W[x]\n", "    out = W[x.T]\n"),
            loses="out matches torch", hint="(T, N, D)"),
    mistake("word_embedding_forward", "output array of x's integer dtype",
            ("    out = W[x]\n", "    N, T = x.shape\n    out = np.zeros((N, T, W.shape[1]), dtype=x.dtype)\n"
             "    for n in range(N):\n        for t in range(T):\n            out[n, t] = W[x[n, t]]\n"),
            loses="out matches torch"),
    mistake("word_embedding_backward", "dW[x] += dout", ("np.add.at(dW, x, dout)", "dW[x] += dout"),
            loses="repeated words add up (np.add.at)", hint="overwrite each other"),
    mistake("word_embedding_backward", "loop assigning instead of adding",
            ("    np.add.at(dW, x, dout)\n",
             "    for n in range(x.shape[0]):\n        for t in range(x.shape[1]):\n            dW[x[n, t]] = dout[n, t]\n"),
            loses="repeated words add up (np.add.at)", hint="np.add.at"),
    mistake("word_embedding_backward", "dW of dout's shape", ("    dW = np.zeros(shape)\n    np.add.at(dW, x, dout)\n",
                                                               "    dW = dout.copy()\n"),
            loses=("dW matches torch autograd", "repeated words add up (np.add.at)")),
    mistake("temporal_affine_forward", "bias missing", ("out = x.reshape(N * T, D).dot(w).reshape(N, T, -1) + b",
                                                        "out = x.reshape(N * T, D).dot(w).reshape(N, T, -1)"),
            loses="out matches torch", hint="bias b is missing"),
    mistake("temporal_affine_forward", "reshapes x in place", ("    out = x.reshape(N * T, D)",
                                                                "    x.shape = (N * T, D)\n    out = x"),
            loses="inputs are not modified"),
    mistake("temporal_affine_backward", "db summed over N only", ("db = dout.sum(axis=(0, 1))", "db = dout.sum(axis=0)"),
            loses="db matches torch autograd", hint="summed over N only"),
    mistake("temporal_affine_backward", "db averaged", ("db = dout.sum(axis=(0, 1))", "db = dout.mean(axis=(0, 1))"),
            loses="db matches torch autograd", hint="averaged"),
    mistake("temporal_affine_backward", "dw transposed",
            ("dw = x.reshape(N * T, D).T.dot(dout.reshape(N * T, M))", "dw = dout.reshape(N * T, M).T.dot(x.reshape(N * T, D))"),
            loses="dw matches torch autograd"),
    mistake("temporal_affine_backward", "dx without the transpose of w",
            ("dx = dout.reshape(N * T, M).dot(w.T).reshape(N, T, D)", "dx = dout.reshape(N * T, M).dot(w).reshape(N, T, D)"),
            loses="dx matches torch autograd"),
    mistake("temporal_softmax_loss", "divided by the number of unmasked steps",
            ("mask_flat * log_probs[np.arange(N * T), y_flat]) / N", "mask_flat * log_probs[np.arange(N * T), y_flat]) / mask_flat.sum()"),
            ("    dx_flat /= N\n", "    dx_flat /= mask_flat.sum()\n"),
            loses=(_MASKED_LOSS, _MASKED_DX, "stable for scores of magnitude up to 1e4"), hint="number of unmasked steps"),
    # (a fully masked batch divides 0 by 0)
    mistake("temporal_softmax_loss", "divided by N*T",
            ("mask_flat * log_probs[np.arange(N * T), y_flat]) / N", "mask_flat * log_probs[np.arange(N * T), y_flat]) / (N * T)"),
            ("    dx_flat /= N\n", "    dx_flat /= N * T\n"),
            loses=("loss is divided by N (every step unmasked)", "dx matches torch autograd (every step unmasked)"),
            hint="divided by N*T"),
    mistake("temporal_softmax_loss", "mask ignored",
            ("np.sum(mask_flat * log_probs", "np.sum(log_probs"), ("    dx_flat *= mask_flat[:, None]\n", ""),
            loses=(_MASKED_LOSS, _MASKED_DX), hint="masked steps count in the loss"),
    mistake("temporal_softmax_loss", "dx not masked", ("    dx_flat *= mask_flat[:, None]\n", ""),
            loses=_MASKED_DX, hint="not zero at masked steps"),
    mistake("temporal_softmax_loss", "loss summed, not divided by N",
            ("mask_flat * log_probs[np.arange(N * T), y_flat]) / N", "mask_flat * log_probs[np.arange(N * T), y_flat])"),
            loses="loss is divided by N (every step unmasked)", hint="summed, not averaged"),
    mistake("temporal_softmax_loss", "no max-subtraction",
            ("shifted = x_flat - np.max(x_flat, axis=1, keepdims=True)", "shifted = x_flat"),
            loses="stable for scores of magnitude up to 1e4", hint="subtract each step's maximum"),
]

ALTERNATIVES = [
    alternative("rnn_step_forward", "einsum, cache with the pre-activation",
                (_STEP + "    cache = (x, prev_h, Wx, Wh, next_h)\n",
                 "    a = np.einsum('nd,dh->nh', x, Wx) + np.einsum('nk,kh->nh', prev_h, Wh) + b\n"
                 "    next_h = np.tanh(a)\n    cache = (x, prev_h, Wx, Wh, next_h)\n")),
    alternative("rnn_step_backward", "derivative 1 / cosh(a)**2 from the cached pre-activation",
                (_STEP + "    cache = (x, prev_h, Wx, Wh, next_h)\n",
                 "    a = x @ Wx + prev_h @ Wh + b\n    next_h = np.tanh(a)\n    cache = {'x': x, 'h': prev_h, 'Wx': Wx, 'Wh': Wh, 'a': a}\n"),
                ("    x, prev_h, Wx, Wh, next_h = cache\n    da = dnext_h * (1 - next_h ** 2)\n",
                 "    x, prev_h, Wx, Wh = cache['x'], cache['h'], cache['Wx'], cache['Wh']\n"
                 "    da = dnext_h / np.cosh(cache['a']) ** 2\n")),
    alternative("rnn_forward", "unrolled, without rnn_step_forward",
                (_LOOP_STEP, "        prev_h = np.tanh(x[:, t] @ Wx + prev_h @ Wh + b)\n        h[:, t] = prev_h\n"
                             "        step_cache = None\n"),
                ("    return h, cache\n", "    return h, (x, h0, Wx, Wh, h)\n")),
    alternative("rnn_backward", "unrolled, from a whole-sequence cache",
                ("    return h, cache\n", "    return h, (x, h0, Wx, Wh, h)\n"),
                ("    N, T, H = dh.shape\n    D = cache[0][2].shape[0]\n", "    x, h0, Wx, Wh, h = cache\n    N, T, H = dh.shape\n    D = x.shape[2]\n"),
                ("        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = " + _BACKWARD_STEP + "\n",
                 "        prev = h[:, t - 1] if t > 0 else h0\n        da = (dh[:, t] + dprev_h) * (1 - h[:, t] ** 2)\n"
                 "        dx[:, t] = da @ Wx.T\n        dprev_h = da @ Wh.T\n        dWx_t, dWh_t, db_t = x[:, t].T @ da, prev.T @ da, da.sum(0)\n")),
    alternative("word_embedding_forward", "np.take", ("    out = W[x]\n", "    out = np.take(W, x, axis=0)\n")),
    alternative("word_embedding_backward", "one-hot matrix product",
                ("    dW = np.zeros(shape)\n    np.add.at(dW, x, dout)\n",
                 "    onehot = (x.reshape(-1)[:, None] == np.arange(shape[0])).astype(float)\n"
                 "    dW = onehot.T @ dout.reshape(-1, dout.shape[-1])\n")),
    alternative("word_embedding_backward", "loop adding per word",
                ("    np.add.at(dW, x, dout)\n",
                 "    for n in range(x.shape[0]):\n        for t in range(x.shape[1]):\n            dW[x[n, t]] += dout[n, t]\n")),
    alternative("temporal_affine_forward", "np.dot on the 3-D x", ("out = x.reshape(N * T, D).dot(w).reshape(N, T, -1) + b",
                                                                  "out = np.dot(x, w) + b")),
    alternative("temporal_affine_backward", "einsum",
                ("    dw = x.reshape(N * T, D).T.dot(dout.reshape(N * T, M))\n", "    dw = np.einsum('ntd,ntm->dm', x, dout)\n")),
    alternative("temporal_softmax_loss", "CS231n's probabilities and np.log",
                ("    shifted = x_flat - np.max(x_flat, axis=1, keepdims=True)\n"
                 "    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
                 "    loss = -np.sum(mask_flat * log_probs[np.arange(N * T), y_flat]) / N\n"
                 "    dx_flat = np.exp(log_probs)\n",
                 "    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))\n"
                 "    probs /= np.sum(probs, axis=1, keepdims=True)\n"
                 "    loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N\n"
                 "    dx_flat = probs.copy()\n")),
]

# tanh written with a stable sigmoid (see tests/catalogue/gated_rnn.py).
_SIGMOID_HELPER = "\n\ndef sigmoid(x):\n    return np.exp(-np.logaddexp(0, -x))\n"
_TANH_DIFFERENCE = (("np.tanh(", "tanh("), ("\n\ndef rnn_step_forward(", _SIGMOID_HELPER + "\n\ndef tanh(x):\n"
                                                                       "    return sigmoid(2 * x) - sigmoid(-2 * x)"
                                                                       "\n\n\ndef rnn_step_forward("))
_TANH_SCALED = (("np.tanh(", "tanh("), ("\n\ndef rnn_step_forward(", _SIGMOID_HELPER + "\n\ndef tanh(x):\n"
                                                                   "    return 2 * sigmoid(2 * x) - 1\n\n\ndef rnn_step_forward("))
ALTERNATIVES += [
    alternative(name, f"tanh as {label}", *replace)
    for name in ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward")
    for label, replace in (("sigmoid(2x) - sigmoid(-2x)", _TANH_DIFFERENCE), ("2 sigmoid(2x) - 1", _TANH_SCALED))
]
