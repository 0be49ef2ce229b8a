"""Parity: MultiHeadAttention, Attention, AdditiveAttention, EinsumDense and keras.io's small
transformer classifier against real Keras 3.

Goldens: tests/goldens/attention.{json,npz}, written by tools/goldens_attention.py. Forward
cases set the recorded weights and compare outputs (attention scores too) and configs; a
functional case checks Keras masks reaching MultiHeadAttention; the transformer replays 3
Adam steps.
"""

import numpy as np
import pytest

import nbkeras as keras
import transformer_models
from nbkeras import layers
from parity_goldens import load_goldens

RTOL, ATOL = 1e-4, 1e-5

_DOC, A = load_goldens("attention")
CASES = _DOC["cases"]
FORWARD = [c for c in CASES if "layer" in c]


def _jsonable(v):
    if isinstance(v, (tuple, list)):
        return [_jsonable(a) for a in v]
    if isinstance(v, dict):
        return {k: _jsonable(a) for k, a in v.items()}
    return v


def _call_kwargs(case):
    out = dict(case["call"])
    for name, key in case["call_arrays"].items():
        out[name] = ([A[k].astype(bool) for k in key] if isinstance(key, list)
                     else A[key].astype(bool))
    return out


def run(case, layer=None):
    layer = layer or getattr(layers, case["layer"]["class"])(**case["layer"]["kwargs"])
    xs = [A[k] for k in case["inputs"]]
    kwargs = _call_kwargs(case)
    if case["layer"]["class"] in ("Attention", "AdditiveAttention"):
        return layer, layer(xs, **kwargs)
    return layer, layer(*xs, **kwargs)


@pytest.mark.parametrize("case", FORWARD, ids=[c["id"] for c in FORWARD])
def test_forward(case):
    layer, _ = run(case)
    layer.set_weights([A[k] for k in case["weights"]])
    _, y = run(case, layer)
    keys = case["output"] if isinstance(case["output"], list) else [case["output"]]
    outs = list(y) if isinstance(y, (list, tuple)) else [y]
    assert len(outs) == len(keys)
    for got, key in zip(outs, keys):
        np.testing.assert_allclose(np.asarray(got), A[key], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", FORWARD, ids=[c["id"] for c in FORWARD])
def test_config(case):
    layer, _ = run(case)
    cfg = layer.get_config()
    cfg.pop("name")
    cfg.pop("dtype")
    assert _jsonable(cfg) == case["config"]
    clone = type(layer).from_config(layer.get_config())
    assert _jsonable(clone.get_config()) == _jsonable(layer.get_config())


@pytest.mark.parametrize("case", FORWARD, ids=[c["id"] for c in FORWARD])
def test_symbolic_shapes(case):
    """Called on Inputs, a layer gives the output (and scores) shapes Keras gives."""
    layer = getattr(layers, case["layer"]["class"])(**case["layer"]["kwargs"])
    xs = [keras.Input(A[k].shape[1:]) for k in case["inputs"]]
    kwargs = {k: v for k, v in case["call"].items() if not case["call_arrays"].get(k)}
    y = layer(xs, **kwargs) if case["layer"]["class"] in ("Attention", "AdditiveAttention") \
        else layer(*xs, **kwargs)
    keys = case["output"] if isinstance(case["output"], list) else [case["output"]]
    outs = list(y) if isinstance(y, (list, tuple)) else [y]
    assert [tuple(o.shape) for o in outs] == [(None,) + A[k].shape[1:] for k in keys]


def test_embedding_masks_reach_multi_head_attention():
    case = next(c for c in CASES if c["id"] == "mha_embedding_mask")
    inp = keras.Input((6,), dtype="int32")
    emb = layers.Embedding(9, 4, mask_zero=True)(inp)
    model = keras.Model(inp, layers.MultiHeadAttention(2, 3)(emb, emb))
    model.set_weights([A[k] for k in case["weights"]])
    np.testing.assert_allclose(model.predict(A[case["x"]], verbose=0), A[case["output"]],
                               rtol=RTOL, atol=ATOL)
    # Eagerly too: the Embedding's mask rides on its output.
    e = model.layers[1](A[case["x"]])
    np.testing.assert_allclose(np.asarray(model.layers[2](e, e)), A[case["output"]],
                               rtol=RTOL, atol=ATOL)


def test_transformer_classifier_trajectory():
    case = next(c for c in CASES if c["id"] == "transformer_classifier")
    keras.utils.set_random_seed(0)
    model = transformer_models.classifier(keras)
    model.set_weights([A[k] for k in case["init"]])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(A[case["x"]], A[case["y"]], batch_size=16, epochs=3, shuffle=False,
                     verbose=0)
    np.testing.assert_allclose(hist.history["loss"], case["losses"], rtol=RTOL)
    for got, key in zip(model.get_weights(), case["final"]):
        np.testing.assert_allclose(got, A[key], rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(model.predict(A[case["x"]], verbose=0), A[case["predict"]],
                               rtol=1e-3, atol=1e-5)
