"""Crossentropy and squared-error kernels on the GPU, one thread per row.

Same names, arguments and clipping rules as `nbkeras.backend.cpu.losses`: `t` is the
target and `p` the prediction, 2-D (rows, last axis), except the sparse kernels whose
target is a 1-D integer array; probabilities are clipped to [lo, hi] and the gradient
is zero where clipping bit.
"""

import math

from numba import cuda

from nbkeras.backend.cuda._launch import device, kernel, launch
from nbkeras.backend.cuda.activations import sigmoid
from nbkeras.backend.cuda.softmax import row_logsumexp


@device
def _log_sigmoid(v):
    return -(max(-v, 0.0) + math.log1p(math.exp(-abs(v))))


@device
def _row_sum(p, i):
    s = 0.0
    for j in range(p.shape[1]):
        s += p[i, j]
    return s


@kernel
def _bce_forward(t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        m = p.shape[1]
        acc = 0.0
        for j in range(m):
            tv = float(t[i, j])
            pv = float(p[i, j])
            if from_logits:
                acc += -tv * _log_sigmoid(pv) - (1.0 - tv) * _log_sigmoid(-pv)
            else:
                pc = min(max(pv, lo), hi)
                acc += -(tv * math.log(pc) + (1.0 - tv) * math.log(1.0 - pc))
        out[i] = acc / m


@kernel
def _bce_backward(g, t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        m = p.shape[1]
        gi = g[i] / m
        for j in range(m):
            tv = float(t[i, j])
            pv = float(p[i, j])
            if from_logits:
                out[i, j] = gi * (sigmoid(pv) - tv)
            elif pv < lo or pv > hi:
                out[i, j] = 0.0
            else:
                out[i, j] = gi * (-tv / pv + (1.0 - tv) / (1.0 - pv))


@kernel
def _cce_forward(t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        acc = 0.0
        if from_logits:
            mx, s = row_logsumexp(p, i)
            lse = mx + math.log(s)
            for j in range(p.shape[1]):
                acc -= t[i, j] * (p[i, j] - lse)
        else:
            s = _row_sum(p, i)
            for j in range(p.shape[1]):
                q = min(max(p[i, j] / s, lo), hi)
                acc -= t[i, j] * math.log(q)
        out[i] = acc


@kernel
def _cce_backward(g, t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        gi = g[i]
        m = p.shape[1]
        if from_logits:
            mx, s = row_logsumexp(p, i)
            tsum = 0.0
            for j in range(m):
                tsum += t[i, j]
            for j in range(m):
                out[i, j] = gi * (math.exp(p[i, j] - mx) / s * tsum - t[i, j])
        else:
            s = _row_sum(p, i)
            # a_j = dL/dq_j (zero where clipped); dL/dp_k = (a_k - sum_j a_j q_j) / s
            dot = 0.0
            for j in range(m):
                q = p[i, j] / s
                a = 0.0 if (q < lo or q > hi) else -t[i, j] / q
                dot += a * q
            for j in range(m):
                q = p[i, j] / s
                a = 0.0 if (q < lo or q > hi) else -t[i, j] / q
                out[i, j] = gi * (a - dot) / s


@kernel
def _sparse_cce_forward(t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        k = t[i]
        if from_logits:
            mx, s = row_logsumexp(p, i)
            out[i] = -(p[i, k] - mx - math.log(s))
        else:
            q = min(max(p[i, k] / _row_sum(p, i), lo), hi)
            out[i] = -math.log(q)


@kernel
def _sparse_cce_backward(g, t, p, out, lo, hi, from_logits):
    i = cuda.grid(1)
    if i < p.shape[0]:
        k = t[i]
        gi = g[i]
        m = p.shape[1]
        if from_logits:
            mx, s = row_logsumexp(p, i)
            for j in range(m):
                out[i, j] = gi * math.exp(p[i, j] - mx) / s
            out[i, k] -= gi
        else:
            s = _row_sum(p, i)
            q = p[i, k] / s
            a = 0.0 if (q < lo or q > hi) else -1.0 / q
            for j in range(m):
                out[i, j] = -gi * a * q / s
            out[i, k] += gi * a / s


@kernel
def _mse_forward(t, p, out):
    i = cuda.grid(1)
    if i < p.shape[0]:
        acc = 0.0
        for j in range(p.shape[1]):
            d = float(p[i, j]) - float(t[i, j])
            acc += d * d
        out[i] = acc / p.shape[1]


@kernel
def _mse_backward(g, t, p, out):
    i = cuda.grid(1)
    if i < p.shape[0]:
        c = 2.0 * g[i] / p.shape[1]
        for j in range(p.shape[1]):
            out[i, j] = c * (float(p[i, j]) - float(t[i, j]))


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
