"""Finite-difference checks (float64) of EinsumDense, MultiHeadAttention, Attention and
AdditiveAttention: the gradient w.r.t. the query, the value and every trainable weight,
with masks, causal masks, several attention axes and the gated variant.
"""

import numpy as np
import pytest

from nbkeras import layers
from test_layers_grad import check_layer, rnd

pytestmark = pytest.mark.usefixtures("float64")

Q, V = rnd(2, 4, 3, seed=1), rnd(2, 5, 3, seed=2)
MASK = np.random.default_rng(3).uniform(size=(2, 4, 5)) > 0.3
MASK[..., 0] = True

MHA = [
    ("self", dict(num_heads=2, key_dim=2), {}),
    ("causal_value_dim", dict(num_heads=2, key_dim=2, value_dim=3), {"use_causal_mask": True}),
    ("mask_output_shape", dict(num_heads=1, key_dim=3, output_shape=(2, 2)),
     {"attention_mask": MASK}),
    ("gate_window_nobias", dict(num_heads=2, key_dim=2, use_gate=True, sliding_window=2,
                                use_bias=False), {}),
]


@pytest.mark.parametrize("kwargs,call", [c[1:] for c in MHA], ids=[c[0] for c in MHA])
def test_multi_head_attention(kwargs, call):
    layer = layers.MultiHeadAttention(**kwargs)
    value = V if "attention_mask" in call else Q
    layer(Q, value, **call)
    check_layer(lambda q: layer(q, value, **call), Q, layer.trainable_weights)
    check_layer(lambda v: layer(Q, v, **call), value)


def test_multi_head_attention_2d_axes():
    x = rnd(1, 2, 3, 2, seed=4)
    layer = layers.MultiHeadAttention(2, 2, attention_axes=(1, 2))
    layer(x, x)
    check_layer(lambda t: layer(t, t), x, layer.trainable_weights)


ATT = [
    ("dot", lambda: layers.Attention(), {}),
    ("dot_scale_causal", lambda: layers.Attention(use_scale=True), {"use_causal_mask": True}),
    ("concat_masks", lambda: layers.Attention(score_mode="concat", use_scale=True),
     {"mask": [MASK[:, :, 0], MASK[:, 0, :4]]}),
    ("additive", lambda: layers.AdditiveAttention(), {}),
    ("additive_noscale", lambda: layers.AdditiveAttention(use_scale=False), {}),
]


@pytest.mark.parametrize("make,call", [c[1:] for c in ATT], ids=[c[0] for c in ATT])
def test_attention(make, call):
    layer = make()
    value = Q  # causal needs Tq == Tv; masks are (B, Tq), (B, Tv)
    layer([Q, value], **call)
    check_layer(lambda q: layer([q, value], **call), Q, layer.trainable_weights)
    check_layer(lambda v: layer([Q, v], **call), value)


EINSUM = [
    ("ab,bc->ac", 4, "c", (3, 5)),
    ("...b,bc->...c", 3, "c", (2, 3, 4)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 3, 4)),
    ("ab...,bc->ac...", (3, 4), None, (2, 5, 4)),
]


@pytest.mark.parametrize("eq,out,bias,shape", EINSUM, ids=[c[0] for c in EINSUM])
def test_einsum_dense(eq, out, bias, shape):
    layer = layers.EinsumDense(eq, out, bias_axes=bias, activation="tanh")
    x = rnd(*shape, seed=5)
    layer(x)
    check_layer(layer, x, layer.trainable_weights)


# The fused op, ops.dot_product_attention: d/d query, key, value (and bias), float64.
_M = np.random.default_rng(8).uniform(size=(2, 1, 3, 4)) > 0.4
_M[..., 0] = True
_M[1, 0, 2] = False  # a query row with no key: uniform, and no gradient to its logits
SDPA = [
    ("plain", (2, 3, 2, 2), (4, 2, 2), {}),
    ("scale_value_dim", (2, 3, 2, 2), (4, 2, 3), {"scale": 0.7}),
    ("causal", (1, 4, 2, 3), (4, 2, 3), {"is_causal": True}),
    ("mask_causal", (2, 3, 2, 2), (4, 2, 2), {"mask": _M, "is_causal": True}),
    ("gqa_mask", (2, 3, 4, 2), (4, 2, 2), {"mask": _M}),
]


@pytest.mark.parametrize("q,kv,kwargs", [c[1:] for c in SDPA], ids=[c[0] for c in SDPA])
def test_dot_product_attention(q, kv, kwargs):
    from nbkeras import ops
    from test_ops_grad import check_grad

    B, T, N, H = q
    S, K, HV = kv
    args = [rnd(B, T, N, H, seed=11), rnd(B, S, K, H, seed=12), rnd(B, S, K, HV, seed=13)]
    check_grad(lambda a, b, c: ops.dot_product_attention(a, b, c, **kwargs), args)


@pytest.mark.parametrize("bias_shape", [(2, 2, 3, 4), (3, 4), (2, 1, 1, 4)],
                         ids=["full", "broadcast_tn", "broadcast_keys"])
def test_dot_product_attention_bias(bias_shape):
    from nbkeras import ops
    from test_ops_grad import check_grad

    args = [rnd(2, 3, 2, 2, seed=14), rnd(2, 4, 2, 2, seed=15), rnd(2, 4, 2, 2, seed=16),
            rnd(*bias_shape, seed=17)]
    check_grad(lambda a, b, c, d: ops.dot_product_attention(a, b, c, bias=d, mask=_M), args)
