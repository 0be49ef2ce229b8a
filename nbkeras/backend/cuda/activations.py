"""Elementwise activation kernels on the GPU, forward and backward, with the fused bias add.

Same names, arguments and activation codes as `nbkeras.backend.cpu.activations`; one
thread per element, computing in float64 registers with the CPU twin's formulas
(`nbkeras.backend.formulas.activations`). NaN and +-inf
follow Keras as the CPU twin does: `relu(NaN)` is NaN and softsign's gradient is NaN
at +-inf.
"""

from numba import cuda

from nbkeras.backend.activation_codes import CODES, NEEDS_INPUT  # noqa: F401
from nbkeras.backend.cuda._launch import kernel, launch
from nbkeras.backend.formulas.activations import act, dact, sigmoid  # noqa: F401 (rnn, losses)


@kernel
def _act_forward(x, out, code, alpha):
    i = cuda.grid(1)
    if i < x.size:
        out[i] = act(float(x[i]), code, alpha)


@kernel
def _act_backward(g, z, y, out, code, alpha):
    i = cuda.grid(1)
    if i < g.size:
        if code == 1:  # relu passes g where y > 0 and 0 elsewhere, even a NaN g (Keras's where)
            out[i] = g[i] if y[i] > 0 else 0
        else:
            out[i] = g[i] * dact(float(z[i]), float(y[i]), code, alpha)


@kernel
def _bias_act_forward(z, b, y, code, alpha, has_bias):
    t = cuda.grid(1)
    m = z.shape[1]
    if t < z.shape[0] * m:
        i = t // m
        j = t - i * m
        v = float(z[i, j])
        if has_bias:
            v += b[j]
            z[i, j] = v
        y[i, j] = act(v, code, alpha)


@kernel
def _col_sum(x, out):
    j = cuda.grid(1)
    if j < x.shape[1]:
        acc = 0.0
        for i in range(x.shape[0]):
            acc += x[i, j]
        out[j] = acc


def act_forward(x, out, code, alpha):
    """out = f(x) over flat arrays."""
    launch(_act_forward, x.size, x, out, code, float(alpha))


def act_backward(g, z, y, out, code, alpha):
    """out = g * f'(z) over flat arrays; z may be y when the code does not need it."""
    launch(_act_backward, g.size, g, z, y, out, code, float(alpha))


def bias_act_forward(z, b, y, code, alpha):
    """z[i, j] += b[j] in place (when b is non-empty), then y = f(z); y may be z."""
    launch(_bias_act_forward, z.size, z, b, y, code, float(alpha), b.size > 0)


def col_sum(x, out):
    """out[j] = sum_i x[i, j] (the bias gradient), accumulated in float64."""
    launch(_col_sum, x.shape[1], x, out)
