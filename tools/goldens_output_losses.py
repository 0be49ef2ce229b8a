"""Golden group 'output_losses': what Keras 3 logs for multi-output models whose outputs do
not all have a loss, and what `Dense(..., activation="glu")` does to shapes.

Keras logs `<output>_loss` only for the outputs that have a loss, and only when more than
one output has one; a loss dict must name every output. A Dense layer with the `glu`
activation declares its `units` as the output shape (summary, symbolic shape), while the
values have half the units (glu halves the last axis), so a layer after it that expects
`units` inputs fails at run time. tests/test_parity_output_losses.py replays both.
"""

import numpy as np

from goldens_common import Recorder, keras_meta

RNG = np.random.RandomState(5)

LOSS_CASES = [
    ("all", ["mse", "mae", "mse"], None),
    ("middle-none", ["mse", None, "mae"], None),
    ("one-loss", [None, None, "mse"], None),
    ("dict-weights", {"a": None, "b": "mse", "c": "mae"}, {"a": 1.0, "b": 2.0, "c": 0.5}),
    ("list-weights", ["mse", None, "mae"], [1.0, 3.0, 0.5]),
]


def _model(keras):
    inp = keras.Input((3,), name="x")
    outs = [keras.layers.Dense(u, name=n)(inp) for n, u in (("a", 2), ("b", 1), ("c", 1))]
    return keras.Model(inp, outs)


def _summary(model):
    lines = []
    model.summary(print_fn=lambda s, *a, **k: lines.append(s))
    return "\n".join(lines)


def generate(keras):
    rec = Recorder("output_losses", keras_meta())
    x = RNG.normal(size=(8, 3)).astype("float32")
    ys = [RNG.normal(size=(8, u)).astype("float32") for u in (2, 1, 1)]
    model = _model(keras)
    weights = [RNG.normal(size=w.shape).astype("float32") for w in model.get_weights()]
    common = {"x": rec.arr("common", "x", x), "ys": [rec.arr("common", f"y{i}", y)
                                                   for i, y in enumerate(ys)],
              "weights": [rec.arr("common", f"w{i}", w) for i, w in enumerate(weights)]}
    rec.case({"id": "common", **common})
    for cid, loss, loss_weights in LOSS_CASES:
        keras.utils.clear_session()
        model = _model(keras)
        model.set_weights(weights)
        model.compile(optimizer="sgd", loss=loss, loss_weights=loss_weights)
        hist = model.fit(x, ys, epochs=2, batch_size=4, shuffle=False, verbose=0)
        ev = model.evaluate(x, ys, verbose=0, return_dict=True)
        rec.case({"id": cid, "loss": loss, "loss_weights": loss_weights,
                  "history": {k: [float(v) for v in vs] for k, vs in hist.history.items()},
                  "evaluate": {k: float(v) for k, v in ev.items()},
                  "metrics_names": list(model.metrics_names)})
    keras.utils.clear_session()
    model = _model(keras)
    try:
        model.compile(optimizer="sgd", loss={"a": "mse", "c": "mae"})
        model.fit(x, ys, epochs=1, verbose=0)
        error = None
    except ValueError as e:
        error = str(e)
    rec.case({"id": "partial-dict", "error": error})
    # A model whose outputs are a dict may leave outputs out of its loss dict.
    keras.utils.clear_session()
    inp = keras.Input((3,), name="x")
    outs = {n: keras.layers.Dense(u, name=n)(inp) for n, u in (("a", 2), ("b", 1), ("c", 1))}
    model = keras.Model(inp, outs)
    model.set_weights(weights)
    model.compile(optimizer="sgd", loss={"a": "mse", "c": "mae"})
    hist = model.fit(x, {"a": ys[0], "c": ys[2]}, epochs=2, batch_size=4, shuffle=False,
                     verbose=0)
    rec.case({"id": "dict-outputs-partial", "history": {k: [float(v) for v in vs]
                                                        for k, vs in hist.history.items()}})

    # Dense with the glu activation
    keras.utils.clear_session()
    inp = keras.Input((5,), name="x")
    h = keras.layers.Dense(8, activation="glu", name="gated")(inp)
    model = keras.Model(inp, h)
    w = [RNG.normal(size=v.shape).astype("float32") for v in model.get_weights()]
    model.set_weights(w)
    xg = RNG.normal(size=(3, 5)).astype("float32")
    pred = model.predict(xg, verbose=0)
    model.compile(optimizer="sgd", loss="mse")
    yg = RNG.normal(size=(3, 4)).astype("float32")
    hist = model.fit(xg, yg, epochs=2, batch_size=3, shuffle=False, verbose=0)
    after = model.get_weights()
    nxt = keras.layers.Dense(2, name="after")(h)
    try:
        keras.Model(inp, nxt).predict(xg, verbose=0)
        downstream = None
    except ValueError:
        downstream = "ValueError"
    rec.case({"id": "dense-glu", "symbolic_shape": list(h.shape),
              "summary": _summary(model), "x": rec.arr("dense-glu", "x", xg),
              "y": rec.arr("dense-glu", "y", yg),
              "weights": [rec.arr("dense-glu", f"w{i}", v) for i, v in enumerate(w)],
              "pred": rec.arr("dense-glu", "pred", pred),
              "history": [float(v) for v in hist.history["loss"]],
              "after": [rec.arr("dense-glu", f"after{i}", v) for i, v in enumerate(after)],
              "downstream_error": downstream})
    return rec.save()
