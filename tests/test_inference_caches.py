"""predict / evaluate / predict_on_batch / test_on_batch keep every behaviour behind their
per-call shortcuts (issue 16): the data checks remembered per model state and data signature
are forgotten when the model changes, the checks of values still run on every call,
callbacks are still called, and the GEMM lanes sized for inference are given back."""

import warnings

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers
from nbkeras.backend.cpu import gemm, threads

rng = np.random.default_rng(0)
X1 = rng.random((1, 6), dtype=np.float32)
X40 = rng.random((40, 6), dtype=np.float32)


def _dense_forward(model, x):
    """The model's output from its weights, in NumPy (Dense layers, relu or linear)."""
    out = x.astype(np.float64)
    for layer in model.layers:
        w, b = layer.get_weights()
        out = out @ w + b
        if layer.get_config()["activation"] == "relu":
            out = np.maximum(out, 0)
    return out


def _model(*units):
    model = keras.Sequential([keras.Input((6,))] + [
        layers.Dense(u, activation="relu" if i < len(units) - 1 else None)
        for i, u in enumerate(units)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _predicts(model, x):
    """predict (one batch and several), predict_on_batch and model(x), in that order."""
    return [model.predict(x, verbose=0), model.predict(x, batch_size=7, verbose=0),
            model.predict_on_batch(x), np.asarray(model(x))]


def test_every_inference_call_agrees_with_the_weights():
    model = _model(5, 3)
    for x in (X1, X40):
        want = _dense_forward(model, x)
        for got in _predicts(model, x):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        got = _predicts(model, x)
        np.testing.assert_array_equal(got[0], got[3])  # one batch: exactly model(x)


def test_predict_after_adding_and_popping_a_layer():
    model = _model(5)
    model.predict(X1, verbose=0)
    model.add(layers.Dense(2))
    out = model.predict(X1, verbose=0)
    assert out.shape == (1, 2)
    np.testing.assert_allclose(out, _dense_forward(model, X1), rtol=1e-5, atol=1e-6)
    model.pop()
    out = model.predict(X1, verbose=0)
    assert out.shape == (1, 5)
    np.testing.assert_allclose(out, _dense_forward(model, X1), rtol=1e-5, atol=1e-6)


def test_predict_after_set_weights_and_after_training():
    model = _model(4, 2)
    before = model.predict(X1, verbose=0)
    model.set_weights([w + 1.0 for w in model.get_weights()])
    after = model.predict(X1, verbose=0)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, _dense_forward(model, X1), rtol=1e-5, atol=1e-6)
    model.fit(X40, rng.random((40, 2), dtype=np.float32), epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(X1, verbose=0), _dense_forward(model, X1),
                               rtol=1e-5, atol=1e-6)


def test_predict_and_evaluate_after_changing_trainable():
    model = _model(4, 1)
    y = np.ones((1, 1), np.float32)
    first = model.evaluate(X1, y, verbose=0)
    model.layers[0].trainable = False
    out = model.predict(X1, verbose=0)
    np.testing.assert_allclose(out, _dense_forward(model, X1), rtol=1e-5, atol=1e-6)
    assert model.evaluate(X1, y, verbose=0) == pytest.approx(first, rel=1e-6)
    model.fit(X1, y, epochs=2, verbose=0)  # only the last layer learns now
    frozen = model.layers[0].get_weights()
    model.fit(X1, y, epochs=1, verbose=0)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    want = float(np.mean((_dense_forward(model, X1) - 1.0) ** 2))
    assert model.evaluate(X1, y, verbose=0) == pytest.approx(want, rel=1e-5)
    assert model.test_on_batch(X1, y) == pytest.approx(want, rel=1e-5)


def test_recompile_changes_the_loss_and_the_label_checks():
    model = keras.Sequential([keras.Input((6,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="mse")
    labels = np.array([[0.0, 1.0, 0.0]], np.float32)
    p = model.predict(X1, verbose=0)
    assert model.evaluate(X1, labels, verbose=0) == pytest.approx(
        float(np.mean((p - labels) ** 2)), rel=1e-5)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    loss, acc = model.evaluate(X1, np.array([1]), verbose=0)
    assert loss == pytest.approx(float(-np.log(p[0, 1])), rel=1e-5)
    assert acc == (1.0 if p[0].argmax() == 1 else 0.0)
    assert model.test_on_batch(X1, np.array([1])) == pytest.approx([loss, acc], rel=1e-6)
    # The same signature again: the labels' values are still checked, before any step.
    for call in (lambda y: model.evaluate(X1, y, verbose=0),
                 lambda y: model.test_on_batch(X1, y)):
        with pytest.raises(ValueError, match=r"Labels in `y` must be integers in \[0, 3\).*"
                                             r"Received: y with a label of 7"):
            call(np.array([7]))
    assert model.evaluate(X1, np.array([1]), verbose=0) == pytest.approx([loss, acc], rel=1e-6)


def test_embedding_indices_are_checked_on_every_call():
    model = keras.Sequential([keras.Input((3,), dtype="int32"), layers.Embedding(5, 2),
                              layers.Flatten(), layers.Dense(1)])
    good = np.array([[0, 1, 4]])
    model.predict(good, verbose=0)
    model.predict(good, verbose=0)
    with pytest.raises((ValueError, IndexError), match="Received"):
        model.predict(np.array([[0, 5, 1]]), verbose=0)
    assert model.predict(good, verbose=0).shape == (1, 1)


def test_bad_shapes_raise_after_good_calls():
    model = _model(2)
    model.predict(X1, verbose=0)
    model.predict(X1, verbose=0)
    with pytest.raises(ValueError, match="Received"):
        model.predict(np.ones((1, 7), np.float32), verbose=0)
    with pytest.raises(ValueError, match="Received"):
        model.evaluate(np.ones((1, 7), np.float32), np.ones((1, 2)), verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        model.evaluate(X1, np.ones((1, 2)), sample_weight=np.ones(3), verbose=0)
    assert model.predict(X1, verbose=0).shape == (1, 2)


def test_ignored_input_keys_warn_every_time():
    a, b = keras.Input((2,), name="a"), keras.Input((2,), name="b")
    model = keras.Model({"a": a, "b": b}, layers.Add()([a, b]))
    data = {"a": np.ones((1, 2)), "b": np.ones((1, 2)), "c": np.ones((1, 2))}
    for _ in range(2):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            np.testing.assert_allclose(model.predict(data, verbose=0), [[2.0, 2.0]])
        assert any("'c'" in str(w.message) or "['c']" in str(w.message) for w in seen)


class _PrivateSublayer(keras.Model):
    def __init__(self):
        super().__init__()
        self._encoder = layers.Dense(2)

    def call(self, x):
        return self._encoder(x)


def test_remembered_checks_leave_the_weight_paths_alone():
    """What the data checks remember on a model is not walked for weights: a sublayer in a
    private attribute keeps its path after fit (it was `_data_checks/container_1/dense`)."""
    from nbkeras.saving.object_walk import walk

    model = _PrivateSublayer()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X40, np.ones((40, 2), "float32"), epochs=1, verbose=0)
    model.predict(X1, verbose=0)
    paths = []
    walk(model, lambda obj, path: paths.append(path))
    assert paths == ["", "optimizer", "_encoder"]


def test_one_batch_predict_returns_a_copy():
    model = keras.Sequential([keras.Input((6,)), layers.Activation("linear")])
    x = X1.copy()
    out = model.predict(x, verbose=0)
    np.testing.assert_array_equal(out, x)
    out[...] = 5.0
    np.testing.assert_array_equal(x, X1)


class _Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_predict_begin(self, logs=None):
        self.events.append(("predict_begin",))

    def on_predict_batch_begin(self, batch, logs=None):
        self.events.append(("batch_begin", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.events.append(("batch_end", batch, logs["outputs"].shape))

    def on_predict_end(self, logs=None):
        self.events.append(("predict_end",))

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(("test_batch_end", batch, dict(logs)))

    def on_test_end(self, logs=None):
        self.events.append(("test_end", dict(logs)))


def test_callbacks_passed_to_predict_are_called():
    model = _model(3)
    rec = _Recorder()
    model.predict(X1, verbose=0, callbacks=[rec])
    assert rec.events == [("predict_begin",), ("batch_begin", 0), ("batch_end", 0, (1, 3)),
                          ("predict_end",)]
    rec.events.clear()
    model.predict(X40, batch_size=16, verbose=0, callbacks=[rec])
    assert [e[:2] for e in rec.events] == [
        ("predict_begin",), ("batch_begin", 0), ("batch_end", 0), ("batch_begin", 1),
        ("batch_end", 1), ("batch_begin", 2), ("batch_end", 2), ("predict_end",)]
    assert rec.events[-2][2] == (8, 3)


def test_callbacks_passed_to_evaluate_are_called_and_see_the_logs():
    model = _model(2)
    y = rng.random((40, 2), dtype=np.float32)
    rec = _Recorder()
    loss = model.evaluate(X40, y, batch_size=16, verbose=0, callbacks=[rec])
    batches = [e for e in rec.events if e[0] == "test_batch_end"]
    assert [e[1] for e in batches] == [0, 1, 2]
    assert rec.events[-1] == ("test_end", {"loss": loss})
    assert batches[-1][2]["loss"] == pytest.approx(loss)
    assert loss == pytest.approx(float(np.mean((_dense_forward(model, X40) - y) ** 2)),
                                 rel=1e-5)


class _ResetsMetrics(keras.callbacks.Callback):
    """Resets the metrics after each test batch: evaluate's result is then the metrics'."""

    def on_test_batch_end(self, batch, logs=None):
        self.model.reset_metrics()


def test_evaluate_reads_the_metrics_again_after_a_callback_ran():
    model = _model(2)
    logs = model.evaluate(X40, np.ones((40, 2)), verbose=0, return_dict=True,
                          callbacks=[_ResetsMetrics()])
    assert logs == {"loss": 0.0}  # what the metrics hold once the callback reset them


# ------------------------------------------------------------------ GEMM lanes
needs_threads = pytest.mark.skipif(gemm.blocks_per_gemm() < 2,
                                   reason="needs 2+ usable cores (GEMM blocks on 2 lanes)")


class _ThreadProbe(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_predict_batch_begin(self, batch, logs=None):
        self.seen.append(gemm.lanes())

    def on_test_batch_begin(self, batch, logs=None):
        self.seen.append(gemm.lanes())


@needs_threads
def test_inference_sizes_gemm_lanes_and_gives_them_back(monkeypatch):
    start = gemm.lanes()
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "1")
    monkeypatch.setitem(threads._inference, "at", None)  # the pin is read with a new sample
    model = _model(3)
    probe = _ThreadProbe()
    model.predict(X40, batch_size=16, verbose=0, callbacks=[probe])
    model.evaluate(X40, np.ones((40, 3)), verbose=0, callbacks=[probe])
    assert probe.seen == [1] * 5
    assert gemm.lanes() == start
    user = threads.blas_threads()
    model.predict_on_batch(X1), model.test_on_batch(X1, np.ones((1, 3))), model(X1)
    assert gemm.lanes() == start
    assert threads.blas_threads() == user  # OpenBLAS: one thread inside, the user's after


@needs_threads
def test_inference_inside_fit_leaves_the_threads_to_fit(monkeypatch):
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "2")
    monkeypatch.setitem(threads._inference, "at", None)
    model = _model(3)
    model.predict(X1, verbose=0)  # records a pinned count of 2 for inference
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "1")  # fit reads the pin when it starts
    seen = []
    probe = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(
        (gemm.lanes(), model.predict(X1, verbose=0) is not None, gemm.lanes())))
    model.fit(X40, np.ones((40, 3)), batch_size=20, epochs=1, verbose=0, callbacks=[probe])
    assert seen == [(1, True, 1)] * 2
