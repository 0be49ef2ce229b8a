"""fit's one live output in Jupyter (progress row + curves, streamed through a display handle),
the static record it leaves, LivePlot, and the text bar outside Jupyter."""

import base64
import json
import subprocess
import sys

import numpy as np
import pytest

import nbkeras as keras
import nbkeras.notebook  # noqa: F401  (fills the display hooks, as IPython would)
from nbkeras.notebook.live_training import BATCH_POINTS, LiveTraining
from nbkeras.notebook.training_record import HISTORY_MIME, TRAINING_MIME, eta_text
from live_display_helpers import install

L = keras.layers


def _model():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return m


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.random((n, 3), dtype=np.float32)
    return x, x.sum(axis=1, keepdims=True)


def test_import_nbkeras_imports_no_jupyter_modules():
    code = ("import sys, nbkeras, nbkeras.notebook, nbkeras.callbacks; nbkeras.callbacks.LivePlot; "
            "bad = [m for m in ('ipywidgets', 'matplotlib', 'IPython') if m in sys.modules]; "
            "core = 'nbkeras.notebook' in sys.modules; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = "import sys, nbkeras; print([m for m in sys.modules if m.startswith('nbkeras.notebook')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"  # the core never imports the notebook side


def test_live_plot_stays_importable_from_callbacks():
    from nbkeras.notebook.live_plot import LivePlot

    assert keras.callbacks.LivePlot is LivePlot
    with pytest.raises(AttributeError):
        keras.callbacks.NoSuchCallback  # noqa: B018


def test_outside_jupyter_uses_text_progress_bar(capsys):
    x, y = _data()
    _model().fit(x, y, epochs=2, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "4/4" in out


def test_one_live_output_that_becomes_the_static_record(monkeypatch, capsys):
    handles = install(monkeypatch)
    x, y = _data()
    model = _model()
    h = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=1)
    assert capsys.readouterr().out == ""  # no text bar beside the live output
    assert len(handles) == 1
    first = handles[0].shown[0]
    assert set(first) == {TRAINING_MIME, "text/plain"}
    assert first[TRAINING_MIME]["status"] == "running"
    assert first["text/plain"].startswith("Epoch 1/3 · batch 0/3")
    final = handles[0].last
    assert set(final) == {HISTORY_MIME, "image/png", "text/plain"}
    payload = final[HISTORY_MIME]
    assert payload["status"] == "completed" and payload["epochs"] == [0, 1, 2]
    assert payload["history"]["val_loss"] == pytest.approx(h.history["val_loss"], rel=1e-6)
    assert payload["best"]["key"] == "val_loss"
    assert payload["elapsed"] > 0 and payload["progress"]["eta"] is None  # the ETA is cleared
    assert payload["progress"]["step"] == payload["progress"]["steps"] == 3
    assert base64.b64decode(final["image/png"]).startswith(b"\x89PNG")
    assert handles[0].metadata[-1]["image/png"]["width"] > 300
    text = final["text/plain"]
    assert text.startswith("Epoch 3/3 · completed in ")
    assert f"val_loss: {h.history['val_loss'][-1]:.4f}" in text


def test_updates_are_throttled(monkeypatch):
    handles = install(monkeypatch)
    x, y = _data(512)
    cb = LiveTraining(interval=3600)
    _model().fit(x, y, epochs=4, batch_size=8, verbose=0, callbacks=[cb])
    assert cb.updates <= 1  # 256 batches, one interval: at most the first update
    assert len(handles[0].shown) == 1 + cb.updates + 1  # the first display, updates, the record


def test_live_payload_carries_progress_and_eta(monkeypatch):
    handles = install(monkeypatch)
    x, y = _data()
    cb = LiveTraining(interval=0.0, max_overhead=1.0, batch_size=16, samples=64)
    _model().fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])
    running = [d[TRAINING_MIME] for d in handles[0].shown if TRAINING_MIME in d]
    mid = [p for p in running if p["progress"]["step"] == 2 and p["progress"]["epoch"] == 0][0]
    assert mid["progress"]["steps"] == 4 and mid["progress"]["epochs"] == 2
    assert mid["progress"]["eta"] > 0 and mid["progress"]["rate"].endswith("samples/s")
    assert "loss" in mid["progress"]["logs"]
    assert running[-1]["history"]["loss"]  # epochs arrive while it runs


def test_per_batch_points_are_thinned(monkeypatch):
    handles = install(monkeypatch)
    x, y = _data(BATCH_POINTS * 3)
    cb = keras.callbacks.LivePlot(per_batch=True, min_interval=3600)
    _model().fit(x, y, epochs=1, batch_size=1, verbose=0, callbacks=[cb])
    batches = handles[0].last[HISTORY_MIME]["batches"]
    assert BATCH_POINTS // 2 <= len(batches["x"]) < BATCH_POINTS
    assert batches["x"] == sorted(batches["x"]) and batches["x"][-1] <= 1.0
    assert len(batches["series"]["loss"]) == len(batches["x"])


def test_early_stopping_record_says_why_and_which_epoch_was_restored(monkeypatch):
    handles = install(monkeypatch)
    x, y = _data()
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=10.0,
                                         restore_best_weights=True)
    _model().fit(x, y, epochs=20, batch_size=16, verbose=1, callbacks=[stop])
    payload = handles[0].last[HISTORY_MIME]
    assert payload["status"] == "stopped_early"
    assert payload["reason"] == "EarlyStopping: loss did not improve for 1 epoch"
    assert payload["restored_epoch"] == stop.best_epoch
    assert payload["best"]["key"] == "loss"
    assert "Restored the weights of epoch 1." in handles[0].last["text/plain"]


def test_an_error_turns_the_record_red_even_at_the_first_batch(monkeypatch):
    handles = install(monkeypatch)
    x, y = _data()

    class Boom(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        _model().fit(x, y, epochs=2, batch_size=16, verbose=1, callbacks=[Boom()])
    final = handles[0].last
    payload = final[HISTORY_MIME]
    assert payload["status"] == "failed" and payload["error"] == "RuntimeError: boom"
    assert payload["epochs"] == [] and "image/png" not in final
    assert "RuntimeError: boom" in final["text/plain"]


def test_interrupt_is_recorded(monkeypatch):
    handles = install(monkeypatch)
    x, y = _data()

    class Stop(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.history.interrupted = True
            self.model.stop_training = True

    _model().fit(x, y, epochs=5, batch_size=16, verbose=1, callbacks=[Stop()])
    assert handles[0].last[HISTORY_MIME]["status"] == "interrupted"


def test_verbose_2_in_jupyter_prints_one_line_per_epoch(monkeypatch, capsys):
    handles = install(monkeypatch)
    x, y = _data()
    _model().fit(x, y, epochs=2, batch_size=16, verbose=2)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 2 and handles == []


def test_set_live_plot_adds_one_to_every_fit(monkeypatch):
    handles = install(monkeypatch)
    x, y = _data()
    keras.config.set_live_plot(True)
    try:
        _model().fit(x, y, epochs=2, batch_size=16, verbose=0)
    finally:
        keras.config.set_live_plot(False)
    assert len(handles) == 1 and HISTORY_MIME in handles[0].last


def test_outside_jupyter_live_plot_writes_only_its_file(tmp_path, capsys):
    x, y = _data()
    path = tmp_path / "curves.png"
    _model().fit(x, y, epochs=2, batch_size=16, verbose=1,
                 callbacks=[keras.callbacks.LivePlot(to_file=str(path))])
    assert path.read_bytes().startswith(b"\x89PNG")
    assert "Epoch 2/2" in capsys.readouterr().out  # the text bar still shows


def test_history_as_a_cell_value_has_chart_json_png_and_text():
    x, y = _data()
    h = _model().fit(x, y, epochs=4, verbose=0, validation_split=0.25)
    data, metadata = h._repr_mimebundle_()
    assert data["text/plain"] == repr(h)
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    payload = data[HISTORY_MIME]
    json.dumps(payload)
    assert payload["epochs"] == [0, 1, 2, 3] and payload["status"] == "completed"
    assert "text/html" not in data  # JupyterLab without the extension picks the PNG
    assert metadata["image/png"]["width"] > 0
    assert keras.callbacks.History()._repr_mimebundle_() == {
        "text/plain": repr(keras.callbacks.History())}


@pytest.mark.parametrize("seconds, text", [(0.925, "925ms"), (7.4, "7s"), (65, "1:05"),
                                           (3723, "1:02:03")])
def test_eta_format_is_keras(seconds, text):
    assert eta_text(seconds) == text
