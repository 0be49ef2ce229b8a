"""LivePlot draws PNGs into a widgets.Image (in-memory comm), throttled, and leaves a PNG."""

import numpy as np

import nbkeras as keras
from nbkeras.callbacks import LivePlot
from nbkeras.notebook import plotting

from notebook_helpers import install


def _model():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return m


def _data(n=64):
    x = np.random.rand(n, 3).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_live_plot_draws_into_image_then_leaves_png(monkeypatch):
    shown = install(monkeypatch)
    x, y = _data()
    live = LivePlot(min_interval=0.0, max_overhead=1.0)
    lr = keras.callbacks.LearningRateScheduler(lambda e, lr: 0.01 if e < 2 else 0.001)
    keras.utils.set_random_seed(0)
    _model().fit(x, y, epochs=4, batch_size=16, verbose=0, validation_split=0.25,
                 callbacks=[live, lr])
    import ipywidgets
    from IPython.display import Image

    assert isinstance(shown[0], ipywidgets.Image)
    assert isinstance(shown[-1], Image)
    assert shown[-1].data.startswith(b"\x89PNG")
    assert live.draws >= 2
    assert live.image is None  # the widget was closed and replaced by the PNG
    assert abs(live.learning_rates[-1] - 0.001) < 1e-9 and len(set(live.learning_rates)) == 2


def test_redraws_are_throttled(monkeypatch):
    install(monkeypatch)
    x, y = _data(256)
    live = LivePlot(per_batch=True, min_interval=10.0)
    _model().fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[live])
    assert live.draws == 2  # the first point, then the final figure
    assert len(live.batch_points["loss"][0]) == 5 * 32


def test_per_batch_off_binds_no_batch_hook():
    from nbkeras.callbacks import CallbackList

    assert "on_train_batch_end" not in CallbackList([LivePlot()]).active
    assert "on_train_batch_end" in CallbackList([LivePlot(per_batch=True)]).active


def test_set_live_plot_adds_it_to_every_fit(monkeypatch):
    shown = install(monkeypatch)
    x, y = _data()
    keras.config.set_live_plot(True)
    try:
        _model().fit(x, y, epochs=2, batch_size=16, verbose=0)
    finally:
        keras.config.set_live_plot(False)
    from IPython.display import Image

    assert isinstance(shown[-1], Image)


def test_outside_jupyter_it_draws_only_to_file(tmp_path):
    x, y = _data()
    path = tmp_path / "curves.png"
    live = LivePlot(to_file=str(path))
    _model().fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[live])
    assert path.read_bytes().startswith(b"\x89PNG")
    assert live.image is None


def test_best_epoch_direction():
    h = {"loss": [3, 2, 1], "val_loss": [3, 1, 2], "accuracy": [0.1, 0.5, 0.4]}
    assert plotting.best_epoch(h, "loss")[:2] == (1, 1)
    assert plotting.best_epoch(h, "accuracy")[:2] == (1, 0.5)
    assert plotting.quantities({**h, "learning_rate": [1, 1, 1]}) == ["loss", "accuracy"]
