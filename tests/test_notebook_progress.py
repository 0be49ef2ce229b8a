"""The Jupyter progress row of fit(verbose=1), tested on an in-memory comm (no kernel)."""

import subprocess
import sys
import time

import numpy as np
import pytest

import nbkeras as keras
from nbkeras.notebook.progress import WidgetProgbar

from notebook_helpers import RecordingComm, install


def _model():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return m


def _data(n=64):
    x = np.random.rand(n, 3).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_import_nbkeras_imports_no_jupyter_modules():
    code = ("import sys, nbkeras, nbkeras.notebook, nbkeras.callbacks.live_plot; "
            "bad = [m for m in ('ipywidgets', 'matplotlib', 'IPython') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_outside_jupyter_uses_text_progress_bar(capsys):
    x, y = _data()
    _model().fit(x, y, epochs=2, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "4/4" in out


def test_widget_row_in_jupyter(monkeypatch, capsys):
    shown = install(monkeypatch)
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=3, batch_size=16, verbose="auto", validation_split=0.25)
    assert capsys.readouterr().out == ""  # no text at all: only widget messages
    assert len(shown) == 1
    box = shown[0]
    title, epoch_bar, batch_bar, info = box.children
    assert (epoch_bar.value, epoch_bar.max) == (3, 3)
    assert batch_bar.value == batch_bar.max == 3  # 48 training samples / 16
    assert epoch_bar.bar_style == "success"
    assert title.value == "Epoch 3/3"
    for key in ("loss", "mae", "val_loss", "val_mae", "samples/s"):
        assert key in info.value
    assert any(t == "comm_msg" for t, _ in RecordingComm.sent)


def test_widget_row_for_a_generator_of_unknown_length(monkeypatch):
    shown = install(monkeypatch)
    x, y = _data()
    batches = ((x[i:i + 16], y[i:i + 16]) for i in range(0, len(x), 16))
    _model().fit(batches, epochs=1, verbose=1)
    _, epoch_bar, batch_bar, info = shown[0].children
    n = -(-len(x) // 16)
    assert batch_bar.value == batch_bar.max == n  # the bar grows with the batches seen
    assert "steps/s" in info.value and "ETA" not in info.value


def test_widget_row_with_verbose_1(monkeypatch):
    shown = install(monkeypatch)
    x, y = _data()
    _model().fit(x, y, epochs=1, batch_size=16, verbose=1)
    assert len(shown) == 1


def test_verbose_2_in_jupyter_prints_one_line_per_epoch(monkeypatch, capsys):
    shown = install(monkeypatch)
    x, y = _data()
    _model().fit(x, y, epochs=2, batch_size=16, verbose=2)
    assert shown == []
    lines = [l for l in capsys.readouterr().out.splitlines() if "loss" in l]
    assert len(lines) == 2


def test_updates_are_throttled():
    bar = WidgetProgbar(batch_size=1, interval=0.25)
    bar.set_params({"epochs": 1, "steps": 100_000, "verbose": 1})
    bar._build()
    bar.on_epoch_begin(0)
    t0 = time.perf_counter()
    i = 0
    while time.perf_counter() - t0 < 0.6:
        bar.on_train_batch_end(i, {"loss": 1.0})
        i += 1
    assert i > 1000
    assert bar.updates <= 4  # at most ~4 a second, whatever the batch count


class _Boom(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 1:
            raise RuntimeError("boom <b>")


def test_error_turns_widgets_red(monkeypatch):
    shown = install(monkeypatch)
    x, y = _data()
    with pytest.raises(RuntimeError, match="boom"):
        _model().fit(x, y, epochs=2, batch_size=16, verbose=1, callbacks=[_Boom()])
    title, epoch_bar, batch_bar, info = shown[0].children
    assert epoch_bar.bar_style == batch_bar.bar_style == "danger"
    assert "RuntimeError: boom &lt;b&gt;" in info.value
    assert title.value == "Failed"


def test_eta_counts_the_epochs_left():
    bar = WidgetProgbar(batch_size=10, interval=0.0)
    bar.set_params({"epochs": 3, "steps": 10, "verbose": 1})
    bar._build()
    bar.on_epoch_begin(0)
    bar._epoch_start -= 5.0  # 5 s for the first 5 batches: 1 s per batch
    bar.on_train_batch_end(4, {"loss": 0.25})
    title, epoch_bar, batch_bar, info = bar.box.children
    assert "ETA 0:25" in info.value  # 5 batches of this epoch + 2 epochs of 10
    assert "10 samples/s" in info.value and "loss <b>0.2500</b>" in info.value
    assert batch_bar.value == 5
