"""Parity: convolution, pooling, spatial reshaping and ConvLSTM layers against real Keras 3.

Goldens: tests/goldens/conv.{json,npz} and layers3d.{json,npz} (the 3-D layers and the
ConvLSTMs), written by tools/goldens_conv.py and tools/goldens_layers3d.py. Forward
cases rebuild a layer from its Keras class and kwargs, set the recorded weights and
compare the output and get_config(); training cases replay 3 SGD steps of a small CNN.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers

GOLDENS = Path(__file__).parent / "goldens"
RTOL, ATOL = 1e-4, 1e-5

CASES, A, ALIASES = [], {}, {}
for group in ("conv", "layers3d"):
    with open(GOLDENS / f"{group}.json") as f:
        CASES += json.load(f)["cases"]
    with np.load(GOLDENS / f"{group}.npz") as z:
        A.update({k: z[k] for k in z.files})
FORWARD = [c for c in CASES if "layer" in c]
TRAINING = [c for c in CASES if "model" in c]
RESIZES = [c for c in CASES if "resize" in c]
for c in CASES:
    ALIASES.update(c.get("aliases", {}))


def _fix(kwargs):
    out = dict(kwargs)
    if isinstance(out.get("layer"), dict):  # a wrapper's layer: {"class", "kwargs"}
        out["layer"] = getattr(layers, out["layer"]["class"])(**_fix(out["layer"]["kwargs"]))
    for k in ("padding", "cropping", "dims"):
        if isinstance(out.get(k), list):
            out[k] = tuple(tuple(v) if isinstance(v, list) else v for v in out[k])
    return out


def _jsonable(v):
    if isinstance(v, (tuple, list)):
        return [_jsonable(a) for a in v]
    if isinstance(v, dict):
        return {k: _jsonable(a) for k, a in v.items()}
    return v


def _unnamed(cfg, drop=("name",)):
    """A wrapper's config without its inner layers' names (Keras numbers them per session)
    and other `drop` keys."""
    cfg = dict(cfg)
    for key in ("layer", "backward_layer"):
        if isinstance(cfg.get(key), dict):
            inner = {k: v for k, v in cfg[key].items() if k not in drop}
            inner["config"] = {k: v for k, v in inner["config"].items() if k not in drop}
            cfg[key] = inner
    return cfg


def make(case):
    spec = case["layer"]
    return getattr(layers, spec["class"])(**_fix(spec["kwargs"]))


@pytest.mark.parametrize("case", FORWARD, ids=[c["id"] for c in FORWARD])
def test_forward(case):
    layer = make(case)
    x = A[case["input"]]
    layer(x)
    layer.set_weights([A[k] for k in case["weights"]])
    y = layer(x)
    if isinstance(case["output"], list):
        assert len(y) == len(case["output"])
        for got, key in zip(y, case["output"]):
            np.testing.assert_allclose(np.asarray(got), A[key], rtol=RTOL, atol=ATOL)
    else:
        np.testing.assert_allclose(np.asarray(y), A[case["output"]], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", RESIZES, ids=[c["id"] for c in RESIZES])
def test_image_resize(case):
    spec = case["resize"]
    y = keras.ops.image.resize(A[case["input"]], tuple(spec["size"]),
                               interpolation=spec["interpolation"], antialias=spec["antialias"],
                               data_format=spec["data_format"])
    assert y.shape == A[case["output"]].shape and y.dtype == np.float32
    np.testing.assert_allclose(y, A[case["output"]], rtol=RTOL, atol=ATOL)


def test_resize_goldens_cover_every_interpolation():
    assert {c["resize"]["interpolation"] for c in RESIZES} == set(keras.ops.image.INTERPOLATIONS)
    assert {c["layer"]["kwargs"].get("interpolation", "nearest") for c in FORWARD
            if c["layer"]["class"] == "UpSampling2D"} == set(keras.ops.image.INTERPOLATIONS)


@pytest.mark.parametrize("case", FORWARD, ids=[c["id"] for c in FORWARD])
def test_config(case):
    layer = make(case)
    layer(A[case["input"]])
    cfg = layer.get_config()
    cfg.pop("name")
    cfg.pop("dtype")
    assert _unnamed(_jsonable(cfg)) == _unnamed(case["config"])
    clone = type(layer).from_config(layer.get_config())
    unbuilt = ("build_config",)  # a wrapper's inner layers are built, its clone's are not
    assert _unnamed(_jsonable(clone.get_config()), unbuilt) == _unnamed(
        _jsonable(layer.get_config()), unbuilt)


@pytest.mark.parametrize("case", FORWARD, ids=[c["id"] for c in FORWARD])
def test_symbolic_shape(case):
    layer = make(case)
    x = A[case["input"]]
    inp = keras.Input(x.shape[1:])
    out = layer(inp)
    keys = case["output"] if isinstance(case["output"], list) else [case["output"]]
    outs = out if isinstance(out, list) else [out]
    assert [tuple(o.shape) for o in outs] == [(None,) + A[k].shape[1:] for k in keys]


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_alias_is_the_class_keras_names(alias):
    """`layers.MaxPool2D` etc. are the very classes Keras's aliases are (recorded from Keras)."""
    assert getattr(layers, alias) is getattr(layers, ALIASES[alias])
    assert alias in layers.__all__ and ALIASES[alias] in layers.__all__


def train(case):
    """Fit a training case's CNN as Keras did: (model, losses, final weights, predictions)."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(tuple(case.get("input_shape", (8, 8, 2))))] +
                             [getattr(layers, s["class"])(**s["kwargs"]) for s in case["model"]])
    model.set_weights([A[k] for k in case["init"]])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy")
    hist = model.fit(A[case["x"]], A[case["y"]], batch_size=12, epochs=3, shuffle=False,
                     verbose=0)
    return (model, hist.history["loss"], model.get_weights(),
            model.predict(A[case["x"]], verbose=0))


@pytest.mark.parametrize("case", TRAINING, ids=[c["id"] for c in TRAINING])
def test_training_trajectory(case):
    _, losses, weights, predicted = train(case)
    np.testing.assert_allclose(losses, case["losses"], rtol=RTOL)
    for got, key in zip(weights, case["final"]):
        np.testing.assert_allclose(got, A[key], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(predicted, A[case["predict"]], rtol=RTOL, atol=ATOL)
