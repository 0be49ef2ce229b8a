"""The recurrent op behind SimpleRNN, LSTM and GRU, with its own backward through time.

The input projection of all time steps is one GEMM up front (BLAS); each step then
does its small recurrent product in BLAS and its cell in one fused Numba kernel. The
backward pass walks the steps in reverse with the matching fused kernels and computes
the weight gradients as whole-sequence GEMMs at the end.
"""

import numpy as np

from nbkeras.backend import kernels as K
from nbkeras.ops.core import record, unwrap

# Activations the fused cell kernels implement (codes of nbkeras/backend/cpu/rnn.py).
ACTIVATIONS = {"linear": 0, "tanh": 1, "sigmoid": 2, "relu": 3, "hard_sigmoid": 4}
_GATES = {"simple": 1, "lstm": 4, "gru": 3}


def _split_cols(a, k, u):
    return a[..., k * u:(k + 1) * u]


def rnn(kind, x, kernel, recurrent_kernel, bias, initial_states, mask=None, go_backwards=False,
        activation="tanh", recurrent_activation="sigmoid", reset_after=True, input_masks=None,
        recurrent_masks=None, zero_output_for_mask=False, return_sequences=False):
    """Run a recurrent layer over x (batch, time, features); differentiable in x, the
    weights and the initial states.

    Args:
        kind: 'simple', 'lstm' or 'gru'.
        x: the input sequences.
        kernel / recurrent_kernel / bias: the layer's weights in Keras 3's layout.
        initial_states: [h] or [h, c], each (batch, units).
        mask: (batch, time) booleans; a masked step keeps the previous state.
        go_backwards: process the time steps in reverse (outputs in processing order).
        activation / recurrent_activation: names of ACTIVATIONS.
        reset_after: GRU's reset-gate placement.
        input_masks: dropout mask of the input, (batch, features), or a list with one per gate.
        recurrent_masks: dropout masks of the state, a list with one (batch, units) per gate.
        zero_output_for_mask: emit zeros (instead of the carried state) at masked steps.
        return_sequences: return every step's output, else the last one.

    Returns:
        (output, [final states]).
    """
    W = unwrap(kernel)
    U = unwrap(recurrent_kernel)
    dt = W.dtype
    xa = np.asarray(unwrap(x))
    if xa.dtype != dt:
        xa = xa.astype(dt)
    n, T, D = xa.shape
    G = _GATES[kind]
    u = U.shape[0]
    act, ract = ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]
    rb = kind == "gru" and not reset_after  # GRU with the reset gate before the matmul
    Gr = 2 if rb else G  # gates whose recurrent product is one GEMM of the previous state
    b = None if bias is None else unwrap(bias)
    b_in = b_rec = None
    if b is not None:
        if kind == "gru" and reset_after:
            b_in, b_rec = b[0], b[1]
        else:
            b_in = b
    S = 2 if kind == "lstm" else 1

    Xt = np.ascontiguousarray(xa.transpose(1, 0, 2)[::-1] if go_backwards else xa.transpose(1, 0, 2))
    if mask is None:
        Mt = np.ones((T, n), dt)
    else:
        m = np.asarray(unwrap(mask)).astype(dt).T
        Mt = np.ascontiguousarray(m[::-1] if go_backwards else m)
    imasks = input_masks
    single_im = imasks is not None and not isinstance(imasks, (list, tuple))
    rmasks = None if recurrent_masks is None else [np.asarray(r, dt) for r in recurrent_masks]

    # Input projection of every step: one GEMM (one per gate with per-gate dropout masks).
    X2 = Xt.reshape(T * n, D)
    if imasks is None:
        XP = X2 @ W
    elif single_im:
        im = np.asarray(imasks, dt)
        XP = (Xt * im).reshape(T * n, D) @ W
    else:
        im = [np.asarray(v, dt) for v in imasks]
        XP = np.empty((T * n, G * u), dt)
        for k in range(G):
            XP[:, k * u:(k + 1) * u] = (Xt * im[k]).reshape(T * n, D) @ W[:, k * u:(k + 1) * u]
    if b_in is not None:
        XP += b_in
    XP = XP.reshape(T, n, G * u)

    Ur = np.ascontiguousarray(U[:, :Gr * u])
    UrT = np.ascontiguousarray(Ur.T)
    Uh = np.ascontiguousarray(U[:, 2 * u:]) if rb else None
    UhT = np.ascontiguousarray(Uh.T) if rb else None

    Uks = [np.ascontiguousarray(U[:, k * u:(k + 1) * u]) for k in range(Gr)] if rmasks else None
    UksT = [np.ascontiguousarray(v.T) for v in Uks] if rmasks else None

    def rec(hp):
        if rmasks is None:
            r = hp @ Ur
        else:
            r = np.empty((n, Gr * u), dt)
            for k in range(Gr):
                r[:, k * u:(k + 1) * u] = (hp * rmasks[k]) @ Uks[k]
        if b_rec is not None:
            r += b_rec
        return r

    def rec_back(d):
        if rmasks is None:
            return d @ UrT
        out = np.zeros((n, u), dt)
        for k in range(Gr):
            out += (d[:, k * u:(k + 1) * u] @ UksT[k]) * rmasks[k]
        return out

    def g3(a):  # (batch, gates * units) -> the kernels' (batch, gates, units) view
        return a.reshape(a.shape[0], -1, u)

    H = np.empty((T + 1, n, u), dt)
    H[0] = np.asarray(unwrap(initial_states[0]), dt)
    C = None
    if kind == "lstm":
        C = np.empty((T + 1, n, u), dt)
        C[0] = np.asarray(unwrap(initial_states[1]), dt)
    GATES = np.empty((T, n, G * u), dt) if kind != "simple" else None
    RALL = np.empty((T, n, G * u), dt) if (kind == "gru" and not rb) else None
    RH = np.empty((T, n, u), dt) if rb else None
    for s in range(T):
        hp = H[s]
        r = rec(hp)
        if kind == "simple":
            K.simple_step_forward(XP[s], r, hp, Mt[s], act, H[s + 1])
        elif kind == "lstm":
            K.lstm_step_forward(g3(XP[s]), g3(r), hp, C[s], Mt[s], act, ract, g3(GATES[s]), H[s + 1],
                                C[s + 1])
        elif not rb:
            RALL[s] = r
            K.gru_step_forward(g3(XP[s]), g3(r), hp, Mt[s], act, ract, g3(GATES[s]), H[s + 1])
        else:
            hin = hp * rmasks[2] if rmasks is not None else hp
            K.gru_zr_forward(g3(XP[s]), g3(r), np.ascontiguousarray(hin), ract, g3(GATES[s]), RH[s])
            K.gru_h_forward(g3(XP[s]), RH[s] @ Uh, hp, Mt[s], act, g3(GATES[s]), H[s + 1])

    seq = H[1:]
    if zero_output_for_mask and mask is not None:
        seq = seq * Mt[:, :, None]
    To = T if return_sequences else 1
    packed = np.empty((n, To + S, u), dt)
    if return_sequences:
        packed[:, :T] = seq.transpose(1, 0, 2)
    else:
        packed[:, 0] = seq[-1]
    packed[:, To] = H[T]
    if C is not None:
        packed[:, To + 1] = C[T]

    def backward(g, needs):
        gt = np.asarray(g, dt).transpose(1, 0, 2)
        dout = gt[:To]
        if zero_output_for_mask and mask is not None:
            dout = dout * (Mt[:, :, None] if return_sequences else Mt[-1][None, :, None])
        dh = np.array(gt[To])
        dc = np.array(gt[To + 1]) if C is not None else None
        DXP = np.empty((T, n, G * u), dt)
        DR = DXP if kind in ("simple", "lstm") else np.empty((T, n, Gr * u), dt)
        dhp = np.empty((n, u), dt)
        dcp = np.empty((n, u), dt) if C is not None else None
        work = np.empty((3, u), dt) if C is not None else None
        for s in range(T - 1, -1, -1):
            if return_sequences:
                dhs = np.ascontiguousarray(dh + dout[s])
            elif s == T - 1:
                dhs = np.ascontiguousarray(dh + dout[0])
            else:
                dhs = dh
            if kind == "simple":
                K.simple_step_backward(dhs, H[s + 1], Mt[s], act, DXP[s], dhp)
                dh = dhp + rec_back(DXP[s])
            elif kind == "lstm":
                K.lstm_step_backward(dhs, dc, g3(GATES[s]), C[s + 1], C[s], Mt[s], act, ract,
                                     g3(DXP[s]), dhp, dcp, work)
                dh = dhp + rec_back(DXP[s])
                dc, dcp = dcp, dc
            elif not rb:
                K.gru_step_backward(dhs, g3(GATES[s]), g3(RALL[s]), H[s], Mt[s], act, ract, g3(DXP[s]),
                                    g3(DR[s]), dhp)
                dh = dhp + rec_back(DR[s])
            else:
                K.gru_h_backward(dhs, g3(GATES[s]), H[s], Mt[s], act, ract, g3(DXP[s]), dhp)
                drh = DXP[s][:, 2 * u:] @ UhT
                hin = np.ascontiguousarray(H[s] * rmasks[2] if rmasks is not None else H[s])
                dhin = np.empty((n, u), dt)
                K.gru_zr_backward(drh, g3(GATES[s]), hin, ract, g3(DXP[s]), dhin)
                DR[s] = DXP[s][:, :2 * u]
                if rmasks is not None:
                    dhin *= rmasks[2]
                dh = dhp + rec_back(DR[s]) + dhin
        DXPf = DXP.reshape(T * n, G * u)
        gx = gw = gu = gb = None
        if needs[0]:
            if imasks is None:
                dX = DXPf @ W.T
            elif single_im:
                dX = (DXPf @ W.T).reshape(T, n, D) * im
            else:
                dX = np.zeros((T, n, D), dt)
                for k in range(G):
                    dX += (DXPf[:, k * u:(k + 1) * u] @ W[:, k * u:(k + 1) * u].T).reshape(T, n, D) * im[k]
            dX = dX.reshape(T, n, D)
            if go_backwards:
                dX = dX[::-1]
            gx = np.ascontiguousarray(dX.transpose(1, 0, 2))
        if needs[1]:
            if imasks is None:
                gw = X2.T @ DXPf
            elif single_im:
                gw = (Xt * im).reshape(T * n, D).T @ DXPf
            else:
                gw = np.empty_like(W)
                for k in range(G):
                    gw[:, k * u:(k + 1) * u] = (Xt * im[k]).reshape(T * n, D).T @ DXPf[:, k * u:(k + 1) * u]
        if needs[2]:
            gu = np.empty_like(U)
            Hp = H[:T].reshape(T * n, u)
            DRf = DR.reshape(T * n, Gr * u)
            if rmasks is None:
                gu[:, :Gr * u] = Hp.T @ DRf
            else:
                for k in range(Gr):
                    hm = (H[:T] * rmasks[k]).reshape(T * n, u)
                    gu[:, k * u:(k + 1) * u] = hm.T @ DRf[:, k * u:(k + 1) * u]
            if rb:
                gu[:, 2 * u:] = RH.reshape(T * n, u).T @ DXPf[:, 2 * u:]
        if b is not None and needs[3]:
            gin = DXPf.sum(axis=0)
            gb = np.stack([gin, DR.reshape(T * n, -1).sum(axis=0)]) if b_rec is not None else gin
        grads = [gx, gw, gu, gb, dh]
        if C is not None:
            grads.append(dc)
        return tuple(grads)

    inputs = (x, kernel, recurrent_kernel, bias) + tuple(initial_states)
    out = record(packed, inputs, backward)
    output = out[:, :T] if return_sequences else out[:, 0]
    states = [out[:, To + k] for k in range(S)]
    return output, states
