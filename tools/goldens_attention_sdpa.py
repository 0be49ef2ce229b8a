"""Group 'attention_sdpa': `keras.ops.nn.dot_product_attention` from real Keras 3 (JAX).

Each case: query (B, T, N, H), key and value (B, S, K, H[v]), optional bias and boolean
mask (in the shapes given, broadcast by Keras to (B, N, T, S)), scale and is_causal; the
output and the JAX gradients of sum(output * R) for a fixed random R w.r.t. query, key,
value (and bias), so the tests check the backward pass against Keras too.
"""

import zlib

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

F = np.float32

# (id, (B, T, N, H), (S, K, Hv), kwargs); "mask"/"bias" give their shapes.
CASES = [
    ("plain", (2, 5, 2, 4), (6, 2, 4), {}),
    ("scale", (2, 4, 3, 3), (4, 3, 3), {"scale": 0.3}),
    ("causal", (2, 5, 2, 4), (5, 2, 4), {"is_causal": True}),
    ("causal_t_lt_s", (1, 3, 2, 4), (6, 2, 4), {"is_causal": True, "scale": 0.7}),
    ("mask_full", (2, 4, 2, 3), (5, 2, 3), {"mask": (2, 2, 4, 5)}),
    ("mask_keys", (2, 4, 2, 3), (5, 2, 3), {"mask": (2, 1, 1, 5)}),
    ("mask_rows_empty", (2, 4, 2, 3), (5, 2, 3), {"mask": (2, 1, 4, 5), "empty_row": True}),
    ("mask_causal_scale", (2, 5, 2, 4), (5, 2, 4),
     {"mask": (2, 1, 5, 5), "is_causal": True, "scale": 0.25}),
    ("bias", (2, 4, 2, 3), (5, 2, 3), {"bias": (2, 4, 5)}),
    ("bias_mask", (2, 4, 2, 3), (5, 2, 3), {"bias": (2, 2, 4, 5), "mask": (1, 1, 4, 5)}),
    ("gqa", (2, 4, 4, 3), (5, 2, 3), {}),
    ("mqa_causal", (1, 4, 3, 2), (4, 1, 2), {"is_causal": True}),
]


def generate(keras):
    import jax
    import jax.numpy as jnp

    rec = Recorder("attention_sdpa", keras_meta())
    for cid, (B, T, N, H), (S, K, HV), kw in CASES:
        rng = np.random.RandomState(zlib.crc32(cid.encode()))
        q = rng.randn(B, T, N, H).astype(F)
        k = rng.randn(B, S, K, H).astype(F)
        v = rng.randn(B, S, K, HV).astype(F)
        case = {"id": cid, "query": rec.arr(cid, "query", q), "key": rec.arr(cid, "key", k),
                "value": rec.arr(cid, "value", v)}
        mask = bias = None
        if "mask" in kw:
            mask = rng.uniform(size=kw["mask"]) > 0.3
            mask[..., 0] = True
            if kw.get("empty_row"):
                mask[0, 0, 1, :] = False  # a query row with no key: uniform in Keras
            case["mask"] = rec.arr(cid, "mask", mask.astype(np.int64))
        if "bias" in kw:
            bias = rng.randn(*kw["bias"]).astype(F)
            case["bias"] = rec.arr(cid, "bias", bias)
        scale = kw.get("scale")
        causal = kw.get("is_causal", False)
        case.update(scale=scale, is_causal=causal)

        def f(q, k, v, bias, mask=mask, scale=scale, causal=causal):
            return keras.ops.nn.dot_product_attention(
                q, k, v, bias=bias, mask=None if mask is None else jnp.asarray(mask),
                scale=scale, is_causal=causal)

        out = f(q, k, v, bias)
        R = rng.randn(*np.shape(out)).astype(F)
        wrt = (0, 1, 2, 3) if bias is not None else (0, 1, 2)
        grads = jax.grad(lambda *a: jnp.sum(f(*a) * R), argnums=wrt)(q, k, v, bias)
        case["output"] = rec.arr(cid, "output", to_np(out))
        case["R"] = rec.arr(cid, "R", R)
        for name, g in zip(("query", "key", "value", "bias"), grads):
            case[f"grad_{name}"] = rec.arr(cid, f"grad_{name}", to_np(g))
        rec.case(case)
    rec.save()
