"""Golden group 'functional': merge layers, nested and shared-layer models, and the
evaluate/history outputs of a two-output model with loss dicts and loss weights.

The model builders live in tests/functional_models.py and run unchanged on both
real Keras (here) and nbkeras (in tests/test_parity_functional.py).
"""

import os
import sys

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import functional_models as fm  # noqa: E402

RNG = np.random.RandomState(7)


def _weights(model):
    return [RNG.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]


def generate(keras):
    rec = Recorder("functional", keras_meta())
    xa = RNG.rand(6, 4).astype(np.float32)
    xb = RNG.rand(6, 4).astype(np.float32)
    for name in fm.MERGES:
        keras.utils.clear_session()
        model = fm.merge_model(keras, name)
        w = _weights(model)
        model.set_weights(w)
        rec.case({"id": f"merge_{name}", "builder": "merge_model", "arg": name,
                  "weights": rec.arrs(f"merge_{name}", "w", w),
                  "x": [rec.arr(f"merge_{name}", "xa", xa), rec.arr(f"merge_{name}", "xb", xb)],
                  "y": rec.arr(f"merge_{name}", "y", to_np(model.predict([xa, xb], verbose=0))),
                  "layer_names": [l.name for l in model.layers]})
    for builder, inputs in (("nested_model", [RNG.rand(6, 5).astype(np.float32)]),
                            ("shared_layer_model", [xa, xb])):
        keras.utils.clear_session()
        model = getattr(fm, builder)(keras)
        w = _weights(model)
        model.set_weights(w)
        x = inputs if len(inputs) > 1 else inputs[0]
        rec.case({"id": builder, "builder": builder,
                  "weights": rec.arrs(builder, "w", w),
                  "x": [rec.arr(builder, f"x{i}", v) for i, v in enumerate(inputs)],
                  "y": rec.arr(builder, "y", to_np(model.predict(x, verbose=0))),
                  "layer_names": [l.name for l in model.layers]})
    # Two outputs: loss dict, loss weights, metrics dict.
    keras.utils.clear_session()
    model = fm.two_output_model(keras)
    w = _weights(model)
    model.set_weights(w)
    model.compile(**fm.two_output_compile(keras))
    x = RNG.rand(16, 6).astype(np.float32)
    y1 = RNG.randint(0, 2, (16, 1)).astype(np.float32)
    y2 = RNG.rand(16, 1).astype(np.float32)
    hist = model.fit(x, {"dense_1": y1, "dense_2": y2}, epochs=3, batch_size=8, shuffle=False,
                     verbose=0, validation_data=(x[:4], [y1[:4], y2[:4]]))
    evaluated = model.evaluate(x, [y1, y2], verbose=0)
    as_dict = model.evaluate(x, [y1, y2], verbose=0, return_dict=True)
    cid = "two_outputs"
    rec.case({"id": cid, "builder": "two_output_model",
              "weights": rec.arrs(cid, "w", w), "x": rec.arr(cid, "x", x),
              "y1": rec.arr(cid, "y1", y1), "y2": rec.arr(cid, "y2", y2),
              "history": {k: [float(v) for v in vals] for k, vals in hist.history.items()},
              "evaluate": [float(v) for v in evaluated],
              "evaluate_dict": {k: float(v) for k, v in as_dict.items()},
              "metrics_names": list(model.metrics_names),
              "final_weights": rec.arrs(cid, "final", [to_np(v) for v in model.get_weights()])})
    # seq2seq: symbolic initial_state; 3 RMSprop epochs of one batch.
    keras.utils.clear_session()
    rs = np.random.RandomState(21)
    model = fm.seq2seq_model(keras)
    w = [rs.uniform(-0.5, 0.5, v.shape).astype("float32") for v in model.get_weights()]
    model.set_weights(w)
    xe = rs.normal(size=(8, 5, 4)).astype("float32")
    xd = rs.normal(size=(8, 4, 3)).astype("float32")
    yd = np.eye(3, dtype="float32")[rs.randint(0, 3, size=(8, 4))]
    before = model.predict([xe, xd], verbose=0)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
                  loss="categorical_crossentropy")
    hist = model.fit([xe, xd], yd, epochs=3, batch_size=8, shuffle=False, verbose=0)
    cid = "seq2seq"
    rec.case({"id": cid, "builder": "seq2seq_model", "weights": rec.arrs(cid, "w", w),
              "x": rec.arrs(cid, "x", [xe, xd]), "target": rec.arr(cid, "t", yd),
              "y_before": rec.arr(cid, "yb", to_np(before)),
              "losses": [float(v) for v in hist.history["loss"]],
              "final_weights": rec.arrs(cid, "final", [to_np(v) for v in model.get_weights()]),
              "layer_names": [l.name for l in model.layers]})
    # Summaries (the table width follows the terminal: pin it to 80 columns).
    os.environ["COLUMNS"] = "80"
    for builder, arg in (("two_output_model", None), ("nested_model", None),
                         ("shared_layer_model", None), ("merge_model", "concatenate"),
                         ("seq2seq_model", None)):
        keras.utils.clear_session()
        model = getattr(fm, builder)(keras, arg) if arg else getattr(fm, builder)(keras)
        lines = []
        model.summary(print_fn=lambda line, *a, **k: lines.append(line))
        rec.case({"id": f"summary_{builder}" + (f"_{arg}" if arg else ""), "builder": builder,
                  "summary_arg": arg, "text": "\n".join(lines)})
    rec.save()
