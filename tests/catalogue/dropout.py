from tests.catalogue import alternative, mistake

SCALING = "every output is 0 or x / p (inverted dropout)"
CACHE = "cache is (dropout_param, mask) with out = x * mask"
DTYPE = "out has the dtype of x"
INPUTS = "inputs are not modified"
TEST = "test mode is the identity (out = x)"
TEST_CACHE = "test mode caches (dropout_param, None)"
FRACTION = "kept fraction is p (binomial test)"
MEAN = "mean is preserved (inverted dropout)"
SEEDS = "the same seed gives the same mask, different seeds different masks"
DX = "dx matches torch autograd of x * mask (your forward's mask)"
DX_GIVEN = "dx = dout * mask for a given cache (dropout_param, mask)"
DX_TEST = "test mode: dx = dout"

MASK = "        mask = ((np.random.rand(*x.shape) < p) / p).astype(x.dtype)\n"
SEEDING = '    if "seed" in dropout_param:\n        np.random.seed(dropout_param["seed"])\n'
TEST_BRANCH = "        mask = None\n        out = x\n"
BACKWARD_TRAIN = "        dx = dout * mask\n"

MISTAKES = [
    mistake("dropout_forward", "p read as the drop probability",
            (MASK, "        mask = ((np.random.rand(*x.shape) > p) / p).astype(x.dtype)\n"),
            loses=FRACTION, hint="probability of keeping"),
    mistake("dropout_forward", "p read as the drop probability, rescaled by 1 / (1 - p)",
            (MASK, "        mask = ((np.random.rand(*x.shape) >= p) / (1 - p)).astype(x.dtype)\n"),
            loses=(SCALING, FRACTION), hint="probability of keeping"),
    mistake("dropout_forward", "non-inverted dropout (no rescaling)",
            (MASK, "        mask = (np.random.rand(*x.shape) < p).astype(x.dtype)\n"),
            loses=(SCALING, MEAN), hint="not rescaled"),
    mistake("dropout_forward", "dropout applied in test mode",
            (TEST_BRANCH, "        mask = None\n        out = x * ((np.random.rand(*x.shape) < p) / p).astype(x.dtype)\n"),
            loses=TEST, hint="applied in test mode"),
    mistake("dropout_forward", "test mode scales by p (the non-inverted convention)",
            (TEST_BRANCH, "        mask = None\n        out = x * p\n"), loses=TEST),
    mistake("dropout_forward", "the seed is ignored",
            (SEEDING, ""), loses=SEEDS, hint="gave different masks"),
    mistake("dropout_forward", "a fixed seed instead of dropout_param's",
            (SEEDING, "    np.random.seed(0)\n"), loses=SEEDS, hint="the seed is ignored"),
    mistake("dropout_forward", "an unseeded default_rng",
            (MASK, "        mask = ((np.random.default_rng().random(x.shape) < p) / p).astype(x.dtype)\n"),
            loses=SEEDS),
    mistake("dropout_forward", "float64 output for float32 x",
            (MASK, "        mask = (np.random.rand(*x.shape) < p) / p\n"), loses=DTYPE),
    mistake("dropout_forward", "the cache holds the boolean keep-mask",
            (MASK + "        out = x * mask\n",
             "        keep = np.random.rand(*x.shape) < p\n        out = (x * keep / p).astype(x.dtype)\n"
             "        mask = keep\n"), loses=CACHE),
    mistake("dropout_forward", "the cache is (mask, dropout_param)",
            ("    cache = (dropout_param, mask)\n", "    cache = (mask, dropout_param)\n"), loses=(CACHE, TEST_CACHE)),
    mistake("dropout_forward", "seed popped from dropout_param",
            (SEEDING, '    if "seed" in dropout_param:\n        np.random.seed(dropout_param.pop("seed"))\n'),
            loses=INPUTS),
    mistake("dropout_forward", "x scaled in place",
            (MASK + "        out = x * mask\n", MASK + "        x *= mask\n        out = x\n"), loses=INPUTS),
    mistake("dropout_backward", "a fresh mask in the backward pass",
            (BACKWARD_TRAIN, '        p = dropout_param["p"]\n        dx = dout * (np.random.rand(*dout.shape) < p) / p\n'),
            loses=(DX, DX_GIVEN), hint="does not use the mask of the forward pass"),
    mistake("dropout_backward", "a fresh mask drawn again from the seed",
            (BACKWARD_TRAIN, '        p = dropout_param["p"]\n        np.random.seed(dropout_param.get("seed", 0))\n'
                             '        dx = dout * (np.random.rand(*dout.shape) < p) / p\n'),
            loses=DX_GIVEN, hint="does not use the mask of the forward pass"),
    mistake("dropout_backward", "the mask not rescaled in the backward pass",
            (BACKWARD_TRAIN, "        dx = dout * (mask != 0)\n"), loses=(DX, DX_GIVEN)),
    mistake("dropout_backward", "the mask ignored in train mode",
            (BACKWARD_TRAIN, "        dx = dout\n"), loses=(DX, DX_GIVEN)),
    mistake("dropout_backward", "test mode multiplies by the (missing) mask",
            ('    elif mode == "test":\n        dx = dout\n', '    elif mode == "test":\n        dx = dout * p\n'),
            ('    mode = dropout_param["mode"]\n', '    mode, p = dropout_param["mode"], dropout_param["p"]\n'),
            loses=DX_TEST),
    mistake("dropout_backward", "dout scaled in place",
            (BACKWARD_TRAIN, "        dout *= mask\n        dx = dout\n"), loses=INPUTS),
]

ALTERNATIVES = [
    # CS231n's starter has no branch for other modes, and the contract leaves them unspecified.
    alternative("dropout_forward", "any mode but train is treated as test mode",
                ('    elif mode == "test":\n' + TEST_BRANCH, "    else:\n" + TEST_BRANCH),
                ("    else:\n        raise ValueError('Invalid forward dropout mode \"%s\"' % mode)\n", "")),
    alternative("dropout_forward", "a seeded default_rng",
                (SEEDING, '    rng = np.random.default_rng(dropout_param.get("seed"))\n'),
                (MASK, "        mask = ((rng.random(x.shape) < p) / p).astype(x.dtype)\n")),
    alternative("dropout_forward", "CS231n style: float64 mask, out cast back to x's dtype, test output copied",
                (MASK + "        out = x * mask\n",
                 "        mask = (np.random.rand(*x.shape) < p) / p\n        out = (x * mask).astype(x.dtype, copy=False)\n"),
                (TEST_BRANCH, "        mask = None\n        out = x.copy()\n")),
    alternative("dropout_forward", "np.random.binomial with a RandomState",
                (SEEDING, '    rs = np.random.RandomState(dropout_param["seed"]) if "seed" in dropout_param '
                          "else np.random\n"),
                (MASK, "        mask = (rs.binomial(1, p, size=x.shape) / p).astype(x.dtype)\n")),
    alternative("dropout_backward", "the mask applied with np.multiply, the mode read from the cache",
                (BACKWARD_TRAIN, "        dx = np.multiply(dout, mask)\n")),
]
