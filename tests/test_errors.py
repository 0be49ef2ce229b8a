"""Bad input gets a clear Keras-style error (never a Numba traceback), and the model's state
is untouched afterwards."""

import traceback

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops

X = np.random.default_rng(0).normal(size=(10, 4)).astype("float32")
Y = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0])


def model(loss="sparse_categorical_crossentropy", bn=False):
    body = [layers.Dense(3, activation="relu", name="hidden")]
    body += [layers.BatchNormalization(name="bn")] if bn else []
    out = layers.Dense(2, activation="softmax", name="probs")
    m = keras.Sequential([keras.Input((4,)), *body, out])
    m.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return m


def expect(exc, fn, *contains, state=None):
    """Run fn, expecting `exc` whose message holds every string in `contains`, whose traceback
    never mentions Numba, and after which `state` (a layer or model) has the same weights."""
    before = [w.copy() for w in state.get_weights()] if state is not None else None
    with pytest.raises(exc) as e:
        fn()
    msg = str(e.value)
    tb = "".join(traceback.format_exception(e.value))
    assert "numba" not in tb.lower(), tb
    for c in contains:
        assert c in msg, f"{c!r} not in message: {msg}"
    if state is not None:
        after = state.get_weights()
        assert len(after) == len(before)
        for a, b in zip(before, after):
            np.testing.assert_array_equal(a, b)
    return msg


def _entry(name, m, x, y=Y):
    return {
        "predict": lambda: m.predict(x, verbose=0),
        "call": lambda: m(x),
        "fit": lambda: m.fit(x, y, verbose=0),
        "evaluate": lambda: m.evaluate(x, y, verbose=0),
        "train_on_batch": lambda: m.train_on_batch(x, y),
        "test_on_batch": lambda: m.test_on_batch(x, y),
        "predict_on_batch": lambda: m.predict_on_batch(x),
    }[name]


ENTRIES = ["predict", "call", "fit", "evaluate", "train_on_batch", "test_on_batch",
           "predict_on_batch"]


# --- shapes ---------------------------------------------------------------------------
def test_wrong_width_into_dense_layer():
    d = layers.Dense(3, name="hidden")
    d(np.zeros((2, 4)))
    expect(ValueError, lambda: d(np.zeros((2, 5))), '"hidden"', "4", "(2, 5)", "Received:", state=d)
    assert d(np.zeros((2, 4))).shape == (2, 3)  # still usable


@pytest.mark.parametrize("entry", ENTRIES)
def test_wrong_width_into_built_sequential(entry):
    m = model()
    expect(ValueError, _entry(entry, m, np.zeros((10, 5))), '"hidden"', "4", "(10, 5)",
           "Received:", state=m)
    assert m.predict(X, verbose=0).shape == (10, 2)


def test_wrong_width_after_build_from_data():
    m = keras.Sequential([layers.Dense(3, name="first"), layers.Dense(1)])
    m.compile("sgd", "mse")
    m.fit(X, Y, verbose=0)
    expect(ValueError, lambda: m.predict(np.zeros((3, 5)), verbose=0), "first", "4", "(3, 5)",
           state=m)


@pytest.mark.parametrize("shape", [(4,), (2, 3, 4)], ids=["rank1", "rank3"])
@pytest.mark.parametrize("entry", ["predict", "fit", "call"])
def test_wrong_rank_into_built_sequential(entry, shape):
    m = model()
    expect(ValueError, _entry(entry, m, np.zeros(shape), Y[:shape[0]]), "4", str(shape),
           "Received:", state=m)


def test_wrong_rank_into_dense_layer():
    expect(ValueError, lambda: layers.Dense(3, name="d")(np.zeros(4)), '"d"', "min_ndim=2",
           "(4,)", "Received:")


def test_rejected_first_call_leaves_layer_unbuilt():
    d = layers.Dense(3)
    with pytest.raises(ValueError):
        d(np.zeros(5))
    assert not d.built
    assert d(np.zeros((2, 4))).shape == (2, 3)


def test_bn_wrong_width():
    bn = layers.BatchNormalization(name="bn")
    bn(np.ones((2, 3)), training=True)
    expect(ValueError, lambda: bn(np.ones((2, 4)), training=True), '"bn"', "3", "(2, 4)", state=bn)


@pytest.mark.parametrize("loss, y", [("categorical_crossentropy", Y),
                                     ("binary_crossentropy", np.zeros((10, 3)))],
                         ids=["cce-sparse-y", "bce-wide-y"])
def test_target_shape_mismatch(loss, y):
    m = model(loss)
    expect(ValueError, lambda: m.fit(X, y, verbose=0), "target.shape", str(y.shape), "(10, 2)",
           "Received:", state=m)


def test_mse_target_shape_mismatch():
    m = model("mse")
    expect(ValueError, lambda: m.fit(X, np.zeros((10, 3)), verbose=0), "(10, 3)", "(10, 2)",
           "Received:", state=m)


# --- unknown identifiers ----------------------------------------------------------------
def _compile_fit(**kw):
    m = model()
    m.compile(**{"optimizer": "adam", "loss": "mse", **kw})
    return lambda: m.fit(X, np.zeros((10, 2)), verbose=0), m


@pytest.mark.parametrize("kind, make, bad, valid", [
    ("activation", lambda: (lambda: layers.Dense(3, activation="relux"), None), "relux",
     ["'relu'", "'tanh'", "'softmax'"]),
    ("initializer", lambda: (lambda: layers.Dense(3, kernel_initializer="glorot_unifrom"), None),
     "glorot_unifrom", ["'glorot_uniform'", "'zeros'"]),
    ("regularizer", lambda: (lambda: layers.Dense(3, kernel_regularizer="l3"), None), "l3",
     ["'l1'", "'l2'"]),
    ("optimizer", lambda: (lambda: model().compile(optimizer="adamx", loss="mse"), None), "adamx",
     ["'adam'", "'sgd'", "'rmsprop'"]),
    ("loss", lambda: _compile_fit(loss="msee"), "msee", ["'mse'", "'binary_crossentropy'"]),
    ("metric", lambda: _compile_fit(metrics=["acuracy"]), "acuracy", ["'accuracy'"]),
])
def test_unknown_identifier(kind, make, bad, valid):
    fn, m = make()
    expect(ValueError, fn, kind, repr(bad), "Received:", *valid, state=m)


# --- non-numeric data -------------------------------------------------------------------
STRINGS = np.array([["a", "b", "c", "d"]] * 10)
OBJECTS = np.array([[object()] * 4] * 10, dtype=object)


@pytest.mark.parametrize("bad", [STRINGS, OBJECTS, STRINGS.tolist()], ids=["str", "obj", "list"])
@pytest.mark.parametrize("entry", ["fit", "evaluate", "predict", "train_on_batch"])
def test_non_numeric_x(entry, bad):
    m = model()
    expect(TypeError, _entry(entry, m, bad), "`x`", "numeric", "Received:", state=m)


@pytest.mark.parametrize("bad", [STRINGS[:, 0], OBJECTS[:, 0], ["cat"] * 10],
                         ids=["str", "obj", "list"])
@pytest.mark.parametrize("entry", ["fit", "evaluate", "train_on_batch"])
def test_non_numeric_y(entry, bad):
    m = model()
    expect(TypeError, _entry(entry, m, X, bad), "`y`", "numeric", "Received:", state=m)


@pytest.mark.parametrize("make, bad", [
    (lambda: model(), STRINGS), (lambda: model(), OBJECTS),
    (lambda: layers.Activation("relu", name="act"), np.array([[None, 1.0]], dtype=object)),
], ids=["model-str", "model-obj", "activation-obj"])
def test_non_numeric_direct_call(make, bad):
    layer = make()
    expect(TypeError, lambda: layer(bad), "numeric", "Received:", state=layer)


def test_complex_input_to_dense():
    d = layers.Dense(3, activation="relu", name="d")
    expect(TypeError, lambda: d(np.ones((2, 4), complex)), "d", "complex")


@pytest.mark.parametrize("fn", [
    lambda: ops.relu(np.ones(3, np.float16)), lambda: ops.softmax(np.ones((2, 3), np.float16)),
    lambda: layers.Dense(3, activation="relu", dtype="float16")(np.ones((2, 4), np.float16)),
], ids=["relu", "softmax", "dense"])
def test_float16_never_shows_numba(fn):
    try:
        out = fn()
    except (TypeError, ValueError) as e:
        tb = "".join(traceback.format_exception(e))
        assert "site-packages/numba" not in tb and "TypingError" not in tb
        assert "float16" in str(e)
    else:
        assert np.asarray(out).dtype == np.float16


# --- cardinality and labels -------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda m: m.fit(X, Y[:7], verbose=0), lambda m: m.evaluate(X, Y[:7], verbose=0),
    lambda m: m.train_on_batch(X, Y[:7]), lambda m: m.test_on_batch(X, Y[:7]),
    lambda m: m.fit(X, Y, sample_weight=np.ones(7), verbose=0),
    lambda m: m.fit(X, Y, validation_data=(X[:7], Y), verbose=0),
], ids=["fit", "evaluate", "train_on_batch", "test_on_batch", "sample_weight", "validation_data"])
def test_length_mismatch(call):
    m = model()
    expect(ValueError, lambda: call(m), "cardinality", "10", "7", "Received:", state=m)


@pytest.mark.parametrize("label", [2, 5, -1])
@pytest.mark.parametrize("entry", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_sparse_labels_out_of_range(entry, label):
    m = model()
    y = Y.copy()
    y[3] = label
    expect(ValueError, _entry(entry, m, X, y), "Labels", "[0, 2)", str(label), "Received:", state=m)


@pytest.mark.parametrize("y", [np.full(10, 7), np.zeros((10, 3))], ids=["labels", "shape"])
def test_failed_fit_leaves_non_trainable_state_untouched(y):
    loss = "sparse_categorical_crossentropy" if y.ndim == 1 else "categorical_crossentropy"
    m = model(loss, bn=True)
    expect(ValueError, lambda: m.fit(X, y, verbose=0), "Received:", state=m)


# --- invalid arguments ------------------------------------------------------------------
@pytest.mark.parametrize("bs", [0, -1, 2.5, True, "32"])
@pytest.mark.parametrize("entry", ["fit", "evaluate", "predict"])
def test_invalid_batch_size(entry, bs):
    m = model()
    call = {"fit": lambda: m.fit(X, Y, batch_size=bs, verbose=0),
            "evaluate": lambda: m.evaluate(X, Y, batch_size=bs, verbose=0),
            "predict": lambda: m.predict(X, batch_size=bs, verbose=0)}[entry]
    expect(ValueError, call, "batch_size", f"Received: batch_size={bs!r}", state=m)


@pytest.mark.parametrize("units", [0, -3, 2.5, "4", None, True])
def test_invalid_units(units):
    expect(ValueError, lambda: layers.Dense(units), "units", f"Received: units={units!r}")


@pytest.mark.parametrize("rate", [-0.1, 1.5, "0.5", None])
def test_invalid_dropout_rate(rate):
    expect(ValueError, lambda: layers.Dropout(rate), "rate", f"Received: rate={rate!r}")


# --- weights ----------------------------------------------------------------------------
def test_set_weights_wrong_count():
    m = model()
    w = m.get_weights()
    expect(ValueError, lambda: m.set_weights(w[:-1]), "length 3", "expecting 4", "Received:",
           state=m)
    expect(ValueError, lambda: m.set_weights(w + [w[0]]), "length 5", "expecting 4", state=m)


def test_set_weights_wrong_shape():
    d = layers.Dense(3, name="dd")
    d(np.zeros((2, 4)))
    expect(ValueError, lambda: d.set_weights([np.ones((5, 3)), np.ones(3)]), "dd", "(4, 3)",
           "(5, 3)", "Received:", state=d)
    m = model()
    good = m.get_weights()
    bad = good[:-1] + [np.ones(3)]  # only the last is wrong: nothing may be assigned
    expect(ValueError, lambda: m.set_weights(bad), "(2,)", "(3,)", state=m)


@pytest.mark.parametrize("make", [lambda: layers.Dense(3, name="lazy"),
                                  lambda: keras.Sequential([layers.Dense(3)], name="lazy")],
                         ids=["layer", "sequential"])
def test_count_params_unbuilt(make):
    expect(ValueError, lambda: make().count_params(), "lazy", "isn't built", "build")


@pytest.mark.parametrize("entry", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_fit_before_compile(entry):
    m = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    expect(RuntimeError, _entry(entry, m, X), "compile()", f"{entry}()", state=m)
