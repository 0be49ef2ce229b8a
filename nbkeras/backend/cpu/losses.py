"""Crossentropy and squared-error kernels: per-row losses averaged or summed over
the last axis, and their gradients with respect to the prediction.

`t` is the target and `p` the prediction, both 2-D (rows, last axis), except the
sparse kernels whose target is a 1-D integer array. Probability inputs are
clipped to [lo, hi] = [eps, 1 - eps] as Keras does; the gradient is zero where clipping bit.
"""

import math

from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.cpu.rowwise import row_max_exp_sum


@jit
def _log_sigmoid(v):
    # log(sigmoid(v)) = -softplus(-v)
    return -(max(-v, 0.0) + math.log1p(math.exp(-abs(v))))


@jit
def bce_forward(t, p, out, lo, hi, from_logits):
    """out[i] = mean_j bce(t[i, j], p[i, j])."""
    n, m = p.shape
    for i in range(n):
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


@jit
def bce_backward(g, t, p, out, lo, hi, from_logits):
    n, m = p.shape
    for i in range(n):
        gi = g[i] / m
        for j in range(m):
            tv = float(t[i, j])
            pv = float(p[i, j])
            if from_logits:
                if pv >= 0.0:
                    s = 1.0 / (1.0 + math.exp(-pv))
                else:
                    e = math.exp(pv)
                    s = e / (1.0 + e)
                out[i, j] = gi * (s - tv)
            elif pv < lo or pv > hi:
                out[i, j] = 0.0
            else:
                out[i, j] = gi * (-tv / pv + (1.0 - tv) / (1.0 - pv))


@jit
def cce_forward(t, p, out, lo, hi, from_logits):
    """out[i] = -sum_j t[i, j] * log q[i, j], q = softmax(p) or clip(p / sum p)."""
    n, m = p.shape
    for i in range(n):
        acc = 0.0
        if from_logits:
            mx, s = row_max_exp_sum(p, i)
            lse = mx + math.log(s)
            for j in range(m):
                acc -= t[i, j] * (p[i, j] - lse)
        else:
            s = 0.0
            for j in range(m):
                s += p[i, j]
            for j in range(m):
                q = min(max(p[i, j] / s, lo), hi)
                acc -= t[i, j] * math.log(q)
        out[i] = acc


@jit
def cce_backward(g, t, p, out, lo, hi, from_logits):
    n, m = p.shape
    for i in range(n):
        gi = g[i]
        if from_logits:
            mx, s = row_max_exp_sum(p, i)
            tsum = 0.0
            for j in range(m):
                tsum += t[i, j]
            for j in range(m):
                out[i, j] = gi * (math.exp(p[i, j] - mx) / s * tsum - t[i, j])
        else:
            s = 0.0
            for j in range(m):
                s += p[i, j]
            # a_j = dL/dq_j (zero where clipped); dL/dp_k = (a_k - sum_j a_j q_j) / s
            dot = 0.0
            for j in range(m):
                q = p[i, j] / s
                a = 0.0 if (q < lo or q > hi) else -t[i, j] / q
                out[i, j] = a
                dot += a * q
            for j in range(m):
                out[i, j] = gi * (out[i, j] - dot) / s


@jit
def sparse_cce_forward(t, p, out, lo, hi, from_logits):
    """Like cce_forward with a one-hot target given by the integer index t[i]."""
    n, m = p.shape
    for i in range(n):
        k = t[i]
        if from_logits:
            mx, s = row_max_exp_sum(p, i)
            out[i] = -(p[i, k] - mx - math.log(s))
        else:
            s = 0.0
            for j in range(m):
                s += p[i, j]
            q = min(max(p[i, k] / s, lo), hi)
            out[i] = -math.log(q)


@jit
def sparse_cce_backward(g, t, p, out, lo, hi, from_logits):
    n, m = p.shape
    for i in range(n):
        k = t[i]
        gi = g[i]
        if from_logits:
            mx, s = row_max_exp_sum(p, i)
            for j in range(m):
                out[i, j] = gi * math.exp(p[i, j] - mx) / s
            out[i, k] -= gi
        else:
            s = 0.0
            for j in range(m):
                s += p[i, j]
            q = p[i, k] / s
            a = 0.0 if (q < lo or q > hi) else -1.0 / q
            for j in range(m):
                out[i, j] = -gi * a * q / s
            out[i, k] += gi * a / s


@jit
def mse_forward(t, p, out):
    n, m = p.shape
    for i in range(n):
        acc = 0.0
        for j in range(m):
            d = float(p[i, j]) - float(t[i, j])
            acc += d * d
        out[i] = acc / m


@jit
def mse_backward(g, t, p, out):
    n, m = p.shape
    for i in range(n):
        c = 2.0 * g[i] / m
        for j in range(m):
            out[i, j] = c * (float(p[i, j]) - float(t[i, j]))
