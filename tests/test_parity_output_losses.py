"""Multi-output models whose outputs do not all have a loss log what Keras 3 logs, and
`Dense(..., activation="glu")` behaves as in Keras (goldens: tests/goldens/output_losses.*
from tools/goldens_output_losses.py)."""

import numpy as np
import pytest

import nbkeras as keras
from parity_goldens import load_goldens

DOC, ARR = load_goldens("output_losses")
CASES = {c["id"]: c for c in DOC["cases"]}
COMMON = CASES["common"]
LOSS_CASES = [c for c in DOC["cases"] if "loss" in c]


def _model():
    keras.utils.clear_session()
    inp = keras.Input((3,), name="x")
    outs = [keras.layers.Dense(u, name=n)(inp) for n, u in (("a", 2), ("b", 1), ("c", 1))]
    model = keras.Model(inp, outs)
    model.set_weights([ARR[k] for k in COMMON["weights"]])
    return model


@pytest.mark.parametrize("case", LOSS_CASES, ids=[c["id"] for c in LOSS_CASES])
def test_logs_name_only_the_outputs_with_a_loss(case):
    model = _model()
    model.compile(optimizer="sgd", loss=case["loss"], loss_weights=case["loss_weights"])
    x, ys = ARR[COMMON["x"]], [ARR[k] for k in COMMON["ys"]]
    hist = model.fit(x, ys, epochs=2, batch_size=4, shuffle=False, verbose=0)
    assert sorted(hist.history) == sorted(case["history"])
    for k, v in case["history"].items():
        np.testing.assert_allclose(hist.history[k], v, rtol=1e-4)
    ev = model.evaluate(x, ys, verbose=0, return_dict=True)
    assert sorted(ev) == sorted(case["evaluate"])
    for k, v in case["evaluate"].items():
        np.testing.assert_allclose(ev[k], v, rtol=1e-4)
    assert model.metrics_names == case["metrics_names"]


def test_a_loss_dict_must_name_every_output():
    model = _model()
    want = CASES["partial-dict"]["error"]
    with pytest.raises(ValueError) as err:
        model.compile(optimizer="sgd", loss={"a": "mse", "c": "mae"})
        model.fit(ARR[COMMON["x"]], [ARR[k] for k in COMMON["ys"]], epochs=1, verbose=0)
    assert str(err.value).startswith(want) and "Received:" in str(err.value)


def test_dict_outputs_may_leave_outputs_out_of_the_loss_dict():
    keras.utils.clear_session()
    inp = keras.Input((3,), name="x")
    outs = {n: keras.layers.Dense(u, name=n)(inp) for n, u in (("a", 2), ("b", 1), ("c", 1))}
    model = keras.Model(inp, outs)
    model.set_weights([ARR[k] for k in COMMON["weights"]])
    model.compile(optimizer="sgd", loss={"a": "mse", "c": "mae"})
    ys = [ARR[k] for k in COMMON["ys"]]
    hist = model.fit(ARR[COMMON["x"]], {"a": ys[0], "c": ys[2]}, epochs=2, batch_size=4,
                     shuffle=False, verbose=0)
    want = CASES["dict-outputs-partial"]["history"]
    assert sorted(hist.history) == sorted(want)
    for k, v in want.items():
        np.testing.assert_allclose(hist.history[k], v, rtol=1e-4)


def _summary(model):
    lines = []
    model.summary(print_fn=lambda s, *a, **k: lines.append(s))
    return "\n".join(line.rstrip("\n") for line in lines)


def test_dense_with_glu_declares_units_and_outputs_half(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    c = CASES["dense-glu"]
    keras.utils.clear_session()
    inp = keras.Input((5,), name="x")
    h = keras.layers.Dense(8, activation="glu", name="gated")(inp)
    assert list(h.shape) == c["symbolic_shape"]
    model = keras.Model(inp, h)
    model.set_weights([ARR[k] for k in c["weights"]])
    x, y = ARR[c["x"]], ARR[c["y"]]
    np.testing.assert_allclose(model.predict(x, verbose=0), ARR[c["pred"]], rtol=1e-4, atol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    hist = model.fit(x, y, epochs=2, batch_size=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], c["history"], rtol=1e-4)
    for got, key in zip(model.get_weights(), c["after"]):
        np.testing.assert_allclose(got, ARR[key], rtol=1e-4, atol=1e-6)
    want = "\n".join(line.rstrip("\n") for line in c["summary"].split("\n"))
    assert _summary(model).rstrip("\n") == want.rstrip("\n")
    nxt = keras.layers.Dense(2, name="after")(h)
    assert c["downstream_error"] == "ValueError"
    with pytest.raises(ValueError, match="Received:"):
        keras.Model(inp, nxt).predict(x, verbose=0)
