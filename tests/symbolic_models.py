"""Functional models built from ops on symbolic tensors (Keras 3's Operation nodes).

Each builder takes the `keras` module, so the same graph is built by real Keras
(tools/goldens_symbolic.py, tools/make_saving_fixtures.py) and by nbkeras (the tests).
"""

import numpy as np


def residual_ops(k):
    """Dense, then relu, a residual add, negation, scaling, concatenate, reshape, mean,
    slicing, subtraction from a constant and a square, into a Dense head."""
    ops = k.ops
    inp = k.Input((4,), name="x")
    h = k.layers.Dense(6, name="hidden")(inp)
    a = ops.relu(h)
    r = a + h
    s = -r * 0.5
    c = ops.concatenate([s, h], axis=-1)  # (None, 12)
    m = ops.mean(ops.reshape(ops.tanh(c), (-1, 3, 4)), axis=1)  # (None, 4)
    f = 1.0 - (c[:, :4] - m)
    out = k.layers.Dense(2, name="head")(ops.square(f) / 4.0)
    return k.Model(inp, out, name="residual_ops")


def two_output_ops(k):
    """Two inputs, ops mixing them, and two outputs: a reduction and a sliced column."""
    ops = k.ops
    xa, xb = k.Input((3,), name="a"), k.Input((3,), name="b")
    h = k.layers.Dense(5, activation="tanh", name="mix")(ops.concatenate([xa, xb * 2.0], axis=-1))
    g = ops.sigmoid(h) * ops.exp(-ops.abs(h))
    total = ops.sum(g, axis=-1, keepdims=True)  # (None, 1)
    first = ops.expand_dims(g[:, 0] + ops.max(h, axis=1), -1)  # (None, 1)
    return k.Model([xa, xb], [total, first], name="two_output_ops")


def new_ops(k):
    """The newer ops as nodes: glu, celu, layer_normalization, log_sigmoid, soft_shrink,
    nanmean, linear algebra on 2x2 blocks (inv, det, the singular values), diff and append,
    into a Dense head. (Not rot90: Keras 3.15 cannot reload its own rot90 node, whose
    `axes` tuple comes back from JSON as an unhashable list.)"""
    ops = k.ops
    inp = k.Input((4,), name="x")
    h = k.layers.Dense(8, name="hidden")(inp)
    g = ops.celu(ops.glu(h), alpha=0.5)  # (None, 4)
    n = ops.layer_normalization(g, epsilon=1e-3)
    m = ops.reshape(ops.tanh(h[:, :4]), (-1, 2, 2)) + np.eye(2, dtype="float32") * 2.0
    lin = ops.concatenate([ops.reshape(ops.inv(m), (-1, 4)), ops.expand_dims(ops.det(m), -1),
                           ops.svd(m, compute_uv=False)], axis=-1)  # (None, 7)
    r = ops.append(ops.diff(h), h[:, :1], axis=-1)  # (None, 8)
    feat = ops.concatenate([ops.log_sigmoid(n), ops.soft_shrink(lin, threshold=0.1),
                            ops.nanmean(ops.reshape(r, (-1, 4, 2)), axis=1)], axis=-1)
    out = k.layers.Dense(2, name="head")(feat)
    return k.Model(inp, out, name="new_ops")


BUILDERS = {"residual_ops": residual_ops, "two_output_ops": two_output_ops, "new_ops": new_ops}
