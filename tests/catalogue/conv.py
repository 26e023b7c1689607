from tests.catalogue import alternative, mistake

OVERLAP = "dx matches torch autograd (overlapping windows)"
NO_OVERLAP = "dx matches torch autograd (windows that do not overlap)"
OVERWRITTEN = "overwritten instead of added"

# Anchors: the lines that tell the otherwise similar functions of solutions/conv.py apart.
CONV_WINDOW = "            window = x_pad[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]\n"
CONV_SIZES = "    H_out = 1 + (H + 2 * pad - HH) // stride\n    W_out = 1 + (W + 2 * pad - WW) // stride\n"
MAX_WINDOW = ("            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]\n"
              "            out[:, :, i, j] = np.max(window, axis=(2, 3))\n")
AVG_WINDOW = MAX_WINDOW.replace("np.max", "np.mean")
MAX_BACKWARD = ("            window = x[:, :, rows, cols]\n"
                "            mask = window == np.max(window, axis=(2, 3), keepdims=True)\n"
                "            dx[:, :, rows, cols] += mask * dout[:, :, i, j][:, :, None, None]\n")
AVG_BACKWARD = ("            share = dout[:, :, i, j][:, :, None, None] / (ph * pw)\n"
                "            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += share\n")
CONV_BACKWARD_ROWS = ("            rows = slice(i * stride, i * stride + HH)\n"
                      "            cols = slice(j * stride, j * stride + WW)\n")
POOL_SIZES = "    H_out = 1 + (H - ph) // stride\n    W_out = 1 + (W - pw) // stride\n"
MAX_FORWARD = POOL_SIZES + "    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)\n    for i in range(H_out):\n" \
    "        for j in range(W_out):\n" + MAX_WINDOW
AVG_FORWARD = MAX_FORWARD.replace("np.max", "np.mean")

RF_TYPICAL = "r matches the input extent of a torch conv stack's output unit"
RF_DILATED = "r matches torch with dilated layers"
RF_EMPTY = "an empty stack gives 1 (one input pixel)"
RF_RAISES = "raises ValueError when a kernel_size, stride or dilation is < 1"
RF_LAYER = ("        kernel_size, stride = layer[0], layer[1]\n"
            "        dilation = layer[2] if len(layer) > 2 else 1\n")
RF_CHECK = "        if kernel_size < 1 or stride < 1 or dilation < 1:\n"
RF_STEP = "        r += (kernel_size - 1) * dilation * jump\n        jump *= stride\n"
RF_BODY = "    r, jump = 1, 1\n    for layer in layers:\n" + RF_LAYER + RF_CHECK

MISTAKES = [
    # conv_forward_naive
    mistake("conv_forward_naive", "flipped kernel (a true convolution)",
            ("np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))",
             "np.tensordot(window, w[:, :, ::-1, ::-1], axes=([1, 2, 3], [1, 2, 3]))"),
            loses="out matches torch", hint="the kernel is flipped"),
    mistake("conv_forward_naive", "bias not added",
            ("axes=([1, 2, 3], [1, 2, 3])) + b\n", "axes=([1, 2, 3], [1, 2, 3]))\n"),
            loses="out matches torch", hint="the bias is missing"),
    mistake("conv_forward_naive", "output size without the 1 +",
            (CONV_SIZES, CONV_SIZES.replace("H_out = 1 + (H", "H_out = (H")),
            loses="out matches torch", hint="wrong spatial size"),
    mistake("conv_forward_naive", "output size ignores the padding",
            (CONV_SIZES, "    H_out = 1 + (H - HH) // stride\n    W_out = 1 + (W - WW) // stride\n"),
            loses="out matches torch", hint="wrong spatial size"),
    mistake("conv_forward_naive", "stride ignored (windows at i, j)",
            (CONV_WINDOW, "            window = x_pad[:, :, i:i + HH, j:j + WW]\n"),
            loses="out matches torch", hint="the stride is ignored"),
    mistake("conv_forward_naive", "kernel height used for the width",
            (CONV_WINDOW, CONV_WINDOW.replace("j * stride + WW", "j * stride + HH")),
            ("    W_out = 1 + (W + 2 * pad - WW) // stride\n    x_pad", "    W_out = 1 + (W + 2 * pad - HH) // stride\n    x_pad"),
            loses="out matches torch"),
    mistake("conv_forward_naive", "skips padding when pad == 0 and multiplies the window in place",
            ("    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode=\"constant\")\n"
             "    out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)\n",
             "    x_pad = x if pad == 0 else np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode=\"constant\")\n"
             "    out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)\n"),
            (CONV_WINDOW + "            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b\n",
             CONV_WINDOW + "            for f in range(F):\n"
                           "                prod = window\n"
                           "                prod *= w[f]\n"
                           "                out[:, f, i, j] = prod.sum(axis=(1, 2, 3)) + b[f]\n"),
            loses="inputs are not modified"),
    mistake("conv_forward_naive", "caches the padded input",
            ("    cache = (x, w, b, conv_param)\n", "    cache = (x_pad, w, b, conv_param)\n"),
            loses="cache is (x, w, b, conv_param)"),
    # conv_backward_naive
    mistake("conv_backward_naive", "gradients of overlapping windows overwritten (dx_pad[...] = ...)",
            ("dx_pad[:, :, rows, cols] += ", "dx_pad[:, :, rows, cols] = "),
            loses="dx matches torch autograd", hint=OVERWRITTEN),
    mistake("conv_backward_naive", "CS231n loops writing dx_pad with = instead of +=",
            ("            dx_pad[:, :, rows, cols] += np.tensordot(d, w, axes=([1], [0]))\n",
             "            for f in range(F):\n"
             "                for n in range(N):\n"
             "                    dx_pad[n, :, rows, cols] = w[f] * dout[n, f, i, j]\n"),
            loses="dx matches torch autograd", hint=OVERWRITTEN),
    mistake("conv_backward_naive", "flipped kernel in dx",
            ("np.tensordot(d, w, axes=([1], [0]))", "np.tensordot(d, w[:, :, ::-1, ::-1], axes=([1], [0]))"),
            loses="dx matches torch autograd", hint="the kernel is flipped"),
    mistake("conv_backward_naive", "stride ignored in the backward pass",
            (CONV_BACKWARD_ROWS, "            rows = slice(i, i + HH)\n            cols = slice(j, j + WW)\n"),
            loses=("dx matches torch autograd", "dw matches torch autograd"), hint="the stride is ignored"),
    mistake("conv_backward_naive", "db summed over the channel and spatial axes",
            ("db = np.sum(dout, axis=(0, 2, 3))", "db = np.sum(dout, axis=(1, 2, 3))"),
            loses="db matches torch autograd", hint="db sums dout over the wrong axes"),
    mistake("conv_backward_naive", "db summed over the batch only",
            ("db = np.sum(dout, axis=(0, 2, 3))", "db = np.sum(dout, axis=0)"),
            loses="db matches torch autograd", hint="db sums dout over the wrong axes"),
    mistake("conv_backward_naive", "dx cropped with pad:-pad (empty when pad == 0)",
            ("dx = dx_pad[:, :, pad:pad + H, pad:pad + W]", "dx = dx_pad[:, :, pad:-pad, pad:-pad]"),
            loses="dx matches torch autograd", hint="pad:-pad, pad:-pad] is empty when pad == 0"),
    mistake("conv_backward_naive", "dw overwritten at each output position",
            ("            dw += np.tensordot", "            dw = np.tensordot"),
            loses="dw matches torch autograd"),
    mistake("conv_backward_naive", "dx left padded",
            ("dx = dx_pad[:, :, pad:pad + H, pad:pad + W]", "dx = dx_pad"),
            loses="dx matches torch autograd"),
    # max_pool_forward_naive
    mistake("max_pool_forward_naive", "stride ignored (windows at i, j)",
            (MAX_WINDOW, MAX_WINDOW.replace("i * stride:i * stride + ph, j * stride:j * stride + pw", "i:i + ph, j:j + pw")),
            loses="out matches torch", hint="the stride is ignored"),
    mistake("max_pool_forward_naive", "output size without the 1 +",
            (MAX_FORWARD, MAX_FORWARD.replace("H_out = 1 + (H - ph) // stride", "H_out = (H - ph) // stride")),
            loses="out matches torch", hint="wrong spatial size"),
    mistake("max_pool_forward_naive", "pool_height used for the width",
            (MAX_FORWARD, MAX_FORWARD.replace("(W - pw)", "(W - ph)").replace("j * stride + pw", "j * stride + ph")),
            loses="out matches torch"),
    mistake("max_pool_forward_naive", "caches the output instead of the input",
            (MAX_FORWARD + "    cache = (x, pool_param)\n", MAX_FORWARD + "    cache = (out, pool_param)\n"),
            loses="cache is (x, pool_param)"),
    # max_pool_backward_naive
    mistake("max_pool_backward_naive", "dx[window] = mask * dout (overwrites overlapping windows)",
            (MAX_BACKWARD, MAX_BACKWARD.replace("dx[:, :, rows, cols] += ", "dx[:, :, rows, cols] = ")),
            loses=OVERLAP, hint=OVERWRITTEN),
    mistake("max_pool_backward_naive", "CS231n argmax loops assigning dx[n, c, max position] = dout",
            (MAX_BACKWARD,
             "            for n in range(dout.shape[0]):\n"
             "                for c in range(dout.shape[1]):\n"
             "                    window = x[n, c, rows, cols]\n"
             "                    a, b = np.unravel_index(np.argmax(window), window.shape)\n"
             "                    dx[n, c, i * stride + a, j * stride + b] = dout[n, c, i, j]\n"),
            loses=OVERLAP, hint=OVERWRITTEN),
    mistake("max_pool_backward_naive", "stride ignored in the backward pass",
            ("            rows = slice(i * stride, i * stride + ph)\n            cols = slice(j * stride, j * stride + pw)\n"
             "            window = x[",
             "            rows = slice(i, i + ph)\n            cols = slice(j, j + pw)\n            window = x["),
            loses=(NO_OVERLAP, OVERLAP), hint="the stride is ignored"),
    mistake("max_pool_backward_naive", "dout sent to the whole window (no max mask)",
            (MAX_BACKWARD, MAX_BACKWARD.replace("+= mask * dout", "+= np.ones_like(window) * dout")),
            loses=(NO_OVERLAP, OVERLAP), hint="only the window's maximum gets it"),
    mistake("max_pool_backward_naive", "zeroes the non-maxima of x's window in place to build the mask",
            (MAX_BACKWARD,
             "            window = x[:, :, rows, cols]\n"
             "            window[window < np.max(window, axis=(2, 3), keepdims=True)] = 0\n"
             "            mask = window != 0\n"
             "            dx[:, :, rows, cols] += mask * dout[:, :, i, j][:, :, None, None]\n"),
            loses="inputs are not modified"),
    mistake("max_pool_backward_naive", "unravels the argmax with pool_height for both sides",
            (MAX_BACKWARD,
             "            for n in range(dout.shape[0]):\n"
             "                for c in range(dout.shape[1]):\n"
             "                    window = x[n, c, rows, cols]\n"
             "                    a, b = np.unravel_index(np.argmax(window), (ph, ph))\n"
             "                    dx[n, c, i * stride + a, j * stride + b] += dout[n, c, i, j]\n"),
            loses=(NO_OVERLAP, OVERLAP)),
    # avg_pool_forward_naive
    mistake("avg_pool_forward_naive", "window sum instead of mean",
            (AVG_WINDOW, AVG_WINDOW.replace("np.mean", "np.sum")),
            loses="out matches torch", hint="window sum"),
    mistake("avg_pool_forward_naive", "output size without the 1 +",
            (AVG_FORWARD, AVG_FORWARD.replace("W_out = 1 + (W - pw) // stride", "W_out = (W - pw) // stride")),
            loses="out matches torch", hint="wrong spatial size"),
    mistake("avg_pool_forward_naive", "stride ignored (windows at i, j)",
            (AVG_WINDOW, AVG_WINDOW.replace("i * stride:i * stride + ph, j * stride:j * stride + pw", "i:i + ph, j:j + pw")),
            loses="out matches torch", hint="the stride is ignored"),
    mistake("avg_pool_forward_naive", "divides by pool_height squared",
            (AVG_WINDOW, AVG_WINDOW.replace("np.mean(window, axis=(2, 3))", "np.sum(window, axis=(2, 3)) / ph ** 2")),
            loses="out matches torch"),
    # avg_pool_backward_naive
    mistake("avg_pool_backward_naive", "gradient not divided by the window size",
            (AVG_BACKWARD, AVG_BACKWARD.replace(" / (ph * pw)", "")),
            loses=(NO_OVERLAP, OVERLAP), hint="not divided by the window size"),
    mistake("avg_pool_backward_naive", "dx[window] = dout / size (overwrites overlapping windows)",
            (AVG_BACKWARD, AVG_BACKWARD.replace("+= share", "= share")),
            loses=OVERLAP, hint=OVERWRITTEN),
    mistake("avg_pool_backward_naive", "stride ignored in the backward pass",
            (AVG_BACKWARD, AVG_BACKWARD.replace("i * stride:i * stride + ph, j * stride:j * stride + pw", "i:i + ph, j:j + pw")),
            loses=(NO_OVERLAP, OVERLAP), hint="the stride is ignored"),
    mistake("avg_pool_backward_naive", "divided by pool_height squared",
            (AVG_BACKWARD, AVG_BACKWARD.replace("(ph * pw)", "(ph * ph)")),
            loses=(NO_OVERLAP, OVERLAP)),
    # global_avg_pool_forward
    mistake("global_avg_pool_forward", "keepdims=True",
            ("out = np.mean(x, axis=(2, 3))", "out = np.mean(x, axis=(2, 3), keepdims=True)"),
            loses="out matches torch", hint="(N, C)"),
    mistake("global_avg_pool_forward", "sum instead of mean",
            ("out = np.mean(x, axis=(2, 3))", "out = np.sum(x, axis=(2, 3))"),
            loses="out matches torch", hint="divide it by H * W"),
    mistake("global_avg_pool_forward", "mean over the channels too",
            ("out = np.mean(x, axis=(2, 3))", "out = np.mean(x, axis=(1, 2, 3))"),
            loses="out matches torch"),
    # global_avg_pool_backward
    mistake("global_avg_pool_backward", "not divided by H * W",
            ("dout[:, :, None, None] / (H * W)", "dout[:, :, None, None]"),
            loses="dx matches torch autograd", hint="not divided by H * W"),
    mistake("global_avg_pool_backward", "divided by N * H * W",
            ("dout[:, :, None, None] / (H * W)", "dout[:, :, None, None] / (N * H * W)"),
            loses="dx matches torch autograd", hint="also divided by N"),
    mistake("global_avg_pool_backward", "dout not broadcast back to (N, C, H, W)",
            ("    dx = np.broadcast_to(dout[:, :, None, None] / (H * W), (N, C, H, W)).copy()\n",
             "    dx = dout / (H * W)\n"),
            loses="dx matches torch autograd", hint="shape of x"),
    # conv_output_size
    mistake("conv_output_size", "no argument validation",
            ("    if stride < 1 or kernel_size < 1 or pad < 0:\n", "    if False:\n"),
            loses="raises ValueError for stride < 1, kernel_size < 1 or pad < 0"),
    mistake("conv_output_size", "stride not validated (division by zero)",
            ("if stride < 1 or kernel_size < 1 or pad < 0:", "if kernel_size < 1 or pad < 0:"),
            loses="raises ValueError for stride < 1, kernel_size < 1 or pad < 0"),
    mistake("conv_output_size", "floors sizes that are not whole numbers",
            ("if span < 0 or span % stride != 0:", "if span < 0:"),
            loses="raises ValueError when the output size is not a whole number >= 1"),
    mistake("conv_output_size", "allows kernels larger than the padded input",
            ("if span < 0 or span % stride != 0:", "if span % stride != 0:"),
            loses="raises ValueError when the output size is not a whole number >= 1"),
    mistake("conv_output_size", "returns a float (true division)",
            ("return 1 + span // stride", "return 1 + span / stride"),
            loses="size matches torch", hint="return an int"),
    mistake("conv_output_size", "forgets the 1 +",
            ("return 1 + span // stride", "return span // stride"),
            loses="size matches torch", hint="off by one"),
    mistake("conv_output_size", "pads one side only",
            ("span = in_size + 2 * pad - kernel_size", "span = in_size + pad - kernel_size"),
            loses="size matches torch"),
    # conv_param_count
    mistake("conv_param_count", "bias flag ignored",
            ("    if bias:\n        count += out_channels\n", "    count += out_channels\n"),
            loses="count matches torch (bias=False)", hint="still counts biases"),
    mistake("conv_param_count", "weights counted without the input channels",
            ("count = out_channels * in_channels * kernel_h * kernel_w", "count = out_channels * kernel_h * kernel_w"),
            loses=("count matches torch (with bias)", "count matches torch (bias=False)"), hint="spans all input channels"),
    mistake("conv_param_count", "biases never counted",
            ("    if bias:\n        count += out_channels\n", ""),
            loses="count matches torch (with bias)", hint="the biases are missing"),
    mistake("conv_param_count", "default bias=False",
            ("kernel_h, kernel_w, bias=True):", "kernel_h, kernel_w, bias=False):"),
            loses="count matches torch (with bias)", hint="the biases are missing"),
    # receptive_field
    mistake("receptive_field", "dilation ignored",
            (RF_STEP, RF_STEP.replace(" * dilation * jump", " * jump")),
            loses=RF_DILATED, hint="the dilation is ignored"),
    mistake("receptive_field", "strides multiplied including the current layer",
            (RF_STEP, "        jump *= stride\n        r += (kernel_size - 1) * dilation * jump\n"),
            loses=(RF_TYPICAL, RF_DILATED), hint="own stride is multiplied in"),
    mistake("receptive_field", "strides ignored",
            (RF_STEP, "        r += (kernel_size - 1) * dilation\n"),
            loses=(RF_TYPICAL, RF_DILATED), hint="stride of each layer is ignored"),
    mistake("receptive_field", "each layer adds kernel_size, not kernel_size - 1",
            (RF_STEP, RF_STEP.replace("(kernel_size - 1) * dilation", "kernel_size * dilation")),
            loses=(RF_TYPICAL, RF_DILATED), hint="not kernel_size"),
    mistake("receptive_field", "a dilated kernel taken to span k * d pixels",
            (RF_STEP, RF_STEP.replace("(kernel_size - 1) * dilation", "(kernel_size * dilation - 1)")),
            loses=RF_DILATED, hint="not k * d"),
    mistake("receptive_field", "starts from 0 instead of 1 pixel",
            ("    r, jump = 1, 1\n", "    r, jump = 0, 1\n"), loses=(RF_TYPICAL, RF_DILATED, RF_EMPTY)),
    mistake("receptive_field", "no ValueError for invalid values",
            (RF_CHECK + "            raise ValueError", "        if False:\n            raise ValueError"),
            loses=RF_RAISES),
    mistake("receptive_field", "dilation not validated",
            (RF_CHECK, "        if kernel_size < 1 or stride < 1:\n"), loses=RF_RAISES),
    mistake("receptive_field", "walks back from the output after layers.reverse()",
            (RF_BODY, "    r = 1\n    layers.reverse()\n    for layer in layers:\n" + RF_LAYER + RF_CHECK),
            (RF_STEP, "        r = stride * (r - 1) + (kernel_size - 1) * dilation + 1\n"),
            loses="inputs are not modified", hint="not layers.reverse()"),
]

ALTERNATIVES = [
    alternative("conv_forward_naive", "CS231n four loops with manual zero padding",
                ("    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode=\"constant\")\n"
                 "    out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)\n"
                 "    for i in range(H_out):\n        for j in range(W_out):\n" + CONV_WINDOW +
                 "            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b\n",
                 "    x_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad))\n"
                 "    x_pad[:, :, pad:pad + H, pad:pad + W] = x\n"
                 "    out = np.zeros((N, F, H_out, W_out))\n"
                 "    for n in range(N):\n"
                 "        for f in range(F):\n"
                 "            for i in range(H_out):\n"
                 "                for j in range(W_out):\n"
                 "                    hs, ws = i * stride, j * stride\n"
                 "                    out[n, f, i, j] = np.sum(x_pad[n, :, hs:hs + HH, ws:ws + WW] * w[f]) + b[f]\n")),
    alternative("conv_forward_naive", "loops over kernel offsets with strided slices and einsum",
                ("    for i in range(H_out):\n        for j in range(W_out):\n" + CONV_WINDOW +
                 "            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b\n",
                 "    out += b[None, :, None, None]\n"
                 "    for k in range(HH):\n"
                 "        for l in range(WW):\n"
                 "            patch = x_pad[:, :, k:k + stride * H_out:stride, l:l + stride * W_out:stride]\n"
                 "            out += np.einsum('nchw,fc->nfhw', patch, w[:, :, k, l])\n")),
    alternative("conv_forward_naive", "cache as a list",
                ("    cache = (x, w, b, conv_param)\n", "    cache = [x, w, b, conv_param]\n")),
    alternative("conv_backward_naive", "CS231n four loops, crop guarded for pad == 0",
                ("    for i in range(H_out):\n        for j in range(W_out):\n" + CONV_BACKWARD_ROWS +
                 "            d = dout[:, :, i, j]\n"
                 "            dx_pad[:, :, rows, cols] += np.tensordot(d, w, axes=([1], [0]))\n"
                 "            dw += np.tensordot(d, x_pad[:, :, rows, cols], axes=([0], [0]))\n"
                 "    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]\n"
                 "    db = np.sum(dout, axis=(0, 2, 3))\n",
                 "    db = np.zeros_like(b)\n"
                 "    for n in range(N):\n"
                 "        for f in range(F):\n"
                 "            for i in range(H_out):\n"
                 "                for j in range(W_out):\n"
                 "                    hs, ws = i * stride, j * stride\n"
                 "                    dx_pad[n, :, hs:hs + HH, ws:ws + WW] += w[f] * dout[n, f, i, j]\n"
                 "                    dw[f] += x_pad[n, :, hs:hs + HH, ws:ws + WW] * dout[n, f, i, j]\n"
                 "                    db[f] += dout[n, f, i, j]\n"
                 "    dx = dx_pad[:, :, pad:-pad, pad:-pad] if pad > 0 else dx_pad\n")),
    alternative("conv_backward_naive", "loops over kernel offsets with strided slices and einsum",
                ("    for i in range(H_out):\n        for j in range(W_out):\n" + CONV_BACKWARD_ROWS +
                 "            d = dout[:, :, i, j]\n"
                 "            dx_pad[:, :, rows, cols] += np.tensordot(d, w, axes=([1], [0]))\n"
                 "            dw += np.tensordot(d, x_pad[:, :, rows, cols], axes=([0], [0]))\n",
                 "    for k in range(HH):\n"
                 "        for l in range(WW):\n"
                 "            rows = slice(k, k + stride * H_out, stride)\n"
                 "            cols = slice(l, l + stride * W_out, stride)\n"
                 "            dx_pad[:, :, rows, cols] += np.einsum('nfhw,fc->nchw', dout, w[:, :, k, l])\n"
                 "            dw[:, :, k, l] = np.einsum('nfhw,nchw->fc', dout, x_pad[:, :, rows, cols])\n")),
    alternative("max_pool_forward_naive", "CS231n four loops",
                (MAX_FORWARD,
                 POOL_SIZES + "    out = np.zeros((N, C, H_out, W_out))\n"
                 "    for n in range(N):\n"
                 "        for c in range(C):\n"
                 "            for i in range(H_out):\n"
                 "                for j in range(W_out):\n"
                 "                    hs, ws = i * stride, j * stride\n"
                 "                    out[n, c, i, j] = np.max(x[n, c, hs:hs + ph, ws:ws + pw])\n")),
    alternative("max_pool_backward_naive", "argmax-based loops (np.unravel_index)",
                (MAX_BACKWARD,
                 "            for n in range(dout.shape[0]):\n"
                 "                for c in range(dout.shape[1]):\n"
                 "                    window = x[n, c, rows, cols]\n"
                 "                    a, b = np.unravel_index(np.argmax(window), window.shape)\n"
                 "                    dx[n, c, i * stride + a, j * stride + b] += dout[n, c, i, j]\n")),
    alternative("max_pool_backward_naive", "CS231n mask loops per sample and channel",
                (MAX_BACKWARD,
                 "            for n in range(dout.shape[0]):\n"
                 "                for c in range(dout.shape[1]):\n"
                 "                    window = x[n, c, rows, cols]\n"
                 "                    dx[n, c, rows, cols] += (window == np.max(window)) * dout[n, c, i, j]\n")),
    alternative("avg_pool_forward_naive", "window sum divided by its size",
                (AVG_WINDOW, AVG_WINDOW.replace("np.mean(window, axis=(2, 3))", "window.sum(axis=(2, 3)) / (ph * pw)"))),
    alternative("avg_pool_backward_naive", "CS231n loops spreading np.ones((ph, pw)) * dout / size",
                (AVG_BACKWARD,
                 "            for n in range(dout.shape[0]):\n"
                 "                for c in range(dout.shape[1]):\n"
                 "                    hs, ws = i * stride, j * stride\n"
                 "                    dx[n, c, hs:hs + ph, ws:ws + pw] += np.ones((ph, pw)) * dout[n, c, i, j] / (ph * pw)\n")),
    alternative("global_avg_pool_forward", "caches x, sum divided by H * W",
                ("    out = np.mean(x, axis=(2, 3))\n    cache = x.shape\n",
                 "    out = x.sum(axis=(2, 3)) / (x.shape[2] * x.shape[3])\n    cache = x\n")),
    alternative("global_avg_pool_backward", "x cached, ones_like times dout",
                ("    out = np.mean(x, axis=(2, 3))\n    cache = x.shape\n", "    out = np.mean(x, axis=(2, 3))\n    cache = x\n"),
                ("    N, C, H, W = cache\n    dx = np.broadcast_to(dout[:, :, None, None] / (H * W), (N, C, H, W)).copy()\n",
                 "    H, W = cache.shape[2:]\n    dx = np.ones_like(cache) * dout[:, :, np.newaxis, np.newaxis] / (H * W)\n")),
    alternative("conv_output_size", "divmod, validity checked on the result",
                ("    span = in_size + 2 * pad - kernel_size\n"
                 "    if span < 0 or span % stride != 0:\n",
                 "    steps, rest = divmod(in_size + 2 * pad - kernel_size, stride)\n"
                 "    span = steps * stride\n"
                 "    if rest or 1 + steps < 1:\n")),
    alternative("conv_param_count", "one expression with int(bias)",
                ("    count = out_channels * in_channels * kernel_h * kernel_w\n    if bias:\n        count += out_channels\n",
                 "    count = out_channels * (in_channels * kernel_h * kernel_w + int(bias))\n")),
    alternative("receptive_field", "from the output back: r = s * (r - 1) + (k - 1) * d + 1, layer by layer",
                (RF_BODY, "    for layer in layers:\n" + RF_LAYER + RF_CHECK),
                ("        r += (kernel_size - 1) * dilation * jump\n        jump *= stride\n    return r\n",
                 "    r = 1\n    for kernel_size, stride, *rest in reversed(layers):\n"
                 "        r = stride * (r - 1) + (kernel_size - 1) * (rest[0] if rest else 1) + 1\n    return r\n")),
    alternative("receptive_field", "numpy arrays of the columns and a cumulative product of the strides",
                (RF_BODY + "            raise ValueError",
                 "    if not layers:\n        return 1\n"
                 "    k = np.array([layer[0] for layer in layers])\n    s = np.array([layer[1] for layer in layers])\n"
                 "    d = np.array([layer[2] if len(layer) == 3 else 1 for layer in layers])\n"
                 "    if min(k.min(), s.min(), d.min()) < 1:\n        raise ValueError"),
                ("{tuple(layer)}: kernel_size", "{layers}: kernel_size"),
                (RF_STEP + "    return r\n",
                 "    jumps = np.concatenate([[1], np.cumprod(s)[:-1]])\n    return int(1 + np.sum((k - 1) * d * jumps))\n")),
    alternative("receptive_field", "math.prod of the strides before each layer",
                (RF_STEP, "        r += (kernel_size - 1) * dilation * math.prod(l[1] for l in layers[:i])\n"),
                ("    for layer in layers:\n" + RF_LAYER, "    import math\n\n    for i, layer in enumerate(layers):\n" + RF_LAYER)),
]
