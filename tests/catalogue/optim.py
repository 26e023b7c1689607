from tests.catalogue import alternative, mistake

NEXT_W = "next_w matches torch.optim at every step"
NEXT_W_DEFAULTS = "next_w matches torch.optim with the default hyperparameters"
DEFAULTS = "config=None fills in the default hyperparameters"
VELOCITY = "state in config ('velocity') matches torch.optim after every step"
CACHE = "state in config ('cache') matches torch.optim after every step"
ADADELTA_STATE = "state in config ('cache', 'delta') matches torch.optim after every step"
ADAM_STATE = "state in config ('m', 'v', 't') matches torch.optim after every step"
NADAM_STATE = ADAM_STATE

NESTEROV_BODY = """    mu = config["momentum"]
    v_prev = v
    v = mu * v - config["learning_rate"] * dw
    next_w = w - mu * v_prev + (1 + mu) * v
"""
ADAM_BODY = """    beta1, beta2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = beta1 * config["m"] + (1 - beta1) * dw
    config["v"] = beta2 * config["v"] + (1 - beta2) * dw ** 2
    m_hat = config["m"] / (1 - beta1 ** config["t"])
    v_hat = config["v"] / (1 - beta2 ** config["t"])
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
"""
NADAM_BODY = """    beta1, beta2, t = config["beta1"], config["beta2"], config["t"] + 1
    config["t"] = t
    config["m"] = beta1 * config["m"] + (1 - beta1) * dw
    config["v"] = beta2 * config["v"] + (1 - beta2) * dw ** 2
    m_hat = beta1 * config["m"] / (1 - beta1 ** (t + 1)) + (1 - beta1) * dw / (1 - beta1 ** t)
    v_hat = config["v"] / (1 - beta2 ** t)
"""
NADAM_M_HAT = '    m_hat = beta1 * config["m"] / (1 - beta1 ** (t + 1)) + (1 - beta1) * dw / (1 - beta1 ** t)\n'
CLIP_BODY = """    total_norm = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    if total_norm > max_norm:
        scale = max_norm / (total_norm + 1e-6)
        return [g * scale for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
"""

MISTAKES = [
    # sgd
    mistake("sgd", "steps along the gradient",
            ('    w -= config["learning_rate"] * dw\n', '    w += config["learning_rate"] * dw\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="sign error"),
    mistake("sgd", "default learning rate 1e-3",
            ('config.setdefault("learning_rate", 1e-2)\n\n    w -=', 'config.setdefault("learning_rate", 1e-3)\n\n    w -='),
            loses=(DEFAULTS, NEXT_W_DEFAULTS), hint="the default is 0.01"),
    mistake("sgd", "learning rate hard-coded",
            ('    w -= config["learning_rate"] * dw\n', '    w -= 1e-2 * dw\n'), loses=NEXT_W),
    mistake("sgd", "defaults assigned, overwriting the given learning rate",
            ('    if config is None:\n        config = {}\n    config.setdefault("learning_rate", 1e-2)\n\n    w -=',
             '    if config is None:\n        config = {}\n    config["learning_rate"] = 1e-2\n\n    w -='),
            loses=NEXT_W),
    mistake("sgd", "updates dw in place",
            ('    w -= config["learning_rate"] * dw\n', '    dw *= config["learning_rate"]\n    w -= dw\n'),
            loses="dw is not modified"),
    # sgd_momentum
    mistake("sgd_momentum", "momentum sign: velocity adds the gradient",
            ('    v = config["momentum"] * v - config["learning_rate"] * dw\n',
             '    v = config["momentum"] * v + config["learning_rate"] * dw\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, VELOCITY), hint="sign error"),
    mistake("sgd_momentum", "velocity not stored back into config",
            ('    config["velocity"] = v\n    return next_w, config\n    ### END SOLUTION\n\n\ndef nesterov',
             '    return next_w, config\n    ### END SOLUTION\n\n\ndef nesterov'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, VELOCITY), hint="store the updated config['velocity'] back"),
    mistake("sgd_momentum", "velocity reset to zeros on every call",
            ('    v = config.get("velocity", np.zeros_like(w))\n\n    v = config["momentum"]',
             '    v = np.zeros_like(w)\n\n    v = config["momentum"]'),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="not carried from call to call"),
    mistake("sgd_momentum", "torch-style buffer stored as the velocity",
            ('    v = config["momentum"] * v - config["learning_rate"] * dw\n    next_w = w + v\n',
             '    v = config["momentum"] * v + dw\n    next_w = w - config["learning_rate"] * v\n'),
            loses=VELOCITY, hint="torch's momentum buffer"),
    mistake("sgd_momentum", "default momentum 0.5",
            ('    config.setdefault("momentum", 0.9)\n    v = config.get("velocity", np.zeros_like(w))\n\n    v = config',
             '    config.setdefault("momentum", 0.5)\n    v = config.get("velocity", np.zeros_like(w))\n\n    v = config'),
            loses=(DEFAULTS, NEXT_W_DEFAULTS), hint="the default is 0.9"),
    # nesterov_momentum
    mistake("nesterov_momentum", "plain momentum",
            (NESTEROV_BODY, '    v = config["momentum"] * v - config["learning_rate"] * dw\n    next_w = w + v\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="plain momentum"),
    mistake("nesterov_momentum", "v_prev aliased to v, then v updated in place",
            (NESTEROV_BODY, '    mu = config["momentum"]\n    v = v.copy()\n    v_prev = v\n    v *= mu\n'
                            '    v -= config["learning_rate"] * dw\n    next_w = w - mu * v_prev + (1 + mu) * v\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="plain momentum"),
    mistake("nesterov_momentum", "old and new velocity swapped",
            ("    next_w = w - mu * v_prev + (1 + mu) * v\n", "    next_w = w - mu * v + (1 + mu) * v_prev\n"),
            loses=(NEXT_W, NEXT_W_DEFAULTS)),
    mistake("nesterov_momentum", "momentum sign",
            ('    v = mu * v - config["learning_rate"] * dw\n', '    v = mu * v + config["learning_rate"] * dw\n'),
            loses=(NEXT_W, VELOCITY), hint="sign error"),
    # adagrad
    mistake("adagrad", "cache not accumulating",
            ('    config["cache"] = config["cache"] + dw ** 2\n    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop',
             '    config["cache"] = dw ** 2\n    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, CACHE), hint="does not accumulate"),
    mistake("adagrad", "epsilon inside the square root",
            ('    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop',
             '    next_w = w - config["learning_rate"] * dw / np.sqrt(config["cache"] + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop'),
            loses=NEXT_W),
    mistake("adagrad", "no square root",
            ('    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop',
             '    next_w = w - config["learning_rate"] * dw / (config["cache"] + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop'),
            loses=(NEXT_W, NEXT_W_DEFAULTS)),
    mistake("adagrad", "cache kept in a local variable",
            ('    config["cache"] = config["cache"] + dw ** 2\n    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop',
             '    cache = config["cache"] + dw ** 2\n    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, CACHE), hint="store the updated config['cache'] back"),
    mistake("adagrad", "accumulates into dw's square in place",
            ('    config["cache"] = config["cache"] + dw ** 2\n    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop',
             '    step = config["learning_rate"] * dw\n    dw **= 2\n    config["cache"] = config["cache"] + dw\n    next_w = w - step / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop'),
            loses="dw is not modified"),
    # rmsprop
    mistake("rmsprop", "decay rate and its complement swapped",
            ('    config["cache"] = rho * config["cache"] + (1 - rho) * dw ** 2\n',
             '    config["cache"] = (1 - rho) * config["cache"] + rho * dw ** 2\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, CACHE), hint="decay_rate weighs the new squared gradient"),
    mistake("rmsprop", "epsilon inside the square root",
            ('    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef adadelta',
             '    next_w = w - config["learning_rate"] * dw / np.sqrt(config["cache"] + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef adadelta'),
            loses=NEXT_W),
    mistake("rmsprop", "default decay rate 0.9",
            ('config.setdefault("decay_rate", 0.99)', 'config.setdefault("decay_rate", 0.9)'),
            loses=(DEFAULTS, NEXT_W_DEFAULTS), hint="the default is 0.99"),
    mistake("rmsprop", "cache reset on every call",
            ('    config.setdefault("cache", np.zeros_like(w))\n\n    rho = config["decay_rate"]',
             '    config["cache"] = np.zeros_like(w)\n\n    rho = config["decay_rate"]'),
            loses=(NEXT_W, CACHE)),
    # adadelta
    mistake("adadelta", "learning rate ignored",
            ('    next_w = w - config["learning_rate"] * step\n', '    next_w = w - step\n'), loses=NEXT_W),
    mistake("adadelta", "epsilon missing from the numerator (never moves)",
            ('    step = np.sqrt(config["delta"] + eps) / np.sqrt(config["cache"] + eps) * dw\n',
             '    step = np.sqrt(config["delta"]) / np.sqrt(config["cache"] + eps) * dw\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, ADADELTA_STATE)),
    mistake("adadelta", "delta accumulates the squared gradient",
            ('    config["delta"] = rho * config["delta"] + (1 - rho) * step ** 2\n',
             '    config["delta"] = rho * config["delta"] + (1 - rho) * dw ** 2\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, ADADELTA_STATE)),
    mistake("adadelta", "step uses the cache before this step's update",
            ('    config["cache"] = rho * config["cache"] + (1 - rho) * dw ** 2\n    step = np.sqrt(config["delta"] + eps) / np.sqrt(config["cache"] + eps) * dw\n',
             '    step = np.sqrt(config["delta"] + eps) / np.sqrt(config["cache"] + eps) * dw\n    config["cache"] = rho * config["cache"] + (1 - rho) * dw ** 2\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS)),
    mistake("adadelta", "default rho 0.95",
            ('config.setdefault("rho", 0.9)', 'config.setdefault("rho", 0.95)'),
            loses=(DEFAULTS, NEXT_W_DEFAULTS), hint="the default is 0.9"),
    # adam
    mistake("adam", "no bias correction",
            ('    m_hat = config["m"] / (1 - beta1 ** config["t"])\n    v_hat = config["v"] / (1 - beta2 ** config["t"])\n',
             '    m_hat = config["m"]\n    v_hat = config["v"]\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="without bias correction"),
    mistake("adam", "t incremented after use",
            (ADAM_BODY, ADAM_BODY.replace('    config["t"] += 1\n', "") + '    config["t"] += 1\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="incremented after it is used"),
    mistake("adam", "t kept in a local variable",
            ('    config["t"] += 1\n', '    t = config["t"] + 1\n'),
            ('    m_hat = config["m"] / (1 - beta1 ** config["t"])\n    v_hat = config["v"] / (1 - beta2 ** config["t"])\n',
             '    m_hat = config["m"] / (1 - beta1 ** t)\n    v_hat = config["v"] / (1 - beta2 ** t)\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, ADAM_STATE), hint="store the updated config['m'] and config['v'] and config['t'] back"),
    mistake("adam", "v averages dw, not dw ** 2",
            ('(1 - beta2) * dw ** 2\n', '(1 - beta2) * np.abs(dw)\n'), loses=(NEXT_W, NEXT_W_DEFAULTS, ADAM_STATE)),
    mistake("adam", "default beta2 0.99",
            ('config.setdefault("beta2", 0.999)', 'config.setdefault("beta2", 0.99)'),
            loses=(DEFAULTS, NEXT_W_DEFAULTS), hint="the default is 0.999"),
    mistake("adam", "m and v not stored back",
            ('    config["m"] = beta1 * config["m"] + (1 - beta1) * dw\n    config["v"] = beta2 * config["v"] + (1 - beta2) * dw ** 2\n    m_hat = config["m"] / (1 - beta1 ** config["t"])\n    v_hat = config["v"] / (1 - beta2 ** config["t"])\n',
             '    m = beta1 * config["m"] + (1 - beta1) * dw\n    v = beta2 * config["v"] + (1 - beta2) * dw ** 2\n    m_hat = m / (1 - beta1 ** config["t"])\n    v_hat = v / (1 - beta2 ** config["t"])\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, ADAM_STATE)),
    mistake("adam", "epsilon ignored (hard-coded 1e-8)",
            ('(np.sqrt(v_hat) + config["epsilon"])', '(np.sqrt(v_hat) + 1e-8)'), loses=NEXT_W),
    # nadam
    mistake("nadam", "no bias correction",
            (NADAM_BODY, NADAM_BODY.replace(NADAM_M_HAT, '    m_hat = beta1 * config["m"] + (1 - beta1) * dw\n')
             .replace('    v_hat = config["v"] / (1 - beta2 ** t)\n', '    v_hat = config["v"]\n')),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="Nadam without bias correction"),
    mistake("nadam", "momentum term corrected with beta1 ** t instead of beta1 ** (t + 1)",
            (NADAM_M_HAT, NADAM_M_HAT.replace("beta1 ** (t + 1)", "beta1 ** t")),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="looks one step ahead"),
    mistake("nadam", "Adam's m_hat (no look-ahead)",
            (NADAM_M_HAT, '    m_hat = config["m"] / (1 - beta1 ** t)\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="these are Adam's steps"),
    mistake("nadam", "t incremented after use",
            ('    beta1, beta2, t = config["beta1"], config["beta2"], config["t"] + 1\n    config["t"] = t\n',
             '    beta1, beta2, t = config["beta1"], config["beta2"], config["t"]\n    config["t"] = t + 1\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS), hint="incremented after it is used"),
    mistake("nadam", "look-ahead from the momentum before this step's update",
            (NADAM_BODY, NADAM_BODY.replace(NADAM_M_HAT, "").replace(
                '    config["m"] = beta1', NADAM_M_HAT + '    config["m"] = beta1')),
            loses=(NEXT_W, NEXT_W_DEFAULTS)),
    mistake("nadam", "t not stored back into config",
            ('    beta1, beta2, t = config["beta1"], config["beta2"], config["t"] + 1\n    config["t"] = t\n',
             '    beta1, beta2, t = config["beta1"], config["beta2"], config["t"] + 1\n'),
            loses=(NEXT_W, NEXT_W_DEFAULTS, NADAM_STATE), hint="store the updated"),
    mistake("nadam", "Adam's default learning rate 1e-3",
            ('config.setdefault("learning_rate", 2e-3)', 'config.setdefault("learning_rate", 1e-3)'),
            loses=(DEFAULTS, NEXT_W_DEFAULTS), hint="the default is 0.002"),
    # schedules
    mistake("exponential_decay", "staircase ignored",
            ("    if staircase:\n        exponent = math.floor(exponent)\n", ""),
            loses="lr matches the formula with staircase=True", hint="must be floored"),
    mistake("exponential_decay", "staircase rounds up",
            ("        exponent = math.floor(exponent)\n", "        exponent = math.ceil(exponent)\n"),
            loses="lr matches the formula with staircase=True", hint="rounded up"),
    mistake("exponential_decay", "staircase rounds to the nearest integer",
            ("        exponent = math.floor(exponent)\n", "        exponent = round(exponent)\n"),
            loses="lr matches the formula with staircase=True"),
    mistake("exponential_decay", "operator precedence in the exponent",
            ("    exponent = step / decay_steps\n    if staircase:\n        exponent = math.floor(exponent)\n    return lr0 * decay_rate ** exponent\n",
             "    if staircase:\n        return lr0 * decay_rate ** (step // decay_steps)\n    return lr0 * decay_rate ** step / decay_steps\n"),
            loses="lr matches the formula", hint="divides the power"),
    mistake("natural_exp_decay", "staircase ignored",
            ("    if staircase:\n        ratio = math.floor(ratio)\n", ""),
            loses="lr matches the formula with staircase=True", hint="must be floored"),
    mistake("natural_exp_decay", "exponent of the wrong sign",
            ("    return lr0 * math.exp(-decay_rate * ratio)\n", "    return lr0 * math.exp(decay_rate * ratio)\n"),
            loses=("lr matches the formula", "lr matches the formula with staircase=True"), hint="wrong sign"),
    mistake("natural_exp_decay", "staircase floors the exponent after multiplying by decay_rate",
            ("    if staircase:\n        ratio = math.floor(ratio)\n    return lr0 * math.exp(-decay_rate * ratio)\n",
             "    exponent = decay_rate * ratio\n    if staircase:\n        exponent = math.floor(exponent)\n    return lr0 * math.exp(-exponent)\n"),
            loses="lr matches the formula with staircase=True"),
    mistake("polynomial_decay", "step not capped",
            ("    else:\n        step = min(step, decay_steps)\n", ""),
            loses="lr stays at end_lr beyond decay_steps"),
    mistake("polynomial_decay", "cycle without the at-least-1 (step 0 divides by zero)",
            ("decay_steps * max(1, math.ceil(step / decay_steps))", "decay_steps * math.ceil(step / decay_steps)"),
            loses="lr matches the formula with cycle=True", hint="max(1, ceil(step / decay_steps))"),
    mistake("polynomial_decay", "cycle with floor + 1 instead of ceil",
            ("decay_steps * max(1, math.ceil(step / decay_steps))", "decay_steps * (step // decay_steps + 1)"),
            loses="lr matches the formula with cycle=True", hint="not one more"),
    mistake("polynomial_decay", "end_lr not added back",
            ("    return (lr0 - end_lr) * (1 - step / decay_steps) ** power + end_lr\n",
             "    return (lr0 - end_lr) * (1 - step / decay_steps) ** power\n"),
            loses=("lr matches the formula", "lr stays at end_lr beyond decay_steps")),
    mistake("polynomial_decay", "power applied to the ratio",
            ("(1 - step / decay_steps) ** power", "(1 - (step / decay_steps) ** power)"),
            loses="lr matches the formula"),
    mistake("cosine_decay", "step not capped",
            ("    step = min(step, decay_steps)\n    cosine", "    cosine"),
            loses="lr stays at alpha * lr0 beyond decay_steps", hint="not capped"),
    mistake("cosine_decay", "alpha not scaled by lr0",
            ("    return lr0 * ((1 - alpha) * cosine + alpha)\n", "    return lr0 * (1 - alpha) * cosine + alpha\n"),
            loses="lr matches the formula", hint="alpha is a fraction of lr0"),
    mistake("cosine_decay", "a full period instead of half",
            ("math.cos(math.pi * step / decay_steps)", "math.cos(2 * math.pi * step / decay_steps)"),
            loses=("lr matches the formula", "lr stays at alpha * lr0 beyond decay_steps")),
    mistake("piecewise_constant", "step < boundary instead of <=",
            ("        if step <= boundary:\n", "        if step < boundary:\n"),
            loses="lr at a boundary step is values[i] (step <= boundaries[i])", hint="still gets values[i]"),
    mistake("piecewise_constant", "last value never reached",
            ("    return values[-1]\n", "    return values[-2]\n"), loses="lr matches the formula"),
    # clip_grad_norm
    mistake("clip_grad_norm", "each array clipped by its own norm",
            (CLIP_BODY, """    clipped, norms = [], []
    for g in grads:
        norm = np.linalg.norm(g)
        norms.append(norm ** 2)
        clipped.append(g * max_norm / (norm + 1e-6) if norm > max_norm else g.copy())
    return clipped, math.sqrt(sum(norms))
"""), loses="clipped matches torch", hint="its own norm"),
    mistake("clip_grad_norm", "scales the inputs in place",
            ("        return [g * scale for g in grads], total_norm\n",
             "        for g in grads:\n            g *= scale\n        return grads, total_norm\n"),
            loses="inputs are not modified"),
    mistake("clip_grad_norm", "always rescales to max_norm",
            ("    if total_norm > max_norm:\n        scale", "    if True:\n        scale"),
            loses="gradients below max_norm are returned unchanged", hint="below max_norm"),
    mistake("clip_grad_norm", "returns the squared norm",
            ("        return [g * scale for g in grads], total_norm\n    return [g.copy() for g in grads], total_norm\n",
             "        return [g * scale for g in grads], total_norm ** 2\n    return [g.copy() for g in grads], total_norm ** 2\n"),
            loses="total_norm matches torch", hint="square root"),
    mistake("clip_grad_norm", "without the 1e-6 in the scale",
            ("        scale = max_norm / (total_norm + 1e-6)\n", "        scale = max_norm / total_norm\n"),
            loses="clipped matches torch"),
    mistake("clip_grad_norm", "imports torch",
            ("import numpy as np\n", "import numpy as np\ntry:\n    import torch\nexcept ImportError:\n    pass\n"),
            loses=("numpy only (no torch, tensorflow, jax or grader imports)", "clipped matches torch")),
]

ALTERNATIVES = [
    alternative("sgd", "out of place, config returned as a new dict",
                ('    if config is None:\n        config = {}\n    config.setdefault("learning_rate", 1e-2)\n\n'
                 '    w -= config["learning_rate"] * dw\n    return w, config\n',
                 '    config = {"learning_rate": 1e-2, **(config or {})}\n'
                 '    return w - config["learning_rate"] * dw, config\n')),
    alternative("sgd_momentum", "CS231n style, velocity updated in place on a copy",
                ('    v = config.get("velocity", np.zeros_like(w))\n\n    v = config["momentum"] * v - config["learning_rate"] * dw\n    next_w = w + v\n',
                 '    v = config.get("velocity", np.zeros_like(w)).copy()\n\n    v *= config["momentum"]\n'
                 '    v -= config["learning_rate"] * dw\n    w += v\n    next_w = w\n')),
    alternative("nesterov_momentum", "look-ahead algebra: next_w = w + mu * v - lr * dw",
                (NESTEROV_BODY, '    mu = config["momentum"]\n    v = mu * v - config["learning_rate"] * dw\n'
                                '    next_w = w + mu * v - config["learning_rate"] * dw\n')),
    alternative("nesterov_momentum", "new config dict, state under a fresh key set",
                ('    config["velocity"] = v\n    return next_w, config\n    ### END SOLUTION\n\n\ndef adagrad',
                 '    return next_w, dict(config, velocity=v)\n    ### END SOLUTION\n\n\ndef adagrad')),
    alternative("adagrad", "in-place accumulation on a copy, dividing by the root of the cache",
                ('    config["cache"] = config["cache"] + dw ** 2\n    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])\n    return next_w, config\n    ### END SOLUTION\n\n\ndef rmsprop',
                 '    cache = config["cache"].copy()\n    cache += dw * dw\n    config["cache"] = cache\n'
                 '    w -= config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])\n    return w, config\n    ### END SOLUTION\n\n\ndef rmsprop')),
    alternative("rmsprop", "CS231n solution style",
                ('    rho = config["decay_rate"]\n    config["cache"] = rho * config["cache"] + (1 - rho) * dw ** 2\n',
                 '    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * (dw * dw)\n')),
    alternative("adadelta", "the root of a ratio",
                ('    step = np.sqrt(config["delta"] + eps) / np.sqrt(config["cache"] + eps) * dw\n',
                 '    step = dw * np.sqrt((config["delta"] + eps) / (config["cache"] + eps))\n')),
    alternative("adam", "Kingma & Ba's efficient form: epsilon added before the bias correction",
                ('    m_hat = config["m"] / (1 - beta1 ** config["t"])\n    v_hat = config["v"] / (1 - beta2 ** config["t"])\n'
                 '    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n',
                 '    t = config["t"]\n    alpha = config["learning_rate"] * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)\n'
                 '    next_w = w - alpha * config["m"] / (np.sqrt(config["v"]) + config["epsilon"])\n')),
    alternative("adam", "CS231n solution style with local m, v, t and a new config",
                (ADAM_BODY, '    t = config["t"] + 1\n'
                            '    m = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw\n'
                            '    v = config["beta2"] * config["v"] + (1 - config["beta2"]) * (dw ** 2)\n'
                            '    mb = m / (1 - config["beta1"] ** t)\n    vb = v / (1 - config["beta2"] ** t)\n'
                            '    next_w = w - config["learning_rate"] * mb / (np.sqrt(vb) + config["epsilon"])\n'
                            '    config = {**config, "m": m, "v": v, "t": t}\n')),
    alternative("nadam", "Dozat's notation: bias-corrected gradient and momentum mixed",
                (NADAM_M_HAT, '    g_hat = dw / (1 - beta1 ** t)\n    m_prime = config["m"] / (1 - beta1 ** (t + 1))\n'
                              '    m_hat = (1 - beta1) * g_hat + beta1 * m_prime\n')),
    alternative("nadam", "CS231n style with local m, v, t, in-place on copies, and a new config",
                (NADAM_BODY, '    beta1, beta2 = config["beta1"], config["beta2"]\n    t = config["t"] + 1\n'
                             '    m = config["m"].copy()\n    m *= beta1\n    m += (1 - beta1) * dw\n'
                             '    v = config["v"].copy()\n    v *= beta2\n    v += (1 - beta2) * (dw * dw)\n'
                             '    m_hat = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * dw / (1 - beta1 ** t)\n'
                             '    v_hat = v / (1 - beta2 ** t)\n    config = dict(config, m=m, v=v, t=t)\n')),
    alternative("exponential_decay", "integer division for the staircase",
                ("    exponent = step / decay_steps\n    if staircase:\n        exponent = math.floor(exponent)\n",
                 "    exponent = step // decay_steps if staircase else step / decay_steps\n")),
    alternative("natural_exp_decay", "numpy exponential returning a numpy float",
                ("    return lr0 * math.exp(-decay_rate * ratio)\n", "    return lr0 * np.exp(-decay_rate * ratio)\n")),
    alternative("polynomial_decay", "numpy ceil and minimum",
                ("        decay_steps = decay_steps * max(1, math.ceil(step / decay_steps))\n    else:\n        step = min(step, decay_steps)\n",
                 "        decay_steps = decay_steps * max(1.0, np.ceil(step / decay_steps))\n    else:\n        step = np.minimum(step, decay_steps)\n")),
    alternative("cosine_decay", "decayed fraction converted with float()",
                ("    return lr0 * ((1 - alpha) * cosine + alpha)\n",
                 "    decayed = (1 - alpha) * cosine + alpha\n    return float(lr0 * decayed)\n")),
    alternative("piecewise_constant", "bisect on the boundaries",
                ("    for boundary, value in zip(boundaries, values):\n        if step <= boundary:\n            return value\n    return values[-1]\n",
                 "    import bisect\n    return values[bisect.bisect_left(boundaries, step)]\n")),
    alternative("clip_grad_norm", "torch-style clamped coefficient on every array",
                (CLIP_BODY, "    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))\n"
                            "    coef = max_norm / (total_norm + 1e-6)\n"
                            "    if coef >= 1.0 or total_norm <= max_norm:\n        return [np.array(g) for g in grads], total_norm\n"
                            "    return [g * coef for g in grads], total_norm\n")),
    alternative("clip_grad_norm", "norm of the concatenated arrays, tuple of clipped arrays",
                (CLIP_BODY, "    total_norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))\n"
                            "    if total_norm > max_norm:\n"
                            "        return tuple(g * (max_norm / (total_norm + 1e-6)) for g in grads), total_norm\n"
                            "    return list(grads), total_norm\n")),
]
