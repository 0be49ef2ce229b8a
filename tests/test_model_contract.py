"""Keras 3's model contract: what fit/evaluate/predict hand to train_step, test_step and
predict_step, how their logs travel, compute_loss / compute_metrics overrides and the
`metrics` list (numbers against real Keras are in test_contract_parity.py)."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops

RNG = np.random.RandomState(0)
X = RNG.randn(20, 4).astype("float32")
Y = (X[:, :1] * 0.5).astype("float32")
SW = np.linspace(0.5, 1.5, 20).astype("float32")


def dense_io(units=1):
    inputs = keras.Input((4,))
    return inputs, layers.Dense(units)(inputs)


class Recording(keras.Model):
    """Keeps what each step received; the default steps do the work."""

    def train_step(self, data):
        self.seen = getattr(self, "seen", []) + [("train", data)]
        return super().train_step(data)

    def test_step(self, data):
        self.seen = getattr(self, "seen", []) + [("test", data)]
        return super().test_step(data)

    def predict_step(self, data):
        self.seen = getattr(self, "seen", []) + [("predict", data)]
        return super().predict_step(data)


def test_steps_receive_the_batch_packed_as_keras_packs_it():
    model = Recording(*dense_io())
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, batch_size=10, epochs=1, verbose=0, shuffle=False)
    model.fit(X, Y, sample_weight=SW, batch_size=20, epochs=1, verbose=0, shuffle=False)
    model.evaluate(X, Y, batch_size=20, verbose=0)
    model.predict(X, batch_size=20, verbose=0)
    kinds = [(kind, type(d).__name__, len(d) if isinstance(d, tuple) else None)
             for kind, d in model.seen]
    assert kinds == [("train", "tuple", 2), ("train", "tuple", 2), ("train", "tuple", 3),
                     ("test", "tuple", 2), ("predict", "ndarray", None)]
    x, y = model.seen[0][1]
    np.testing.assert_array_equal(x, X[:10])
    np.testing.assert_array_equal(y, Y[:10])
    np.testing.assert_array_equal(model.seen[2][1][2], SW)
    assert keras.utils.unpack_x_y_sample_weight(model.seen[-1][1])[1] is None


def test_a_list_of_inputs_without_targets_arrives_as_a_one_tuple():
    a, b = keras.Input((4,)), keras.Input((4,))
    model = Recording([a, b], layers.Add()([a, b]))
    model.predict([X, X], verbose=0)
    (data,) = [d for kind, d in model.seen if kind == "predict"]
    assert isinstance(data, tuple) and len(data) == 1 and len(data[0]) == 2
    assert keras.utils.pack_x_y_sample_weight([X, X]) == ([X, X],)


class AddsToLogs(keras.Model):
    def train_step(self, data):
        logs = super().train_step(data)
        logs["bias"] = self.trainable_weights[1][0]
        return logs


def test_values_an_override_adds_reach_callbacks_and_history():
    model = AddsToLogs(*dense_io())
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    seen = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs))
    history = model.fit(X, Y, batch_size=5, epochs=2, verbose=0, callbacks=[cb])
    assert sorted(history.history) == ["bias", "loss", "mae"]
    assert all(sorted(logs) == ["bias", "loss", "mae"] for logs in seen)
    assert all(isinstance(v, float) for logs in seen for v in logs.values())
    # The epoch's logs are the last step's (their keys differ from `model.metrics`'), as Keras.
    assert history.history["bias"][-1] == seen[-1]["bias"] == float(model.get_weights()[1][0])
    assert history.history["loss"][-1] == seen[-1]["loss"]


class MeanLoss(keras.Model):
    """compile() without a loss: the loss comes from this override (with `training`)."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        self.flags = getattr(self, "flags", []) + [training]
        return ops.mean(ops.square(y_pred - y)) * 2.0


def test_compute_loss_override_replaces_the_loss_and_sees_training():
    model = MeanLoss(*dense_io())
    model.compile(optimizer=keras.optimizers.SGD(0.05))
    w0 = model.get_weights()
    history = model.fit(X, Y, batch_size=20, epochs=1, verbose=0)
    assert model.flags == [True]
    pred = X @ w0[0] + w0[1]
    np.testing.assert_allclose(history.history["loss"][0], 2 * np.mean((pred - Y) ** 2),
                               rtol=1e-5)
    value = model.evaluate(X, Y, batch_size=20, verbose=0)
    assert model.flags == [True, False]
    pred = X @ model.get_weights()[0] + model.get_weights()[1]
    np.testing.assert_allclose(value, 2 * np.mean((pred - Y) ** 2), rtol=1e-5)


def test_no_loss_anywhere_is_a_keras_error_before_any_weight_changes():
    model = keras.Model(*dense_io())
    model.compile(optimizer="sgd")
    w0 = model.get_weights()
    with pytest.raises(ValueError, match="No loss to compute.*Received: loss=None"):
        model.fit(X, Y, verbose=0)
    for w, v in zip(model.get_weights(), w0):
        np.testing.assert_array_equal(w, v)


class ExtraMetric(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pred_mean = keras.metrics.Mean(name="pred_mean")

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        self.pred_mean.update_state(y_pred)
        return super().compute_metrics(x, y, y_pred, sample_weight)


def test_metric_attributes_join_metrics_are_reset_each_epoch_and_logged():
    model = ExtraMetric(*dense_io())
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "pred_mean"]
    history = model.fit(X, Y, batch_size=20, epochs=2, verbose=0)
    assert sorted(history.history) == ["loss", "mae", "pred_mean"]
    # One batch per epoch: each epoch's value is that batch's alone (the tracker was reset).
    w = model.get_weights()
    final_pred = X @ w[0] + w[1]
    model.reset_metrics()
    assert model.get_metrics_result() == {"loss": 0.0, "mae": 0.0, "pred_mean": 0.0}
    logs = model.evaluate(X, Y, batch_size=20, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["pred_mean"], final_pred.mean(), rtol=1e-5)
    assert model.metrics_names == ["loss", "mae", "pred_mean"]
    assert model.evaluate(X, Y, verbose=0)[2] == pytest.approx(logs["pred_mean"])


def test_metrics_of_a_multi_output_model_follow_keras_order():
    inputs = keras.Input((4,))
    a = layers.Dense(1, name="a")(inputs)
    b = layers.Dense(1, name="b")(inputs)
    model = keras.Model(inputs, [a, b])
    model.compile(optimizer="sgd", loss=["mse", "mae"], metrics=[["mae"], []])
    model.fit(X, [Y, Y], epochs=1, verbose=0)
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "a_loss", "b_loss"]
    compile_metrics = model.metrics[1]
    assert compile_metrics.result().keys() == {"a_mae"}
    assert len(compile_metrics.variables) == 2
    logs = model.evaluate(X, [Y, Y], verbose=0, return_dict=True)
    assert sorted(logs) == ["a_loss", "a_mae", "b_loss", "loss"]
    values = model.evaluate(X, [Y, Y], verbose=0)
    assert values == [logs["loss"], logs["a_loss"], logs["b_loss"], logs["a_mae"]]


class SigmoidPredict(keras.Model):
    def predict_step(self, data):
        return ops.sigmoid(super().predict_step(data))


def test_predict_goes_through_predict_step():
    model = SigmoidPredict(*dense_io())
    raw = model(X)
    np.testing.assert_allclose(model.predict(X, batch_size=7, verbose=0),
                               1 / (1 + np.exp(-raw)), rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(X), 1 / (1 + np.exp(-raw)), rtol=1e-6)


class MaxErrorTest(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_error = keras.metrics.Mean(name="max_error")

    def test_step(self, data):
        x, y = data
        self.max_error.update_state(ops.max(ops.abs(self(x, training=False) - y)))
        return {"max_error": self.max_error.result()}

    @property
    def metrics(self):
        return [self.max_error]


def test_custom_test_step_drives_evaluate_and_validation():
    model = MaxErrorTest(*dense_io())
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(X, Y, validation_data=(X, Y), batch_size=10, epochs=1, verbose=0)
    assert sorted(history.history) == ["max_error", "val_max_error"]
    w = model.get_weights()
    errors = np.abs(X @ w[0] + w[1] - Y)
    want = (errors[:10].max() + errors[10:].max()) / 2
    np.testing.assert_allclose(history.history["val_max_error"], [want], rtol=1e-5)
    assert model.evaluate(X, Y, batch_size=10, verbose=0) == pytest.approx(want, rel=1e-5)


def test_train_on_batch_and_test_on_batch_run_the_steps():
    model = Recording(*dense_io())
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    logs = model.train_on_batch(X, Y, return_dict=True)
    assert sorted(logs) == ["loss", "mae"]
    assert [kind for kind, _ in model.seen] == ["train"]
    loss, mae = model.test_on_batch(X, Y)
    pred = model.predict_on_batch(X)
    np.testing.assert_allclose([loss, mae], [np.mean((pred - Y) ** 2), np.mean(np.abs(pred - Y))],
                               rtol=1e-5)


def test_a_subclass_called_with_inputs_and_outputs_is_functional():
    inputs, outputs = dense_io(2)
    model = Recording(inputs=inputs, outputs=outputs, name="rec")
    assert isinstance(model, keras.models.Functional) and isinstance(model, Recording)
    assert model.name == "rec" and model.output_shape == (None, 2)
    assert len(model.get_weights()) == 2


class ZipStep(keras.Model):
    """The default step written out in keras.io's TensorFlow style, with apply_gradients."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch_loss = keras.metrics.Mean(name="loss")

    def train_step(self, data):
        x, y = data
        with ops.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.batch_loss.update_state(loss, sample_weight=len(x))
        return self.compute_metrics(x, y, y_pred)

    @property
    def metrics(self):
        return [self.batch_loss] + super().metrics[1:]


def test_a_hand_written_step_trains_like_the_default_one():
    runs = []
    for cls in (keras.Model, ZipStep):
        model = cls(*dense_io())
        model.set_weights([np.full((4, 1), 0.3, "float32"), np.zeros(1, "float32")])
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
        history = model.fit(X, Y, batch_size=6, epochs=3, shuffle=False, verbose=0)
        runs.append((history.history, model.get_weights()))
    (h0, w0), (h1, w1) = runs
    assert sorted(h0) == sorted(h1) == ["loss", "mae"]
    for key in h0:
        np.testing.assert_allclose(h1[key], h0[key], rtol=1e-6)
    for a, b in zip(w0, w1):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_compute_loss_works_in_a_hand_written_loop():
    model = keras.Model(*dense_io())
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    w0 = model.get_weights()
    with ops.GradientTape() as tape:
        y_pred = model(X, training=True)
        loss = model.compute_loss(x=X, y=Y, y_pred=y_pred)
    grads = tape.gradient(loss, model.trainable_variables)
    pred = X @ w0[0] + w0[1]
    np.testing.assert_allclose(float(loss), np.mean((pred - Y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(grads[1], [2 * np.mean(pred - Y)], rtol=1e-4)


class Keras2Step(keras.Model):
    """A Keras 2 tutorial's train_step: compiled_loss and compiled_metrics."""

    def train_step(self, data):
        x, y = data
        with ops.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_keras_2_compiled_loss_and_compiled_metrics_train_like_the_default_step():
    runs = []
    for cls in (keras.Model, Keras2Step):
        inputs = keras.Input((4,))
        outputs = layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.1))(inputs)
        model = cls(inputs, outputs)
        model.set_weights([np.full((4, 1), 0.3, "float32"), np.zeros(1, "float32")])
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
        history = model.fit(X, Y, batch_size=6, epochs=2, shuffle=False, verbose=0)
        runs.append((history.history, model.get_weights()))
    (h0, w0), (h1, w1) = runs
    assert sorted(h1) == ["loss", "mae"]
    for key in h0:
        np.testing.assert_allclose(h1[key], h0[key], rtol=1e-6)
    for a, b in zip(w0, w1):
        np.testing.assert_allclose(a, b, rtol=1e-6)
