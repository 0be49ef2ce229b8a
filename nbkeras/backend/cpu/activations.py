"""Elementwise activation kernels, forward and backward, with an optional fused bias add.

Each activation has an integer code (see `CODES`); its value and derivative are the
shared formulas of `nbkeras.backend.formulas.activations`. Kernels read float arrays
and compute in float64 registers before storing in the output's dtype. NaN
propagates as in Keras (`relu(NaN)` is NaN), so NaN inputs show in the loss.
"""

import numpy as np
from numba import prange

from nbkeras.backend.activation_codes import CODES, NEEDS_INPUT  # noqa: F401
from nbkeras.backend.cpu import _parallel
from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.formulas import activations as formulas


@jit
def _act(v, code, alpha):
    return formulas.act(v, code, alpha)


@jit
def _dact(z, y, code, alpha):
    return formulas.dact(z, y, code, alpha)


# Each kernel has a serial and a parallel twin (`_parallel.run` picks one). The 2-D
# (bias) kernels share a body over a range of rows, which the parallel twin calls on
# row blocks of about `BLOCK` elements. The flat ones `prange` over elements with the
# serial body's one-line statements repeated: a shared body called per block from a
# prange loop ran 10-50x slower than either loop (Numba 0.68; its blocks did not
# vectorize). Each element is computed by the same expression from one thread, so the
# results are bit-identical whatever the thread count (tests/test_parallel_kernels.py).
BLOCK = 1 << 14


@jit
def _act_forward_range(x, out, code, alpha, lo, hi):  # code >= 2: ReLU/linear have their own
    for i in range(lo, hi):
        out[i] = _act(x[i], code, alpha)


@jit
def _act_backward_range(g, z, y, out, code, alpha, lo, hi):
    for i in range(lo, hi):
        out[i] = g[i] * _dact(z[i], y[i], code, alpha)


@jit
def _bias_act_forward_range(z, b, y, code, alpha, lo, hi):
    m = z.shape[1]
    has_bias = b.size > 0
    for i in range(lo, hi):
        for j in range(m):
            v = z[i, j] + b[j] if has_bias else z[i, j]
            z[i, j] = v
            y[i, j] = _act(v, code, alpha)


# The serial twins are plain Python calls of the range kernels (which the fused step
# calls too): as Numba wrappers, each one was a second compile on a cold kernel cache
# (about 0.2 s each) and a second cache load on a warm one.

# Linear and ReLU, the activations of most first models, get kernels of their own that
# never call `_act` / `_dact`: a cold kernel cache then compiles neither (about 0.5 s of
# the first fit), and the general kernels below only see codes >= 2.


@jit
def _relu_forward_range(x, out, code, lo, hi):
    if code == 1:
        for i in range(lo, hi):
            v = x[i]
            out[i] = 0 if v <= 0 else v
    else:
        for i in range(lo, hi):
            out[i] = x[i]


@jit
def _relu_backward_range(g, y, out, code, lo, hi):
    if code == 1:
        for i in range(lo, hi):
            out[i] = g[i] if y[i] > 0 else 0
    else:
        for i in range(lo, hi):
            out[i] = g[i]


@jit
def _bias_relu_forward_range(z, b, y, code, lo, hi):
    m = z.shape[1]
    has_bias = b.size > 0
    if code == 0:
        if has_bias:
            for i in range(lo, hi):
                for j in range(m):
                    y[i, j] = z[i, j] + b[j]
    else:
        for i in range(lo, hi):
            for j in range(m):
                v = z[i, j] + b[j] if has_bias else z[i, j]
                y[i, j] = 0 if v <= 0 else v


def _act_forward(x, out, code, alpha):
    _act_forward_range(x, out, code, alpha, 0, x.size)


@jit(parallel=True)
def _act_forward_par(x, out, code, alpha):
    for i in prange(x.size):
        out[i] = _act(x[i], code, alpha)


def _act_backward(g, z, y, out, code, alpha):
    _act_backward_range(g, z, y, out, code, alpha, 0, g.size)


@jit(parallel=True)
def _act_backward_par(g, z, y, out, code, alpha):
    for i in prange(g.size):
        out[i] = g[i] * _dact(z[i], y[i], code, alpha)


def _bias_act_forward(z, b, y, code, alpha):
    _bias_act_forward_range(z, b, y, code, alpha, 0, z.shape[0])


@jit(parallel=True)
def _bias_act_forward_par(z, b, y, code, alpha):
    n = z.shape[0]
    rows = max(1, BLOCK // max(1, z.shape[1]))
    for blk in prange((n + rows - 1) // rows):
        _bias_act_forward_range(z, b, y, code, alpha, blk * rows, min(n, (blk + 1) * rows))


def _relu_forward(x, out, code):
    _relu_forward_range(x, out, code, 0, x.size)


@jit(parallel=True)
def _relu_forward_par(x, out, code):
    if code == 1:
        for i in prange(x.size):
            v = x[i]
            out[i] = 0 if v <= 0 else v
    else:
        for i in prange(x.size):
            out[i] = x[i]


def _relu_backward(g, y, out, code):
    _relu_backward_range(g, y, out, code, 0, g.size)


@jit(parallel=True)
def _relu_backward_par(g, y, out, code):
    if code == 1:
        for i in prange(g.size):
            out[i] = g[i] if y[i] > 0 else 0
    else:
        for i in prange(g.size):
            out[i] = g[i]


def _bias_relu_forward(z, b, y, code):
    _bias_relu_forward_range(z, b, y, code, 0, z.shape[0])


@jit(parallel=True)
def _bias_relu_forward_par(z, b, y, code):
    n = z.shape[0]
    rows = max(1, BLOCK // max(1, z.shape[1]))
    for blk in prange((n + rows - 1) // rows):
        _bias_relu_forward_range(z, b, y, code, blk * rows, min(n, (blk + 1) * rows))


def _blocks(size):
    return (size + BLOCK - 1) // BLOCK


def act_forward(x, out, code, alpha):
    """out = f(x) over flat arrays, f the activation numbered `code` (see `CODES`).

    Args:
        x: a 1-D float array.
        out: a 1-D array of x's size (it may be x), written in place.
        code: the activation's integer code.
        alpha: the activation's parameter (ELU's and leaky ReLU's alpha), else 0.

    Example:
        >>> out = np.empty(2, np.float32)
        >>> act_forward(np.array([-1.0, 2.0], np.float32), out, CODES["relu"], 0.0)
        >>> out.tolist()
        [0.0, 2.0]
    """
    if code <= 1:
        _parallel.run(_relu_forward, _relu_forward_par, x.size, _blocks(x.size), x, out, code)
    else:
        _parallel.run(_act_forward, _act_forward_par, x.size, _blocks(x.size),
                      x, out, code, alpha)


def act_backward(g, z, y, out, code, alpha):
    """out = g * f'(z) over flat arrays, with y = f(z); z may be y when the code does not
    need the input (see `NEEDS_INPUT`).

    Args:
        g: the incoming gradient, 1-D.
        z: the pre-activation, 1-D.
        y: the activation's output, 1-D.
        out: a 1-D array of g's size, written in place.
        code: the activation's integer code.
        alpha: the activation's parameter, else 0.

    Example:
        >>> y = np.array([0.0, 2.0], np.float32)
        >>> out = np.empty(2, np.float32)
        >>> act_backward(np.ones(2, np.float32), y, y, out, CODES["relu"], 0.0)
        >>> out.tolist()
        [0.0, 1.0]
    """
    if code <= 1:
        _parallel.run(_relu_backward, _relu_backward_par, g.size, _blocks(g.size),
                      g, y, out, code)
    else:
        _parallel.run(_act_backward, _act_backward_par, g.size, _blocks(g.size),
                      g, z, y, out, code, alpha)


def bias_act_forward(z, b, y, code, alpha):
    """z[i, j] += b[j] in place (when b is non-empty), then y = f(z); y may be z.

    Args:
        z: the 2-D pre-activation (rows, units), C-contiguous.
        b: the bias (units,), or an empty array for none.
        y: the 2-D output, z's shape (it may be z), written in place.
        code: the activation's integer code.
        alpha: the activation's parameter, else 0.

    Example:
        >>> z = np.array([[-2.0, 1.0]], np.float32)
        >>> bias_act_forward(z, np.ones(2, np.float32), z, CODES["relu"], 0.0)
        >>> z.tolist()
        [[0.0, 2.0]]
    """
    if code <= 1:
        _parallel.run(_bias_relu_forward, _bias_relu_forward_par, z.size, _blocks(z.size),
                      z, b, y, code)
    else:
        _parallel.run(_bias_act_forward, _bias_act_forward_par, z.size, _blocks(z.size),
                      z, b, y, code, alpha)


@jit
def _col_sum(x, out, acc):
    n, m = x.shape
    for j in range(m):
        acc[j] = 0.0
    for i in range(n):
        for j in range(m):
            acc[j] += x[i, j]
    for j in range(m):
        out[j] = acc[j]


def col_sum(x, out):
    """out[j] = sum_i x[i, j] (the bias gradient), accumulated in float64.

    The float64 accumulator comes from NumPy: allocating it inside the kernel would make
    a cold cache compile Numba's `np.zeros` as well (about 0.15 s of the first fit).

    Args:
        x: a C-contiguous 2-D float array.
        out: a 1-D array of `x.shape[1]` elements, written in place.

    Example:
        >>> out = np.empty(2, np.float32)
        >>> col_sum(np.ones((3, 2), np.float32), out)
        >>> out.tolist()
        [3.0, 3.0]
    """
    _col_sum(x, out, np.empty(x.shape[1], np.float64))
