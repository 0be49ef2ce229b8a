"""Recurrent-cell kernels on the GPU: one fused launch per time step, forward and backward.

Same names and arguments as `nbkeras.backend.cpu.rnn`; activations are codes of
`activation_codes.RNN_ACTIVATIONS` (the one table); the matrix products stay in cuBLAS. One
thread per (row, unit) computes every gate of that unit, so the kernels need no
synchronization. States are (batch, units), gate arrays (batch, gates, units).
Derivatives are written in terms of the activation's output.
"""

from numba import cuda

from nbkeras.backend.cuda._launch import device, kernel, launch
from nbkeras.backend.cuda.activations import act as _act_code
from nbkeras.backend.cuda.activations import dact as _dact_code

__all__ = ["simple_step_forward", "simple_step_backward", "lstm_step_forward",
           "lstm_step_backward", "gru_step_forward", "gru_step_backward", "gru_zr_forward",
           "gru_h_forward", "gru_h_backward", "gru_zr_backward"]


@device
def _act(x, code):
    return _act_code(float(x), code, 0.0)


@device
def _dact(y, code):
    """act'(.) from the activation's output y (every recurrent activation allows it)."""
    y = float(y)
    return _dact_code(y, y, code, 0.0)


@device
def _index(t, u):
    b = t // u
    return b, t - b * u


@kernel
def _simple_forward(xp, r, hp, m, code, h):
    t = cuda.grid(1)
    if t < h.size:
        b, j = _index(t, h.shape[1])
        h[b, j] = hp[b, j] if m[b] == 0 else _act(xp[b, j] + r[b, j], code)


@kernel
def _simple_backward(dh, h, m, code, dz, dhp):
    t = cuda.grid(1)
    if t < h.size:
        b, j = _index(t, h.shape[1])
        if m[b] == 0:
            dz[b, j] = 0.0
            dhp[b, j] = dh[b, j]
        else:
            dz[b, j] = _dact(h[b, j], code) * dh[b, j]
            dhp[b, j] = 0.0


@kernel
def _lstm_forward(xp, r, hp, cp, m, act, ract, gates, h, c):
    t = cuda.grid(1)
    if t < h.size:
        b, j = _index(t, h.shape[1])
        if m[b] == 0:
            h[b, j] = hp[b, j]
            c[b, j] = cp[b, j]
            for k in range(4):
                gates[b, k, j] = 0.0
        else:
            gi = _act(xp[b, 0, j] + r[b, 0, j], ract)
            gf = _act(xp[b, 1, j] + r[b, 1, j], ract)
            gg = _act(xp[b, 2, j] + r[b, 2, j], act)
            go = _act(xp[b, 3, j] + r[b, 3, j], ract)
            gates[b, 0, j] = gi
            gates[b, 1, j] = gf
            gates[b, 2, j] = gg
            gates[b, 3, j] = go
            cc = gf * cp[b, j] + gi * gg
            c[b, j] = cc
            h[b, j] = go * _act(c[b, j], act)


@kernel
def _lstm_backward(dh, dc, gates, c, cp, m, act, ract, dz, dhp, dcp):
    t = cuda.grid(1)
    if t < c.size:
        b, j = _index(t, c.shape[1])
        if m[b] == 0:
            for k in range(4):
                dz[b, k, j] = 0.0
            dhp[b, j] = dh[b, j]
            dcp[b, j] = dc[b, j]
        else:
            ac = _act(c[b, j], act)
            dct = dc[b, j] + dh[b, j] * gates[b, 3, j] * _dact(ac, act)
            dz[b, 0, j] = _dact(gates[b, 0, j], ract) * dct * gates[b, 2, j]
            dz[b, 1, j] = _dact(gates[b, 1, j], ract) * dct * cp[b, j]
            dz[b, 2, j] = _dact(gates[b, 2, j], act) * dct * gates[b, 0, j]
            dz[b, 3, j] = _dact(gates[b, 3, j], ract) * dh[b, j] * ac
            dhp[b, j] = 0.0
            dcp[b, j] = dct * gates[b, 1, j]


@kernel
def _gru_forward(xp, r, hp, m, act, ract, gates, h):
    t = cuda.grid(1)
    if t < h.size:
        b, j = _index(t, h.shape[1])
        if m[b] == 0:
            h[b, j] = hp[b, j]
            for k in range(3):
                gates[b, k, j] = 0.0
        else:
            z = _act(xp[b, 0, j] + r[b, 0, j], ract)
            rr = _act(xp[b, 1, j] + r[b, 1, j], ract)
            gates[b, 0, j] = z
            gates[b, 1, j] = rr
            hh = _act(xp[b, 2, j] + gates[b, 1, j] * r[b, 2, j], act)
            gates[b, 2, j] = hh
            h[b, j] = gates[b, 0, j] * hp[b, j] + (1.0 - gates[b, 0, j]) * gates[b, 2, j]


@kernel
def _gru_backward(dh, gates, r, hp, m, act, ract, dxp, dr, dhp):
    t = cuda.grid(1)
    if t < hp.size:
        b, j = _index(t, hp.shape[1])
        if m[b] == 0:
            for k in range(3):
                dxp[b, k, j] = 0.0
                dr[b, k, j] = 0.0
            dhp[b, j] = dh[b, j]
        else:
            z = gates[b, 0, j]
            rr = gates[b, 1, j]
            hh = gates[b, 2, j]
            d = dh[b, j]
            dah = d * (1.0 - z) * _dact(hh, act)
            daz = d * (hp[b, j] - hh) * _dact(z, ract)
            dar = dah * r[b, 2, j] * _dact(rr, ract)
            dxp[b, 0, j] = daz
            dxp[b, 1, j] = dar
            dxp[b, 2, j] = dah
            dr[b, 0, j] = daz
            dr[b, 1, j] = dar
            dr[b, 2, j] = dah * rr
            dhp[b, j] = d * z


@kernel
def _gru_zr_forward(xp, r, hin, ract, gates, rh):
    t = cuda.grid(1)
    if t < hin.size:
        b, j = _index(t, hin.shape[1])
        gates[b, 0, j] = _act(xp[b, 0, j] + r[b, 0, j], ract)
        gates[b, 1, j] = _act(xp[b, 1, j] + r[b, 1, j], ract)
        rh[b, j] = gates[b, 1, j] * hin[b, j]


@kernel
def _gru_h_forward(xp, rhp, hp, m, act, gates, h):
    t = cuda.grid(1)
    if t < h.size:
        b, j = _index(t, h.shape[1])
        if m[b] == 0:
            h[b, j] = hp[b, j]
            for k in range(3):
                gates[b, k, j] = 0.0
        else:
            gates[b, 2, j] = _act(xp[b, 2, j] + rhp[b, j], act)
            z = gates[b, 0, j]
            h[b, j] = z * hp[b, j] + (1.0 - z) * gates[b, 2, j]


@kernel
def _gru_h_backward(dh, gates, hp, m, act, ract, dxp, dhp):
    t = cuda.grid(1)
    if t < hp.size:
        b, j = _index(t, hp.shape[1])
        if m[b] == 0:
            for k in range(3):
                dxp[b, k, j] = 0.0
            dhp[b, j] = dh[b, j]
        else:
            z = gates[b, 0, j]
            d = dh[b, j]
            dxp[b, 0, j] = _dact(z, ract) * d * (hp[b, j] - gates[b, 2, j])
            dxp[b, 2, j] = _dact(gates[b, 2, j], act) * d * (1.0 - z)
            dhp[b, j] = d * z


@kernel
def _gru_zr_backward(drh, gates, hin, ract, dxp, dhin):
    t = cuda.grid(1)
    if t < hin.size:
        b, j = _index(t, hin.shape[1])
        dxp[b, 1, j] = _dact(gates[b, 1, j], ract) * drh[b, j] * hin[b, j]
        dhin[b, j] = drh[b, j] * gates[b, 1, j]


def simple_step_forward(xp, r, hp, m, code, h):
    """h = act(xp + r); a masked row keeps hp."""
    launch(_simple_forward, h.size, xp, r, hp, m, code, h)


def simple_step_backward(dh, h, m, code, dz, dhp):
    """dz: gradient of the pre-activation; dhp: the direct (masked-row) part of dh_prev."""
    launch(_simple_backward, h.size, dh, h, m, code, dz, dhp)


def lstm_step_forward(xp, r, hp, cp, m, act, ract, gates, h, c):
    """Gates i, f, g, o from xp + r; c = f*cp + i*g; h = o*act(c). Masked rows keep (hp, cp)."""
    launch(_lstm_forward, h.size, xp, r, hp, cp, m, act, ract, gates, h, c)


def lstm_step_backward(dh, dc, gates, c, cp, m, act, ract, dz, dhp, dcp, work):
    """dz (pre-activation gates), the direct part of dh_prev, and dc_prev; `work` (the CPU
    kernel's scratch) is not needed: each thread keeps its unit's values in registers."""
    launch(_lstm_backward, c.size, dh, dc, gates, c, cp, m, act, ract, dz, dhp, dcp)


def gru_step_forward(xp, r, hp, m, act, ract, gates, h):
    """reset_after GRU: z, r from xp + r; hh = act(xp_h + r * r_h); h = z*hp + (1-z)*hh."""
    launch(_gru_forward, h.size, xp, r, hp, m, act, ract, gates, h)


def gru_step_backward(dh, gates, r, hp, m, act, ract, dxp, dr, dhp):
    """reset_after GRU: gradients of the input projection, the recurrent projection and
    the direct part of dh_prev."""
    launch(_gru_backward, hp.size, dh, gates, r, hp, m, act, ract, dxp, dr, dhp)


def gru_zr_forward(xp, r, hin, ract, gates, rh):
    """reset-before GRU, first half: z, r from xp + r (r is (batch, 2, units)); rh = r * hin."""
    launch(_gru_zr_forward, hin.size, xp, r, hin, ract, gates, rh)


def gru_h_forward(xp, rhp, hp, m, act, gates, h):
    """reset-before GRU, second half: hh = act(xp_h + rh @ U_h); h = z*hp + (1-z)*hh."""
    launch(_gru_h_forward, h.size, xp, rhp, hp, m, act, gates, h)


def gru_h_backward(dh, gates, hp, m, act, ract, dxp, dhp):
    """reset-before GRU: writes dxp's z and h parts and the direct part of dh_prev."""
    launch(_gru_h_backward, hp.size, dh, gates, hp, m, act, ract, dxp, dhp)


def gru_zr_backward(drh, gates, hin, ract, dxp, dhin):
    """reset-before GRU: from d(r * hin), the r gate's gradient and d(hin)."""
    launch(_gru_zr_backward, hin.size, drh, gates, hin, ract, dxp, dhin)

