"""NaN is never hidden: every activation and pooling kernel follows Keras's NaN rule, so a
NaN in `x` shows as `loss: nan` and `TerminateOnNaN` stops `fit` at the first batch.

Goldens: tests/goldens/nan.{json,npz}, written by tools/goldens_nan.py (values and
gradients at NaN, +-inf and ordinary points, and pooling windows holding a NaN).
"""

import math

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import activations, layers, ops
from parity_goldens import load_goldens

DOC, A = load_goldens("nan")
FUNCTIONS = [c for c in DOC["cases"] if c["kind"] == "function"]
POOLING = [c for c in DOC["cases"] if c["kind"] == "pooling"]
# Every activation a layer can take by name (`threshold` needs its arguments; `glu` halves
# the units, which only a head layer can do).
EVERY_ACTIVATION = sorted(set(activations.ALL_OBJECTS_DICT) - {"threshold", "glu"})
# Keras's own rule: a few activations map NaN to 0 (hard_shrink, soft_shrink), so that in
# Keras too the loss stays finite; the goldens say which (softmax rows turn all NaN).
MAPS_NAN_AWAY = {c["function"] for c in FUNCTIONS
                 if not c["kwargs"] and not np.isnan(A[c["y"]][0, 0])}


def same(got, want, what=""):
    """Same NaN positions, same infinities, finite values equal at float32 tolerance."""
    got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
    assert got.shape == want.shape, what
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"NaN pattern {what}")
    np.testing.assert_allclose(np.nan_to_num(got, nan=0.0), np.nan_to_num(want, nan=0.0),
                               rtol=1e-4, atol=1e-6, err_msg=what)


def _grad(fn, x, upstream=None):
    with ops.GradientTape() as tape:
        xv = tape.watch(x)
        y = fn(xv)
        loss = ops.sum(y if upstream is None else ops.multiply(y, upstream))
    return ops.convert_to_numpy(y), tape.gradient(loss, xv)


@pytest.mark.parametrize("case", FUNCTIONS, ids=[c["id"] for c in FUNCTIONS])
def test_activation_function_nan_rule(case):
    fn = activations.get(case["function"])
    y, g = _grad(lambda t: fn(t, **case["kwargs"]), A[case["x"]])
    same(y, A[case["y"]], "forward")
    same(g, A[case["grad"]], "gradient")


@pytest.mark.parametrize("case", [c for c in FUNCTIONS if not c["kwargs"]],
                         ids=[c["id"] for c in FUNCTIONS if not c["kwargs"]])
def test_fused_dense_activation_nan_rule(case):
    """Dense's fused bias+activation kernel: one unit with weight 1 feeds each x straight in."""
    x = A[case["x"]].reshape(-1, 1)
    dense = layers.Dense(1, activation=case["function"], kernel_initializer="ones")
    dense.build(x.shape)
    y, g = _grad(dense, x)
    same(y, A[case["y"]].reshape(-1, 1), "forward")
    same(g, A[case["grad"]].reshape(-1, 1), "gradient")


@pytest.mark.parametrize("case", POOLING, ids=[c["id"] for c in POOLING])
def test_pooling_nan_rule(case):
    layer = getattr(layers, case["class"])(**case["kwargs"])
    y, g = _grad(layer, A[case["x"]], A[case["upstream"]])
    same(y, A[case["y"]], "forward")
    same(g, A[case["grad"]], "gradient")


class _Batches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1


def _body(kind, act):
    if kind == "dense":
        return [keras.Input((6,)), layers.Dense(4, activation=act)]
    if kind == "conv":
        return [keras.Input((6, 6, 2)), layers.Conv2D(4, 3, activation=act),
                layers.MaxPooling2D(2), layers.Flatten()]
    rnn = {"lstm": layers.LSTM, "gru": layers.GRU, "simple_rnn": layers.SimpleRNN}[kind]
    extra = {"recurrent_activation": act} if kind != "simple_rnn" else {}
    return [keras.Input((3, 6)), rnn(4, activation=act, **extra)]


def _x(kind, n):
    shape = {"dense": (6,), "conv": (6, 6, 2)}.get(kind, (3, 6))
    x = np.random.RandomState(0).uniform(-1, 1, (n,) + shape).astype("float32")
    x.reshape(n, -1)[1, 2] = np.nan  # one NaN in the first batch
    return x


@pytest.mark.parametrize("kind", ["dense", "conv", "lstm", "gru", "simple_rnn"])
def test_nan_input_shows_as_nan_loss_for_every_activation(kind):
    assert MAPS_NAN_AWAY == {"hard_shrink", "soft_shrink"}
    hidden = []
    for act in EVERY_ACTIVATION:
        keras.utils.set_random_seed(0)
        model = keras.Sequential(_body(kind, act) + [layers.Dense(1)])
        model.compile("sgd", "mse")
        x, y = _x(kind, 8), np.zeros((8, 1), "float32")
        counter = _Batches()
        history = model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False,
                            callbacks=[keras.callbacks.TerminateOnNaN(), counter])
        if act in MAPS_NAN_AWAY:  # as in Keras: finite, and TerminateOnNaN does not fire
            if not (math.isfinite(history.history["loss"][0]) and counter.seen == 4):
                hidden.append((act, history.history["loss"], counter.seen))
        elif not (math.isnan(history.history["loss"][0]) and counter.seen == 1
                  and len(history.history["loss"]) == 1):
            hidden.append((act, history.history["loss"], counter.seen))
    assert not hidden, f"NaN hidden in {kind} by: {hidden}"
