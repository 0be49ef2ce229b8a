"""`predict` of data that fits one batch, with no callbacks and `verbose=0`, skips its batch
loop (trainer.Trainer._predict_batch): the same outputs, bit for bit, as the loop, as
`predict_on_batch` and as `model(x)`; callbacks, the progress bar, `steps`, dict and list
outputs and the input errors behave as before."""

import io
import contextlib

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import callbacks, layers
from nbkeras.trainers import forward_plan


@pytest.fixture
def one_lane(monkeypatch):
    """One GEMM lane, so that every path below takes the same thread path."""
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "1")


def _cnn():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(12, 12, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Dropout(0.5),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _x(n, seed=0):
    return np.random.default_rng(seed).random((n, 12, 12, 1), dtype="float32")


class Hooks(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_predict_begin(self, logs=None):
        self.seen.append("begin")

    def on_predict_batch_begin(self, batch, logs=None):
        self.seen.append(("batch_begin", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.seen.append(("batch_end", batch, logs["outputs"].shape))

    def on_predict_end(self, logs=None):
        self.seen.append("end")


def test_one_sample_equals_every_other_path(one_lane):
    model, x = _cnn(), _x(1)
    outs = [model.predict(x, verbose=0) for _ in range(4)]  # direct, traces, then replays
    assert forward_plan.predict_path(model) == "replay"
    with contextlib.redirect_stdout(io.StringIO()):
        looped = model.predict(x, verbose=1)  # the batch loop (a progress bar)
    hooked = model.predict(x, verbose=0, callbacks=[Hooks()])  # the loop, with a callback
    for out in outs[1:] + [looped, hooked, model.predict_on_batch(x), np.asarray(model(x))]:
        np.testing.assert_array_equal(out, outs[0])
    assert outs[0].shape == (1, 3) and outs[0].dtype == np.float32


def test_batched_predict_equals_its_batches_one_by_one(one_lane):
    model, x = _cnn(), _x(7)
    whole = model.predict(x, batch_size=3, verbose=0)  # 3 batches: the loop
    parts = [model.predict(x[i:i + 3], batch_size=3, verbose=0) for i in (0, 3, 6)]
    np.testing.assert_array_equal(whole, np.concatenate(parts))
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict_on_batch(x))


def test_callbacks_still_see_a_one_sample_predict():
    model, x, hooks = _cnn(), _x(1), Hooks()
    model.predict(x, verbose=0, callbacks=[hooks])
    assert hooks.seen == ["begin", ("batch_begin", 0), ("batch_end", 0, (1, 3)), "end"]
    model.predict(x, verbose=0, callbacks=[])  # an empty list: no callback, nothing seen
    assert len(hooks.seen) == 4


def test_verbose_one_sample_still_shows_the_bar():
    model, x = _cnn(), _x(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.predict(x, verbose=1)
    assert "1/1" in out.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.predict(x, verbose=0)
    assert out.getvalue() == ""


def test_steps_beyond_one_batch_keep_the_loop():
    model, x = _cnn(), _x(2)
    assert model.predict(x, verbose=0, steps=2).shape == (4, 3)  # the batch, twice
    assert model.predict(x, verbose=0, steps=1).shape == (2, 3)


def test_each_call_returns_its_own_array():
    model, x = _cnn(), _x(1)
    for _ in range(3):
        model.predict(x, verbose=0)
    a = model.predict(x, verbose=0)
    b = model.predict(x, verbose=0)
    assert a is not b and a.base is None and not np.shares_memory(a, b)
    a[:] = -1
    np.testing.assert_array_equal(model.predict(x, verbose=0), b)


def test_bad_input_and_arguments_raise_before_anything_runs():
    model, hooks = _cnn(), Hooks()
    with pytest.raises(ValueError, match="Received"):
        model.predict(np.zeros((1, 10, 10, 1), "float32"), verbose=0, callbacks=[hooks])
    assert hooks.seen == []
    with pytest.raises(ValueError, match="verbose"):
        model.predict(_x(1), verbose=3)
    with pytest.raises(ValueError, match="batch_size"):
        model.predict(_x(1), batch_size=0, verbose=0)


def test_dict_and_list_outputs_of_one_sample(one_lane):
    inp = keras.Input(shape=(4,), name="x")
    a = layers.Dense(2, name="a")(inp)
    b = layers.Dense(3, activation="relu", name="b")(inp)
    x = np.random.default_rng(1).random((1, 4), dtype="float32")
    listed = keras.Model(inp, [a, b])
    named = keras.Model(inp, {"a": a, "b": b})
    for _ in range(4):
        out_list = listed.predict(x, verbose=0)
        out_dict = named.predict({"x": x}, verbose=0)
    assert isinstance(out_list, list) and [o.shape for o in out_list] == [(1, 2), (1, 3)]
    assert isinstance(out_dict, dict) and sorted(out_dict) == ["a", "b"]
    with contextlib.redirect_stdout(io.StringIO()):
        looped = listed.predict(x, verbose=1)
    for got, want in zip(out_list, looped):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(out_dict["a"], out_list[0])
    np.testing.assert_array_equal(out_dict["b"], out_list[1])
