"""Kernel cases shared by the simulator test (CUDA vs its CPU twin) and the PTX check.

Each case is (kernel name, args builder, indices of args to leave out of the comparison).
Builders return fresh NumPy arguments (the same array may appear twice, for in-place
kernels); every array argument is compared after both devices ran. Sizes stay at a few
hundred threads, because the simulator runs one Python thread per CUDA thread.
"""

import numpy as np

from nbkeras.backend.activation_codes import CODES, NEEDS_INPUT

F32 = np.float32
LO, HI = 1e-7, 1.0 - 1e-7


def _rng(seed=0):
    return np.random.default_rng(seed)


def _x(shape, lo=-3.0, hi=3.0, dtype=F32, seed=0):
    return _rng(seed).uniform(lo, hi, shape).astype(dtype)


_SPECIAL = (np.nan, np.inf, -np.inf, 0.0)  # Keras's NaN/inf rules must hold on both devices


def _special(x):
    x[:len(_SPECIAL)] = _SPECIAL
    return x


def _act_forward(code, dtype):
    return lambda: [_special(_x(48, dtype=dtype)), np.zeros(48, dtype), code, 0.3]


def _act_backward(code, dtype):
    def build():
        from nbkeras.backend import cpu

        z = _special(_x(48, dtype=dtype))
        g = _x(48, dtype=dtype, seed=1)
        z[5], g[5], g[6] = -1.0, np.nan, np.inf  # a NaN gradient where relu's output is 0
        y = np.zeros_like(z)
        cpu.act_forward(z, y, code, 0.3)
        return [g, z, y, np.zeros_like(z), code, 0.3]
    return build


def _bias_act(code, bias=True, alias=False):
    def build():
        z = _x((6, 8))
        b = _x(8, seed=1) if bias else np.zeros(0, F32)
        return [z, b, z if alias else np.zeros_like(z), code, 0.3]
    return build


def _bias_act_backward(code):
    def build():
        from nbkeras.backend import cpu

        z = _special(_x((6, 8)).reshape(-1)).reshape(6, 8)
        y = np.zeros_like(z)
        cpu.act_forward(z.reshape(-1), y.reshape(-1), code, 0.3)
        return [_x((6, 8), seed=1), z, y, np.zeros_like(z), np.zeros(8, F32), code, 0.3]
    return build


def _bias_act_weight_backward(code, write):
    def build():
        g, z, y, dz, gb, code_, alpha = _bias_act_backward(code)()
        z, y = np.nan_to_num(z), np.nan_to_num(y)  # finite: every weight gradient compared
        return [g, z, y, _x((6, 3), seed=2), dz if write else np.zeros((0, 8), F32),
                np.zeros((3, 8), F32), gb, code_, alpha]
    return build


def _softmax_backward(kind):
    def build():
        from nbkeras.backend import cpu

        x = _x((6, 5))
        y = np.zeros_like(x)
        getattr(cpu, f"{kind}_forward")(x, y)
        return [_x((6, 5), seed=1), y, np.zeros_like(x)]
    return build


_ATT = (2, 2, 3, 4)  # (B, N, T, S) logits


def _att_mask_bias(mask, bias):
    m = (_x(mask, 0.0, 1.0, seed=3) > 0.4).astype(np.uint8) if mask else np.zeros(
        (0, 0, 0, 0), np.uint8)
    if mask and mask[2] > 1:
        m[0, 0, 1] = 0  # a row with no key: uniform, no gradient
    b = _x(bias, seed=4) if bias else np.zeros((0, 0, 0, 0), F32)
    return m, b


def _att_forward(mask=None, bias=None, causal=False, alias=False):
    def build():
        x = _x(_ATT)
        m, b = _att_mask_bias(mask, bias)
        return [x, m, b, F32(0.6), causal, x if alias else np.zeros_like(x)]
    return build


def _att_backward(mask=None, causal=False, dbias=False, alias=False):
    def build():
        from nbkeras.backend import cpu

        m, b = _att_mask_bias(mask, None)
        p = np.zeros(_ATT, F32)
        cpu.attention_softmax_forward(_x(_ATT), m, b, F32(0.6), causal, p)
        g = _x(_ATT, seed=1)
        db = np.zeros(_ATT, F32) if dbias else np.zeros((0, 0, 0, 0), F32)
        return [g, p, m, F32(0.6), causal, g if alias else np.zeros_like(g), db]
    return build


def _ln_forward(affine):
    def build():
        x = _x((6, 5))
        g, b = (_x(5, seed=1), _x(5, seed=2)) if affine else (np.zeros(0, F32),) * 2
        return [x, g, b, 1e-3, np.zeros_like(x), np.zeros(6), np.zeros(6)]
    return build


def _ln_backward(affine):
    def build():
        from nbkeras.backend import cpu

        x = _x((6, 5))
        g = _x(5, seed=1) if affine else np.zeros(0, F32)
        mean, inv = np.zeros(6), np.zeros(6)
        cpu.layer_norm_forward(x, g, g, 1e-3, np.zeros_like(x), mean, inv)
        d = np.zeros(5, F32) if affine else np.zeros(0, F32)
        return [_x((6, 5), seed=3), x, g, mean, inv, np.zeros_like(x), d, d.copy()]
    return build


def _probs(shape, seed=0):
    p = _x(shape, 0.0, 1.0, seed=seed)
    p[0, 0], p[1, 1] = 0.0, 1.0  # clipped entries: zero gradient
    return p


def _loss(name, logits, backward):
    def build():
        n, m = 6, 4
        p = _x((n, m)) if logits else _probs((n, m))
        if name == "sparse_cce":
            t = _rng(2).integers(0, m, n)
        elif name == "bce":
            t = _x((n, m), 0.0, 1.0, seed=2)
        else:
            t = np.eye(m, dtype=F32)[_rng(2).integers(0, m, n)]
        out = np.zeros(n, F32) if not backward else np.zeros((n, m), F32)
        head = [_x(n, seed=3)] if backward else []
        tail = [] if name == "mse" else [LO, HI, logits]
        return head + [t, p, out] + tail
    return build


def _bn(kind):
    def build():
        n, c = 12, 5
        x, gamma, beta = _x((n, c)), _x(c, 0.5, 1.5, seed=1), _x(c, seed=2)
        mean, var = x.mean(0).astype(F32), x.var(0).astype(F32)
        if kind == "train":
            return [x, gamma, beta, 1e-3, np.zeros_like(x), np.zeros(c, F32), np.zeros(c, F32),
                    np.zeros(c, np.float64)]
        if kind == "infer":
            return [x, gamma, beta, mean, var, 1e-3, np.zeros_like(x)]
        inv_std = 1.0 / np.sqrt(var.astype(np.float64) + 1e-3)
        return [_x((n, c), seed=3), x, gamma, mean, inv_std, np.zeros_like(x),
                np.zeros(c, F32), np.zeros(c, F32)]
    return build


_N = 100


def _opt(scalars, slots=1, slot_lo=0.0, slot_scale=(1.0, 1.0, 1.0)):
    def build():
        var, grad = _x(_N), _x(_N, seed=1)
        extra = [_x(_N, slot_lo, 1.0, seed=10 + k) * F32(slot_scale[k]) for k in range(slots)]
        return [var, grad] + extra + [F32(s) if isinstance(s, float) else s for s in scalars]
    return build


def _out(size, k, s, d, p):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _conv(kind, shape, k, s, d, p):
    """k, s, d, p: (depth, height, width) kernel, strides, dilations and leading pads."""
    def build():
        n, c = shape[0], shape[4]
        o = [_out(shape[1 + a], k[a], s[a], d[a], p[a]) for a in range(3)]
        cols_shape = (n * o[0] * o[1] * o[2], k[0] * k[1] * k[2] * c)
        geometry = list(k) + list(s) + list(d) + list(p) + o
        if kind == "im2col":
            return [_x(shape), np.zeros(cols_shape, F32)] + geometry
        return [_x(cols_shape), np.zeros(shape, F32)] + geometry
    return build


def _pool_input(shape):
    """Random values with NaNs (first, middle and last of a window), +-inf and ties."""
    x = _x(shape)
    flat = x.reshape(-1)
    flat[[0, 7, 13]] = np.nan
    flat[[3, 20]] = np.inf, -np.inf
    flat[[9, 11]] = flat[10]  # ties go to the first
    return x


def _pool(kind, shape, k, s, p):
    """k, s, p: (depth, height, width) pool size, strides and leading pads."""
    def build():
        from nbkeras.backend import cpu

        x = _pool_input(shape)
        o = [(shape[1 + a] + 2 * p[a] - k[a]) // s[a] + 1 for a in range(3)]
        y = np.zeros((shape[0], *o, shape[4]), F32)
        geometry = list(k) + list(s) + list(p)
        if kind == "max_pool_forward":
            return [x, y, np.zeros(y.shape, np.int64)] + geometry
        if kind == "avg_pool_forward":
            return [x, y] + geometry
        g = _x(y.shape, seed=4)
        if kind == "max_pool_backward":
            arg = np.zeros(y.shape, np.int64)
            cpu.max_pool_forward(x, y, arg, *geometry)
            return [g, arg, np.zeros_like(x)]
        return [g, np.zeros_like(x)] + geometry
    return build


_B, _U = 3, 4
_MASK = np.array([1.0, 0.0, 1.0], F32)  # the middle row is a masked (padded) step


def _st(seed):
    return _x((_B, _U), -1.0, 1.0, seed=seed)


def _gates(k, seed, lo=-1.0, hi=1.0):
    return _x((_B, k, _U), lo, hi, seed=seed)


def _rnn(name, act=CODES["tanh"], ract=CODES["sigmoid"]):
    z = lambda *s: np.zeros(s or (_B, _U), F32)  # noqa: E731
    builders = {
        "simple_step_forward": lambda: [_st(0), _st(1), _st(2), _MASK, act, z()],
        "simple_step_backward": lambda: [_st(0), _st(1), _MASK, act, z(), z()],
        "lstm_step_forward": lambda: [_gates(4, 0), _gates(4, 1), _st(2), _st(3), _MASK, act, ract,
                                      z(_B, 4, _U), z(), z()],
        "lstm_step_backward": lambda: [_st(0), _st(1), _gates(4, 2, 0.05, 0.95), _st(3), _st(4),
                                       _MASK, act, ract, z(_B, 4, _U), z(), z(), z(3, _U)],
        "gru_step_forward": lambda: [_gates(3, 0), _gates(3, 1), _st(2), _MASK, act, ract,
                                     z(_B, 3, _U), z()],
        "gru_step_backward": lambda: [_st(0), _gates(3, 1, 0.05, 0.95), _gates(3, 2), _st(3), _MASK,
                                      act, ract, z(_B, 3, _U), z(_B, 3, _U), z()],
        "gru_zr_forward": lambda: [_gates(3, 0), _gates(2, 1), _st(2), ract, z(_B, 3, _U), z()],
        "gru_h_forward": lambda: [_gates(3, 0), _st(1), _st(2), _MASK, act, _gates(3, 3, 0.05, 0.95),
                                  z()],
        "gru_h_backward": lambda: [_st(0), _gates(3, 1, 0.05, 0.95), _st(2), _MASK, act, ract,
                                   z(_B, 3, _U), z()],
        "gru_zr_backward": lambda: [_st(0), _gates(3, 1, 0.05, 0.95), _st(2), ract, z(_B, 3, _U), z()],
    }
    return builders[name]


def _buckets(with_epsilon):
    def build():
        p = _x((10, 2), 0.0, 1.0)
        p[0, 0], p[1, 1], p[2, 0] = 0.0, 1.0, np.nan
        pos = (_rng(5).random((10, 2)) < 0.5).astype(F32)
        t = 5
        return [p, pos, 1.0 - pos, F32(t - 1), with_epsilon, np.zeros((t, 2)), np.zeros((t, 2)),
                np.zeros(2), np.zeros(2)]
    return build


def all_cases():
    """[(case id, kernel name, builder, skipped arg indices)]."""
    cases = []

    def add(cid, name, build, skip=()):
        cases.append((cid, name, build, skip))

    for act, code in CODES.items():
        add(f"act_forward-{act}", "act_forward", _act_forward(code, F32))
        add(f"act_backward-{act}", "act_backward", _act_backward(code, F32))
    add("act_forward-gelu-f64", "act_forward", _act_forward(CODES["gelu"], np.float64))
    add("act_backward-mish-f64", "act_backward", _act_backward(CODES["mish"], np.float64))
    for act in ("linear", "relu", "sigmoid", "gelu"):
        alias = CODES[act] not in NEEDS_INPUT
        add(f"bias_act_forward-{act}", "bias_act_forward", _bias_act(CODES[act], alias=alias))
    add("bias_act_forward-tanh-nobias", "bias_act_forward", _bias_act(CODES["tanh"], bias=False, alias=True))
    add("col_sum", "col_sum", lambda: [_x((10, 7)), np.zeros(7, F32)])
    for act in ("linear", "relu", "gelu"):
        add(f"bias_act_backward-{act}", "bias_act_backward", _bias_act_backward(CODES[act]))
        for write in (False, True):
            add(f"bias_act_weight_backward-{act}-{'dz' if write else 'nodz'}",
                "bias_act_weight_backward", _bias_act_weight_backward(CODES[act], write))
    for kind in ("softmax", "log_softmax"):
        add(f"{kind}_forward", f"{kind}_forward", lambda: [_x((6, 5)), np.zeros((6, 5), F32)])
        add(f"{kind}_backward", f"{kind}_backward", _softmax_backward(kind))
    for affine in (True, False):
        add(f"layer_norm_forward-{'affine' if affine else 'plain'}", "layer_norm_forward",
            _ln_forward(affine))
        add(f"layer_norm_backward-{'affine' if affine else 'plain'}", "layer_norm_backward",
            _ln_backward(affine))
    add("scatter_add_rows", "scatter_add_rows",  # repeated rows add up
        lambda: [np.array([3, 0, 3, 1, 3], np.int64), _x((5, 4)), _x((6, 4), seed=2)])
    add("scatter_add_rows-f64", "scatter_add_rows",
        lambda: [np.array([1, 1, 0], np.int32), _x((3, 2), dtype=np.float64),
                 np.zeros((2, 2), np.float64)])
    add("attention_softmax_forward", "attention_softmax_forward", _att_forward())
    add("attention_softmax_forward-mask-bias-causal-inplace", "attention_softmax_forward",
        _att_forward((2, 1, 3, 4), (1, 2, 1, 4), True, alias=True))
    add("attention_softmax_forward-keymask-bias", "attention_softmax_forward",
        _att_forward((2, 1, 1, 4), (2, 2, 3, 4)))
    add("attention_softmax_backward", "attention_softmax_backward", _att_backward())
    add("attention_softmax_backward-mask-causal-dbias-inplace", "attention_softmax_backward",
        _att_backward((2, 2, 3, 4), True, dbias=True, alias=True))
    for name in ("bce", "cce", "sparse_cce", "mse"):
        for logits in ((False,) if name == "mse" else (False, True)):
            for backward in (False, True):
                kname = f"{name}_{'backward' if backward else 'forward'}"
                add(f"{kname}-{'logits' if logits else 'probs'}", kname, _loss(name, logits, backward))
    add("batch_norm_train_forward", "batch_norm_train_forward", _bn("train"))
    add("batch_norm_infer_forward", "batch_norm_infer_forward", _bn("infer"))
    add("batch_norm_train_backward", "batch_norm_train_backward", _bn("backward"))
    add("sgd_update", "sgd_update", _opt([0.1], slots=0))
    for nesterov in (False, True):
        add(f"sgd_momentum_update-{nesterov}", "sgd_momentum_update", _opt([0.1, 0.9, nesterov]))
    for momentum, centered in ((0.0, False), (0.5, True)):
        add(f"rmsprop_update-{centered}", "rmsprop_update",
            _opt([0.01, 0.9, 0.1, momentum, 1e-7, centered], slots=3, slot_lo=0.5,
                 slot_scale=(1.0, 1.0, 0.1)))  # a small mean keeps v - a^2 positive
    for amsgrad in (False, True):
        add(f"adam_update-{amsgrad}", "adam_update", _opt([0.01, 0.1, 0.001, 1e-7, amsgrad], slots=3))
    add("adagrad_update", "adagrad_update", _opt([0.01, 1e-7]))
    add("adadelta_update", "adadelta_update", _opt([0.01, 0.95, 1e-7], slots=2))
    add("adamax_update", "adamax_update", _opt([0.01, 0.1, 0.9, 0.999, 1e-7], slots=2))
    add("nadam_update", "nadam_update", _opt([0.01, 0.9, 0.999, 1e-7, 0.5, 0.3, 1.1], slots=2))
    add("lion_update", "lion_update", _opt([0.01, 0.9, 0.99]))
    add("ftrl_update", "ftrl_update", _opt([0.01, 0.5, 0.01, 0.2, 0.1], slots=2, slot_lo=0.1))
    add("weight_decay_update", "weight_decay_update", lambda: [_x(_N), F32(0.004), F32(0.01)])
    for kind in ("im2col", "col2im"):
        add(f"{kind}-stride2-pad1", kind, _conv(kind, (1, 1, 5, 5, 2), (1, 3, 3), (1, 2, 2), (1, 1, 1), (0, 1, 1)))
        add(f"{kind}-dilated", kind, _conv(kind, (1, 1, 6, 6, 1), (1, 2, 2), (1, 1, 1), (1, 2, 2), (0, 0, 0)))
        add(f"{kind}-3d", kind, _conv(kind, (1, 4, 3, 4, 2), (2, 2, 3), (2, 1, 1), (1, 1, 1), (1, 0, 1)))
    for kind in ("max_pool_forward", "max_pool_backward", "avg_pool_forward", "avg_pool_backward"):
        add(f"{kind}-valid", kind, _pool(kind, (1, 1, 5, 5, 2), (1, 2, 2), (1, 2, 2), (0, 0, 0)))
        add(f"{kind}-same", kind, _pool(kind, (1, 1, 5, 5, 2), (1, 3, 3), (1, 2, 2), (0, 1, 1)))
        add(f"{kind}-3d", kind, _pool(kind, (1, 3, 4, 4, 1), (2, 2, 2), (1, 2, 2), (1, 0, 1)))
    for name in ("simple_step_forward", "simple_step_backward", "lstm_step_forward",
                 "lstm_step_backward", "gru_step_forward", "gru_step_backward", "gru_zr_forward",
                 "gru_h_forward", "gru_h_backward", "gru_zr_backward"):
        skip = (11,) if name == "lstm_step_backward" else ()  # the CPU kernel's scratch
        add(name, name, _rnn(name), skip)
    add("lstm_step_forward-relu-hard_sigmoid", "lstm_step_forward", _rnn("lstm_step_forward", CODES["relu"], CODES["hard_sigmoid"]))
    add("gru_step_backward-linear-hard_sigmoid", "gru_step_backward", _rnn("gru_step_backward", CODES["linear"], CODES["hard_sigmoid"]))
    for with_epsilon in (False, True):
        add(f"confusion_buckets-{with_epsilon}", "confusion_buckets", _buckets(with_epsilon))
    return cases
