"""Differentiable convolution and pooling ops, on im2col / pooling kernels.

Convolutions gather receptive fields with the `im2col` kernel and multiply in
BLAS (the device's `matmul`); the backward pass scatters with `col2im`. Arrays are NHWC
inside (NDHWC for 3D); 1D inputs run as images of height 1, and every rank runs on
the 3-D kernels (2-D inputs with a unit depth axis). A `Workspace` lets a layer reuse
its im2col buffer from one step to the next: a buffer is handed out again only
once the backward pass that needed it is gone.

Each op here is one call of `ops.core.op`: its array code runs in a forward function of
the arrays alone, and what the backward pass reads from the forward lives in a closure
cell that every forward call resets (which also lets go of the last step's buffer), so
a replayed training step (nbkeras/trainers/step_plan.py) reruns them as they are.
"""

import collections
import weakref

import numpy as np

from nbkeras import config
from nbkeras.backend import kernels as K
from nbkeras.backend.activation_codes import CODES as _CODES
from nbkeras.backend.activation_codes import NEEDS_INPUT as _NEEDS_INPUT
from nbkeras.ops.core import composite, op, unwrap
from nbkeras.ops.numpy import getitem


class _Token:
    __slots__ = ("__weakref__",)


class Workspace:
    """Scratch buffers of one layer, one per role, reused while their shape holds."""

    def __init__(self):
        self._bufs = {}

    def take(self, role, shape, dtype):
        """Return (buffer, token); the buffer stays reserved while the token lives."""
        dtype = np.dtype(dtype)
        entry = self._bufs.get(role)
        token = _Token()
        if entry is not None:
            buf, ref = entry
            if (buf.shape == shape and buf.dtype == dtype and ref() is None
                    and isinstance(buf, K.xp.ndarray)):  # not a buffer of another device
                self._bufs[role] = (buf, weakref.ref(token))
                return buf, token
        buf = K.xp.empty(shape, dtype)
        self._bufs[role] = (buf, weakref.ref(token))
        return buf, token

    def __deepcopy__(self, memo):
        return Workspace()

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self._bufs = {}


# The most bytes an im2col matrix may take; larger batches are processed in chunks.
WORKSPACE_BYTES = 64 * 2 ** 20
# On the CPU the forward im2col matrix is made a chunk of samples at a time too, so that
# it is still in the cache when its GEMM reads it (the backward pass gathers each chunk
# again for the kernel gradient: one more im2col, 0.4 ms, instead of a 17.8 MB matrix
# written out and read back twice on the benchmark CNN's second layer). 4 MiB took
# 6-7 % less CPU time per training epoch than the whole batch (alternating A/B epochs,
# bench/cnn.py's model, load 1.1-1.5 on 2 cores; wall time within the noise).
COLS_BYTES = {"cpu": 4 * 2 ** 20}
# On the CPU, the input gradient's column matrix is made and scattered back in chunks of
# samples, so that it stays in the cache between its GEMM and col2im (the whole batch's
# went out to memory and back). 4 MiB (30 of the benchmark CNN's second-layer samples):
# 768 KiB chunks (5 samples) made 26 GEMMs of 605 rows, each split in two blocks whose
# hand-off to the second lane cost more than the cache saved: the training step was
# 10-15 % slower in alternating A/B epochs (bench/cnn.py's model, load ~2 on 2 cores).
DCOLS_BYTES = {"cpu": 4 * 2 ** 20}


def _take(ws, role, shape, dtype):
    if ws is None:
        return K.xp.empty(shape, dtype), None
    return ws.take(role, shape, dtype)


def _tuple(v, n, name):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) != n:
        raise ValueError(f"`{name}` must be an int or a tuple of {n} ints. Received: {name}={v}")
    return v


def conv_output_padding(size, k, s, d, padding, what="the kernel"):
    """(output size, pad before, pad after) of one spatial axis, as Keras computes them."""
    keff = (k - 1) * d + 1
    if padding == "valid":
        if size is not None and size < keff:
            dil = f", after dilation {d}" if d > 1 else ""
            raise ValueError(
                f"The size of {what} ({keff}{dil}) is larger than the input's spatial size "
                f"({size}) with padding='valid'; use padding='same' or a larger input. "
                f"Received: input size={size}, window size={k}"
            )
        out = None if size is None else (size - keff) // s + 1
        return out, 0, 0
    if padding == "causal":
        out = None if size is None else (size - 1) // s + 1
        return out, keff - 1, 0
    if size is None:
        return None, 0, 0
    out = -(-size // s)
    total = max((out - 1) * s + keff - size, 0)
    return out, total // 2, total - total // 2


def _as_float(x):
    a = K.xp.asarray(unwrap(x))
    if a.dtype.kind != "f":
        a = a.astype(config.floatx())
    return a


def _depthwise_forward(c3, w3):
    """(rows, c, m) outputs from im2col rows (rows, kk, c) and weights (kk, c, m): one
    broadcast multiply-add per kernel tap and multiplier, on contiguous (rows, c) blocks."""
    rows, kk, c = c3.shape
    m = w3.shape[2]
    out = K.xp.empty((rows, c, m), c3.dtype)
    acc, tmp = K.xp.empty((rows, c), c3.dtype), K.xp.empty((rows, c), c3.dtype)
    for j in range(m):
        K.xp.multiply(c3[:, 0], w3[0, :, j], out=acc)
        for k in range(1, kk):
            acc += K.xp.multiply(c3[:, k], w3[k, :, j], out=tmp)
        out[:, :, j] = acc
    return out


def _depthwise_input_grad(d3, w3, dc3):
    """dc3[:, k, g] = sum_j d3[:, g, j] * w3[k, g, j]: the im2col rows' gradient."""
    m = w3.shape[2]
    tmp = K.xp.empty(dc3[:, 0].shape, dc3.dtype)
    for k in range(w3.shape[0]):
        K.xp.multiply(d3[:, :, 0], w3[k, :, 0], out=dc3[:, k])
        for j in range(1, m):
            dc3[:, k] += K.xp.multiply(d3[:, :, j], w3[k, :, j], out=tmp)


def _to_3d(shape, kernel_shape, *pairs):
    """A 4-D (NHWC) input shape and its kernel shape as 5-D (N, 1, H, W, C) ones, and the
    geometry pairs as triples (1 on the unit depth axis); 5-D shapes pass through."""
    if len(shape) == 5:
        return (tuple(shape), tuple(kernel_shape)) + pairs
    fill = tuple((1,) + tuple(p) if p is not None else None for p in pairs)
    return (tuple(shape[:1]) + (1,) + tuple(shape[1:]), (1,) + tuple(kernel_shape)) + fill


def _as_5d(xa):
    """A view of a 4-D (NHWC) array as a 5-D one with a unit depth axis (5-D passes)."""
    return xa if xa.ndim == 5 else xa[:, None]


def _conv_input(x, w):
    """The input as a contiguous float array of the kernel's dtype."""
    xa = _as_float(x)
    if xa.dtype != w.dtype:
        xa = xa.astype(w.dtype)
    return K.xp.ascontiguousarray(xa)


# What a convolution op binds when it is made (shapes and settings only, so that a
# replayed step refreshes nothing): the im2col geometry, the chunking and the kernel path.
_ConvPlan = collections.namedtuple("_ConvPlan", (
    "in_shape", "out_shape", "n", "per", "o", "c", "kk", "cg", "groups", "chunk", "geometry",
    "pointwise", "depthwise", "code", "alpha"))


def conv_channels_last(x, kernel, bias=None, strides=(1, 1), padding="valid",
                       dilation_rate=(1, 1), groups=1, workspace=None, activation="linear",
                       alpha=0.0):
    """activation(convolution of NHWC or NDHWC `x` with a (*K, C/groups, O) kernel + bias).

    Every rank runs as a 3-D convolution (2-D inputs with a unit depth axis). The im2col
    matrix covers as many samples as fit in `WORKSPACE_BYTES` (on the CPU `COLS_BYTES`) at
    once; when the whole batch fits, it is kept for the backward pass, otherwise the
    backward pass rebuilds it chunk by chunk, so memory stays bounded for any batch size.
    One call of `ops.core.op`: what its backward pass reads from the forward (the im2col
    matrix, the pre-activation) lives in a closure cell that each forward call resets, so
    a replayed training step can rerun it.

    Args:
        x: (N, H, W, C) or (N, D, H, W, C) input.
        kernel: (KH, KW, C // groups, O) or (KD, KH, KW, C // groups, O) weights.
        bias: (O,) or None.
        strides / dilation_rate: one int per spatial axis.
        padding: `'valid'`, `'same'` or `'causal'` (causal pads the width axis on the left).
        groups: the number of channel groups.
        workspace: an optional `Workspace` whose im2col buffers are reused.
        activation: a name of the fused activation table (`'relu'`, ...), applied with the
            bias in one pass over the output; its gradient is folded into the backward
            pass the same way.
        alpha: the activation's parameter (leaky_relu's slope, elu's scale).

    Example:
        >>> conv_channels_last(np.ones((1, 4, 4, 2), "float32"),
        ...                    np.ones((3, 3, 2, 5), "float32")).shape
        (1, 2, 2, 5)
    """
    code = _CODES[activation]
    w = unwrap(kernel)
    xs = np.shape(unwrap(x))
    x5s, wshape, (sd, sh, sw), (dd, dh, dw) = _to_3d(xs, w.shape, strides, dilation_rate)
    n, dep, h, wd, c = x5s
    kd, kh, kw, cg, o = wshape
    pad_hd = "valid" if padding == "causal" else padding
    od, pf, _ = conv_output_padding(dep, kd, sd, dd, pad_hd)
    oh, pt, _ = conv_output_padding(h, kh, sh, dh, pad_hd)
    ow, pl, _ = conv_output_padding(wd, kw, sw, dw, padding)
    kk = kd * kh * kw
    per = od * oh * ow  # im2col rows per sample
    plan = _ConvPlan(
        in_shape=tuple(xs), out_shape=(n, od, oh, ow, o) if len(xs) == 5 else (n, oh, ow, o),
        n=n, per=per, o=o, c=c, kk=kk, cg=cg, groups=groups,
        chunk=max(1, min(n, min(WORKSPACE_BYTES, COLS_BYTES.get(K.name, WORKSPACE_BYTES))
                         // max(1, per * kk * c * w.dtype.itemsize))),
        geometry=(kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow),
        # A 1x1 kernel at stride 1 without padding: im2col would be a plain copy of x.
        pointwise=kk == 1 and (od, oh, ow, pf, pt, pl) == (dep, h, wd, 0, 0, 0) and groups == 1,
        # One input channel per group (DepthwiseConv): kk broadcast multiply-adds on the
        # im2col rows beat regrouping them for many tiny matrix products.
        depthwise=groups > 1 and cg == 1, code=code, alpha=alpha)
    state = None  # what the backward pass reads from the last forward

    def forward(xp, x, w, b):
        nonlocal state
        state = None  # let go of the last step's buffers before this one takes them
        out, state = _conv_forward(plan, workspace, x, w, b)
        return out

    def backward(xp, g, needs, arrays, out):
        return _conv_backward(plan, workspace, state, arrays[1], g, needs)

    return op("conv_channels_last", forward, (x, kernel, bias), backward)


def _conv_weights(p, w):
    """(the kernel as im2col's (kk * c, o) matrix or (groups, kk * cg, og) stack, and the
    depthwise path's (kk, c, m) view)."""
    g_, og = p.groups, p.o // p.groups
    if g_ == 1:
        w2 = w.reshape(p.kk * p.c, p.o)
    else:
        w2 = w.reshape(p.kk, p.cg, g_, og).transpose(2, 0, 1, 3).reshape(g_, p.kk * p.cg, og)
    return w2, (w.reshape(p.kk, p.c, og) if p.depthwise else None)


def _gather(p, ws, x5, lo, hi, role):
    """(im2col rows of samples lo:hi, the same regrouped per channel group, buffer token)."""
    per, kk, c, g_ = p.per, p.kk, p.c, p.groups
    if p.pointwise:
        cols = x5[lo:hi].reshape((hi - lo) * per, c)
        return cols, cols, None
    buf, tok = _take(ws, role, (p.chunk * per, kk * c), x5.dtype)
    cols = buf[:(hi - lo) * per]  # the last chunk may be shorter: leading rows
    K.im2col(x5[lo:hi], cols, *p.geometry)
    if g_ == 1 or p.depthwise:
        return cols, cols, tok
    mc = (hi - lo) * per
    return cols, cols.reshape(mc, kk, g_, p.cg).transpose(2, 0, 1, 3).reshape(
        g_, mc, kk * p.cg), tok


def _conv_forward(p, ws, x, w, bias):
    """(the convolution's output, what its backward pass needs)."""
    xa = _conv_input(x, w)
    x5 = _as_5d(xa)
    n, per, o, kk, c, chunk = p.n, p.per, p.o, p.kk, p.c, p.chunk
    w2, w3 = _conv_weights(p, w)
    y = K.xp.empty((n * per, o), xa.dtype)
    kept = None
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        cols, colsg, tok = _gather(p, ws, x5, lo, hi, "cols")
        rows = slice(lo * per, hi * per)
        if p.groups == 1:
            K.matmul(cols, w2, out=y[rows])
        elif p.depthwise:
            y[rows] = _depthwise_forward(cols.reshape(-1, kk, c), w3).reshape(-1, o)
        else:
            y[rows] = K.matmul(colsg, w2).transpose(1, 0, 2).reshape(-1, o)
        if chunk >= n:
            kept = (cols, colsg, tok)  # the whole batch: keep it for the backward pass
        tok = None  # release the buffer before the next chunk takes it
    z = y  # the pre-activation, kept apart only when the derivative needs it
    if p.code != 0 or bias is not None:
        b = K.xp.zeros(0, y.dtype) if bias is None else bias
        if p.code in _NEEDS_INPUT:
            y = K.xp.empty_like(z)
        K.bias_act_forward(z, b, y, p.code, p.alpha)
    return y.reshape(p.out_shape), (x5, w2, w3, kept, z, y)


def _conv_backward(p, ws, state, w, gy, needs):
    """The gradients (input, kernel, bias) of `_conv_forward`'s output."""
    x5, w2, w3, kept, z, y = state
    n, per, o, kk, c, chunk, g_ = p.n, p.per, p.o, p.kk, p.c, p.chunk, p.groups
    og = o // g_
    dy = K.xp.ascontiguousarray(gy, dtype=y.dtype).reshape(n * per, o)
    gb = K.xp.empty(o, dy.dtype) if needs[2] else None
    gx = K.xp.empty(x5.shape, y.dtype) if needs[0] else None
    gw = None
    # A thin kernel (kk * c < o: a first layer's 9 x 32) whose column matrix was kept:
    # the activation's derivative, the bias and the kernel gradient in one pass over dy.
    thin = needs[1] and kept is not None and g_ == 1 and kk * c < o
    if thin:
        dz = K.xp.empty((n * per if needs[0] else 0, o), y.dtype)
        gw = K.xp.empty(w.shape, y.dtype)
        K.bias_act_weight_backward(dy, z, y, kept[0], dz, gw.reshape(kk * c, o),
                                   K.xp.empty(o, y.dtype) if gb is None else gb, p.code,
                                   p.alpha)
        dy = dz
    elif needs[2] and p.code == 0:
        K.col_sum(dy, gb)
    elif needs[2]:  # the bias gradient with the activation's derivative: one pass over dy
        dz = K.xp.empty_like(y)
        K.bias_act_backward(dy, z, y, dz, gb, p.code, p.alpha)
        dy = dz
    elif p.code != 0:
        dz = K.xp.empty_like(y)
        K.act_backward(dy.reshape(-1), z.reshape(-1), y.reshape(-1), dz.reshape(-1), p.code,
                       p.alpha)
        dy = dz
    if needs[1] and not thin:
        gw = K.xp.zeros(w.shape, y.dtype)
    wt = []  # the kernel matrix's transpose, C-contiguous, made once when first wanted

    def sparse_wt():
        if not wt:
            wt.append(K.xp.ascontiguousarray(w2.T))
        return wt[0]

    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        mc = (hi - lo) * per
        d = dy[lo * per:hi * per]
        if needs[1] and not thin:
            cols, colsg, tok = kept if kept is not None else _gather(p, ws, x5, lo, hi, "cols")
            if g_ == 1 and kk * c < o:
                # a thin (kk*c, rows) @ (rows, o) product (a first layer's 9 x 86528 @
                # 86528 x 32): BLAS runs the transposed one 20 % faster
                gw += K.matmul(d.T, cols).T.reshape(w.shape)
            elif g_ == 1:
                gw += K.matmul(cols.T, d).reshape(w.shape)
            elif p.depthwise:
                c3, d3 = cols.reshape(mc, kk, c), d.reshape(mc, c, og)
                gw += K.xp.stack([K.xp.einsum("pg,pgj->gj", c3[:, k], d3)
                                for k in range(kk)]).reshape(w.shape)
            else:
                dg = d.reshape(mc, g_, og).transpose(1, 0, 2)
                part = K.matmul(colsg.transpose(0, 2, 1), dg)
                gw += part.reshape(g_, kk, p.cg, og).transpose(1, 2, 0, 3).reshape(w.shape)
            tok = None
        if needs[0] and p.pointwise:
            K.matmul(d, w2.T, out=gx[lo:hi].reshape(mc, c))
        elif needs[0] and g_ == 1 and K.sparse_col2im(
                d, sparse_wt(), gx[lo:hi], *p.geometry):
            pass  # a sparse d (after a max pool's backward): its nonzeros alone
        elif needs[0] and g_ == 1:
            sub = max(1, min(hi - lo, DCOLS_BYTES.get(K.name, WORKSPACE_BYTES)
                             // max(1, per * kk * c * y.itemsize)))
            buf, tk = _take(ws, "dcols", (sub * per, kk * c), y.dtype)
            for a in range(lo, hi, sub):
                b_ = min(hi, a + sub)
                dcols = buf[:(b_ - a) * per]
                K.matmul(dy[a * per:b_ * per], w2.T, out=dcols)
                K.col2im(dcols, gx[a:b_], *p.geometry)
            tk = buf = dcols = None
        elif needs[0]:
            if p.depthwise:
                buf, tk = _take(ws, "dcols", (chunk * per, kk * c), y.dtype)
                dcols = buf[:mc]
                _depthwise_input_grad(d.reshape(mc, c, og), w3, dcols.reshape(mc, kk, c))
            else:
                dg = d.reshape(mc, g_, og).transpose(1, 0, 2)
                dcols = K.xp.ascontiguousarray(K.matmul(dg, w2.transpose(0, 2, 1)).reshape(
                    g_, mc, kk, p.cg).transpose(1, 2, 0, 3).reshape(mc, kk * c))
            K.col2im(dcols, gx[lo:hi], *p.geometry)
            tk = buf = dcols = None
    return (None if gx is None else gx.reshape(p.in_shape)), gw, gb


def conv_transpose_geometry(size, k, s, d, padding, output_padding=None):
    """(output size, im2col pad before) of a transposed convolution, as Keras/JAX compute them."""
    keff = (k - 1) * d + 1
    if padding == "valid":
        op = max(keff, s) - keff if output_padding is None else output_padding
        left, right = keff - 1, keff - 1 + op
    else:
        pad_len = s + keff - 2 if output_padding is None else keff + keff % 2 - 2 + output_padding
        left = min(pad_len // 2 + pad_len % 2, keff - 1)
        right = pad_len - left
    out = None if size is None else (size - 1) * s + left + right - keff + 2
    return out, keff - 1 - left


def conv_transpose_channels_last(x, kernel, bias=None, strides=(1, 1), padding="valid",
                                 output_padding=None, dilation_rate=(1, 1), workspace=None):
    """Transposed convolution (the adjoint of `conv_channels_last`) of NHWC or NDHWC `x`:
    one call of `ops.core.op`, whose forward and backward depend on nothing but their
    arguments and the geometry bound here.

    Args:
        x: (N, H, W, C) or (N, D, H, W, C) input.
        kernel: (*K, O, C) weights, Keras's Conv2DTranspose/Conv3DTranspose layout.
        bias: (O,) or None.
        strides / dilation_rate: one int per spatial axis.
        output_padding: None or one int (or None) per spatial axis.
        workspace: an optional `Workspace` whose column buffers are reused.

    Example:
        >>> conv_transpose_channels_last(np.ones((1, 2, 2, 3), "float32"),
        ...                              np.ones((3, 3, 4, 3), "float32"), strides=(2, 2)).shape
        (1, 5, 5, 4)
    """
    w = unwrap(kernel)
    xs = tuple(np.shape(unwrap(x)))
    ops_ = (None,) * (len(xs) - 2) if output_padding is None else tuple(output_padding)
    if len(xs) == 4:
        ops_ = (None,) + ops_
    x5s, wshape, s3, d3 = _to_3d(xs, w.shape, strides, dilation_rate)
    n, dep, h, wd, c = x5s
    kd, kh, kw, o, _ = wshape
    outs, pads = zip(*[conv_transpose_geometry(size, k, s, d, padding, p) for size, k, s, d, p
                       in zip((dep, h, wd), (kd, kh, kw), s3, d3, ops_)])
    if len(xs) == 4:
        outs, pads = (1,) + outs[1:], (0,) + pads[1:]
    geometry = (kd, kh, kw) + tuple(s3) + tuple(d3) + tuple(pads) + (dep, h, wd)
    kk = kd * kh * kw
    m = n * dep * h * wd
    y5_shape = (n,) + tuple(outs) + (o,)
    plan = (xs, y5_shape, geometry, kk, m, o, c)

    def forward(xp, x, w, b):
        return _conv_transpose_forward(plan, workspace, x, w, b)

    def backward(xp, g, needs, arrays, out):
        return _conv_transpose_backward(plan, workspace, arrays, g, needs)

    return op("conv_transpose_channels_last", forward, (x, kernel, bias), backward)


def _conv_transpose_forward(plan, ws, x, w, bias):
    xs, y5_shape, geometry, kk, m, o, c = plan
    xa = _conv_input(x, w)
    w2 = w.reshape(kk * o, c)
    x2 = xa.reshape(m, c)
    cols, tk = _take(ws, "cols", (m, kk * o), xa.dtype)
    K.matmul(x2, w2.T, out=cols)
    y5 = K.xp.empty(y5_shape, xa.dtype)
    K.col2im(cols, y5, *geometry)
    del tk
    if bias is not None:
        y5 += bias
    return y5 if len(xs) == 5 else y5[:, 0]


def _conv_transpose_backward(plan, ws, arrays, gy, needs):
    xs, y5_shape, geometry, kk, m, o, c = plan
    x, w = arrays[0], arrays[1]
    dtype = w.dtype
    g = K.xp.ascontiguousarray(gy, dtype=dtype).reshape(y5_shape)
    gx = gw = gb = None
    if needs[0] or needs[1]:
        gcols, tk2 = _take(ws, "dcols", (m, kk * o), dtype)
        K.im2col(g, gcols, *geometry)
        if needs[0]:
            gx = K.matmul(gcols, w.reshape(kk * o, c)).reshape(xs)
        if needs[1]:
            gw = K.matmul(gcols.T, _conv_input(x, w).reshape(m, c)).reshape(w.shape)
    if needs[2]:
        gb = K.xp.empty(o, g.dtype)
        K.col_sum(g.reshape(-1, o), gb)
    return gx, gw, gb


def _pool(x, pool_size, strides, padding, kind):
    xs = tuple(np.shape(unwrap(x)))
    x5s, _, (kd, kh, kw), (sd, sh, sw) = _to_3d(xs, (), pool_size, strides)
    n, dep, h, wd, c = x5s
    od, pf, _ = conv_output_padding(dep, kd, sd, 1, padding, "the pool")
    oh, pt, _ = conv_output_padding(h, kh, sh, 1, padding, "the pool")
    ow, pl, _ = conv_output_padding(wd, kw, sw, 1, padding, "the pool")
    geometry = (kd, kh, kw, sd, sh, sw, pf, pt, pl)
    y5_shape = (n, od, oh, ow, c)
    arg = None  # the max pool's argmax, from the last forward

    def forward(xp, x):
        nonlocal arg
        arg = None
        x5 = _as_5d(K.xp.ascontiguousarray(_as_float(x)))
        y5 = K.xp.empty(y5_shape, x5.dtype)
        if kind == "max":
            arg = K.xp.empty(y5_shape, np.int64)
            K.max_pool_forward(x5, y5, arg, *geometry)
        else:
            K.avg_pool_forward(x5, y5, *geometry)
        return y5 if len(xs) == 5 else y5[:, 0]

    def backward(xp, g, needs, arrays, out):
        gx = K.xp.empty(x5s, out.dtype)
        g5 = K.xp.ascontiguousarray(g, dtype=out.dtype).reshape(y5_shape)
        if kind == "max":
            K.max_pool_backward(g5, arg, gx)
        else:
            K.avg_pool_backward(g5, gx, *geometry)
        return (gx.reshape(xs),)

    return op(f"{kind}_pool_channels_last", forward, (x,), backward)


def max_pool_channels_last(x, pool_size, strides, padding="valid"):
    """Max pooling of NHWC or NDHWC `x` over `pool_size` windows (differentiable).

    Args:
        x: (N, H, W, C) or (N, D, H, W, C) input.
        pool_size / strides: one int per spatial axis.
        padding: `'valid'` or `'same'`.

    Example:
        >>> max_pool_channels_last(np.ones((1, 4, 4, 2)), (2, 2), (2, 2)).shape
        (1, 2, 2, 2)
    """
    return _pool(x, pool_size, strides, padding, "max")


def average_pool_channels_last(x, pool_size, strides, padding="valid"):
    """Average pooling of NHWC or NDHWC `x`; padded positions are left out of each mean.

    Args:
        x, pool_size, strides, padding: as in `max_pool_channels_last`.

    Example:
        >>> average_pool_channels_last(np.ones((1, 4, 4, 2)), (2, 2), (2, 2)).shape
        (1, 2, 2, 2)
    """
    return _pool(x, pool_size, strides, padding, "avg")


def pad_spatial(x, pads):
    """Zero-pad `x` by `pads` ((before, after) per axis), differentiable.

    Args:
        x: an array.
        pads: one (before, after) pair of ints per axis of `x`.

    Example:
        >>> pad_spatial(np.ones((1, 2, 1)), ((0, 0), (1, 1), (0, 0))).shape
        (1, 4, 1)
    """
    pads = tuple(tuple(int(a) for a in p) for p in pads)
    idx = tuple(slice(b, b + s) for (b, _), s in zip(pads, np.shape(unwrap(x))))
    return op("pad_spatial", lambda xp, a: K.xp.pad(K.xp.asarray(a), pads), (x,),
              lambda xp, g, needs, arrays, out: (K.xp.ascontiguousarray(g[idx]),))


def crop_spatial(x, crops):
    """Crop `x` by `crops` ((before, after) per axis), differentiable (a `getitem`).

    Args:
        x, crops: as `pad_spatial`'s `x` and `pads`, the entries to remove.

    Example:
        >>> crop_spatial(np.ones((1, 4, 1)), ((0, 0), (1, 2), (0, 0))).shape
        (1, 1, 1)
    """
    return getitem(x, tuple(slice(b, s - a) for (b, a), s in zip(crops, np.shape(unwrap(x)))))


def repeat_axis(x, repeats, axis):
    """Repeat each entry of `x` `repeats` times along `axis` (np.repeat), differentiable.

    Args:
        x: an array.
        repeats: an int.
        axis: the axis to repeat along.

    Example:
        >>> repeat_axis(np.ones((2, 3)), 2, 1).shape
        (2, 6)
    """
    xs = tuple(np.shape(unwrap(x)))
    shape = xs[:axis] + (xs[axis], repeats) + xs[axis + 1:]

    def backward(xp, g, needs, arrays, out):
        return (K.xp.asarray(g).reshape(shape).sum(axis=axis + 1),)

    return op("repeat_axis", lambda xp, a: K.xp.repeat(K.xp.asarray(a), repeats, axis=axis),
              (x,), backward)


# ------------------------------------------------------------ Keras-named ops
def to_nhwc(x, data_format, rank):
    """Return (x as a channels_last array with at least 2 spatial axes, restore function).

    1-D inputs gain a unit height axis; 2-D and 3-D ones keep their rank.
    """
    from nbkeras import ops

    if data_format == "channels_first":
        perm = (0,) + tuple(range(2, rank + 2)) + (1,)
        x = ops.transpose(x, perm)
    if rank == 1:
        x = ops.expand_dims(x, 1)

    def back(y):
        if rank == 1:
            y = ops.squeeze(y, 1)
        if data_format == "channels_first":
            y = ops.transpose(y, (0, rank + 1) + tuple(range(1, rank + 1)))
        return y

    return x, back


def _geometry(value, rank, name):
    """One int per spatial axis, with the unit height axis of 1-D inputs prepended."""
    t = _tuple(value, rank, name)
    return (1,) + t if rank == 1 else t


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Keras's `ops.conv` for 1D, 2D and 3D inputs (kernel (*k, C, O)).

    Example:
        >>> ops.conv(np.ones((1, 5, 2), "float32"), np.ones((3, 2, 4), "float32")).shape
        (1, 3, 4)
    """
    def run(inputs, kernel):
        return _conv(inputs, kernel, strides, padding, data_format, dilation_rate)

    return composite("conv", run, (inputs, kernel),
                     {"strides": strides, "padding": padding, "data_format": data_format,
                      "dilation_rate": dilation_rate})


def _conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    rank = np.ndim(unwrap(inputs)) - 2
    x, back = to_nhwc(inputs, data_format or "channels_last", rank)
    k = kernel
    if rank == 1:
        from nbkeras import ops
        k = ops.expand_dims(kernel, 0)
    s = _geometry(strides, rank, "strides")
    d = _geometry(dilation_rate, rank, "dilation_rate")
    c = x.shape[-1]
    groups = c // unwrap(k).shape[-2]
    return back(conv_channels_last(x, k, None, s, padding.lower(), d, groups))


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Keras's `ops.max_pool` for 1D, 2D and 3D inputs."""
    def run(inputs):
        return _max_pool(inputs, pool_size, strides, padding, data_format)

    return composite("max_pool", run, (inputs,),
                     {"pool_size": pool_size, "strides": strides, "padding": padding,
                      "data_format": data_format})


def _max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool_op(inputs, pool_size, strides, padding, data_format, max_pool_channels_last)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Keras's `ops.average_pool` for 1D, 2D and 3D inputs."""
    def run(inputs):
        return _average_pool(inputs, pool_size, strides, padding, data_format)

    return composite("average_pool", run, (inputs,),
                     {"pool_size": pool_size, "strides": strides, "padding": padding,
                      "data_format": data_format})


def _average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool_op(inputs, pool_size, strides, padding, data_format, average_pool_channels_last)


def _pool_op(inputs, pool_size, strides, padding, data_format, fn):
    rank = np.ndim(unwrap(inputs)) - 2
    x, back = to_nhwc(inputs, data_format or "channels_last", rank)
    p = _geometry(pool_size, rank, "pool_size")
    s = p if strides is None else _geometry(strides, rank, "strides")
    return back(fn(x, p, s, padding.lower()))
