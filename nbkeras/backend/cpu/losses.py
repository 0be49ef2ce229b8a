"""Crossentropy and squared-error kernels: per-row losses averaged or summed over
the last axis, and their gradients with respect to the prediction.

`t` is the target and `p` the prediction, both 2-D (rows, last axis), except the
sparse kernels whose target is a 1-D integer array. Probability inputs are
clipped to [lo, hi] = [eps, 1 - eps] as Keras does; the gradient is zero where clipping bit.
Each kernel loops a row formula of `nbkeras.backend.formulas.losses` (shared with the
CUDA kernels) over the rows.
"""

from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.formulas import losses as f


@jit
def bce_forward(t, p, out, lo, hi, from_logits):
    """out[i] = mean_j bce(t[i, j], p[i, j])."""
    for i in range(p.shape[0]):
        out[i] = f.bce_row(t, p, i, lo, hi, from_logits)


@jit
def bce_backward(g, t, p, out, lo, hi, from_logits):
    for i in range(p.shape[0]):
        f.bce_row_backward(g[i], t, p, out, i, lo, hi, from_logits)


@jit
def cce_forward(t, p, out, lo, hi, from_logits):
    """out[i] = -sum_j t[i, j] * log q[i, j], q = softmax(p) or clip(p / sum p)."""
    for i in range(p.shape[0]):
        out[i] = f.cce_row(t, p, i, lo, hi, from_logits)


@jit
def _cce_logits_backward(g, t, p, out):
    for i in range(p.shape[0]):
        f.cce_logits_row_backward(g[i], t, p, out, i)


@jit
def _cce_probs_backward(g, t, p, out, lo, hi):
    for i in range(p.shape[0]):
        f.cce_probs_row_backward(g[i], t, p, out, i, lo, hi)


@jit
def cce_backward(g, t, p, out, lo, hi, from_logits):
    # Each case compiles as its own function: with both row formulas in one function,
    # LLVM leaves the probabilities' loops scalar (3x slower at 10 classes).
    if from_logits:
        _cce_logits_backward(g, t, p, out)
    else:
        _cce_probs_backward(g, t, p, out, lo, hi)


@jit
def sparse_cce_forward(t, p, out, lo, hi, from_logits):
    """Like cce_forward with a one-hot target given by the integer index t[i]."""
    for i in range(p.shape[0]):
        out[i] = f.sparse_cce_row(t, p, i, lo, hi, from_logits)


@jit
def sparse_cce_backward(g, t, p, out, lo, hi, from_logits):
    for i in range(p.shape[0]):
        f.sparse_cce_row_backward(g[i], t, p, out, i, lo, hi, from_logits)


@jit
def mse_forward(t, p, out):
    for i in range(p.shape[0]):
        out[i] = f.mse_row(t, p, i)


@jit
def mse_backward(g, t, p, out):
    for i in range(p.shape[0]):
        f.mse_row_backward(g[i], t, p, out, i)
