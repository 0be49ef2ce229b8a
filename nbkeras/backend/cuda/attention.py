"""The softmax stage of fused scaled dot-product attention, one thread per logits row.

Same names and arguments as `nbkeras.backend.cpu.attention` (see it for the layout):
the GEMMs around it run in cuBLAS through the device's `matmul`.
"""

import math

from numba import cuda

from nbkeras.backend.cuda._launch import device, kernel, launch

_NEG = -0.7 * 3.38953e38  # Keras's large negative for masked logits


@device
def _allowed(mask, b, n, t, s, causal):
    if causal and s > t:
        return False
    if mask.size == 0:
        return True
    i0 = b if mask.shape[0] > 1 else 0
    i1 = n if mask.shape[1] > 1 else 0
    i2 = t if mask.shape[2] > 1 else 0
    i3 = s if mask.shape[3] > 1 else 0
    return mask[i0, i1, i2, i3] != 0


@device
def _logit(logits, bias, mask, scale, causal, b, n, t, s):
    if not _allowed(mask, b, n, t, s, causal):
        return _NEG
    z = logits[b, n, t, s] * scale
    if bias.size > 0:
        i0 = b if bias.shape[0] > 1 else 0
        i1 = n if bias.shape[1] > 1 else 0
        i2 = t if bias.shape[2] > 1 else 0
        i3 = s if bias.shape[3] > 1 else 0
        z += bias[i0, i1, i2, i3]
    return z


@kernel
def _forward(logits, mask, bias, scale, causal, probs):
    r = cuda.grid(1)
    B, N, T, S = logits.shape
    if r < B * N * T:
        b, n, t = r // (N * T), (r // T) % N, r % T
        mx = _logit(logits, bias, mask, scale, causal, b, n, t, 0)
        for s in range(1, S):
            mx = max(mx, _logit(logits, bias, mask, scale, causal, b, n, t, s))
        mx = float(mx)
        tot = 0.0
        for s in range(S):  # logits read before probs (which may be logits) is written
            e = math.exp(_logit(logits, bias, mask, scale, causal, b, n, t, s) - mx)
            tot += e
        inv = 1.0 / tot
        for s in range(S):
            probs[b, n, t, s] = math.exp(
                _logit(logits, bias, mask, scale, causal, b, n, t, s) - mx) * inv


@kernel
def _backward(g, probs, mask, scale, causal, out, dbias):
    r = cuda.grid(1)
    B, N, T, S = probs.shape
    if r < B * N * T:
        b, n, t = r // (N * T), (r // T) % N, r % T
        d = 0.0
        for s in range(S):
            d += g[b, n, t, s] * probs[b, n, t, s]
        for s in range(S):
            dz = 0.0
            if _allowed(mask, b, n, t, s, causal):
                dz = probs[b, n, t, s] * (g[b, n, t, s] - d)
            if dbias.size > 0:
                dbias[b, n, t, s] = dz
            out[b, n, t, s] = dz * scale


def attention_softmax_forward(logits, mask, bias, scale, causal, probs):
    """probs = softmax(where(mask, scale * logits + bias, -0.7 * max)) per (b, n, t) row."""
    B, N, T, _ = logits.shape
    launch(_forward, B * N * T, logits, mask, bias, scale, causal, probs)


def attention_softmax_backward(g, probs, mask, scale, causal, out, dbias):
    """out = scale * probs * (g - sum(g * probs)), zero where masked; dbias = the unscaled."""
    B, N, T, _ = probs.shape
    launch(_backward, B * N * T, g, probs, mask, scale, causal, out, dbias)
