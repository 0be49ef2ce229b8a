"""Parity of functional models with real Keras 3: merges, nesting, shared layers and a
two-output model's history and evaluate outputs (goldens: tests/goldens/functional.*)."""

import numpy as np
import pytest

import functional_models as fm
import nbkeras as keras
from parity_goldens import load_goldens

DOC, A = load_goldens("functional")
CASES = {c["id"]: c for c in DOC["cases"]}
PREDICT = [c for c in DOC["cases"] if "y" in c and ("arg" in c or c["builder"] in ("nested_model", "shared_layer_model"))]
SUMMARIES = [c for c in DOC["cases"] if "text" in c]


def _build(case):
    keras.utils.clear_session()
    builder = getattr(fm, case["builder"])
    model = builder(keras, case["arg"]) if "arg" in case else builder(keras)
    model.set_weights([A[k] for k in case["weights"]])
    return model


@pytest.mark.parametrize("case", PREDICT, ids=[c["id"] for c in PREDICT])
def test_predict_matches_keras(case):
    model = _build(case)
    xs = [A[k] for k in case["x"]]
    y = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    np.testing.assert_allclose(y, A[case["y"]], rtol=1e-4, atol=1e-6)
    assert [l.name for l in model.layers] == case["layer_names"]


@pytest.fixture(scope="module")
def two_outputs():
    case = CASES["two_outputs"]
    model = _build(case)
    model.compile(**fm.two_output_compile(keras))
    x, y1, y2 = A[case["x"]], A[case["y1"]], A[case["y2"]]
    hist = model.fit(x, {"dense_1": y1, "dense_2": y2}, epochs=3, batch_size=8, shuffle=False,
                     verbose=0, validation_data=(x[:4], [y1[:4], y2[:4]]))
    return case, model, hist, (x, y1, y2)


def test_two_output_history(two_outputs):
    case, _, hist, _ = two_outputs
    # Keras-JAX returns logs as a sorted dict; compare by key.
    assert sorted(hist.history) == sorted(case["history"])
    for key, values in case["history"].items():
        np.testing.assert_allclose(hist.history[key], values, rtol=1e-4, atol=1e-6, err_msg=key)


def test_two_output_evaluate_and_weights(two_outputs):
    case, model, _, (x, y1, y2) = two_outputs
    np.testing.assert_allclose(model.evaluate(x, [y1, y2], verbose=0), case["evaluate"],
                               rtol=1e-4, atol=1e-6)
    got = model.evaluate(x, [y1, y2], verbose=0, return_dict=True)
    assert sorted(got) == sorted(case["evaluate_dict"])
    for key, value in case["evaluate_dict"].items():
        np.testing.assert_allclose(got[key], value, rtol=1e-4, atol=1e-6, err_msg=key)
    for w, k in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(w, A[k], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("case", SUMMARIES, ids=[c["id"] for c in SUMMARIES])
def test_summary_text_matches_keras(case, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    keras.utils.clear_session()
    builder = getattr(fm, case["builder"])
    model = builder(keras, case["summary_arg"]) if case["summary_arg"] else builder(keras)
    lines = []
    model.summary(print_fn=lines.append)
    # Keras hands print_fn one block ending in a newline; compare the text itself.
    assert "\n".join(lines).rstrip("\n") == case["text"].rstrip("\n")


def test_seq2seq_initial_state_from_symbolic_tensors():
    """Encoder states passed as `initial_state=` in the functional API: predictions,
    3 training steps and the trained weights match Keras, and the model round-trips."""
    case = CASES["seq2seq"]
    model = _build(case)
    assert [l.name for l in model.layers] == case["layer_names"]
    xe, xd = (A[k] for k in case["x"])
    np.testing.assert_allclose(model.predict([xe, xd], verbose=0), A[case["y_before"]],
                               rtol=1e-4, atol=1e-6)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
                  loss="categorical_crossentropy")
    hist = model.fit([xe, xd], A[case["target"]], epochs=3, batch_size=8, shuffle=False,
                     verbose=0)
    np.testing.assert_allclose(hist.history["loss"], case["losses"], rtol=1e-4, atol=1e-6)
    for w, k in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(w, A[k], rtol=1e-4, atol=1e-5)
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict([xe, xd], verbose=0),
                                  model.predict([xe, xd], verbose=0))
    decoder = model.layers[3]
    assert len(decoder.input) == 3  # the sequence and the two states, as in Keras
