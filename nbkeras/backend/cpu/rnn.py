"""Recurrent-cell kernels: one fused kernel per time step, forward and backward.

The input projection of every step and the recurrent matrix products stay in
BLAS (called by `nbkeras.ops.rnn`); these kernels do each step's elementwise
work: gate activations, the state update, the time mask and their gradients.
Arrays are 2-D (batch, units or gates * units), C-contiguous.

Activation codes: 0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 hard_sigmoid.
Derivatives are written in terms of the activation's output.
"""

import math

from nbkeras.backend.cpu._jit import jit

__all__ = ["simple_step_forward", "simple_step_backward", "lstm_step_forward",
           "lstm_step_backward", "gru_step_forward", "gru_step_backward", "gru_zr_forward",
           "gru_h_forward", "gru_h_backward", "gru_zr_backward", "rnn_matmul"]

RNN_ACTIVATIONS = {"linear": 0, "tanh": 1, "sigmoid": 2, "relu": 3, "hard_sigmoid": 4}


@jit
def _act(x, code):
    if code == 1:
        return math.tanh(x)
    if code == 2:
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    if code == 3:
        return x if x > 0 else 0.0 * x
    if code == 4:
        y = (x + 3.0) / 6.0
        return 0.0 * x if y < 0 else (1.0 + 0.0 * x if y > 1 else y)
    return x


@jit
def _dact(y, code):
    if code == 1:
        return 1.0 - y * y
    if code == 2:
        return y * (1.0 - y)
    if code == 3:
        return 1.0 if y > 0 else 0.0
    if code == 4:
        return 1.0 / 6.0 if 0 < y < 1 else 0.0
    return 1.0


@jit
def rnn_matmul(a, b, out):
    """out = a @ b, serial. The per-step recurrent products are small (batch x units x
    gates*units); a serial loop avoids BLAS's thread hand-offs, which cost 100x when other
    processes keep the cores busy."""
    n, k = a.shape
    g = b.shape[1]
    for i in range(n):
        for j in range(g):
            out[i, j] = 0.0
        for kk in range(k):
            v = a[i, kk]
            for j in range(g):
                out[i, j] += v * b[kk, j]


@jit
def simple_step_forward(xp, r, hp, m, code, h):
    """h = act(xp + r); a masked row keeps hp."""
    n, u = h.shape
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                h[b, j] = hp[b, j]
        else:
            for j in range(u):
                h[b, j] = _act(xp[b, j] + r[b, j], code)


@jit
def simple_step_backward(dh, h, m, code, dz, dhp):
    """dz: gradient of the pre-activation; dhp: the direct (masked-row) part of dh_prev."""
    n, u = h.shape
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                dz[b, j] = 0.0
                dhp[b, j] = dh[b, j]
        else:
            for j in range(u):
                dz[b, j] = dh[b, j] * _dact(h[b, j], code)
                dhp[b, j] = 0.0


@jit
def lstm_step_forward(xp, r, hp, cp, m, act, ract, gates, h, c):
    """Gates i, f, g, o from xp + r; c = f*cp + i*g; h = o*act(c). Masked rows keep (hp, cp)."""
    n, u = h.shape
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                h[b, j] = hp[b, j]
                c[b, j] = cp[b, j]
                gates[b, j] = 0.0
                gates[b, u + j] = 0.0
                gates[b, 2 * u + j] = 0.0
                gates[b, 3 * u + j] = 0.0
            continue
        for j in range(u):
            i = _act(xp[b, j] + r[b, j], ract)
            f = _act(xp[b, u + j] + r[b, u + j], ract)
            g = _act(xp[b, 2 * u + j] + r[b, 2 * u + j], act)
            o = _act(xp[b, 3 * u + j] + r[b, 3 * u + j], ract)
            cc = f * cp[b, j] + i * g
            gates[b, j] = i
            gates[b, u + j] = f
            gates[b, 2 * u + j] = g
            gates[b, 3 * u + j] = o
            c[b, j] = cc
            h[b, j] = o * _act(cc, act)


@jit
def lstm_step_backward(dh, dc, gates, c, cp, m, act, ract, dz, dhp, dcp):
    """From dh, dc at step t: dz (pre-activation gates), the direct part of dh_prev, dc_prev."""
    n, u = c.shape
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                dz[b, j] = 0.0
                dz[b, u + j] = 0.0
                dz[b, 2 * u + j] = 0.0
                dz[b, 3 * u + j] = 0.0
                dhp[b, j] = dh[b, j]
                dcp[b, j] = dc[b, j]
            continue
        for j in range(u):
            i = gates[b, j]
            f = gates[b, u + j]
            g = gates[b, 2 * u + j]
            o = gates[b, 3 * u + j]
            ac = _act(c[b, j], act)
            dct = dc[b, j] + dh[b, j] * o * _dact(ac, act)
            dz[b, j] = dct * g * _dact(i, ract)
            dz[b, u + j] = dct * cp[b, j] * _dact(f, ract)
            dz[b, 2 * u + j] = dct * i * _dact(g, act)
            dz[b, 3 * u + j] = dh[b, j] * ac * _dact(o, ract)
            dhp[b, j] = 0.0
            dcp[b, j] = dct * f


@jit
def gru_step_forward(xp, r, hp, m, act, ract, gates, h):
    """reset_after GRU: z, r from xp + r; hh = act(xp_h + r * r_h); h = z*hp + (1-z)*hh."""
    n, u = h.shape
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                h[b, j] = hp[b, j]
                gates[b, j] = 0.0
                gates[b, u + j] = 0.0
                gates[b, 2 * u + j] = 0.0
            continue
        for j in range(u):
            z = _act(xp[b, j] + r[b, j], ract)
            rr = _act(xp[b, u + j] + r[b, u + j], ract)
            hh = _act(xp[b, 2 * u + j] + rr * r[b, 2 * u + j], act)
            gates[b, j] = z
            gates[b, u + j] = rr
            gates[b, 2 * u + j] = hh
            h[b, j] = z * hp[b, j] + (1.0 - z) * hh


@jit
def gru_step_backward(dh, gates, r, hp, m, act, ract, dxp, dr, dhp):
    """reset_after GRU: gradients of the input projection (dxp), of the recurrent
    projection (dr) and the direct part of dh_prev."""
    n, u = hp.shape
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                for k in range(3):
                    dxp[b, k * u + j] = 0.0
                    dr[b, k * u + j] = 0.0
                dhp[b, j] = dh[b, j]
            continue
        for j in range(u):
            z = gates[b, j]
            rr = gates[b, u + j]
            hh = gates[b, 2 * u + j]
            d = dh[b, j]
            dah = d * (1.0 - z) * _dact(hh, act)
            daz = d * (hp[b, j] - hh) * _dact(z, ract)
            dar = dah * r[b, 2 * u + j] * _dact(rr, ract)
            dxp[b, j] = daz
            dxp[b, u + j] = dar
            dxp[b, 2 * u + j] = dah
            dr[b, j] = daz
            dr[b, u + j] = dar
            dr[b, 2 * u + j] = dah * rr
            dhp[b, j] = d * z


@jit
def gru_zr_forward(xp, r, hin, ract, gates, rh):
    """reset-before GRU, first half: z, r from xp + r (2 gates); rh = r * hin."""
    n, u = hin.shape
    for b in range(n):
        for j in range(u):
            z = _act(xp[b, j] + r[b, j], ract)
            rr = _act(xp[b, u + j] + r[b, u + j], ract)
            gates[b, j] = z
            gates[b, u + j] = rr
            rh[b, j] = rr * hin[b, j]


@jit
def gru_h_forward(xp, rhp, hp, m, act, gates, h):
    """reset-before GRU, second half: hh = act(xp_h + rh @ U_h); h = z*hp + (1-z)*hh."""
    n, u = h.shape
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                h[b, j] = hp[b, j]
                gates[b, j] = 0.0
                gates[b, u + j] = 0.0
                gates[b, 2 * u + j] = 0.0
            continue
        for j in range(u):
            z = gates[b, j]
            hh = _act(xp[b, 2 * u + j] + rhp[b, j], act)
            gates[b, 2 * u + j] = hh
            h[b, j] = z * hp[b, j] + (1.0 - z) * hh


@jit
def gru_h_backward(dh, gates, hp, m, act, ract, dxp, dhp):
    """reset-before GRU: writes dxp's z and h parts and the direct part of dh_prev."""
    n, u = hp.shape
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                dxp[b, j] = 0.0
                dxp[b, u + j] = 0.0
                dxp[b, 2 * u + j] = 0.0
                dhp[b, j] = dh[b, j]
            continue
        for j in range(u):
            z = gates[b, j]
            hh = gates[b, 2 * u + j]
            d = dh[b, j]
            dxp[b, j] = d * (hp[b, j] - hh) * _dact(z, ract)
            dxp[b, 2 * u + j] = d * (1.0 - z) * _dact(hh, act)
            dhp[b, j] = d * z


@jit
def gru_zr_backward(drh, gates, hin, ract, dxp, dhin):
    """reset-before GRU: from d(r * hin), the r gate's gradient and d(hin)."""
    n, u = hin.shape
    for b in range(n):
        for j in range(u):
            rr = gates[b, u + j]
            dxp[b, u + j] = drh[b, j] * hin[b, j] * _dact(rr, ract)
            dhin[b, j] = drh[b, j] * rr
