"""The replayed step's short paths keep every number: the short bookkeeping (loss tracker,
flat-buffer update), fit's quiet batches (no metric results per batch when no callback
reads them), the loss's mean and the branch-free dropout mask."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import callbacks, constraints, layers
from nbkeras.backend import kernels as K
from nbkeras.ops.numpy import _mean_value
from nbkeras.trainers import step_plan
from nbkeras.trainers.trainer import Trainer

from test_step_plan import _data, _twice, assert_identical, replays  # noqa: F401


def _model(optimizer="rmsprop", dropout=0.5, metrics=None, constraint=None):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        layers.Input((5,)), layers.Dense(8, activation="relu", kernel_constraint=constraint),
        layers.Dropout(dropout), layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse", metrics=metrics)
    return model


def _fit(make, callbacks_=None, epochs=3):
    x, y = _data()
    model = make()
    history = model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=callbacks_)
    return model, history.history


@pytest.mark.parametrize("optimizer", [
    lambda: "rmsprop",
    lambda: keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1),
    lambda: keras.optimizers.SGD(0.1, momentum=0.9, use_ema=True, ema_overwrite_frequency=2),
    lambda: keras.optimizers.Adam(clipnorm=0.5),
    lambda: keras.optimizers.RMSprop(global_clipnorm=0.1, loss_scale_factor=4.0),
    lambda: keras.optimizers.Adam(gradient_accumulation_steps=2),
], ids=["rmsprop", "adamw", "sgd-ema", "clipnorm", "global-clipnorm-scaled", "accumulated"])
def test_replay_with_the_short_bookkeeping_matches_the_tape(optimizer, replays):
    def run():
        model, hist = _fit(lambda: _model(optimizer(), metrics=["mae"],
                                          constraint=constraints.NonNeg()))
        return [w for w in model.get_weights()], hist, model.optimizer

    fast, tape, n = _twice(run, replays)
    assert n > 0
    assert_identical(fast, tape)


def test_the_first_replay_proves_the_short_bookkeeping(replays):
    model, _ = _fit(_model)
    plans = [e.plan for e in model._step_plans.values() if e.plan is not None]
    assert plans and all(p.short for p in plans)
    assert model._step_path.startswith("replay")


def test_quiet_batches_give_the_logs_a_listening_callback_sees(replays):
    seen = []

    class Listen(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(dict(logs))

    quiet_model, quiet = _fit(lambda: _model(metrics=["mae"]))
    loud_model, loud = _fit(lambda: _model(metrics=["mae"]), [Listen()])
    assert_identical(quiet, loud)
    assert_identical(quiet_model.get_weights(), loud_model.get_weights())
    assert len(seen) == 9 and set(seen[-1]) == {"loss", "mae"}
    assert seen[-1] == {k: v[-1] for k, v in loud.items()}  # the epoch's last batch


def test_quiet_batches_take_the_metric_results_once_per_epoch(replays, monkeypatch):
    calls = [0]
    original = Trainer.get_metrics_result

    def counted(self):
        calls[0] += 1
        return original(self)

    model, _ = _fit(_model)  # (the tape steps that trace a plan return logs)
    monkeypatch.setattr(Trainer, "get_metrics_result", counted)
    x, y = _data()
    model.fit(x, y, batch_size=16, epochs=4, verbose=0)
    assert calls[0] == 4 and model._step_path.startswith("replay")


def test_a_batch_callback_that_stops_training_gets_the_stopping_batch_logged(replays):
    class StopAt(callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    _, hist = _fit(_model, [StopAt()])
    _, ref = _fit(_model, epochs=1)
    assert len(hist["loss"]) == 1 and hist["loss"][0] != ref["loss"][0]


def test_a_train_step_set_on_the_instance_runs_every_batch(replays):
    model = _model()
    calls = []
    default = model.train_step

    def train_step(data):
        calls.append(1)
        return default(data)

    model.train_step = train_step
    x, y = _data()
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert len(calls) == 6


def test_train_step_without_logs_returns_none_once_replayed():
    model, _ = _fit(_model)
    x, y = _data()
    assert step_plan.train_step(model, x[:16], y[:16], None, logs=False) is None
    assert model._step_path.startswith("replay")
    assert set(step_plan.train_step(model, x[:16], y[:16], None)) == {"loss"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_loss_mean_is_numpys_to_the_bit(dtype):
    rng = np.random.default_rng(0)
    for n in list(range(1, 40)) + [127, 1000, 4097]:
        for shape in ((n,), (n, 3), (3, n)[::-1]):
            a = (rng.standard_normal(shape) * 10.0 ** rng.uniform(-6, 6)).astype(dtype)
            for arr in (a, a.T, a[::2]):
                if arr.size:
                    want, got = np.mean(arr), _mean_value(np, arr, None, False)
                    assert type(got) is type(want) and got.tobytes() == want.tobytes()
    ints = np.arange(7)
    assert _mean_value(np, ints, None, False) == np.mean(ints)
    m = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(_mean_value(np, m, 1, True), np.mean(m, axis=1, keepdims=True))


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_the_dropout_mask_is_the_seeded_stream(rate):
    """Numba's generator is NumPy's legacy Mersenne Twister: the mask is
    `(u >= rate) / (1 - rate)` of `RandomState(seed).random_sample`, one draw per entry."""
    x = np.random.default_rng(1).standard_normal(2 * 97).astype("float32")
    x[::5], x[1::7] = 0.0, -0.0
    mask, out = np.empty(97, np.float32), np.empty(97, np.float32)
    K.dropout_forward(x[:97], mask, out, rate, 11)
    mask2, out2 = np.empty(97, np.float32), np.empty(97, np.float32)
    K.dropout_forward(x[97:], mask2, out2, rate, -1)  # the stream goes on
    u = np.random.RandomState(11).random_sample(2 * 97)
    scale = np.float32(1.0 / (1.0 - rate)) if rate < 1 else np.float32(0.0)
    want = np.where(u >= rate, scale, np.float32(0.0)).astype(np.float32)
    assert mask.tobytes() == want[:97].tobytes() and mask2.tobytes() == want[97:].tobytes()
    assert out.tobytes() == (x[:97] * want[:97]).tobytes()
    assert out2.tobytes() == (x[97:] * want[97:]).tobytes()
