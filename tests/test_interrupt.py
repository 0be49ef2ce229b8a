"""Ctrl-C during fit stops at a batch boundary, keeps weights and history, and fit resumes."""

import os
import signal

import numpy as np

import nbkeras as keras


class _InterruptAt(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)
        self.epoch = None
        self.ended = False
        self.after_signal_weights = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            os.kill(os.getpid(), signal.SIGINT)  # delivered now, handled between batches

    def on_train_end(self, logs=None):
        self.ended = True


def _model():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


def test_interrupt_keeps_history_and_weights(capsys):
    x = np.random.rand(64, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = _model()
    stopper = _InterruptAt(epoch=2, batch=1)
    history = model.fit(x, y, epochs=10, batch_size=16, verbose=0, callbacks=[stopper])
    assert history.interrupted is True
    assert len(history.history["loss"]) == 2  # epochs 0 and 1 completed
    assert stopper.ended
    out = capsys.readouterr().out
    assert "interrupted at epoch 3/10, batch 2/4" in out
    # The interrupted batch's step completed: iterations = 2 epochs * 4 + 2 batches.
    assert int(model.optimizer.iterations.numpy()) == 10
    # fit continues from the current weights, and the default SIGINT handler is back.
    before = model.get_weights()
    again = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert again.interrupted is False
    assert not all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
