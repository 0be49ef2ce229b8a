"""Recurrent-cell kernels: one fused kernel per time step, forward and backward.

The input projection of every step and the recurrent matrix products stay in
BLAS (called by `nbkeras.ops.rnn`); these kernels do each step's elementwise
work: gate activations, the state update, the time mask and their gradients.
States are (batch, units) and gate arrays (batch, gates, units), C-contiguous; the
inner loops run over units with indices Numba can prove non-negative, so they vectorize.

Activations are the codes of `nbkeras.backend.activation_codes` (the one table of every
kernel); the cells implement linear, tanh, sigmoid, relu and hard_sigmoid
(`RNN_ACTIVATIONS`); tanh and sigmoid use `fastmath` (SIMD in float32).
Derivatives are written in terms of the activation's output.
"""

from nbkeras.backend.activation_codes import CODES
from nbkeras.backend.cpu import fastmath
from nbkeras.backend.cpu._jit import jit

__all__ = ["simple_step_forward", "simple_step_backward", "lstm_step_forward",
           "lstm_step_backward", "gru_step_forward", "gru_step_backward", "gru_zr_forward",
           "gru_h_forward", "gru_h_backward", "gru_zr_backward"]

_LINEAR, _TANH, _SIGMOID = CODES["linear"], CODES["tanh"], CODES["sigmoid"]
_RELU, _HARD_SIGMOID = CODES["relu"], CODES["hard_sigmoid"]


@jit
def _act(x, code):
    if code == _TANH:
        return fastmath.tanh(x)
    if code == _SIGMOID:
        return fastmath.sigmoid(x)
    if code == _RELU:
        return x if x > 0 else 0.0 * x
    if code == _HARD_SIGMOID:
        y = (x + 3.0) / 6.0
        return 0.0 * x if y < 0 else (1.0 + 0.0 * x if y > 1 else y)
    return x


@jit
def _dact(y, code):
    if code == _TANH:
        return 1.0 - y * y
    if code == _SIGMOID:
        return y * (1.0 - y)
    if code == _RELU:
        return 1.0 if y > 0 else 0.0
    if code == _HARD_SIGMOID:
        return 1.0 / 6.0 if 0 < y < 1 else 0.0
    return 1.0


@jit(inline="always")
def _act3(z, b, k, code):
    """z[b, k, :] = act(z[b, k, :]) in place; one loop per code, so each one vectorizes."""
    u = z.shape[2]
    if code == _TANH:
        for j in range(u):
            z[b, k, j] = fastmath.tanh(z[b, k, j])
    elif code == _SIGMOID:
        for j in range(u):
            z[b, k, j] = fastmath.sigmoid(z[b, k, j])
    elif code != _LINEAR:
        for j in range(u):
            z[b, k, j] = _act(z[b, k, j], code)


@jit(inline="always")
def _dact3(y, b, k, code, out):
    """out[b, k, :] = act'(.) from the activation's outputs y[b, k, :]."""
    u = y.shape[2]
    if code == _TANH:
        for j in range(u):
            out[b, k, j] = 1.0 - y[b, k, j] * y[b, k, j]
    elif code == _SIGMOID:
        for j in range(u):
            out[b, k, j] = y[b, k, j] * (1.0 - y[b, k, j])
    else:
        for j in range(u):
            out[b, k, j] = _dact(y[b, k, j], code)


@jit(inline="always")
def _keep_row(h, hp, gates, b):
    """A masked step: h[b] = hp[b] and its gates are zero."""
    for j in range(h.shape[1]):
        h[b, j] = hp[b, j]
    for k in range(gates.shape[1]):
        for j in range(gates.shape[2]):
            gates[b, k, j] = 0.0


@jit
def simple_step_forward(xp, r, hp, m, code, h):
    """h = act(xp + r); a masked row keeps hp."""
    n, u = h.shape
    h3 = h.reshape((n, 1, u))  # the (batch, gates, units) view the row helpers take
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                h[b, j] = hp[b, j]
            continue
        for j in range(u):
            h[b, j] = xp[b, j] + r[b, j]
        _act3(h3, b, 0, code)


@jit
def simple_step_backward(dh, h, m, code, dz, dhp):
    """dz: gradient of the pre-activation; dhp: the direct (masked-row) part of dh_prev."""
    n, u = h.shape
    h3, dz3 = h.reshape((n, 1, u)), dz.reshape((n, 1, u))
    for b in range(n):
        if m[b] == 0:
            for j in range(u):
                dz[b, j] = 0.0
                dhp[b, j] = dh[b, j]
            continue
        _dact3(h3, b, 0, code, dz3)
        for j in range(u):
            dz[b, j] *= dh[b, j]
            dhp[b, j] = 0.0


@jit
def lstm_step_forward(xp, r, hp, cp, m, act, ract, gates, h, c):
    """Gates i, f, g, o from xp + r; c = f*cp + i*g; h = o*act(c). Masked rows keep (hp, cp).

    xp, r and gates are (batch, 4, units)."""
    n, u = h.shape
    h3 = h.reshape((n, 1, u))
    for b in range(n):
        if m[b] == 0:
            _keep_row(h, hp, gates, b)
            for j in range(u):
                c[b, j] = cp[b, j]
            continue
        for k in range(4):
            for j in range(u):
                gates[b, k, j] = xp[b, k, j] + r[b, k, j]
        _act3(gates, b, 0, ract)
        _act3(gates, b, 1, ract)
        _act3(gates, b, 2, act)
        _act3(gates, b, 3, ract)
        for j in range(u):
            cc = gates[b, 1, j] * cp[b, j] + gates[b, 0, j] * gates[b, 2, j]
            c[b, j] = cc
            h[b, j] = cc
        _act3(h3, b, 0, act)
        for j in range(u):
            h[b, j] *= gates[b, 3, j]


@jit
def lstm_step_backward(dh, dc, gates, c, cp, m, act, ract, dz, dhp, dcp, work):
    """From dh, dc at step t: dz (pre-activation gates, (batch, 4, units)), the direct part
    of dh_prev, and dc_prev. `work` is scratch of shape (3, units)."""
    n, u = c.shape
    w3 = work.reshape((3, 1, u))
    for b in range(n):
        if m[b] == 0:
            for k in range(4):
                for j in range(u):
                    dz[b, k, j] = 0.0
            for j in range(u):
                dhp[b, j] = dh[b, j]
                dcp[b, j] = dc[b, j]
            continue
        for j in range(u):
            work[0, j] = c[b, j]
        _act3(w3, 0, 0, act)  # act(c)
        for j in range(u):
            work[1, j] = work[0, j]
        _dact3(w3, 1, 0, act, w3)  # act'(c), from act(c)
        for j in range(u):
            work[2, j] = dc[b, j] + dh[b, j] * gates[b, 3, j] * work[1, j]  # total dc
        _dact3(gates, b, 0, ract, dz)
        _dact3(gates, b, 1, ract, dz)
        _dact3(gates, b, 2, act, dz)
        _dact3(gates, b, 3, ract, dz)
        for j in range(u):
            dct = work[2, j]
            dz[b, 0, j] *= dct * gates[b, 2, j]
            dz[b, 1, j] *= dct * cp[b, j]
            dz[b, 2, j] *= dct * gates[b, 0, j]
            dz[b, 3, j] *= dh[b, j] * work[0, j]
            dhp[b, j] = 0.0
            dcp[b, j] = dct * gates[b, 1, j]


@jit(inline="always")
def _zr_gates(xp, r, gates, b, ract):
    """GRU's update and reset gates of row b: ract(xp + r) for gates 0 and 1."""
    for k in range(2):
        for j in range(gates.shape[2]):
            gates[b, k, j] = xp[b, k, j] + r[b, k, j]
    _act3(gates, b, 0, ract)
    _act3(gates, b, 1, ract)


@jit
def gru_step_forward(xp, r, hp, m, act, ract, gates, h):
    """reset_after GRU: z, r from xp + r; hh = act(xp_h + r * r_h); h = z*hp + (1-z)*hh.

    xp, r and gates are (batch, 3, units)."""
    n, u = h.shape
    for b in range(n):
        if m[b] == 0:
            _keep_row(h, hp, gates, b)
            continue
        _zr_gates(xp, r, gates, b, ract)
        for j in range(u):
            gates[b, 2, j] = xp[b, 2, j] + gates[b, 1, j] * r[b, 2, j]
        _act3(gates, b, 2, act)
        for j in range(u):
            z = gates[b, 0, j]
            h[b, j] = z * hp[b, j] + (1.0 - z) * gates[b, 2, j]


@jit
def gru_step_backward(dh, gates, r, hp, m, act, ract, dxp, dr, dhp):
    """reset_after GRU: gradients of the input projection (dxp), of the recurrent
    projection (dr) and the direct part of dh_prev; gate arrays are (batch, 3, units)."""
    n, u = hp.shape
    for b in range(n):
        if m[b] == 0:
            for k in range(3):
                for j in range(u):
                    dxp[b, k, j] = 0.0
                    dr[b, k, j] = 0.0
            for j in range(u):
                dhp[b, j] = dh[b, j]
            continue
        _dact3(gates, b, 0, ract, dxp)
        _dact3(gates, b, 1, ract, dxp)
        _dact3(gates, b, 2, act, dxp)
        for j in range(u):
            z = gates[b, 0, j]
            rr = gates[b, 1, j]
            hh = gates[b, 2, j]
            d = dh[b, j]
            dah = d * (1.0 - z) * dxp[b, 2, j]
            daz = d * (hp[b, j] - hh) * dxp[b, 0, j]
            dar = dah * r[b, 2, j] * dxp[b, 1, j]
            dxp[b, 0, j] = daz
            dxp[b, 1, j] = dar
            dxp[b, 2, j] = dah
            dr[b, 0, j] = daz
            dr[b, 1, j] = dar
            dr[b, 2, j] = dah * rr
            dhp[b, j] = d * z


@jit
def gru_zr_forward(xp, r, hin, ract, gates, rh):
    """reset-before GRU, first half: z, r from xp + r (r is (batch, 2, units)); rh = r * hin."""
    n, u = hin.shape
    for b in range(n):
        _zr_gates(xp, r, gates, b, ract)
        for j in range(u):
            rh[b, j] = gates[b, 1, j] * hin[b, j]


@jit
def gru_h_forward(xp, rhp, hp, m, act, gates, h):
    """reset-before GRU, second half: hh = act(xp_h + rh @ U_h); h = z*hp + (1-z)*hh."""
    n, u = h.shape
    for b in range(n):
        if m[b] == 0:
            _keep_row(h, hp, gates, b)
            continue
        for j in range(u):
            gates[b, 2, j] = xp[b, 2, j] + rhp[b, j]
        _act3(gates, b, 2, act)
        for j in range(u):
            z = gates[b, 0, j]
            h[b, j] = z * hp[b, j] + (1.0 - z) * gates[b, 2, j]


@jit
def gru_h_backward(dh, gates, hp, m, act, ract, dxp, dhp):
    """reset-before GRU: writes dxp's z and h parts and the direct part of dh_prev."""
    n, u = hp.shape
    for b in range(n):
        if m[b] == 0:
            for k in range(3):
                for j in range(u):
                    dxp[b, k, j] = 0.0
            for j in range(u):
                dhp[b, j] = dh[b, j]
            continue
        _dact3(gates, b, 0, ract, dxp)
        _dact3(gates, b, 2, act, dxp)
        for j in range(u):
            z = gates[b, 0, j]
            d = dh[b, j]
            dxp[b, 0, j] *= d * (hp[b, j] - gates[b, 2, j])
            dxp[b, 2, j] *= d * (1.0 - z)
            dhp[b, j] = d * z


@jit
def gru_zr_backward(drh, gates, hin, ract, dxp, dhin):
    """reset-before GRU: from d(r * hin), the r gate's gradient and d(hin)."""
    n, u = hin.shape
    for b in range(n):
        _dact3(gates, b, 1, ract, dxp)
        for j in range(u):
            dxp[b, 1, j] *= drh[b, j] * hin[b, j]
            dhin[b, j] = drh[b, j] * gates[b, 1, j]
