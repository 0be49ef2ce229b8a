"""`ops.dot_product_attention`: Keras 3's fused scaled dot-product attention.

Inputs are (B, T, N, H) queries and (B, S, K, H) keys and values (K key/value heads;
N a multiple of K is grouped-query attention). The products q k^T and p v (and the
four of the backward pass) run as batched GEMMs on strided views of the inputs, and
the scale, bias, masks and softmax run in one device kernel over the (B, N, T, S)
logits (`attention_softmax_forward` / `_backward`), so one op records one tape node
and keeps only the probabilities for the backward pass.
"""

import math

import numpy as np

from nbkeras import config as _config
from nbkeras.backend import kernels as K
from nbkeras.ops import numpy as knp
from nbkeras.ops.core import op, unwrap

_EMPTY_SHAPE = (0, 0, 0, 0)


def _check_shapes(q, k, v):
    qs, ks, vs = knp.shape(q), knp.shape(k), knp.shape(v)
    if len(qs) != 4 or len(ks) != 4 or len(vs) != 4:
        raise ValueError(
            "`dot_product_attention` only supports 4D inputs. "
            f"Received: query.shape={qs}, key.shape={ks}, value.shape={vs}.")
    if ks[:3] != vs[:3] or qs[0] != ks[0] or qs[3] != ks[3]:
        raise ValueError(
            "`dot_product_attention` expects query (B, T, N, H), key (B, S, K, H) and value "
            "(B, S, K, H_value) with the same B, the same S and K for key and value, and the "
            f"same H for query and key. Received: query.shape={qs}, key.shape={ks}, "
            f"value.shape={vs}")
    if qs[2] % ks[2]:
        raise ValueError(
            "`dot_product_attention` needs the query's number of heads to be a multiple of "
            f"the key's (grouped-query attention). Received: query.shape={qs}, "
            f"key.shape={ks}")


def _as_4d(x, full, name, xp, dtype=None):
    """x (the mask, as uint8, or a bias of `dtype`) as a C-contiguous 4-D array whose
    axes are full or 1."""
    a = xp.asarray(unwrap(x))
    shape = tuple(a.shape)
    if a.ndim > 4 or any(d not in (1, f) for d, f in zip(((1,) * 4 + shape)[-4:], full)):
        raise ValueError(
            f"`{name}` must be broadcastable to (B, N, T, S) = {full}. "
            f"Received: {name}.shape={shape}")
    a = a.reshape((1,) * (4 - a.ndim) + shape)
    if name == "mask":
        return xp.ascontiguousarray(a != 0, dtype=np.uint8)
    return xp.ascontiguousarray(a, dtype=dtype)


def _float_dtype(*arrays):
    dt = np.result_type(*[a.dtype for a in arrays])
    if dt.kind != "f":
        dt = np.dtype(_config.floatx())
    if dt == np.float16:
        raise TypeError("nbkeras kernels compute in float32 or float64; float16 is not "
                        "supported. Received: an array of dtype float16")
    return dt


def _heads_first(x):
    """(B, L, N, H) -> a (B, N, L, H) strided view (BLAS-ready: H has unit stride)."""
    return x.transpose(0, 2, 1, 3)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention: softmax(scale * q k^T + bias, masked) v.

    Args:
        query: (B, T, N, H) queries.
        key: (B, S, K, H) keys; K divides N (K < N: grouped-query attention).
        value: (B, S, K, H_value) values.
        bias: added to the logits; broadcastable to (B, N, T, S). Differentiable.
        mask: boolean, broadcastable to (B, N, T, S); True where attention is allowed.
            A query row with no allowed key attends uniformly, as in Keras.
        scale: the logits' scale (1 / sqrt(H) when None).
        is_causal: forbid attending to keys after the query's position.
        flash_attention: must be None or False (no flash kernel on nbkeras's devices).
        attn_logits_soft_cap: must be None (Keras supports it only with JAX on TPU).

    Returns:
        (B, T, N, H_value): the attention output, in the inputs' float dtype.

    Example:
        >>> q = np.random.rand(2, 4, 8, 16).astype("float32")
        >>> k = v = np.random.rand(2, 6, 8, 16).astype("float32")
        >>> ops.dot_product_attention(q, k, v).shape
        (2, 4, 8, 16)
    """
    if attn_logits_soft_cap is not None:
        raise ValueError(
            "attn_logits_soft_cap is only supported for JAX on TPU. Set "
            "attn_logits_soft_cap=None when not using JAX on TPU. "
            f"Received: attn_logits_soft_cap={attn_logits_soft_cap}")
    if flash_attention:
        raise ValueError("Flash attention is not supported on nbkeras's devices. "
                         f"Received: flash_attention={flash_attention}")
    _check_shapes(query, key, value)
    st = {}

    def forward(xp, q, k, v, b, m):
        q, k, v = xp.asarray(q), xp.asarray(k), xp.asarray(v)
        dt = _float_dtype(q, k, v)
        # C-contiguous inputs (an einsum's output may not be): their (B, N, L, H) views
        # then have unit feature strides, which BLAS takes without copies.
        q, k, v = (xp.ascontiguousarray(a, dtype=dt) for a in (q, k, v))
        B, T, N, H = q.shape
        S, KH, G = k.shape[1], k.shape[2], q.shape[2] // k.shape[2]
        full = (B, N, T, S)
        sc = dt.type(1.0 / math.sqrt(H) if scale is None else scale)
        m4 = xp.zeros(_EMPTY_SHAPE, np.uint8) if m is None else _as_4d(m, full, "mask", xp)
        b4 = xp.zeros(_EMPTY_SHAPE, dt) if b is None else _as_4d(b, full, "bias", xp, dt)
        if G > 1:  # grouped-query attention: query head n reads key/value head n // G
            k, v = xp.repeat(k, G, axis=2), xp.repeat(v, G, axis=2)
        kv, vv = _heads_first(k), _heads_first(v)
        # Outputs allocated C-contiguous here: matmul would follow its inputs' strides
        # (order 'K'), and the kernels compile a slow strided variant for such arrays.
        logits = K.matmul(_heads_first(q), kv.transpose(0, 1, 3, 2), out=xp.empty(full, dt))
        K.attention_softmax_forward(logits, m4, b4, sc, bool(is_causal), logits)
        out = xp.ascontiguousarray(K.matmul(logits, vv).transpose(0, 2, 1, 3))
        st.update(q=q, kv=kv, vv=vv, probs=logits, m4=m4, b4=b4, sc=sc, G=G, KH=KH)
        return out

    def backward(xp, g, needs, arrays, out):
        q, kv, vv, probs = st["q"], st["kv"], st["vv"], st["probs"]
        G, KH = st["G"], st["KH"]
        gh = _heads_first(xp.ascontiguousarray(g, dtype=probs.dtype))
        dq = dk = dv = db = None
        if needs[2]:
            dv = K.matmul(probs.transpose(0, 1, 3, 2), gh)  # (B, N, S, Hv)
        dlog = K.matmul(gh, vv.transpose(0, 1, 3, 2),  # d probs, (B, N, T, S)
                        out=xp.empty(probs.shape, probs.dtype))
        want_bias = st["b4"].size > 0 and needs[3]
        dbias = xp.empty_like(dlog) if want_bias else xp.zeros(_EMPTY_SHAPE, dlog.dtype)
        K.attention_softmax_backward(dlog, probs, st["m4"], st["sc"], bool(is_causal), dlog,
                                     dbias)
        if needs[0]:
            dq = xp.ascontiguousarray(K.matmul(dlog, kv).transpose(0, 2, 1, 3))
        if needs[1]:
            dk = K.matmul(dlog.transpose(0, 1, 3, 2), _heads_first(q))  # (B, N, S, H)
        res = []
        for d in (dk, dv):
            if d is not None:
                d = d.transpose(0, 2, 1, 3)  # (B, S, N, H)
                if G > 1:
                    d = d.reshape(d.shape[0], d.shape[1], KH, G, d.shape[3]).sum(axis=3)
                d = xp.ascontiguousarray(d)
            res.append(d)
        if want_bias:
            bshape = knp.shape(arrays[3])
            full = dbias.shape
            lead = ((1,) * 4 + tuple(bshape))[-4:]
            axes = tuple(i for i in range(4) if lead[i] == 1 and full[i] != 1)
            db = (dbias.sum(axis=axes, keepdims=True) if axes else dbias).reshape(bshape)
            db = db.astype(xp.asarray(arrays[3]).dtype, copy=False)
        return dq, res[0], res[1], db, None

    return op("dot_product_attention", forward, (query, key, value, bias, mask), backward,
              {"is_causal": is_causal, "flash_attention": flash_attention,
               "attn_logits_soft_cap": attn_logits_soft_cap, "scale": scale})
