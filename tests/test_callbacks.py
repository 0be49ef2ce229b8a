"""Callback behaviour that Keras goldens cannot show: LambdaCallback's calls, the Keras 2 batch
hooks, TerminateOnNaN, BackupAndRestore resuming (after an error, Ctrl-C or SIGKILL), crash-safe
ModelCheckpoint files, and the error messages. tests/test_parity_callbacks.py compares the
rest with real Keras."""

import json
import os
import random
import signal
import sys
import time

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import callbacks

F = np.float32


def _data(n=32):
    rng = np.random.RandomState(3)
    x = rng.randn(n, 4).astype(F)
    y = (x @ rng.randn(4, 2)).astype(F)
    return x, y


def _model(optimizer="adam", hidden=8, seed=5, depth=1):
    hidden_layers = [keras.layers.Dense(hidden, activation="tanh") for _ in range(depth)]
    model = keras.Sequential([keras.Input((4,)), *hidden_layers, keras.layers.Dense(2)])
    rng = np.random.RandomState(seed)
    model.set_weights([(rng.randn(*w.shape) * 0.3).astype(F) for w in model.get_weights()])
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


class Raise(callbacks.Callback):
    """Raises RuntimeError when epoch `at` begins: an interrupted run."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise RuntimeError(f"stop at {epoch}")


# ------------------------------------------------------------------ LambdaCallback
def test_lambda_callback_calls_each_function_with_keras_arguments():
    calls = []
    cb = callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch, logs)),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch, logs)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, sorted(logs))),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append(("train_end", sorted(logs))),
        on_test_begin=lambda logs: calls.append(("test_begin", logs)),
        on_test_end=lambda logs: calls.append(("test_end", sorted(logs))),
        on_predict_end=lambda logs: calls.append(("predict_end", logs)),
    )
    x, y = _data(16)
    model = _model()
    model.fit(x, y, epochs=2, batch_size=8, validation_data=(x[:4], y[:4]), verbose=0,
              callbacks=[cb])
    epoch = [("epoch_begin", None, {}), ("batch_begin", 0, {}), ("batch_end", 0, ["loss", "mae"]),
             ("batch_begin", 1, {}), ("batch_end", 1, ["loss", "mae"]), ("test_begin", {}),
             ("test_end", ["loss", "mae"]),
             ("epoch_end", None, ["loss", "mae", "val_loss", "val_mae"])]
    want = [("train_begin", {})]
    for e in range(2):
        want += [tuple(e if v is None else v for v in c) for c in epoch]
    want.append(("train_end", ["loss", "mae", "val_loss", "val_mae"]))
    assert calls == want
    calls.clear()
    model.predict(x, verbose=0, callbacks=[cb])
    assert calls == [("predict_end", {})]


def test_lambda_callback_hooks_not_given_cost_nothing():
    cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: None)
    hooks = callbacks.CallbackList([cb]).active
    assert hooks == {"on_epoch_end"}


def test_keras2_batch_hooks():
    seen = {"legacy": 0, "modern": 0, "both_legacy": 0}

    class Legacy(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen["legacy"] += 1

    class Both(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen["modern"] += 1

        def on_batch_end(self, batch, logs=None):  # Keras calls only on_train_batch_end
            seen["both_legacy"] += 1

    x, y = _data(16)
    _model().fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[Legacy(), Both()])
    assert seen == {"legacy": 4, "modern": 4, "both_legacy": 0}


# ------------------------------------------------------------------ TerminateOnNaN
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy on the NaN/inf gradients
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_terminate_on_nan_ends_the_epoch_and_stops(bad, capsys):
    x, y = _data(32)
    y = y.copy()
    y[20] = bad  # batch 2 of 4 in every epoch
    ended = []
    history = _model("sgd").fit(
        x, y, epochs=5, batch_size=8, shuffle=False, verbose=0,
        callbacks=[callbacks.TerminateOnNaN(),
                   callbacks.LambdaCallback(on_train_end=lambda logs: ended.append(True))])
    assert len(history.history["loss"]) == 1
    assert not np.isfinite(history.history["loss"][0])
    assert ended == [True]
    assert capsys.readouterr().out == "Batch 2: Invalid loss, terminating training\n"


def test_terminate_on_nan_raise_error_skips_on_train_end():
    x, y = _data(16)
    y = y.copy()
    y[3] = np.nan
    ended = []
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        _model("sgd").fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0,
                          callbacks=[callbacks.TerminateOnNaN(raise_error=True),
                                     callbacks.LambdaCallback(
                                         on_train_end=lambda logs: ended.append(1))])
    assert ended == []


# ----------------------------------------------------------------- BackupAndRestore
def _straight(optimizer, epochs=6):
    x, y = _data()
    model = _model(optimizer)
    model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return model.get_weights()


def _assert_same_weights(a, b):
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("optimizer,at", [("adam", 1), ("adam", 4), ("rmsprop", 3),
                                          ("sgd", 5)])
def test_backup_and_restore_resumes_to_the_same_weights(tmp_path, optimizer, at):
    x, y = _data()
    backup = callbacks.BackupAndRestore(tmp_path / "backup")
    model = _model(optimizer)
    with pytest.raises(RuntimeError, match=f"stop at {at}"):
        model.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                  callbacks=[backup, Raise(at)])
    assert json.loads((tmp_path / "backup" / "training_metadata.json").read_text())["epoch"] == at
    # A fresh model (as after a restart) resumes from the backup.
    model = _model(optimizer, seed=99)
    history = model.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                        callbacks=[backup])
    assert history.epoch == list(range(at, 6))
    _assert_same_weights(model.get_weights(), _straight(optimizer))
    assert not (tmp_path / "backup").exists()  # deleted once fit completed
    # The resumed epoch is not remembered by the model: the next fit starts at epoch 0.
    assert model.fit(x, y, epochs=2, batch_size=8, verbose=0).epoch == [0, 1]


def test_backup_and_restore_survives_ctrl_c(tmp_path):
    x, y = _data()

    class CtrlC(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_begin(self, batch, logs=None):
            if (self.epoch, batch) == (3, 1):
                os.kill(os.getpid(), signal.SIGINT)

    backup = callbacks.BackupAndRestore(tmp_path / "b")
    model = _model()
    history = model.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                        callbacks=[backup, CtrlC()])
    assert history.interrupted and (tmp_path / "b").exists()  # kept to resume from
    history = model.fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                        callbacks=[backup])
    assert history.epoch == [3, 4, 5]
    _assert_same_weights(model.get_weights(), _straight("adam"))


def test_backup_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    x, y = _data()
    backup = callbacks.BackupAndRestore(tmp_path, double_checkpoint=True, delete_checkpoint=False)
    with pytest.raises(RuntimeError):
        _model().fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                     callbacks=[backup, Raise(4)])
    meta = json.loads((tmp_path / "training_metadata.json").read_text())
    assert meta["epoch"] == 4 and meta["previous"]["epoch"] == 3
    (tmp_path / meta["weights"]).write_bytes(b"not an HDF5 file")
    history = _model().fit(x, y, epochs=6, batch_size=8, shuffle=False, verbose=0,
                           callbacks=[backup])
    assert history.epoch == [3, 4, 5]
    _assert_same_weights(history.model.get_weights(), _straight("adam"))


def test_backup_batch_freq_resumes_at_the_epoch_in_progress(tmp_path):
    x, y = _data()
    backup = callbacks.BackupAndRestore(tmp_path, save_freq=3, delete_checkpoint=False)
    with pytest.raises(RuntimeError):
        _model().fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0,
                     callbacks=[backup, Raise(2)])
    # 4 batches per epoch: backups after global batches 3 and 6 (epoch 1, batch 1).
    meta = json.loads((tmp_path / "training_metadata.json").read_text())
    assert (meta["epoch"], meta["batch"]) == (1, 1)
    history = _model().fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0,
                           callbacks=[backup])
    assert history.epoch == [1, 2, 3]


def test_backup_and_restore_errors():
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="Received: save_freq=often"):
        callbacks.BackupAndRestore("/tmp/x", save_freq="often")


# -------------------------------------------------------------------- ModelCheckpoint
def test_checkpoint_hdf5_files_load_as_the_epoch_weights(tmp_path):
    x, y = _data()
    kept = {}
    model = _model()
    snapshot = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: kept.__setitem__(epoch + 1, model.get_weights()))
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x, y),
              callbacks=[callbacks.ModelCheckpoint(
                  str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.hdf5")), snapshot])
    names = sorted(os.listdir(tmp_path))
    assert [n[:4] for n in names] == ["w.01", "w.02", "w.03"]
    for epoch, name in enumerate(names, 1):
        restored = keras.models.load_model(tmp_path / name)
        _assert_same_weights(restored.get_weights(), kept[epoch])


def test_checkpoint_best_only_at_batch_level_from_the_first_batch(tmp_path):
    # Keras 3.15 crashes here (its monitor operator is only set at the first epoch's end).
    x, y = _data(16)
    cb = callbacks.ModelCheckpoint(str(tmp_path / "b{epoch}-{batch}.weights.h5"), monitor="loss",
                                   save_best_only=True, save_weights_only=True, save_freq=1)
    _model().fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0, callbacks=[cb])
    assert "b1-1.weights.h5" in os.listdir(tmp_path)


@pytest.mark.parametrize("kwargs,match", [
    ({"filepath": "model.h6"}, "must end in `.keras`"),
    ({"filepath": "model.keras", "save_weights_only": True}, "must end in `.weights.h5`"),
    ({"filepath": "model.keras", "save_freq": "batch"}, "Unrecognized save_freq"),
])
def test_checkpoint_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        callbacks.ModelCheckpoint(**kwargs)
    assert "Received: " in str(info.value)


def test_checkpoint_unknown_placeholder(tmp_path):
    x, y = _data(8)
    cb = callbacks.ModelCheckpoint(str(tmp_path / "{epoch}-{val_acc:.2f}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[cb])


# ------------------------------------------------------------ SIGKILL during saves
def _train_forever(folder, write_ready):
    """The child: train a model whose saves dominate the time, checkpointing every batch."""
    x, y = _data(64)
    model = _model(hidden=256, depth=2)
    cbs = [callbacks.ModelCheckpoint(os.path.join(folder, "last.keras"), save_freq=1),
           callbacks.ModelCheckpoint(os.path.join(folder, "e{epoch:02d}.keras"), save_freq=2),
           callbacks.ModelCheckpoint(os.path.join(folder, "w.weights.h5"),
                                     save_weights_only=True, save_freq=1),
           callbacks.ModelCheckpoint(os.path.join(folder, "legacy.hdf5"), save_freq=1),
           callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: write_ready())]
    model.fit(x, y, epochs=20, batch_size=8, verbose=0, callbacks=cbs)


def _fork_and_kill(target, delay):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_fd)
            sent = []

            def ready():
                if not sent:
                    os.write(write_fd, b"1")
                    sent.append(1)

            target(ready)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    os.read(read_fd, 1)  # the child is training (and saving)
    os.close(read_fd)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_during_checkpoint_writes_leaves_only_loadable_files(tmp_path):
    _model(hidden=256, depth=2).fit(*_data(8), epochs=1, verbose=0)  # compile kernels first
    rng = random.Random(0)
    killed, interrupted_writes = 0, 0
    start = time.monotonic()
    while killed < 12 and time.monotonic() - start < 8:
        killed += _fork_and_kill(lambda ready: _train_forever(str(tmp_path), ready),
                                 rng.uniform(0.02, 0.25))
        names = os.listdir(tmp_path)
        interrupted_writes += any(n.startswith(".") for n in names)
        for name in names:
            path = tmp_path / name
            if name.startswith("."):  # a temporary file of a killed write, never a checkpoint
                assert ".nbkeras-tmp" in name
            elif name.endswith(".weights.h5"):
                fresh = _model(hidden=256, depth=2)
                fresh.optimizer.build(fresh.trainable_variables)
                fresh.load_weights(path)
            else:
                assert keras.models.load_model(path).count_params() > 0
    assert killed >= 5
    assert {"last.keras", "w.weights.h5", "legacy.hdf5"} <= set(os.listdir(tmp_path))
    assert interrupted_writes >= 1  # some kills really landed in the middle of a save


def _fit_with_backup(folder, extra=()):
    x, y = _data()
    model = _model(hidden=192)
    model.fit(x, y, epochs=50, batch_size=8, shuffle=False, verbose=0,
              callbacks=[callbacks.BackupAndRestore(folder), *extra])
    return model


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_during_backups_still_resumes_to_the_same_weights(tmp_path):
    folder = str(tmp_path / "backup")
    rng = random.Random(1)
    epochs_done = []
    for _ in range(8):
        _fork_and_kill(lambda go: _fit_with_backup(folder, [callbacks.LambdaCallback(
            on_train_batch_end=lambda b, logs: go())]), rng.uniform(0.01, 0.06))
        meta = os.path.join(folder, "training_metadata.json")
        if os.path.exists(meta):
            with open(meta) as f:
                epochs_done.append(json.load(f)["epoch"])
    assert epochs_done and epochs_done[-1] < 50  # the kills left a backup mid-training
    # The last, unkilled run resumes from the backup the kills left and ends like a run
    # that was never interrupted.
    resumed = _fit_with_backup(folder)
    x, y = _data()
    straight = _model(hidden=192)
    straight.fit(x, y, epochs=50, batch_size=8, shuffle=False, verbose=0)
    _assert_same_weights(resumed.get_weights(), straight.get_weights())
    assert not os.path.exists(folder)


# ------------------------------------------------------------------ errors and misc
def test_unavailable_callbacks_explain_why():
    with pytest.raises(NotImplementedError, match="TensorFlow event files"):
        callbacks.TensorBoard(log_dir="logs")
    with pytest.raises(NotImplementedError, match="no network requests"):
        callbacks.RemoteMonitor()


def test_monitor_direction_and_errors():
    x, y = (_data(16)[0], np.eye(2, dtype=F)[np.arange(16) % 2])
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy", "mse"])
    stop_acc = callbacks.EarlyStopping(monitor="val_accuracy")
    stop_mse = callbacks.EarlyStopping(monitor="mse", min_delta=0.5)
    model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y), callbacks=[stop_acc, stop_mse])
    assert stop_acc.monitor_op(2, 1) and not stop_mse.monitor_op(2, 1)
    assert stop_mse.min_delta == -0.5
    with pytest.raises(ValueError, match="Pass `mode='max'`"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping(monitor="foo")])
    with pytest.warns(UserWarning, match="which is not available"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.EarlyStopping(monitor="val_loss", mode="min")])


def test_learning_rate_callback_errors():
    x, y = _data(8)
    with pytest.raises(ValueError, match="factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="should be a float"):
        _model().fit(x, y, epochs=1, verbose=0,
                     callbacks=[callbacks.LearningRateScheduler(lambda epoch: 1)])
    with pytest.warns(UserWarning, match="deprecated"):
        assert callbacks.ReduceLROnPlateau(epsilon=0.01).min_delta == 0.01
