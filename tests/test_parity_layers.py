"""Parity: layer forward passes against goldens recorded from real Keras 3.

Goldens: tests/goldens/layers.{json,npz}, written by tools/make_goldens.py.
Each case names a layer class + constructor kwargs in the public Keras API;
it is rebuilt here through nbkeras, its weights are set with set_weights()
and its output (and, for BatchNormalization in training mode, the updated
moving statistics) must match Keras.
"""

import numpy as np
import pytest

from nbkeras import layers
from parity_goldens import LAMBDAS, as_numpy, load_goldens

RTOL, ATOL = 1e-4, 1e-6


DOC, A = load_goldens("layers")
CASES = DOC["cases"]
WEIGHTED = [c for c in CASES if c["weights"] is not None]

def make_layer(spec):
    kwargs = dict(spec.get("kwargs", {}))
    if "function" in kwargs:
        kwargs["function"] = LAMBDAS[kwargs["function"]]
    if "target_shape" in kwargs:
        kwargs["target_shape"] = tuple(kwargs["target_shape"])
    return getattr(layers, spec["class"])(**kwargs)


def run(case):
    x = A[case["input"]]
    layer = make_layer(case["layer"])
    layer(x)  # build, as the generator did
    if case["weights"] is not None:
        layer.set_weights([A[k] for k in case["weights"]])
    if case["training"] is None:
        y = layer(x)
    else:
        y = layer(x, training=case["training"])
    return layer, as_numpy(y)


def test_goldens_cover_the_brief():
    ids = {c["id"] for c in CASES}
    for act in ("linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu",
                "softplus", "softsign", "swish", "silu", "gelu"):
        assert f"dense_{act}" in ids and f"activation_{act}" in ids
    assert {"bn_training", "bn_custom_training", "dropout_training_false",
            "flatten_3d", "reshape_3_4", "lambda_slice_1_3"} <= ids


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_layer_output(case):
    _, y = run(case)
    expected = A[case["output"]]
    assert y.shape == expected.shape, (y.shape, expected.shape)
    np.testing.assert_allclose(y, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", WEIGHTED, ids=[c["id"] for c in WEIGHTED])
def test_layer_weights_after_call(case):
    """get_weights() after the call: unchanged, except BatchNormalization
    with training=True, whose moving_mean / moving_variance move by
    momentum (Keras: moving = moving * momentum + batch_stat * (1 - momentum))."""
    layer, _ = run(case)
    got = layer.get_weights()
    expected = [A[k] for k in case["weights_after"]]
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        g = as_numpy(g)
        assert g.shape == e.shape, (i, g.shape, e.shape)
        np.testing.assert_allclose(g, e, rtol=RTOL, atol=ATOL,
                                   err_msg=f"weight {i}")
