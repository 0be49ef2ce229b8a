"""Parity: recurrent layers, masks, Bidirectional, TimeDistributed and an LSTM training
trajectory against goldens recorded from real Keras 3 (tests/goldens/rnn.*, written by
tools/goldens_rnn.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

import nbkeras as keras

GOLDENS = Path(__file__).parent / "goldens"
RTOL, ATOL = 1e-4, 1e-5

with open(GOLDENS / "rnn.json") as f:
    DOC = json.load(f)
with np.load(GOLDENS / "rnn.npz") as z:
    A = {k: z[k] for k in z.files}
LAYER_CASES = [c for c in DOC["cases"] if "layer" in c]
MODEL_CASES = [c for c in DOC["cases"] if "layers" in c]
TRAIN = [c for c in DOC["cases"] if "losses" in c]


def _layer(spec):
    kwargs = dict(spec["kwargs"])
    if spec.get("inner") is not None:
        kwargs["layer"] = _layer(spec["inner"])
    if isinstance(kwargs.get("layer"), dict):
        kwargs["layer"] = _layer(kwargs["layer"])
    return getattr(keras.layers, spec["class"])(**kwargs)


def test_goldens_cover_the_brief():
    ids = {c["id"] for c in DOC["cases"]}
    assert {"lstm_seq_state", "lstm_back_seq", "lstm_mask_seq_state", "gru_reset_after",
            "gru_reset_before", "bidi_concat_lstm", "bidi_sum_gru_seq", "bidi_mul_simple_seq",
            "bidi_ave_lstm_mask_seq", "bidi_none_lstm_state", "td_dense", "masking_lstm_seq",
            "embedding_gru", "lstm_train_3_steps"} <= ids
    assert (GOLDENS / "rnn.npz").stat().st_size < 150_000


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["id"] for c in LAYER_CASES])
def test_layer_forward(case):
    x = A[case["input"]]
    layer = _layer(case["layer"])
    call = {}
    if case["mask"] is not None:
        call["mask"] = A[case["mask"]].astype(bool)
    layer(x, **call)
    layer.set_weights([A[k] for k in case["weights"]])
    if case["initial_state"] is not None:
        call["initial_state"] = [A[k] for k in case["initial_state"]]
    y = layer(x, **call)
    ys = y if case["list_output"] else [y]
    assert isinstance(y, (list, tuple)) == case["list_output"]
    assert len(ys) == len(case["outputs"])
    for got, key in zip(ys, case["outputs"]):
        got = np.asarray(got)
        assert got.shape == A[key].shape
        np.testing.assert_allclose(got, A[key], rtol=RTOL, atol=ATOL)


def _model(case):
    shape = tuple(case["shape"])
    layers = [keras.Input(shape=shape, dtype="int32" if len(shape) == 1 else "float32")]
    layers += [_layer(s) for s in case["layers"]]
    return keras.Sequential(layers)


@pytest.mark.parametrize("case", MODEL_CASES, ids=[c["id"] for c in MODEL_CASES])
def test_masked_models(case):
    model = _model(case)
    model.set_weights([A[k] for k in case["weights"]])
    y = model.predict(A[case["input"]], verbose=0)
    np.testing.assert_allclose(np.asarray(y), A[case["output"]], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", TRAIN, ids=[c["id"] for c in TRAIN])
def test_lstm_training_trajectory(case):
    model = keras.Sequential([keras.Input(shape=(6, 3)), keras.layers.LSTM(5),
                              keras.layers.Dense(1)])
    model.set_weights([A[k] for k in case["weights"]])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
    hist = model.fit(A[case["input"]], A[case["target"]], batch_size=16, epochs=3,
                     shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], case["losses"], rtol=RTOL, atol=ATOL)
    for got, key in zip(model.get_weights(), case["weights_after"]):
        np.testing.assert_allclose(got, A[key], rtol=RTOL, atol=ATOL)
