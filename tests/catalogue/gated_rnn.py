from tests.catalogue import alternative, mistake

_SIGMOID_DOC = '    """A numerically stable version of the logistic sigmoid function (finite for any finite x)."""\n'
_RAW_SIGMOID = (_SIGMOID_DOC, "    return np.exp(x) / (1 + np.exp(x))\n")
_TORCH_ORDER = ("    o = sigmoid(a[:, 2 * H:3 * H])\n    g = np.tanh(a[:, 3 * H:])\n",
                "    g = np.tanh(a[:, 2 * H:3 * H])\n    o = sigmoid(a[:, 3 * H:])\n")
_STEP_OUT = ("next_h matches torch", "next_c matches torch")
_LSTM_GRADS = tuple(f"{g} matches torch autograd" for g in ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"))
_LSTM_STABLE = "stable for pre-activations and cell states up to 1e3"
_STABLE = "stable for pre-activations up to 1e3"
_CARRIED = "dx: the gradient flows back from step t + 1 into step t"
_LSTM_LOOP = ("        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)\n"
              "        h[:, t] = prev_h\n")
_LSTM_BACK = "lstm_step_backward(dh[:, t] + dprev_h, dprev_c, cache[t])"
_GRU_N = "    n = np.tanh(ax[:, 2 * H:] + r * hn)\n"
_GRU_GATES = ("    r = sigmoid(ax[:, :H] + ah[:, :H])\n    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])\n",
              "    z = sigmoid(ax[:, :H] + ah[:, :H])\n    r = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])\n")
_GRU_LOOP = ("        prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, bx, bh)\n"
             "        h[:, t] = prev_h\n")
_GRU_BACK = "gru_step_backward(dh[:, t] + dprev_h, cache[t])"

MISTAKES = [
    mistake("lstm_step_forward", "torch's gate order i, f, g, o", _TORCH_ORDER, loses=_STEP_OUT, hint="torch's order"),
    mistake("lstm_step_forward", "tanh of the cell state missing", ("    next_h = o * tanh_c\n", "    next_h = o * next_c\n"),
            loses="next_h matches torch", hint="tanh of the cell state is missing"),
    mistake("lstm_step_forward", "sigmoid for the candidate g", ("g = np.tanh(a[:, 3 * H:])", "g = sigmoid(a[:, 3 * H:])"),
            loses=_STEP_OUT, hint="candidate g goes through tanh"),
    mistake("lstm_step_forward", "input and forget gates swapped",
            ("    i = sigmoid(a[:, :H])\n    f = sigmoid(a[:, H:2 * H])\n", "    f = sigmoid(a[:, :H])\n    i = sigmoid(a[:, H:2 * H])\n"),
            loses=_STEP_OUT, hint="gates are swapped"),
    mistake("lstm_step_forward", "sigmoid as exp(a) / (1 + exp(a))", _RAW_SIGMOID, loses=_LSTM_STABLE, hint="overflows"),
    mistake("lstm_step_backward", "no path from dnext_h through tanh(next_c) into dc",
            ("dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)", "dc = dnext_c"),
            loses=_LSTM_GRADS, hint="flows from dnext_h through tanh(next_c)"),
    mistake("lstm_step_backward", "tanh derivative taken on next_c",
            ("    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)\n",
             "    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c, next_c)\n"),
            ("    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache\n    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)\n",
             "    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c, next_c = cache\n"
             "    dc = dnext_c + dnext_h * o * (1 - next_c ** 2)\n"),
            loses=_LSTM_GRADS, hint="not 1 - next_c**2"),
    mistake("lstm_step_backward", "dprev_c without the forget gate", ("dprev_c = dc * f", "dprev_c = dc"),
            loses="dprev_c matches torch autograd", hint="forget gate is missing"),
    mistake("lstm_step_backward", "torch's gate order in forward and backward", _TORCH_ORDER,
            ("do * o * (1 - o), dg * (1 - g ** 2)]", "dg * (1 - g ** 2), do * o * (1 - o)]"),
            loses=_LSTM_GRADS, hint="torch's order"),
    mistake("lstm_step_backward", "adds into dnext_c in place",
            ("    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)\n", "    dc = dnext_c\n    dc += dnext_h * o * (1 - tanh_c ** 2)\n"),
            loses="inputs are not modified"),
    mistake("lstm_step_backward", "sigmoid as exp(a) / (1 + exp(a))", _RAW_SIGMOID, loses=_LSTM_STABLE, hint="overflows"),
    mistake("lstm_forward", "cell state not carried",
            ("prev_h, prev_c, step_cache = lstm_step_forward(", "prev_h, _, step_cache = lstm_step_forward("),
            loses="h matches torch", hint="cell state is not carried"),
    mistake("lstm_forward", "h0 as the initial cell state",
            ("prev_h, prev_c, cache = h0, np.zeros((N, H)), []", "prev_h, prev_c, cache = h0, h0.copy(), []"),
            loses="h matches torch", hint="initial cell state is zeros"),
    mistake("lstm_forward", "torch's gate order", _TORCH_ORDER, loses="h matches torch", hint="torch's order"),
    mistake("lstm_forward", "h holds h0 and drops the last state",
            (_LSTM_LOOP, "        h[:, t] = prev_h\n        prev_h, prev_c, step_cache = lstm_step_forward("
                         "x[:, t], prev_h, prev_c, Wx, Wh, b)\n"),
            loses="h matches torch", hint="h holds h0"),
    mistake("lstm_forward", "sigmoid as exp(a) / (1 + exp(a))", _RAW_SIGMOID, loses=_STABLE, hint="overflows"),
    mistake("lstm_backward", "no carried dprev_h", (_LSTM_BACK, "lstm_step_backward(dh[:, t], dprev_c, cache[t])"),
            loses=("dx matches torch autograd", _CARRIED), hint="not carried back through time"),
    mistake("lstm_backward", "no carried dprev_c",
            (_LSTM_BACK, "lstm_step_backward(dh[:, t] + dprev_h, np.zeros((N, H)), cache[t])"),
            loses=("dx matches torch autograd", _CARRIED), hint="cell-state gradient is not carried"),
    mistake("lstm_backward", "weight gradients overwritten, not summed",
            ("        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n", "        dWx, dWh, db = dWx_t, dWh_t, db_t\n"),
            loses=("dWx matches torch autograd", "dWh matches torch autograd"), hint="only one step's weight gradients"),
    mistake("lstm_backward", "adds the carried gradient into dh in place",
            ("        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = " + _LSTM_BACK,
             "        dh[:, t] += dprev_h\n        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = "
             "lstm_step_backward(dh[:, t], dprev_c, cache[t])"),
            loses="inputs are not modified"),
    mistake("gru_step_forward", "reset gate applied before the hidden matmul",
            (_GRU_N, "    n = np.tanh(ax[:, 2 * H:] + (r * prev_h).dot(Wh[:, 2 * H:]) + bh[2 * H:])\n"),
            loses="next_h matches torch", hint="before the hidden matmul"),
    mistake("gru_step_forward", "z and 1 - z swapped",
            ("next_h = (1 - z) * n + z * prev_h", "next_h = z * n + (1 - z) * prev_h"),
            loses="next_h matches torch", hint="z and 1 - z are swapped"),
    mistake("gru_step_forward", "bh_n outside the reset product",
            (_GRU_N, "    n = np.tanh(ax[:, 2 * H:] + r * prev_h.dot(Wh[:, 2 * H:]) + bh[2 * H:])\n"),
            loses="next_h matches torch", hint="bh_n is outside"),
    mistake("gru_step_forward", "gate blocks in the order z, r", _GRU_GATES, loses="next_h matches torch", hint="order z, r"),
    mistake("gru_step_forward", "sigmoid as exp(a) / (1 + exp(a))", _RAW_SIGMOID, loses=_STABLE, hint="overflows"),
    mistake("gru_step_backward", "dprev_h misses the direct path through z",
            ("dprev_h = dah.dot(Wh.T) + dnext_h * z", "dprev_h = dah.dot(Wh.T)"),
            loses="dprev_h matches torch autograd", hint="direct path"),
    mistake("gru_step_backward", "dz with the wrong sign", ("dz = dnext_h * (prev_h - n)", "dz = dnext_h * (n - prev_h)"),
            loses=tuple(f"{g} matches torch autograd" for g in ("dx", "dWx", "dbx")), hint="wrong sign"),
    mistake("gru_step_backward", "reset gate left out of the hidden n block's gradient",
            ("dah = np.concatenate([dar, daz, dan * r], axis=1)", "dah = np.concatenate([dar, daz, dan], axis=1)"),
            loses=("dWh matches torch autograd", "dbh matches torch autograd"), hint="multiply by r"),
    mistake("gru_step_backward", "reset gradient without bh_n", ("dr = dan * hn", "dr = dan * prev_h.dot(Wh[:, 2 * H:])"),
            ("    x, prev_h, Wx, Wh, r, z, n, hn = cache\n", "    x, prev_h, Wx, Wh, r, z, n, hn = cache\n    H = prev_h.shape[1]\n"),
            loses=("dx matches torch autograd", "dbx matches torch autograd")),
    mistake("gru_step_backward", "sigmoid as exp(a) / (1 + exp(a))", _RAW_SIGMOID, loses=_STABLE, hint="overflows"),
    mistake("gru_forward", "reset gate applied before the hidden matmul",
            (_GRU_N, "    n = np.tanh(ax[:, 2 * H:] + (r * prev_h).dot(Wh[:, 2 * H:]) + bh[2 * H:])\n"),
            loses="h matches torch", hint="before the hidden matmul"),
    mistake("gru_forward", "z and 1 - z swapped", ("next_h = (1 - z) * n + z * prev_h", "next_h = z * n + (1 - z) * prev_h"),
            loses="h matches torch", hint="z and 1 - z are swapped"),
    mistake("gru_forward", "every step starts from h0",
            (_GRU_LOOP, "        next_h, step_cache = gru_step_forward(x[:, t], h0, Wx, Wh, bx, bh)\n        h[:, t] = next_h\n"),
            loses="h matches torch", hint="every step starts from h0"),
    mistake("gru_forward", "h holds h0 and drops the last state",
            (_GRU_LOOP, "        h[:, t] = prev_h\n        prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, bx, bh)\n"),
            loses="h matches torch", hint="h holds h0"),
    mistake("gru_backward", "no carried dprev_h", (_GRU_BACK, "gru_step_backward(dh[:, t], cache[t])"),
            loses=("dx matches torch autograd", _CARRIED), hint="not carried back through time"),
    mistake("gru_backward", "weight gradients overwritten, not summed",
            ("        dWx += dWx_t\n        dWh += dWh_t\n        dbx += dbx_t\n        dbh += dbh_t\n",
             "        dWx, dWh, dbx, dbh = dWx_t, dWh_t, dbx_t, dbh_t\n"),
            loses=("dWx matches torch autograd", "dWh matches torch autograd"), hint="only one step's weight gradients"),
    mistake("gru_backward", "dh0 taken from the upstream gradient", ("    dh0 = dprev_h\n    return dx, dh0, dWx, dWh, dbx, dbh\n",
                                                                      "    dh0 = dh[:, 0]\n    return dx, dh0, dWx, dWh, dbx, dbh\n"),
            loses=("dh0 matches torch autograd", "dh0: the gradient flows back to the initial state")),
    mistake("gru_backward", "dz with the wrong sign", ("dz = dnext_h * (prev_h - n)", "dz = dnext_h * (n - prev_h)"),
            loses=("dx matches torch autograd", "dWx matches torch autograd")),
]

_TANH_SIGMOID = (_SIGMOID_DOC, "    return 0.5 * (1 + np.tanh(0.5 * x))\n")
_PLAIN_SIGMOID = (_SIGMOID_DOC, "    with np.errstate(over='ignore'):\n        return 1 / (1 + np.exp(-x))\n")

ALTERNATIVES = [
    alternative("lstm_step_forward", "sigmoid written through tanh, np.split", _TANH_SIGMOID,
                ("    i = sigmoid(a[:, :H])\n    f = sigmoid(a[:, H:2 * H])\n    o = sigmoid(a[:, 2 * H:3 * H])\n"
                 "    g = np.tanh(a[:, 3 * H:])\n",
                 "    ai, af, ao, ag = np.split(a, 4, axis=1)\n    i, f, o, g = sigmoid(ai), sigmoid(af), sigmoid(ao), np.tanh(ag)\n")),
    alternative("lstm_step_backward", "1 / (1 + exp(-a)), a cache dict, einsum", _PLAIN_SIGMOID,
                ("    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)\n",
                 "    cache = dict(x=x, prev_h=prev_h, prev_c=prev_c, Wx=Wx, Wh=Wh, gates=(i, f, o, g), next_c=next_c)\n"),
                ("    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache\n",
                 "    x, prev_h, prev_c, Wx, Wh = (cache[k] for k in ('x', 'prev_h', 'prev_c', 'Wx', 'Wh'))\n"
                 "    i, f, o, g = cache['gates']\n    tanh_c = np.tanh(cache['next_c'])\n"),
                ("    dWx = x.T.dot(da)\n    dWh = prev_h.T.dot(da)\n    db = da.sum(axis=0)\n    return dx, dprev_h, dprev_c",
                 "    dWx = np.einsum('nd,nk->dk', x, da)\n    dWh = np.einsum('nh,nk->hk', prev_h, da)\n"
                 "    db = np.einsum('nk->k', da)\n    return dx, dprev_h, dprev_c")),
    alternative("lstm_forward", "sigmoid written through tanh", _TANH_SIGMOID),
    alternative("lstm_backward", "sigmoid written through tanh", _TANH_SIGMOID),
    alternative("gru_step_forward", "sigmoid written through tanh, one matmul per block", _TANH_SIGMOID,
                (_GRU_N, "    n = np.tanh(x.dot(Wx[:, 2 * H:]) + bx[2 * H:] + r * (prev_h.dot(Wh[:, 2 * H:]) + bh[2 * H:]))\n")),
    alternative("gru_step_backward", "1 / (1 + exp(-a))", _PLAIN_SIGMOID),
    alternative("gru_backward", "sigmoid written through tanh", _TANH_SIGMOID),
]

# tanh written with the (stable) sigmoid, as some public CS231n solutions do: exact, and accurate to
# ~1e-16 in absolute terms, so outputs near 0 carry noise of that size, not of their own.
_TANH_DIFFERENCE = (("np.tanh(", "tanh("), ("\n\ndef lstm_step_forward(", "\n\ndef tanh(x):\n    return sigmoid(2 * x) - sigmoid(-2 * x)"
                                                                        "\n\n\ndef lstm_step_forward("))
_TANH_SCALED = (("np.tanh(", "tanh("), ("\n\ndef lstm_step_forward(", "\n\ndef tanh(x):\n    return 2 * sigmoid(2 * x) - 1"
                                                                    "\n\n\ndef lstm_step_forward("))
ALTERNATIVES += [
    alternative(name, f"tanh as {label}", *replace)
    for name in ("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward", "gru_step_forward",
                 "gru_step_backward", "gru_forward", "gru_backward")
    for label, replace in (("sigmoid(2x) - sigmoid(-2x)", _TANH_DIFFERENCE), ("2 sigmoid(2x) - 1", _TANH_SCALED))
]
