"""Crossentropy and squared-error kernels on the GPU, one thread per row.

Same names, arguments and clipping rules as `nbkeras.backend.cpu.losses`: `t` is the
target and `p` the prediction, 2-D (rows, last axis), except the sparse kernels whose
target is a 1-D integer array; probabilities are clipped to [lo, hi] and the gradient
is zero where clipping bit. One thread per row runs the row formula of
`nbkeras.backend.formulas.losses` that the CPU kernels loop over.
"""

from numba import cuda

from nbkeras.backend.cuda._launch import formulas, kernel, launch
from nbkeras.backend.formulas import losses

f = formulas(losses)


@kernel
def _bce_forward(t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        out[i] = f.bce_row(t, p, i, lo, hi, from_logits)


@kernel
def _bce_backward(g, t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        f.bce_row_backward(g[i], t, p, out, i, lo, hi, from_logits)


@kernel
def _cce_forward(t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        out[i] = f.cce_row(t, p, i, lo, hi, from_logits)


@kernel
def _cce_backward(g, t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        f.cce_row_backward(g[i], t, p, out, i, lo, hi, from_logits)


@kernel
def _sparse_cce_forward(t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        out[i] = f.sparse_cce_row(t, p, i, lo, hi, from_logits)


@kernel
def _sparse_cce_backward(g, t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        f.sparse_cce_row_backward(g[i], t, p, out, i, lo, hi, from_logits)


@kernel
def _mse_forward(t, p, out):
    i = cuda.grid(1)
    if i < p.shape[0]:
        out[i] = f.mse_row(t, p, i)


@kernel
def _mse_backward(g, t, p, out):
    i = cuda.grid(1)
    if i < p.shape[0]:
        f.mse_row_backward(g[i], t, p, out, i)


def bce_forward(t, p, out, lo, hi, from_logits):
    """out[i] = mean_j bce(t[i, j], p[i, j])."""
    launch(_bce_forward, p.shape[0], t, p, out, float(lo), float(hi), bool(from_logits))


def bce_backward(g, t, p, out, lo, hi, from_logits):
    """out = d(bce_forward) / dp, scaled by the row gradients g."""
    launch(_bce_backward, p.shape[0], g, t, p, out, float(lo), float(hi), bool(from_logits))


def cce_forward(t, p, out, lo, hi, from_logits):
    """out[i] = -sum_j t[i, j] * log q[i, j], q = softmax(p) or clip(p / sum p)."""
    launch(_cce_forward, p.shape[0], t, p, out, float(lo), float(hi), bool(from_logits))


def cce_backward(g, t, p, out, lo, hi, from_logits):
    """out = d(cce_forward) / dp, scaled by the row gradients g."""
    launch(_cce_backward, p.shape[0], g, t, p, out, float(lo), float(hi), bool(from_logits))


def sparse_cce_forward(t, p, out, lo, hi, from_logits):
    """Like cce_forward with a one-hot target given by the integer index t[i]."""
    launch(_sparse_cce_forward, p.shape[0], t, p, out, float(lo), float(hi), bool(from_logits))


def sparse_cce_backward(g, t, p, out, lo, hi, from_logits):
    """out = d(sparse_cce_forward) / dp, scaled by the row gradients g."""
    launch(_sparse_cce_backward, p.shape[0], g, t, p, out, float(lo), float(hi), bool(from_logits))


def mse_forward(t, p, out):
    """out[i] = mean_j (p[i, j] - t[i, j])^2."""
    launch(_mse_forward, p.shape[0], t, p, out)


def mse_backward(g, t, p, out):
    """out = 2 g[i] (p - t) / m."""
    launch(_mse_backward, p.shape[0], g, t, p, out)
