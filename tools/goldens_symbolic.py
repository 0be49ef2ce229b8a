"""Golden group 'symbolic': functional models built from ops on symbolic tensors.

For each model of tests/symbolic_models.py (built unchanged by Keras here and by
nbkeras in tests/test_symbolic_ops.py): predictions, a 3-step SGD trajectory (losses
and final weights), the summary text and the config entries of the op nodes; and the
model as Keras saves it, `tests/fixtures/symbolic/<name>.keras` (before training, so it
predicts the recorded predictions), for the loading test.
"""

import os
import sys

import numpy as np

from goldens_common import Recorder, keras_meta, to_np
from goldens_misc import SUMMARY_COLUMNS, _summary_text

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
import symbolic_models as sm  # noqa: E402

RNG = np.random.RandomState(11)
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "tests", "fixtures", "symbolic")


def data(name, n=8):
    """Inputs and targets for `sm.BUILDERS[name]` (the test reads them from the golden)."""
    if name in ("residual_ops", "new_ops"):
        return [RNG.normal(size=(n, 4)).astype("float32")], [RNG.normal(size=(n, 2)).astype("float32")]
    x = [RNG.normal(size=(n, 3)).astype("float32") for _ in range(2)]
    return x, [RNG.normal(size=(n, 1)).astype("float32") for _ in range(2)]


def op_entries(model):
    """The config entries of the model's op nodes (not its layers)."""
    return [e for e in model.get_config()["layers"]
            if str(e.get("module", "")).startswith("keras.src.ops.")]


def generate(keras):
    rec = Recorder("symbolic", dict(keras_meta(), columns=SUMMARY_COLUMNS))
    os.environ["COLUMNS"] = SUMMARY_COLUMNS
    for name, build in sm.BUILDERS.items():
        keras.utils.clear_session()
        model = build(keras)
        w = [RNG.uniform(-0.5, 0.5, v.shape).astype("float32") for v in model.get_weights()]
        model.set_weights(w)
        x, y = data(name)
        xs = x if len(x) > 1 else x[0]
        ys = y if len(y) > 1 else y[0]
        pred = model.predict(xs, verbose=0)
        os.makedirs(FIXTURES, exist_ok=True)
        model.save(os.path.join(FIXTURES, f"{name}.keras"))
        summary = _summary_text(model)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        hist = model.fit(xs, ys, epochs=3, batch_size=len(x[0]), shuffle=False, verbose=0)
        rec.case({"id": name, "builder": name,
                  "weights": rec.arrs(name, "w", w), "x": rec.arrs(name, "x", x),
                  "y": rec.arrs(name, "y", y),
                  "pred": rec.arrs(name, "pred", [to_np(p) for p in (pred if isinstance(pred, list) else [pred])]),
                  "summary": summary, "history": {k: [float(v) for v in vs] for k, vs in hist.history.items()},
                  "final_weights": rec.arrs(name, "final", [to_np(v) for v in model.get_weights()]),
                  "op_entries": op_entries(model),
                  "layer_names": [l.name for l in model.layers]})
    del os.environ["COLUMNS"]
    return rec.save()
