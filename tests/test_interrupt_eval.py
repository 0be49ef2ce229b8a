"""Ctrl-C in evaluate/predict (and fit's validation) stops at a batch boundary; twice raises."""

import os
import signal

import numpy as np
import pytest

import nbkeras as keras


def _model():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    m.compile(optimizer="sgd", loss="mse")
    return m


class _Signal(keras.callbacks.Callback):
    """Sends SIGINT `times` times at the start of batch `at` of evaluate or predict."""

    def __init__(self, at, times=1):
        super().__init__()
        self.at, self.times, self.batches = at, times, []

    def _hit(self, batch):
        self.batches.append(batch)
        if batch == self.at:
            for _ in range(self.times):
                os.kill(os.getpid(), signal.SIGINT)

    def on_test_batch_begin(self, batch, logs=None):
        self._hit(batch)

    def on_predict_batch_begin(self, batch, logs=None):
        self._hit(batch)


x = np.random.rand(80, 3).astype("float32")
y = np.random.rand(80, 2).astype("float32")


@pytest.mark.parametrize("method", ["evaluate", "predict"])
def test_first_interrupt_stops_at_the_batch_boundary(method):
    model = _model()
    cb = _Signal(at=1)
    args = (x, y) if method == "evaluate" else (x,)
    with pytest.raises(KeyboardInterrupt, match="batch boundary"):
        getattr(model, method)(*args, batch_size=16, verbose=0, callbacks=[cb])
    assert cb.batches == [0, 1]  # batch 1 ran to its end; batch 2 never started
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    out = model.predict(x, batch_size=16, verbose=0)  # the model still works
    assert out.shape == (80, 2)


@pytest.mark.parametrize("method", ["evaluate", "predict"])
def test_second_interrupt_raises_at_once(method):
    model = _model()
    cb = _Signal(at=1, times=2)
    args = (x, y) if method == "evaluate" else (x,)
    with pytest.raises(KeyboardInterrupt) as info:
        getattr(model, method)(*args, batch_size=16, verbose=0, callbacks=[cb])
    assert "batch boundary" not in str(info.value)  # raised inside the batch, not after it
    assert cb.batches == [0, 1]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_interrupt_during_validation_stops_fit(capsys):
    model = _model()
    cb = _Signal(at=1)
    h = model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.5, callbacks=[cb])
    assert h.interrupted and h.history == {}
    assert cb.batches == [0, 1]
    assert "Training interrupted at epoch 1/3" in capsys.readouterr().out
