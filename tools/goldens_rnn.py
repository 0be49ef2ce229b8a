"""Golden group 'rnn': recurrent layers, Embedding / Masking masks, Bidirectional,
TimeDistributed, and a 3-step LSTM training trajectory (dev-only; needs real Keras 3)."""

import os
import sys

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import rnn_cell_models  # noqa: E402

B, T, D, U = 3, 5, 4, 3


def _weights(layer, rs):
    return [rs.uniform(-0.6, 0.6, w.shape).astype("float32") for w in layer.get_weights()]


def _mask(rs):
    m = np.ones((B, T), bool)
    m[0, 3:] = False  # trailing padding
    m[1, :2] = False  # leading padding
    m[2, 2] = False   # a hole
    return m


# (id, class, kwargs, inner (class, kwargs) or None, mask?, initial_state?)
LAYER_CASES = [
    ("simple_last", "SimpleRNN", {"units": U}, None, False, False),
    ("simple_seq_state_back", "SimpleRNN", {"units": U, "return_sequences": True,
                                            "return_state": True, "go_backwards": True}, None, False, False),
    ("simple_relu_mask_seq", "SimpleRNN", {"units": U, "activation": "relu",
                                           "return_sequences": True}, None, True, False),
    ("lstm_last", "LSTM", {"units": U}, None, False, False),
    ("lstm_seq_state", "LSTM", {"units": U, "return_sequences": True, "return_state": True}, None, False, False),
    ("lstm_back_seq", "LSTM", {"units": U, "return_sequences": True, "go_backwards": True}, None, False, False),
    ("lstm_mask_seq_state", "LSTM", {"units": U, "return_sequences": True, "return_state": True}, None, True, False),
    ("lstm_mask_back_last", "LSTM", {"units": U, "go_backwards": True}, None, True, False),
    ("lstm_initial_state", "LSTM", {"units": U, "return_state": True}, None, False, True),
    ("lstm_nobias_hardsig", "LSTM", {"units": U, "use_bias": False,
                                     "recurrent_activation": "hard_sigmoid"}, None, False, False),
    ("gru_reset_after", "GRU", {"units": U, "return_sequences": True, "return_state": True}, None, False, False),
    ("gru_reset_before", "GRU", {"units": U, "reset_after": False, "return_sequences": True}, None, False, False),
    ("gru_reset_before_mask_back", "GRU", {"units": U, "reset_after": False, "go_backwards": True,
                                           "return_sequences": True}, None, True, False),
    ("gru_reset_after_mask_state", "GRU", {"units": U, "return_state": True}, None, True, True),
    ("bidi_concat_lstm", "Bidirectional", {"merge_mode": "concat"}, ("LSTM", {"units": U}), False, False),
    ("bidi_sum_gru_seq", "Bidirectional", {"merge_mode": "sum"},
     ("GRU", {"units": U, "return_sequences": True}), False, False),
    ("bidi_mul_simple_seq", "Bidirectional", {"merge_mode": "mul"},
     ("SimpleRNN", {"units": U, "return_sequences": True}), False, False),
    ("bidi_ave_lstm_mask_seq", "Bidirectional", {"merge_mode": "ave"},
     ("LSTM", {"units": U, "return_sequences": True}), True, False),
    ("bidi_none_lstm_state", "Bidirectional", {"merge_mode": None},
     ("LSTM", {"units": U, "return_state": True}), False, False),
    ("bidi_concat_gru_mask_last", "Bidirectional", {"merge_mode": "concat"},
     ("GRU", {"units": U}), True, False),
    ("td_dense", "TimeDistributed", {}, ("Dense", {"units": 2, "activation": "tanh"}), False, False),
    ("layer_norm", "LayerNormalization", {}, None, False, False),
    ("layer_norm_axes_rms", "LayerNormalization", {"axis": [1, 2], "rms_scaling": True}, None, False, False),
    ("layer_norm_no_center", "LayerNormalization", {"axis": 1, "center": False, "epsilon": 0.1}, None, False, False),
    ("group_norm_2", "GroupNormalization", {"groups": 2}, None, False, False),
    ("group_norm_axis1", "GroupNormalization", {"groups": 5, "axis": 1, "scale": False}, None, False, False),
    ("unit_norm", "UnitNormalization", {}, None, False, False),
    ("unit_norm_axes", "UnitNormalization", {"axis": [1, 2]}, None, False, False),
    ("spatial_dropout1d_inference", "SpatialDropout1D", {"rate": 0.5}, None, False, False),
    ("gaussian_noise_inference", "GaussianNoise", {"stddev": 0.5}, None, False, False),
    ("gaussian_dropout_inference", "GaussianDropout", {"rate": 0.5}, None, False, False),
]


def _make(keras, cls, kwargs, inner):
    if inner is not None:
        kwargs = dict(kwargs, layer=getattr(keras.layers, inner[0])(**inner[1]))
    return getattr(keras.layers, cls)(**kwargs)


def _build_with_weights(rec, case, layer, x, masked, rs):
    """Record the input (and mask) into `case`, build `layer` on them and give it random
    weights; returns the call kwargs and the weights."""
    cid = case["id"]
    case.update({"input": rec.arr(cid, "x", x), "mask": None, "initial_state": None})
    call = {}
    if masked:
        m = _mask(rs)
        call["mask"] = m
        case["mask"] = rec.arr(cid, "mask", m.astype("int64"))
    layer(x, **call)
    weights = _weights(layer, rs)
    layer.set_weights(weights)
    return call, weights


def layer_cases(keras, rec):
    rs = np.random.RandomState(7)
    for cid, cls, kwargs, inner, masked, init in LAYER_CASES:
        x = rs.normal(size=(B, T, D)).astype("float32")
        layer = _make(keras, cls, kwargs, inner)
        case = {"id": cid, "layer": {"class": cls, "kwargs": kwargs,
                                     "inner": None if inner is None else {"class": inner[0], "kwargs": inner[1]}}}
        call, weights = _build_with_weights(rec, case, layer, x, masked, rs)
        if init:
            n_states = 2 if cls == "LSTM" else 1
            states = [rs.normal(size=(B, U)).astype("float32") for _ in range(n_states)]
            call["initial_state"] = states
            case["initial_state"] = rec.arrs(cid, "s", states)
        y = layer(x, **call)
        ys = y if isinstance(y, (list, tuple)) else [y]
        case["weights"] = rec.arrs(cid, "w", weights)
        case["outputs"] = rec.arrs(cid, "y", [to_np(v) for v in ys])
        case["list_output"] = isinstance(y, (list, tuple))
        rec.case(case)


# Sequential models where masks flow from Masking / Embedding(mask_zero).
MODEL_CASES = [
    ("masking_lstm_seq", (T, D), [("Masking", {"mask_value": 0.0}),
                                  ("LSTM", {"units": U, "return_sequences": True}),
                                  ("LSTM", {"units": 2})]),
    ("embedding_gru", (T,), [("Embedding", {"input_dim": 6, "output_dim": D, "mask_zero": True}),
                             ("GRU", {"units": U})]),
    ("embedding_bidi_td", (T,), [("Embedding", {"input_dim": 6, "output_dim": D, "mask_zero": True}),
                                 ("Bidirectional", {"layer": ("LSTM", {"units": U, "return_sequences": True})}),
                                 ("TimeDistributed", {"layer": ("Dense", {"units": 2})})]),
    ("embedding_plain", (T,), [("Embedding", {"input_dim": 6, "output_dim": D})]),
]


def _build_model(keras, shape, specs):
    layers = [keras.Input(shape=shape, dtype="int32" if len(shape) == 1 else "float32")]
    for cls, kw in specs:
        kw = dict(kw)
        if "layer" in kw:
            kw["layer"] = getattr(keras.layers, kw["layer"][0])(**kw["layer"][1])
        layers.append(getattr(keras.layers, cls)(**kw))
    return keras.Sequential(layers)


def _spec_json(specs):
    return [{"class": c, "kwargs": {k: ({"class": v[0], "kwargs": v[1]} if k == "layer" else v)
                                    for k, v in kw.items()}} for c, kw in specs]


def model_cases(keras, rec):
    rs = np.random.RandomState(11)
    for cid, shape, specs in MODEL_CASES:
        model = _build_model(keras, shape, specs)
        if len(shape) == 1:
            x = rs.randint(1, 6, size=(B, T)).astype("int64")
            x[0, 3:] = 0
            x[1, :2] = 0
            x[2, 2] = 0
        else:
            x = rs.normal(size=(B,) + shape).astype("float32")
            x[0, 3:] = 0.0
            x[2, 1] = 0.0
        weights = _weights(model, rs)
        model.set_weights(weights)
        y = model.predict(x, verbose=0)
        rec.case({"id": cid, "shape": list(shape), "layers": _spec_json(specs),
                  "input": rec.arr(cid, "x", x), "weights": rec.arrs(cid, "w", weights),
                  "output": rec.arr(cid, "y", to_np(y))})


def training_case(keras, rec):
    cid = "lstm_train_3_steps"
    rs = np.random.RandomState(5)
    model = keras.Sequential([keras.Input(shape=(6, 3)), keras.layers.LSTM(5),
                              keras.layers.Dense(1)])
    weights = _weights(model, rs)
    model.set_weights(weights)
    x = rs.normal(size=(16, 6, 3)).astype("float32")
    y = rs.normal(size=(16, 1)).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
    hist = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    rec.case({"id": cid, "input": rec.arr(cid, "x", x), "target": rec.arr(cid, "t", y),
              "weights": rec.arrs(cid, "w", weights), "losses": [float(v) for v in hist.history["loss"]],
              "weights_after": rec.arrs(cid, "wa", [to_np(w) for w in model.get_weights()])})


def cell_cases(keras, rec):
    """RNN over built-in, stacked and custom cells, and built-in layers whose activations
    the fused kernels lack (nbkeras runs those step by step)."""
    for cid, build in rnn_cell_models.CELL_CASES.items():
        rs = np.random.RandomState(len(cid) * 7919)
        keras.utils.clear_session()
        layer = build(keras)
        x = rs.normal(size=(B, T, D)).astype("float32")
        case = {"id": cid, "cell_case": cid}
        call, weights = _build_with_weights(rec, case, layer, x, cid in rnn_cell_models.MASKED, rs)
        if cid in rnn_cell_models.WITH_STATE:
            states = [to_np(s) for s in layer.cell.get_initial_state(B)]
            states = [rs.normal(size=s.shape).astype("float32") for s in states]
            call["initial_state"] = states
            case["initial_state"] = rec.arrs(cid, "s", states)
        y = layer(x, **call)
        flat = []
        for v in (y if isinstance(y, (list, tuple)) else [y]):
            flat.extend(v if isinstance(v, (list, tuple)) else [v])
        case["weights"] = rec.arrs(cid, "w", weights)
        case["outputs"] = rec.arrs(cid, "y", [to_np(v) for v in flat])
        rec.case(case)
    cid = "cells_train_3_steps"
    rs = np.random.RandomState(17)
    keras.utils.clear_session()
    model = rnn_cell_models.cell_training_model(keras)
    weights = _weights(model, rs)
    model.set_weights(weights)
    x = rs.normal(size=(8, 5, 4)).astype("float32")
    y = rs.normal(size=(8, 1)).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
    hist = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    rec.case({"id": cid, "cells_model": True, "input": rec.arr(cid, "x", x),
              "target": rec.arr(cid, "t", y), "weights": rec.arrs(cid, "w", weights),
              "cell_losses": [float(v) for v in hist.history["loss"]],
              "weights_after": rec.arrs(cid, "wa", [to_np(w) for w in model.get_weights()])})


def generate(keras):
    rec = Recorder("rnn", keras_meta())
    layer_cases(keras, rec)
    model_cases(keras, rec)
    training_case(keras, rec)
    cell_cases(keras, rec)
    return rec.save()
