"""Parity: recurrent layers, masks, Bidirectional, TimeDistributed and an LSTM training
trajectory against goldens recorded from real Keras 3 (tests/goldens/rnn.*, written by
tools/goldens_rnn.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

import nbkeras as keras
import rnn_cell_models

GOLDENS = Path(__file__).parent / "goldens"
RTOL, ATOL = 1e-4, 1e-5

with open(GOLDENS / "rnn.json") as f:
    DOC = json.load(f)
with np.load(GOLDENS / "rnn.npz") as z:
    A = {k: z[k] for k in z.files}
LAYER_CASES = [c for c in DOC["cases"] if "layer" in c]
CELL_CASES = [c for c in DOC["cases"] if "cell_case" in c]
CELL_TRAIN = [c for c in DOC["cases"] if "cells_model" in c]
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


def _replay(layer, case):
    """Build `layer` on the case's input (and mask), set its weights, and call it again
    with the initial states if the case has them."""
    x = A[case["input"]]
    call = {}
    if case["mask"] is not None:
        call["mask"] = A[case["mask"]].astype(bool)
    layer(x, **call)
    layer.set_weights([A[k] for k in case["weights"]])
    if case["initial_state"] is not None:
        call["initial_state"] = [A[k] for k in case["initial_state"]]
    return layer(x, **call)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["id"] for c in LAYER_CASES])
def test_layer_forward(case):
    y = _replay(_layer(case["layer"]), case)
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


def _lstm_model(k):
    return k.Sequential([k.Input(shape=(6, 3)), k.layers.LSTM(5), k.layers.Dense(1)])


TRAJECTORIES = ([(c, _lstm_model, 16, "losses") for c in TRAIN] +
                [(c, rnn_cell_models.cell_training_model, 8, "cell_losses") for c in CELL_TRAIN])


@pytest.mark.parametrize("case,build,batch,key", TRAJECTORIES, ids=[t[0]["id"] for t in TRAJECTORIES])
def test_training_trajectory(case, build, batch, key):
    """3 Adam steps: the fused LSTM, and a model whose recurrent layers run step by step."""
    model = build(keras)
    model.set_weights([A[k] for k in case["weights"]])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
    hist = model.fit(A[case["input"]], A[case["target"]], batch_size=batch, epochs=3,
                     shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], case[key], rtol=RTOL, atol=ATOL)
    for got, k in zip(model.get_weights(), case["weights_after"]):
        np.testing.assert_allclose(got, A[k], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CELL_CASES, ids=[c["id"] for c in CELL_CASES])
def test_rnn_over_cells(case):
    """RNN(cell), stacked and custom cells, and activations the fused kernels lack."""
    keras.utils.clear_session()
    y = _replay(rnn_cell_models.CELL_CASES[case["cell_case"]](keras), case)
    flat = []
    for v in (y if isinstance(y, (list, tuple)) else [y]):
        flat.extend(v if isinstance(v, (list, tuple)) else [v])
    assert len(flat) == len(case["outputs"])
    for got, key in zip(flat, case["outputs"]):
        np.testing.assert_allclose(np.asarray(got), A[key], rtol=RTOL, atol=ATOL)


def test_cell_cases_cover_both_paths():
    fused = {c["cell_case"] for c in CELL_CASES
             if rnn_cell_models.CELL_CASES[c["cell_case"]](keras)._fused() is not None}
    assert fused == {"rnn_lstmcell_seq_state", "rnn_grucell_before_back"}
    assert len(CELL_CASES) == len(rnn_cell_models.CELL_CASES)


def test_single_cell_step_matches_the_fused_layer():
    """Calling LSTMCell / GRUCell directly, step by step, gives the fused layer's numbers."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    for layer in (keras.layers.LSTM(5, return_state=True),
                  keras.layers.GRU(5, reset_after=False, return_state=True),
                  keras.layers.SimpleRNN(5, return_state=True)):
        out = layer(x)
        states = layer.get_initial_state(2)
        for t in range(4):
            h, states = layer.cell(x[:, t], states)
        np.testing.assert_allclose(np.asarray(h), np.asarray(out[0]), rtol=1e-5, atol=1e-6)
        for got, want in zip(states, out[1:]):
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)
