"""Elementwise activation kernels, forward and backward, with an optional fused bias add.

Each activation has an integer code (see `CODES`); its value and derivative are the
shared formulas of `nbkeras.backend.formulas.activations`. Kernels read float arrays
and compute in float64 registers before storing in the output's dtype. NaN
propagates as in Keras (`relu(NaN)` is NaN), so NaN inputs show in the loss.
"""

import numpy as np

from nbkeras.backend.activation_codes import CODES, NEEDS_INPUT  # noqa: F401
from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.formulas import activations as formulas


@jit
def _act(v, code, alpha):
    return formulas.act(v, code, alpha)


@jit
def _dact(z, y, code, alpha):
    return formulas.dact(z, y, code, alpha)


@jit
def _act_forward(x, out, code, alpha):
    n = x.size
    if code == 1:
        for i in range(n):
            v = x[i]
            out[i] = 0 if v <= 0 else v
    else:
        for i in range(n):
            out[i] = _act(x[i], code, alpha)


@jit
def _act_backward(g, z, y, out, code, alpha):
    n = g.size
    if code == 1:
        for i in range(n):
            out[i] = g[i] if y[i] > 0 else 0
    else:
        for i in range(n):
            out[i] = g[i] * _dact(z[i], y[i], code, alpha)


@jit
def _bias_act_forward(z, b, y, code, alpha):
    n, m = z.shape
    has_bias = b.size > 0
    if code == 0:
        if has_bias:
            for i in range(n):
                for j in range(m):
                    y[i, j] = z[i, j] + b[j]
    elif code == 1:
        for i in range(n):
            for j in range(m):
                v = z[i, j] + b[j] if has_bias else z[i, j]
                y[i, j] = 0 if v <= 0 else v
    else:
        for i in range(n):
            for j in range(m):
                v = z[i, j] + b[j] if has_bias else z[i, j]
                z[i, j] = v
                y[i, j] = _act(v, code, alpha)


# Linear and ReLU, the activations of most first models, get kernels of their own that
# never call `_act` / `_dact`: a cold kernel cache then compiles neither (about 0.5 s of
# the first fit). Their loops are the general kernels' code-0/1 loops, so the numbers are
# the same whichever kernel runs.


@jit
def _relu_forward(x, out, code):
    n = x.size
    if code == 1:
        for i in range(n):
            v = x[i]
            out[i] = 0 if v <= 0 else v
    else:
        for i in range(n):
            out[i] = x[i]


@jit
def _relu_backward(g, y, out, code):
    n = g.size
    if code == 1:
        for i in range(n):
            out[i] = g[i] if y[i] > 0 else 0
    else:
        for i in range(n):
            out[i] = g[i]


@jit
def _bias_relu_forward(z, b, y, code):
    n, m = z.shape
    has_bias = b.size > 0
    if code == 0:
        if has_bias:
            for i in range(n):
                for j in range(m):
                    y[i, j] = z[i, j] + b[j]
    else:
        for i in range(n):
            for j in range(m):
                v = z[i, j] + b[j] if has_bias else z[i, j]
                y[i, j] = 0 if v <= 0 else v


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
        _relu_forward(x, out, code)
    else:
        _act_forward(x, out, code, alpha)


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
        _relu_backward(g, y, out, code)
    else:
        _act_backward(g, z, y, out, code, alpha)


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
        _bias_relu_forward(z, b, y, code)
    else:
        _bias_act_forward(z, b, y, code, alpha)


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
