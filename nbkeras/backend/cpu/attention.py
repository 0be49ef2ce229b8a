"""The softmax stage of fused scaled dot-product attention, on (B, N, T, S) logits.

`ops.dot_product_attention` runs the products q k^T, p v and their gradients as
batched BLAS GEMMs on strided views (no transposed copies), and everything between
them in one kernel call over the logits here: scale, bias, boolean mask, causal mask and the
softmax with the row-max trick forward; the softmax gradient, the mask and the scale
backward.

Measured at keras.io's text-classifier sizes (B 32, N 2, T = S = 200, 32 features) on 2
shared cores: a kernel that also did the products per (batch, head) was 2-3x slower
than BLAS, so the GEMMs stay in BLAS; and a `prange` version of these kernels was at
best 20% faster and at the median 4x slower beside other processes (the thread trap
of the Numba recipe), so they are serial.

Masked logits become -0.7 * float32 max before the softmax (Keras's value), so a row
with every position masked is uniform, as in Keras's `dot_product_attention`, and
gets no gradient.

`mask` (uint8, nonzero = attend) and `bias` are 4-D with each axis either full or 1
(broadcast); an empty (0, 0, 0, 0) array means none. `causal` forbids keys after the
query's position (s > t). `scale` is a scalar of the logits' dtype.
"""

import numpy as np

from nbkeras.backend.cpu import fastmath
from nbkeras.backend.cpu._jit import jit

_NEG = -0.7 * 3.38953e38  # Keras's large negative for masked logits (float32-safe)


@jit(inline="always")
def _row_of(a, b, n, t):
    """The (broadcast) last-axis row of a 4-D mask or bias for logits row (b, n, t)."""
    return a[b if a.shape[0] > 1 else 0, n if a.shape[1] > 1 else 0, t if a.shape[2] > 1 else 0]


@jit(inline="always")
def _row_max(row, lanes):
    """max of a 1-D row, in 16 independent lanes (`lanes`: 16 scratch entries) so that
    the loop vectorizes (a single running max does not, without fastmath's nnan). A NaN
    never wins a comparison; it reaches the softmax through exp and the sum."""
    n = row.shape[0]
    for i in range(16):
        lanes[i] = row[0]
    n16 = n // 16 * 16
    for s0 in range(0, n16, 16):
        for i in range(16):
            v = row[s0 + i]
            lanes[i] = v if v > lanes[i] else lanes[i]
    mx = lanes[0]
    for i in range(1, 16):
        mx = lanes[i] if lanes[i] > mx else mx
    for s in range(n16, n):
        mx = row[s] if row[s] > mx else mx
    return mx


@jit
def attention_softmax_forward(logits, mask, bias, scale, causal, probs):
    """probs = softmax(where(mask, scale * logits + bias, -0.7 * max)); probs may be logits."""
    B, N, T, S = logits.shape
    has_mask, has_bias = mask.size > 0, bias.size > 0
    zero = scale - scale  # a zero of the arrays' dtype
    one = zero + np.float32(1.0)
    for bn in range(B * N):
        lanes = np.empty(16, logits.dtype)
        b, n = bn // N, bn % N
        for t in range(T):
            x = logits[b, n, t]
            row = probs[b, n, t]
            for s in range(S):
                row[s] = x[s] * scale
            if has_bias:
                bb = _row_of(bias, b, n, t)
                if bb.shape[0] > 1:
                    for s in range(S):
                        row[s] += bb[s]
                else:
                    for s in range(S):
                        row[s] += bb[0]
            if has_mask:
                mm = _row_of(mask, b, n, t)
                if mm.shape[0] > 1:
                    for s in range(S):
                        if mm[s] == 0:
                            row[s] = _NEG
                elif mm[0] == 0:
                    for s in range(S):
                        row[s] = _NEG
            if causal:
                for s in range(t + 1, S):
                    row[s] = _NEG
            mx = _row_max(row, lanes)
            tot = zero
            for s in range(S):
                e = fastmath.exp(row[s] - mx)
                row[s] = e
                tot += e
            inv = one / tot
            for s in range(S):
                row[s] *= inv


@jit
def attention_softmax_backward(g, probs, mask, scale, causal, out, dbias):
    """out = scale * d(logits) from g = d(probs); dbias (written when it has elements)
    = the unscaled gradient of the biased logits. Masked positions get zero; out may be g."""
    B, N, T, S = probs.shape
    has_mask, want_bias = mask.size > 0, dbias.size > 0
    zero = scale - scale
    for bn in range(B * N):
        b, n = bn // N, bn % N
        for t in range(T):
            gr = g[b, n, t]
            p = probs[b, n, t]
            o = out[b, n, t]
            d = zero
            for s in range(S):
                d += gr[s] * p[s]
            for s in range(S):
                o[s] = p[s] * (gr[s] - d)
            if has_mask:  # masked logits are constants: no gradient
                mm = _row_of(mask, b, n, t)
                if mm.shape[0] > 1:
                    for s in range(S):
                        if mm[s] == 0:
                            o[s] = 0.0
                elif mm[0] == 0:
                    for s in range(S):
                        o[s] = 0.0
            if causal:
                for s in range(t + 1, S):
                    o[s] = 0.0
            if want_bias:
                db = dbias[b, n, t]
                for s in range(S):
                    db[s] = o[s]
            for s in range(S):
                o[s] *= scale
