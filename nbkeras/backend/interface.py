"""The device contract: every name a device exports, with its signature and rules.

A device (`nbkeras.backend.cpu`, later `nbkeras.backend.cuda`) is an object, usually a
module, whose `__all__` is exactly `NAMES` and on which each name resolves. Ops,
layers, losses and optimizers reach arrays, math and kernels only through the active
device (`nbkeras.backend.device()`), never through NumPy or a device package directly.

Rules every kernel follows (a device may not relax them):

- Outputs are preallocated by the caller, C-contiguous, and written in place; a kernel
  returns None unless its entry below says otherwise.
- Inputs are C-contiguous device arrays (`asarray` makes one); float kernels take
  float32 or float64, and every float argument of one call shares one dtype. Scalars
  (learning rates, epsilons) are Python floats or NumPy scalars of that dtype.
- Integer arguments named `code` or `act`/`ract` are activation codes of
  `nbkeras.backend.activation_codes.CODES` (one table for every kernel).
- Index arrays (`arg`, sparse labels) are int32 or int64.

Example:
    >>> from nbkeras.backend import device, interface
    >>> sorted(interface.NAMES) == sorted(device().__all__)
    True
"""

# Array primitives: how ops make and combine device arrays.
ARRAYS = {
    "name": "str: the device's name, the key it is registered under ('cpu').",
    "xp": "the array namespace (NumPy on the CPU); provides at least XP_FUNCTIONS.",
    "asarray": "asarray(x, dtype=None) -> device array (no copy when x already is one).",
    "to_numpy": "to_numpy(x) -> numpy.ndarray on the host (a copy only when needed).",
    "empty": "empty(shape, dtype) -> uninitialized C-contiguous device array.",
    "empty_like": "empty_like(x, dtype=None) -> uninitialized array shaped like x.",
    "zeros": "zeros(shape, dtype) -> C-contiguous device array of zeros.",
    "matmul": "matmul(a, b, out=None) -> a @ b, batched like numpy.matmul; every GEMM above "
              "the backend goes through it (on the CPU: single-threaded BLAS in blocks fixed "
              "by the shape, so results never depend on the load).",
    "prefetch": "prefetch(batches) -> iterable of the same batches (nested tuples, lists and "
                "dicts) with their NumPy arrays as device arrays; batch k+1's copy starts "
                "before batch k is yielded (the CPU returns `batches` itself).",
}

# Runtime hooks: compile cache and compile events (used by the first-fit notice).
RUNTIME = {
    "kernel_cache_dir": "kernel_cache_dir() -> folder holding the compiled kernels.",
    "kernel_cache_is_cold": "kernel_cache_is_cold() -> bool: the training kernels are not "
                            "compiled yet (the first fit will compile).",
    "on_kernel_compiled": "on_kernel_compiled(callback) -> stop(): call callback() after "
                          "each kernel compile until stop() is called.",
    "threads_for_load": "threads_for_load() -> context manager yielding resize() -> int|None: "
                        "while fit runs, size the device's host thread pools to the cores "
                        "other processes leave free (called per epoch); restored at exit.",
    "threads_for_inference": "threads_for_inference() -> context manager yielding the "
                             "thread count (or None): while predict / evaluate run, size the "
                             "device's host thread pools to the free cores, from load samples "
                             "shared by every call (at most one per 0.1 s); restored at exit.",
    "seed": "seed(value): seed the device's kernel RNG (dropout) with a non-negative int.",
}

# Limits: plain ints a device tunes to its costs.
LIMITS = {
    "flat_update_max_size": "int: optimizers keep up to this many parameters in one flat "
                            "buffer and update them with one kernel call per step (each step "
                            "copies the gradients into it, which must cost less than the "
                            "per-variable calls it saves).",
}

# Kernels: signature -> what it writes. Shapes: x (rows, cols) unless stated.
KERNELS = {
    # activations (x, out: same shape; alpha: the activation's float parameter)
    "act_forward": "act_forward(x, out, code, alpha): out = act(x).",
    "act_backward": "act_backward(g, z, y, out, code, alpha): out = g * act'(z) (y = act(z)).",
    "bias_act_forward": "bias_act_forward(z, b, y, code, alpha): z += b per row (b may be "
                        "empty), y = act(z); y may be z.",
    "col_sum": "col_sum(x, out): out[j] = sum over rows of x[:, j].",
    "bias_act_backward": "bias_act_backward(g, z, y, dz, gb, code, alpha): dz = g * act'(z) "
                         "(y = act(z); z may be y, dz may be g), gb[j] = sum over rows of "
                         "dz[:, j], in one pass.",
    "bias_act_weight_backward": "bias_act_weight_backward(g, z, y, a, dz, gw, gb, code, alpha): "
                                "as bias_act_backward, and gw = a.T @ dz for a thin a "
                                "(rows, k); dz is written only when it has rows.",
    # softmax over the last axis of 2-D arrays
    "softmax_forward": "softmax_forward(x, out).",
    "softmax_backward": "softmax_backward(g, y, out): out = y * (g - sum(g * y)).",
    "log_softmax_forward": "log_softmax_forward(x, out).",
    "log_softmax_backward": "log_softmax_backward(g, y, out): y is the log-softmax output.",
    # attention's softmax stage on (B, N, T, S) logits; mask uint8 and bias 4-D with axes
    # full or 1, (0, 0, 0, 0)-shaped for none; masked logits -> -0.7 * float32 max
    "attention_softmax_forward": "attention_softmax_forward(logits, mask, bias, scale, causal, "
                                 "probs): probs = softmax(where(mask, scale * logits + bias, "
                                 "-0.7 * max)) per row, causal forbidding s > t; probs may "
                                 "be logits.",
    "attention_softmax_backward": "attention_softmax_backward(g, probs, mask, scale, causal, "
                                  "out, dbias): out = scale * dz, dz = probs * (g - sum(g * "
                                  "probs)) zeroed where masked; dbias = dz when it has "
                                  "elements; out may be g.",
    # losses: out (rows,) per-sample loss; backward out shaped like p; lo/hi clip p
    "bce_forward": "bce_forward(t, p, out, lo, hi, from_logits).",
    "bce_backward": "bce_backward(g, t, p, out, lo, hi, from_logits).",
    "cce_forward": "cce_forward(t, p, out, lo, hi, from_logits).",
    "cce_backward": "cce_backward(g, t, p, out, lo, hi, from_logits).",
    "sparse_cce_forward": "sparse_cce_forward(t, p, out, lo, hi, from_logits): t int labels.",
    "sparse_cce_backward": "sparse_cce_backward(g, t, p, out, lo, hi, from_logits).",
    "mse_forward": "mse_forward(t, p, out).",
    "mse_backward": "mse_backward(g, t, p, out).",
    # batch normalization over rows of (rows, channels)
    "batch_norm_train_forward": "batch_norm_train_forward(x, gamma, beta, eps, y, mean, var, "
                                "inv_std).",
    "batch_norm_infer_forward": "batch_norm_infer_forward(x, gamma, beta, mean, var, eps, y).",
    "batch_norm_train_backward": "batch_norm_train_backward(g, x, gamma, mean, inv_std, dx, "
                                 "dgamma, dbeta).",
    # layer normalization over the last axis of (rows, c); gamma, beta, dgamma, dbeta (c,)
    # or empty (none); mean and inv_std (rows,) float64
    "layer_norm_forward": "layer_norm_forward(x, gamma, beta, eps, y, mean, inv_std).",
    "layer_norm_backward": "layer_norm_backward(g, x, gamma, mean, inv_std, dx, dgamma, "
                           "dbeta).",
    # convolution helpers and pooling on NDHWC arrays (2-D inputs as (N, 1, H, W, C))
    "im2col": "im2col(x, cols, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow).",
    "col2im": "col2im(cols, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow): "
              "dx accumulated.",
    # a convolution's input gradient from a sparse output gradient (after a max pool's
    # backward): dx = col2im(d @ wt) from d's nonzeros; False, having written nothing, when
    # the device leaves it to the op (the GEMM then `col2im`) or d is not sparse enough
    "sparse_col2im": "sparse_col2im(d, wt, dx, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, "
                     "od, oh, ow) -> bool: d (N*od*oh*ow, O), wt (O, kd*kh*kw*C).",
    "max_pool_forward": "max_pool_forward(x, y, arg, kd, kh, kw, sd, sh, sw, pf, pt, pl): arg "
                        "int flat index of each winner.",
    "max_pool_backward": "max_pool_backward(g, arg, dx).",
    "avg_pool_forward": "avg_pool_forward(x, y, kd, kh, kw, sd, sh, sw, pf, pt, pl).",
    "avg_pool_backward": "avg_pool_backward(g, dx, kd, kh, kw, sd, sh, sw, pf, pt, pl).",
    # row gather backward (Embedding): idx int 1-D, g (rows, cols), out (table rows, cols)
    "scatter_add_rows": "scatter_add_rows(idx, g, out): out[idx[i]] += g[i] for every row i "
                        "(repeated indices add up).",
    # dropout
    "dropout_forward": "dropout_forward(x, mask, out, rate, seed_value): mask and out like x.",
    # metrics
    "confusion_buckets": "confusion_buckets(y_pred, pos_w, neg_w, scale, with_epsilon, tp, fp, "
                         "total_pos, total_neg).",
    # optimizer updates on flat (1-D) views, all in place
    "sgd_update": "sgd_update(var, grad, lr).",
    "sgd_momentum_update": "sgd_momentum_update(var, grad, m, lr, momentum, nesterov).",
    "rmsprop_update": "rmsprop_update(var, grad, vel, mom, avg, lr, rho, one_minus_rho, "
                      "momentum, eps, centered).",
    "adam_update": "adam_update(var, grad, m, v, vhat, alpha, one_minus_beta_1, "
                   "one_minus_beta_2, eps, amsgrad).",
    "adagrad_update": "adagrad_update(var, grad, acc, lr, eps).",
    "adadelta_update": "adadelta_update(var, grad, acc_grad, acc_delta, lr, rho, eps).",
    "adamax_update": "adamax_update(var, grad, m, u, lr, bias, beta_1, beta_2, eps).",
    "nadam_update": "nadam_update(var, grad, m, v, lr, beta_1, beta_2, eps, c_m, c_g, c_v).",
    "lion_update": "lion_update(var, grad, m, lr, beta_1, beta_2).",
    "ftrl_update": "ftrl_update(var, grad, accum, linear, lr, neg_power, l1, two_l2, "
                   "two_shrinkage).",
    "weight_decay_update": "weight_decay_update(var, weight_decay, lr): var -= lr * wd * var.",
    # recurrent cells: states (batch, units); gate arrays (batch, gates, units); m (batch,)
    "simple_step_forward": "simple_step_forward(xp, r, hp, m, code, h).",
    "simple_step_backward": "simple_step_backward(dh, h, m, code, dz, dhp).",
    "lstm_step_forward": "lstm_step_forward(xp, r, hp, cp, m, act, ract, gates, h, c).",
    "lstm_step_backward": "lstm_step_backward(dh, dc, gates, c, cp, m, act, ract, dz, dhp, dcp, "
                          "work).",
    "gru_step_forward": "gru_step_forward(xp, r, hp, m, act, ract, gates, h).",
    "gru_step_backward": "gru_step_backward(dh, gates, r, hp, m, act, ract, dxp, dr, dhp).",
    "gru_zr_forward": "gru_zr_forward(xp, r, hin, ract, gates, rh): GRU, reset before matmul.",
    "gru_h_forward": "gru_h_forward(xp, rhp, hp, m, act, gates, h).",
    "gru_h_backward": "gru_h_backward(dh, gates, hp, m, act, ract, dxp, dhp).",
    "gru_zr_backward": "gru_zr_backward(drh, gates, hin, ract, dxp, dhin).",
    # a recurrent layer's whole time loop (kind 'simple', 'lstm' or 'gru' with the reset
    # gate after the matmul, no recurrent dropout): T steps, n rows, G gates (1, 4, 3);
    # unused arrays (c for simple / gru, gates for simple, bi or b when absent) have size 0.
    # Returns True, or False having written nothing when the device leaves the steps to
    # the op (which then calls the step kernels above one by one).
    "rnn_sequence_forward": "rnn_sequence_forward(kind, xp, bi, u, b, h, c, m, act, ract, "
                            "gates, r) -> bool: xp (T, n, G*units) input projections, to "
                            "which bi (G*units,), the input bias, is added (xp written); u "
                            "(units, G*units); b (G*units,) gru's recurrent bias; h, c (T+1, n, "
                            "units) with the initial states at [0], steps written to [1:]; m "
                            "(T, n); gates (T, n, G*units) written; r the recurrent "
                            "products, written: (T, n, 3*units) for gru, (n, G*units) "
                            "scratch otherwise.",
    "rnn_sequence_backward": "rnn_sequence_backward(kind, dh, dc, dout, ut, gates, r, h, c, m, "
                             "act, ract, dxp, dr) -> bool: dh, dc (n, units): the final "
                             "states' gradients in, the initial states' out; dout (T or 1, "
                             "n, units): every step's output gradient or the last step's; "
                             "ut (G*units, units) = u.T; gates, r, h, c, m as the forward "
                             "left them; dxp (T, n, G*units) written; dr (T, n, 3*units) "
                             "gru's recurrent-product gradients, written.",
}

NAMES = frozenset(ARRAYS) | frozenset(RUNTIME) | frozenset(LIMITS) | frozenset(KERNELS)

# What the ops take from `xp` (a test checks the ops use no other name and that every
# device's namespace has each; `add` must also have NumPy's `add.at`).
XP_FUNCTIONS = (
    "abs", "add", "all", "any", "arange", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctan2", "arctanh", "argmax", "argmin", "argsort", "array", "asarray",
    "ascontiguousarray", "broadcast_shapes", "broadcast_to", "cbrt", "ceil", "clip",
    "concatenate", "cos", "cosh", "count_nonzero", "cumprod", "cumsum", "diag", "diagonal",
    "einsum", "empty", "empty_like", "equal", "exp", "exp2", "expand_dims", "expm1", "eye",
    "fft", "flip", "floor", "floor_divide", "full", "full_like", "greater", "greater_equal",
    "hypot", "isclose", "isfinite", "isinf", "isnan", "less", "less_equal", "linspace", "log",
    "log10", "log1p", "log2", "logaddexp", "logical_and", "logical_not", "logical_or",
    "logical_xor", "matmul", "max", "maximum", "mean", "meshgrid", "min", "minimum", "mod",
    "moveaxis", "multiply", "nan_to_num", "ndarray", "negative", "nonzero", "not_equal",
    "ones", "ones_like", "pad", "power", "prod", "put_along_axis", "repeat", "reshape",
    "result_type", "roll",
    "round", "sign", "sin", "sinh", "split", "sqrt", "square", "squeeze", "stack", "subtract",
    "sum", "swapaxes", "take", "tan", "tile", "transpose", "tri", "tril", "triu",
    "true_divide", "trunc", "where", "zeros", "zeros_like",
    # the long tail of ops (all in CuPy too): linear algebra, integer and complex ops
    "allclose", "angle", "argpartition", "bincount", "bitwise_and", "bitwise_or",
    "bitwise_xor", "conjugate", "digitize", "fmax", "fmin", "fmod", "gcd", "i0", "imag",
    "invert", "isin", "isneginf", "isposinf", "isreal", "lcm", "ldexp", "left_shift", "linalg",
    "nanmax", "nanmin", "nextafter", "real", "right_shift", "searchsorted", "signbit", "sinc",
    "take_along_axis", "tanh",
)


def missing(device):
    """Names of the contract that `device` lacks or does not list, and extra names it lists.

    Args:
        device: a device object (a module with `__all__`).

    Returns:
        (missing, extra): sorted lists; both empty when the device keeps the contract.

    Example:
        >>> from nbkeras.backend import device
        >>> missing(device())
        ([], [])
    """
    listed = set(getattr(device, "__all__", ()))
    absent = {n for n in NAMES if n not in listed or not hasattr(device, n)}
    return sorted(absent), sorted(listed - NAMES)
