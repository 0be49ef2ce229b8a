"""The recurrent op behind SimpleRNN, LSTM and GRU, with its own backward through time.

The input projection of all time steps is one GEMM up front (BLAS); each step then
does its small recurrent product in BLAS and its cell in one fused kernel. The
backward pass walks the steps in reverse with the matching fused kernels and computes
the weight gradients as whole-sequence GEMMs at the end. Each kind of cell is one
small object (`_SimpleCell`, `_LSTMCell`, `_GRUCell`, `_GRUResetBeforeCell`) that owns
its step buffers and its two kernel calls per step; `rnn` does everything they share.

SimpleRNN, LSTM and GRU (reset_after) without recurrent dropout hand the whole time
loop, forward and backward, to the device (`rnn_sequence_forward` / `_backward`: on the
CPU one Numba call per block of batch rows, the same GEMMs and cell kernels, so the
same bits). Where the device declines, and for recurrent dropout and GRU with
reset_after=False, the step loops below run in Python, so what each step costs outside
its GEMM and its kernel counts: the recurrent products write into buffers allocated
once per call (not one array per step), and without a time mask the SimpleRNN and LSTM
kernels leave no direct part in dh_prev, so the step's state gradient is the recurrent
product itself.

`rnn` is one call of `ops.core.op`: the forward pass (`_sequence`) runs on the arrays
alone and hands back its backward pass, kept in a closure cell that each forward call
resets, so a replayed training step or forward plan reruns it as it is.
"""

from nbkeras.backend import kernels as K
from nbkeras.backend.activation_codes import RNN_ACTIVATIONS as ACTIVATIONS
from nbkeras.ops.core import op, recording
from nbkeras.ops.numpy import getitem


class _Steps:
    """What every cell's step needs: sizes, the time mask, states, recurrent products."""

    def __init__(self, xp, n, T, u, dt, Mt, rmasks, act, ract):
        self.xp, self.n, self.T, self.u, self.dt = xp, n, T, u, dt
        self.Mt, self.rmasks, self.act, self.ract = Mt, rmasks, act, ract

    def g3(self, a):  # (batch, gates * units) -> the kernels' (batch, gates, units) view
        return a.reshape(a.shape[0], -1, self.u)


class _Cell:
    """One kind of recurrent cell: `gates` gate blocks, `rec_gates` of them from one
    GEMM of the previous state, `states` carried states (h, or h and c)."""

    gates = rec_gates = states = 1
    own_rec_grad = False  # whether the recurrent gradients need a buffer apart from DXP
    # whether the kernel's direct part of dh_prev is zero on every unmasked row
    direct_dh_zero_unmasked = False
    sequence_kind = None  # the rnn_sequence kernels' name for this cell, if they run it
    RALL = None  # every step's recurrent product, for cells whose backward reads it

    def __init__(self, st, U):
        self.st = st
        xp, T, n, u, dt = st.xp, st.T, st.n, st.u, st.dt
        self.H = xp.empty((T + 1, n, u), dt)
        self.C = xp.empty((T + 1, n, u), dt) if self.states == 2 else None
        self.gate_buf = xp.empty((T, n, self.gates * u), dt) if self.gates > 1 else None

    def init_states(self, initial_states):
        """H[0] (and C[0]) from the initial states; a None state starts at zeros."""
        xp, dt = self.st.xp, self.st.dt
        for buf, h in zip((self.H, self.C), initial_states):
            buf[0] = 0 if h is None else xp.asarray(h, dt)

    def begin_backward(self, dc):
        """Allocate the backward buffers; `dc` is the gradient of the final cell state."""
        xp, T, n, u, dt = self.st.xp, self.st.T, self.st.n, self.st.u, self.st.dt
        self.DXP = xp.empty((T, n, self.gates * u), dt)
        self.DR = (xp.empty((T, n, self.rec_gates * u), dt) if self.own_rec_grad
                   else self.DXP)
        self.dhp = xp.empty((n, u), dt)
        self.dc = dc

    def extra_recurrent_grad(self, gu, DXPf):
        """Add gradients of recurrent weights outside the main GEMM (none by default)."""

    def _none(self, a, ndim):
        return a if a is not None else self.st.xp.empty((0,) * ndim, self.st.dt)

    def run_forward(self, XP, b_in, Ur, b_rec, rbuf):
        """Every forward step in one device call, which adds b_in to XP step by step;
        False when the device leaves them to us."""
        st = self.st
        r = rbuf if self.RALL is None else self.RALL
        return K.rnn_sequence_forward(self.sequence_kind, XP, self._none(b_in, 1), Ur,
                                      self._none(b_rec, 1), self.H,
                                      self._none(self.C, 3), st.Mt, st.act, st.ract,
                                      self._none(self.gate_buf, 3), r)

    def run_backward(self, dh, dout, UrT):
        """Every backward step in one device call (dh, self.dc updated in place)."""
        st = self.st
        return K.rnn_sequence_backward(self.sequence_kind, dh, self._none(self.dc, 2),
                                       st.xp.ascontiguousarray(dout), UrT,
                                       self._none(self.gate_buf, 3),
                                       self._none(self.RALL, 3), self.H,
                                       self._none(self.C, 3), st.Mt, st.act, st.ract,
                                       self.DXP, self.DR)


class _SimpleCell(_Cell):
    direct_dh_zero_unmasked = True
    sequence_kind = "simple"

    def forward(self, s, xp_s, r):
        st = self.st
        K.simple_step_forward(xp_s, r, self.H[s], st.Mt[s], st.act, self.H[s + 1])

    def backward(self, s, dhs, rec_back):
        st = self.st
        K.simple_step_backward(dhs, self.H[s + 1], st.Mt[s], st.act, self.DXP[s], self.dhp)
        return rec_back(self.DXP[s], self.dhp)


class _LSTMCell(_Cell):
    gates = rec_gates = 4
    states = 2
    direct_dh_zero_unmasked = True
    sequence_kind = "lstm"

    def forward(self, s, xp_s, r):
        st, g3 = self.st, self.st.g3
        K.lstm_step_forward(g3(xp_s), g3(r), self.H[s], self.C[s], st.Mt[s], st.act, st.ract,
                            g3(self.gate_buf[s]), self.H[s + 1], self.C[s + 1])

    def begin_backward(self, dc):
        super().begin_backward(dc)
        xp, n, u, dt = self.st.xp, self.st.n, self.st.u, self.st.dt
        self.dcp = xp.empty((n, u), dt)
        self.work = xp.empty((3, u), dt)

    def backward(self, s, dhs, rec_back):
        st, g3 = self.st, self.st.g3
        K.lstm_step_backward(dhs, self.dc, g3(self.gate_buf[s]), self.C[s + 1], self.C[s],
                             st.Mt[s], st.act, st.ract, g3(self.DXP[s]), self.dhp, self.dcp,
                             self.work)
        self.dc, self.dcp = self.dcp, self.dc
        return rec_back(self.DXP[s], self.dhp)


class _GRUCell(_Cell):
    """GRU with the reset gate after the recurrent matmul (Keras's reset_after=True)."""

    gates = rec_gates = 3
    own_rec_grad = True
    sequence_kind = "gru"

    def __init__(self, st, U):
        super().__init__(st, U)
        self.RALL = st.xp.empty((st.T, st.n, 3 * st.u), st.dt)

    def forward(self, s, xp_s, r):
        st, g3 = self.st, self.st.g3
        self.RALL[s] = r
        K.gru_step_forward(g3(xp_s), g3(r), self.H[s], st.Mt[s], st.act, st.ract,
                           g3(self.gate_buf[s]), self.H[s + 1])

    def backward(self, s, dhs, rec_back):
        st, g3 = self.st, self.st.g3
        K.gru_step_backward(dhs, g3(self.gate_buf[s]), g3(self.RALL[s]), self.H[s], st.Mt[s],
                            st.act, st.ract, g3(self.DXP[s]), g3(self.DR[s]), self.dhp)
        return rec_back(self.DR[s], self.dhp)


class _GRUResetBeforeCell(_Cell):
    """GRU with the reset gate applied to the state before its matmul (reset_after=False):
    only z and r come from the GEMM of the previous state; h's uses the reset state."""

    gates, rec_gates = 3, 2
    own_rec_grad = True

    def __init__(self, st, U):
        super().__init__(st, U)
        xp, u = st.xp, st.u
        self.Uh = xp.ascontiguousarray(U[:, 2 * u:])
        self.UhT = xp.ascontiguousarray(self.Uh.T)
        self.RH = xp.empty((st.T, st.n, u), st.dt)

    def _hin(self, h):
        rm = self.st.rmasks
        return self.st.xp.ascontiguousarray(h * rm[2] if rm is not None else h)

    def forward(self, s, xp_s, r):
        st, g3 = self.st, self.st.g3
        K.gru_zr_forward(g3(xp_s), g3(r), self._hin(self.H[s]), st.ract, g3(self.gate_buf[s]),
                         self.RH[s])
        K.gru_h_forward(g3(xp_s), K.matmul(self.RH[s], self.Uh), self.H[s], st.Mt[s], st.act,
                        g3(self.gate_buf[s]), self.H[s + 1])

    def backward(self, s, dhs, rec_back):
        st, g3, u = self.st, self.st.g3, self.st.u
        gates, DXP = g3(self.gate_buf[s]), self.DXP[s]
        K.gru_h_backward(dhs, gates, self.H[s], st.Mt[s], st.act, st.ract, g3(DXP), self.dhp)
        drh = K.matmul(DXP[:, 2 * u:], self.UhT)
        dhin = st.xp.empty((st.n, u), st.dt)
        K.gru_zr_backward(drh, gates, self._hin(self.H[s]), st.ract, g3(DXP), dhin)
        self.DR[s] = DXP[:, :2 * u]
        if st.rmasks is not None:
            dhin *= st.rmasks[2]
        return rec_back(self.DR[s], self.dhp) + dhin

    def extra_recurrent_grad(self, gu, DXPf):
        T, n, u = self.st.T, self.st.n, self.st.u
        gu[:, 2 * u:] = K.matmul(self.RH.reshape(T * n, u).T, DXPf[:, 2 * u:])


def _cell_class(kind, reset_after):
    if kind == "gru":
        return _GRUCell if reset_after else _GRUResetBeforeCell
    return {"simple": _SimpleCell, "lstm": _LSTMCell}[kind]


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

    One call of `ops.core.op` (inputs: x, the weights, the mask and the initial states, of
    which a None state starts at zeros): what its backward pass reads from the forward (the
    states of every step, the gate buffers) lives in a closure cell that each forward call
    resets, so a replayed training step or forward plan can rerun it. The dropout masks are
    bound in the closure (drawn once per call, so a step that draws them is not static).

    Example:
        >>> out, (h,) = rnn("simple", np.ones((2, 3, 4), "float32"), W, U, b,
        ...                 [np.zeros((2, 5), "float32")])
    """
    cfg = (kind, go_backwards, activation, recurrent_activation, reset_after,
           zero_output_for_mask, return_sequences)
    dropout = (input_masks, recurrent_masks)
    # Without a tape no backward pass can follow (a forward plan of predict replays this
    # call as it is): the forward then keeps nothing of its buffers.
    keep = recording()
    run = None  # the last forward's backward pass (with its buffers)

    def forward(xp, x, kernel, recurrent_kernel, bias, mask, *states):
        nonlocal run
        run = None  # let go of the last call's buffers before this one takes them
        out, back = _sequence(cfg, dropout, x, kernel, recurrent_kernel, bias, mask, states)
        run = back if keep else None
        return out

    def backward(xp, g, needs, arrays, out):
        return run(g, needs)

    inputs = (x, kernel, recurrent_kernel, bias, mask) + tuple(initial_states)
    out = op("rnn", forward, inputs, backward)
    T = x.shape[1]
    To = T if return_sequences else 1
    output = getitem(out, (slice(None), slice(None, T)) if return_sequences
                     else (slice(None), 0))
    S = _cell_class(kind, reset_after).states
    states = [getitem(out, (slice(None), To + k)) for k in range(S)]
    return output, states


def _sequence(cfg, dropout, xa, W, U, b, mask, initial_states):
    """The forward pass of `rnn` on arrays: (the packed outputs and final states, its
    `backward(g, needs)`, which returns the gradients of `rnn`'s op inputs)."""
    kind, go_backwards, activation, recurrent_activation, reset_after, \
        zero_output_for_mask, return_sequences = cfg
    input_masks, recurrent_masks = dropout
    xp = K.xp
    dt = W.dtype
    xa = xp.asarray(xa)
    if xa.dtype != dt:
        xa = xa.astype(dt)
    n, T, D = xa.shape
    u = U.shape[0]
    Cell = _cell_class(kind, reset_after)
    G, Gr, S = Cell.gates, Cell.rec_gates, Cell.states
    b_in = b_rec = None
    if b is not None:
        if kind == "gru" and reset_after:
            b_in, b_rec = b[0], b[1]
        else:
            b_in = b

    Xt = xp.ascontiguousarray(xa.transpose(1, 0, 2)[::-1] if go_backwards else xa.transpose(1, 0, 2))
    if mask is None:
        Mt = xp.ones((T, n), dt)
    else:
        m = xp.asarray(mask).astype(dt).T
        Mt = xp.ascontiguousarray(m[::-1] if go_backwards else m)
    imasks = input_masks
    single_im = imasks is not None and not isinstance(imasks, (list, tuple))
    rmasks = None if recurrent_masks is None else [xp.asarray(r, dt) for r in recurrent_masks]

    # Input projection of every step: one GEMM (one per gate with per-gate dropout masks).
    X2 = Xt.reshape(T * n, D)
    if imasks is None:
        XP = K.matmul(X2, W)
    elif single_im:
        im = xp.asarray(imasks, dt)
        XP = K.matmul((Xt * im).reshape(T * n, D), W)
    else:
        im = [xp.asarray(v, dt) for v in imasks]
        XP = xp.empty((T * n, G * u), dt)
        for k in range(G):
            XP[:, k * u:(k + 1) * u] = K.matmul((Xt * im[k]).reshape(T * n, D), W[:, k * u:(k + 1) * u])
    XP = XP.reshape(T, n, G * u)  # the input bias: added below, by the steps or up front

    Ur = xp.ascontiguousarray(U[:, :Gr * u])
    UrT = xp.ascontiguousarray(Ur.T)
    Uks = [xp.ascontiguousarray(U[:, k * u:(k + 1) * u]) for k in range(Gr)] if rmasks else None
    UksT = [xp.ascontiguousarray(v.T) for v in Uks] if rmasks else None

    rbuf = xp.empty((n, Gr * u), dt)

    def rec(hp):
        if rmasks is None:
            r = K.matmul(hp, Ur, out=rbuf)  # the step's kernel reads it before the next
        else:
            r = xp.empty((n, Gr * u), dt)
            for k in range(Gr):
                r[:, k * u:(k + 1) * u] = K.matmul(hp * rmasks[k], Uks[k])
        if b_rec is not None:
            r += b_rec
        return r

    dh_bufs = [xp.empty((n, u), dt), xp.empty((n, u), dt)]  # alternate: dh feeds the next step
    skip_direct = mask is None and Cell.direct_dh_zero_unmasked

    def rec_back(d, direct):
        """dh_prev: `direct` (the kernel's part) plus the recurrent product of d."""
        if rmasks is None:
            out = dh_bufs[0]
            dh_bufs.reverse()
            K.matmul(d, UrT, out=out)
            if not skip_direct:
                out += direct
            return out
        out = xp.array(direct)
        for k in range(Gr):
            out += K.matmul(d[:, k * u:(k + 1) * u], UksT[k]) * rmasks[k]
        return out

    act, ract = ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]
    cell = Cell(_Steps(xp, n, T, u, dt, Mt, rmasks, act, ract), U)
    cell.init_states(initial_states)
    H, C = cell.H, cell.C
    # One device call for the whole loop where it runs it (no recurrent dropout).
    fused = rmasks is None and Cell.sequence_kind is not None
    if not (fused and cell.run_forward(XP, b_in, Ur, b_rec, rbuf)):
        fused = False
        if b_in is not None:
            XP += b_in
        for s in range(T):
            cell.forward(s, XP[s], rec(H[s]))

    seq = H[1:]
    if zero_output_for_mask and mask is not None:
        seq = seq * Mt[:, :, None]
    To = T if return_sequences else 1
    packed = xp.empty((n, To + S, u), dt)
    if return_sequences:
        packed[:, :T] = seq.transpose(1, 0, 2)
    else:
        packed[:, 0] = seq[-1]
    packed[:, To] = H[T]
    if C is not None:
        packed[:, To + 1] = C[T]

    def backward(g, needs):
        gt = xp.asarray(g, dt).transpose(1, 0, 2)
        dout = gt[:To]
        if zero_output_for_mask and mask is not None:
            dout = dout * (Mt[:, :, None] if return_sequences else Mt[-1][None, :, None])
        dh = xp.array(gt[To])
        cell.begin_backward(xp.array(gt[To + 1]) if C is not None else None)
        done = fused and cell.run_backward(dh, dout, UrT)  # dh: the initial state's gradient
        for s in () if done else range(T - 1, -1, -1):
            if return_sequences:
                dhs = xp.ascontiguousarray(dh + dout[s])
            elif s == T - 1:
                dhs = xp.ascontiguousarray(dh + dout[0])
            else:
                dhs = dh
            dh = cell.backward(s, dhs, rec_back)
        DXP, DR = cell.DXP, cell.DR
        DXPf = DXP.reshape(T * n, G * u)
        gx = gw = gu = gb = None
        if needs[0]:
            if imasks is None:
                dX = K.matmul(DXPf, W.T)
            elif single_im:
                dX = K.matmul(DXPf, W.T).reshape(T, n, D) * im
            else:
                dX = xp.zeros((T, n, D), dt)
                for k in range(G):
                    dX += K.matmul(DXPf[:, k * u:(k + 1) * u], W[:, k * u:(k + 1) * u].T).reshape(T, n, D) * im[k]
            dX = dX.reshape(T, n, D)
            if go_backwards:
                dX = dX[::-1]
            gx = xp.ascontiguousarray(dX.transpose(1, 0, 2))
        if needs[1]:
            if imasks is None:
                gw = K.matmul(X2.T, DXPf)
            elif single_im:
                gw = K.matmul((Xt * im).reshape(T * n, D).T, DXPf)
            else:
                gw = xp.empty_like(W)
                for k in range(G):
                    gw[:, k * u:(k + 1) * u] = K.matmul((Xt * im[k]).reshape(T * n, D).T, DXPf[:, k * u:(k + 1) * u])
        if needs[2]:
            gu = xp.empty_like(U)
            Hp = H[:T].reshape(T * n, u)
            DRf = DR.reshape(T * n, Gr * u)
            if rmasks is None:
                gu[:, :Gr * u] = K.matmul(Hp.T, DRf)
            else:
                for k in range(Gr):
                    hm = (H[:T] * rmasks[k]).reshape(T * n, u)
                    gu[:, k * u:(k + 1) * u] = K.matmul(hm.T, DRf[:, k * u:(k + 1) * u])
            cell.extra_recurrent_grad(gu, DXPf)
        if b is not None and needs[3]:
            gin = xp.empty(G * u, dt)
            K.col_sum(DXPf, gin)
            if b_rec is not None:
                grec = xp.empty(Gr * u, dt)
                K.col_sum(xp.ascontiguousarray(DR.reshape(T * n, -1)), grec)
                gb = xp.stack([gin, grec])
            else:
                gb = gin
        grads = [gx, gw, gu, gb, None, xp.array(dh)]
        if C is not None:
            grads.append(cell.dc)
        return tuple(grads)

    return packed, backward
