"""Parity: Keras 3's preprocessing layers (outputs, adapted state and configs).

Goldens: tests/goldens/preproc.{json,npz}, written by tools/goldens_preproc.py
(`KERAS_BACKEND=jax python tools/make_goldens.py preproc`, with TensorFlow installed for
Keras's string layers). Random layers are recorded with fixed factor ranges, so their
transforms are exact; their randomness is tested in tests/test_preprocessing.py.
"""

import json

import numpy as np
import pytest

import nbkeras as keras
from parity_goldens import load_goldens

RTOL, ATOL = 1e-4, 1e-4

DOC, A = load_goldens("preproc")


def _cases(kind):
    return [c for c in DOC["cases"] if c["kind"] == kind]


def ids(cases):
    return [c["id"] for c in cases]


def _layer(case):
    kwargs = dict(case["kwargs"])
    for k in ("factor", "height_factor", "width_factor", "value_range", "ngrams"):
        if isinstance(kwargs.get(k), list):
            kwargs[k] = tuple(kwargs[k])
    return getattr(keras.layers, case["layer"])(**kwargs)


def _check_dtype(got, recorded):
    """Same dtype; integer results may be int64 where Keras-on-JAX (no x64) gives int32."""
    recorded = np.dtype(recorded)
    if recorded == np.int32 and got == np.int64:
        return
    assert got == recorded


def _check_config(layer, case):
    cfg = json.loads(json.dumps(layer.get_config()))
    want = case["config"]
    for key, value in want.items():
        assert key in cfg, f"config key {key!r} missing"
        got = cfg[key]
        if isinstance(value, float) or isinstance(got, float):
            np.testing.assert_allclose(got, value, rtol=1e-6)
        else:
            assert got == value, f"config[{key!r}]: {got!r} != {value!r}"


@pytest.mark.parametrize("case", _cases("image"), ids=ids(_cases("image")))
def test_image_layers_match_keras(case):
    layer = _layer(case)
    out = layer(A[case["input"]], **case["call"])
    np.testing.assert_allclose(np.asarray(out), A[case["output"]], rtol=RTOL, atol=ATOL * 255)
    assert np.asarray(out).dtype == np.float32
    _check_config(layer, case)


@pytest.mark.parametrize("case", _cases("numeric"), ids=ids(_cases("numeric")))
def test_numeric_layers_match_keras(case):
    layer = _layer(case)
    adapt = case.get("adapt")
    if adapt == "TAB_BATCHES":
        data = A[case["adapt_data"]]
        layer.adapt([data[:5], data[5:9], data[9:]])
    elif adapt == "ADAPT_BATCHES":
        data = A[case["adapt_data"]]
        layer.adapt([data[:100], data[100:180], data[180:]])
    elif adapt is not None:
        layer.adapt(A[case["adapt_data"]])
    if "mean" in case:
        np.testing.assert_allclose(layer.adapt_mean.numpy(), A[case["mean"]], rtol=RTOL, atol=1e-6)
        np.testing.assert_allclose(layer.adapt_variance.numpy(), A[case["variance"]], rtol=RTOL,
                                   atol=1e-6)
    if "bin_boundaries" in case:
        np.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"], rtol=1e-5)
    out = np.asarray(layer(A[case["input"]]))
    np.testing.assert_allclose(out, A[case["output"]], rtol=RTOL, atol=1e-5)
    _check_dtype(out.dtype, case["dtype"])
    _check_config(layer, case)


@pytest.mark.parametrize("case", _cases("string"), ids=ids(_cases("string")))
def test_string_layers_match_keras(case):
    layer = _layer(case)
    if case["adapt_data"] is not None:
        data = case["adapt_data"]
        layer.adapt(data if case["layer"] == "TextVectorization" else np.array(data))
    out = layer(np.array(case["inputs"]))
    if "output_strings" in case:
        assert np.asarray(out).tolist() == case["output_strings"]
    else:
        np.testing.assert_allclose(np.asarray(out), A[case["output"]], rtol=RTOL, atol=1e-6)
        _check_dtype(np.asarray(out).dtype, case["dtype"])
    if "vocabulary" in case:
        assert layer.get_vocabulary() == case["vocabulary"]
    _check_config(layer, case)
